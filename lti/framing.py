"""Frame headers for the LTI routes only: the LMS shows them in its iframe.

Every other page keeps ``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``
(config/middleware.py). These routes may be framed by the registered, active platforms'
origins, and their forms may post back to those origins (the deep-linking response).
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from django.views.decorators.clickjacking import xframe_options_exempt
from lti_tool.models import LtiRegistration

from config.middleware import CONTENT_SECURITY_POLICY


def origin(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def platform_origins() -> list[str]:
    """The origins of every active registration (its issuer and its sign-in URL)."""
    origins = set()
    for issuer, auth_url in LtiRegistration.objects.active().values_list("issuer", "auth_url"):
        origins.update(filter(None, (origin(issuer), origin(auth_url))))
    return sorted(origins)


def policy_for(origins: list[str], *, form_targets: list[str] = ()) -> str:
    allowed = " ".join(origins) or "'none'"
    directives = []
    for directive in CONTENT_SECURITY_POLICY.split("; "):
        if directive.startswith("frame-ancestors"):
            directive = f"frame-ancestors {allowed}"
        elif directive.startswith("form-action") and form_targets:
            directive = "form-action 'self' " + " ".join(form_targets)
        directives.append(directive)
    return "; ".join(directives)


def framed_by_platforms(view):
    """Let the registered platforms frame this view's responses (and nobody else)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        form_targets = getattr(response, "lti_form_targets", [])
        response.headers["Content-Security-Policy"] = policy_for(
            platform_origins(), form_targets=form_targets
        )
        return response

    return xframe_options_exempt(wrapper)
