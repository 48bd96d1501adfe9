"""One-time links of one hub that are worthless on any other.

People live in each hub's schema, so the same primary key (even the same address) can belong to two accounts
on two hubs. Django's tokens hash the account's key, password hash, last sign-in and address; this generator
also hashes the schema the link was made in, so a link made for hub A never checks on hub B's host, whatever
B's account of that key looks like.
"""

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import connection


class HubTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "incubator.accounts.tokens.HubTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{connection.schema_name}\0{super()._make_hash_value(user, timestamp)}"


hub_token_generator = HubTokenGenerator()
