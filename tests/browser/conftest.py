"""Browser tests: Playwright driving Debian's chromium against the app served over real HTTP.

The server runs in a thread of this process against the session's test database, where
``django_db_setup`` (tests/conftest.py) has committed the platform and hubs A and B. Browser tests
therefore use neither ``db`` nor ``transactional_db`` nor pytest-django's ``live_server``: the first
hides its rows from the server thread, the other two flush the public schema and would delete the hubs.
A test that commits rows of its own (through the ORM while ``live_hub_server`` holds the database
unblocked) must remove them itself.

The server, Playwright and the browser live as long as this package's tests (package scope): Playwright's
sync API keeps an asyncio loop running in the main thread, on which Django refuses ORM calls, and the
database stays unblocked while the server runs; neither must leak into the rest of the suite.

Chromium is Debian's (``apt-get install chromium``; ``make test`` installs it). Playwright never
downloads a browser of its own here.
"""

import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection, connections
from django.test.testcases import QuietWSGIRequestHandler
from playwright.sync_api import Page, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
HERE = Path(__file__).resolve().parent
_REPORTS = pytest.StashKey[dict]()

# First requests render uncached templates (Wagtail's admin especially): allow more than the default 5 s.
expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)
            # pytest-django creates the test database only for the items that carry this mark (or ask for db);
            # without it, `pytest tests/browser` alone would bootstrap and provision into the real database.
            item.add_marker(pytest.mark.django_db)


@pytest.fixture(autouse=True)
def _django_db_marker():
    """Overrides pytest-django's: here the django_db mark must not wrap each test in a transaction.

    Rows a test wrote inside such a transaction would be invisible to the server thread.
    """


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


@dataclass
class LiveHubServer:
    host: str
    port: int

    def url(self, host, path="/"):
        return f"http://{host}:{self.port}{path}"


@pytest.fixture(scope="package")
def live_hub_server(django_db_setup, django_db_blocker):
    """The whole app (hubs routed by host, static files served from the finders) on 127.0.0.1:<free port>."""
    with django_db_blocker.unblock():
        database = connection.settings_dict["NAME"]
        assert database.startswith("test_"), f"refusing to serve the real database {database!r} to browser tests"
        # No _MediaFilesHandler (unlike LiveServerThread): hub media go through the hub's own view.
        app = StaticFilesHandler(WSGIHandler())
        httpd = ThreadedWSGIServer(("127.0.0.1", 0), QuietWSGIRequestHandler, allow_reuse_address=False)
        httpd.set_app(app)
        thread = threading.Thread(target=httpd.serve_forever, name="live-hub-server", daemon=True)
        thread.start()
        try:
            yield LiveHubServer(host="127.0.0.1", port=httpd.server_address[1])
        finally:
            httpd.shutdown()
            httpd.server_close()
            thread.join(timeout=10)
            connections.close_all()


@pytest.fixture(scope="package")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium. "
            "Install it with `sudo apt-get install chromium` (`make test` does so when run as root or with sudo).",
            pytrace=False,
        )
    # Playwright keeps an asyncio loop running in this thread; the ORM calls that tests and fixtures make
    # here between two browser commands are still plain synchronous code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, request):
    """A fresh browser context (no cookies) and page, in Chinese, 1280×800; a screenshot if the test fails."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        yield page
        reports = request.node.stash.get(_REPORTS, {})
        if any(report.failed for report in reports.values()):
            page.screenshot(path=artifact_path(request.node.name), full_page=True)
    finally:
        context.close()


def artifact_path(name, suffix=".png"):
    """Where a screenshot (or other file) of a browser test goes: tests/artifacts/, git-ignored."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / (re.sub(r"[^\w.-]+", "_", name).strip("_") + suffix)


def login_hub_admin(page: Page, server: LiveHubServer, host, email, password):
    """Sign in through the hub's Wagtail login form at ``host`` and wait for the admin dashboard."""
    page.goto(server.url(host, "/admin/login/"))
    page.locator("form.login-form input[name=username]").fill(email)
    page.locator("form.login-form input[name=password]").fill(password)
    page.locator("form.login-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    expect(page.locator(".w-dashboard")).to_be_visible()
