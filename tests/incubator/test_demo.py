import pytest

from incubator.demo import HUBS, demo_uscc, load_demo
from incubator.orgs.models import Incubation, Organisation
from incubator.orgs.selectors import coverage
from incubator.orgs.uscc import validate_uscc

pytestmark = pytest.mark.django_db


def test_the_guandu_demo_carries_the_seeds_streets_organisations_and_targets(in_hub_a):
    assert load_demo("guandu", password="x-demo-password-1") is True
    data = coverage()
    assert {s.street.name for s in data.streets} == set(HUBS["guandu"]["streets"])
    assert (
        Organisation.objects.filter(
            name__in=["铁路新村社区巧手工作坊", "五里多社区摄影沙龙", "东郊路社区“四点半”学校"]
        ).count()
        == 3
    )
    village = next(r for r in data.communities if r.community.kind == "village_to_residential")
    assert village.target == 5
    assert Incubation.objects.filter(status="incubating").count() == 2
    assert load_demo("guandu", password="x-demo-password-1") is False  # once only


def test_demo_codes_pass_the_national_check():
    assert validate_uscc(demo_uscc("420102", "2", 3)) == demo_uscc("420102", "2", 3)


def test_the_jiangan_demo_holds_a_past_call_with_the_seeds_projects_and_an_open_call(in_hub_a):
    from incubator.demo import JIANGAN_PROJECTS, load_funding_demo
    from incubator.funding.models import Application, Call

    load_demo("jiangan", password="x-demo-password-1")
    assert load_funding_demo("jiangan", password="x-demo-password-1") is True
    past = Call.objects.get(status="announced")
    titles = set(Application.objects.filter(call=past, status="awarded").values_list("title", flat=True))
    assert titles == {row[0] for row in JIANGAN_PROJECTS}
    assert Call.objects.filter(status="open").count() == 1
    assert load_funding_demo("jiangan", password="x-demo-password-1") is False
