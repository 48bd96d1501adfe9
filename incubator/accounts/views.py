"""Account pages that replace Wagtail's own where they need a limit."""

from wagtail.admin.views.account import PasswordResetView

from incubator.accounts.forms import count_reset, reset_wait
from incubator.ratelimit import wait_message


class ThrottledPasswordResetView(PasswordResetView):
    """Wagtail's password reset (/admin/password_reset/), with a limit per address and per e-mail address:
    without it anyone could fill a person's inbox with reset e-mails."""

    def form_valid(self, form):
        email = form.cleaned_data.get("email", "")
        if wait := reset_wait(self.request, email):
            form.add_error("email", wait_message(wait))
            return self.form_invalid(form)
        count_reset(self.request, email)
        return super().form_valid(form)
