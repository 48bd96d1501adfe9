"""Sign-in and password-reset forms of every host (portal, hub back office, platform console), throttled.

Failed sign-ins are counted per account and per client address; once either is full, every attempt (the
right password included) is refused with the time to wait, before the password is even checked. A success
clears the account's count. Password-reset requests are counted the same way, per address and per e-mail
address asked for, whether or not it has an account (so the limit says nothing of who is registered).
The cache holds the counts, so each hub (and the platform) counts its own.
"""

from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm

from incubator.ratelimit import Limit, client_address, wait_message

FAILED_LOGINS_PER_ACCOUNT = Limit("login-account", limit=5, window=15 * 60)
FAILED_LOGINS_PER_ADDRESS = Limit("login-address", limit=20, window=15 * 60)
RESETS_PER_EMAIL = Limit("reset-email", limit=3, window=60 * 60)
RESETS_PER_ADDRESS = Limit("reset-address", limit=10, window=60 * 60)


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


class LoginForm(ThrottledLoginMixin, AuthenticationForm):
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
