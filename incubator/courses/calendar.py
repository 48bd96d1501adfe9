"""iCalendar feeds of the hub's sessions (RFC 5545, written with the ``icalendar`` library): one of every
published session, and one per participant behind their secret token with the sessions they hold a seat in.
Phone calendars subscribe to them; nothing personal is in the hub's feed."""

from __future__ import annotations

import datetime

from django.utils import timezone

from incubator.courses.models import HOLDS_A_SEAT, CourseStatus, Participant, Session, SessionStatus

PAST_DAYS = 90  # how far back a feed goes: enough for "what was that last month", bounded


def _feed(sessions, *, name: str, host: str) -> bytes:
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//hubs//capacity building//ZH")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Shanghai")
    for session in sessions:
        event = Event()
        event.add("uid", f"session-{session.pk}@{host}")
        event.add("summary", session.course.title)
        event.add("dtstart", timezone.localtime(session.starts_at))
        event.add("dtend", timezone.localtime(session.ends_at))
        event.add("dtstamp", session.created_at)
        event.add("location", session.venue or session.online_url)
        if session.online_url:
            event.add("url", session.online_url)
        details = [session.course.description]
        if session.trainer:
            details.insert(0, session.trainer)
        event.add("description", "\n".join(part for part in details if part))
        if session.status == SessionStatus.CANCELLED:
            event.add("status", "CANCELLED")
        calendar.add_component(event)
    return calendar.to_ical()


def _recent(sessions):
    since = timezone.now() - datetime.timedelta(days=PAST_DAYS)
    return sessions.filter(starts_at__gte=since).select_related("course").order_by("starts_at")


def hub_feed(*, name: str, host: str) -> bytes:
    sessions = Session.objects.filter(course__status__in=[CourseStatus.PUBLISHED, CourseStatus.CANCELLED])
    return _feed(_recent(sessions), name=name, host=host)


def personal_feed(participant: Participant, *, name: str, host: str) -> bytes:
    sessions = Session.objects.filter(
        enrolments__participant=participant, enrolments__status__in=HOLDS_A_SEAT
    ).distinct()
    return _feed(_recent(sessions), name=name, host=host)
