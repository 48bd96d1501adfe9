import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from incubator.areas.models import Community, CoverageTargets, Street
from incubator.orgs.models import Organisation
from incubator.orgs.selectors import coverage
from tests.conftest import HUB_A
from tests.factories import CommunityFactory, OrganisationFactory, StreetFactory

pytestmark = pytest.mark.django_db
A = {"HTTP_HOST": HUB_A["domain"]}


def test_coverage_counts_the_1_the_n_fields_the_x_and_the_gap(in_hub_a):
    wujing, guanshang = StreetFactory(name="吴井街道"), StreetFactory(name="关上街道")
    urban = CommunityFactory(street=wujing, name="铁路新村社区", kind="urban")
    village = CommunityFactory(street=guanshang, name="关上村社区", kind="village_to_residential")
    custom = CommunityFactory(street=guanshang, name="自定目标社区", organisation_target=2)
    OrganisationFactory(community=urban, tier="hub", name="吴井街道社会组织联合会")
    OrganisationFactory(community=urban, tier="basic", basic_field="culture_sports", name="五里多社区摄影沙龙")
    OrganisationFactory(community=urban, tier="basic", basic_field="culture_sports")
    OrganisationFactory(community=urban, tier="characteristic", resident_group="留守儿童", name="东郊路社区四点半学校")
    OrganisationFactory(community=village, tier="basic", basic_field="charity_relief")
    OrganisationFactory(community=custom)
    OrganisationFactory(community=custom)

    data = coverage()
    streets = {s.street.name: s for s in data.streets}
    assert streets["吴井街道"].hub_organisation == "吴井街道社会组织联合会"
    assert streets["关上街道"].hub_organisation is None
    rows = {r.community.name: r for r in data.communities}
    assert rows["铁路新村社区"].basic["culture_sports"] == 2 and rows["铁路新村社区"].characteristic == 1
    assert (rows["铁路新村社区"].total, rows["铁路新村社区"].target, rows["铁路新村社区"].gap) == (4, 10, 6)
    assert (rows["关上村社区"].target, rows["关上村社区"].gap) == (5, 4)
    assert rows["自定目标社区"].meets_target
    assert data.totals["streets_with_hub"] == 1 and data.totals["gap"] == 10
    # The source documents' targets are averages per kind: urban (4 + 2) / 2 = 3.0 against ≥ 10, 村改居 1 against ≥ 5.
    kinds = {str(k.kind_label): k for k in data.by_kind}
    urban_kind = kinds["城市社区"]
    assert (urban_kind.communities, urban_kind.organisations, urban_kind.average) == (2, 6, Decimal("3.0"))
    assert (kinds["村改居社区"].average, kinds["村改居社区"].target_average) == (Decimal("1.0"), 5)
    assert not any(k.meets_target for k in data.by_kind)

    targets = CoverageTargets.load()
    targets.urban_minimum = 3
    targets.save()
    assert {r.community.name: r.gap for r in coverage().communities}["铁路新村社区"] == 0
    assert {str(k.kind_label): k.meets_target for k in coverage().by_kind}["城市社区"]  # 3.0 ≥ 3


def _populate(organisations: int, communities: int = 30):
    batch = Street.objects.count()
    streets = Street.objects.bulk_create([Street(name=f"街道{batch}-{i}") for i in range(max(1, communities // 10))])
    places = Community.objects.bulk_create(
        [Community(street=streets[i % len(streets)], name=f"社区{i}") for i in range(communities)]
    )
    fields = ["community_service", "community_affairs", "charity_relief", "culture_sports", "residents_rights"]
    Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"组织{batch}-{i}",
                legal_form="filed_community",
                street_id=places[i % communities].street_id,
                community=places[i % communities],
                responsible_person="王",
                tier="basic",
                basic_field=fields[i % 5],
            )
            for i in range(organisations)
        ]
    )


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **A)
    assert response.status_code == 200, response.content[:300]
    return len(captured)


@pytest.mark.parametrize(
    "url",
    ["/admin/incubator/coverage/", "/admin/organisations/", "/admin/communities/", "/admin/incubator/coverage/export/"],
)
def test_lists_and_coverage_run_a_constant_number_of_queries(client, operator, django_assert_max_num_queries, url):
    client.force_login(operator)
    _populate(10, communities=10)
    with CaptureQueriesContext(connection):
        client.get(url, **A)  # warm caches (content types, site) so both counts compare like with like
    few = _queries(client, url)
    _populate(990, communities=290)
    assert Organisation.objects.count() == 1000
    with django_assert_max_num_queries(few):
        response = client.get(url, **A)
    assert response.status_code == 200


def test_coverage_page_and_excel_export(client, operator):
    client.force_login(operator)
    OrganisationFactory(
        community=CommunityFactory(name="五里多社区", street=StreetFactory(name="吴井街道")), tier="hub"
    )
    page = client.get("/admin/incubator/coverage/", **A).content.decode()
    assert "吴井街道" in page and "五里多社区" in page and "<svg" in page
    kinds = page.split('id="kind-coverage"')[1].split("</table>")[0]
    assert "城市社区" in kinds and "1.0" in kinds and "≥ 10" in kinds
    response = client.get("/admin/incubator/coverage/export/", **A)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[1][:2] == ("吴井街道", "五里多社区")
    by_kind = list(workbook.worksheets[2].iter_rows(values_only=True))
    assert by_kind[1][:3] == ("城市社区", 1, 1) and float(by_kind[1][3]) == 1.0 and by_kind[1][4] == 10


def test_coverage_is_for_operators_only(client, member):
    client.force_login(member)
    response = client.get("/admin/incubator/coverage/", **A)
    assert response.status_code in (302, 403)


def test_incubations_and_filings_cannot_be_made_or_edited_around_their_workflow(client, operator):
    from incubator.filings.models import Filing

    client.force_login(operator)
    filing = Filing.objects.create(organisation=OrganisationFactory(), kind="filing", legal_form="filed_community")
    assert client.get("/admin/organisations/new/", **A).status_code == 200  # the URL shape is right…
    assert client.get("/admin/incubations/new/", **A).status_code in (302, 403)  # …but these are refused
    assert client.get("/admin/filings/new/", **A).status_code in (302, 403)
    assert client.get(f"/admin/filings/edit/{filing.pk}/", **A).status_code in (302, 403)
    assert client.get("/admin/filings/", **A).status_code == 200
