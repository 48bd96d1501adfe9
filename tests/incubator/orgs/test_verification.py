"""A self-registered organisation is not verified until an operator checks it and its code; until then it is
marked in lists and coverage and cannot pass screening for funding."""

import pytest
from django_tenants.utils import tenant_context

from incubator.accounts.models import User
from incubator.audit.models import AuditEvent
from incubator.funding import services as funding
from incubator.orgs import services
from incubator.orgs.models import Organisation
from incubator.orgs.selectors import coverage
from incubator.workflow import TransitionError
from tests.conftest import HUB_A, HUB_B
from tests.factories import ApplicationFactory, CommunityFactory, OrganisationFactory
from tests.incubator.orgs.test_portal import _post_signup, signup_data

pytestmark = pytest.mark.django_db
A = {"HTTP_HOST": HUB_A["domain"]}
B = {"HTTP_HOST": HUB_B["domain"]}


@pytest.fixture
def signed_up(client, operator, monkeypatch, django_capture_on_commit_callbacks):
    from incubator.accounts.tasks import send_account_email
    from incubator.notifications.tasks import send_notification

    told = []
    monkeypatch.setattr(send_account_email, "apply_async", lambda args, headers: None)
    monkeypatch.setattr(
        send_notification, "apply_async", lambda args, headers: told.extend((pk, args[1]) for pk in args[0])
    )
    community = CommunityFactory()
    _post_signup(client, signup_data(community), django_capture_on_commit_callbacks)
    organisation = Organisation.objects.get(name="东郊路社区四点半学校")
    return organisation, told


def test_a_sign_up_waits_for_the_hub_and_the_operators_are_told(signed_up, operator):
    organisation, told = signed_up
    assert organisation.verification == "unverified"
    assert (operator.pk, "新注册待核实：东郊路社区四点半学校") in told
    assert OrganisationFactory().verification == "verified"  # what the hub enters itself is verified
    rows = coverage().communities
    assert [r.unverified for r in rows if r.community == organisation.community] == [1]


def test_an_unverified_organisation_cannot_pass_screening_until_verified(signed_up, operator):
    organisation, _told = signed_up
    application = ApplicationFactory(organisation=organisation, status="submitted")
    with pytest.raises(TransitionError, match="尚未核实"):
        funding.screen(actor=operator, application=application, accept=True)
    funding.screen(actor=operator, application=application, accept=False, reason="材料不全")  # refusing needs none
    services.verify_organisation(actor=operator, organisation=organisation)
    assert Organisation.objects.get(pk=organisation.pk).verification == "verified"
    event = AuditEvent.objects.get(action="organisation.verify")
    assert (event.actor, event.from_state, event.to_state) == (operator, "unverified", "verified")
    assert str(event.to_state_label) == "已核实"


def test_a_verification_given_by_mistake_is_withdrawn_with_a_reason(signed_up, operator, member):
    organisation, _told = signed_up
    services.verify_organisation(actor=operator, organisation=organisation)
    with pytest.raises(TransitionError):
        services.withdraw_verification(actor=operator, organisation=organisation, reason="")
    with pytest.raises(Exception):  # noqa: B017 - a member may not verify (PermissionDenied)
        services.verify_organisation(actor=member, organisation=organisation)
    services.withdraw_verification(actor=operator, organisation=organisation, reason="代码与证书不符")
    assert Organisation.objects.get(pk=organisation.pk).verification == "unverified"


def test_a_code_that_does_not_check_out_cannot_be_verified(operator, in_hub_a):
    organisation = OrganisationFactory(legal_form="social_association", uscc="", verification="unverified")
    with pytest.raises(TransitionError):
        services.verify_organisation(actor=operator, organisation=organisation)
    assert Organisation.objects.get(pk=organisation.pk).verification == "unverified"


def test_the_operator_verifies_from_the_back_office_and_the_member_sees_it(client, signed_up, operator):
    organisation, _told = signed_up
    client.force_login(operator)
    listing = client.get("/admin/organisations/?verification=unverified", **A).content.decode()
    assert "东郊路社区四点半学校" in listing and f"/admin/incubator/actions/organisation/{organisation.pk}/" in listing
    page = client.get(f"/admin/incubator/actions/organisation/{organisation.pk}/", **A).content.decode()
    assert 'data-action="verify"' in page and "待核实" in page
    coverage_page = client.get("/admin/incubator/coverage/", **A).content.decode()
    assert 'id="unverified-total"' in coverage_page
    done = client.post(f"/admin/incubator/actions/organisation/{organisation.pk}/", {"action": "verify"}, **A)
    assert done.status_code == 302
    assert Organisation.objects.get(pk=organisation.pk).verification == "verified"


def test_another_hub_cannot_verify_this_hubs_sign_up(client, hub_a, hub_b, signed_up):
    organisation, _told = signed_up
    with tenant_context(hub_b):
        client.force_login(User.objects.get(email=HUB_B["admin_email"]))
    response = client.post(f"/admin/incubator/actions/organisation/{organisation.pk}/", {"action": "verify"}, **B)
    assert response.status_code == 404
    with tenant_context(hub_a):
        assert Organisation.objects.get(pk=organisation.pk).verification == "unverified"
