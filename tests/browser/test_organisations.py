"""The Organisations capability as people use it, in Chromium: an operator's back office (coverage,
listings, search, export, incubation actions) and an organisation's portal (sign up, apply, status).

Runs in a hub of its own with the 官渡 demo content, committed (the server thread must see it) and
dropped afterwards, schema and all.
"""

import pytest
from django.db import connection
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from incubator.demo import load_demo
from tenants.services import provision_hub
from tests.browser.conftest import artifact_path, login_hub_admin

HOST = "browserdemo.localhost"
ADMIN = "admin@browserdemo.test"
PASSWORD = "browser-demo-passphrase"


@pytest.fixture(scope="module")
def demo_hub(live_hub_server):
    hub = provision_hub(
        actor=None,
        schema_name="browser_demo",
        name="官渡区社会组织孵化基地（浏览器测试）",
        domain=HOST,
        admin_email=ADMIN,
        admin_password=PASSWORD,
        send_welcome=False,
    )
    with tenant_context(hub):
        load_demo("guandu", password=PASSWORD)
    connection.set_schema_to_public()
    yield hub
    connection.set_schema_to_public()
    hub.delete(force_drop=True)


def test_operator_sees_coverage_lists_and_exports(page, live_hub_server, demo_hub):
    login_hub_admin(page, live_hub_server, HOST, ADMIN, PASSWORD)
    page.goto(live_hub_server.url(HOST, "/admin/incubator/coverage/"))
    streets = page.locator("#street-coverage")
    expect(streets).to_contain_text("吴井街道")
    expect(streets).to_contain_text("吴井街道社会工作（人才交流）服务中心")
    expect(streets.locator("tr", has_text="关上街道")).to_contain_text("✘")
    expect(page.locator("#community-coverage")).to_contain_text("铁路新村社区")
    expect(page.locator("svg[role=img]")).to_be_visible()
    page.screenshot(path=artifact_path("coverage_desktop"), full_page=True)
    with page.expect_download() as download:
        page.locator("a[href$='/coverage/export/']").click()
    assert download.value.suggested_filename == "coverage.xlsx"

    page.goto(live_hub_server.url(HOST, "/admin/organisations/?q=摄影"))
    expect(page.get_by_role("link", name="五里多社区摄影沙龙")).to_be_visible()
    expect(page.get_by_text("铁路新村社区巧手工作坊")).to_have_count(0)
    page.screenshot(path=artifact_path("organisations_listing"))


def _confirm_path(hub, email):
    """The link the confirmation e-mail carries (the e-mail itself is tested over HTTP)."""
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from incubator.accounts.models import User
    from incubator.accounts.tokens import hub_token_generator

    with tenant_context(hub):
        user = User.objects.get(email=email)
        path = reverse(
            "portal_signup_confirm",
            args=[urlsafe_base64_encode(force_bytes(user.pk)), hub_token_generator.make_token(user)],
        )
    connection.set_schema_to_public()
    return path


def test_an_organisation_signs_up_applies_and_is_admitted(browser, page, live_hub_server, demo_hub):
    page.goto(live_hub_server.url(HOST, "/portal/signup/"))
    page.fill("input[name=full_name]", "周九")
    page.fill("input[name=email]", "zhou@grassroots.test")
    page.fill("input[name=password]", "a-long-enough-passphrase-2026")
    page.fill("input[name=organisation_name]", "太和社区邻里互助会")
    page.select_option("select[name=street]", label="太和街道")
    page.fill("input[name=responsible_person]", "周九")
    page.locator("#portal-form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("请查收邮件")
    expect(page.locator(".notice")).to_contain_text("zhou@grassroots.test")
    page.screenshot(path=artifact_path("portal_signup_sent"), full_page=True)
    page.goto(live_hub_server.url(HOST, _confirm_path(demo_hub, "zhou@grassroots.test")))
    expect(page.locator("section.org-card")).to_contain_text("太和社区邻里互助会")

    page.locator("a[href$='/apply/']").click()
    page.fill("textarea[name=needs]", "需要活动场地和财务培训")
    page.locator("#portal-form button[type=submit]").click()
    expect(page.locator(".incubation-status")).to_contain_text("已申请")
    page.screenshot(path=artifact_path("portal_applied"), full_page=True)

    operator = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800}).new_page()
    try:
        login_hub_admin(operator, live_hub_server, HOST, ADMIN, PASSWORD)
        operator.goto(live_hub_server.url(HOST, "/admin/incubations/?q=太和社区邻里互助会"))
        operator.locator("a[href*='/admin/incubator/actions/incubation/']").first.click()
        admit = operator.locator("form[data-action=admit]")
        admit.locator("select[name=cohort]").select_option(label="官渡区孵化基地2026年第一期")
        admit.locator("input[name=space]").fill("B-03")
        admit.get_by_role("button").click()
        expect(operator.locator("#status")).to_have_text("孵化中")
        expect(operator.locator("#history")).to_contain_text("准予入驻孵化")  # the trail in words, not codes
        expect(operator.locator("#history")).not_to_contain_text("incubation.admit")
        operator.screenshot(path=artifact_path("incubation_admitted"), full_page=True)
    finally:
        operator.context.close()

    page.reload()
    expect(page.locator(".incubation-status")).to_contain_text("孵化中")
    expect(page.locator(".incubation-status")).to_contain_text("官渡区孵化基地2026年第一期")
