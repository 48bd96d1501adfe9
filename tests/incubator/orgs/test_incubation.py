import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from incubator.areas.models import CoverageTargets
from incubator.audit.models import AuditEvent
from incubator.orgs import services
from incubator.orgs.models import Organisation
from incubator.workflow import TransitionError
from tests.factories import CohortFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_intake_admission_milestones_and_graduation(member, operator, organisation, django_capture_on_commit_callbacks):
    incubation = services.apply_for_incubation(actor=member, organisation=organisation, needs="场地和财务培训")
    assert incubation.status == "applied"
    with translation.override("en"), pytest.raises(TransitionError) as refused:
        services.admit(actor=operator, incubation=incubation, cohort=None)
    assert "cohort" in refused.value.message

    cohort = CohortFactory(name="2026年第一期")
    incubation = services.admit(actor=operator, incubation=incubation, cohort=cohort, space="A-12")
    assert (incubation.status, incubation.cohort, incubation.space) == ("incubating", cohort, "A-12")
    milestone = services.add_milestone(
        actor=operator, incubation=incubation, title="完成备案", due_on=datetime.date(2026, 12, 31)
    )
    with translation.override("en"), pytest.raises(TransitionError) as refused:
        services.graduate(actor=operator, incubation=incubation)
    assert "完成备案" in refused.value.message
    services.complete_milestone(actor=member, milestone=milestone)
    incubation = services.graduate(actor=operator, incubation=incubation, reason="按期出壳")
    assert incubation.status == "graduated" and incubation.ended_on == timezone.localdate()

    trail = list(
        AuditEvent.objects.filter(subject_type="orgs.incubation", subject_id=str(incubation.pk))
        .order_by("id")
        .values_list("action", "from_state", "to_state", "actor__email")
    )
    assert trail == [
        ("incubation.applied", "", "applied", member.email),
        ("incubation.admit", "applied", "incubating", operator.email),
        ("milestone.added", "", "", operator.email),
        ("milestone.done", "", "", member.email),
        ("incubation.graduate", "incubating", "graduated", operator.email),
    ]


def test_illegal_and_unauthorised_changes_are_refused(member, operator, organisation):
    incubation = services.apply_for_incubation(actor=member, organisation=organisation, needs="培训")
    with translation.override("en"), pytest.raises(TransitionError) as refused:
        services.graduate(actor=operator, incubation=incubation)
    assert "is not possible while" in refused.value.message and "Applied" in refused.value.message
    with pytest.raises(PermissionDenied):
        services.admit(actor=member, incubation=incubation, cohort=CohortFactory())
    with translation.override("en"), pytest.raises(TransitionError) as refused:
        services.decline(actor=operator, incubation=incubation, reason="  ")
    assert "reason" in refused.value.message
    incubation.refresh_from_db()
    assert incubation.status == "applied"


def test_one_open_application_at_a_time(member, organisation):
    services.apply_for_incubation(actor=member, organisation=organisation, needs="培训")
    with pytest.raises(TransitionError):
        services.apply_for_incubation(actor=member, organisation=organisation, needs="再次申请")


def test_another_organisations_member_cannot_apply_for_it(member):
    with pytest.raises(PermissionDenied):
        services.apply_for_incubation(actor=member, organisation=OrganisationFactory(), needs="x")


def test_inactive_organisations_are_flagged_after_the_hubs_threshold(in_hub_a):
    targets = CoverageTargets.load()
    targets.inactive_after_days = 90
    targets.save()
    now = timezone.now()
    quiet = OrganisationFactory(last_activity_at=now - datetime.timedelta(days=120))
    busy = OrganisationFactory(last_activity_at=now - datetime.timedelta(days=30))

    assert services.flag_inactive_organisations(now=now) == 1
    assert Organisation.objects.get(pk=quiet.pk).flagged_inactive_at == now
    assert Organisation.objects.get(pk=busy.pk).flagged_inactive_at is None
    assert services.flag_inactive_organisations(now=now) == 0  # already flagged

    services.touch(quiet)
    assert Organisation.objects.get(pk=quiet.pk).flagged_inactive_at is None
