"""Password rules of ours for AUTH_PASSWORD_VALIDATORS, where Django's own need help.

Django 5.2 reworded its "too short" message (``%d`` where it said ``%(min_length)d``) and its Simplified
Chinese catalogue has not caught up: on a Chinese page the message came out in English. This validator says
it in the earlier words, which Django's catalogue (and ours) translate; the rule is Django's.
"""

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return ngettext(
            "This password is too short. It must contain at least %(min_length)d character.",
            "This password is too short. It must contain at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}
