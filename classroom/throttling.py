"""Sign-in throttling: django-axes for the (username, address) pair, and two hourly caps.

A whole school signs in from one address (NAT), so failures lock only the pair of the name
that failed and the address it failed from: five classmates mistyping their own passwords
lock no one else, and a classmate's successful sign-in clears only their own failures, never
those against the instructor's account. Above the pair, a per-account cap (across addresses)
stops a slow guess at one password from many addresses, and a far higher per-address cap
stops one address from trying every account.
"""

from datetime import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.db.models import Max
from django.utils import timezone

from .limits import SIGN_IN_FAILURES_PER_ACCOUNT, SIGN_IN_FAILURES_PER_ADDRESS


def _caps(request, credentials):
    username = get_client_username(request, credentials)
    if username:
        yield SIGN_IN_FAILURES_PER_ACCOUNT, username.lower()
    yield SIGN_IN_FAILURES_PER_ADDRESS, str(request.axes_ip_address)


class SignInThrottle(AxesDatabaseHandler):
    """AXES_HANDLER: axes' database handler with the per-account and per-address caps."""

    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            return True
        return any(limit.reached(key) for limit, key in _caps(request, credentials))

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        refused_while_locked = request is not None and getattr(request, "axes_locked_out", False)
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or refused_while_locked:
            # A refused attempt was never checked: it must not extend the lock.
            return
        for limit, key in _caps(request, credentials):
            if limit.count(key) >= limit.limit:
                request.axes_locked_out = True


def try_again_at(request, credentials) -> datetime:
    """The earliest moment every lock that holds this sign-in has lifted."""
    now = timezone.now()
    moments = [now]
    username = get_client_username(request, credentials)
    last_failure = AccessAttempt.objects.filter(
        username=username, ip_address=request.axes_ip_address
    ).aggregate(last=Max("attempt_time"))["last"]
    if last_failure is not None:
        moments.append(last_failure + get_cool_off(request))
    for limit, key in _caps(request, credentials):
        ends_at = limit.ends_at(key)
        if ends_at is not None and limit.reached(key):
            moments.append(ends_at)
    return max(moments)
