"""The organisations' portal (/portal/): sign up, profile, incubation application, reminders; the filings' pages
are the filings app's (``incubator.filings.portal``), which adds its part to the home page's cards.

Every view finds the organisation among the signed-in person's own (404 otherwise), so one organisation
never sees another's private data; the services check again before they act.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import password_validators_help_text_html, validate_password
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incubator.accounts.forms import confirmation_wait, count_confirmation
from incubator.accounts.models import User
from incubator.areas.models import Community, Street
from incubator.errors import run_service
from incubator.orgs import services
from incubator.orgs.models import Incubation, LegalForm, Organisation, Reminder
from incubator.ratelimit import wait_message
from incubator.widgets import DateInput

portal_login_required = login_required(login_url=reverse_lazy("portal_login"))


class SignUpForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Your name"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("E-mail"))
    password = forms.CharField(
        label=gettext_lazy("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    organisation_name = forms.CharField(label=gettext_lazy("Organisation's name"), max_length=200)
    legal_form = forms.ChoiceField(
        label=gettext_lazy("legal form"), choices=LegalForm.choices, initial=LegalForm.NOT_FILED
    )
    # Longer than 18: a code pasted from a document may carry spaces, hyphens or invisible separators.
    uscc = forms.CharField(label=gettext_lazy("Unified Social Credit Code"), required=False, max_length=40)
    street = forms.ModelChoiceField(label=gettext_lazy("street"), queryset=Street.objects.all())
    community = forms.ModelChoiceField(
        label=gettext_lazy("community"), queryset=Community.objects.all(), required=False
    )
    responsible_person = forms.CharField(label=gettext_lazy("responsible person"), max_length=50)
    contact_phone = forms.CharField(label=gettext_lazy("contact phone"), max_length=30, required=False)

    def clean(self):
        cleaned = super().clean()
        if password := cleaned.get("password"):
            # The account to be: so that a password too like the person's address or name is refused too.
            person = User(email=cleaned.get("email", ""), first_name=cleaned.get("full_name", ""))
            try:
                validate_password(password, person)
            except ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = list(services.EDITABLE_BY_MEMBERS)
        widgets = {"founded_on": DateInput()}


class ApplyForm(forms.Form):
    needs = forms.CharField(
        label=gettext_lazy("What does your organisation need from the hub?"), widget=forms.Textarea(attrs={"rows": 4})
    )
    plans = forms.CharField(
        label=gettext_lazy("What do you plan to do during incubation?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


# The services name the organisation's name ``name``; the sign-up form, beside the person's, calls it so.
SIGNUP_FIELDS = {"name": "organisation_name"}


def signup(request):
    form = SignUpForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and (wait := confirmation_wait(request, form.cleaned_data["email"]))
    ):
        # Each sign-up with an address may e-mail it (a confirmation, or a note that it has an account): limited
        # like the resend, so nobody fills a stranger's inbox through this form.
        form.add_error(None, wait_message(wait))
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        count_confirmation(request, data["email"])
        registered, _user = run_service(
            request,
            lambda: services.register_organisation_account(
                email=data["email"],
                password=data["password"],
                full_name=data["full_name"],
                name=data["organisation_name"],
                legal_form=data["legal_form"],
                uscc=data["uscc"],
                street=data["street"],
                community=data["community"],
                responsible_person=data["responsible_person"],
                contact_phone=data["contact_phone"],
            ),
            form=form,
            aliases=SIGNUP_FIELDS,
        )
        if registered:
            # The same answer whether or not the address already had an account: its owner is told by e-mail.
            request.session["signup_email"] = data["email"].strip().lower()
            return redirect("portal_signup_sent")
    return render(request, "portal/signup.html", {"form": form})


def signup_sent(request):
    return render(request, "portal/signup_sent.html", {"email": request.session.get("signup_email", "")})


def signup_confirm(request, uidb64, token):
    user = services.confirm_signup(uidb64=uidb64, token=token)
    if user is None:
        return render(request, "portal/signup_confirm_failed.html", status=400)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session.pop("signup_email", None)
    messages.success(request, _("Welcome! Your organisation's portal is ready."))
    return redirect("portal_home")


def _own_organisation(request, pk) -> Organisation:
    return get_object_or_404(services.organisations_of(request.user).select_related("street", "community"), pk=pk)


# What the apps above orgs add to each organisation's card on the portal's home (filings: its filing and annual
# reports): each part maps organisation ids to extra template context. Registered from those apps' ready().
HOME_CARD_PARTS: list[Callable[[list[int]], dict[int, dict]]] = []
# Templates of sections the apps above add to each organisation's card (rendered with ``card`` and ``o``).
HOME_SECTIONS: list[str] = []


@portal_login_required
def home(request):
    organisations = list(
        services.organisations_of(request.user).select_related("street", "community").order_by("name")[:50]
    )
    ids = [o.pk for o in organisations]
    incubations = {
        i.organisation_id: i
        for i in Incubation.objects.filter(organisation_id__in=ids).select_related("cohort").order_by("applied_at")
    }
    extras = [contribute(ids) for contribute in HOME_CARD_PARTS]
    reminders: dict[int, list] = {}
    for reminder in Reminder.objects.filter(organisation_id__in=ids).order_by("-created_at")[:200]:
        reminders.setdefault(reminder.organisation_id, []).append(reminder)
    cards = [
        {
            "organisation": o,
            "incubation": incubations.get(o.pk),
            "reminders": reminders.get(o.pk, [])[:10],
            **{key: value for part in extras for key, value in part.get(o.pk, {}).items()},
        }
        for o in organisations
    ]
    return render(request, "portal/home.html", {"cards": cards, "sections": HOME_SECTIONS})


@portal_login_required
def profile(request, pk):
    organisation = _own_organisation(request, pk)
    form = ProfileForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        if run_service(
            request,
            lambda: services.update_profile(actor=request.user, organisation=organisation, **changed),
            form=form,
            success=_("Profile saved."),
        )[0]:
            return redirect("portal_home")
    return render(
        request,
        "portal/form.html",
        {"form": form, "organisation": organisation, "title": _("Profile of %(name)s") % {"name": organisation.name}},
    )


@portal_login_required
def apply(request, pk):
    organisation = _own_organisation(request, pk)
    form = ApplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if run_service(
            request,
            lambda: services.apply_for_incubation(actor=request.user, organisation=organisation, **form.cleaned_data),
            form=form,
            success=_("Your application has been sent to the hub."),
        )[0]:
            return redirect("portal_home")
    return render(
        request, "portal/form.html", {"form": form, "organisation": organisation, "title": _("Apply for incubation")}
    )


urlpatterns = [
    path("", home, name="portal_home"),
    path("signup/", signup, name="portal_signup"),
    path("signup/sent/", signup_sent, name="portal_signup_sent"),
    path("signup/confirm/<str:uidb64>/<str:token>/", signup_confirm, name="portal_signup_confirm"),
    path("organisations/<int:pk>/profile/", profile, name="portal_profile"),
    path("organisations/<int:pk>/apply/", apply, name="portal_apply"),
]


@portal_login_required
def notification_settings(request):
    """Each person chooses, per kind of message, immediate mail, a daily digest or none."""
    from incubator.notifications.models import REQUIRED_KINDS, Delivery, NotificationKind, NotificationPreference

    if request.method == "POST":
        for kind in NotificationKind.values:
            delivery = request.POST.get(kind, Delivery.IMMEDIATE)
            if kind in REQUIRED_KINDS or delivery not in Delivery.values:
                continue
            NotificationPreference.objects.update_or_create(
                user=request.user, kind=kind, defaults={"delivery": delivery}
            )
        messages.success(request, _("Your choices are saved."))
        return redirect("portal_notifications")
    chosen = dict(NotificationPreference.objects.filter(user=request.user).values_list("kind", "delivery"))
    rows = [
        {
            "kind": kind,
            "label": label,
            "required": kind in REQUIRED_KINDS,
            "delivery": Delivery.IMMEDIATE if kind in REQUIRED_KINDS else chosen.get(kind, Delivery.IMMEDIATE),
        }
        for kind, label in NotificationKind.choices
    ]
    return render(request, "portal/notifications.html", {"rows": rows, "deliveries": Delivery.choices})


urlpatterns.append(path("notifications/", notification_settings, name="portal_notifications"))
