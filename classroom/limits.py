"""Hourly limits on what a person or an address may try: sign-in failures, wrong join codes,
sign-ups.

Each limit is a fixed window in the cache (shared by every app server once CACHE_URL points
at Redis): the first counted event for a key opens its hour, and the window's end is kept
beside the count so that a refused person can be told when to try again.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class HourlyLimit:
    """At most ``settings.<setting>`` events per key in one hour."""

    name: str
    setting: str

    @property
    def limit(self) -> int:
        return getattr(settings, self.setting)

    def _keys(self, key: str) -> tuple[str, str]:
        # Keys may be typed by anyone (usernames): hashed, so that no character or length of
        # theirs reaches the cache backend (memcached refuses spaces and long keys).
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
        base = f"limit:{self.name}:{digest}"
        return f"{base}:count", f"{base}:until"

    def count(self, key: str) -> int:
        """Record one event for ``key``; return how many this window holds now."""
        count_key, until_key = self._keys(key)
        seconds = int(WINDOW.total_seconds())
        if cache.add(count_key, 0, timeout=seconds):
            cache.set(until_key, timezone.now() + WINDOW, timeout=seconds)
        try:
            return cache.incr(count_key)
        except ValueError:  # the window ended between add() and incr()
            cache.set(count_key, 1, timeout=seconds)
            cache.set(until_key, timezone.now() + WINDOW, timeout=seconds)
            return 1

    def used(self, key: str) -> int:
        return cache.get(self._keys(key)[0], 0)

    def reached(self, key: str) -> bool:
        return self.used(key) >= self.limit

    def ends_at(self, key: str) -> datetime | None:
        """When this window closes, if it is open."""
        return cache.get(self._keys(key)[1])


SIGN_IN_FAILURES_PER_ACCOUNT = HourlyLimit("sign-in-account", "SIGN_IN_ACCOUNT_LIMIT_PER_HOUR")
SIGN_IN_FAILURES_PER_ADDRESS = HourlyLimit("sign-in-address", "SIGN_IN_ADDRESS_LIMIT_PER_HOUR")
WRONG_JOIN_CODES_PER_ACCOUNT = HourlyLimit("join-code-account", "JOIN_CODE_ACCOUNT_LIMIT_PER_HOUR")
WRONG_JOIN_CODES_PER_ADDRESS = HourlyLimit("join-code-address", "JOIN_CODE_ADDRESS_LIMIT_PER_HOUR")
SIGN_UPS_PER_ADDRESS = HourlyLimit("sign-ups", "SIGN_UP_LIMIT_PER_HOUR")


@dataclass(frozen=True)
class JoinCodeGuard:
    """Wrong join codes from one address (and one account, once signed in) are limited, so
    that a code cannot be found by trying: a code has ~40 bits anyway, and this keeps a
    script from trying codes in bulk."""

    address: str | None
    account: str | None = None

    def _limits(self):
        yield WRONG_JOIN_CODES_PER_ADDRESS, str(self.address)
        if self.account is not None:
            yield WRONG_JOIN_CODES_PER_ACCOUNT, self.account

    def exhausted(self) -> bool:
        return any(limit.reached(key) for limit, key in self._limits())

    def record_wrong_code(self) -> None:
        for limit, key in self._limits():
            limit.count(key)
