"""Account pages: the back office's password reset with a limit, and the portal's own "forgot password" and
"send the confirmation again" (on the hub's host, under /portal/).

A reset link is made for one hub only: the e-mail is built in the hub's schema with the hub's primary domain
(``services.send_account_email``), and its token mixes in the schema (``tokens.hub_token_generator``), so the
same link on another hub's host finds no account or an account it does not fit.
"""

from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import path, reverse_lazy
from wagtail.admin.views.account import PasswordResetView

from incubator.accounts.forms import (
    PortalPasswordResetForm,
    ResendConfirmationForm,
    clear_failed_logins,
    confirmation_wait,
    count_confirmation,
    count_reset,
    reset_wait,
)
from incubator.accounts.tokens import hub_token_generator
from incubator.ratelimit import wait_message


class ThrottledResetMixin:
    """A limit per address and per e-mail address asked for: without it anyone could fill a person's inbox
    with reset e-mails. Counted whether or not the address has an account, so the limit tells nothing."""

    def form_valid(self, form):
        email = form.cleaned_data.get("email", "")
        if wait := reset_wait(self.request, email):
            form.add_error("email", wait_message(wait))
            return self.form_invalid(form)
        count_reset(self.request, email)
        return super().form_valid(form)


class ThrottledPasswordResetView(ThrottledResetMixin, PasswordResetView):
    """Wagtail's password reset (/admin/password_reset/)."""


class PortalPasswordResetView(ThrottledResetMixin, auth_views.PasswordResetView):
    form_class = PortalPasswordResetForm
    template_name = "accounts/portal/password_reset_form.html"
    success_url = reverse_lazy("portal_password_reset_done")
    token_generator = hub_token_generator


class PortalPasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/portal/password_reset_done.html"


class PortalPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/portal/password_reset_confirm.html"
    success_url = reverse_lazy("portal_password_reset_complete")
    token_generator = hub_token_generator

    def form_valid(self, form):
        response = super().form_valid(form)
        clear_failed_logins(self.user.email)
        return response

    def render_to_response(self, context, **response_kwargs):
        if not self.validlink:  # a wrong, used or expired link, or one of another hub
            response_kwargs.setdefault("status", 400)
        return super().render_to_response(context, **response_kwargs)


class PortalPasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/portal/password_reset_complete.html"


def resend_confirmation(request):
    """The same answer whether or not the address has an account waiting: only such an account is written to."""
    form = ResendConfirmationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if wait := confirmation_wait(request, email):
            form.add_error("email", wait_message(wait))
        else:
            count_confirmation(request, email)
            form.save()
            return redirect("portal_signup_resend_sent")
    return render(request, "accounts/portal/resend_confirmation.html", {"form": form})


def resend_confirmation_sent(request):
    return render(request, "accounts/portal/resend_confirmation_sent.html")


portal_urlpatterns = [
    path("password-reset/", PortalPasswordResetView.as_view(), name="portal_password_reset"),
    path("password-reset/done/", PortalPasswordResetDoneView.as_view(), name="portal_password_reset_done"),
    path("password-reset/complete/", PortalPasswordResetCompleteView.as_view(), name="portal_password_reset_complete"),
    path(
        "password-reset/<str:uidb64>/<str:token>/",
        PortalPasswordResetConfirmView.as_view(),
        name="portal_password_reset_confirm",
    ),
    path("signup/resend/", resend_confirmation, name="portal_signup_resend"),
    path("signup/resend/sent/", resend_confirmation_sent, name="portal_signup_resend_sent"),
]
