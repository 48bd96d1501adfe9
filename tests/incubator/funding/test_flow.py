"""The venture-philanthropy flow through the service layer: call → application → review → decision →
public notice → award, with every refusal on the way."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from incubator.accounts.roles import Role
from incubator.audit.models import AuditEvent
from incubator.funding import services
from incubator.funding.models import Application, Assignment, BudgetStandard, Call, Criterion
from incubator.workflow import TransitionError
from tests.factories import OrganisationFactory, StreetFactory, UserFactory
from tests.incubator.funding.conftest import complete_application, reviewed

pytestmark = pytest.mark.django_db


def test_an_ineligible_organisation_is_told_why_before_it_writes_anything(operator, open_call, applicant):
    organisation, member = applicant
    open_call.eligible_legal_forms = ["filed_community"]
    open_call.save()
    open_call.eligible_streets.add(StreetFactory(name="球场街道"))
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.start_application(actor=member, call=open_call, organisation=organisation)
    messages = refused.value.messages
    assert len(messages) == 2 and "球场街道" in messages[1]
    assert not Application.objects.exists()


def test_submission_lists_every_problem_at_once_and_checks_budget_standards(operator, open_call, applicant):
    organisation, member = applicant
    BudgetStandard.objects.create(call=open_call, category="administration", max_percent=Decimal("5"))
    BudgetStandard.objects.create(call=open_call, category="staff", max_amount=Decimal("5000"))
    application = services.start_application(actor=member, call=open_call, organisation=organisation)
    services.save_draft(actor=member, application=application, fields={"title": "草稿"})  # drafts save as they go
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.submit_application(actor=member, application=application)
    assert len(refused.value.messages) >= 8  # problem, activities, field, group, beneficiaries, dates, 3 terms…

    application = complete_application(member, open_call, organisation)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.submit_application(actor=member, application=application)
    text = " ".join(refused.value.messages)
    assert "Administration are 8.70% of the budget" in text and "at most 5" in text
    assert "Staff costs come to 6000.00 yuan" in text
    application.refresh_from_db()
    assert application.status == "draft"


def test_late_submissions_are_refused_and_the_deadline_closes_the_call(operator, open_call, applicant):
    organisation, member = applicant
    application = complete_application(member, open_call, organisation)
    Call.objects.filter(pk=open_call.pk).update(closes_at=timezone.now() - datetime.timedelta(minutes=1))
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.submit_application(actor=member, application=application)
    assert "late applications are not accepted" in refused.value.messages[0]
    assert services.close_due_calls() == 1
    open_call.refresh_from_db()
    assert open_call.status == "closed"
    event = AuditEvent.objects.get(action="call.close")
    assert (event.actor, event.from_state, event.to_state) == (None, "open", "closed")
    assert event.reason  # the scheduled job says why it acted


def test_a_call_closing_at_23_59_takes_submissions_until_23_59_59_shanghai_time(operator, open_call, applicant):
    organisation, member = applicant
    application = complete_application(member, open_call, organisation)
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    deadline = datetime.datetime(2026, 12, 20, 23, 59, 30, tzinfo=shanghai)
    open_call.closes_at = deadline
    open_call.save()
    open_call.refresh_from_db()
    assert open_call.closes_at == deadline.replace(second=0)  # kept to the minute, as the picker shows it
    with time_machine.travel(datetime.datetime(2026, 12, 20, 23, 59, 59, 900000, tzinfo=shanghai), tick=False):
        assert Call.objects.taking_applications().filter(pk=open_call.pk).exists()
        assert services.close_due_calls() == 0
        submitted = services.submit_application(actor=member, application=application)
    assert submitted.status == "submitted"
    with time_machine.travel(datetime.datetime(2026, 12, 21, 0, 0, 0, tzinfo=shanghai), tick=False):
        assert not open_call.takes_applications()
        assert services.close_due_calls() == 1


def test_experts_conflicts_and_score_visibility(operator, open_call, applicant):
    organisation, member = applicant
    application = complete_application(member, open_call, organisation)
    services.submit_application(actor=member, application=application)
    application = services.screen(actor=operator, application=application, accept=True)
    Call.objects.filter(pk=open_call.pk).update(closes_at=timezone.now() - datetime.timedelta(minutes=1))
    services.close_due_calls()
    services.start_review(actor=operator, call=open_call)

    conflicted, first, second = (
        UserFactory(email="c@experts.test", roles=[Role.EXPERT]),
        UserFactory(email="e1@experts.test", roles=[Role.EXPERT]),
        UserFactory(email="e2@experts.test", roles=[Role.EXPERT]),
    )
    # An expert assigned before they noticed the conflict declares it and is withdrawn
    services.assign_experts(actor=operator, application=application, experts=[conflicted])
    assignment = Assignment.objects.get(expert=conflicted, application=application)
    with pytest.raises(ValidationError):
        services.declare_conflict(actor=conflicted, assignment=assignment, reason="  ")
    with pytest.raises(PermissionDenied):
        services.declare_conflict(actor=first, assignment=assignment, reason="不是我的任务")
    services.declare_conflict(actor=conflicted, assignment=assignment, reason="曾任理事")
    assert not Assignment.objects.filter(expert=conflicted).exists()
    own = UserFactory(email="own@org.test", roles=[Role.ORGANISATION_MEMBER], member_of=organisation)
    own.groups.add(*first.groups.all())  # an expert who also acts for the applicant
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.assign_experts(actor=operator, application=application, experts=[conflicted, own, member])
    assert len(refused.value.messages) == 3
    assignments = services.assign_experts(actor=operator, application=application, experts=[first, second])

    outsider = UserFactory(email="e3@experts.test", roles=[Role.EXPERT])
    with pytest.raises(PermissionDenied):
        services.scores_visible_to(outsider, application)
    with pytest.raises(PermissionDenied):
        services.submit_scores(actor=outsider, assignment=assignments[0], scores={})

    criteria = list(Criterion.objects.filter(call=open_call))
    services.submit_scores(actor=first, assignment=assignments[0], scores={c.pk: (8, "好") for c in criteria})
    # The second expert sees only their own (empty) scores until they submit.
    assert list(services.scores_visible_to(second, application)) == []
    assert services.scores_visible_to(first, application).count() == len(criteria)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.submit_scores(actor=second, assignment=assignments[1], scores={criteria[0].pk: ("nan", "")})
    assert len(refused.value.messages) == len(criteria)
    services.submit_scores(actor=second, assignment=assignments[1], scores={c.pk: (6, "") for c in criteria})
    assert services.scores_visible_to(second, application).count() == 2 * len(criteria)
    application.refresh_from_db()
    assert application.status == "reviewed"  # every assigned expert has scored

    view = services.applicant_view(application)
    assert "e1@experts.test" not in str(view) and "80" not in str(view)


def test_allocation_follows_the_ranking_within_the_budget(operator, reviewing_call):
    expert = UserFactory(email="judge@experts.test", roles=[Role.EXPERT])
    apps = [
        reviewed(reviewing_call, operator, OrganisationFactory(), score, ["residents"], 30000, expert)
        for score in (9, 8, 7, 6)
    ]
    proposal = services.propose_allocation(reviewing_call)
    funded = [r["application"].pk for r in proposal["rows"] if r["funded"]]
    assert funded == [a.pk for a in apps[:3]] and proposal["spent"] == Decimal("90000.00")


def test_allocation_swaps_to_honour_a_quota_that_greedy_ranking_breaks(operator, reviewing_call):
    """At least 50% of funded projects must serve the elderly; the three best do not."""
    reviewing_call.quotas.create(target_group="elderly", min_percent=Decimal("50"))
    expert = UserFactory(email="judge@experts.test", roles=[Role.EXPERT])
    best = [
        reviewed(reviewing_call, operator, OrganisationFactory(), s, ["children"], 30000, expert) for s in (9.5, 9, 8.5)
    ]
    elderly = [
        reviewed(reviewing_call, operator, OrganisationFactory(), s, ["elderly"], 30000, expert) for s in (7, 6.5)
    ]
    proposal = services.propose_allocation(reviewing_call)
    funded = {r["application"].pk for r in proposal["rows"] if r["funded"]}
    # Greedy would fund the three best (0% elderly). Two elderly projects must be in, replacing the
    # two lowest-ranked of the three.
    assert funded == {best[0].pk, elderly[0].pk, elderly[1].pk}
    assert proposal["unmet_quotas"] == [] and all(q["met"] for q in proposal["quota_status"])
    assert proposal["spent"] <= reviewing_call.budget


def test_a_quota_that_cannot_be_met_is_reported_not_hidden(operator, reviewing_call):
    reviewing_call.quotas.create(target_group="elderly", min_percent=Decimal("50"))
    expert = UserFactory(email="judge@experts.test", roles=[Role.EXPERT])
    for score in (9, 8):
        reviewed(reviewing_call, operator, OrganisationFactory(), score, ["children"], 30000, expert)
    proposal = services.propose_allocation(reviewing_call)
    assert [q.target_group for q in proposal["unmet_quotas"]] == ["elderly"]


def test_manual_overrides_must_be_justified_and_are_honoured(operator, reviewing_call):
    expert = UserFactory(email="judge@experts.test", roles=[Role.EXPERT])
    top, low = (
        reviewed(reviewing_call, operator, OrganisationFactory(), s, ["residents"], 60000, expert) for s in (9, 5)
    )
    with pytest.raises(ValidationError):
        services.set_override(actor=operator, application=low, decision="include", reason=" ")
    services.set_override(actor=operator, application=low, decision="include", reason="填补村改居社区空白")
    services.set_override(actor=operator, application=top, decision="exclude", reason="与已资助项目重复")
    proposal = services.propose_allocation(reviewing_call)
    assert [r["application"].pk for r in proposal["rows"] if r["funded"]] == [low.pk]


def test_decision_notice_objections_and_award(operator, reviewing_call):
    expert = UserFactory(email="judge@experts.test", roles=[Role.EXPERT])
    kept, challenged, unfunded = (
        reviewed(reviewing_call, operator, OrganisationFactory(), s, ["elderly"], 30000, expert) for s in (9, 8, 1)
    )
    Call.objects.filter(pk=reviewing_call.pk).update(budget=Decimal("60000.00"))
    reviewing_call.refresh_from_db()
    services.confirm_allocation(actor=operator, call=reviewing_call)
    assert Application.objects.get(pk=unfunded.pk).status == "not_funded"
    assert Application.objects.get(pk=kept.pk).awarded_amount == Decimal("30000.00")

    notice = services.publish_notice(actor=operator, call=reviewing_call, starts_on=datetime.date(2026, 9, 30))
    assert (notice.starts_on, notice.ends_on) == (datetime.date(2026, 9, 30), datetime.date(2026, 10, 12))
    with translation.override("en"), pytest.raises(TransitionError):
        services.lodge_objection(
            notice=notice, application_id=kept.pk, name="王", contact="138", text="x", today=datetime.date(2026, 10, 13)
        )
    with pytest.raises(ValidationError):
        services.lodge_objection(
            notice=notice, application_id=unfunded.pk, name="", contact="", text="", today=datetime.date(2026, 10, 9)
        )
    objection = services.lodge_objection(
        notice=notice,
        application_id=challenged.pk,
        name="居民王某",
        contact="13800000000",
        text="该机构负责人与评审专家有亲属关系",
        today=datetime.date(2026, 10, 9),
    )
    assert services.close_notices(today=datetime.date(2026, 10, 13)) == {"awarded": 1, "waiting_on_objections": 1}
    assert Application.objects.get(pk=kept.pk).status == "awarded"
    services.resolve_objections(actor=operator, objections=[objection], upheld=True, resolution="经核实属实，取消资助")
    assert Application.objects.get(pk=challenged.pk).status == "rejected"
    with pytest.raises(TransitionError):
        services.resolve_objections(actor=operator, objections=[objection], upheld=False, resolution="再次处理")
    trail = set(
        AuditEvent.objects.filter(subject_id=str(challenged.pk), subject_type="funding.application").values_list(
            "action", flat=True
        )
    )
    assert {"application.recommend", "application.open_notice", "objection.upheld", "application.reject"} <= trail


def test_only_operators_decide_and_illegal_steps_are_refused(operator, open_call, applicant):
    organisation, member = applicant
    with pytest.raises(PermissionDenied):
        services.confirm_allocation(actor=member, call=open_call)
    with translation.override("en"), pytest.raises(TransitionError) as refused:
        services.confirm_allocation(actor=operator, call=open_call)
    assert "is not possible while" in refused.value.message
    with pytest.raises(PermissionDenied):
        services.start_review(actor=member, call=open_call)
