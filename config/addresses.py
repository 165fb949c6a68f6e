"""The address a request comes from, for throttling sign-ins (django-axes) and sign-ups."""

from ipaddress import ip_address

from django.conf import settings


def client_address(request) -> str | None:
    """REMOTE_ADDR, or behind our reverse proxy (BEHIND_PROXY) the client's address from
    X-Forwarded-For.

    Each trusted proxy appends the address it received the request from, so the client is
    the TRUSTED_PROXY_COUNT-th entry from the right; entries further left were sent by the
    client itself and prove nothing. Anything that is not an address falls back to
    REMOTE_ADDR: axes stores it in an address column, which PostgreSQL checks.
    """
    remote = request.META.get("REMOTE_ADDR")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not settings.BEHIND_PROXY or not forwarded.strip():
        return remote
    hops = [hop.strip() for hop in forwarded.split(",")]
    # Fewer entries than proxies: a proxy set the header instead of appending to it.
    candidate = (
        hops[-settings.TRUSTED_PROXY_COUNT]
        if len(hops) >= settings.TRUSTED_PROXY_COUNT
        else hops[0]
    )
    try:
        return str(ip_address(candidate))
    except ValueError:
        return remote
