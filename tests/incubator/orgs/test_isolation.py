"""Organisations, incubations and the daily jobs stay inside their own hub."""

import datetime

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from incubator.accounts.models import User
from incubator.orgs import services
from incubator.orgs.models import Incubation, Organisation
from tests.conftest import HUB_B
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db
B = {"HTTP_HOST": HUB_B["domain"]}


def test_hub_b_back_office_never_shows_or_acts_on_hub_a_records(client, hub_b, operator):
    secret = OrganisationFactory(name="只属于甲基地的组织")
    incubation = Incubation.objects.create(organisation=secret, needs="x")
    with tenant_context(hub_b):
        # Sessions live in each hub's schema: sign in where the requests will go.
        client.force_login(User.objects.get(email=HUB_B["admin_email"]))
    listing = client.get("/admin/organisations/?q=只属于", **B)
    assert listing.status_code == 200
    assert "只属于甲基地的组织" not in listing.content.decode()
    assert client.get(f"/admin/incubator/actions/incubation/{incubation.pk}/", **B).status_code == 404
    coverage = client.get("/admin/incubator/coverage/", **B)
    assert coverage.status_code == 200 and "只属于甲基地的组织" not in coverage.content.decode()


def test_a_daily_job_run_for_one_hub_touches_only_that_hub(hub_a, hub_b, in_hub_a):
    old = timezone.now() - datetime.timedelta(days=400)
    stale_a = OrganisationFactory(last_activity_at=old)
    with tenant_context(hub_b):
        assert services.flag_inactive_organisations() == 0
    assert Organisation.objects.get(pk=stale_a.pk).flagged_inactive_at is None
    assert services.flag_inactive_organisations() == 1


def test_deleting_an_organisation_others_refer_to_is_explained_not_a_500(client, operator):
    from tests.conftest import HUB_A
    from tests.factories import ApplicationFactory

    a = {"HTTP_HOST": HUB_A["domain"]}
    kept = OrganisationFactory(name="有申报的组织")
    ApplicationFactory(organisation=kept, title="社区读书会")
    Incubation.objects.create(organisation=kept, needs="场地")
    client.force_login(User.objects.get(email=operator.email))
    confirm = client.get(f"/admin/organisations/delete/{kept.pk}/", **a).content.decode()
    assert "仍被其他记录引用，无法删除" in confirm and "孵化" in confirm
    refused = client.post(f"/admin/organisations/delete/{kept.pk}/", **a)
    assert refused.status_code == 302
    assert "无法删除" in client.get(refused["Location"], **a).content.decode()
    assert Organisation.objects.filter(pk=kept.pk).exists()
    free = OrganisationFactory(name="可以删除的组织")
    assert client.post(f"/admin/organisations/delete/{free.pk}/", **a).status_code == 302
    assert not Organisation.objects.filter(pk=free.pk).exists()
