"""Sign-in and password-reset forms of every host (portal, hub back office, platform console), throttled.

Failed sign-ins are counted per account and per client address; once either is full, every attempt (the
right password included) is refused with the time to wait, before the password is even checked. A success
clears the account's count. Password-reset requests, and requests to send the sign-up confirmation again, are
counted the same way, per address and per e-mail address asked for, whether or not it has an account (so the
limit says nothing of who is registered). The cache holds the counts, so each hub (and the platform) counts
its own.

On the portal, the right password of an account whose address is not confirmed yet is told so (and offered
the confirmation again) instead of the generic refusal: only the account's owner knows that password.
"""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm

from incubator.accounts.models import User
from incubator.accounts.services import awaiting_confirmation
from incubator.accounts.tasks import queue_account_email
from incubator.ratelimit import Limit, client_address, wait_message

FAILED_LOGINS_PER_ACCOUNT = Limit("login-account", limit=5, window=15 * 60)
FAILED_LOGINS_PER_ADDRESS = Limit("login-address", limit=20, window=15 * 60)
RESETS_PER_EMAIL = Limit("reset-email", limit=3, window=60 * 60)
RESETS_PER_ADDRESS = Limit("reset-address", limit=10, window=60 * 60)
CONFIRMATIONS_PER_EMAIL = Limit("confirm-email", limit=3, window=60 * 60)
CONFIRMATIONS_PER_ADDRESS = Limit("confirm-address", limit=10, window=60 * 60)


def _account(username: str) -> str:
    return (username or "").strip().lower()


def login_wait(request, username: str) -> int:
    """Seconds this sign-in must wait, 0 when it may go ahead."""
    return max(
        FAILED_LOGINS_PER_ACCOUNT.retry_after(_account(username)),
        FAILED_LOGINS_PER_ADDRESS.retry_after(client_address(request)),
    )


class ThrottledLoginMixin:
    def clean(self):
        username = self.data.get("username", "")
        if self.request is not None and (wait := login_wait(self.request, username)):
            raise ValidationError(wait_message(wait), code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError as exc:
            if self.request is not None and getattr(exc, "code", None) == "invalid_login":
                FAILED_LOGINS_PER_ACCOUNT.hit(_account(username))
                FAILED_LOGINS_PER_ADDRESS.hit(client_address(self.request))
            raise
        if self.request is not None:
            FAILED_LOGINS_PER_ACCOUNT.reset(_account(username))
        return cleaned


def clear_failed_logins(email: str) -> None:
    """A new password chosen through an e-mailed link: the account's failed sign-ins no longer hold it back."""
    FAILED_LOGINS_PER_ACCOUNT.reset(_account(email))


class AwaitingConfirmationMixin:
    """The right password of an account still waiting for its sign-up confirmation is told so; a wrong one
    gets the generic refusal (and is counted). Either way the password is hashed once, as for any account."""

    awaiting_confirmation = False

    def clean(self):
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if username and password:
            try:
                user = User._default_manager.get_by_natural_key(username)
            except User.DoesNotExist:
                user = None
            if user is not None and awaiting_confirmation(user):
                if not user.check_password(password):
                    raise self.get_invalid_login_error()
                self.awaiting_confirmation = True
                raise ValidationError(
                    gettext_lazy(
                        "Your e-mail address is not confirmed yet. Open the link in the e-mail we sent you when "
                        "you signed up, or have it sent again."
                    ),
                    code="awaiting_confirmation",
                )
        return super().clean()


class LoginForm(ThrottledLoginMixin, AwaitingConfirmationMixin, AuthenticationForm):
    """The portal's sign-in (/portal/login/)."""


class HubAdminLoginForm(ThrottledLoginMixin, WagtailLoginForm):
    """The hub back office's sign-in (Wagtail, /admin/login/): WAGTAILADMIN_USER_LOGIN_FORM."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Wagtail's password field has no label, so Django shows the bare field name "Password" untranslated.
        self.fields["password"].label = gettext_lazy("Password")


class PlatformLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    """The platform console's sign-in (Django admin on the platform host)."""


def reset_wait(request, email: str) -> int:
    return max(RESETS_PER_EMAIL.retry_after(_account(email)), RESETS_PER_ADDRESS.retry_after(client_address(request)))


def count_reset(request, email: str) -> None:
    RESETS_PER_EMAIL.hit(_account(email))
    RESETS_PER_ADDRESS.hit(client_address(request))


def confirmation_wait(request, email: str) -> int:
    return max(
        CONFIRMATIONS_PER_EMAIL.retry_after(_account(email)),
        CONFIRMATIONS_PER_ADDRESS.retry_after(client_address(request)),
    )


def count_confirmation(request, email: str) -> None:
    CONFIRMATIONS_PER_EMAIL.hit(_account(email))
    CONFIRMATIONS_PER_ADDRESS.hit(client_address(request))


def _awaiting_confirmation(email: str):
    return User._default_manager.filter(email__iexact=email, is_active=False, last_login__isnull=True)


class PortalPasswordResetForm(PasswordResetForm):
    """The portal's "forgot password" (/portal/password-reset/).

    Django's form would render and send the e-mail itself, its link on the host the request named; this one
    queues the account e-mail of the hub (in the person's language, its link on the hub's own primary domain,
    its token made for this hub's schema). An account still waiting for its sign-up confirmation is sent
    the confirmation link instead, since it cannot sign in until then. No account, no e-mail: the page after
    is the same.
    """

    email = forms.EmailField(
        label=gettext_lazy("E-mail"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def save(self, **_ignored):
        email = self.cleaned_data["email"]
        for user in self.get_users(email):
            queue_account_email(user.pk, "password_reset")
        for user in _awaiting_confirmation(email):
            queue_account_email(user.pk, "confirm_signup")


class ResendConfirmationForm(forms.Form):
    """Send the sign-up confirmation again (/portal/signup/resend/); only an account still waiting gets it."""

    email = forms.EmailField(
        label=gettext_lazy("E-mail"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def save(self):
        for user in _awaiting_confirmation(self.cleaned_data["email"]):
            queue_account_email(user.pk, "confirm_signup")
