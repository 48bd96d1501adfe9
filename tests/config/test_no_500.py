"""No request causes a 500 (issue 10, finding 7): a fuzz test over the URLconf.

Every role crawls its hub (or the platform host) from its start pages, following links and submitting every
form it finds, first as served and then with hostile values in each field, in the query string and in the
path. The URLconf is the list of what must be covered: every URL pattern of the project's own views, and of
the back-office listings of its models, must have been reached by some role, or be named below with the
reason it cannot be, so a new view is fuzzed without anyone adding it here.
"""

from __future__ import annotations

import datetime
import functools
import logging
import re
import time
import traceback
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import got_request_exception
from django.test import Client
from django.urls import NoReverseMatch, Resolver404, get_resolver, resolve, reverse
from django.utils import timezone

from tests.conftest import HUB_A

pytestmark = pytest.mark.django_db

OURS = ("incubator.", "cms.", "config.", "tenants.", "billing.", "platform.")
# Wagtail's page server renders the showcase's own page models, so it is fuzzed as ours.
SERVED_AS_OURS = {"wagtail.views"}
# Every field at once takes each of these; each field alone takes the values of HOSTILE in turn.
ALL_AT_ONCE = ["9" * 20, "字" * 300, "a\x00b", "1e20", "-1", "<script>alert(1)</script>"]
HOSTILE = [
    "9" * 20,  # beyond every integer column
    "字" * 300,  # beyond every short text column
    "a\x00b",  # PostgreSQL refuses NUL in text
    "1e20",
    "-1",
    "0.001",
    "<script>alert(1)</script>",
    "abc",
    "2026-13-45",
    "",
]
HALF_XLSX = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 40  # a zip that stops after its first header
QUERY_NAMES = {"q", "page", "p", "call", "year", "status", "ordering", "export", "deep", "next", "kind", "state"}
# Links that end a crawl's session or leave the site; the crawl stays signed in and on its host.
SKIP_VIEWS = {"portal_logout", "wagtailadmin_logout", "logout"}
# Patterns no crawl can reach from a page, each with the reason; everything else of ours must be reached.
NOT_CRAWLED = {
    "_floor": "a load-balancer probe with no link to it, fuzzed by its own tests",
    "portal_signup_confirm": "its link is only in the sign-up e-mail; tested in tests/incubator/orgs/test_portal.py",
    "portal_password_reset_confirm": (
        "its link is only in the reset e-mail; hostile values in tests/incubator/accounts/test_portal_accounts.py"
    ),
    "hub_media": "paths of uploaded files; every spelling tried in tests/config/test_media.py",
    "certificate_verify": "its code is printed on a certificate; tried by code and host in tests/incubator/courses",
    "course_calendar": "a feed that calendars subscribe to; read back as iCalendar in tests/incubator/courses",
    "course_personal_calendar": "behind a person's secret token; tried by token and host in tests/incubator/courses",
    "course_sign_in": "its code is the QR on the hub's screen; tried with stale codes in tests/incubator/courses",
}
# A script element without src that the browser would run (JSON data blocks are not run), or an on…= handler.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+=", re.I)
CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")
PER_PATTERN = 2  # pages of one URL pattern a role visits: enough to meet each kind of record, and bounded


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (name, value, kind)
    buttons: list[tuple[str, str]] = field(default_factory=list)


class PageParser(HTMLParser):
    """Links and forms of one page, as a browser would submit them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, list[str], list[str]] | None = None
        self._textarea: list | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(action=a.get("action", ""), method=a.get("method", "get").lower())
            self.forms.append(self._form)
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select[1].append(value)
            if "selected" in a:
                self._select[2].append(value)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image"):
                self._form.buttons.append((a["name"], a.get("value", "")))
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form.fields.append((a["name"], a.get("value", "on"), kind))
                else:
                    self._form.fields.append((a["name"], None, kind))  # a field to fuzz, not sent as served
            else:
                self._form.fields.append((a["name"], a.get("value", ""), kind))
        elif tag == "button" and a.get("type", "submit") == "submit":
            self._form.buttons.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = (a["name"], [], [])
        elif tag == "textarea":
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, options, selected = self._select
            chosen = selected or options[:1]
            self._form.fields.append((name, chosen[0] if chosen else "", "select"))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.fields.append((self._textarea[0], self._textarea[1].strip("\n"), "textarea"))
            self._textarea = None


@functools.cache
def our_namespaces() -> frozenset[str]:
    """URL namespaces of the back-office viewsets our apps register (their views are Wagtail's classes)."""
    from wagtail.admin.viewsets import viewsets

    assert get_resolver("config.urls_tenant").url_patterns  # importing them registers the hooks' viewsets
    return frozenset(v.url_namespace for v in viewsets.viewsets if type(v).__module__.startswith(OURS))


def _walk(patterns, prefix="", namespaces=(), ours_namespace=False):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            namespace = pattern.namespace
            yield from _walk(
                pattern.url_patterns,
                prefix + str(pattern.pattern),
                (*namespaces, namespace) if namespace else namespaces,
                ours_namespace or namespace in our_namespaces(),
            )
        else:
            yield (
                prefix + str(pattern.pattern),
                _view_name(namespaces, pattern.name),
                ours_namespace or _is_ours(pattern.callback),
            )


def _view_name(namespaces, name):
    return ":".join([*namespaces, name or "?"])


def _module(callback):
    view_class = getattr(callback, "view_class", None)
    wrapped = getattr(callback, "__wrapped__", None)
    model_admin = getattr(callback, "model_admin", None)
    if model_admin is not None:
        return type(model_admin).__module__
    return (view_class or wrapped or callback).__module__


def _is_ours(callback):
    module = _module(callback)
    return module.startswith(OURS) or (module in SERVED_AS_OURS and callback.__name__ == "serve")


def start_pages(urlconf) -> list[str]:
    """Every page of ours that takes no parameter: where the crawl begins, so that no view waits on a link
    that only a script draws (Wagtail's menu is such a script)."""
    pages = []
    for route, name, ours in _walk(get_resolver(urlconf).url_patterns):
        if ours and "<" not in route and "(?P" not in route and name.split(":")[-1] not in NOT_CRAWLED:
            pages.append("/" + route.replace("^", "").rstrip("$"))
    return pages


def our_patterns(urlconf):
    """{route: view name} of every pattern the crawl must reach."""
    return {
        route_key(route): name
        for route, name, ours in _walk(get_resolver(urlconf).url_patterns)
        if ours and name.split(":")[-1] not in NOT_CRAWLED
    }


def route_key(route: str) -> str:
    # Django drops the "^" of included regexes when it joins a match's route; so does this key.
    return route.replace("^", "")


class Crawl:
    """One role's walk through one host, recording every response of 500 with the exception behind it."""

    def __init__(self, client: Client, host: str, urlconf: str, role: str, shared: dict | None = None):
        self.client, self.host, self.urlconf, self.role = client, host, urlconf, role
        # What one role has fuzzed (a form, a pattern's path and query) the next need not fuzz again: the
        # code behind it is the same, and the roles' own pages are still each visited.
        self.shared = shared if shared is not None else {"forms": set(), "patterns": set(), "seconds": {}}
        self.reached: set[str] = set()
        self.failures: list[str] = []
        self.visits: dict[str, int] = defaultdict(int)
        self.seen_urls: set[str] = set()
        self.queue: list[str] = []
        self.requests = 0
        self.kwarg_values: dict[str, str] = {}

    def match(self, url: str):
        parts = urlsplit(url)
        if parts.netloc and parts.netloc.split(":")[0] != self.host:
            return None
        try:
            return resolve(parts.path or "/", urlconf=self.urlconf)
        except Resolver404:
            return None

    def ours(self, match) -> bool:
        return match is not None and (_is_ours(match.func) or any(n in our_namespaces() for n in match.namespaces))

    def request(self, method: str, url: str, data=None, *, note=""):
        self.requests += 1
        started = time.monotonic()
        errors = []

        def record(sender, request, **kwargs):
            errors.append(traceback.format_exc(limit=-3))

        got_request_exception.connect(record)
        try:
            if method == "post":
                response = self.client.post(url, data or {}, HTTP_HOST=self.host)
            else:
                response = self.client.get(url, data or {}, HTTP_HOST=self.host)
        finally:
            got_request_exception.disconnect(record)
        seconds = self.shared["seconds"]
        key = url.split("?")[0]
        key = re.sub(r"/\d+/", "/N/", key)
        seconds[key] = seconds.get(key, 0) + time.monotonic() - started
        if response.status_code >= 500:
            shown = {k: (v[:20] + "…" if isinstance(v, str) and len(v) > 20 else v) for k, v in (data or {}).items()}
            self.failures.append(
                f"{self.role} {method.upper()} {url} {note} {shown!r} → {response.status_code}\n{''.join(errors)}"
            )
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            self.check_policy(url, response)
        return response

    def check_policy(self, url, response):
        """Issue 10, finding 10: every page carries the policy; our own pages need no inline script."""
        if "Content-Security-Policy" not in response:
            self.failures.append(f"{self.role} {url}: no Content-Security-Policy")
        elif not url.startswith("/admin/"):
            if "script-src 'self';" not in response["Content-Security-Policy"]:
                self.failures.append(f"{self.role} {url}: a policy that lets inline scripts run")
            body = response.content.decode("utf-8", "replace")
            if INLINE_SCRIPT.search(body) or INLINE_HANDLER.search(body):
                self.failures.append(f"{self.role} {url}: an inline script or handler the policy would block")

    def run(self, start: list[str]):
        self.queue.extend(start)
        while self.queue:
            url = self.queue.pop(0)
            self.visit(url)
        return self

    def fill_in(self, routes):
        """Patterns no link led to (a delete view the role may not use, a redirect from an old address): asked
        for with the parameters this crawl met elsewhere, so they are fuzzed as well."""
        for route in routes:
            names = CONVERTER.findall(route)
            if "(?P" in route or not names or not all(n in self.kwarg_values for n in names):
                continue
            self.queue.append("/" + CONVERTER.sub(lambda m: self.kwarg_values[m.group(1)], route))
        self.run([])

    def visit(self, url: str):
        match = self.match(url)
        if not self.ours(match) or match.url_name in SKIP_VIEWS:
            return
        parts = urlsplit(url)
        key = parts.path + "?" + parts.query
        if key in self.seen_urls or self.visits[match.view_name] >= PER_PATTERN:
            return
        self.seen_urls.add(key)
        self.visits[match.view_name] += 1
        self.reached.add(route_key(match.route))
        for name, value in match.kwargs.items():
            self.kwarg_values.setdefault(name, str(value))
        response = self.request("get", parts.path, dict(parse_qsl(parts.query)))
        if match.view_name not in self.shared["patterns"]:
            self.shared["patterns"].add(match.view_name)
            self.fuzz_path_and_query(match, parts.path)
        if response.status_code in (301, 302) and response.get("Location"):
            self.queue.append(urljoin(parts.path, response["Location"]))
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            return
        page = PageParser()
        page.feed(response.content.decode("utf-8", "replace"))
        for href in page.links:
            self.queue.append(urljoin(parts.path, href.split("#")[0]))
        for form in page.forms:
            self.fuzz_form(form, parts.path)

    def fuzz_path_and_query(self, match, path):
        for value in ("9" * 20, "字" * 300, "a\x00b"):
            self.request("get", path, dict.fromkeys(QUERY_NAMES, value), note="(query)")
        for name in match.kwargs:
            for value in ("9" * 20, "a\x00b", "..", "字" * 300):
                try:
                    hostile = reverse(match.view_name, urlconf=self.urlconf, kwargs={**match.kwargs, name: value})
                except NoReverseMatch:
                    continue  # the converter refuses it: the URL cannot be asked for
                if hostile != path:
                    self.request("get", hostile, note=f"(path {name})")

    def fuzz_form(self, form: Form, page_path: str):
        action = urljoin(page_path, form.action) if form.action else page_path
        match = self.match(action)
        if not self.ours(match) or match.url_name in SKIP_VIEWS:
            return
        names = tuple(sorted({name for name, _v, _k in form.fields}))
        buttons = form.buttons or [(None, None)]
        for button in buttons:
            key = (match.view_name, form.method, names, button[0], button[1])
            if key in self.shared["forms"]:
                continue
            self.shared["forms"].add(key)
            self.reached.add(route_key(match.route))
            self.submit_variants(form, action, button)

    def submit_variants(self, form: Form, action: str, button):
        method = "post" if form.method == "post" else "get"

        def data(override=None):
            sent = {}
            for name, value, kind in form.fields:
                if override and name in override and name != "csrfmiddlewaretoken":
                    value = override[name]
                if value is None:
                    continue
                if kind == "file":
                    value = SimpleUploadedFile("名单.xlsx", HALF_XLSX) if value else ""
                if name in sent and not isinstance(sent[name], list):
                    sent[name] = [sent[name]]
                if isinstance(sent.get(name), list):
                    sent[name].append(value)
                else:
                    sent[name] = value
            if button[0]:
                sent[button[0]] = button[1]
            return sent

        fuzzable = [(name, kind) for name, _v, kind in form.fields if name != "csrfmiddlewaretoken"]
        self.request(method, action, data(), note="(as served)")
        for value in ALL_AT_ONCE:
            every = {name: value or ("x" if kind == "file" else "") for name, kind in fuzzable}
            self.request(method, action, data(every))
        # Then each field alone, the others as served (so validation reaches it), with one value in turn; NUL
        # needs no turn of its own per field: the request is refused whole, whichever field carries it.
        singles = [v for v in HOSTILE if v and "\x00" not in v]
        for index, (name, kind) in enumerate(fuzzable):
            value = "x" if kind == "file" else singles[index % len(singles)]
            self.request(method, action, data({name: value}), note=f"(field {name})")


@pytest.fixture(autouse=True)
def _quiet_refusals():
    """Thousands of refused requests (400, 403, 404) would each log a line and a traceback; the 500s this
    test looks for are caught from the request signal, not from the log."""
    loggers = [logging.getLogger(name) for name in ("django.request", "django.security", "django.server")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    yield
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


@pytest.fixture
def lived_in_hub(hub_a):
    """Hub A with the 江岸 demo (organisations, calls, closed projects, showcase) and a project in each live
    state, so that every screen has records to show and forms to offer."""
    from django_tenants.utils import tenant_context

    from cms.demo import load_cms_demo
    from incubator.accounts.roles import Role, ensure_roles
    from incubator.demo import load_demo, load_funding_demo
    from incubator.funding.models import Call
    from incubator.orgs.models import Membership
    from incubator.projects import services
    from incubator.projects.demo import load_projects_demo
    from tests.conftest import PASSWORD
    from tests.factories import OrganisationFactory, UserFactory
    from tests.incubator.projects.conftest import make_awarded, run_to

    with tenant_context(hub_a):
        load_demo("jiangan", password=PASSWORD)
        load_funding_demo("jiangan", password=PASSWORD)
        load_projects_demo("jiangan", password=PASSWORD)
        load_cms_demo("jiangan")
        # A call still being set up, so that its set-up forms (rubric, standards, quotas) are offered too.
        now = timezone.now()
        Call.objects.create(
            title="2027年社区公益创投（筹备中）",
            budget=Decimal("200000"),
            per_project_cap=Decimal("50000"),
            service_fields=["charity", "convenience"],
            opens_at=now + datetime.timedelta(days=30),
            closes_at=now + datetime.timedelta(days=60),
            status="draft",
        )
        operator = UserFactory(email="fuzz-operator@a.test")
        operator.groups.add(ensure_roles(sync_permissions=True)[Role.OPERATOR])
        member = UserFactory(email="fuzz-member@org.test", roles=[Role.ORGANISATION_MEMBER])
        supervisor = UserFactory(email="fuzz-supervisor@a.test", roles=[Role.SUPERVISOR])
        evaluator = UserFactory(email="fuzz-evaluator@a.test", roles=[Role.EVALUATOR])
        for state, title in (("active", "社区助老餐桌"), ("appraisal", "儿童四点半课堂")):
            awarded = make_awarded(title=title, organisation=OrganisationFactory())
            project = services.create_project(actor=operator, application=awarded)
            Membership.objects.create(user=member, organisation=project.organisation)
            run_to(project, operator=operator, member=member, supervisor=supervisor, evaluator=evaluator, state=state)
        yield hub_a


def role_users():
    from incubator.accounts.models import User
    from incubator.accounts.roles import Role

    users = {}
    for role in Role.values:
        holders = User.objects.filter(groups__name=role, is_active=True).order_by("pk")
        # The fixture's own people hold the live projects; the demo's hold the closed ones and the open call.
        user = holders.filter(email__startswith="fuzz-").first() or holders.first()
        if user is not None:
            users[role] = user
    users["superuser"] = User.objects.filter(is_superuser=True).order_by("pk").first()
    # One crawl per person: the hub's first administrator is both superuser and hub_admin.
    unique = {}
    for role, user in users.items():
        unique.setdefault(user.pk, (role, user))
    return dict(unique.values())


START = ["/", "/portal/", "/portal/login/", "/portal/signup/", "/review/", "/supervision/", "/evaluation/", "/admin/"]


def test_no_request_of_any_role_causes_a_500_on_a_hub(lived_in_hub):
    from django_tenants.utils import tenant_context

    with tenant_context(lived_in_hub):
        users = role_users()
    shared = {"forms": set(), "patterns": set(), "seconds": {}}
    crawls = [Crawl(Client(raise_request_exception=False), HUB_A["domain"], "config.urls_tenant", "anonymous", shared)]
    for role, user in users.items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        crawls.append(Crawl(client, HUB_A["domain"], "config.urls_tenant", role, shared))
    patterns = our_patterns("config.urls_tenant")
    reached, failures = set(), []
    for crawl in crawls:
        crawl.run(list(START) + start_pages("config.urls_tenant"))
        crawl.fill_in(set(patterns) - crawl.reached)
        reached |= crawl.reached
        failures += crawl.failures
    slowest = sorted(shared["seconds"].items(), key=lambda item: -item[1])[:25]
    print(sum(c.requests for c in crawls), "requests;", [(k, round(v, 1)) for k, v in slowest])
    assert not failures, f"{len(failures)} requests answered 500:\n\n" + "\n\n".join(failures[:15])
    missing = sorted(f"{route} ({patterns[route]})" for route in set(patterns) - reached)
    assert not missing, f"no crawl reached these patterns; link them from a page or name them in NOT_CRAWLED: {missing}"
    assert sum(c.requests for c in crawls) > 1000


def test_no_request_causes_a_500_on_the_platform_host(db, settings):
    from django_tenants.utils import schema_context

    from incubator.accounts.models import User

    platform = settings.PLATFORM_DOMAIN
    with schema_context("public"):
        staff = User.objects.create_superuser(email="ops@platform.test", password="pw-123456789")
    anonymous = Crawl(Client(raise_request_exception=False), platform, "config.urls_public", "anonymous")
    client = Client(raise_request_exception=False)
    client.force_login(staff)
    console = Crawl(client, platform, "config.urls_public", "platform staff")
    patterns = our_patterns("config.urls_public")
    for crawl in (anonymous, console):
        crawl.run(["/", "/admin/"] + start_pages("config.urls_public"))
        crawl.fill_in(set(patterns) - crawl.reached)
    failures = anonymous.failures + console.failures
    assert not failures, f"{len(failures)} requests answered 500:\n\n" + "\n\n".join(failures[:15])
    missing = sorted(f"{route} ({patterns[route]})" for route in set(patterns) - anonymous.reached - console.reached)
    assert not missing, missing


def test_the_crawler_reads_forms_as_a_browser_sends_them():
    page = PageParser()
    page.feed(
        '<form method="post" action="/x/"><input name="a" value="1"><input type="checkbox" name="c" value="y">'
        '<select name="s"><option value="p">P</option><option value="q" selected>Q</option></select>'
        '<textarea name="t">hello</textarea><button name="action" value="go">Go</button></form><a href="/y/">y</a>'
    )
    (form,) = page.forms
    assert form.method == "post" and form.action == "/x/"
    assert form.fields == [
        ("a", "1", "text"),
        ("c", None, "checkbox"),
        ("s", "q", "select"),
        ("t", "hello", "textarea"),
    ]
    assert form.buttons == [("action", "go")] and page.links == ["/y/"]
    assert re.match(r"^9{20}$", HOSTILE[0])


@pytest.mark.parametrize(
    "method,path,data",
    [
        ("get", "/search/", {"q": "\x00"}),
        ("get", "/organisations/", {"q": "a\x00b"}),
        ("get", "/projects/", {"year": "\x00"}),
        ("post", "/portal/login/", {"username": "x\x00@a.test", "password": "p"}),
        ("get", "/portal/files/a%00b/1/", {}),
    ],
)
def test_a_nul_byte_anywhere_is_refused_with_a_message(client, hub_a, method, path, data):
    """The issue's own examples (?q=%00 on the public search and directory) and the same byte in a form and a
    path: a 400 that says what was wrong, never a 500 from PostgreSQL."""
    from django.utils.translation import gettext, override

    response = getattr(client, method)(path, data, HTTP_HOST=HUB_A["domain"])
    assert response.status_code == 400
    with override("zh-hans"):
        expected = gettext("The request contained a character that cannot be stored (a NUL byte). Please remove it.")
    assert 'id="bad-request-message"' in response.content.decode() and expected in response.content.decode()
