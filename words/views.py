import hashlib

from django.core.cache import caches
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from config.htmx import wants_partial
from courseware.caching import CONTENT_TIMEOUT
from courseware.models import Course, Passage
from courseware.reading import unit_in_reading_order

from .lookup import describe
from .reading import passage_for_words, unit_words, word_at

# A card is the same for every reader of a content version: a visitor's browser or a proxy may
# keep it a day, one copy per interface language. A signed-in reader's responses are never
# stored (PrivateResponsesMiddleware); their cards come from the server's cache instead.
CARD_MAX_AGE = 86400
CARD_CACHE = "word-cards"


def _card(request, what: str, find, *, passage_key: str = ""):
    """The card ``find()`` makes, as a page or (htmx) as the card alone. The card is kept in
    its own cache per content version and language, so a tap costs one small query; a card
    asked for with a ``passage_key`` that names no passage is made but not kept."""
    if not wants_partial(request):  # the dictionary page: the site's header, the reader's own
        entry, passage = find()
        if entry is None:
            raise Http404
        context = {"entry": entry, "passage": passage, "is_page": True}
        return render(request, "words/word.html", context)
    digest = hashlib.sha256(what.encode()).hexdigest()[:32]
    key = f"word-card:{get_language()}:{Course.objects.content_stamp()}:{digest}"
    cards = caches[CARD_CACHE]
    html = cards.get(key)
    if html is None:
        entry, passage = find()
        if entry is None:
            raise Http404
        context = {"entry": entry, "passage": passage}
        html = render(request, "words/word.html#card", context).content.decode()
        if passage is not None or not passage_key:
            cards.set(key, html, CONTENT_TIMEOUT)
    response = HttpResponse(html)
    if not request.user.is_authenticated:
        patch_cache_control(response, public=True, max_age=CARD_MAX_AGE)
    patch_vary_headers(response, ("HX-Request", "Cookie", "Accept-Language"))
    return response


@require_safe
def word(request, headword):
    """A word's card (htmx) or its dictionary page (a full page, the link without JavaScript);
    ``?passage=`` names the passage it was met in."""
    key = request.GET.get("passage", "")[:60]

    def find():
        passage = passage_for_words(key) if key else None
        return describe(headword, course=passage.unit.course if passage else None), passage

    return _card(request, f"word\n{headword}\n{key}", find, passage_key=key)


@require_safe
def word_at_position(request, key, position):
    """The card of the word holding a passage's ``position``-th Han character (a tap on the
    Chinese column): the page sends where the tap fell, the stored words say which word."""

    def find():
        passage = passage_for_words(key)
        headword = word_at(passage, position) if passage else None
        entry = describe(headword, course=passage.unit.course) if headword else None
        return entry, passage

    return _card(request, f"at\n{key}\n{position}", find)


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
