"""The public showcase sites of both demo hubs in Chromium, at desktop and phone widths.

Two hubs of this module's own, loaded with the 江岸 and the 官渡 demo content the way ``make run`` loads the
demo hubs (tenants/demo.py), committed and dropped afterwards. On each hub and width the test walks the
site a visitor would: the home page, the calls and an open call (its apply button leads to the portal's
sign-in, then to the call in the organisation's portal), the projects (filtered by service field) and a
project, the organisations, the courses (empty state), the notice board with an appraisal result and a
past public notice, the news and a news item, the search (a term of the hub's own and one of the other
hub's) and the switch to English. The sitemap is fetched once per hub and every address it lists is
checked.

Every page is checked for: status 200, the hub's own name and never the other hub's (isolation), a
<title>, a meta description and an og:title (showcase pages; the notice, appraisal and portal pages are
Django views with a plainer layout and are only checked for the rest), no horizontal overflow, no failed
request for the page's own assets, and its key content, by ids and hrefs or the demo's Chinese names.
A full-page screenshot of each goes to tests/artifacts/showcase_<hub>_<width>_<page>.png.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from django.db import connection
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from tenants.services import provision_hub
from tests.browser.conftest import artifact_path

PASSWORD = "showcase-demo-passphrase"


@dataclass(frozen=True)
class HubSpec:
    key: str
    schema_name: str
    name: str
    name_en: str  # the cms demo's branding
    host: str
    own_term: str  # a search term found in this hub's content only
    own_result: str
    # Strings of the other hub that must never show on this one.
    foreign: tuple[str, ...] = field(default=())


JIANGAN = HubSpec(
    key="jiangan",
    schema_name="browser_jiangan",
    name="江岸区社会组织孵化基地（展示测试）",
    name_en="Jiang'an District Social Organisation Incubation Hub",
    host="showjiangan.localhost",
    own_term="防跌倒",
    own_result="老人居家防跌倒",
    foreign=("官渡", "吴井", "铁路新村社区巧手工作坊"),
)
GUANDU = HubSpec(
    key="guandu",
    schema_name="browser_guandu",
    name="官渡区社会组织孵化基地（展示测试）",
    name_en="Guandu District Social Organisation Incubation Hub",
    host="showguandu.localhost",
    own_term="吴井",
    own_result="吴井街道社会组织孵化基地试点投入使用",
    foreign=("江岸", "老人居家防跌倒", "晚晴枫"),
)
HUBS = {spec.key: spec for spec in (JIANGAN, GUANDU)}
OTHER = {"jiangan": GUANDU, "guandu": JIANGAN}

WIDTHS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
}

OPEN_CALL = "2026年江岸区社区公益创投（第二批）"
PAST_CALL = "2019年江岸区社区公益创投"
SECTIONS = ["/calls/", "/projects/", "/organisations/", "/courses/", "/notices/", "/news/"]


@pytest.fixture(scope="module")
def showcase_hubs(live_hub_server):
    """Both hubs, with the demo content ``tenants.demo.ensure_demo_hubs`` gives the demo hubs, in that order."""
    from cms.demo import load_cms_demo
    from incubator.demo import load_demo, load_funding_demo
    from incubator.projects.demo import load_projects_demo

    hubs = {}
    try:
        for spec in (JIANGAN, GUANDU):
            hub = provision_hub(
                actor=None,
                schema_name=spec.schema_name,
                name=spec.name,
                domain=spec.host,
                admin_email=f"admin@{spec.host}",
                admin_password=PASSWORD,
                send_welcome=False,
            )
            hubs[spec.key] = hub
            with tenant_context(hub):
                assert load_demo(spec.key, password=PASSWORD)
                # No-ops for 官渡 (no calls, no projects), as for the demo hub.
                load_funding_demo(spec.key, password=PASSWORD)
                # Patches timezone.now while it replays the projects' story: before any request is served.
                load_projects_demo(spec.key, password=PASSWORD)
                assert load_cms_demo(spec.key) > 0
            connection.set_schema_to_public()
        yield hubs
    finally:
        connection.set_schema_to_public()
        for hub in hubs.values():
            hub.delete(force_drop=True)


@pytest.fixture(scope="module")
def contexts(browser):
    """One browser context (and page) per width, reused by every hub."""
    opened = {width: browser.new_context(locale="zh-CN", **options) for width, options in WIDTHS.items()}
    try:
        yield {width: (context, context.new_page()) for width, context in opened.items()}
    finally:
        for context in opened.values():
            context.close()


class Visitor:
    """Walks one hub at one width; checks what every page must have and keeps the problems found."""

    def __init__(self, page: Page, server, spec: HubSpec, width: str):
        self.page, self.server, self.spec, self.width = page, server, spec, width
        self.problems: list[str] = []
        self.failed_requests: list[str] = []
        self.english = False
        self._listeners = {
            "response": lambda response: (
                response.status >= 400 and self.failed_requests.append(f"{response.status} {response.url}")
            ),
            "requestfailed": lambda request: self.failed_requests.append(f"failed {request.url}"),
            "pageerror": lambda error: self.problems.append(f"{page.url}: script error {error}"),
        }
        for event, listener in self._listeners.items():
            page.on(event, listener)

    def close(self):
        for event, listener in self._listeners.items():
            self.page.remove_listener(event, listener)

    def url(self, path: str) -> str:
        return self.server.url(self.spec.host, path)

    def goto(self, name: str, path: str, **checks):
        return self.check(name, self.page.goto(self.url(path)), **checks)

    def follow(self, name: str, link, **checks):
        """Click a link (or submit a form) and check the page it leads to."""
        expect(link).to_be_visible()
        with self.page.expect_navigation() as navigation:
            link.click()
        return self.check(name, navigation.value, **checks)

    def check(self, name: str, response, *, showcase: bool = True, echoes: str = ""):
        """``echoes``: a string of the other hub the page may show because the visitor typed it (a search)."""
        page = self.page
        page.screenshot(path=artifact_path(f"showcase_{self.spec.key}_{self.width}_{name}"), full_page=True)
        where = f"{name} ({page.url})"
        problem = self.problems.append
        if response is None or response.status != 200:
            problem(f"{where}: status {response.status if response else None}")
        html = page.content()
        own = self.spec.name_en if self.english else self.spec.name
        if own not in page.locator("body > header").inner_text():
            problem(f"{where}: the hub's name {own!r} is not in the header")
        other = OTHER[self.spec.key]
        for foreign in (other.name, other.name_en, *self.spec.foreign):
            if foreign in html.replace(echoes or "\0", ""):
                problem(f"{where}: shows {foreign!r} of the other hub")
        if not page.title().strip():
            problem(f"{where}: no <title>")
        if showcase:
            for selector in ('meta[name="description"]', 'meta[property="og:title"]'):
                meta = page.locator(selector)
                if meta.count() != 1 or not (meta.get_attribute("content") or "").strip():
                    problem(f"{where}: no {selector}")
        # Not window.innerWidth alone: at phone width (is_mobile) Chromium zooms out to fit a page that is too
        # wide, and innerWidth grows with it; the layout viewport's width is documentElement.clientWidth.
        overflow = page.evaluate(
            """() => {
                const width = Math.min(window.innerWidth, document.documentElement.clientWidth || window.innerWidth);
                const scroll = document.documentElement.scrollWidth;
                const culprits = scroll <= width + 1 ? [] : [...document.querySelectorAll("body *")]
                    .filter(e => e.getBoundingClientRect().right > width + 1)
                    .slice(0, 5)
                    .map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
                        + (typeof e.className === "string" && e.className
                            ? "." + e.className.trim().replace(/ +/g, ".") : ""));
                return {width, scroll, culprits};
            }"""
        )
        if overflow["scroll"] > overflow["width"] + 1:
            problem(f"{where}: scrolls sideways ({overflow['scroll']} > {overflow['width']}): {overflow['culprits']}")
        if self.failed_requests:
            problem(f"{where}: {self.failed_requests}")
            self.failed_requests = []
        return response

    @contextmanager
    def see(self, name: str):
        """Content checks whose failure is recorded and lets the walk go on."""
        try:
            yield
        except AssertionError as error:
            self.problems.append(f"{name} ({self.page.url}): {str(error).strip().splitlines()[0]}")


# The tests ask for ``browser`` first (as test_funding.py does): the session's database setup, the hubs and
# their removal then all happen with Playwright running, on one database connection. Set up before Playwright
# starts, the first connection would be left open when run alone, and the test database could not be dropped.
@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("hub_key", list(HUBS))
def test_showcase_pages(browser, live_hub_server, showcase_hubs, contexts, hub_key, width):
    spec = HUBS[hub_key]
    jiangan = hub_key == "jiangan"
    context, page = contexts[width]
    context.clear_cookies()
    visitor = Visitor(page, live_hub_server, spec, width)
    see = visitor.see
    try:
        _walk(visitor, page, spec, jiangan, see)
    finally:
        visitor.close()
        context.clear_cookies()
    assert not visitor.problems, "\n".join(visitor.problems)


def _walk(visitor: Visitor, page: Page, spec: HubSpec, jiangan: bool, see):
    quick = {"timeout": 3_000}  # the pages are rendered on the server: what is not there at once never comes

    # Home: name and branding, live figures, brand projects, open calls, news.
    visitor.goto("home", "/")
    with see("home"):
        expect(page.locator(".hero h1")).to_have_text(spec.name, **quick)
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans", **quick)
        for section in SECTIONS:
            expect(page.locator(f'nav.menu a[href="{section}"]')).to_have_count(1, **quick)
        figures = {
            key: int(page.locator(f"#figure-{key} strong").inner_text().replace(",", "") or 0)
            for key in ("organisations", "projects", "residents")
        }
        assert figures["organisations"] > 0, figures
        expect(page.locator("#news .cards > li").first).to_be_visible(**quick)
        featured = page.locator("#featured-projects .cards > li")
        open_calls = page.locator("#open-calls .cards > li")
        if jiangan:
            assert figures["projects"] >= 5 and figures["residents"] > 0, figures
            expect(featured.first.locator('a[href^="/projects/"]')).to_be_visible(**quick)
            expect(open_calls.first).to_contain_text(OPEN_CALL, **quick)
            expect(page.locator("#news")).to_contain_text("老人居家防跌倒", **quick)
        else:
            assert figures["projects"] == 0, figures
            expect(featured).to_have_count(0, **quick)
            expect(open_calls).to_have_count(0, **quick)
            expect(page.locator("#news")).to_contain_text(spec.own_result, **quick)

    # Calls, an open call, its apply button: the portal's sign-in, then the call in the organisation's portal.
    visitor.goto("calls", "/calls/")
    if jiangan:
        with see("calls"):
            expect(page.locator("#open-calls")).to_contain_text(OPEN_CALL, **quick)
            expect(page.locator("#past-calls")).to_contain_text(PAST_CALL, **quick)
        visitor.follow("call", page.locator('#open-calls .cards a[href^="/calls/"]').first)
        with see("call"):
            expect(page.locator("article h1")).to_contain_text(OPEN_CALL, **quick)
            expect(page.locator("dl.facts").first).to_be_visible(**quick)
        visitor.follow("apply_login", page.locator("#apply a.button"), showcase=False)
        with see("apply"):
            expect(page).to_have_url(re.compile(r"/portal/login/\?next=/portal/calls/"), **quick)
        page.fill("input[name=username]", "member@jiangan.demo")
        page.fill("input[name=password]", PASSWORD)
        visitor.follow("apply_portal", page.locator("#portal-form button[type=submit]"), showcase=False)
        with see("apply"):
            expect(page).to_have_url(re.compile(r"/portal/calls/\?call=\d+$"), **quick)
            expect(page.locator("section.call")).to_have_count(1, **quick)  # the call the visitor chose
            open_call = page.locator("section.call", has_text=OPEN_CALL)
            expect(open_call.locator("form button[type=submit]")).to_be_visible(**quick)
        page.context.clear_cookies()  # signed out again: the rest is what an anonymous visitor sees
    else:
        with see("calls"):
            expect(page.locator("#open-calls .empty")).to_be_visible(**quick)
            expect(page.locator("#open-calls .cards")).to_have_count(0, **quick)

    # Projects, filtered by service field, and a project.
    visitor.goto("projects", "/projects/")
    project_list = page.locator("#project-list")
    with see("projects"):
        if jiangan:
            expect(project_list).to_contain_text("老人居家防跌倒", **quick)
            expect(project_list).to_contain_text("启航行动", **quick)
        else:
            expect(project_list).to_have_count(0, **quick)
            expect(page.locator("main .empty")).to_be_visible(**quick)
    page.locator("#project-filters select[name=field]").select_option("charity")
    visitor.follow("projects_filtered", page.locator("#project-filters button[type=submit]"))
    with see("projects filtered"):
        expect(page).to_have_url(re.compile(r"[?&]field=charity"), **quick)
        if jiangan:
            expect(project_list).to_contain_text("老人居家防跌倒", **quick)
            expect(project_list).not_to_contain_text("启航行动", **quick)
        else:
            expect(page.locator("main .empty")).to_be_visible(**quick)
    if jiangan:
        visitor.follow("project", project_list.locator('a[href^="/projects/"]').first)
        with see("project"):
            expect(page.locator("article.project-story h1")).to_contain_text("老人居家防跌倒", **quick)
            expect(page.locator("#objectives")).to_be_visible(**quick)

    # Organisations; courses (empty state).
    visitor.goto("organisations", "/organisations/")
    with see("organisations"):
        listed = "武汉晚晴枫养老助残服务中心" if jiangan else "铁路新村社区巧手工作坊"
        expect(page.locator("#organisation-list")).to_contain_text(listed, **quick)
    visitor.goto("courses", "/courses/")
    with see("courses"):
        expect(page.locator("#no-courses")).to_be_visible(**quick)

    # The notice board, an appraisal result and a past public notice.
    visitor.goto("notices", "/notices/")
    if jiangan:
        past_notice = page.locator('#past-notices a[href^="/notices/"]').first
        with see("notices"):
            expect(past_notice).to_contain_text(PAST_CALL, **quick)
        notice_href = past_notice.get_attribute("href")
        appraisal = page.locator('#appraisals .cards a[href^="/notices/appraisals/"]').first
        visitor.follow("appraisal", appraisal, showcase=False)
        with see("appraisal"):
            expect(page.locator("#appraisal-results")).to_be_visible(**quick)
        visitor.goto("notice", notice_href, showcase=False)
        with see("notice"):
            expect(page.locator("#notice-projects")).to_contain_text("老人居家防跌倒", **quick)
    else:
        with see("notices"):
            expect(page.locator("#current-notices .empty")).to_be_visible(**quick)
            expect(page.locator("#appraisals .cards")).to_have_count(0, **quick)
            expect(page.locator("#past-notices a")).to_have_count(0, **quick)

    # News and a news item.
    visitor.goto("news", "/news/")
    items = page.locator("#news-list > li")
    with see("news"):
        expect(items).to_have_count(3 if jiangan else 2, **quick)
    visitor.follow("news_page", items.first.locator("h3 a"))
    with see("news page"):
        expect(page.locator("article.news h1")).to_be_visible(**quick)
        expect(page.locator("article.news .article-body")).not_to_be_empty(**quick)

    # Search: through the header's form for a term of this hub, by address for one of the other hub.
    page.locator("form.site-search input[name=q]").fill(spec.own_term)
    visitor.follow("search", page.locator("form.site-search button[type=submit]"))
    with see("search"):
        expect(page.locator("#search-results")).to_contain_text(spec.own_result, **quick)
    other_term = OTHER[spec.key].own_term
    visitor.goto("search_other_hub", f"/search/?q={other_term}", echoes=other_term)
    with see("search other hub"):
        expect(page.locator("#no-results")).to_be_visible(**quick)
        expect(page.locator("#search-results")).to_have_count(0, **quick)

    # English, on the home page, and back.
    page.goto(visitor.url("/"))
    visitor.english = True
    visitor.follow("home_en", page.locator('form.lang button[value="en"]'))
    visitor.english = False
    with see("english"):
        expect(page.locator("html")).to_have_attribute("lang", "en", **quick)
        expect(page.locator(".hero h1")).to_have_text(spec.name_en, **quick)
        expect(page.locator('meta[property="og:locale"]')).to_have_attribute("content", "en_US", **quick)
    with page.expect_navigation():
        page.locator('form.lang button[value="zh-hans"]').click()
    with see("back to Chinese"):
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans", **quick)


@pytest.mark.parametrize("hub_key", list(HUBS))
def test_sitemap_lists_the_pages(browser, live_hub_server, showcase_hubs, contexts, hub_key):
    """Fetched by the browser (Playwright's own HTTP client does not resolve *.localhost)."""
    spec, other = HUBS[hub_key], OTHER[hub_key]
    _context, page = contexts["desktop"]
    origin = live_hub_server.url(spec.host, "")
    response = page.goto(origin + "/sitemap.xml")
    assert response.status == 200
    assert "xml" in response.headers["content-type"]
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = [element.text for element in ET.fromstring(response.body()).findall("s:url/s:loc", namespace)]
    paths = [location.removeprefix(origin) for location in locations]

    assert all(location.startswith(origin + "/") for location in locations), locations
    assert len(set(paths)) == len(paths), paths
    assert {"/", *SECTIONS} <= set(paths), paths
    news = [path for path in paths if re.fullmatch(r"/news/[\w-]+/", path)]
    calls = [path for path in paths if re.fullmatch(r"/calls/\d+/", path)]
    projects = [path for path in paths if re.fullmatch(r"/projects/\d+/", path)]
    if hub_key == "jiangan":
        assert (len(news), len(calls), len(projects)) == (3, 2, 5), paths
    else:
        assert (len(news), calls, projects) == (2, [], []), paths
    # Every address it lists is a page of this hub that answers.
    for location in locations:
        assert page.goto(location).status == 200, location
        header = page.locator("body > header").inner_text()
        assert spec.name in header and other.name not in page.content(), location
