"""Capacity building's services, one module per stage (nothing imports a later stage's module):

- ``planning``: courses and sessions, series skipping statutory holidays, publishing, cancelling;
- ``enrolment``: people, enrolment with a per-organisation cap, the self-running waitlist and its offers;
- ``attendance``: sign-in by a rotating QR code, the roster, minutes attended;
- ``feedback``: one answer per attendee after a session, and its figures;
- ``certificates``: hours earned, certificates of completion, their PDF and verification.

Everything public is re-exported here, so callers keep ``from incubator.courses import services``.
"""

from incubator.courses.services.attendance import (  # noqa: F401
    code_is_current,
    mark_attendance,
    sign_in,
    sign_in_code,
    sign_in_open,
)
from incubator.courses.services.certificates import (  # noqa: F401
    certificate_by_code,
    certificate_pdf,
    issue_certificate,
    issue_due_certificates,
    masked_name,
    revoke_certificate,
    standing,
)
from incubator.courses.services.enrolment import (  # noqa: F401
    ENROLMENT,
    accept_offer,
    cancel_enrolment,
    decline_offer,
    enrol,
    enrol_in_course,
    expire_offers,
    fill_seats,
    offer_by_token,
    participant_for,
    promote,
    remove_enrolment,
    send_reminders,
)
from incubator.courses.services.feedback import feedback_results, give_feedback  # noqa: F401
from incubator.courses.services.planning import (  # noqa: F401
    COURSE,
    add_series,
    add_session,
    cancel_course,
    cancel_session,
    change_capacity,
    publish_course,
    save_course,
    series_dates,
    unpublish_course,
)
