"""Funded projects over HTTP: the organisation's portal, the supervisor's and the evaluator's pages, and the
walls between them (organisations, assignments, roles, hubs)."""

import datetime
from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from incubator.accounts.models import User
from incubator.accounts.roles import Role
from incubator.orgs.models import Membership
from incubator.projects import services
from incubator.projects.models import (
    Evaluation,
    Installment,
    ProgressReport,
    Project,
    ProjectActivity,
    Rectification,
    SupervisionVisit,
)
from tests.conftest import HUB_A, HUB_B
from tests.factories import OrganisationFactory, UserFactory
from tests.incubator.projects.conftest import TODAY, drive

pytestmark = pytest.mark.django_db
A = {"HTTP_HOST": HUB_A["domain"]}
B = {"HTTP_HOST": HUB_B["domain"]}


@pytest.fixture
def english(client):
    """Messages in English, so the assertions do not depend on the state of the Chinese catalogue."""
    client.cookies["hubs_language"] = "en"
    return client


def day(offset=0):
    return (TODAY() + datetime.timedelta(days=offset)).isoformat()


def report_data(project, kind="periodic", value="40", **overrides):
    data = {
        "action": "report",
        "kind": kind,
        "period_start": project.starts_on.isoformat(),
        "period_end": day(),
        "summary": "第一阶段入户评估完成",
    }
    for objective in project.application.objectives.all():
        data[f"value_{objective.pk}"] = value
        data[f"note_{objective.pk}"] = "按计划"
    return {**data, **overrides}


def evaluation_data(project, grade, score="9", **overrides):
    data = {"action": "evaluate", "grade": grade, "findings": "成效显著", "recommendations": "推广入户评估经验"}
    for objective in project.application.objectives.all():
        data.update(
            {f"achieved_{objective.pk}": "40", f"score_{objective.pk}": score, f"comment_{objective.pk}": "属实"}
        )
    return {**data, **overrides}


def test_the_organisation_follows_its_money_logs_an_activity_and_reports(english, project, people):
    client = english
    drive(project, people, "active")
    client.force_login(people["member"])
    listing = client.get("/portal/projects/", **A).content.decode()
    assert project.application.title in listing and f"/portal/projects/{project.pk}/" in listing

    url = f"/portal/projects/{project.pk}/"
    page = client.get(url, **A).content.decode()
    # The installments add up to the award; the first one's condition (signing) holds.
    assert 'id="installments-total">33333.33<' in page
    assert "Contract signed" in page and "Final evaluation accepted" in page
    assert f"Final report due on {project.final_report_due_on.isoformat()}." in page
    assert f"/portal/projects/{project.pk}/contract.pdf" in page

    logged = client.post(
        url,
        {
            "action": "activity",
            "held_on": day(),
            "title": "入户评估",
            "description": "社工入户",
            "participants": "30",
            "beneficiaries": "25",
        },
        **A,
    )
    assert logged.status_code == 302 and logged["Location"].endswith("#activities")
    activity = ProjectActivity.objects.get(project=project)
    assert (activity.title, activity.participants, activity.beneficiaries) == ("入户评估", 30, 25)

    reported = client.post(url, report_data(project), **A)
    assert reported.status_code == 302
    report = ProgressReport.objects.get(project=project)
    assert report.kind == "periodic" and report.submitted_by == people["member"]
    assert sorted(v.actual for v in report.values.all()) == [Decimal("40.00")] * 3

    page = client.get(url, **A).content.decode()
    assert "入户评估" in page and "第一阶段入户评估完成" in page
    # 40 of 80 households assessed, 40 of 50 adapted, 40 of a 30% drop.
    assert "50%" in page and "80%" in page and "133%" in page
    assert "Activity logged." in page and "Report submitted." in page


def test_the_organisation_is_warned_of_what_is_overdue(english, project, people):
    client = english
    drive(project, people, "active")
    services.record_visit(
        actor=people["supervisor"],
        project=project,
        visited_on=TODAY(),
        findings="台账不全",
        rectification="补齐活动台账",
        rectify_by=TODAY() + datetime.timedelta(days=1),
    )
    Rectification.objects.filter(project=project).update(due_on=TODAY() - datetime.timedelta(days=2))
    Project.objects.filter(pk=project.pk).update(
        final_report_due_on=TODAY() - datetime.timedelta(days=1), final_report_overdue=True
    )
    client.force_login(people["member"])
    page = client.get(f"/portal/projects/{project.pk}/", **A).content.decode()
    assert (
        f'<li class="urgent">Overdue: the rectification “补齐活动台账” was due on {day(-2)}. Answer it now.</li>'
        in page
    )
    assert f'<li class="urgent">Overdue: the final report was due on {day(-1)}.</li>' in page
    listing = client.get("/portal/projects/", **A).content.decode()
    assert "1 rectification to answer" in listing
    # Each person's navigation leads to their own pages.
    assert 'href="/portal/projects/"' in page and 'href="/supervision/"' not in page
    client.force_login(people["supervisor"])
    assert 'href="/supervision/"' in client.get("/supervision/", **A).content.decode()
    client.force_login(people["evaluator"])
    assert 'href="/evaluation/"' in client.get("/evaluation/", **A).content.decode()


def test_the_contract_downloads_as_a_pdf(client, project, people):
    client.force_login(people["member"])
    response = client.get(f"/portal/projects/{project.pk}/contract.pdf", **A)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"] and "filename=" in response["Content-Disposition"]
    assert ".pdf" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")


def test_supervision_rectification_mid_term_review_and_final_report(english, project, people):
    client = english
    drive(project, people, "active")
    member, supervisor = people["member"], people["supervisor"]
    portal, supervision = f"/portal/projects/{project.pk}/", f"/supervision/{project.pk}/"

    client.force_login(supervisor)
    assert project.application.title in client.get("/supervision/", **A).content.decode()
    recorded = client.post(
        supervision,
        {
            "action": "visit",
            "visited_on": day(),
            "findings": "活动记录不全",
            "recommendations": "补齐签到表",
            "rectification": "补齐活动签到表",
            "rectify_by": day(7),
        },
        **A,
    )
    assert recorded.status_code == 302
    visit = SupervisionVisit.objects.get(project=project)
    rectification = Rectification.objects.get(project=project)
    assert rectification.visit == visit and rectification.source == "supervision"
    project.refresh_from_db()
    assert project.status == "rectifying"

    client.force_login(member)
    page = client.get(portal, **A).content.decode()
    assert "活动记录不全" in page and "补齐活动签到表" in page
    assert f"Answer the rectification “补齐活动签到表” by {day(7)}." in page
    client.post(portal, {"action": "answer", "rectification": rectification.pk, "answer": "已补齐签到表"}, **A)
    rectification.refresh_from_db()
    assert rectification.status == "answered" and rectification.answer == "已补齐签到表"

    client.force_login(supervisor)
    page = client.get(supervision, **A).content.decode()
    assert "已补齐签到表" in page and 'value="accept"' in page
    refused = client.post(
        supervision, {"action": "review", "rectification": rectification.pk, "decision": "return"}, **A
    )
    assert refused.status_code == 200 and "Say why the answer is not enough." in refused.content.decode()
    rectification.refresh_from_db()
    assert rectification.status == "answered"
    client.post(
        supervision,
        {"action": "review", "rectification": rectification.pk, "decision": "return", "comment": "签到表缺少日期"},
        **A,
    )
    rectification.refresh_from_db()
    assert rectification.status == "open"
    assert rectification.return_comment == "签到表缺少日期" and rectification.returned_at is not None

    client.force_login(member)
    page = client.get(portal, **A).content.decode()
    assert "签到表缺少日期" in page and "Your answer was returned" in page
    # the comment is the rectification's own field, shown beside it (not read back from the audit log)
    assert 'class="return-comment"' in page
    client.post(portal, {"action": "answer", "rectification": rectification.pk, "answer": "已补上日期"}, **A)

    client.force_login(supervisor)
    client.post(supervision, {"action": "review", "rectification": rectification.pk, "decision": "accept"}, **A)
    rectification.refresh_from_db()
    project.refresh_from_db()
    assert rectification.status == "accepted" and project.status == "active"

    # The mid-term review: started, refused without a rectification, then accepted.
    client.post(supervision, {"action": "start_mid_term"}, **A)
    project.refresh_from_db()
    assert project.status == "mid_term_review"
    refused = client.post(supervision, {"action": "mid_term", "opinion": "进度偏慢", "accepted": "no"}, **A)
    text = refused.content.decode()
    assert "Say what must be rectified." in text and "Give the rectification a deadline." in text
    assert not project.mid_term_reviews.exists()
    client.post(supervision, {"action": "mid_term", "opinion": "进度正常", "accepted": "yes"}, **A)
    project.refresh_from_db()
    assert project.status == "active" and project.mid_term_accepted_on == TODAY()
    assert Installment.objects.get(project=project, condition="mid_term").condition_met_on == TODAY()

    # Now the organisation can hand in its final report.
    client.force_login(member)
    page = client.get(portal, **A).content.decode()
    assert "进度正常" in page and "The final report can be submitted once" not in page
    spending = {f"spending_{line.pk}": str(approved) for line, approved in services.approved_budget(project)}
    sent = client.post(portal, report_data(project, kind="final", summary="项目完成", **spending), **A)
    assert sent.status_code == 302
    project.refresh_from_db()
    assert project.status == "final_report_submitted"
    page = client.get(portal, **A).content.decode()
    assert "Your final report is in" in page and 'id="submit-report"' not in page


def test_an_excellent_evaluation_makes_a_brand_project(english, project, people):
    client = english
    drive(project, people, "appraisal")
    services.cast_ballot(
        project=project, device_id="device-1", address="10.0.0.1", satisfaction=5, usefulness=4, took_part=True
    )
    client.force_login(people["member"])
    page = client.get(f"/portal/projects/{project.pk}/", **A).content.decode()
    assert f"/appraisal/{project.appraisal_token}/" in page  # to share with the residents
    services.start_evaluation(actor=people["operator"], project=project)

    client.force_login(people["evaluator"])
    assert project.application.title in client.get("/evaluation/", **A).content.decode()
    url = f"/evaluation/{project.pk}/"
    page = client.get(url, **A).content.decode()
    assert "项目完成" in page  # the final report
    assert 'id="appraisal-answers"' in page and "1 answer" in page
    assert 'name="grade"' in page

    mismatch = client.post(url, evaluation_data(project, "excellent", score="8", findings="入户核实"), **A)
    page = mismatch.content.decode()
    assert mismatch.status_code == 200 and not Evaluation.objects.exists()
    next_to_the_field = page.split('name="grade_reason"')[0][-900:]  # label, help and error come before the box
    assert "The scores come to 80.00, which is graded “Good”" in next_to_the_field
    assert "入户核实" in page  # what was typed is kept
    submitted = client.post(url, evaluation_data(project, "excellent"), **A)
    assert submitted.status_code == 302
    project.refresh_from_db()
    assert project.status == "evaluated" and project.is_brand and project.grade == "excellent"
    evaluation = Evaluation.objects.get(project=project)
    assert evaluation.score == Decimal("90.00") and evaluation.scores.count() == 3
    assert 'name="grade"' not in client.get(url, **A).content.decode()  # evaluated once

    client.force_login(people["member"])
    page = client.get(f"/portal/projects/{project.pk}/", **A).content.decode()
    assert "Excellent" in page and "推广入户评估经验" in page and "Brand project" in page


def test_a_failing_evaluation_sends_the_project_to_rectification(english, project, people):
    client = english
    drive(project, people, "evaluating")
    url = f"/evaluation/{project.pk}/"
    client.force_login(people["evaluator"])

    refused = client.post(url, evaluation_data(project, "fail", score="3"), **A)
    assert refused.status_code == 200
    assert "A failing grade needs a rectification deadline." in refused.content.decode()
    assert not Evaluation.objects.exists()

    client.post(url, evaluation_data(project, "fail", score="3", rectify_by=day(30)), **A)
    project.refresh_from_db()
    assert project.status == "rectifying" and project.grade == "fail" and not project.is_brand
    rectification = Rectification.objects.get(project=project)
    assert rectification.source == "evaluation" and rectification.due_on == TODAY() + datetime.timedelta(days=30)

    client.force_login(people["member"])
    client.post(
        f"/portal/projects/{project.pk}/",
        {"action": "answer", "rectification": rectification.pk, "answer": "已整改"},
        **A,
    )
    # The supervisor does not review what the evaluator required.
    client.force_login(people["supervisor"])
    assert 'value="accept"' not in client.get(f"/supervision/{project.pk}/", **A).content.decode()
    client.post(
        f"/supervision/{project.pk}/",
        {"action": "review", "rectification": rectification.pk, "decision": "accept"},
        **A,
    )
    rectification.refresh_from_db()
    assert rectification.status == "answered"

    client.force_login(people["evaluator"])
    client.post(url, {"action": "review", "rectification": rectification.pk, "decision": "accept"}, **A)
    project.refresh_from_db()
    assert project.status == "evaluating"  # evaluated again
    assert 'name="grade"' in client.get(url, **A).content.decode()


def test_each_person_sees_only_their_projects(client, project, people):
    drive(project, people, "active")
    title = project.application.title
    paths = {
        "portal": f"/portal/projects/{project.pk}/",
        "contract": f"/portal/projects/{project.pk}/contract.pdf",
        "supervision": f"/supervision/{project.pk}/",
        "evaluation": f"/evaluation/{project.pk}/",
    }

    outsider = UserFactory(email="chunhui@org.test", roles=[Role.ORGANISATION_MEMBER])
    Membership.objects.create(user=outsider, organisation=OrganisationFactory(name="武汉春晖社会工作服务中心"))
    client.force_login(outsider)
    assert client.get(paths["portal"], **A).status_code == 404
    assert client.get(paths["contract"], **A).status_code == 404
    forged = {"action": "activity", "held_on": day(), "title": "冒名活动"}
    assert client.post(paths["portal"], forged, **A).status_code == 404
    assert title not in client.get("/portal/projects/", **A).content.decode()
    assert not ProjectActivity.objects.exists()

    other_supervisor = UserFactory(email="other@supervision.test", roles=[Role.SUPERVISOR])
    client.force_login(other_supervisor)
    assert client.get(paths["supervision"], **A).status_code == 404
    visit = {"action": "visit", "visited_on": day(), "findings": "x"}
    assert client.post(paths["supervision"], visit, **A).status_code == 404
    assert title not in client.get("/supervision/", **A).content.decode()
    assert not SupervisionVisit.objects.exists()

    other_evaluator = UserFactory(email="other@evaluation.test", roles=[Role.EVALUATOR])
    client.force_login(other_evaluator)
    assert client.get(paths["evaluation"], **A).status_code == 404
    assert title not in client.get("/evaluation/", **A).content.decode()

    # Roles do not cross: each person reaches the project only through their own pages.
    for person, walls in (
        ("member", ("supervision", "evaluation")),
        ("supervisor", ("portal", "contract", "evaluation")),
        ("evaluator", ("portal", "contract", "supervision")),
    ):
        client.force_login(people[person])
        for wall in walls:
            assert client.get(paths[wall], **A).status_code == 404, (person, wall)

    client.logout()
    for where in paths.values():
        response = client.get(where, **A)
        assert response.status_code == 302 and response["Location"].startswith("/portal/login/"), where


def test_bad_input_shows_every_problem_keeps_the_values_and_writes_nothing(english, project, people):
    client = english
    drive(project, people, "active")
    client.force_login(people["member"])
    url = f"/portal/projects/{project.pk}/"
    first, *others = project.application.objectives.order_by("pk")
    data = report_data(project, period_start=day(-1), period_end=day(-10), summary="半程小结")
    data[f"value_{first.pk}"] = "很多"
    data[f"value_{others[0].pk}"] = "12.5"
    response = client.post(url, data, **A)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was saved" in page
    assert "Enter a number." in page and "The period ends before it starts." in page
    assert "半程小结</textarea>" in page and 'value="12.5"' in page and 'value="很多"' in page
    assert not ProgressReport.objects.exists()

    # Problems the service finds are listed too, with the values as typed.
    response = client.post(url, report_data(project, period_end=day(3), summary="未来的报告"), **A)
    assert "The period cannot end in the future." in response.content.decode()
    assert "未来的报告</textarea>" in response.content.decode()
    assert not ProgressReport.objects.exists()

    response = client.post(url, {"action": "activity", "held_on": "", "title": "", "participants": "-3"}, **A)
    page = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_activity_held_on">held on</a>: This field is required.' in page
    assert '<a href="#id_activity_title">title</a>: This field is required.' in page
    assert "Ensure this value is greater than or equal to 0." in page and 'value="-3"' in page
    response = client.post(url, {"action": "activity", "held_on": day(2), "title": "明天的活动"}, **A)
    page = response.content.decode()
    assert "An activity cannot be logged before it happens." in page and 'value="明天的活动"' in page
    assert not ProjectActivity.objects.exists()


def test_problems_are_shown_in_chinese_by_default(client, project, people):
    drive(project, people, "active")
    client.force_login(people["member"])
    data = report_data(project)
    data[f"value_{project.application.objectives.first().pk}"] = "abc"
    page = client.post(f"/portal/projects/{project.pk}/", data, **A).content.decode()
    assert "输入一个数字" in page
    assert not ProgressReport.objects.exists()


def test_hub_b_cannot_reach_hub_a_projects(client, hub_b, project, people):
    drive(project, people, "active")
    title = project.application.title
    paths = [
        f"/portal/projects/{project.pk}/",
        f"/portal/projects/{project.pk}/contract.pdf",
        f"/supervision/{project.pk}/",
        f"/evaluation/{project.pk}/",
    ]
    # A's session means nothing on B's host.
    client.force_login(people["member"])
    for where in paths:
        assert client.get(where, **B).status_code == 302
    # Even hub B's administrator, who sees every project of hub B, does not see hub A's.
    with tenant_context(hub_b):
        client.force_login(User.objects.get(email=HUB_B["admin_email"]))
    for where in paths:
        assert client.get(where, **B).status_code == 404, where
    listing = client.get("/portal/projects/", **B)
    assert listing.status_code == 200 and title not in listing.content.decode()
