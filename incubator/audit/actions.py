"""The registry of audit actions: every ``AuditEvent.action`` is declared here (or, for a workflow's
transitions, by declaring the workflow), with the label the history tables show. ``record_event`` refuses an
action that is not declared, so a typo cannot write a row nobody will ever find."""

from django.utils.translation import gettext_lazy as _

ACTIONS: dict[str, object] = {}
# The labels of the states an action moves between, by action or by the prefix its actions share (a
# workflow's name): the history tables show "签约中 → 执行中", never the stored codes.
STATES: dict[str, dict[str, object]] = {}


def declare(name: str, label) -> str:
    if name in ACTIONS and ACTIONS[name] != label:
        raise ValueError(f"Audit action {name!r} is declared twice with different labels")
    ACTIONS[name] = label
    return name


def label_of(name: str):
    return ACTIONS.get(name, name)


def declare_states(prefix: str, labels) -> None:
    """Name the states recorded under ``prefix`` (an action such as ``application.override`` or the prefix of
    a family such as ``rectification``); ``labels`` is a mapping or a TextChoices' ``choices``."""
    STATES.setdefault(prefix, {}).update(dict(labels))


def state_label_of(action: str, state: str):
    if not state:
        return ""
    for key in (action, action.split(".", 1)[0]):
        labels = STATES.get(key)
        if labels and state in labels:
            return labels[state]
    return state


for _name, _label in (
    # The platform and accounts
    ("hub.provisioned", _("Hub provisioned")),
    ("account.confirmed", _("Account confirmed")),
    # Organisations and incubation
    ("organisation.created", _("Organisation created")),
    ("organisation.signed_up", _("Organisation signed up")),
    ("organisation.updated", _("Organisation updated")),
    ("organisation.roster_imported", _("Imported from the roster")),
    ("incubation.applied", _("Applied for incubation")),
    ("incubation.updated", _("Incubation details updated")),
    ("milestone.added", _("Milestone added")),
    ("milestone.done", _("Milestone done")),
    ("milestone.reopened", _("Milestone reopened")),
    ("milestone.removed", _("Milestone removed")),
    # Filings and annual reports
    ("filing.started", _("Filing started")),
    ("filing.document_uploaded", _("Document uploaded")),
    ("annual_report.scheduled", _("Annual report scheduled")),
    ("annual_report.rescheduled", _("Annual report due date changed")),
    ("annual_report.submitted", _("Annual report submitted")),
    # Venture philanthropy
    ("application.started", _("Application started")),
    ("application.experts_assigned", _("Experts assigned")),
    ("application.conflict_declared", _("Conflict of interest declared")),
    ("application.expert_withdrawn", _("Expert withdrawn")),
    ("application.attachment_added", _("Attachment added")),
    ("application.attachment_removed", _("Attachment removed")),
    ("application.partial_offered", _("Partial funding offered")),
    ("application.partial_accepted", _("Partial funding accepted")),
    ("application.partial_declined", _("Partial funding declined")),
    ("call.changed", _("Call changed")),
    ("call.standard_changed", _("Budget standard changed")),
    ("call.quota_changed", _("Quota changed")),
    ("call.rubric_changed", _("Rubric changed")),
    ("application.override", _("Manual decision")),
    ("application.feedback_released", _("Feedback released")),
    ("assignment.scored", _("Review scored")),
    ("objection.lodged", _("Objection lodged")),
    ("objection.upheld", _("Objection upheld")),
    ("objection.dismissed", _("Objection dismissed")),
    # Funded projects
    ("project.created", _("Project opened")),
    ("project.supervisor_assigned", _("Supervisor assigned")),
    ("project.evaluator_assigned", _("Evaluator assigned")),
    ("installment.released", _("Installment released")),
    ("report.periodic", _("Progress report submitted")),
    ("report.mid_term", _("Mid-term report submitted")),
    ("report.final", _("Final report submitted")),
    ("activity.corrected", _("Activity corrected")),
    ("activity.reviewed", _("Activity reviewed")),
    ("report.corrected", _("Report corrected")),
    ("report.reviewed", _("Report reviewed")),
    ("project.progress_published", _("Progress published")),
    ("project.progress_hidden", _("Progress hidden")),
    ("project.appraisal_published", _("Appraisal results published")),
    ("appraisal.comment_moderated", _("Resident's comment moderated")),
    ("project.final_report_overdue", _("Final report overdue")),
    ("supervision.visit", _("Supervision visit")),
    ("rectification.answered", _("Rectification answered")),
    ("rectification.accepted", _("Rectification accepted")),
    ("rectification.returned", _("Rectification returned")),
    ("rectification.overdue", _("Rectification overdue")),
    ("evidence.added", _("Evidence added")),
    # Capacity building
    ("course.created", _("Course created")),
    ("course.changed", _("Course changed")),
    ("course.session_added", _("Session added")),
    ("course.capacity_changed", _("Seats changed")),
    ("course.session_cancelled", _("Session cancelled")),
    ("enrolment.created", _("Enrolled")),
    ("attendance.signed_in", _("Signed in")),
    ("attendance.marked", _("Attendance marked")),
    ("feedback.given", _("Feedback given")),
    ("certificate.issued", _("Certificate issued")),
    ("certificate.revoked", _("Certificate revoked")),
    ("evidence.removed", _("Evidence removed")),
    ("evidence.published", _("Evidence photo made public")),
    ("evidence.unpublished", _("Evidence photo made private")),
):
    declare(_name, _label)
