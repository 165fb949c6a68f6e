"""Taking a quiz: start or resume, answer item by item (htmx or plain posts), see the summary.

Every view renders ``quizzes/attempt.html``: the whole page for ordinary requests, one of its
partials for htmx. Validation errors are 200 fragments because htmx 2 does not swap 4xx.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from config.htmx import redirect_after_post, render_page_or_partial, wants_partial
from courseware.models import Unit

from . import services
from .answered import can_fill, render_answered
from .models import MASTERY_THRESHOLD, Attempt
from .policies import (
    assigned_policy,
    closes_at_due_date,
    item_review,
    key_moment_passed,
    mistakes_open,
    shows_running_score,
)
from .presentation import (
    AnswerError,
    PresentedItem,
    feedback_for,
    parse_answer,
    present_attempt,
    present_item,
)
from .selectors import (
    attempt_history,
    attempt_items,
    get_attempt_for_student,
    item_of_attempt,
    missed_item_count,
    responses_by_item,
)

TEMPLATE = "quizzes/attempt.html"


def _show_both(request) -> bool:
    return request.GET.get("both") == "1"


def _closed_if_due(attempt: Attempt) -> Attempt:
    """An open attempt whose answers show after the due date is handed in once that date
    has passed: the student's other attempts show their keys from then on."""
    if closes_at_due_date(attempt):
        services.finish_attempt(attempt=attempt)
    return attempt


def _page_context(request, attempt: Attempt, current: PresentedItem | None = None) -> dict:
    """Everything the page needs, in a fixed number of queries whatever the item count."""
    entries = present_attempt(attempt, attempt_items(attempt), responses_by_item(attempt))
    if current is not None and not attempt.is_finished:
        entries = [current if entry.item.pk == current.item.pk else entry for entry in entries]
    both = _show_both(request)
    base_url = attempt.get_absolute_url()
    context = {
        "attempt": attempt,
        "unit": attempt.unit,
        "entries": entries,
        "both": both,
        "both_query": "?both=1" if both else "",
        "toggle_url": base_url if both else f"{base_url}?both=1",
        "mastery_percent": round(MASTERY_THRESHOLD * 100),
        "policy": attempt.policy,
        "running_score": shows_running_score(attempt),
        "unanswered_count": attempt.item_count - attempt.answered_count,
    }
    if attempt.is_finished:
        context["score_percent"] = round(attempt.score * 100)
        context["key_shown"] = key_moment_passed(attempt)
        # "Practise my mistakes" shows the key of the items missed: not before the moment.
        if attempt.policy is None or context["key_shown"]:
            context["missed_count"] = missed_item_count(attempt.student_id, attempt.unit)
        if attempt.policy is not None:
            context.update(_attempts_context(request.user, attempt.unit, attempt.policy))
    return context


def _attempts_context(student, unit, policy) -> dict:
    """Attempts used and left under the policy (extra attempts granted included): 2 queries."""
    assigned = assigned_policy(student, unit)
    allowed = assigned.attempts_allowed if assigned.policy == policy else policy.attempts_allowed
    used = Attempt.objects.for_student(student).for_unit(unit).under(policy).count()
    return {
        "attempts_allowed": allowed,
        "attempts_used": used,
        "attempts_left": 0 if assigned.is_closed() else max(0, allowed - used),
    }


@require_POST
@login_required
@vary_on_headers("HX-Request")
def start(request, slug):
    """Start a graded attempt on the unit, or resume the open one."""
    unit = get_object_or_404(Unit.objects.current(), slug=slug)
    try:
        attempt = services.start_or_resume_attempt(
            request.user, unit, assigned=assigned_policy(request.user, unit)
        )
    except services.EmptyQuiz:
        raise Http404 from None
    except services.NoAttemptsLeft:
        messages.error(
            request,
            _(
                "You have used every attempt this quiz allows. "
                "Ask your instructor if you need another."
            ),
        )
        return redirect_after_post(request, unit.get_absolute_url())
    except services.QuizClosed:
        messages.error(
            request,
            _("This quiz closed on its due date. Ask your instructor if you need more time."),
        )
        return redirect_after_post(request, unit.get_absolute_url())
    return redirect_after_post(request, attempt.get_absolute_url())


@require_safe
@login_required
def history(request, slug):
    """The student's own attempts on the unit: when, how long, the score, and the review
    once its moment has come."""
    unit = get_object_or_404(Unit.objects.current(), slug=slug)
    return render(
        request,
        "quizzes/history.html",
        {"unit": unit, "attempts": attempt_history(request.user, unit)},
    )


@require_POST
@login_required
@vary_on_headers("HX-Request")
def practice(request, slug):
    """Start a "practise my mistakes" round over the items missed in any graded attempt."""
    unit = get_object_or_404(Unit.objects.current(), slug=slug)
    if not mistakes_open(assigned_policy(request.user, unit)):
        messages.info(
            request,
            _("Practising your mistakes opens when the answers of this graded quiz are shown."),
        )
        return redirect_after_post(request, unit.get_absolute_url())
    attempt = services.start_practice_attempt(request.user, unit)
    if attempt is None:
        messages.info(request, _("You have no mistakes to practise in this unit."))
        return redirect_after_post(request, unit.get_absolute_url())
    return redirect_after_post(request, attempt.get_absolute_url())


@require_safe
@login_required
@vary_on_headers("HX-Request")
def attempt(request, attempt_id):
    """The quiz while it is open; the summary once it is finished."""
    attempt = _closed_if_due(get_attempt_for_student(request.user, attempt_id))
    return render_page_or_partial(request, TEMPLATE, "quiz", _page_context(request, attempt))


@require_POST
@login_required
@vary_on_headers("HX-Request")
def answer(request, attempt_id, item_id):
    """Answer one item. htmx gets the item's feedback (or an error) and out-of-band progress;
    a plain post gets the whole page with that item answered in place."""
    attempt = _closed_if_due(get_attempt_for_student(request.user, attempt_id))
    item = item_of_attempt(attempt, item_id)
    presented = present_item(attempt, item, attempt.item_ids.index(item_id) + 1, None)
    presented.error = _record(attempt, presented, request.POST)
    just_answered = not presented.error
    review = item_review(attempt, answered=True)

    if not wants_partial(request):
        _add_feedback(presented, review)
        context = _page_context(request, attempt, current=presented)
        if presented.error and attempt.is_finished:
            context["notice"] = presented.error
        return render(request, TEMPLATE, context)

    both = _show_both(request)
    context = {
        "attempt": attempt,
        "unit": attempt.unit,
        "entry": presented,
        "both": both,
        "both_query": "?both=1" if both else "",
        "focus": True,
        "just_answered": just_answered,
        "policy": attempt.policy,
        "running_score": shows_running_score(attempt),
    }
    if can_fill(attempt, presented):
        return HttpResponse(render_answered(request, context, presented, review))
    _add_feedback(presented, review)
    if just_answered and attempt.is_finished:
        # That was the last item: the summary arrives out of band below the items.
        context.update(_page_context(request, attempt), entry=presented, show_summary=True)
    return render(request, f"{TEMPLATE}#answered", context)


def _record(attempt: Attempt, presented: PresentedItem, data) -> str:
    """Record the submitted answer on ``presented``; return an error message, or "".

    A double submit shows the feedback of the first, whatever the second one says
    (``services.submit_answer``).
    """
    try:
        response = services.submit_answer(
            attempt=attempt,
            item=presented.item,
            read_answer=lambda: parse_answer(presented, data),
        )
    except AnswerError as error:
        return error.message
    except services.AttemptFinished:
        return _("This attempt is finished and accepts no more answers.")
    presented.response = response
    return ""


def _add_feedback(presented: PresentedItem, review) -> None:
    """What present_item(…, response, review=…) would add to the item already presented."""
    if presented.response is not None:
        presented.feedback = feedback_for(presented.item, presented.response, review)


@require_POST
@login_required
@vary_on_headers("HX-Request")
def finish(request, attempt_id):
    """Hand the attempt in before answering everything; unanswered items score 0.

    With questions unanswered the student is asked first (the form comes back with a
    confirmation, plain or htmx, no script needed); ``confirm=1`` hands in.
    """
    attempt = _closed_if_due(get_attempt_for_student(request.user, attempt_id))
    unanswered = attempt.item_count - attempt.answered_count
    if not attempt.is_finished and unanswered and request.POST.get("confirm") != "1":
        if wants_partial(request):
            context = {
                "attempt": attempt,
                "policy": attempt.policy,
                "unanswered_count": unanswered,
                "confirming": True,
                "both_query": "?both=1" if _show_both(request) else "",
            }
            return render(request, f"{TEMPLATE}#hand-in", context)
        context = _page_context(request, attempt)
        context["confirming"] = True
        return render(request, TEMPLATE, context)
    services.finish_attempt(attempt=attempt)
    return redirect_after_post(request, attempt.get_absolute_url())
