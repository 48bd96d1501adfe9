"""Public pages, no account: the residents' appraisal form (/appraisal/…), published appraisal results
on the notice board (/notices/appraisals/…) and a project's published progress (/progress/…).

Everything is looked up in the schema of the hub whose host was asked (django-tenants' middleware), so a
token or id of one hub is a 404 on another hub's host.

Ballot stuffing on the residents' appraisal (民事民评) is kept down by, in this order: a honeypot field that
people never see (a bot that fills it is thanked and nothing is stored); a signed timestamp of when the form
was served (answers sent faster than ``FORM_MIN_SECONDS`` or from a form older than ``FORM_MAX_AGE`` are
refused); a single-use nonce, kept on the server and bound to the device cookie the form was served with, so
a stamp cannot be replayed and a client that drops its cookies needs a fresh form for every answer; past
``services.appraisal.APPRAISAL_FREE_PER_ADDRESS`` answers an hour from one address, a question a person
answers at a glance (a sum of two numbers, checked on the server); then ``services.cast_ballot``: one answer
per device (a random id in a signed, http-only cookie), one per phone number, and a per-address hourly limit.
"""

from __future__ import annotations

import io
import re
import secrets

import segno
from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from incubator.errors import show_problems
from incubator.files import serve_stored
from incubator.projects import public_selectors, services
from incubator.projects.models import Project, ProjectStatus
from incubator.ratelimit import client_address
from incubator.workflow import TransitionError

DEVICE_COOKIE = "appraisal_device"
DEVICE_SALT = "incubator.projects.appraisal.device"
DEVICE_MAX_AGE = 2 * 365 * 24 * 3600  # two years: one answer per device for as long as an appraisal lasts
FORM_SALT = "incubator.projects.appraisal.form"
FORM_MIN_SECONDS = 2  # nobody reads the questions and answers them faster
FORM_MAX_AGE = 24 * 3600
RESULTS_PER_PAGE = 20

SCALE = [(str(level), str(level)) for level in range(1, 6)]


def _scale_field(label):
    return forms.TypedChoiceField(label=label, choices=SCALE, coerce=int, widget=forms.RadioSelect)


class AppraisalForm(forms.Form):
    satisfaction = _scale_field(gettext_lazy("Overall, how satisfied are you with this project?"))
    usefulness = _scale_field(gettext_lazy("How useful were its activities to you or your neighbours?"))
    took_part = forms.TypedChoiceField(
        label=gettext_lazy("Did you take part in or benefit from the project?"),
        choices=[("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    phone = forms.CharField(label=gettext_lazy("Mobile phone (optional)"), max_length=30, required=False)
    comment = forms.CharField(
        label=gettext_lazy("Comment (optional)"), max_length=1000, required=False, widget=forms.Textarea
    )
    stamp = forms.CharField(required=False)  # which form was served, and when, signed; checked in clean()
    challenge = forms.IntegerField(label=gettext_lazy("Check question"), required=False, min_value=0, max_value=99)

    def __init__(self, *args, token: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.token = token

    def clean(self):
        problem, nonce = check_stamp(self.data.get("stamp", ""), self.token)
        if problem:
            raise ValidationError(problem)
        cleaned = super().clean()
        cleaned["nonce"] = nonce
        return cleaned


HONEYPOT = "website"  # a field people never see (hidden by CSS, skipped by keyboard); bots fill it in


def make_stamp(token: str, nonce: str) -> str:
    """A signed record of which form was served (the appraisal and the form's nonce), and when."""
    return signing.TimestampSigner(salt=FORM_SALT).sign(f"{token}:{nonce}")


def check_stamp(stamp: str, token: str) -> tuple[str, str]:
    """(why an answer sent with this stamp is refused or "", the form's nonce)."""
    signer = signing.TimestampSigner(salt=FORM_SALT)
    try:
        stamped_token, _sep, nonce = signer.unsign(stamp, max_age=FORM_MAX_AGE).partition(":")
        if stamped_token != token or not NONCE_PATTERN.fullmatch(nonce):
            raise signing.BadSignature
    except signing.SignatureExpired:
        return _("This form was opened more than a day ago; please answer again on this fresh copy."), ""
    except signing.BadSignature:
        return FORGED_FORM(), ""
    try:
        signer.unsign(stamp, max_age=FORM_MIN_SECONDS)
    except signing.SignatureExpired:
        return "", nonce  # served long enough ago for a person to have read it
    return _("That was very quick; please take a moment to read the questions, then send your answer again."), ""


def FORGED_FORM():  # noqa: N802 - a message, translated when shown
    return _("This form could not be checked; please answer again on this fresh copy.")


NONCE_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def _nonce_key(project: Project, nonce: str) -> str:
    return f"appraisal-form:{project.pk}:{nonce}"  # the cache's key function adds the hub's schema


def issue_form(project: Project, *, device_id: str, address: str) -> tuple[str, tuple[int, int] | None]:
    """A fresh nonce for one served form, bound to the device it was served to; with the two numbers of a
    check question when this address has already answered often this hour."""
    nonce = secrets.token_urlsafe(18)
    question = None
    if services.appraisal_needs_challenge(project=project, address=address):
        question = (secrets.randbelow(9) + 1, secrets.randbelow(9) + 1)
    entry = {"device": device_id, "answer": sum(question) if question else None}
    cache.set(_nonce_key(project, nonce), entry, FORM_MAX_AGE)
    return nonce, question


def take_form(project: Project, *, nonce: str, device_id: str) -> dict | None:
    """The served form's record, used up; None if it was never served, served to another device, or used."""
    key = _nonce_key(project, nonce)
    entry = cache.get(key)
    if not entry or not device_id or entry["device"] != device_id:
        return None
    if not cache.delete(key):  # a concurrent request used it first
        return None
    return entry


def _by_token(token: str) -> Project:
    return get_object_or_404(
        Project.objects.select_related("application__organisation", "application__call"), appraisal_token=token
    )


def _form_url(request, project: Project) -> str:
    """The form's address on the host that was asked: the hub's own domain."""
    return request.build_absolute_uri(reverse("public_appraisal", args=[project.appraisal_token]))


def _device(request) -> str:
    return request.get_signed_cookie(DEVICE_COOKIE, default="", salt=DEVICE_SALT)


def _page(request, project: Project, *, state: str, form=None, status: int = 200):
    context = {
        "project": project,
        "state": state,
        "honeypot": HONEYPOT,
        "page_title": _("Residents' appraisal: %(project)s") % {"project": project},
        "meta_description": _(
            "Tell the hub what you think of “%(project)s” of %(organisation)s: two minutes, no account."
        )
        % {"project": project, "organisation": project.application.organisation},
    }
    device_id = _device(request)
    new_device = state == "form" and not device_id
    if new_device:
        device_id = secrets.token_urlsafe(24)
    if state == "form":
        nonce, question = issue_form(project, device_id=device_id, address=client_address(request))
        context.update(
            form=form or AppraisalForm(token=project.appraisal_token),
            stamp=make_stamp(project.appraisal_token, nonce),
            question=question,
            beneficiaries=services.beneficiaries_reached(project),
            activities_count=project.activities.count(),
        )
    response = render(request, "projects/public/appraisal.html", context, status=status)
    if new_device:
        response.set_signed_cookie(
            DEVICE_COOKIE,
            device_id,
            salt=DEVICE_SALT,
            max_age=DEVICE_MAX_AGE,
            path="/appraisal/",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def appraisal_form(request, token):
    """The residents' appraisal form (民事民评), reached by link or QR code; no account."""
    project = _by_token(token)
    if project.status != ProjectStatus.APPRAISAL:
        return _page(request, project, state="closed")
    if request.method != "POST":
        return _page(request, project, state="form")
    if request.POST.get(HONEYPOT):
        return _page(request, project, state="thanks")  # say nothing to the bot, store nothing
    form = AppraisalForm(request.POST, token=project.appraisal_token)
    if not form.is_valid():
        return _page(request, project, state="form", form=form)
    data = form.cleaned_data
    if not _device(request):
        form.add_error(None, _("Your browser did not keep the form's cookie; please allow cookies and try again."))
        return _page(request, project, state="form", form=form)
    served = take_form(project, nonce=data["nonce"], device_id=_device(request))
    if served is None:
        form.add_error(None, FORGED_FORM())
        return _page(request, project, state="form", form=form)
    if served["answer"] is not None and data.get("challenge") != served["answer"]:
        form.add_error("challenge", _("That is not the sum; please answer the new question."))
        return _page(request, project, state="form", form=form)
    if served["answer"] is None and services.appraisal_needs_challenge(
        project=project, address=client_address(request)
    ):
        form.add_error(None, _("Please answer the check question below, then send your answer again."))
        return _page(request, project, state="form", form=form)
    try:
        services.cast_ballot(
            project=project,
            device_id=_device(request),
            address=client_address(request),
            satisfaction=data["satisfaction"],
            usefulness=data["usefulness"],
            took_part=data["took_part"],
            phone=data["phone"],
            comment=data["comment"],
        )
    except TransitionError:
        # Not a message on the form: the appraisal has closed, and the page says so instead of the form.
        return _page(request, project, state="closed")
    except ValidationError as exc:
        show_problems(request, exc, form=form)
        return _page(request, project, state="form", form=form)
    return _page(request, project, state="thanks")


@require_GET
def appraisal_qr(request, token):
    """The QR code (SVG) of the form's address on this hub's host."""
    project = _by_token(token)
    buffer = io.BytesIO()
    segno.make(_form_url(request, project), error="m").save(
        buffer, kind="svg", scale=8, border=4, xmldecl=False, title=_("Residents' appraisal")
    )
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="appraisal-{project.pk}.svg"'
    return response


@require_GET
def appraisal_poster(request, token):
    """A printable poster with the QR code, for community workers to put up."""
    project = _by_token(token)
    url = _form_url(request, project)
    qr = segno.make(url, error="m").svg_inline(scale=1, border=2, omitsize=True, title=_("Residents' appraisal"))
    return render(
        request,
        "projects/public/appraisal_poster.html",
        {"project": project, "url": url, "qr": mark_safe(qr)},  # segno's own markup; it escapes the title
    )


@require_GET
def appraisal_results_list(request):
    """The published appraisal results of the hub's projects, newest first."""
    page = Paginator(public_selectors.published_appraisals(), RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/public/appraisal_results_list.html",
        {
            "page": page,
            "projects": public_selectors.with_figures(page.object_list),
            "page_title": _("Residents' appraisal results"),
            "meta_description": _("What residents said of the projects the hub funded (民事民评)."),
        },
    )


@require_GET
def appraisal_results(request, pk):
    """One project's published appraisal results: the aggregates, and the few comments the hub chose to show."""
    project = public_selectors.published_appraisal(pk)
    if project is None:
        raise Http404
    return render(
        request,
        "projects/public/appraisal_results.html",
        {
            "project": project,
            "comments": services.published_comments(project),
            "page_title": _("Residents' appraisal: %(project)s") % {"project": project},
            "meta_description": _("What residents said of “%(project)s”.") % {"project": project},
        },
    )


@require_GET
def project_progress(request, pk):
    """A project's published progress: what it set out to do and what it did."""
    project = get_object_or_404(public_selectors.public_projects(), pk=pk)
    context = public_selectors.project_story(project)
    context["page_title"] = str(project)
    context["meta_description"] = _(
        "Progress of “%(project)s” of %(organisation)s: objectives, activities and results."
    ) % {
        "project": project,
        "organisation": project.application.organisation,
    }
    return render(request, "projects/public/progress.html", context)


appraisal_urlpatterns = [
    path("<slug:token>/", appraisal_form, name="public_appraisal"),
    path("<slug:token>/qr.svg", appraisal_qr, name="public_appraisal_qr"),
    path("<slug:token>/poster/", appraisal_poster, name="public_appraisal_poster"),
]
notice_urlpatterns = [
    path("appraisals/", appraisal_results_list, name="public_appraisal_results_list"),
    path("appraisals/<int:pk>/", appraisal_results, name="public_appraisal_results"),
]


@require_GET
def public_photo(request, pk, photo):
    """A photo the organisation chose to show, of a project the public may see; any other file is a 404."""
    project = get_object_or_404(public_selectors.public_projects(), pk=pk)
    evidence = get_object_or_404(services.public_photos(project), pk=photo)
    response = serve_stored(evidence.file)
    response["Cache-Control"] = "public, max-age=3600"
    return response


progress_urlpatterns = [
    path("<int:pk>/", project_progress, name="public_progress"),
    path("<int:pk>/photos/<int:photo>/", public_photo, name="public_photo"),
]
