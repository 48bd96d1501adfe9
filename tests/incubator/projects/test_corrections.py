"""Activities and reports are corrected by the organisation until reviewed, then only by the hub with a reason;
every correction is audited with what changed."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from incubator.audit.models import AuditEvent
from incubator.projects import services
from incubator.projects.models import ProgressReport, ProjectActivity
from tests.conftest import HUB_A
from tests.incubator.projects.conftest import TODAY, run_to, values_for

pytestmark = pytest.mark.django_db
A = {"HTTP_HOST": HUB_A["domain"]}


@pytest.fixture
def active(project, operator, project_member, supervisor, evaluator):
    run_to(
        project, operator=operator, member=project_member, supervisor=supervisor, evaluator=evaluator, state="active"
    )
    project.refresh_from_db()
    return project


def _activity(project, member, **overrides):
    fields = {"held_on": TODAY(), "title": "入户评估", "participants": 30, "beneficiaries": 25, **overrides}
    return services.record_activity(actor=member, project=project, **fields)


def test_the_organisation_corrects_until_reviewed_then_only_the_hub_with_a_reason(
    active, project_member, supervisor, operator
):
    activity = _activity(active, project_member)
    services.correct_activity(
        actor=project_member, activity=activity, held_on=TODAY(), title="入户评估", participants=30, beneficiaries=20
    )
    event = AuditEvent.objects.get(action="activity.corrected")
    assert "新增受益人数: 25 → 20" in event.reason and event.actor == project_member
    with pytest.raises(ValidationError):  # the same checks as when logging it
        services.correct_activity(
            actor=project_member, activity=activity, held_on=TODAY(), title="入户评估", participants=5, beneficiaries=20
        )
    services.mark_reviewed(actor=supervisor, record=activity)
    with pytest.raises(PermissionDenied):
        services.correct_activity(
            actor=project_member, activity=activity, held_on=TODAY(), title="入户评估", participants=30, beneficiaries=2
        )
    with pytest.raises(ValidationError) as no_reason:
        services.correct_activity(
            actor=operator, activity=activity, held_on=TODAY(), title="入户评估", participants=30, beneficiaries=2
        )
    assert "reason" in no_reason.value.message_dict
    services.correct_activity(
        actor=operator,
        activity=activity,
        held_on=TODAY(),
        title="入户评估",
        participants=30,
        beneficiaries=2,
        reason="签到表核对后更正",
    )
    assert ProjectActivity.objects.get(pk=activity.pk).beneficiaries == 2
    last = AuditEvent.objects.filter(action="activity.corrected").first()
    assert "签到表核对后更正" in last.reason and "20 → 2" in last.reason and last.actor == operator
    assert services.beneficiaries_reached(active) == 2


def test_a_report_is_corrected_without_clashing_with_itself(active, project_member, supervisor):
    start = TODAY() - datetime.timedelta(days=20)
    report = services.submit_report(
        actor=project_member,
        project=active,
        kind="periodic",
        period_start=start,
        period_end=start + datetime.timedelta(days=9),
        summary="第一阶段",
        values=values_for(active, "40"),
    )
    services.correct_report(
        actor=project_member,
        report=report,
        period_start=start,
        period_end=start + datetime.timedelta(days=12),
        summary="第一阶段（更正）",
        values=values_for(active, "35"),
    )
    report.refresh_from_db()
    assert report.period_end == start + datetime.timedelta(days=12)
    assert sorted({v.actual for v in report.values.all()}) == [35]
    assert "40.00 → 35" in AuditEvent.objects.get(action="report.corrected").reason
    services.mark_reviewed(actor=supervisor, record=report)
    with pytest.raises(PermissionDenied):
        services.correct_report(
            actor=project_member, report=report, period_start=start, period_end=start, summary="x", values={}
        )
    assert AuditEvent.objects.filter(action="report.reviewed").count() == 1


def test_the_portal_offers_the_correction_with_the_record_filled_in(client, active, project_member):
    activity = _activity(active, project_member, title="需求调查")
    client.force_login(project_member)
    url = f"/portal/projects/{active.pk}/"
    page = client.get(url, {"correct": f"activity-{activity.pk}"}, **A).content.decode()
    assert 'id="correct"' in page and 'value="需求调查"' in page
    bad = client.post(
        url,
        {"action": "correct_activity", "activity": activity.pk, "held_on": TODAY().isoformat(), "title": "需求调查更正",
         "participants": "5", "beneficiaries": "9"},
        **A,
    )  # fmt: skip
    assert bad.status_code == 200 and 'value="需求调查更正"' in bad.content.decode()
    next_to_the_field = bad.content.decode().split('name="beneficiaries"')[0][-700:]
    assert "不能多于参与人次" in next_to_the_field
    assert ProjectActivity.objects.get(pk=activity.pk).title == "需求调查"
    done = client.post(
        url,
        {"action": "correct_activity", "activity": activity.pk, "held_on": TODAY().isoformat(), "title": "需求调查更正",
         "participants": "30", "beneficiaries": "9"},
        **A,
    )  # fmt: skip
    assert done.status_code == 302 and ProjectActivity.objects.get(pk=activity.pk).title == "需求调查更正"
    assert client.get(url, {"correct": "activity-999999"}, **A).status_code == 200  # nothing to correct: no form


def test_the_supervisor_marks_a_record_reviewed_on_the_supervision_page(client, active, project_member, supervisor):
    activity = _activity(active, project_member)
    client.force_login(supervisor)
    url = f"/supervision/{active.pk}/"
    assert 'name="action" value="mark_reviewed"' in client.get(url, **A).content.decode()
    response = client.post(url, {"action": "mark_reviewed", "kind": "activity", "record": activity.pk}, **A)
    assert response.status_code == 302 and ProjectActivity.objects.get(pk=activity.pk).reviewed_at
    client.force_login(project_member)
    page = client.get(f"/portal/projects/{active.pk}/", **A).content.decode()
    assert f"?correct=activity-{activity.pk}" not in page
    assert not ProgressReport.objects.filter(project=active).exists()


def test_the_hub_corrects_a_reviewed_activity_on_the_portal_page_with_a_reason(
    client, active, project_member, supervisor, operator
):
    activity = _activity(active, project_member)
    services.mark_reviewed(actor=supervisor, record=activity)
    client.force_login(operator)
    url = f"/portal/projects/{active.pk}/"
    assert f"?correct=activity-{activity.pk}" in client.get(url, **A).content.decode()
    data = {"action": "correct_activity", "activity": activity.pk, "held_on": TODAY().isoformat(), "title": "入户评估",
            "participants": "30", "beneficiaries": "12"}  # fmt: skip
    refused = client.post(url, data, **A)
    assert refused.status_code == 200 and ProjectActivity.objects.get(pk=activity.pk).beneficiaries == 25
    assert client.post(url, {**data, "reason": "与签到表不符"}, **A).status_code == 302
    assert ProjectActivity.objects.get(pk=activity.pk).beneficiaries == 12
