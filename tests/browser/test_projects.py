"""A funded project from contract to closing in Chromium (venture philanthropy, part 2).

The operator records the signing, downloads the contract and releases the first installment; the
organisation logs an activity and reports its indicators (and is refused a final report before the
mid-term review); the supervisor visits and requires a rectification, which the organisation answers and
the supervisor accepts, then holds the mid-term review; the operator releases the second installment;
the organisation submits its final report with the financial statement (a line past the variance threshold
is refused until it carries a note); the operator returns it with a reason, the organisation resubmits it and
the operator accepts it; residents appraise the project without an account (a second answer from the same
phone is refused); the third-party evaluator grades it excellent; the operator
accepts and closes it (the last installment is released), publishes its progress, and the portfolio
dashboard shows it closed with the whole award released.

Runs in a hub of its own, seeded through the ORM and the services, committed and dropped afterwards.
The states are checked on the pages by element ids and values (never translated text) and in the
database, read between two browser steps the way test_funding.py does.
"""

import datetime
import re

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from tenants.services import provision_hub
from tests.browser.conftest import artifact_path, login_hub_admin

HOST = "projectsdemo.localhost"
ADMIN = "admin@projectsdemo.test"
PASSWORD = "projects-demo-passphrase"
MEMBER = "wanqingfeng@projectsdemo.test"
SUPERVISOR = "dudao@projectsdemo.test"
EVALUATOR = "pinggu@projectsdemo.test"


@pytest.fixture(scope="module")
def projects_hub(live_hub_server):
    hub = provision_hub(
        actor=None,
        schema_name="browser_projects",
        name="江岸区社会组织孵化基地（项目浏览器测试）",
        domain=HOST,
        admin_email=ADMIN,
        admin_password=PASSWORD,
        send_welcome=False,
    )
    try:
        with tenant_context(hub):
            seed = _seed()
        connection.set_schema_to_public()
        yield hub, seed
    finally:
        connection.set_schema_to_public()
        hub.delete(force_drop=True)


def _seed() -> dict:
    """An awarded application with three objectives, its project, and the people around it."""
    from incubator.accounts.models import User
    from incubator.accounts.roles import Role, ensure_roles
    from incubator.orgs.models import Membership
    from incubator.projects.services import create_project
    from tests.incubator.projects.conftest import make_awarded

    roles = ensure_roles()

    def person(email, role, first_name, last_name):
        user = User.objects.create_user(email=email, first_name=first_name, last_name=last_name)
        user.set_password(PASSWORD)
        user.save()
        user.groups.add(roles[role])
        return user

    application = make_awarded()
    project = create_project(actor=User.objects.get(email=ADMIN), application=application)
    member = person(MEMBER, Role.ORGANISATION_MEMBER, "敏", "王")
    Membership.objects.create(user=member, organisation=application.organisation)
    supervisor = person(SUPERVISOR, Role.SUPERVISOR, "督导", "陈")
    evaluator = person(EVALUATOR, Role.EVALUATOR, "评估", "刘")
    return {
        "project": project.pk,
        "objectives": {o.term: o.pk for o in application.objectives.all()},
        "budget": {line.item: line.pk for line in application.budget_lines.all()},
        "supervisor": supervisor.pk,
        "evaluator": evaluator.pk,
        "award": project.award,
    }


def _read(hub, read):
    """Read the hub's database between two browser steps (as test_funding.py does)."""
    with tenant_context(hub):
        result = read()
    connection.set_schema_to_public()
    return result


def _project(hub, pk) -> dict:
    def read():
        from incubator.projects.models import Project

        project = Project.objects.get(pk=pk)
        return {
            "status": project.status,
            "signed_by": (project.signed_by_organisation, project.signed_by_hub),
            "supervisor": project.supervisor_id,
            "evaluator": project.evaluator_id,
            "released": [i.released_on is not None for i in project.installments.order_by("position")],
            "released_total": sum(i.amount for i in project.installments.all() if i.released_on),
            "activities": project.activities.count(),
            "reports": list(project.reports.order_by("id").values_list("kind", flat=True)),
            "rectifications": list(project.rectifications.order_by("id").values_list("pk", "status")),
            "mid_term_accepted_on": project.mid_term_accepted_on,
            "ballots": project.ballots.count(),
            "appraisal_published": project.appraisal_published_at is not None,
            "grade": project.grade,
            "is_brand": project.is_brand,
            "progress_published": project.progress_published,
        }

    return _read(hub, read)


def _new_page(browser, width=1280, height=900):
    return browser.new_context(locale="zh-CN", viewport={"width": width, "height": height}).new_page()


def _submit(page, button):
    """Click a submit button and wait for the page the POST leads to (a redirect, or the form again)."""
    with page.expect_navigation():
        button.click()


def sign_in_portal(page, server, email):
    page.goto(server.url(HOST, "/portal/login/"))
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("#portal-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/portal/$"))


def _release(operator, position):
    row = operator.locator(f"#installments tr[data-installment='{position}']")
    row.locator("form[data-action=release] input[name=confirm]").check()
    _submit(operator, row.locator("form[data-action=release] button[type=submit]"))
    expect(operator.locator(".messages li.success")).to_be_visible()
    expect(operator.locator(f"#installments tr[data-installment='{position}'] form")).to_have_count(0)


def _step(operator, name):
    """One of the workflow buttons of the operator's project page."""
    _submit(operator, operator.locator(f"form[data-action={name}] button[type=submit]"))
    expect(operator.locator(".messages li.success")).to_be_visible()


def _report(page, kind, start, end, summary, values: dict, spending: dict | None = None):
    """Fill in the report form; ``spending`` maps a budget line's id to (actual, note) for the statement."""
    form = page.locator("#submit-report form")
    form.locator("select[name=kind]").select_option(kind)
    form.locator("input[name=period_start]").fill(start.isoformat())
    form.locator("input[name=period_end]").fill(end.isoformat())
    form.locator("textarea[name=summary]").fill(summary)
    for pk, value in values.items():
        form.locator(f"input[name=value_{pk}]").fill(value)
    for pk, (actual, note) in (spending or {}).items():
        form.locator(f"input[name=spending_{pk}]").fill(actual)
        form.locator(f"input[name=spending_note_{pk}]").fill(note)
    _submit(page, form.locator("button[type=submit]"))


def _download_pdf(page, link):
    """Click a contract link: the browser downloads a PDF named after the contract number."""
    with page.expect_download() as download:
        link.click()
    assert re.fullmatch(r"contract-GYCT-\d{3}-\d{4}\.pdf", download.value.suggested_filename)
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (11, 110, 79)).save(buffer, format="PNG")
    return buffer.getvalue()


def _evidence_on_the_activity(member, hub, pk):
    """A page of script renamed .jpg is refused next to the file field, the title kept; a real photo is
    added, shown on the public page; a wrong file is removed after confirming."""

    def activity_id():
        from incubator.projects.models import ProjectActivity

        return ProjectActivity.objects.get(project_id=pk).pk

    key = f"activity-{_read(hub, activity_id)}"
    box = member.locator(f"#evidence-{key}")
    box.locator("summary").click()
    form = box.locator("form")
    form.locator("input[name=file]").set_input_files(
        {"name": "照片.jpg", "mimeType": "image/jpeg", "buffer": b"<svg onload=alert(1)>"}
    )
    form.locator("input[name=title]").fill("入户评估现场")
    _submit(member, form.locator("button[type=submit]"))
    expect(member.locator(".messages li.error")).to_be_visible()
    form = member.locator(f"#evidence-{key} form[enctype]")
    expect(form.locator(f"#id_evidence-{key}_file_error")).to_be_visible()
    expect(form.locator("input[name=title]")).to_have_value("入户评估现场")
    member.screenshot(path=artifact_path("projects_portal_evidence_refused"), full_page=True)
    form.locator("input[name=file]").set_input_files({"name": "现场.png", "mimeType": "image/png", "buffer": _png()})
    form.locator("input[name=public]").check()
    _submit(member, form.locator("button[type=submit]"))
    expect(member.locator(".messages li.success")).to_be_visible()
    box = member.locator(f"#evidence-{key}")
    expect(box.locator("img.thumb")).to_have_count(1)
    expect(box.locator(".status-tag.public")).to_have_count(1)
    # A wrong file, removed after saying yes.
    box.locator("summary").last.click()
    form = box.locator("form[enctype]")
    form.locator("input[name=file]").set_input_files(
        {"name": "错的.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 wrong"}
    )
    _submit(member, form.locator("button[type=submit]"))
    box = member.locator(f"#evidence-{key}")
    expect(box.locator(".evidence-list li")).to_have_count(2)
    wrong = box.locator(".evidence-list li").nth(1)
    wrong.locator("details.remove summary").click()
    _submit(member, wrong.locator("button.danger"))
    expect(member.locator(f"#evidence-{key} .evidence-list li")).to_have_count(1)
    member.locator(f"#evidence-{key}").screenshot(path=artifact_path("projects_portal_evidence"))


def test_a_funded_project_from_contract_to_closing(browser, page, live_hub_server, projects_hub):
    hub, seed = projects_hub
    pk, objectives = seed["project"], seed["objectives"]
    short, medium, long = objectives["short"], objectives["medium"], objectives["long"]
    today = timezone.localdate()
    server = live_hub_server
    admin_url = server.url(HOST, f"/admin/projects/{pk}/")
    portal_url = server.url(HOST, f"/portal/projects/{pk}/")
    supervision_url = server.url(HOST, f"/supervision/{pk}/")
    member = page  # the fixture's page: a screenshot of it is kept if the test fails
    operator = _new_page(browser)
    supervisor = _new_page(browser)
    evaluator = _new_page(browser)
    resident = _new_page(browser, 390, 844)
    try:
        # 1. The operator records the signing, downloads the contract, releases installment 1, assigns people.
        login_hub_admin(operator, server, HOST, ADMIN, PASSWORD)
        operator.goto(admin_url)
        sign = operator.locator("form[data-action=sign]")
        sign.locator("input[name=signed_by_organisation]").fill("王敏")
        sign.locator("input[name=signed_by_hub]").fill("李强")
        _submit(operator, sign.locator("button[type=submit]"))
        expect(operator.locator(".messages li.success")).to_be_visible()
        expect(operator.locator("#signed")).to_contain_text("王敏")
        expect(operator.locator("#signed")).to_contain_text("李强")
        _download_pdf(operator, operator.locator(f"a[href$='/admin/projects/{pk}/contract.pdf']"))
        _release(operator, 1)
        supervisor_form = operator.locator("form[data-action=assign_supervisor]")
        supervisor_form.locator("select[name=person]").select_option(str(seed["supervisor"]))
        supervisor_form.locator("input[name=agency]").fill("江岸区社会组织服务中心")
        _submit(operator, supervisor_form.locator("button[type=submit]"))
        expect(operator.locator(".messages li.success")).to_be_visible()
        evaluator_form = operator.locator("form[data-action=assign_evaluator]")
        evaluator_form.locator("select[name=person]").select_option(str(seed["evaluator"]))
        evaluator_form.locator("input[name=agency]").fill("武汉市社会工作评估中心")
        _submit(operator, evaluator_form.locator("button[type=submit]"))
        expect(operator.locator(".messages li.success")).to_be_visible()
        expect(operator.locator("#people")).to_contain_text("江岸区社会组织服务中心")
        expect(operator.locator("#people")).to_contain_text("武汉市社会工作评估中心")
        operator.screenshot(path=artifact_path("projects_admin_signed"), full_page=True)
        state = _project(hub, pk)
        assert state["status"] == "active"
        assert state["signed_by"] == ("王敏", "李强")
        assert state["released"] == [True, False, False]
        assert (state["supervisor"], state["evaluator"]) == (seed["supervisor"], seed["evaluator"])

        # 2. The organisation logs an activity, reports its indicators, and is refused an early final report.
        sign_in_portal(member, server, MEMBER)
        member.goto(portal_url)
        _download_pdf(member, member.locator("#contract-link"))
        activity = member.locator("#log-activity form")
        activity.locator("input[name=held_on]").fill((today - datetime.timedelta(days=10)).isoformat())
        activity.locator("input[name=title]").fill("入户安全评估")
        activity.locator("input[name=participants]").fill("45")
        activity.locator("input[name=beneficiaries]").fill("40")
        _submit(member, activity.locator("button[type=submit]"))
        expect(member.locator(".messages li.success")).to_be_visible()
        expect(member.locator("#activities .beneficiaries")).to_have_text("40")
        _evidence_on_the_activity(member, hub, pk)

        first_period_end = today - datetime.timedelta(days=30)
        _report(
            member,
            "periodic",
            today - datetime.timedelta(days=120),
            first_period_end,
            "完成首批入户评估",
            {short: "30", medium: "20", long: "10"},
        )
        expect(member.locator(".messages li.success")).to_be_visible()
        expect(member.locator(f"#objective-{short} .cumulative")).to_contain_text("30")
        expect(member.locator(f"#objective-{medium} .cumulative")).to_contain_text("20")
        expect(member.locator(f"#objective-{long} .cumulative")).to_contain_text("10")
        expect(member.locator(f"#objective-{short} table tbody tr")).to_have_count(1)

        # The final report before the mid-term review is accepted: refused, nothing written.
        _report(
            member,
            "final",
            first_period_end + datetime.timedelta(days=1),
            today,
            "提前结项",
            {short: "50", medium: "30", long: "20"},
        )
        expect(member.locator(".messages li.error")).to_be_visible()
        expect(member.locator("#submit-report .error-summary")).to_be_visible()
        member.screenshot(path=artifact_path("projects_portal_final_refused"), full_page=True)
        state = _project(hub, pk)
        assert state["status"] == "active"
        assert state["reports"] == ["periodic"]
        assert state["activities"] == 1
        member.goto(portal_url + "#progress")
        member.locator("#progress").screenshot(path=artifact_path("projects_portal_progress"))

        # 3. The supervisor visits and requires a rectification; the organisation answers; the supervisor
        # accepts it, then starts and accepts the mid-term review.
        sign_in_portal(supervisor, server, SUPERVISOR)
        supervisor.goto(supervision_url)
        visit = supervisor.locator("#record-visit form")
        visit.locator("textarea[name=findings]").fill("活动台账不完整")
        visit.locator("textarea[name=recommendations]").fill("补齐签到表")
        visit.locator("textarea[name=rectification]").fill("补齐全部活动的签到表和照片")
        visit.locator("input[name=rectify_by]").fill((today + datetime.timedelta(days=14)).isoformat())
        _submit(supervisor, visit.locator("button[type=submit]"))
        expect(supervisor.locator(".messages li.success")).to_be_visible()
        state = _project(hub, pk)
        assert state["status"] == "rectifying"
        [(rectification, status)] = state["rectifications"]
        assert status == "open"

        member.goto(portal_url)
        answer = member.locator(f"#rectification-{rectification} form:has(input[name=action][value=answer])")
        answer.locator("textarea[name=answer]").fill("已补齐签到表和活动照片")
        _submit(member, answer.locator("button[type=submit]"))
        expect(member.locator(".messages li.success")).to_be_visible()
        expect(
            member.locator(f"#rectification-{rectification} form:has(input[name=action][value=answer])")
        ).to_have_count(0)

        supervisor.goto(supervision_url)
        review = supervisor.locator(f"#rectification-{rectification} form.review-form")
        review.locator("textarea[name=comment]").fill("整改到位")
        _submit(supervisor, review.locator("button[name=decision][value=accept]"))
        expect(supervisor.locator(".messages li.success")).to_be_visible()
        supervisor.screenshot(path=artifact_path("projects_supervision_rectification"), full_page=True)
        state = _project(hub, pk)
        assert state["status"] == "active"
        assert state["rectifications"] == [(rectification, "accepted")]

        start = supervisor.locator("#mid-term form:has(input[name=action][value=start_mid_term])")
        _submit(supervisor, start.locator("button[type=submit]"))
        expect(supervisor.locator(".messages li.success")).to_be_visible()
        assert _project(hub, pk)["status"] == "mid_term_review"
        mid_term = supervisor.locator("#mid-term form:has(input[name=action][value=mid_term])")
        mid_term.locator("textarea[name=opinion]").fill("进度正常，资金使用规范")
        mid_term.locator("input[name=accepted][value=yes]").check()
        _submit(supervisor, mid_term.locator("button[type=submit]"))
        expect(supervisor.locator(".messages li.success")).to_be_visible()
        expect(supervisor.locator("#mid-term form")).to_have_count(0)
        supervisor.screenshot(path=artifact_path("projects_supervision_mid_term"), full_page=True)
        state = _project(hub, pk)
        assert state["status"] == "active"
        assert state["mid_term_accepted_on"] == today

        # 4. The operator releases installment 2; the organisation submits its final report with the financial
        # statement: the materials line, 12.5 % over its 20000.00, is refused without a note, then explained.
        operator.goto(admin_url)
        _release(operator, 2)
        assert _project(hub, pk)["released"] == [True, True, False]

        budget = seed["budget"]
        materials, staff, admin_fee = budget["适老化改造材料"], budget["社工补贴"], budget["管理费"]
        spending = {materials: ("22500", ""), staff: ("9000", ""), admin_fee: ("1800.50", "")}
        member.goto(portal_url)
        _report(
            member,
            "final",
            first_period_end + datetime.timedelta(days=1),
            today,
            "项目全部完成",
            {short: "50", medium: "30", long: "20"},
            spending,
        )
        expect(member.locator("#submit-report .error-summary")).to_be_visible()
        row = member.locator(f"#statement-form tr[data-line='{materials}']")
        expect(row.locator(".errorlist")).to_be_visible()  # the refusal next to the note to write
        expect(row.locator(f"input[name=spending_{materials}]")).to_have_value("22500")  # the input kept
        expect(row.locator("[data-variance]")).to_have_text("2500.00")
        admin_row = member.locator(f"#statement-form tr[data-line='{admin_fee}']")
        expect(admin_row.locator(".errorlist")).to_be_visible()  # 1800.50 of 3333.33: 46 % under, no note
        member.screenshot(path=artifact_path("projects_portal_statement_refused"), full_page=True)
        assert _project(hub, pk)["reports"] == ["periodic"]
        member.locator(f"input[name=spending_note_{materials}]").fill("建材涨价，改造户数增加")
        member.locator(f"input[name=spending_note_{admin_fee}]").fill("办公用品由机构自筹")
        _submit(member, member.locator("#submit-report form button[type=submit]"))
        expect(member.locator(".messages li.success")).to_be_visible()
        expect(member.locator(f"#objective-{short} .cumulative")).to_contain_text("80")
        expect(member.locator(f"#objective-{short} .percent")).to_have_text("100%")
        expect(member.locator("#submit-report")).to_have_count(0)
        expect(member.locator("#reports table.statement [data-total=actual]")).to_have_text("33300.50")
        state = _project(hub, pk)
        assert state["status"] == "final_report_submitted"
        assert state["reports"] == ["periodic", "final"]

        # The operator reads the statement and returns the report with a reason; the organisation finds it back,
        # corrected nothing but the note, and submits it again; the operator accepts it.
        operator.goto(admin_url)
        expect(operator.locator(f"#statement tr[data-line='{materials}'] td[data-actual]")).to_have_text("22500.00")
        operator.locator("#return-final-report summary").click()
        back = operator.locator("form[data-action=return_final_report]")
        back.locator("textarea[name=reason]").fill("请说明社工补贴为何低于预算")
        back.locator("input[name=confirm]").check()
        _submit(operator, back.locator("button[type=submit]"))
        expect(operator.locator(".messages li.success")).to_be_visible()
        assert _project(hub, pk)["status"] == "final_report_due"

        member.goto(portal_url)
        expect(member.locator("#next-steps li.urgent")).to_contain_text("请说明社工补贴为何低于预算")
        expect(member.locator(f"input[name=spending_{materials}]")).to_have_value("22500.00")  # as it was sent
        member.locator(f"input[name=spending_note_{staff}]").fill("一名社工离职，补贴按实际发放")
        _submit(member, member.locator("#submit-report form button[type=submit]"))
        expect(member.locator(".messages li.success")).to_be_visible()
        expect(member.locator("#reports .report.returned .return-reason")).to_contain_text("请说明社工补贴为何低于预算")
        state = _project(hub, pk)
        assert state["status"] == "final_report_submitted"
        assert state["reports"] == ["periodic", "final", "final"]

        operator.goto(admin_url)
        _step(operator, "accept_final_report")
        assert _project(hub, pk)["status"] == "final_report_accepted"

        # 5. The residents' appraisal: one answer per phone, the second refused; results published.
        _step(operator, "start_appraisal")
        assert _project(hub, pk)["status"] == "appraisal"
        appraisal_url = operator.locator("#appraisal-link").get_attribute("href")
        assert appraisal_url.startswith(server.url(HOST, "/appraisal/"))

        def answer_appraisal():
            resident.goto(appraisal_url)
            form = resident.locator("#appraisal-form")
            form.locator("input[name=satisfaction][value='5']").check()
            form.locator("input[name=usefulness][value='4']").check()
            form.locator("input[name=took_part][value=yes]").check()
            form.locator("textarea[name=comment]").fill("老人家里装了扶手，很实用")
            resident.wait_for_timeout(2500)  # the form refuses answers sent within 2 s of being served
            _submit(resident, form.locator("button[type=submit]"))

        answer_appraisal()
        expect(resident.locator("#appraisal-thanks")).to_be_visible()
        resident.screenshot(path=artifact_path("projects_appraisal_phone"), full_page=True)
        answer_appraisal()
        expect(resident.locator("#appraisal-errors")).to_be_visible()
        expect(resident.locator("#appraisal-thanks")).to_have_count(0)
        resident.screenshot(path=artifact_path("projects_appraisal_second_answer"), full_page=True)
        assert _project(hub, pk)["ballots"] == 1

        operator.goto(admin_url)
        _step(operator, "publish_appraisal")
        assert _project(hub, pk)["appraisal_published"]
        resident.goto(server.url(HOST, f"/notices/appraisals/{pk}/"))
        expect(resident.locator("#appraisal-results .appraisal-figures li").first.locator("strong")).to_have_text("1")
        resident.screenshot(path=artifact_path("projects_appraisal_results"), full_page=True)

        # 6. The third-party evaluation (excellent), acceptance and closing, published progress, portfolio.
        operator.goto(admin_url)
        _step(operator, "start_evaluation")
        assert _project(hub, pk)["status"] == "evaluating"

        sign_in_portal(evaluator, server, EVALUATOR)
        evaluator.goto(server.url(HOST, f"/evaluation/{pk}/"))
        expect(evaluator.locator("#activities .evidence-list img.thumb")).to_have_count(1)  # the photo, privately
        expect(evaluator.locator("#appraisal-answers")).to_be_visible()
        form = evaluator.locator("#evaluate form")
        for objective, achieved in ((short, "80"), (medium, "50"), (long, "30")):
            form.locator(f"input[name=achieved_{objective}]").fill(achieved)
            form.locator(f"input[name=score_{objective}]").fill("9")
        form.locator("select[name=grade]").select_option("excellent")
        form.locator("textarea[name=findings]").fill("目标全部达成，居民满意度高")
        form.locator("textarea[name=recommendations]").fill("总结经验，推广到其他社区")
        _submit(evaluator, form.locator("button[type=submit]"))
        expect(evaluator.locator(".messages li.success")).to_be_visible()
        expect(evaluator.locator("#evaluations .evaluation")).to_have_count(1)
        expect(evaluator.locator("#evaluate")).to_have_count(0)
        evaluator.screenshot(path=artifact_path("projects_evaluation"), full_page=True)
        state = _project(hub, pk)
        assert state["status"] == "evaluated"
        assert (state["grade"], state["is_brand"]) == ("excellent", True)

        operator.goto(admin_url)
        operator.locator("form[data-action=accept] input[name=confirm]").check()
        _step(operator, "accept")
        _step(operator, "publish_progress")
        expect(operator.locator("form[data-action=hide_progress]")).to_be_visible()
        expect(operator.locator("#evidence-files tbody tr[data-evidence]")).to_have_count(1)
        resident.goto(server.url(HOST, f"/progress/{pk}/"))
        expect(resident.locator("#photos img")).to_have_count(1)
        assert resident.evaluate("document.querySelector('#photos img').naturalWidth") == 320
        resident.screenshot(path=artifact_path("projects_public_photos_phone"), full_page=True)
        expect(operator.locator("#installments form[data-action=release]")).to_have_count(0)
        expect(operator.locator("#money td[data-money=released]")).to_have_text(
            operator.locator("#money td[data-money=award]").inner_text()
        )
        operator.screenshot(path=artifact_path("projects_admin_closed"), full_page=True)
        state = _project(hub, pk)
        assert state["status"] == "closed"
        assert state["released"] == [True, True, True]
        assert state["released_total"] == seed["award"]
        assert state["progress_published"]

        resident.goto(server.url(HOST, f"/progress/{pk}/"))
        expect(resident.locator(f"#project-story-{pk} #brand-badge")).to_be_visible()
        expect(resident.locator("#evaluation-grade")).to_be_visible()
        resident.screenshot(path=artifact_path("projects_progress_public"), full_page=True)

        operator.goto(server.url(HOST, "/admin/projects/portfolio/"))
        expect(operator.locator("#by-state tr[data-state=closed] td").nth(1)).to_have_text("1")
        figures = operator.locator("#key-figures")
        expect(figures.locator("td[data-figure=projects]")).to_have_text("1")
        expect(figures.locator("td[data-figure=brand]")).to_have_text("1")
        award = figures.locator("td[data-figure=award]").inner_text()
        expect(figures.locator("td[data-figure=released]")).to_have_text(award)
        assert award.replace(",", "") == f"{seed['award']:.2f}"
        operator.screenshot(path=artifact_path("projects_portfolio"), full_page=True)
    finally:
        for other in (operator, supervisor, evaluator, resident):
            other.context.close()
