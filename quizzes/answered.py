"""The fragment an htmx answer gets back, rendered once per item, answer and language.

Everyone who gives the same answer to an item under the same review rules sees the same
feedback, but for the question's number, the attempt's length, how many questions they have
answered and their points so far: those are holes (``config.holes``), filled per request. The
rest (the result, their answer, the right answer, the explanation, the passages to read again
and the progress bar around those numbers) is rendered once per item, answer, review rules,
language and content version, so an answer does not run the template engine at all. Errors
and the last answer of an attempt (which brings the summary) render whole.
``tests/quizzes/test_answered.py`` compares the filled fragment with a whole rendering.
"""

from __future__ import annotations

import json
from dataclasses import replace

from django.template.loader import render_to_string
from django.utils.translation import get_language

from config.holes import as_shown, fragment_key, fragments_cache, render_filled
from courseware.caching import CONTENT_TIMEOUT
from courseware.simplified import chinese_html_lang

from .models import Attempt
from .policies import Review
from .presentation import PresentedItem, feedback_for, result_of

FRAGMENT = "quizzes/attempt.html#answered"
_HOLES = ("number", "total", "answered", "points")


class _AttemptWithHoles:
    """The attempt as the kept rendering reads it: its counts are holes."""

    def __init__(self, attempt: Attempt, **holes: str):
        self._attempt = attempt
        self.__dict__.update(holes)

    def __getattr__(self, name):
        return getattr(self._attempt, name)


def can_fill(attempt: Attempt, presented: PresentedItem) -> bool:
    """Whether ``render_answered`` serves this answer: stored, and not the attempt's last
    (that one brings the summary)."""
    return presented.response is not None and not presented.error and not attempt.is_finished


def render_answered(request, context: dict, presented: PresentedItem, review: Review) -> str:
    """The ``answered`` fragment for ``context`` (the answer view's, htmx) with the feedback of
    ``presented.response`` under ``review``, as rendering it whole would give."""
    attempt: Attempt = context["attempt"]
    response = presented.response
    policy = context["policy"]
    key = fragment_key(
        "answered",
        (
            presented.item.pk,
            attempt.unit.course.content_version,
            get_language(),
            chinese_html_lang(),
            context["both"],
            context["running_score"],
            review,
            policy.review_moment if policy is not None else "",
            json.dumps(response.answer, sort_keys=True, separators=(",", ":")),
            result_of(response, review),
        ),
    )

    def render_kept(holes: dict[str, str]) -> str:
        entry = replace(
            presented,
            number=holes["number"],
            feedback=feedback_for(presented.item, response, review),
        )
        counts = _AttemptWithHoles(
            attempt,
            item_count=holes["total"],
            answered_count=holes["answered"],
            shown_points=holes["points"],
        )
        return render_to_string(
            FRAGMENT,
            {**context, "entry": entry, "attempt": counts},
            request,  # the context processors too (LANGUAGE_CODE keys the item's cached parts)
        )

    values = {
        "number": as_shown(presented.number),
        "total": as_shown(attempt.item_count),
        "answered": as_shown(attempt.answered_count),
        "points": as_shown(attempt.shown_points),
    }
    return render_filled(
        fragments_cache(), key, _HOLES, render_kept, values, timeout=CONTENT_TIMEOUT
    )
