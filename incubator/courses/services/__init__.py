"""Capacity building's services, one module per stage (nothing imports a later stage's module):

- ``planning``: courses and sessions, series skipping statutory holidays, publishing, cancelling;
- ``enrolment``: people, enrolment with a per-organisation cap, the self-running waitlist and its offers.

Everything public is re-exported here, so callers keep ``from incubator.courses import services``.
"""

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
)
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
