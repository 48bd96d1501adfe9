"""Account rules within one hub."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incubator.accounts.models import User
from incubator.accounts.roles import Role, ensure_roles
from incubator.accounts.tokens import hub_token_generator


def create_hub_admin(*, email: str, password: str | None = None) -> User:
    """The hub's first administrator: all rights, but only within this hub's schema."""
    roles = ensure_roles()
    user = User.objects.create_superuser(email=email, password=password)
    user.groups.add(roles[Role.HUB_ADMIN])
    return user


def set_password_url(user: User) -> str:
    hub = connection.tenant
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return hub.primary_url(reverse("wagtailadmin_password_reset_confirm", args=[uid, token]))


def send_welcome_email(*, user_id: int) -> bool:
    """Send the new administrator's welcome once; a retried task sends nothing twice."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        if user.welcome_sent_at:
            return False
        hub = connection.tenant
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            context = {
                "hub": hub,
                "user": user,
                "login_url": hub.primary_url(reverse("wagtailadmin_login")),
                "site_url": hub.primary_url("/"),
                "set_password_url": set_password_url(user),
            }
            subject = _("Welcome to %(hub)s") % {"hub": hub.name}
            body = render_to_string("accounts/email/welcome.txt", context)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        user.welcome_sent_at = timezone.now()
        user.save(update_fields=["welcome_sent_at"])
    return True


def awaiting_confirmation(user: User) -> bool:
    """Signed up but never followed the e-mailed link: confirming signs the person in, so an account that has
    never signed in and is not active is still waiting (one switched off after use has signed in)."""
    return not user.is_active and user.last_login is None


ACCOUNT_EMAILS = {
    # kind: (subject, template); the subject is formatted with the hub's name.
    "confirm_signup": (gettext_lazy("Confirm your e-mail address for %(hub)s"), "accounts/email/confirm_signup.txt"),
    "already_registered": (
        gettext_lazy("Someone tried to sign up at %(hub)s with your address"),
        "accounts/email/already_registered.txt",
    ),
    "password_reset": (gettext_lazy("Choose a new password for %(hub)s"), "accounts/email/password_reset.txt"),
}


def _still_applies(user: User, kind: str) -> bool:
    """The account may have changed since the e-mail was asked for (confirmed, switched off)."""
    if kind == "confirm_signup":
        return awaiting_confirmation(user)
    if kind == "password_reset":
        return user.is_active and user.has_usable_password()
    return True


def send_account_email(*, user_id: int, kind: str) -> bool:
    """An e-mail about the person's own account, in their language, to their address only. Its links are on
    the hub's own primary domain (never a host the request named) and its tokens are made in this schema."""
    user = User.objects.filter(pk=user_id).first()
    if user is None or kind not in ACCOUNT_EMAILS or not _still_applies(user, kind):
        return False
    hub = connection.tenant
    subject, template = ACCOUNT_EMAILS[kind]
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "hub": hub,
            "user": user,
            "login_url": hub.primary_url(reverse("portal_login")),
            "reset_url": hub.primary_url(reverse("portal_password_reset")),
        }
        if kind == "confirm_signup":
            token = hub_token_generator.make_token(user)  # bound to this hub's schema, like the reset
            context["confirm_url"] = hub.primary_url(reverse("portal_signup_confirm", args=[uid, token]))
        if kind == "password_reset":
            token = hub_token_generator.make_token(user)
            context["password_url"] = hub.primary_url(reverse("portal_password_reset_confirm", args=[uid, token]))
            context["days"] = max(1, settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60))
        body = render_to_string(template, context)
        subject = str(subject) % {"hub": hub.name}
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return True
