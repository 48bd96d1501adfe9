"""Evidence (佐证材料): the photos, scans, sign-in sheets and reports that back a project's record.

Who joins a file to what: the organisation to its activities, reports, rectification answers and the signed
contract; the supervisor to their visits; the evaluator to their evaluation; operators to anything. Each file
is checked for its kind by its content, not only its name (``incubator.files.check_upload``), stored under the
hub's private folder, and served only to those who may see the project (``evidence_for``).

Whoever may add a file to a record may remove it while the record is still open; once the record is reviewed
or accepted (or the project is finished), only an operator removes it, with a reason, so that what a reviewer
relied on cannot quietly disappear. Every addition, removal and change of visibility is audited.
"""

from __future__ import annotations

from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from incubator.audit.services import record_event
from incubator.files import EVIDENCE_EXTENSIONS, PHOTO_EXTENSIONS, check_upload
from incubator.permissions import is_operator
from incubator.projects.models import (
    FINISHED,
    Evaluation,
    Evidence,
    EvidenceSubject,
    ProgressReport,
    Project,
    ProjectActivity,
    ProjectStatus,
    Rectification,
    RectificationStatus,
    ReportKind,
    SupervisionVisit,
)
from incubator.projects.services.lifecycle import _require_member, _require_supervisor, projects_for

MAX_FILES_PER_RECORD = 20
KINDS_LABEL = "PDF, JPG, PNG, GIF, WebP, Word, Excel, ODT"
PUBLISHABLE = (EvidenceSubject.ACTIVITY, EvidenceSubject.REPORT)  # the organisation's own photos of its work

_MODELS = {
    EvidenceSubject.ACTIVITY: ProjectActivity,
    EvidenceSubject.REPORT: ProgressReport,
    EvidenceSubject.RECTIFICATION: Rectification,
    EvidenceSubject.VISIT: SupervisionVisit,
    EvidenceSubject.EVALUATION: Evaluation,
}


def parse_key(key: str) -> tuple[str, int | None]:
    """``"activity-12"`` → ("activity", 12); ``"contract"`` → ("contract", None); anything else → ("", None)."""
    subject, _sep, pk = (key or "").partition("-")
    if subject == EvidenceSubject.CONTRACT and not pk:
        return subject, None
    if subject in _MODELS and pk.isdigit() and len(pk) < 10:
        return subject, int(pk)
    return "", None


def find_record(project: Project, key: str):
    """The record of this project that ``key`` names (the project itself for the contract), or None."""
    subject, pk = parse_key(key)
    if subject == EvidenceSubject.CONTRACT:
        return project
    if not subject:
        return None
    return _MODELS[subject].objects.filter(project=project, pk=pk).first()


def _subject_of(record) -> str:
    if isinstance(record, Project):
        return EvidenceSubject.CONTRACT
    return next(subject for subject, model in _MODELS.items() if isinstance(record, model))


def record_key(record) -> str:
    """How the pages name a record that takes files (``activity-12``; ``contract`` for the project)."""
    subject = _subject_of(record)
    return subject if subject == EvidenceSubject.CONTRACT else f"{subject}-{record.pk}"


def _project_of(record) -> Project:
    return record if isinstance(record, Project) else record.project


def _require_adder(actor, subject: str, project: Project) -> None:
    if subject == EvidenceSubject.VISIT:
        _require_supervisor(actor, project)
    elif subject == EvidenceSubject.EVALUATION:
        if not (is_operator(actor) or (actor and actor.pk and project.evaluator_id == actor.pk)):
            raise PermissionDenied(_("Only the project's evaluator or a hub operator may add files to the evaluation."))
    else:
        _require_member(actor, project)


def closed_reason(record, *, adding: bool = False) -> str:
    """Why the files of this record can no longer be removed (``adding``: added) but by an operator; "" while
    it is open. A reviewed record and a signed contract still take files (a sign-in sheet, a stamped scan often
    arrive late), but what the review or the signing relied on stays."""
    project = _project_of(record)
    if project.status in FINISHED:
        return _("The project is finished.")
    if isinstance(record, ProjectActivity | ProgressReport) and record.reviewed_at and not adding:
        return _("The record has been reviewed.")
    if isinstance(record, ProgressReport) and record.kind == ReportKind.FINAL:
        if record.returned_at:
            return _("This final report was returned; it is kept as history.")
        if project.status not in (ProjectStatus.FINAL_REPORT_DUE, ProjectStatus.FINAL_REPORT_SUBMITTED):
            return _("The final report has been accepted.")
    if isinstance(record, Rectification) and record.status == RectificationStatus.ACCEPTED:
        return _("The rectification has been accepted.")
    if isinstance(record, Project) and project.status != ProjectStatus.CONTRACTING and not adding:
        return _("The contract has been recorded as signed.")
    return ""


def add_evidence(*, actor, record, uploaded_file, title: str = "", public: bool = False) -> Evidence:
    """Join a file to a record of a project (``record`` is the project itself for the signed contract)."""
    project = _project_of(record)
    subject = _subject_of(record)
    _require_adder(actor, subject, project)
    if uploaded_file is None:
        raise ValidationError({"file": [_("Choose the file first.")]})
    extension = check_upload(uploaded_file, extensions=EVIDENCE_EXTENSIONS, kinds=KINDS_LABEL)
    title = (title or "").strip() or PurePath(uploaded_file.name).stem.strip()
    limit = Evidence._meta.get_field("title").max_length
    if len(title) > limit:
        raise ValidationError({"title": [_("At most %(count)d characters.") % {"count": limit}]})
    is_photo = extension in PHOTO_EXTENSIONS
    if public and not (is_photo and subject in PUBLISHABLE):
        raise ValidationError({"public": [_("Only photos of activities and reports can be shown on the public page.")]})
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)  # counts and states as they stand now
        current = locked if subject == EvidenceSubject.CONTRACT else type(record).objects.get(pk=record.pk)
        if subject != EvidenceSubject.CONTRACT:
            current.project = locked
        reason = closed_reason(current, adding=True)
        if reason and not is_operator(actor):
            raise PermissionDenied(_("%(reason)s Ask the hub to add the file.") % {"reason": reason})
        link = {} if subject == EvidenceSubject.CONTRACT else {subject: current}
        if Evidence.objects.filter(project=locked, subject=subject, **link).count() >= MAX_FILES_PER_RECORD:
            raise ValidationError(
                {"file": [_("At most %(count)d files per record.") % {"count": MAX_FILES_PER_RECORD}]}
            )
        evidence = Evidence.objects.create(
            project=locked,
            subject=subject,
            title=title,
            file=uploaded_file,
            original_name=uploaded_file.name[-200:],
            size=uploaded_file.size,
            is_photo=is_photo,
            public=bool(public),
            uploaded_by=actor,
            **link,
        )
        record_event(
            actor=actor, action="evidence.added", subject=locked, reason=f"{_label(evidence, current)}: {title}"
        )
    return evidence


def _label(evidence: Evidence, record) -> str:
    if evidence.subject == EvidenceSubject.CONTRACT:
        return str(evidence.get_subject_display())
    return f"{evidence.get_subject_display()} “{str(record)[:60]}”"


def _record_of(evidence: Evidence):
    if evidence.subject == EvidenceSubject.CONTRACT:
        return evidence.project
    return getattr(evidence, evidence.subject)


def remove_evidence(*, actor, evidence: Evidence, reason: str = "") -> None:
    """Take a file away (a wrong file, a photo showing someone who did not agree): its uploader's side while
    the record is open; an operator at any time, saying why once the record is closed."""
    reason = (reason or "").strip()
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=evidence.project_id).exists()  # states as they stand now
        evidence = Evidence.objects.select_related("project__application__organisation").get(pk=evidence.pk)
        record = _record_of(evidence)
        _require_adder(actor, evidence.subject, evidence.project)
        closed = closed_reason(record)
        if closed:
            if not is_operator(actor):
                raise PermissionDenied(_("%(reason)s Only the hub can remove its files now.") % {"reason": closed})
            if not reason:
                raise ValidationError({"reason": [_("Say why a file of a closed record is removed.")]})
        label = _label(evidence, record)
        evidence.delete()
        why = f" — {reason}" if reason else ""
        record_event(
            actor=actor,
            action="evidence.removed",
            subject=evidence.project,
            reason=f"{label}: {evidence.title}{why}"[:2000],
        )
    # Only once the row is gone for good: a rolled-back removal keeps its file.
    transaction.on_commit(lambda: evidence.file.delete(save=False))


def set_public(*, actor, evidence: Evidence, public: bool) -> Evidence:
    """Show a photo on the project's public page, or take it back (the organisation decides; an operator too)."""
    evidence = Evidence.objects.select_related("project__application__organisation").get(pk=evidence.pk)
    _require_member(actor, evidence.project)
    if public and not (evidence.is_photo and evidence.subject in PUBLISHABLE):
        raise ValidationError(_("Only photos of activities and reports can be shown on the public page."))
    if evidence.public == public:
        return evidence
    with transaction.atomic():
        evidence.public = public
        evidence.save(update_fields=["public"])
        record_event(
            actor=actor,
            action="evidence.published" if public else "evidence.unpublished",
            subject=evidence.project,
            reason=evidence.title,
        )
    return evidence


# --- Reading ----------------------------------------------------------------------------------------------


def evidence_for(user):
    """The files a person may download: those of the projects they may see."""
    return Evidence.objects.filter(project__in=projects_for(user).values("pk")).select_related("project")


def evidence_by_record(project: Project) -> dict[str, list[Evidence]]:
    """A project's files by the record they document (keys as ``Evidence.key``); one query."""
    grouped: dict[str, list[Evidence]] = {}
    for evidence in project.evidence.all():
        grouped.setdefault(evidence.key, []).append(evidence)
    return grouped


def public_photos(project: Project):
    """The photos the organisation chose to show on the project's public page, newest first."""
    return project.evidence.filter(public=True, is_photo=True, subject__in=PUBLISHABLE).order_by("-uploaded_at")
