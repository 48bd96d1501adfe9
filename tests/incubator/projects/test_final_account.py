"""The financial statement (决算) of the final report, and the hub's acceptance or return of that report.

The statement gives the actual spending on every approved budget line (0 allowed) with a note wherever a line
strays by more than VARIANCE_NOTE_PERCENT; the operator accepts the report (only once the statement is
complete) or returns it with a reason the organisation reads, corrects and resubmits; only then does the
residents' appraisal open. The portfolio and its export show the approved budget against the actual spending.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.html import escape
from django.utils.translation import gettext, override
from django_tenants.utils import tenant_context

from incubator.accounts.models import User
from incubator.accounts.roles import Role
from incubator.audit.models import AuditEvent
from incubator.funding.models import Application
from incubator.projects import selectors, services
from incubator.projects.models import VARIANCE_NOTE_PERCENT, ProgressReport, Project, SpendingLine
from incubator.workflow import TransitionError
from tests.conftest import HUB_A, HUB_B
from tests.factories import OrganisationFactory, UserFactory
from tests.incubator.projects.conftest import (
    TODAY,
    drive,
    make_awarded,
    next_period_start,
    run_to,
    spending_for,
    submit_final_report,
    values_for,
)

pytestmark = pytest.mark.django_db
A = {"HTTP_HOST": HUB_A["domain"]}
B = {"HTTP_HOST": HUB_B["domain"]}


def lines(project):
    """The budget lines by item: 适老化改造材料 20000.00, 社工补贴 10000.00, 管理费 3333.33 (the award)."""
    return {line.item: line for line in project.application.budget_lines.all()}


def final(project, member, spending, **overrides):
    arguments = {
        "actor": member,
        "project": project,
        "kind": "final",
        "period_start": next_period_start(project),
        "period_end": TODAY(),
        "summary": "项目完成",
        "values": values_for(project),
        "spending": spending,
        **overrides,
    }
    return services.submit_report(**arguments)


def msg(msgid, **values):
    """A message as the back office shows it (in the hub's language once translated), escaped."""
    with override("zh-hans"):
        text = gettext(msgid)
        return escape(text % values if values else text)


# --- The approved budget and the arithmetic --------------------------------------------------------------------


def test_each_line_is_approved_as_it_stands_when_the_budget_is_the_award(project):
    approved = services.approved_budget(project)
    assert [(line.item, amount) for line, amount in approved] == [
        ("适老化改造材料", Decimal("20000.00")),  # ordered by category, as the application lists them
        ("管理费", Decimal("3333.33")),
        ("社工补贴", Decimal("10000.00")),
    ]
    assert sum(amount for _line, amount in approved) == project.award == Decimal("33333.33")


@pytest.mark.parametrize(
    ("budget", "award", "expected"),
    [
        # 33333.33 split 2:2:1 leaves a cent: it goes to the line with the largest remainder (6666.666…).
        (("20000", "20000", "10000"), "33333.33", ("13333.33", "13333.33", "6666.67")),
        # Three equal lines of a 20000 award: two take the cents rounding leaves, the earlier lines first.
        (("10000", "10000", "10000"), "20000.00", ("6666.67", "6666.67", "6666.66")),
        (("0.03", "0.03", "0.03"), "0.05", ("0.02", "0.02", "0.01")),
    ],
)
def test_partial_funding_approves_each_line_its_share_of_the_award_to_the_cent(
    operator, in_hub_a, budget, award, expected
):
    application = make_awarded(
        budget=[("activities", f"第{i}项", amount) for i, amount in enumerate(budget, start=1)],
        organisation=OrganisationFactory(),
    )
    Application.objects.filter(pk=application.pk).update(awarded_amount=Decimal(award))
    application.refresh_from_db()
    project = services.create_project(actor=operator, application=application)
    approved = [amount for _line, amount in services.approved_budget(project)]
    assert approved == [Decimal(e) for e in expected]
    assert sum(approved) == Decimal(award) and all(isinstance(a, Decimal) for a in approved)


def test_the_statement_adds_up_exactly_in_decimal(project, people):
    drive(project, people, "mid_term_accepted")
    by_item = lines(project)
    thirds = {  # 33333.33 spent in three equal parts, each far from its line: every line explains itself
        item: ("11111.11", "按实际支出") for item in by_item
    }
    report = final(project, people["member"], spending_for(project, **thirds))
    statement = services.statement_of(report)
    assert statement.actual == Decimal("33333.33") == statement.budgeted and statement.variance == Decimal("0.00")
    assert statement.variance_percent == Decimal("0.0")
    rows = {row.budget_line.item: row for row in statement.rows}
    assert rows["适老化改造材料"].variance == Decimal("-8888.89")
    assert rows["社工补贴"].variance == Decimal("1111.11")
    assert rows["管理费"].variance == Decimal("7777.78")
    assert [rows[i].variance_percent for i in ("适老化改造材料", "社工补贴", "管理费")] == [
        Decimal("-44.4"),
        Decimal("11.1"),
        Decimal("233.3"),
    ]
    assert all(isinstance(row.actual, Decimal) for row in statement.rows)


def test_amounts_are_quantised_to_the_cent(project, people):
    drive(project, people, "mid_term_accepted")
    by_item = lines(project)
    report = final(
        project,
        people["member"],
        spending_for(project, 适老化改造材料=("19999.995", ""), 社工补贴=("10000", "")),
    )
    spent = {s.budget_line_id: s.actual for s in report.spending.all()}
    assert spent[by_item["适老化改造材料"].pk] == Decimal("20000.00")  # half a cent rounds up
    assert spent[by_item["社工补贴"].pk] == Decimal("10000.00")


# --- What the statement requires -------------------------------------------------------------------------------


def test_every_budget_line_needs_its_actual_spending_and_zero_is_an_amount(project, people):
    drive(project, people, "mid_term_accepted")
    by_item = lines(project)
    spending = spending_for(project)
    del spending[by_item["社工补贴"].pk]
    spending[by_item["管理费"].pk] = ("abc", "")
    with pytest.raises(ValidationError) as refused, override("en"):
        final(project, people["member"], spending)
    errors = refused.value.message_dict
    assert set(errors) == {f"spending_{by_item['社工补贴'].pk}", f"spending_{by_item['管理费'].pk}"}
    assert (
        "Give what was actually spent on “社工补贴” (0 if nothing was spent)."
        in errors[f"spending_{by_item['社工补贴'].pk}"]
    )
    assert not ProgressReport.objects.filter(project=project, kind="final").exists()
    assert Project.objects.get(pk=project.pk).status == "active"

    # Zero is an amount: nothing spent on administration, explained since it is 100 % under its budget.
    report = final(
        project,
        people["member"],
        spending_for(project, 管理费=("0", "管理费由机构自筹"), 适老化改造材料=("23333.33", "材料涨价")),
    )
    assert report.spending.get(budget_line=by_item["管理费"]).actual == Decimal("0.00")
    assert Project.objects.get(pk=project.pk).status == "final_report_submitted"


def test_a_note_is_needed_past_the_threshold_and_not_up_to_it(project, people):
    assert VARIANCE_NOTE_PERCENT == Decimal("10")
    drive(project, people, "mid_term_accepted")
    by_item = lines(project)
    note_field = f"spending_note_{by_item['适老化改造材料'].pk}"
    for past in ("22000.01", "17999.99"):  # 20000.00 approved: a cent past 10 % either way
        with pytest.raises(ValidationError) as refused, override("en"):
            final(project, people["member"], spending_for(project, 适老化改造材料=(past, "")))
        assert set(refused.value.message_dict) == {note_field}
        assert "more than 10%: say why" in refused.value.message_dict[note_field][0]
    # Exactly 10 % over (and 10 % under on another line) needs no note.
    report = final(
        project,
        people["member"],
        spending_for(project, 适老化改造材料=("22000.00", ""), 社工补贴=("9000.00", "")),
    )
    assert not any(row.needs_note for row in report.spending.all())


def test_the_statement_is_ignored_for_other_reports_and_unchanged_periodic_reports_need_none(project, people):
    drive(project, people, "active")
    report = services.submit_report(
        actor=people["member"],
        project=project,
        kind="periodic",
        period_start=project.starts_on,
        period_end=TODAY() - datetime.timedelta(days=5),
        summary="第一阶段",
        values=values_for(project),
    )
    assert not report.spending.exists()


# --- Accept or return ------------------------------------------------------------------------------------------


def test_returned_then_resubmitted_then_accepted_then_the_appraisal(project, people, mailed):
    drive(project, people, "final_report_submitted")
    operator, member = people["operator"], people["member"]
    first = ProgressReport.objects.get(project=project, kind="final")

    with pytest.raises(TransitionError) as refused, override("en"):
        services.return_final_report(actor=operator, project=project, reason="  ")
    assert "Please give a reason" in refused.value.message
    with pytest.raises(TransitionError) as refused, override("en"):  # the appraisal waits for the acceptance
        services.start_appraisal(actor=operator, project=project)
    assert "is not possible while" in refused.value.message

    reason = "管理费支出缺少发票，请补充说明后重新提交。"
    _project, sent = mailed(lambda: services.return_final_report(actor=operator, project=project, reason=reason))
    project.refresh_from_db()
    assert project.status == "final_report_due"
    first.refresh_from_db()
    assert first.returned_at is not None and first.return_reason == reason
    assert people["member"].pk in {pk for pk, _subject in sent}
    event = AuditEvent.objects.get(action="project.return_final_report", subject_id=str(project.pk))
    assert (event.from_state, event.to_state, event.reason, event.actor_id) == (
        "final_report_submitted",
        "final_report_due",
        reason,
        operator.pk,
    )
    # The returned report counts for nothing: progress falls back, and its period can be reported again.
    assert services.progress(project)[0]["cumulative"] == Decimal("0")
    assert services.current_final_report(project) is None
    with pytest.raises(TransitionError):
        services.accept_final_report(actor=operator, project=project)

    second = final(project, member, spending_for(project), period_start=first.period_start, summary="已补充说明")
    project.refresh_from_db()
    assert project.status == "final_report_submitted"
    assert services.current_final_report(project) == second
    assert services.progress(project)[0]["cumulative"] == Decimal("10")
    assert ProgressReport.objects.filter(project=project, kind="final").count() == 2  # the history stays

    services.accept_final_report(actor=operator, project=project)
    project.refresh_from_db()
    assert project.status == "final_report_accepted"
    assert AuditEvent.objects.filter(action="project.accept_final_report", subject_id=str(project.pk)).exists()
    services.start_appraisal(actor=operator, project=project)
    assert Project.objects.get(pk=project.pk).status == "appraisal"
    with pytest.raises(TransitionError):  # accepted: no further final report
        final(project, member, spending_for(project))


def test_who_may_accept_and_when(project, people):
    member, supervisor, operator = people["member"], people["supervisor"], people["operator"]
    drive(project, people, "mid_term_accepted")
    with pytest.raises(TransitionError) as refused, override("en"):
        services.accept_final_report(actor=operator, project=project)
    assert "“Accept the final report” is not possible while" in refused.value.message
    submit_final_report(project, member)
    for outsider in (member, supervisor):
        with pytest.raises(PermissionDenied):
            services.accept_final_report(actor=outsider, project=project)
        with pytest.raises(PermissionDenied):
            services.return_final_report(actor=outsider, project=project, reason="不行")
    assert Project.objects.get(pk=project.pk).status == "final_report_submitted"


def test_an_incomplete_statement_cannot_be_accepted(project, people):
    drive(project, people, "final_report_submitted")
    report = services.current_final_report(project)
    # A report from before statements existed, or a line the statement lost: the guard lists what is missing.
    SpendingLine.objects.filter(report=report, budget_line__item="社工补贴").delete()
    SpendingLine.objects.filter(report=report, budget_line__item="管理费").update(actual=Decimal("0.00"))
    with pytest.raises(TransitionError) as refused, override("en"):
        services.accept_final_report(actor=people["operator"], project=project)
    assert refused.value.messages == [
        "The financial statement does not say why “管理费” differs from its approved budget.",
        "The financial statement gives no actual spending for “社工补贴”.",
    ]
    assert Project.objects.get(pk=project.pk).status == "final_report_submitted"
    services.return_final_report(actor=people["operator"], project=project, reason="请补全决算")
    assert Project.objects.get(pk=project.pk).status == "final_report_due"


# --- Through the pages -----------------------------------------------------------------------------------------


@pytest.fixture
def english(client):
    client.cookies["hubs_language"] = "en"
    return client


def _form_data(project, **overrides):
    data = {
        "action": "report",
        "kind": "final",
        "period_start": next_period_start(project).isoformat(),
        "period_end": TODAY().isoformat(),
        "summary": "项目完成",
    }
    for objective in project.application.objectives.all():
        data[f"value_{objective.pk}"] = "10"
    for line, approved in services.approved_budget(project):
        data[f"spending_{line.pk}"] = str(approved)
        data[f"spending_note_{line.pk}"] = ""
    return {**data, **overrides}


def test_the_portal_form_takes_the_statement_errors_next_to_the_fields_input_kept(english, project, people):
    client = english
    drive(project, people, "mid_term_accepted")
    by_item = lines(project)
    materials, staff = by_item["适老化改造材料"].pk, by_item["社工补贴"].pk
    portal = f"/portal/projects/{project.pk}/"
    client.force_login(people["member"])
    page = client.get(portal, **A).content.decode()
    assert 'id="statement-form"' in page and "适老化改造材料" in page and "20000.00" in page
    assert "by more than 10% needs a note" in page  # the threshold, said in the form

    sent = client.post(
        portal, _form_data(project, **{f"spending_{materials}": "25000.50", f"spending_{staff}": ""}), **A
    )
    assert sent.status_code == 200
    page = sent.content.decode()
    row = page[page.index(f'data-line="{materials}"') :]
    row = row[: row.index("</tr>")]
    assert 'value="25000.50"' in row  # the input as typed
    assert "5000.50" in row and "25.0%" in row  # its variance, computed on the server
    assert "more than 10%: say why" in row  # the refusal next to the note
    staff_row = page[page.index(f'data-line="{staff}"') :]
    staff_row = staff_row[: staff_row.index("</tr>")]
    assert "Give what was actually spent on “社工补贴”" in staff_row
    assert not ProgressReport.objects.filter(project=project, kind="final").exists()

    sent = client.post(
        portal,
        _form_data(project, **{f"spending_{materials}": "25000.50", f"spending_note_{materials}": "材料涨价"}),
        **A,
    )
    assert sent.status_code == 302
    assert Project.objects.get(pk=project.pk).status == "final_report_submitted"
    page = client.get(portal, **A).content.decode()
    assert 'class="statement"' in page and "材料涨价" in page and "25000.50" in page
    assert "38333.83" in page  # the total actually spent


def test_a_periodic_report_ignores_what_the_statement_holds(english, project, people):
    client = english
    drive(project, people, "active")
    data = _form_data(project, kind="periodic", period_end=(TODAY() - datetime.timedelta(days=3)).isoformat())
    data.update({key: "nonsense" for key in data if key.startswith("spending_")})
    client.force_login(people["member"])
    assert client.post(f"/portal/projects/{project.pk}/", data, **A).status_code == 302
    report = ProgressReport.objects.get(project=project)
    assert report.kind == "periodic" and not report.spending.exists()


def test_the_operator_returns_then_accepts_through_the_page(client, project, people):
    drive(project, people, "final_report_submitted")
    operator = people["operator"]
    url = f"/admin/projects/{project.pk}/"
    client.force_login(operator)
    page = client.get(url, **A).content.decode()
    assert 'id="statement"' in page and 'data-action="accept_final_report"' in page
    assert 'data-action="return_final_report"' in page and 'name="reason"' in page

    def post(data):
        response = client.post(url, data, **A)
        assert response.status_code == 302
        return client.get(response["Location"], **A).content.decode()

    page = post({"action": "step", "step": "return_final_report", "reason": "", "confirm": "on"})
    assert msg("Say why the final report is returned.") in page
    page = post({"action": "step", "step": "return_final_report", "reason": "请补充管理费发票"})
    assert msg("Tick the box to confirm the return.") in page
    assert Project.objects.get(pk=project.pk).status == "final_report_submitted"
    post({"action": "step", "step": "return_final_report", "reason": "请补充管理费发票", "confirm": "on"})
    assert Project.objects.get(pk=project.pk).status == "final_report_due"
    page = client.get(url, **A).content.decode()
    assert "请补充管理费发票" in page and 'class="returned"' in page

    # The organisation reads the reason and finds its report back in the form, to correct and send again.
    member = people["member"]
    client.cookies["hubs_language"] = "en"
    client.force_login(member)
    portal = f"/portal/projects/{project.pk}/"
    page = client.get(portal, **A).content.decode()
    assert "The hub returned your final report: “请补充管理费发票”" in page
    returned = ProgressReport.objects.get(project=project, kind="final")
    assert f'value="{returned.period_start.isoformat()}"' in page and "项目完成</textarea>" in page
    sent = client.post(portal, _form_data(project, period_start=returned.period_start.isoformat()), **A)
    assert sent.status_code == 302
    assert Project.objects.get(pk=project.pk).status == "final_report_submitted"

    client.force_login(operator)
    post({"action": "step", "step": "accept_final_report"})
    assert Project.objects.get(pk=project.pk).status == "final_report_accepted"
    page = client.get(url, **A).content.decode()
    assert 'data-action="start_appraisal"' in page and 'data-action="accept_final_report"' not in page


def test_the_evaluator_reads_the_statement(client, project, people):
    drive(project, people, "evaluating")
    client.force_login(people["evaluator"])
    page = client.get(f"/evaluation/{project.pk}/", **A).content.decode()
    section = page[page.index('id="final-report"') :]
    assert 'class="statement"' in section[: section.index("</section>")] and "33333.33" in section


BUTTONS = ("accept_final_report", "return_final_report")


def test_hub_b_cannot_accept_or_return_hub_a_final_report(client, in_hub_a, project, people, hub_b):
    drive(project, people, "final_report_submitted")
    pk = project.pk
    with tenant_context(hub_b):
        admin_b = User.objects.get(email=HUB_B["admin_email"])
        client.force_login(admin_b)
    steps = [{"action": "step", "step": step, "reason": "越权", "confirm": "on"} for step in BUTTONS]
    for data in steps:
        assert client.post(f"/admin/projects/{pk}/", data, **B).status_code == 404
    for data in steps:  # hub B's session means nothing on hub A's host: sent to sign in, nothing done
        response = client.post(f"/admin/projects/{pk}/", data, **A)
        assert response.status_code == 302 and "login" in response["Location"]
    with tenant_context(in_hub_a):
        project.refresh_from_db()
        assert project.status == "final_report_submitted"
        assert services.current_final_report(project).returned_at is None


# --- The portfolio ---------------------------------------------------------------------------------------------


def test_the_portfolio_and_its_export_show_budget_against_actual(client, operator, people, project):
    from openpyxl import load_workbook

    # Project 1 (the fixture's) spent 30000.00 of its 33333.33; project 2's statement was returned (it does not
    # count); project 3 has no final report yet.
    drive(project, people, "mid_term_accepted")
    final(project, people["member"], spending_for(project, 适老化改造材料=("16666.67", "疫情影响，部分改造取消")))
    second = services.create_project(
        actor=operator, application=make_awarded(organisation=OrganisationFactory(), title="项目二")
    )
    member_two = UserFactory(email="two@org.test", roles=[Role.ORGANISATION_MEMBER], member_of=second.organisation)
    run_to(second, **{**people, "member": member_two}, state="final_report_submitted")
    services.return_final_report(actor=operator, project=second, reason="重做")
    services.create_project(actor=operator, application=make_awarded(organisation=OrganisationFactory(), title="三"))

    data = selectors.portfolio()
    assert (data.statements, data.statement_budget, data.spent) == (1, Decimal("33333.33"), Decimal("30000.00"))
    assert data.spending_variance == Decimal("-3333.33") and data.spending_variance_percent == Decimal("-10.0")

    client.force_login(operator)
    page = client.get("/admin/projects/portfolio/", **A).content.decode()
    assert 'data-figure="statements">1<' in page and 'data-figure="spent">30000.00<' in page
    assert 'data-figure="statement-budget">33333.33<' in page and "-3333.33 (-10.0%)" in page

    workbook = load_workbook(io.BytesIO(client.get("/admin/projects/portfolio/export/", **A).content))
    header, *rows = list(workbook.worksheets[0].values)
    with override("zh-hans"):
        spent_label, variance_label = (
            gettext("Actually spent (yuan)"),
            gettext("Variance from the approved budget (yuan)"),
        )
    assert header[8:10] == (spent_label, variance_label)  # labels, next to the money columns
    by_title = {row[0]: row for row in rows}
    assert by_title["老人居家防跌倒"][8:10] == (30000, -3333.33)
    assert by_title["项目二"][8:10] == (None, None) and by_title["三"][8:10] == (None, None)
    summary = {row[0]: row[1] for row in workbook.worksheets[1].values}
    assert summary[spent_label] == 30000 and summary[variance_label] == -3333.33
