"""The back office writes through the services: organisations, incubations and annual reports created or
edited in Wagtail are validated and audited by their services; milestones have their own screen."""

import datetime

import pytest
from django.utils import timezone

from incubator.audit.models import AuditEvent
from incubator.filings.models import AnnualReport
from incubator.orgs import services
from incubator.orgs.models import Incubation, Milestone, Organisation
from tests.conftest import HUB_A
from tests.factories import CohortFactory, OrganisationFactory

pytestmark = pytest.mark.django_db
A = {"HTTP_HOST": HUB_A["domain"]}


def audited(action, subject):
    return AuditEvent.objects.filter(action=action, subject_type=subject._meta.label_lower, subject_id=str(subject.pk))


def test_an_organisation_added_and_edited_in_the_back_office_is_audited(client, operator, organisation):
    client.force_login(operator)
    community = organisation.community
    typed = {
        "name": "新建的社区互助会", "legal_form": "filed_community", "uscc": "", "street": community.street_id,
        "community": community.pk, "tier": "unclassified", "basic_field": "", "responsible_person": "赵六",
        "contact_phone": "", "contact_email": "", "address": "", "founded_on": "", "members": "0",
        "volunteers": "0", "description": "",
    }  # fmt: skip
    response = client.post("/admin/organisations/new/", typed, **A)
    assert response.status_code == 302, response.content.decode()[:2000]
    made = Organisation.objects.get(name="新建的社区互助会")
    assert audited("organisation.created", made).get().actor == operator

    response = client.post(f"/admin/organisations/edit/{made.pk}/", {**typed, "members": "12"}, **A)
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.members == 12
    assert audited("organisation.updated", made).get().reason == "members"

    # The model's rules still hold, next to the field, with what was typed kept
    response = client.post(f"/admin/organisations/edit/{made.pk}/", {**typed, "members": "-3"}, **A)
    assert response.status_code == 200 and "-3" in response.content.decode()
    assert audited("organisation.updated", made).count() == 1


def test_annual_reports_are_scheduled_and_rescheduled_through_the_service(client, operator, organisation):
    client.force_login(operator)
    typed = {"organisation": organisation.pk, "year": "2027", "due_on": "2028-05-31"}
    assert client.post("/admin/annual_reports/new/", typed, **A).status_code == 302
    report = AnnualReport.objects.get(organisation=organisation, year=2027)
    assert audited("annual_report.scheduled", report).exists()

    response = client.post(f"/admin/annual_reports/edit/{report.pk}/", {**typed, "due_on": "2028-06-30"}, **A)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.due_on == datetime.date(2028, 6, 30)
    assert audited("annual_report.rescheduled", report).get().reason == "2028-05-31 → 2028-06-30"

    response = client.post(f"/admin/annual_reports/edit/{report.pk}/", {**typed, "year": "2029"}, **A)
    assert response.status_code == 200  # refused on the form: only the due date changes
    report.refresh_from_db()
    assert report.year == 2027
    assert client.get(f"/admin/annual_reports/delete/{report.pk}/", **A).status_code in (302, 403)


def test_an_incubation_edited_in_the_back_office_is_audited_and_keeps_its_state(client, operator, organisation):
    client.force_login(operator)
    incubation = Incubation.objects.create(organisation=organisation, needs="场地")
    response = client.post(
        f"/admin/incubations/edit/{incubation.pk}/", {"needs": "场地和财务培训", "plans": "", "space": "B-3"}, **A
    )
    assert response.status_code == 302
    incubation.refresh_from_db()
    assert (incubation.needs, incubation.space, incubation.status) == ("场地和财务培训", "B-3", "applied")
    assert audited("incubation.updated", incubation).get().reason == "needs, space"


def test_milestones_are_set_corrected_and_removed_on_the_incubations_page(client, operator, member, organisation):
    incubation = services.apply_for_incubation(actor=member, organisation=organisation, needs="培训")
    incubation = services.admit(actor=operator, incubation=incubation, cohort=CohortFactory())
    page = f"/admin/incubator/actions/incubation/{incubation.pk}/"
    client.force_login(operator)
    assert "还没有里程碑" in client.get(page, **A).content.decode()

    # A mistake keeps what was typed
    response = client.post(page, {"action": "milestone_add", "title": "", "due_on": "2027-03-31"}, **A)
    assert response.status_code == 200
    assert 'value="2027-03-31"' in response.content.decode() and not Milestone.objects.exists()
    response = client.post(page, {"action": "milestone_add", "title": "完成备案", "due_on": "2027-03-31"}, **A)
    assert response.status_code == 302
    milestone = Milestone.objects.get(title="完成备案")

    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    client.post(page, {"action": "milestone_done", "milestone": milestone.pk, "done_on": tomorrow}, **A)
    milestone.refresh_from_db()
    assert milestone.done_on is None  # not in the future
    client.post(page, {"action": "milestone_done", "milestone": milestone.pk, "done_on": ""}, **A)
    milestone.refresh_from_db()
    assert milestone.done_on == timezone.localdate()
    client.post(page, {"action": "milestone_remove", "milestone": milestone.pk, "confirm": "yes"}, **A)
    assert Milestone.objects.filter(pk=milestone.pk).exists()  # done: it stays on record
    client.post(page, {"action": "milestone_reopen", "milestone": milestone.pk}, **A)
    milestone.refresh_from_db()
    assert milestone.done_on is None
    client.post(page, {"action": "milestone_remove", "milestone": milestone.pk}, **A)
    assert Milestone.objects.filter(pk=milestone.pk).exists()  # not confirmed
    client.post(page, {"action": "milestone_remove", "milestone": milestone.pk, "confirm": "yes"}, **A)
    assert not Milestone.objects.filter(pk=milestone.pk).exists()

    history = [
        e.action
        for e in audited("milestone.added", incubation)
        .model.objects.filter(subject_type="orgs.incubation", subject_id=str(incubation.pk))
        .order_by("id")
    ]
    assert history[-4:] == ["milestone.added", "milestone.done", "milestone.reopened", "milestone.removed"]
    assert "里程碑已删除" in client.get(page, **A).content.decode()  # the history speaks in words, not codes

    # Another incubation's milestone is not reachable through this page
    other = Incubation.objects.create(organisation=OrganisationFactory(), needs="x", status="incubating")
    stranger = Milestone.objects.create(incubation=other, title="别人的", due_on=datetime.date(2027, 1, 1))
    response = client.post(page, {"action": "milestone_done", "milestone": stranger.pk}, **A)
    assert response.status_code == 404
    stranger.refresh_from_db()
    assert stranger.done_on is None

    # Members cannot reach the back-office screen
    client.force_login(member)
    assert client.post(page, {"action": "milestone_add", "title": "x", "due_on": "2027-01-01"}, **A).status_code in (
        302,
        403,
    )
