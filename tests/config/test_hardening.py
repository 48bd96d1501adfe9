"""Browser hardening for production (issue 10, finding 10): a Content-Security-Policy on every HTML page,
HTTPS-only cookies and HSTS when HTTPS is on, the proxy's scheme trusted only when told, and the deep health
check closed to strangers. The fuzz crawl (test_no_500.py) checks the policy on every page it reaches."""

import os
import subprocess
import sys

import pytest
from django.test import Client

from tests.conftest import HUB_A

pytestmark = pytest.mark.django_db
A = {"HTTP_HOST": HUB_A["domain"]}


def directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in header.split("; ")}


@pytest.mark.parametrize("path", ["/", "/portal/login/", "/search/?q=x", "/nonexistent/", "/admin/login/"])
def test_every_html_page_of_a_hub_carries_the_policy(client, path):
    response = client.get(path, **A)
    policy = directives(response)
    assert policy["default-src"] == "'self'" and policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'self'" and policy["base-uri"] == "'self'"
    if path.startswith("/admin/"):
        assert "'self'" in policy["script-src"]  # Wagtail's widgets need their inline initialisation
    else:
        assert policy["script-src"] == "'self'"  # no inline script runs on our own pages
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_platform_host_carries_it_too(client):
    assert directives(client.get("/", HTTP_HOST="localhost"))["script-src"] == "'self'"
    assert "Content-Security-Policy" not in client.get("/healthz", HTTP_HOST="localhost")  # JSON, not a page


def test_with_https_on_cookies_are_secure_http_is_redirected_and_hsts_is_sent(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    client = Client()  # a new handler reads the settings afresh
    plain = client.get("/portal/login/", **A)
    assert plain.status_code == 301 and plain["Location"] == f"https://{HUB_A['domain']}/portal/login/"
    assert client.get("/healthz", **A).status_code == 200  # the load balancer's probe stays on http
    secure = client.get("/portal/login/", secure=True, **A)
    assert secure["Strict-Transport-Security"] == "max-age=31536000"
    assert secure.cookies["csrftoken"]["secure"]
    # Behind a proxy, its X-Forwarded-Proto counts only when the settings say it is trusted.
    forwarded = client.get("/portal/login/", HTTP_X_FORWARDED_PROTO="https", **A)
    assert forwarded.status_code == 301
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert Client().get("/portal/login/", HTTP_X_FORWARDED_PROTO="https", **A).status_code == 200


def test_the_environment_turns_production_settings_on_together():
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS,"
        " s.SECURE_PROXY_SSL_HEADER)"
    )

    def read(**extra):
        environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **extra}
        # A real server's URL: reading the settings then starts nothing embedded.
        environment.setdefault("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        environment.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
        out = subprocess.run(
            [sys.executable, "-c", "import django; django.setup();" + code],
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.split()

    assert read() == ["False", "False", "False", "0", "None"]
    assert read(HTTPS="1") == ["True", "True", "True", "31536000", "None"]
    assert read(HTTPS="1", TRUST_X_FORWARDED_PROTO="1")[-2:] == ["('HTTP_X_FORWARDED_PROTO',", "'https')"]


def test_the_deep_health_check_is_for_the_machine_or_the_token(client, settings):
    stranger = client.get("/healthz", {"deep": "1"}, REMOTE_ADDR="203.0.113.9", **A)
    assert stranger.status_code == 403 and stranger.json()["workers"] is None
    forwarded = client.get("/healthz", {"deep": "1"}, HTTP_X_FORWARDED_FOR="203.0.113.9", **A)
    assert forwarded.status_code == 403  # through a proxy, the connection's loopback address proves nothing
    settings.HEALTH_TOKEN = "s3cret-token"
    wrong = client.get("/healthz", {"deep": "1"}, REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer nope", **A)
    assert wrong.status_code == 403
    right = client.get(
        "/healthz", {"deep": "1"}, REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret-token", **A
    )
    assert right.status_code == 200 and isinstance(right.json()["workers"], int)
    assert client.get("/healthz", REMOTE_ADDR="203.0.113.9", **A).status_code == 200  # the plain probe: anyone
