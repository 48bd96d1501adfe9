import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from incubator.filings import services
from incubator.filings.models import AnnualReport, DocumentRequirement
from incubator.orgs.models import Organisation, Reminder
from incubator.workflow import TransitionError
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def pdf(name="章程.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 test", content_type="application/pdf")


def test_the_checklist_per_legal_form_comes_with_every_hub(in_hub_a):
    titles = set(DocumentRequirement.objects.filter(legal_form="filed_community").values_list("title", flat=True))
    assert {"组织章程或活动规则", "成员名单", "社区居委会意见"} <= titles
    assert DocumentRequirement.objects.filter(legal_form="social_service").count() >= 5


def test_filing_from_draft_through_correction_to_approval(member, operator, organisation):
    filing = services.start_filing(actor=member, organisation=organisation, kind="filing", legal_form="filed_community")
    requirements = list(services.requirements_for(filing))

    with translation.override("en"), pytest.raises(TransitionError) as refused:
        services.submit_filing(actor=member, filing=filing)
    assert "missing" in refused.value.message and requirements[0].title in refused.value.message

    for requirement in requirements:
        services.upload_document(actor=member, filing=filing, requirement=requirement, uploaded_file=pdf())
    assert services.missing_documents(filing) == []
    filing = services.submit_filing(actor=member, filing=filing)
    assert filing.status == "submitted" and filing.submitted_at

    with pytest.raises(PermissionDenied):
        services.approve_filing(actor=member, filing=filing, certificate_number="X", approved_on=timezone.localdate())
    filing = services.return_filing(actor=operator, filing=filing, comments="成员名单缺少联系方式")
    assert filing.status == "returned" and filing.correction_comments == "成员名单缺少联系方式"

    services.upload_document(actor=member, filing=filing, requirement=requirements[3], uploaded_file=pdf("名单.pdf"))
    filing = services.submit_filing(actor=member, filing=filing)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.approve_filing(actor=operator, filing=filing, certificate_number="", approved_on=None)
    assert set(refused.value.message_dict) == {"certificate_number", "approved_on"}
    filing = services.approve_filing(
        actor=operator, filing=filing, certificate_number="江岸备字2026001", approved_on=timezone.localdate()
    )
    assert (filing.status, filing.certificate_number) == ("approved", "江岸备字2026001")
    assert Organisation.objects.get(pk=organisation.pk).legal_form == "filed_community"


def test_uploads_are_checked_and_kept_under_the_hubs_folder(member, organisation, hub_a):
    filing = services.start_filing(actor=member, organisation=organisation, kind="filing", legal_form="filed_community")
    requirement = services.requirements_for(filing).first()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.upload_document(
            actor=member, filing=filing, requirement=requirement, uploaded_file=SimpleUploadedFile("virus.exe", b"MZ")
        )
    assert "virus.exe" in refused.value.message_dict["file"][0]
    other_form = DocumentRequirement.objects.filter(legal_form="foundation").first()
    with pytest.raises(ValidationError):
        services.upload_document(actor=member, filing=filing, requirement=other_form, uploaded_file=pdf())
    document = services.upload_document(actor=member, filing=filing, requirement=requirement, uploaded_file=pdf())
    try:
        assert f"/{hub_a.schema_name}/private/filings/{organisation.pk}/" in document.file.path
        assert "章程" not in document.file.name and document.original_name == "章程.pdf"  # no guessable names
    finally:
        document.file.delete(save=False)


def test_annual_reports_accept_only_document_files(member, operator, organisation):
    report = services.schedule_annual_report(
        actor=operator, organisation=organisation, year=2026, due_on=datetime.date(2027, 5, 31)
    )
    with pytest.raises(ValidationError):
        services.submit_annual_report(
            actor=member, report=report, uploaded_file=SimpleUploadedFile("report.html", b"<script>alert(1)</script>")
        )
    report.refresh_from_db()
    assert report.status == "due" and not report.file


def test_another_organisation_cannot_touch_this_filing(member, organisation):
    other = OrganisationFactory()
    with pytest.raises(PermissionDenied):
        services.start_filing(actor=member, organisation=other, kind="filing", legal_form="filed_community")


def test_one_filing_in_progress_per_organisation(member, organisation):
    services.start_filing(actor=member, organisation=organisation, kind="filing", legal_form="filed_community")
    with pytest.raises(TransitionError):
        services.start_filing(
            actor=member, organisation=organisation, kind="registration", legal_form="social_association"
        )


def test_reminders_before_the_due_date_and_overdue_after(operator, organisation, member):
    due = datetime.date(2027, 5, 31)
    report = services.schedule_annual_report(actor=operator, organisation=organisation, year=2026, due_on=due)
    quiet_day = due - datetime.timedelta(days=40)

    assert services.send_due_reminders(today=quiet_day) == {"reminders": 0, "newly_overdue": 0}
    assert services.send_due_reminders(today=due - datetime.timedelta(days=30))["reminders"] == 1
    assert services.send_due_reminders(today=due - datetime.timedelta(days=30))["reminders"] == 0  # idempotent
    assert services.send_due_reminders(today=due - datetime.timedelta(days=7))["reminders"] == 1
    assert services.send_due_reminders(today=due + datetime.timedelta(days=1)) == {"reminders": 1, "newly_overdue": 1}
    report.refresh_from_db()
    assert report.overdue
    assert Reminder.objects.filter(organisation=organisation).count() == 3

    services.submit_annual_report(
        actor=member, report=report, uploaded_file=ContentFile(b"%PDF-1.4 report", name="2026.pdf")
    )
    report.refresh_from_db()
    assert report.status == "submitted"
    assert services.send_due_reminders(today=due + datetime.timedelta(days=10))["reminders"] == 0
    report.file.delete(save=False)


def test_only_operators_schedule_annual_reports(member, organisation):
    with pytest.raises(PermissionDenied):
        services.schedule_annual_report(
            actor=member, organisation=organisation, year=2026, due_on=datetime.date(2027, 5, 31)
        )
    assert not AnnualReport.objects.exists()


def test_the_daily_jobs_are_scheduled_for_every_hub():
    from django.conf import settings

    from config.celery import app

    app.loader.import_default_modules()  # what a worker does at start: autodiscover every app's tasks
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"incubator.orgs.tasks.flag_inactive_organisations", "incubator.filings.tasks.send_due_reminders"} <= tasks
    assert tasks <= set(app.tasks)
    assert all("tenant_schemas" not in entry for entry in settings.CELERY_BEAT_SCHEDULE.values())


def test_a_job_that_missed_the_reminder_day_still_reminds_once(operator, organisation):
    due = datetime.date(2027, 5, 31)
    services.schedule_annual_report(actor=operator, organisation=organisation, year=2026, due_on=due)
    assert services.send_due_reminders(today=due - datetime.timedelta(days=20))["reminders"] == 1
    assert services.send_due_reminders(today=due - datetime.timedelta(days=19))["reminders"] == 0
    assert services.send_due_reminders(today=due - datetime.timedelta(days=5))["reminders"] == 1
