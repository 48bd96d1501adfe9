"""The portal's own account pages (issue 13, point 11): "forgot password" per hub, sign-up confirmation and
sending it again, and the password rules' messages in Chinese."""

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django_tenants.utils import tenant_context

from incubator.accounts.forms import (
    CONFIRMATIONS_PER_ADDRESS,
    CONFIRMATIONS_PER_EMAIL,
    FAILED_LOGINS_PER_ACCOUNT,
    RESETS_PER_ADDRESS,
    RESETS_PER_EMAIL,
)
from incubator.accounts.models import User
from tenants.models import Hub
from tests.conftest import HUB_A, HUB_B, PASSWORD
from tests.factories import CommunityFactory, UserFactory

pytestmark = pytest.mark.django_db

A = {"HTTP_HOST": HUB_A["domain"]}
B = {"HTTP_HOST": HUB_B["domain"]}
WAIT_ZH = "尝试次数过多"
INVALID_LOGIN_ZH = "请输入一个正确的"
NEW_PASSWORD = "a-brand-new-passphrase-2026"
RESET_LINK = re.compile(r"http://(?P<host>[a-z.]+)(?::\d+)?(?P<path>/portal/password-reset/[^/\s]+/[^/\s]+/)")
CONFIRM_LINK = re.compile(r"http://(?P<host>[a-z.]+)(?::\d+)?(?P<path>/portal/signup/confirm/[^/\s]+/[^/\s]+/)")


@pytest.fixture
def account_mail(monkeypatch):
    """Runs each queued account e-mail at once, in the schema it was queued from (as the worker would)."""
    from incubator.accounts.tasks import send_account_email

    def run_in_its_schema(args, headers):
        with tenant_context(Hub.objects.get(schema_name=headers["_schema_name"])):
            send_account_email.run(*args)

    monkeypatch.setattr(send_account_email, "apply_async", run_in_its_schema)
    mail.outbox.clear()
    return mail.outbox


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST through the test client, then run what the request queued for after its commit."""

    def send(url, data, host=A, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data, **host, **extra)

    return send


def _to(outbox, email):
    return [m for m in outbox if m.to == [email]]


def _reset_link(message):
    match = RESET_LINK.search(message.body)
    assert match, message.body
    return match["host"], match["path"]


def _sign_in(client, email, password, host=A):
    return client.post("/portal/login/", {"username": email, "password": password}, **host)


# --- Forgot password ---------------------------------------------------------------------------------


def test_the_login_page_links_to_forgot_password(client, hub_a):
    page = client.get("/portal/login/", **A).content.decode()
    assert 'href="/portal/password-reset/"' in page
    form = client.get("/portal/password-reset/", **A)
    assert form.status_code == 200 and 'name="email"' in form.content.decode()
    assert 'class="portal-nav"' in form.content.decode()  # the portal's own page, not Django's admin one


def test_a_forgotten_password_is_replaced_through_the_e_mailed_link_on_the_hubs_host(client, hub_a, account_mail, post):
    with tenant_context(hub_a):
        UserFactory(email="reset@org.test")
    asked = post("/portal/password-reset/", {"email": "reset@org.test"})
    assert asked.status_code == 302 and asked["Location"] == "/portal/password-reset/done/"
    assert client.get(asked["Location"], **A).status_code == 200

    [message] = _to(account_mail, "reset@org.test")
    assert HUB_A["name"] in message.subject
    host, link = _reset_link(message)
    assert host == HUB_A["domain"] and HUB_B["domain"] not in message.body
    assert "在此登录：" in message.body  # the person's language, Chinese by default

    opened = client.get(link, **A)
    assert opened.status_code == 302 and opened["Location"].endswith("/set-password/")  # the token leaves the URL
    form = client.get(opened["Location"], **A)
    assert form.status_code == 200 and 'name="new_password1"' in form.content.decode()
    done = post(opened["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/portal/password-reset/complete/"
    assert 'href="/portal/login/"' in client.get(done["Location"], **A).content.decode()

    assert _sign_in(client, "reset@org.test", PASSWORD).status_code == 200  # the old one no longer works
    signed_in = _sign_in(client, "reset@org.test", NEW_PASSWORD)
    assert signed_in.status_code == 302 and client.get("/portal/", **A).status_code == 200
    # The link worked once.
    client.logout()
    assert client.get(link, **A).status_code == 400


def test_a_reset_link_of_hub_a_does_not_work_on_hub_b_even_for_an_identical_account(
    client, hub_a, hub_b, account_mail, post
):
    with tenant_context(hub_a):
        person = UserFactory(email="twin@org.test")
    with tenant_context(hub_b):
        # The worst case: hub B has an account of the same key, address and even password hash.
        assert not User.objects.filter(pk=person.pk).exists()
        twin = User.objects.create(pk=person.pk, email=person.email, password=person.password)
    post("/portal/password-reset/", {"email": "twin@org.test"})
    [message] = _to(account_mail, "twin@org.test")
    host, link = _reset_link(message)
    assert host == HUB_A["domain"]
    uidb64, token = link.rstrip("/").split("/")[-2:]
    with tenant_context(hub_b):
        # Django's own tokens would let it through: nothing in them tells the two hubs apart.
        assert default_token_generator.check_token(twin, default_token_generator.make_token(person))

    refused = client.get(link, **B)
    assert refused.status_code == 400 and 'name="new_password1"' not in refused.content.decode()
    assert 'href="/portal/password-reset/"' in refused.content.decode()  # ask for a new link
    forced = post(
        f"/portal/password-reset/{uidb64}/set-password/",
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        host=B,
    )
    assert forced.status_code == 400
    with tenant_context(hub_b):
        twin.refresh_from_db()
        assert twin.password == person.password
    # On its own hub the same link still works.
    assert client.get(link, **A).status_code == 302


def test_a_reset_asked_on_hub_b_links_to_hub_b(hub_b, account_mail, post):
    with tenant_context(hub_b):
        UserFactory(email="b-person@org.test")
    post("/portal/password-reset/", {"email": "b-person@org.test"}, host=B)
    [message] = _to(account_mail, "b-person@org.test")
    assert _reset_link(message)[0] == HUB_B["domain"] and HUB_B["name"] in message.subject


def test_the_reset_e_mail_is_in_the_persons_own_language(hub_a, account_mail, post, client):
    with tenant_context(hub_a):
        UserFactory(email="english@org.test", preferred_language="en")
    client.cookies["hubs_language"] = "zh-hans"
    post("/portal/password-reset/", {"email": "english@org.test"})
    [message] = _to(account_mail, "english@org.test")
    assert message.subject == f"Choose a new password for {HUB_A['name']}"
    assert "Open this link to choose a new password:" in message.body and "Sign in here:" in message.body


def test_reset_requests_say_nothing_of_who_has_an_account_and_are_limited(client, hub_a, account_mail, post):
    with tenant_context(hub_a):
        UserFactory(email="known@org.test")
        UserFactory(email="switched-off@org.test", is_active=False, last_login="2026-01-05T10:00:00+08:00")
    for email in ("known@org.test", "ghost@org.test", "switched-off@org.test"):
        answers = [post("/portal/password-reset/", {"email": email}) for _n in range(RESETS_PER_EMAIL.limit + 1)]
        assert [a.status_code for a in answers[:-1]] == [302] * RESETS_PER_EMAIL.limit
        assert all(a["Location"] == "/portal/password-reset/done/" for a in answers[:-1])
        assert answers[-1].status_code == 200 and WAIT_ZH in answers[-1].content.decode()
    assert len(_to(account_mail, "known@org.test")) == RESETS_PER_EMAIL.limit
    assert not _to(account_mail, "ghost@org.test") and not _to(account_mail, "switched-off@org.test")
    # And one client address asking for many addresses is stopped as well.
    client.cookies.clear()
    for n in range(RESETS_PER_ADDRESS.limit):
        post("/portal/password-reset/", {"email": f"nobody{n}@org.test"}, REMOTE_ADDR="10.9.9.9")
    refused = post("/portal/password-reset/", {"email": "known@org.test"}, REMOTE_ADDR="10.9.9.9")
    assert refused.status_code == 200 and WAIT_ZH in refused.content.decode()


def test_a_new_password_ends_other_sessions_and_lifts_a_sign_in_lock(client, hub_a, account_mail, post):
    from django.test import Client

    with tenant_context(hub_a):
        person = UserFactory(email="locked@org.test")
        elsewhere = Client()
        elsewhere.force_login(person)
    assert elsewhere.get("/portal/", **A).status_code == 200
    for _attempt in range(FAILED_LOGINS_PER_ACCOUNT.limit):
        _sign_in(client, "locked@org.test", "wrong guess")
    assert WAIT_ZH in _sign_in(client, "locked@org.test", PASSWORD).content.decode()

    post("/portal/password-reset/", {"email": "locked@org.test"})
    _host, link = _reset_link(_to(account_mail, "locked@org.test")[0])
    opened = client.get(link, **A)
    post(opened["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert _sign_in(client, "locked@org.test", NEW_PASSWORD).status_code == 302
    assert elsewhere.get("/portal/", **A).status_code == 302  # signed out: its session was of the old password


@pytest.mark.parametrize("uidb64", ["9" * 20, "OTk5OTk5OTk5OTk5OTk5OTk5OTk5", "..", "字" * 300, "LTE", "MQ"])
def test_the_reset_link_refuses_hostile_values(client, hub_a, uidb64):
    for token in ("set-password", "abc-123", "字" * 300):
        response = client.get(f"/portal/password-reset/{uidb64}/{token}/", **A)
        assert response.status_code == 400
    posted = client.post(f"/portal/password-reset/{uidb64}/set-password/", {"new_password1": "x"}, **A)
    assert posted.status_code == 400


# --- Sign-up confirmation ----------------------------------------------------------------------------


def _signup_data(community, **overrides):
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


def test_an_unconfirmed_account_is_told_so_and_gets_the_link_again(client, in_hub_a, account_mail, post):
    community = CommunityFactory()
    signed_up = post("/portal/signup/", _signup_data(community))
    assert signed_up.status_code == 302
    [first] = _to(account_mail, "zhou@grassroots.cn")

    # The right password: not confirmed yet, with a way to have the e-mail sent again.
    client.cookies["hubs_language"] = "en"
    told = _sign_in(client, "zhou@grassroots.cn", "a-long-enough-passphrase-2026").content.decode()
    assert "Your e-mail address is not confirmed yet." in told and 'id="resend-confirmation"' in told
    assert 'action="/portal/signup/resend/"' in told and 'value="zhou@grassroots.cn"' in told
    # A wrong one: the usual refusal, nothing about the account.
    client.cookies["hubs_language"] = "zh-hans"
    wrong = _sign_in(client, "zhou@grassroots.cn", "wrong guess").content.decode()
    assert INVALID_LOGIN_ZH in wrong and 'id="resend-confirmation"' not in wrong
    assert client.get("/portal/", **A).status_code == 302

    again = post("/portal/signup/resend/", {"email": "zhou@grassroots.cn"})
    assert again.status_code == 302 and again["Location"] == "/portal/signup/resend/sent/"
    assert client.get(again["Location"], **A).status_code == 200
    first_link, second = CONFIRM_LINK.search(first.body), _to(account_mail, "zhou@grassroots.cn")[1]
    link = CONFIRM_LINK.search(second.body)
    assert link["host"] == HUB_A["domain"]
    assert link["path"].split("/")[4] == first_link["path"].split("/")[4]  # the same account's link

    assert client.get(link["path"], **A)["Location"] == "/portal/"
    client.logout()
    assert _sign_in(client, "zhou@grassroots.cn", "a-long-enough-passphrase-2026").status_code == 302
    # Confirmed: asking again sends nothing more.
    post("/portal/signup/resend/", {"email": "zhou@grassroots.cn"})
    assert len(_to(account_mail, "zhou@grassroots.cn")) == 2


def test_a_forgot_password_request_of_an_unconfirmed_account_sends_the_confirmation(in_hub_a, account_mail, post):
    UserFactory(email="pending@org.test", is_active=False)
    answer = post("/portal/password-reset/", {"email": "pending@org.test"})
    assert answer["Location"] == "/portal/password-reset/done/"
    [message] = _to(account_mail, "pending@org.test")
    assert CONFIRM_LINK.search(message.body) and not RESET_LINK.search(message.body)


def test_sending_the_confirmation_again_says_nothing_of_who_has_an_account_and_is_limited(
    client, hub_a, account_mail, post
):
    with tenant_context(hub_a):
        UserFactory(email="pending@org.test", is_active=False)
        UserFactory(email="active@org.test")
    for email in ("pending@org.test", "active@org.test", "ghost@org.test"):
        answers = [post("/portal/signup/resend/", {"email": email}) for _n in range(CONFIRMATIONS_PER_EMAIL.limit + 1)]
        assert all(a.status_code == 302 and a["Location"] == "/portal/signup/resend/sent/" for a in answers[:-1])
        assert answers[-1].status_code == 200 and WAIT_ZH in answers[-1].content.decode()
    assert len(_to(account_mail, "pending@org.test")) == CONFIRMATIONS_PER_EMAIL.limit
    assert not _to(account_mail, "active@org.test") and not _to(account_mail, "ghost@org.test")
    for n in range(CONFIRMATIONS_PER_ADDRESS.limit):
        post("/portal/signup/resend/", {"email": f"nobody{n}@org.test"}, REMOTE_ADDR="10.8.8.8")
    refused = post("/portal/signup/resend/", {"email": "pending@org.test"}, REMOTE_ADDR="10.8.8.8")
    assert refused.status_code == 200 and WAIT_ZH in refused.content.decode()


def test_the_resend_page_refuses_a_bad_address_with_a_message(client, hub_a):
    page = client.post("/portal/signup/resend/", {"email": "not an address"}, **A)
    assert page.status_code == 200 and 'id="id_email_error"' in page.content.decode()


# --- The password rules, in Chinese --------------------------------------------------------------------

WEAK_PASSWORDS = [
    pytest.param("k7#Qw", "密码长度太短。密码必须包含至少 8 个字符。", "This password is too short.", id="short"),
    pytest.param("password1", "这个密码太常见了。", "This password is too common.", id="common"),
    pytest.param("4829175036", "密码只包含数字。", "This password is entirely numeric.", id="numeric"),
]


def _field_errors(page: str, field: str) -> str:
    """The error list Django renders for one field (it names the field in its id)."""
    match = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', page, re.S)
    assert match, f"no errors next to {field}"
    return match.group(1)


@pytest.mark.parametrize("password,chinese,english", WEAK_PASSWORDS)
def test_a_weak_new_password_is_refused_in_chinese_on_the_reset_form(
    client, hub_a, account_mail, post, password, chinese, english
):
    with tenant_context(hub_a):
        UserFactory(email="weak@org.test")
    post("/portal/password-reset/", {"email": "weak@org.test"})
    opened = client.get(_reset_link(_to(account_mail, "weak@org.test")[0])[1], **A)
    refused = post(opened["Location"], {"new_password1": password, "new_password2": password})
    assert refused.status_code == 200
    errors = _field_errors(refused.content.decode(), "new_password2")
    assert chinese in errors and english not in errors
    mismatch = post(opened["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"})
    assert "输入的两个密码不一致。" in _field_errors(mismatch.content.decode(), "new_password2")
    client.cookies["hubs_language"] = "en"
    in_english = post(opened["Location"], {"new_password1": password, "new_password2": password})
    assert english in _field_errors(in_english.content.decode(), "new_password2")


@pytest.mark.parametrize("password,chinese,english", WEAK_PASSWORDS)
def test_a_weak_password_is_refused_in_chinese_at_sign_up_and_the_rest_is_kept(
    client, in_hub_a, account_mail, post, password, chinese, english
):
    community = CommunityFactory()
    refused = post("/portal/signup/", _signup_data(community, password=password))
    assert refused.status_code == 200
    page = refused.content.decode()
    errors = _field_errors(page, "password")
    assert chinese in errors and english not in errors
    for kept in ('value="周九"', 'value="zhou@grassroots.cn"', 'value="东郊路社区四点半学校"', 'value="13800000000"'):
        assert kept in page
    assert password not in page  # a password is never sent back
    assert not User.objects.filter(email="zhou@grassroots.cn").exists() and not account_mail


def test_a_password_like_the_persons_own_address_is_refused_at_sign_up(client, in_hub_a, post):
    community = CommunityFactory()
    refused = post(
        "/portal/signup/", _signup_data(community, email="zhoujiu2026@grassroots.cn", password="zhoujiu2026")
    )
    assert "密码跟 电子邮箱 太相似了。" in _field_errors(refused.content.decode(), "password")
    assert not User.objects.filter(email="zhoujiu2026@grassroots.cn").exists()
