"""Writes of the words app: the course's words rebuilt from a freshly loaded content."""

from __future__ import annotations

from django.db import transaction

from courseware.models import Course, Passage, Term
from courseware.simplified import HAN, to_simplified

from . import cedict
from .models import Word

FIELDS = ["simplified", "pinyin", "zhuyin", "entries", "by_character", "term"]


@transaction.atomic
def refresh_course_words(*, course: Course) -> dict[str, int]:
    """Every word of ``course``'s current passages (as the loader segmented them, in both
    scripts) and every glossary form, with its readings, CC-CEDICT entries and term; rows of
    words no longer in the text are deleted. Runs in the loader's process (it reads the whole
    dictionary file), never in a page's."""
    wanted: dict[str, dict] = {}
    stored = list(
        Passage.objects.current().filter(unit__course=course).values_list("words", flat=True)
    )
    for script in ("zh-hant", "zh-hans"):
        # A Simplified word is kept only where a regional term made it (东盟): the others are
        # the conversions of Traditional words, found by their ``simplified``.
        converted = {to_simplified(headword) for headword in wanted}
        for words in stored:
            for word, pinyin, zhuyin in (words or {}).get(script, []):
                if word not in wanted and word not in converted:
                    wanted[word] = {"pinyin": pinyin, "zhuyin": zhuyin, "term": None}
    for term in Term.objects.filter(course=course):
        for form in (term.forms_zh_hant or "").splitlines():
            form = form.strip()
            if not form:
                continue
            if form not in wanted:
                wanted[form] = {**_readings(form), "term": None}
            wanted[form]["term"] = term

    existing = {word.headword: word for word in Word.objects.filter(course=course)}
    created, changed = [], []
    queue = list(wanted)
    while queue:
        headword = queue.pop(0)
        found = wanted[headword]
        entries = cedict.entries_for(headword)
        by_character = not entries and len(headword) > 1
        if by_character:
            # Not in CC-CEDICT (a compound of the paper's, 權力平衡): the dictionary's longest
            # words that make it up (權力, 平衡), each also a word of its own card.
            entries = []
            for part, start in _parts(headword):
                entries.extend(cedict.entries_for(part)[:2])
                if part not in wanted:
                    han_start = len(HAN.findall(headword[:start]))
                    wanted[part] = {**_slice(found, han_start, len(part)), "term": None}
                    queue.append(part)
        values = {
            "simplified": to_simplified(headword),
            "pinyin": found["pinyin"],
            "zhuyin": found["zhuyin"],
            "entries": entries,
            "by_character": by_character,
            "term": found["term"],
        }
        word = existing.pop(headword, None)
        if word is None:
            created.append(Word(course=course, headword=headword, **values))
        elif any(getattr(word, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(word, name, value)
            changed.append(word)
    Word.objects.bulk_create(created, batch_size=500)
    Word.objects.bulk_update(changed, FIELDS, batch_size=500)
    Word.objects.filter(pk__in=[word.pk for word in existing.values()]).delete()
    return {"created": len(created), "updated": len(changed), "deleted": len(existing)}


def _parts(headword: str) -> list[tuple[str, int]]:
    """``headword`` as CC-CEDICT's longest words from the left, with where each starts;
    characters it does not list (digits, quotes) are left out."""
    parts, start = [], 0
    while start < len(headword):
        for end in range(len(headword), start, -1):
            if end - start < len(headword) and cedict.entries_for(headword[start:end]):
                parts.append((headword[start:end], start))
                start = end
                break
        else:
            start += 1
    return parts


def _slice(found: dict, start: int, length: int) -> dict[str, str]:
    """The readings of ``length`` characters from ``start`` of a word read one syllable per
    character (empty where it is not)."""
    sliced = {}
    for name in ("pinyin", "zhuyin"):
        syllables = found[name].split()
        sliced[name] = " ".join(syllables[start : start + length]) if syllables else ""
    return sliced


def _readings(form: str) -> dict[str, str]:
    """A glossary form's readings, for a form the text never has as one word."""
    from courseware.segmenting import segment_html  # loader processes only

    words = segment_html(form)
    return {
        "pinyin": " ".join(word[1] for word in words if word[1]),
        "zhuyin": " ".join(word[2] for word in words if word[2]),
    }
