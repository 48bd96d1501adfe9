"""Public pages, no account: the residents' appraisal form (/appraisal/…), published appraisal results
on the notice board (/notices/appraisals/…) and a project's published progress (/progress/…).

Everything is looked up in the schema of the hub whose host was asked (django-tenants' middleware), so a
token or id of one hub is a 404 on another hub's host.

Ballot stuffing (DESIGN.md 4.4, 民事民评) is kept down by, in this order: a honeypot field that people never
see (a bot that fills it is thanked and nothing is stored); a signed timestamp of when the form was served
(answers sent faster than ``FORM_MIN_SECONDS`` or from a form older than ``FORM_MAX_AGE`` are refused);
then ``services.cast_ballot``: one answer per device (a random id in a signed, http-only cookie), one per
phone number, and a per-address hourly limit.
"""

from __future__ import annotations

import io
import secrets

import segno
from django import forms
from django.conf import settings
from django.core import signing
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
    stamp = forms.CharField(required=False)  # when the form was served, signed; checked in clean()

    def __init__(self, *args, token: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.token = token

    def clean(self):
        problem = check_stamp(self.data.get("stamp", ""), self.token)
        if problem:
            raise ValidationError(problem)
        return super().clean()


HONEYPOT = "website"  # a field people never see (hidden by CSS, skipped by keyboard); bots fill it in


def make_stamp(token: str) -> str:
    """A signed record of which form was served, and when."""
    return signing.TimestampSigner(salt=FORM_SALT).sign(token)


def check_stamp(stamp: str, token: str) -> str:
    """Why an answer sent with this stamp is refused, or "" when it is fine."""
    signer = signing.TimestampSigner(salt=FORM_SALT)
    try:
        if signer.unsign(stamp, max_age=FORM_MAX_AGE) != token:
            raise signing.BadSignature
    except signing.SignatureExpired:
        return _("This form was opened more than a day ago; please answer again on this fresh copy.")
    except signing.BadSignature:
        return _("This form could not be checked; please answer again on this fresh copy.")
    try:
        signer.unsign(stamp, max_age=FORM_MIN_SECONDS)
    except signing.SignatureExpired:
        return ""  # served long enough ago for a person to have read it
    return _("That was very quick; please take a moment to read the questions, then send your answer again.")


def _by_token(token: str) -> Project:
    return get_object_or_404(
        Project.objects.select_related("application__organisation", "application__call"), appraisal_token=token
    )


def _form_url(request, project: Project) -> str:
    """The form's address on the host that was asked: the hub's own domain."""
    return request.build_absolute_uri(reverse("public_appraisal", args=[project.appraisal_token]))


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
    if state == "form":
        context.update(
            form=form or AppraisalForm(token=project.appraisal_token),
            stamp=make_stamp(project.appraisal_token),
            beneficiaries=services.beneficiaries_reached(project),
            activities_count=project.activities.count(),
        )
    response = render(request, "projects/public/appraisal.html", context, status=status)
    if state == "form" and not request.get_signed_cookie(DEVICE_COOKIE, default="", salt=DEVICE_SALT):
        response.set_signed_cookie(
            DEVICE_COOKIE,
            secrets.token_urlsafe(24),
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
    try:
        services.cast_ballot(
            project=project,
            device_id=request.get_signed_cookie(DEVICE_COOKIE, default="", salt=DEVICE_SALT),
            address=client_address(request),
            satisfaction=data["satisfaction"],
            usefulness=data["usefulness"],
            took_part=data["took_part"],
            phone=data["phone"],
            comment=data["comment"],
        )
    except TransitionError:
        return _page(request, project, state="closed")
    except ValidationError as exc:
        form.add_error(None, exc)
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
    """One project's published appraisal results: aggregates only, never an answer or a comment."""
    project = public_selectors.published_appraisal(pk)
    if project is None:
        raise Http404
    return render(
        request,
        "projects/public/appraisal_results.html",
        {
            "project": project,
            "page_title": _("Residents' appraisal: %(project)s") % {"project": project},
            "meta_description": _("What residents said of “%(project)s”.") % {"project": project},
        },
    )


@require_GET
def project_progress(request, pk):
    """A project's published progress: what it set out to do and what it did."""
    project = get_object_or_404(public_selectors.published_progress(), pk=pk)
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
progress_urlpatterns = [path("<int:pk>/", project_progress, name="public_progress")]
