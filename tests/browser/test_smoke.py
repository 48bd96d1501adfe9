"""The foundation as a person sees it in a real browser: a hub's public site, its back office, host routing."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import artifact_path, login_hub_admin
from tests.conftest import HUB_A, HUB_B, PASSWORD


def test_hub_home_is_chinese_and_switches_to_english(page, live_hub_server):
    page.goto(live_hub_server.url(HUB_A["domain"]))

    html = page.locator("html")
    expect(html).to_have_attribute("lang", "zh-hans")
    expect(page.locator("header")).to_contain_text(HUB_A["name"])
    expect(page.get_by_role("button", name="简体中文")).to_be_disabled()

    page.get_by_role("button", name="English").click()

    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(live_hub_server.url(HUB_A["domain"], "/"))
    expect(page.locator("header")).to_contain_text(HUB_A["name"])
    expect(page.get_by_role("button", name="English")).to_be_disabled()
    expect(page.get_by_role("button", name="简体中文")).to_be_enabled()


def test_hub_admin_signs_in_on_own_hub_only(page, live_hub_server):
    login_hub_admin(page, live_hub_server, HUB_A["domain"], HUB_A["admin_email"], PASSWORD)
    expect(page.locator(".w-dashboard")).to_be_visible()

    # Same browser, other hub: its own session cookie (host-only) is absent, so it asks to sign in.
    page.goto(live_hub_server.url(HUB_B["domain"], "/admin/"))
    expect(page).to_have_url(re.compile(re.escape(live_hub_server.url(HUB_B["domain"], "/admin/login/"))))
    expect(page.locator("form.login-form input[name=username]")).to_be_visible()

    # …while hub A still knows its administrator.
    page.goto(live_hub_server.url(HUB_A["domain"], "/admin/"))
    expect(page).to_have_url(live_hub_server.url(HUB_A["domain"], "/admin/"))
    expect(page.locator(".w-dashboard")).to_be_visible()


def test_unknown_host_shows_the_not_found_page(page, live_hub_server):
    response = page.goto(live_hub_server.url("nobody.localhost"))

    assert response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("页面未找到")
    expect(page.locator("body")).not_to_contain_text(HUB_A["name"])


def test_screenshots_of_home_and_dashboard(browser, page, live_hub_server):
    home = live_hub_server.url(HUB_A["domain"])
    broken = []
    page.on("response", lambda response: response.status >= 400 and broken.append(response.url))

    page.goto(home)
    expect(page.locator("header")).to_contain_text(HUB_A["name"])
    page.screenshot(path=artifact_path("hub_a_home_desktop"), full_page=True)

    phone = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    try:
        phone_page = phone.new_page()
        phone_page.goto(home)
        expect(phone_page.locator("header")).to_contain_text(HUB_A["name"])
        phone_page.screenshot(path=artifact_path("hub_a_home_phone"), full_page=True)
    finally:
        phone.close()

    login_hub_admin(page, live_hub_server, HUB_A["domain"], HUB_A["admin_email"], PASSWORD)
    # The admin's CSS and JavaScript are served: its sidebar menu is drawn by its JavaScript.
    expect(page.locator("#wagtail-sidebar").get_by_role("navigation")).to_be_visible()
    stylesheets = page.evaluate("[...document.styleSheets].map(sheet => sheet.href).filter(Boolean)")
    assert any("/static/wagtailadmin/css/" in href for href in stylesheets), stylesheets
    page.screenshot(path=artifact_path("hub_a_admin_dashboard"), full_page=True)
    assert broken == []
