"""The residents' appraisal (民事民评): ballots, their limits and check question, results."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incubator import showcase
from incubator.audit.actions import declare_states
from incubator.audit.services import record_event
from incubator.permissions import OPERATORS, is_operator
from incubator.projects.models import (
    AppraisalBallot,
    CommentState,
    Project,
)
from incubator.projects.services.lifecycle import APPRAISAL_ORGANISERS, S, _current, _money, _require, _step
from incubator.workflow import TransitionError

# --- Residents' appraisal (民事民评) ------------------------------------------------------------------------


def start_appraisal(*, actor, project: Project) -> Project:
    return _step(project, "start_appraisal", actor)


APPRAISAL_PER_ADDRESS_PER_HOUR = 20
# Past this many answers an hour from one address (a household, a community centre's Wi-Fi), each further
# answer needs the form's check question (incubator/projects/public_views.py).
APPRAISAL_FREE_PER_ADDRESS = 3


def _keyed_hash(kind: str, value: str) -> str:
    from django.db import connection

    # Keyed by the hub too: the same phone in two hubs gives unrelated hashes.
    key = f"{settings.SECRET_KEY}:{connection.schema_name}:{kind}".encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def normalise_phone(raw: str) -> str:
    digits = "".join(ch for ch in (raw or "") if ch.isdigit())
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def _appraisal_rate_key(project: Project, address: str) -> str:
    return f"appraisal-rate:{project.pk}:{_keyed_hash('address', address or '')}"


def appraisal_needs_challenge(*, project: Project, address: str) -> bool:
    from django.core.cache import cache

    return (cache.get(_appraisal_rate_key(project, address)) or 0) >= APPRAISAL_FREE_PER_ADDRESS


def cast_ballot(
    *,
    project: Project,
    device_id: str,
    address: str,
    satisfaction,
    usefulness,
    took_part: bool,
    phone: str = "",
    comment: str = "",
) -> AppraisalBallot:
    """One resident's answer; no account. One per device and per phone; addresses are rate-limited."""
    from django.core.cache import cache

    project = _current(project)
    if project.status != S.APPRAISAL:
        raise TransitionError(_("The residents' appraisal of this project is not open."))
    problems = []
    scores = {}
    for name, value, label in (
        ("satisfaction", satisfaction, _("overall satisfaction")),
        ("usefulness", usefulness, _("how useful the activities were")),
    ):
        try:
            scores[name] = int(value)
            if not 1 <= scores[name] <= 5:
                raise ValueError
        except (TypeError, ValueError):
            problems.append(_("Choose from 1 to 5 for %(question)s.") % {"question": label})
    phone_digits = normalise_phone(phone)
    if phone and not (len(phone_digits) == 11 and phone_digits.startswith("1")):
        problems.append(_("The phone number should be an 11-digit mobile number, or left empty."))
    if not device_id:
        problems.append(_("Your browser did not keep the form's cookie; please allow cookies and try again."))
    if len(comment or "") > 1000:
        problems.append(_("The comment is too long (1,000 characters at most)."))
    if problems:
        raise ValidationError(problems)
    address_hash = _keyed_hash("address", address or "")
    rate_key = _appraisal_rate_key(project, address)
    cache.add(rate_key, 0, timeout=3600)
    if cache.incr(rate_key) > APPRAISAL_PER_ADDRESS_PER_HOUR:
        raise ValidationError(_("Too many answers from your network in the last hour; please try again later."))
    device_hash = _keyed_hash("device", device_id)
    phone_hash = _keyed_hash("phone", phone_digits) if phone_digits else ""
    duplicate = AppraisalBallot.objects.filter(project=project, device_hash=device_hash)
    if phone_hash:
        duplicate = duplicate | AppraisalBallot.objects.filter(project=project, phone_hash=phone_hash)
    if duplicate.exists():
        raise ValidationError(_("An answer from this device or phone number has already been counted. Thank you!"))
    try:
        with transaction.atomic():
            if project.appraisal_published_at:  # a late answer changes the published figures
                showcase.changed()
            return AppraisalBallot.objects.create(
                project=project,
                satisfaction=scores["satisfaction"],
                usefulness=scores["usefulness"],
                took_part=bool(took_part),
                comment=(comment or "").strip(),
                device_hash=device_hash,
                phone_hash=phone_hash,
                address_hash=address_hash,
            )
    except IntegrityError:  # two submissions raced past the check above
        raise ValidationError(
            _("An answer from this device or phone number has already been counted. Thank you!")
        ) from None


def appraisal_results(project: Project) -> dict:
    from django.db.models import Avg, Count, Q

    # Aliases must differ from the field names, or the filters below would refer to the aggregates.
    figures = project.ballots.aggregate(
        answers=Count("id"),
        avg_satisfaction=Avg("satisfaction"),
        avg_usefulness=Avg("usefulness"),
        took_part_count=Count("id", filter=Q(took_part=True)),
        satisfied=Count("id", filter=Q(satisfaction__gte=4)),
    )
    answers = figures["answers"]
    return {
        "answers": answers,
        "small_sample": 0 < answers < SMALL_SAMPLE,
        "satisfaction": _money(figures["avg_satisfaction"]) if answers else None,
        "usefulness": _money(figures["avg_usefulness"]) if answers else None,
        "took_part": figures["took_part_count"],
        "satisfied_percent": round(figures["satisfied"] * 100 / answers) if answers else None,
        "distribution": [project.ballots.filter(satisfaction=level).count() for level in range(1, 6)]
        if answers
        else [0] * 5,
    }


def publish_appraisal(*, actor, project: Project) -> Project:
    """Publish the aggregated answers on the hub's notice board (never the individual answers)."""
    _require(actor, APPRAISAL_ORGANISERS, _("Only hub operators and community workers publish appraisal results."))
    project = _current(project)
    if project.status in (
        S.CONTRACTING,
        S.ACTIVE,
        S.MID_TERM_REVIEW,
        S.RECTIFYING,
        S.FINAL_REPORT_DUE,
        S.FINAL_REPORT_SUBMITTED,
        S.FINAL_REPORT_ACCEPTED,
    ):
        raise TransitionError(_("Appraisal results are published once the appraisal has taken place."))
    if not project.ballots.exists():
        raise TransitionError(_("No resident has answered yet; there is nothing to publish."))
    with transaction.atomic():
        Project.objects.filter(pk=project.pk).update(appraisal_published_at=timezone.now())
        record_event(actor=actor, action="project.appraisal_published", subject=project)
        showcase.changed()
    project.refresh_from_db()
    return project


# Below this many answers the averages say little: published results carry a note saying so.
SMALL_SAMPLE = 30
PUBLISHED_COMMENTS = 5  # "a chosen few"


def appraisal_comments(project: Project, *, reader) -> list[AppraisalBallot]:
    """The residents' comments: all of them for the hub's operators (to moderate), the ones not hidden for the
    project's evaluator; nobody else reads them."""
    comments = project.ballots.exclude(comment="").order_by("-cast_at", "-pk")
    if is_operator(reader):
        return list(comments)
    if project.evaluator_id and reader.pk == project.evaluator_id:
        return list(comments.exclude(comment_state=CommentState.HIDDEN))
    return []


declare_states(
    "appraisal.comment_moderated",
    {
        "new": gettext_lazy("Not read yet"),
        "read": gettext_lazy("Read"),
        "hidden": gettext_lazy("Hidden"),
        "read+published": gettext_lazy("Shown with the results"),
        "new+published": gettext_lazy("Shown with the results"),
    },
)

MODERATION = {
    # action: (state, published)
    "read": (CommentState.READ, None),
    "hide": (CommentState.HIDDEN, False),
    "publish": (CommentState.READ, True),
    "unpublish": (None, False),
}


def moderate_comment(*, actor, ballot: AppraisalBallot, action: str, reason: str = "") -> AppraisalBallot:
    """Read, hide (abusive, or personal details), or choose a comment for the published results; each step
    audited and reversible (a hidden comment can be read again, a published one taken back)."""
    _require(actor, OPERATORS, _("Only hub operators moderate the residents' comments."))
    if action not in MODERATION:
        raise ValidationError(_("There is no such moderation step."))
    state, published = MODERATION[action]
    with transaction.atomic():
        locked = AppraisalBallot.objects.select_for_update().get(pk=ballot.pk)
        if not locked.comment:
            raise ValidationError(_("This answer has no comment."))
        if action == "publish":
            Project.objects.select_for_update().get(pk=locked.project_id)  # one choice at a time per project
            chosen = locked.project.ballots.filter(comment_published=True).exclude(pk=locked.pk).count()
            if chosen >= PUBLISHED_COMMENTS:
                raise ValidationError(
                    _("At most %(number)s comments go out with the results: take one back first.")
                    % {"number": PUBLISHED_COMMENTS}
                )
        before = f"{locked.comment_state}{'+published' if locked.comment_published else ''}"
        if state is not None:
            locked.comment_state = state
        if published is not None:
            locked.comment_published = published
        locked.save(update_fields=["comment_state", "comment_published"])
        after = f"{locked.comment_state}{'+published' if locked.comment_published else ''}"
        record_event(
            actor=actor,
            action="appraisal.comment_moderated",
            subject=locked.project,
            from_state=before,
            to_state=after,
            reason=reason or f"#{locked.pk}",
        )
        showcase.changed()
    return locked


def published_comments(project: Project) -> list[str]:
    if not project.appraisal_published_at:
        return []
    return list(
        project.ballots.filter(comment_published=True)
        .exclude(comment_state=CommentState.HIDDEN)
        .order_by("cast_at", "pk")
        .values_list("comment", flat=True)[:PUBLISHED_COMMENTS]
    )
