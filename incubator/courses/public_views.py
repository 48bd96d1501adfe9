"""Public pages of capacity building, no account: a waitlist offer accepted or declined by its link
(/training/offers/<token>/), sign-in by the session's QR code on a phone (/training/sign-in/<pk>/<code>/) and the
verification of a certificate (/certificates/<code>/: masked name, not indexed, rate-limited).

Everything is looked up in the schema of the hub whose host was asked, so a token or code of one hub is a 404
on another hub's host.
"""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from incubator.courses import services
from incubator.courses.models import EnrolmentStatus, Participant, Session
from incubator.errors import run_service
from incubator.ratelimit import Limit, client_address, wait_message

VERIFY_LIMIT = Limit("certificate-verify", 30, 600)  # per address: enough for a desk checking a pile
SIGN_IN_LIMIT = Limit("course-sign-in", 20, 600)


class SignInForm(forms.Form):
    phone = forms.CharField(
        label=gettext_lazy("Mobile phone"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    name = forms.CharField(
        label=gettext_lazy("Name (only if you did not enrol)"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )


def _noindex(response):
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def offer(request, token):
    enrolment = services.offer_by_token(token)
    if enrolment is None:
        raise Http404
    if request.method == "POST":
        choice = request.POST.get("choice")
        call = services.accept_offer if choice == "accept" else services.decline_offer
        if choice in ("accept", "decline"):
            done = run_service(request, lambda: call(token=token))[0]
            if done:
                enrolment = services.offer_by_token(token)
    return _noindex(
        render(
            request,
            "courses/public/offer.html",
            {
                "enrolment": enrolment,
                "session": enrolment.session,
                "open": enrolment.status == EnrolmentStatus.OFFERED,
                "page_title": _("A seat for you: %(course)s") % {"course": enrolment.session.course},
                "noindex": True,
            },
        )
    )


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request, pk, code):
    session = get_object_or_404(Session.objects.select_related("course"), pk=pk)
    valid = services.code_is_current(session, code)
    form = SignInForm(request.POST or None)
    attendance = None
    address = client_address(request)
    if request.method == "POST" and valid and form.is_valid():
        if SIGN_IN_LIMIT.exceeded(address):
            form.add_error(None, wait_message(SIGN_IN_LIMIT.retry_after(address)))
        else:
            SIGN_IN_LIMIT.hit(address)
            _ok, attendance = run_service(
                request,
                lambda: services.sign_in(
                    session=session, code=code, phone=form.cleaned_data["phone"], name=form.cleaned_data["name"]
                ),
                form=form,
            )
    return _noindex(
        render(
            request,
            "courses/public/sign_in.html",
            {
                "session": session,
                "form": form,
                "valid": valid,
                "open": services.sign_in_open(session),
                "attendance": attendance,
                "page_title": _("Sign in: %(course)s") % {"course": session.course},
                "noindex": True,
            },
            status=200 if valid else 404,
        )
    )


@never_cache
@require_GET
def verify(request, code):
    address = client_address(request)
    if VERIFY_LIMIT.exceeded(address):
        response = render(
            request,
            "courses/public/verify.html",
            {
                "limited": wait_message(VERIFY_LIMIT.retry_after(address)),
                "page_title": _("Verify a certificate"),
                "noindex": True,
            },
            status=429,
        )
        return _noindex(response)
    VERIFY_LIMIT.hit(address)
    certificate = services.certificate_by_code(code)
    if certificate is None:
        raise Http404
    return _noindex(
        render(
            request,
            "courses/public/verify.html",
            {
                "certificate": certificate,
                "masked_name": services.masked_name(certificate.participant.name),
                "page_title": _("Verify a certificate"),
                "noindex": True,
            },
        )
    )


CALENDAR_TYPE = "text/calendar; charset=utf-8"


def _hub_name(request) -> str:
    hub = getattr(request, "tenant", None)
    return getattr(hub, "name", "") or request.get_host()


@require_GET
def hub_calendar(request):
    from incubator.courses.calendar import hub_feed

    feed = hub_feed(name=_("Training of %(hub)s") % {"hub": _hub_name(request)}, host=request.get_host())
    response = HttpResponse(feed, content_type=CALENDAR_TYPE)
    response["Cache-Control"] = "public, max-age=900"
    return response


@never_cache
@require_GET
def personal_calendar(request, token):
    from incubator.courses.calendar import personal_feed

    participant = get_object_or_404(Participant, token=token)
    name = _("My training at %(hub)s") % {"hub": _hub_name(request)}
    return _noindex(
        HttpResponse(personal_feed(participant, name=name, host=request.get_host()), content_type=CALENDAR_TYPE)
    )


training_urlpatterns = [
    path("calendar.ics", hub_calendar, name="course_calendar"),
    path("calendar/<slug:token>.ics", personal_calendar, name="course_personal_calendar"),
    path("offers/<slug:token>/", offer, name="course_offer"),
    path("sign-in/<int:pk>/<slug:code>/", sign_in, name="course_sign_in"),
]
certificate_urlpatterns = [path("<slug:code>/", verify, name="certificate_verify")]
