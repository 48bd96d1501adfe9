"""Failed sign-ins and password-reset requests are throttled on every login form (issue 10, finding 3)."""

import pytest
from django.core import mail
from django_tenants.utils import schema_context, tenant_context

from incubator.accounts.forms import FAILED_LOGINS_PER_ACCOUNT, FAILED_LOGINS_PER_ADDRESS
from tests.conftest import HUB_A, HUB_B, PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

A = {"HTTP_HOST": HUB_A["domain"]}
B = {"HTTP_HOST": HUB_B["domain"]}
PLATFORM = {"HTTP_HOST": "localhost"}
WAIT_ZH = "尝试次数过多"


def _signed_in(client, host, probe):
    return client.get(probe, **host).status_code == 200


LOGIN_FORMS = [
    # (host, login URL, a page only a signed-in person sees)
    pytest.param(A, "/portal/login/", "/portal/", id="portal"),
    pytest.param(A, "/admin/login/", "/admin/", id="hub-back-office"),
    pytest.param(PLATFORM, "/admin/login/", "/admin/", id="platform-console"),
]


@pytest.fixture
def accounts(hub_a):
    with tenant_context(hub_a):
        UserFactory(email="member@throttle.test", is_staff=True, is_superuser=True)
    with schema_context("public"):
        UserFactory(email="member@throttle.test", is_staff=True, is_superuser=True)


@pytest.mark.parametrize("host,login,probe", LOGIN_FORMS)
def test_wrong_passwords_lock_the_account_even_against_the_right_one(client, accounts, host, login, probe):
    for _attempt in range(FAILED_LOGINS_PER_ACCOUNT.limit):
        wrong = client.post(login, {"username": "member@throttle.test", "password": "guess"}, **host)
        assert wrong.status_code == 200 and WAIT_ZH not in wrong.content.decode()
    refused = client.post(login, {"username": "member@throttle.test", "password": PASSWORD}, **host)
    assert refused.status_code == 200
    page = refused.content.decode()
    assert WAIT_ZH in page and "分钟后再试" in page  # when to come back, in the person's language
    assert not _signed_in(client, host, probe)
    # Spelling the address differently does not start a fresh count.
    again = client.post(login, {"username": " MEMBER@throttle.test", "password": PASSWORD}, **host)
    assert WAIT_ZH in again.content.decode()
    client.cookies["hubs_language"] = "en"
    english = client.post(login, {"username": "member@throttle.test", "password": PASSWORD}, **host)
    assert "Too many attempts. Please try again in" in english.content.decode()


def test_a_locked_account_on_one_hub_signs_in_on_the_other(client, accounts, hub_b):
    with tenant_context(hub_b):
        UserFactory(email="member@throttle.test", is_staff=True, is_superuser=True)
    for _attempt in range(FAILED_LOGINS_PER_ACCOUNT.limit):
        client.post("/portal/login/", {"username": "member@throttle.test", "password": "guess"}, **A)
    assert (
        WAIT_ZH
        in client.post(
            "/portal/login/", {"username": "member@throttle.test", "password": PASSWORD}, **A
        ).content.decode()
    )
    ok = client.post("/portal/login/", {"username": "member@throttle.test", "password": PASSWORD}, **B)
    assert ok.status_code == 302


def test_one_address_trying_many_accounts_is_stopped(client, accounts):
    for n in range(FAILED_LOGINS_PER_ADDRESS.limit):
        client.post("/admin/login/", {"username": f"nobody{n}@throttle.test", "password": "guess"}, **A)
    refused = client.post("/admin/login/", {"username": "member@throttle.test", "password": PASSWORD}, **A)
    assert WAIT_ZH in refused.content.decode()
    # Another address is not held back by it.
    other = client.post(
        "/admin/login/", {"username": "member@throttle.test", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3", **A
    )
    assert other.status_code == 302


def test_a_right_password_before_the_limit_clears_the_count(client, accounts):
    for _round in range(3):
        for _attempt in range(FAILED_LOGINS_PER_ACCOUNT.limit - 1):
            client.post("/portal/login/", {"username": "member@throttle.test", "password": "guess"}, **A)
        ok = client.post("/portal/login/", {"username": "member@throttle.test", "password": PASSWORD}, **A)
        assert ok.status_code == 302
        client.logout()


def test_password_reset_requests_are_limited_per_address_asked_for(client, hub_a, accounts):
    mail.outbox.clear()
    answers = [client.post("/admin/password_reset/", {"email": "member@throttle.test"}, **A) for _attempt in range(10)]
    assert [a.status_code for a in answers[:3]] == [302, 302, 302]
    assert all(a.status_code == 200 and WAIT_ZH in a.content.decode() for a in answers[3:])
    assert len([m for m in mail.outbox if m.to == ["member@throttle.test"]]) == 3
    # An address without an account is counted the same way, so the limit tells nothing of who exists.
    unknown = [client.post("/admin/password_reset/", {"email": "ghost@throttle.test"}, **A) for _n in range(4)]
    assert [u.status_code for u in unknown] == [302, 302, 302, 200]
