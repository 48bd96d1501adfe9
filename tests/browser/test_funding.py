"""Venture philanthropy end to end in Chromium: an organisation applies to the open 江岸 call, the
operator screens and assigns an expert, the expert scores, the operator confirms the decision and
publishes the notice, a resident objects, and the applicant sees where they stand.

Runs in a hub of its own with the 江岸 demo content, committed and dropped afterwards.
"""

import datetime
import re

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from incubator.demo import load_demo, load_funding_demo
from tenants.services import provision_hub
from tests.browser.conftest import artifact_path, login_hub_admin

HOST = "fundingdemo.localhost"
ADMIN = "admin@fundingdemo.test"
PASSWORD = "funding-demo-passphrase"


@pytest.fixture(scope="module")
def funding_hub(live_hub_server):
    hub = provision_hub(
        actor=None,
        schema_name="browser_funding",
        name="江岸区社会组织孵化基地（浏览器测试）",
        domain=HOST,
        admin_email=ADMIN,
        admin_password=PASSWORD,
        send_welcome=False,
    )
    with tenant_context(hub):
        load_demo("jiangan", password=PASSWORD)
        load_funding_demo("jiangan", password=PASSWORD)
    connection.set_schema_to_public()
    yield hub
    connection.set_schema_to_public()
    hub.delete(force_drop=True)


def sign_in_portal(page, server, email):
    page.goto(server.url(HOST, "/portal/login/"))
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("#portal-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/portal/$"))


def test_apply_review_decide_notice_and_object(browser, page, live_hub_server, funding_hub):
    from incubator.funding.models import Application, Call

    # The organisation applies to the open call.
    sign_in_portal(page, live_hub_server, "member@jiangan.demo")
    page.goto(live_hub_server.url(HOST, "/portal/calls/"))
    page.locator("section.call form button[type=submit]").first.click()
    form = page.locator("#portal-form")
    form.locator("input[name=title]").fill("同安社区巧手妈妈创业坊")
    form.locator("select[name=service_field]").select_option("convenience")
    form.locator("textarea[name=problem]").fill("辖区全职妈妈就业困难")
    form.locator("input[name=target_groups][value=elderly]").check()
    form.locator("input[name=target_groups][value=women_families]").check()
    form.locator("input[name=beneficiaries]").fill("60")
    form.locator("textarea[name=activities]").fill("技能培训、市集、创业辅导")
    form.locator("input[name=starts_on]").fill("2027-03-01")
    form.locator("input[name=ends_on]").fill("2027-12-31")
    for term in ("short", "medium", "long"):
        form.locator(f"input[name=objective_{term}_description]").fill("培训与就业")
        form.locator(f"input[name=objective_{term}_indicator]").fill("就业人数")
        form.locator(f"input[name=objective_{term}_target]").fill("20")
    form.locator("select[name=budget_0_category]").select_option("activities")
    form.locator("input[name=budget_0_item]").fill("培训与市集")
    form.locator("input[name=budget_0_amount]").fill("25000")
    # A budget line added with the button, and the running total follows.
    form.locator("[data-add-row]").click()
    form.locator("select[name=budget_1_category]").select_option("publicity")
    form.locator("input[name=budget_1_item]").fill("宣传物料")
    form.locator("input[name=budget_1_amount]").fill("1000")
    expect(form.locator("[data-budget-total]")).to_have_text("26000.00")
    # A mistake: a negative number of beneficiaries. The form comes back with everything typed.
    form.locator("input[name=beneficiaries]").fill("-5")
    form.locator("button[value=save]").click()
    expect(page.locator("#application-errors")).to_be_visible()
    form = page.locator("#portal-form")
    expect(form.locator("input[name=title]")).to_have_value("同安社区巧手妈妈创业坊")
    expect(form.locator("input[name=starts_on]")).to_have_value("2027-03-01")
    expect(form.locator("input[name=budget_1_item]")).to_have_value("宣传物料")
    page.screenshot(path=artifact_path("funding_application_mistake"), full_page=True)
    form.locator("input[name=beneficiaries]").fill("60")
    form.locator("button[value=save]").click()
    expect(page.locator(".messages")).to_contain_text("草稿已保存")
    page.reload()
    expect(page.locator("input[name=starts_on]")).to_have_value("2027-03-01")
    english = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844}).new_page()
    try:
        sign_in_portal(english, live_hub_server, "member@jiangan.demo")
        english.get_by_role("button", name="English").click()
        english.goto(page.url)
        expect(english.locator("legend").first).to_have_text("The project")
        expect(english.locator("input[name=ends_on]")).to_have_value("2027-12-31")
        english.screenshot(path=artifact_path("funding_application_phone_en"), full_page=True)
    finally:
        english.context.close()
    page.locator("#submit-application").click()
    expect(page.locator("#application-status")).to_have_text("已提交")
    page.screenshot(path=artifact_path("funding_application_submitted"), full_page=True)

    with tenant_context(funding_hub):
        call = Call.objects.get(status="open")
        application = Application.objects.get(title="同安社区巧手妈妈创业坊")
        # The deadline passes (the beat job closes the call; here, time is moved instead of waited for).
        Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() - datetime.timedelta(minutes=1))
        from incubator.funding.services import close_due_calls

        assert close_due_calls() == 1
    connection.set_schema_to_public()

    operator = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    expert = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    try:
        login_hub_admin(operator, live_hub_server, HOST, ADMIN, PASSWORD)
        call_url = live_hub_server.url(HOST, f"/admin/funding/calls/{call.pk}/")
        operator.goto(call_url)
        operator.locator("form[data-action=start_review] button").click()
        expect(operator.locator("#call-status")).to_have_text("评审中")
        row = operator.locator("#applications tr", has_text="同安社区巧手妈妈创业坊")
        row.locator("button[value=accept]").click()
        # The operator reads it in the back office.
        operator.locator("#applications").get_by_role("link", name="同安社区巧手妈妈创业坊").click()
        expect(operator.locator("#checklist")).to_be_visible()
        expect(operator.locator("body")).to_contain_text("宣传物料")
        operator.goto(call_url)
        row = operator.locator("#applications tr", has_text="同安社区巧手妈妈创业坊")
        for name in ("评审专家1", "评审专家2", "评审专家3"):
            row.locator("label", has_text=name).click()
        row.locator("form:has(input[value=assign]) button[type=submit]").click()
        row = operator.locator("#applications tr", has_text="同安社区巧手妈妈创业坊")
        expect(row).to_contain_text("评审专家2")
        # 评审专家2 was assigned by mistake: withdrawn, with a reason.
        mistaken = row.locator(".assignment", has_text="评审专家2")
        mistaken.locator("summary").click()
        mistaken.locator("input[name=reason]").fill("分配错误")
        mistaken.locator("button[type=submit]").click()
        row = operator.locator("#applications tr", has_text="同安社区巧手妈妈创业坊")
        expect(row.locator(".assignment", has_text="评审专家2")).to_have_count(0)
        expect(row.locator(".assignment")).to_have_count(2)

        # 评审专家3 declares a conflict of interest instead of scoring.
        sign_in_portal(expert, live_hub_server, "expert3@jiangan.demo")
        expert.goto(live_hub_server.url(HOST, "/review/"))
        expert.get_by_role("link", name="同安社区巧手妈妈创业坊").click()
        expert.locator("#conflict textarea[name=reason]").fill("本人是该组织理事")
        expert.locator("#conflict button[type=submit]").click()
        expect(expert.locator(".messages")).to_contain_text("利益冲突")
        expert.context.clear_cookies()

        # The expert scores it; the applicant's name of the expert is never shown to the applicant.
        sign_in_portal(expert, live_hub_server, "expert1@jiangan.demo")
        expert.goto(live_hub_server.url(HOST, "/review/"))
        expert.get_by_role("link", name="同安社区巧手妈妈创业坊").click()
        for field in expert.locator("input[name^=score_]").all():
            field.fill("8")
        expect(expert.locator("[data-total-output]")).to_have_text("80.00")
        expert.locator("#submit-scores").click()
        expect(expert.locator("#submitted")).to_contain_text("80.00")

        # The operator confirms the proposed allocation and publishes the notice.
        operator.goto(live_hub_server.url(HOST, f"/admin/funding/calls/{call.pk}/ranking/"))
        expect(operator.locator("#ranking")).to_contain_text("同安社区巧手妈妈创业坊")
        operator.screenshot(path=artifact_path("funding_ranking"), full_page=True)
        operator.locator("form[data-action=confirm] button").click()
        operator.goto(call_url)
        expect(operator.locator("#call-status")).to_have_text("已确定资助")
        expect(operator.locator("form[data-action=announce]")).to_have_count(1)  # one publish button
        operator.locator("form[data-action=announce] button").click()
        expect(operator.locator("#call-status")).to_have_text("已公示")
    finally:
        operator.context.close()
        expert.context.close()

    # A resident objects on the public notice, without an account.
    with tenant_context(funding_hub):
        from incubator.funding.models import PublicNotice

        notice = PublicNotice.objects.get(call=call)
        PublicNotice.objects.filter(pk=notice.pk).update(starts_on=timezone.localdate())
    connection.set_schema_to_public()
    public = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    try:
        public.goto(live_hub_server.url(HOST, f"/notices/{notice.pk}/"))
        expect(public.locator("#notice-projects")).to_contain_text("同安社区巧手妈妈创业坊")
        public.fill("#objection-form input[name=name]", "居民王某")
        public.fill("#objection-form input[name=contact]", "13800000000")
        public.fill("#objection-form textarea[name=text]", "请公开预算明细")
        public.locator("#objection-form button[type=submit]").click()
        expect(public.locator(".messages")).to_contain_text("YY-")
        public.screenshot(path=artifact_path("funding_notice_phone"), full_page=True)
        with tenant_context(funding_hub):
            from incubator.accounts.models import User
            from incubator.funding import services
            from incubator.funding.models import Objection

            objection = Objection.objects.get(notice=notice)
            services.resolve_objections(
                actor=User.objects.get(email=ADMIN),
                objections=[objection],
                upheld=False,
                resolution="预算明细已在公示附件中公开",
            )
        connection.set_schema_to_public()
        public.reload()
        expect(public.locator("#resolved-objections")).to_contain_text(objection.reference)
        expect(public.locator("#resolved-objections")).not_to_contain_text("居民王某")
    finally:
        public.context.close()

    # The applicant sees where they stand, and no expert's name or score.
    page.goto(live_hub_server.url(HOST, f"/portal/applications/{application.pk}/"))
    expect(page.locator("#application-status")).to_have_text("公示中")
    assert "评审专家1" not in page.content() and "80.00" not in page.content()


def test_an_operator_sets_up_a_call_in_words_corrects_it_and_opens_it(browser, live_hub_server, funding_hub):
    from incubator.funding.models import Call

    operator = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    try:
        login_hub_admin(operator, live_hub_server, HOST, ADMIN, PASSWORD)
        operator.goto(live_hub_server.url(HOST, "/admin/calls/new/"))
        form = operator.locator("form[method=post]").filter(has=operator.locator("input[name=title]"))
        form.locator("input[name=title]").fill("2027年江岸区为老服务专项创投")
        form.locator("input[name=budget]").fill("200000")
        form.locator("input[name=per_project_cap]").fill("30000")
        form.locator("label", has_text="公益慈善").click()  # a labelled choice, not an internal code
        form.locator("label", has_text="便民生活").click()
        form.locator("input[name=opens_at]").fill("2026-12-01 09:00")
        form.locator("input[name=closes_at]").fill("2026-11-30 23:59")  # a mistake: before it opens
        operator.locator("form[method=post] button.button-longrunning[type=submit]", has_text="创建").click()
        expect(operator.locator("body")).to_contain_text("申报截止时间须晚于开始时间")
        expect(operator.locator("input[name=title]")).to_have_value("2027年江岸区为老服务专项创投")
        operator.screenshot(path=artifact_path("funding_call_setup_mistake"), full_page=True)
        operator.locator("input[name=closes_at]").fill("2027-02-26 23:59")
        operator.locator("form[method=post] button.button-longrunning[type=submit]", has_text="创建").click()
        expect(operator.locator(".messages")).to_be_visible()
        with tenant_context(funding_hub):
            call = Call.objects.get(title="2027年江岸区为老服务专项创投")
            assert call.service_fields == ["charity", "convenience"]
        connection.set_schema_to_public()

        call_url = live_hub_server.url(HOST, f"/admin/funding/calls/{call.pk}/")
        operator.goto(call_url)
        operator.locator("form:has(input[value=use_template]) button").click()
        operator.locator("#edit-rubric").click()
        first_weight = operator.locator("input[name=criteria-0-weight]")
        original = first_weight.input_value()
        first_weight.fill("1")
        operator.locator("#rubric-form button[type=submit]").click()
        expect(operator.locator("#rubric-problems")).to_contain_text("而不是 100")
        expect(operator.locator("input[name=criteria-0-weight]")).to_have_value("1")
        operator.locator("input[name=criteria-0-weight]").fill(original)
        operator.locator("input[name=criteria-0-name]").fill("需求契合度")
        operator.locator("#rubric-form button[type=submit]").click()
        expect(operator.locator("#criteria")).to_contain_text("需求契合度")

        # A wrong standard is added, then deleted after a confirmation.
        add = operator.locator("#add-standard")
        add.locator("select[name=category]").select_option("staff")
        add.locator("input[name=max_percent]").fill("20")
        add.locator("button[type=submit]").click()
        expect(operator.locator("#standards")).to_contain_text("人员费用")
        standard = operator.locator("#standards tr", has_text="人员费用")
        standard.locator("details summary").click()
        standard.locator("form[data-action=delete_standard] button").click()
        expect(operator.locator("#standards")).to_contain_text("暂无资助标准")

        operator.locator("form[data-action=open] button").click()
        expect(operator.locator("#call-status")).to_have_text("进行中")
        operator.screenshot(path=artifact_path("funding_call_opened"), full_page=True)
    finally:
        operator.context.close()
