"""Short-lived signed tokens the LTI pages hand to the browser.

A launch inside the LMS's iframe cannot rely on our session cookie (it is SameSite=Lax, and
browsers block third-party cookies), so the framed pages carry what they need signed:
the deep-linking form carries its launch id, and "open in a new tab" carries a one-time
sign-in for the launched user.
"""

from __future__ import annotations

import hashlib

from django.core import signing
from django.core.cache import cache

DEEP_LINK_SALT = "lti.deep-link"
CONTINUE_SALT = "lti.continue"
DEEP_LINK_MAX_AGE = 3600  # an instructor may browse the units a while before choosing
CONTINUE_MAX_AGE = 300


def deep_link_token(launch_id: str) -> str:
    return signing.dumps({"launch": launch_id}, salt=DEEP_LINK_SALT, compress=True)


def read_deep_link_token(token: str) -> str | None:
    try:
        return signing.loads(token, salt=DEEP_LINK_SALT, max_age=DEEP_LINK_MAX_AGE)["launch"]
    except (signing.BadSignature, KeyError, TypeError):
        return None


def continue_token(*, user_id: int, next_url: str, nonce: str) -> str:
    return signing.dumps({"user": user_id, "next": next_url, "nonce": nonce}, salt=CONTINUE_SALT)


def use_continue_token(token: str) -> dict | None:
    """The token's content, once: a second use (a copied link) gets None."""
    try:
        data = signing.loads(token, salt=CONTINUE_SALT, max_age=CONTINUE_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not {"user", "next", "nonce"} <= data.keys():
        return None
    if not cache.add(f"lti:continue-used:{data['nonce']}", 1, CONTINUE_MAX_AGE + 60):
        return None
    return data


def first_use_of_launch_nonce(issuer: str, nonce: str, lifetime: int = 86400) -> bool:
    """True the first time a platform's id_token nonce is seen: a replayed token is refused.

    pylti1p3 checks that the nonce was issued by our login step but does not consume it.
    ``cache.add`` is atomic (Redis SET NX), so two racing replays cannot both pass.
    """
    digest = hashlib.sha256(f"{issuer}\n{nonce}".encode()).hexdigest()
    return cache.add(f"lti:nonce-used:{digest}", 1, lifetime)
