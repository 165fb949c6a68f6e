"""How every app answers htmx and plain requests: one template per page holds the page and its
fragments as named partials, and the request decides which one is rendered.

Here (not in an app) so that courseware, quizzes and classroom share it without a dependency
against the one-way order classroom -> quizzes -> courseware.
"""

from django.shortcuts import redirect, render
from django_htmx.http import HttpResponseClientRedirect


def wants_partial(request) -> bool:
    """htmx swaps a fragment in; a plain request, or htmx restoring a page its history cache
    no longer holds (a reload after going back), needs the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def render_page_or_partial(request, template: str, partial: str, context: dict, *, status=200):
    """``template`` whole, or only its ``{% partialdef partial %}`` when htmx swaps it in."""
    if wants_partial(request):
        template = f"{template}#{partial}"
    return render(request, template, context, status=status)


def redirect_after_post(request, url: str):
    """After a successful POST: htmx follows with a full page load, a plain form redirects."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)
