from django.http import Http404
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe

from config.htmx import wants_partial
from courseware.models import Course, Passage
from courseware.reading import unit_in_reading_order

from .lookup import describe
from .reading import passage_for_words, unit_words, word_at

# A card is the same for every reader of a content version (its URL carries the version):
# browsers and proxies may keep it a day, one copy per interface language.
CARD_MAX_AGE = 86400


def _card_response(request, entry, passage, *, version):
    if entry is None:
        raise Http404
    context = {"entry": entry, "passage": passage, "version": version}
    if not wants_partial(request):  # the dictionary page: the site's header, the reader's own
        return render(request, "words/word.html", {**context, "is_page": True})
    response = render(request, "words/word.html#card", context)
    response.same_for_everyone = True  # PrivateResponsesMiddleware: no reader's data in it
    patch_cache_control(response, public=True, max_age=CARD_MAX_AGE)
    patch_vary_headers(response, ("HX-Request", "Cookie", "Accept-Language"))
    return response


@require_safe
def word(request, headword):
    """A word's card (htmx) or its dictionary page (a full page, the link without JavaScript);
    ``?passage=`` names the passage it was met in."""
    passage = passage_for_words(request.GET.get("passage", "")[:60])
    entry = describe(headword, course=passage.unit.course if passage else None)
    version = passage.unit.course.content_version if passage else _version()
    return _card_response(request, entry, passage, version=version)


@require_safe
def word_at_position(request, key, position):
    """The card of the word holding a passage's ``position``-th Han character (a tap on the
    Chinese column): the page sends where the tap fell, the stored words say which word."""
    passage = passage_for_words(key)
    if passage is None:
        raise Http404
    headword = word_at(passage, position)
    entry = describe(headword, course=passage.unit.course) if headword else None
    return _card_response(request, entry, passage, version=passage.unit.course.content_version)


@require_safe
def unit_word_list(request, slug):
    """Every word of a unit's Chinese, in reading order, each a link to its dictionary page."""
    found = unit_in_reading_order(slug)
    if found is None:
        raise Http404
    unit, _units = found
    passages = Passage.objects.current().filter(unit=unit).order_by("order").only("words")
    return render(
        request,
        "words/unit_words.html",
        {"unit": unit, "course": unit.course, "words": unit_words(passages)},
    )


def _version() -> int:
    return Course.objects.order_by("pk").values_list("content_version", flat=True).first() or 0
