"""Counting what a person or an address does within a window, in the cache (hence per hub: the cache's key
function carries the schema), and who the client is behind our own proxies.

Fixed windows: the first hit opens a window of ``window`` seconds; ``limit`` hits fill it. Counters use the
cache's atomic increment, so concurrent requests never lose a hit. Identifiers are hashed before they become
keys: e-mail addresses and phone numbers never sit in the cache in clear.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import ngettext


def client_address(request) -> str:
    """The client's address: behind ``TRUSTED_PROXY_HOPS`` proxies the entry the outermost of ours added to
    X-Forwarded-For (entries further left are the client's to forge), else the connection's."""
    hops = settings.TRUSTED_PROXY_HOPS
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if hops > 0 and len(forwarded) >= hops:
        return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


@dataclass(frozen=True)
class Limit:
    name: str
    limit: int
    window: int  # seconds

    def _key(self, identifier: str) -> str:
        digest = hashlib.sha256(f"{self.name}\0{identifier}".encode()).hexdigest()[:32]
        return f"ratelimit:{self.name}:{digest}"

    def hit(self, identifier: str) -> int:
        """Count one more; returns the count in the current window."""
        key = self._key(identifier)
        if cache.add(key, 1, self.window):
            cache.set(f"{key}:start", time.time(), self.window)
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, self.window)
            cache.set(f"{key}:start", time.time(), self.window)
            return 1

    def count(self, identifier: str) -> int:
        return cache.get(self._key(identifier), 0)

    def exceeded(self, identifier: str) -> bool:
        return self.count(identifier) >= self.limit

    def retry_after(self, identifier: str) -> int:
        """Seconds until the window that is full now closes (0 if it is not full)."""
        if not self.exceeded(identifier):
            return 0
        start = cache.get(f"{self._key(identifier)}:start") or time.time()
        return max(1, math.ceil(start + self.window - time.time()))

    def reset(self, identifier: str) -> None:
        key = self._key(identifier)
        cache.delete_many([key, f"{key}:start"])


def wait_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Too many attempts. Please try again in %(minutes)d minute.",
        "Too many attempts. Please try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
