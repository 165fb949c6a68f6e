from urllib.parse import urlencode, urlsplit, urlunsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from config.htmx import wants_partial
from courseware.simplified import displayed

from .access import get_card_for_student, get_saved_word_for_student
from .faces import face_of, with_entries
from .forms import GradeForm, SaveWordForm
from .models import SavedWord
from .selectors import deck_counts, next_card
from .services import NoSuchShowing, do_remove_word, do_review_card, do_save_word


@require_safe
@login_required
def my_words(request):
    words = with_entries(SavedWord.objects.for_student(request.user).with_places())
    return render(
        request,
        "review/my_words.html",
        {"words": words, "counts": deck_counts(request.user), "now": timezone.now()},
    )


@require_POST
@vary_on_headers("HX-Request")
def save_word(request):
    # The word card holding the button is shared by every reader, signed in or not.
    if not request.user.is_authenticated:
        if wants_partial(request):
            here = urlsplit(request.headers.get("HX-Current-URL", ""))
            back = urlunsplit(("", "", here.path or "/", here.query, ""))
            sign_in = f"{reverse('classroom:login')}?{urlencode({'next': back})}"
            return render(request, "review/save.html#sign-in", {"sign_in_url": sign_in})
        return redirect_to_login(request.POST.get("next") or request.get_full_path())
    form = SaveWordForm(request.POST)
    if not form.is_valid():
        error = form.non_field_errors()[0] if form.non_field_errors() else _("Not saved.")
        if wants_partial(request):
            return render(request, "review/save.html#save-result", {"error": error})
        messages.error(request, error)
        return _back(request)
    saved, created = do_save_word(
        student=request.user,
        headword=form.cleaned_data["headword"],
        passage=form.cleaned_data["passage"],
        term=form.cleaned_data["term"],
    )
    context = {"saved": saved, "created": created}
    if wants_partial(request):
        return render(request, "review/save.html#save-result", context)
    messages.success(request, _saved_message(saved, created))
    return _back(request)


def _back(request):
    """Without JavaScript: back to the page the word was saved from, else to My words."""
    back = request.POST.get("next", "")
    # A path on this site only (redirect() would read "a b" as a view name).
    if back.startswith("/") and url_has_allowed_host_and_scheme(
        back, {request.get_host()}, request.is_secure()
    ):
        return HttpResponseRedirect(back)
    return redirect("review:my_words")


def _saved_message(saved, created):
    if created:
        return _("Saved %(word)s to your words.") % {"word": displayed(saved.headword)}
    return _("%(word)s is already in your words.") % {"word": displayed(saved.headword)}


@require_POST
@login_required
@vary_on_headers("HX-Request")
def remove_word(request, word_id):
    saved = get_saved_word_for_student(request.user, word_id)
    do_remove_word(saved_word=saved)
    if wants_partial(request):
        return render(
            request,
            "review/my_words.html#removed",
            {"removed": saved, "counts": deck_counts(request.user)},
        )
    messages.success(
        request, _("Removed %(word)s from your words.") % {"word": displayed(saved.headword)}
    )
    return redirect("review:my_words")


@require_safe
@login_required
def review_session(request):
    after = request.GET.get("after", "")
    after_word_id = int(after) if after.isascii() and after.isdigit() and len(after) < 10 else None
    return render(request, "review/review.html", _session(request.user, after_word_id))


@require_POST
@login_required
@vary_on_headers("HX-Request")
def grade_card(request, card_id):
    card = get_card_for_student(request.user, card_id)
    form = GradeForm(request.POST)
    graded, error = None, ""
    if form.is_valid():
        try:
            graded = do_review_card(
                card=card,
                showing=form.cleaned_data["showing"],
                rating=form.cleaned_data["rating"],
            )
        except NoSuchShowing:
            error = _("This card has changed since it was shown. Here is the next one.")
    else:
        error = _("Choose Again, Hard, Good or Easy.")
    if not wants_partial(request):
        if error:
            messages.error(request, error)
            return redirect("review:session")
        return redirect(f"{reverse('review:session')}?after={card.saved_word_id}")
    context = _session(request.user, None if error else card.saved_word_id)
    context.update(graded=graded, error=error)
    return render(request, "review/review.html#session", context)


def _session(student, after_word_id: int | None = None) -> dict:
    card = next_card(student, after_word_id=after_word_id)
    return {
        "card": card,
        "face": face_of(card.saved_word) if card else None,
        "counts": deck_counts(student),
        "ratings": GradeForm.base_fields["rating"].choices,
    }
