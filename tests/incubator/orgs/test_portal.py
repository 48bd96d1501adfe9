"""The organisations' portal over HTTP: sign up, profile, application, filing uploads; and its walls."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from incubator.filings.models import DocumentRequirement, Filing
from incubator.orgs.models import Incubation, Membership, Organisation
from tests.conftest import HUB_A, HUB_B
from tests.factories import CommunityFactory, OrganisationFactory, valid_uscc

pytestmark = pytest.mark.django_db
A = {"HTTP_HOST": HUB_A["domain"]}
B = {"HTTP_HOST": HUB_B["domain"]}


def signup_data(community, **overrides):
    return {
        "full_name": "周九",
        "email": "zhou@grassroots.cn",
        "password": "a-long-enough-passphrase-2026",
        "organisation_name": "东郊路社区四点半学校",
        "legal_form": "not_filed",
        "uscc": "",
        "street": community.street_id,
        "community": community.pk,
        "responsible_person": "周九",
        "contact_phone": "13800000000",
        **overrides,
    }


@pytest.fixture
def account_mail(monkeypatch, django_capture_on_commit_callbacks):
    """Runs the account e-mail task in this hub's schema as soon as it is queued (no worker needed here)."""
    from django.core import mail

    from incubator.accounts.tasks import send_account_email

    monkeypatch.setattr(send_account_email, "apply_async", lambda args, headers: send_account_email.run(*args))
    mail.outbox.clear()
    return mail.outbox


def _post_signup(client, data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/portal/signup/", data, **A)


def test_signing_up_creates_the_account_the_organisation_and_signs_in_once_confirmed(
    client, in_hub_a, account_mail, django_capture_on_commit_callbacks
):
    import re

    community = CommunityFactory()
    response = _post_signup(client, signup_data(community), django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == "/portal/signup/sent/"
    assert "zhou@grassroots.cn" in client.get("/portal/signup/sent/", **A).content.decode()
    organisation = Organisation.objects.get(name="东郊路社区四点半学校")
    membership = Membership.objects.get(organisation=organisation, user__email="zhou@grassroots.cn")
    assert not membership.user.is_active
    # Not confirmed yet: the password does not open the portal.
    assert client.login(username="zhou@grassroots.cn", password="a-long-enough-passphrase-2026") is False

    [message] = account_mail
    assert message.to == ["zhou@grassroots.cn"] and HUB_A["name"] in message.subject
    link = re.search(r"http://a\.localhost(?::\d+)?(/portal/signup/confirm/\S+/)", message.body).group(1)
    confirmed = client.get(link, **A)
    assert confirmed.status_code == 302 and confirmed["Location"] == "/portal/"
    assert "东郊路社区四点半学校" in client.get("/portal/", **A).content.decode()
    # The link works once; on the other hub it is worthless.
    client.logout()
    assert client.get(link, **A).status_code == 400
    assert client.get(link, **B).status_code in (400, 404)


def test_sign_up_never_says_whether_an_address_has_an_account(
    client, in_hub_a, member, account_mail, django_capture_on_commit_callbacks
):
    community = CommunityFactory()
    # An invalid USCC together with a taken address: only the USCC is mentioned.
    bad = _post_signup(
        client,
        signup_data(community, email=member.email, legal_form="social_association", uscc="91440300708461136X"),
        django_capture_on_commit_callbacks,
    ).content.decode()
    assert "91440300708461136X" in bad and "登记证书" in bad  # compare it with the certificate
    assert "已存在" not in bad and "already" not in bad
    assert not account_mail

    # Everything valid with a taken address: the very same answer as for a new one, and its owner is told.
    taken = _post_signup(client, signup_data(community, email=member.email), django_capture_on_commit_callbacks)
    fresh = _post_signup(
        client,
        signup_data(community, email="new@grassroots.cn", organisation_name="新组织"),
        django_capture_on_commit_callbacks,
    )
    assert taken.status_code == fresh.status_code == 302 and taken["Location"] == fresh["Location"]
    assert not Organisation.objects.filter(name="东郊路社区四点半学校").exists()
    to_member = [m for m in account_mail if m.to == [member.email]]
    assert len(to_member) == 1 and "/portal/login/" in to_member[0].body
    assert "/portal/signup/confirm/" not in to_member[0].body
    member.refresh_from_db()
    assert member.is_active and member.check_password("correct-horse-battery-staple")


def test_sign_up_errors_are_shown_and_nothing_is_saved(client, in_hub_a):
    community = CommunityFactory()
    response = client.post(
        "/portal/signup/", signup_data(community, legal_form="social_association", uscc="91440300708461136X"), **A
    )
    assert response.status_code == 200
    assert "91440300708461136X" in response.content.decode() and "登记证书" in response.content.decode()
    assert not Organisation.objects.filter(name="东郊路社区四点半学校").exists()


def test_a_member_applies_and_uploads_filing_documents(client, member, organisation):
    client.force_login(member)
    applied = client.post(f"/portal/organisations/{organisation.pk}/apply/", {"needs": "需要场地"}, **A)
    assert applied.status_code == 302
    assert Incubation.objects.get(organisation=organisation).status == "applied"

    client.post(
        f"/portal/organisations/{organisation.pk}/filing/", {"kind": "filing", "legal_form": "filed_community"}, **A
    )
    filing = Filing.objects.get(organisation=organisation)
    page = client.get(f"/portal/filings/{filing.pk}/", **A).content.decode()
    assert "组织章程或活动规则" in page
    refused = client.post(f"/portal/filings/{filing.pk}/", {"action": "submit"}, follow=True, **A)
    assert "组织章程或活动规则" in refused.content.decode()
    for requirement in DocumentRequirement.objects.filter(legal_form="filed_community"):
        client.post(
            f"/portal/filings/{filing.pk}/",
            {"requirement": requirement.pk, "file": SimpleUploadedFile("doc.pdf", b"%PDF")},
            **A,
        )
    client.post(f"/portal/filings/{filing.pk}/", {"action": "submit"}, **A)
    filing.refresh_from_db()
    assert filing.status == "submitted"
    documents = list(filing.documents.all())
    assert len(documents) >= 5
    try:
        url = f"/portal/files/filing-document/{documents[0].pk}/"
        own = client.get(url, **A)
        assert own.status_code == 200 and b"".join(own.streaming_content) == b"%PDF"
        assert own["Content-Disposition"].startswith("attachment")
        assert client.get(url, **B).status_code == 302  # no account there: to the login page
        # Plain media never serves private files, even with the exact path.
        assert client.get(f"/media/{HUB_A['schema_name']}/{documents[0].file.name}", **A).status_code == 404
        stranger = make_other_member()
        client.force_login(stranger)
        assert client.get(url, **A).status_code == 404
        client.logout()
        assert client.get(url, **A).status_code == 302
    finally:
        with tenant_context(_hub_a()):
            for document in documents:
                document.file.delete(save=False)


def make_other_member():
    from incubator.accounts.roles import Role, ensure_roles
    from tests.factories import UserFactory

    with tenant_context(_hub_a()):
        other = OrganisationFactory()
        user = UserFactory(email="stranger@other.test")
        user.groups.add(ensure_roles()[Role.ORGANISATION_MEMBER])
        Membership.objects.create(user=user, organisation=other)
    return user


def _hub_a():
    from tenants.models import Hub

    return Hub.objects.get(schema_name=HUB_A["schema_name"])


def test_one_organisation_never_sees_anothers_pages(client, member):
    other = OrganisationFactory(name="武汉晚晴枫养老助残服务中心")
    other_filing = Filing.objects.create(organisation=other, kind="filing", legal_form="filed_community")
    client.force_login(member)
    assert client.get(f"/portal/organisations/{other.pk}/profile/", **A).status_code == 404
    assert client.get(f"/portal/organisations/{other.pk}/apply/", **A).status_code == 404
    assert client.get(f"/portal/filings/{other_filing.pk}/", **A).status_code == 404
    assert "武汉晚晴枫养老助残服务中心" not in client.get("/portal/", **A).content.decode()


def test_a_hub_a_account_does_not_exist_on_hub_b(client, member):
    client.force_login(member)
    assert client.get("/portal/", **A).status_code == 200
    response = client.get("/portal/", **B)
    assert response.status_code == 302 and "/portal/login/" in response["Location"]


def test_the_portal_asks_strangers_to_sign_in(client, in_hub_a):
    response = client.get("/portal/", **A)
    assert response.status_code == 302 and response["Location"].startswith("/portal/login/")
    assert client.get("/portal/login/", **A).status_code == 200


def test_registration_codes_are_accepted_in_full_width(client, in_hub_a):
    community = CommunityFactory()
    code = valid_uscc(9, "1")
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
    response = client.post(
        "/portal/signup/",
        signup_data(community, legal_form="social_association", uscc=full_width, organisation_name="江岸区志愿者协会"),
        **A,
    )
    assert response.status_code == 302
    assert Organisation.objects.get(name="江岸区志愿者协会").uscc == code


def test_signing_up_again_and_again_cannot_fill_an_inbox(
    client, in_hub_a, account_mail, django_capture_on_commit_callbacks
):
    community = CommunityFactory()
    for attempt in range(3):
        data = signup_data(community, organisation_name=f"东郊路社区四点半学校{attempt}")
        _post_signup(client, data, django_capture_on_commit_callbacks)
    assert len(account_mail) == 3  # the first confirmation, then the link again twice
    refused = _post_signup(
        client, signup_data(community, organisation_name="东郊路社区四点半学校9"), django_capture_on_commit_callbacks
    ).content.decode()
    assert "尝试次数过多" in refused or "分钟后再试" in refused
    assert 'value="东郊路社区四点半学校9"' in refused  # everything typed is kept
    assert len(account_mail) == 3
