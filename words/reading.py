"""The words app's reads for its pages: the word at a place in a passage, a unit's words."""

from __future__ import annotations

from courseware.models import Passage
from courseware.simplified import displays_simplified

from .lookup import WordEntry, describe


def script() -> str:
    """The script the page being rendered shows the course's Chinese in."""
    return "zh-hans" if displays_simplified() else "zh-hant"


def word_at(passage: Passage, position: int) -> str | None:
    """The word of ``passage`` (as stored by the loader, in the page's script) that holds its
    ``position``-th Han character (counted from 1), or None outside its text."""
    position -= 1
    if position < 0:
        return None
    for word, _pinyin, _zhuyin in passage.words.get(script(), []):
        if position < len(word):
            return word
        position -= len(word)
    return None


def passage_for_words(key: str) -> Passage | None:
    """A current passage with its stored words and its course's content version; one query."""
    return (
        Passage.objects.current()
        .filter(key=key)
        .select_related("unit__course")
        .only("key", "order", "words", "unit__slug", "unit__course__content_version")
        .first()
    )


def describe_in_course(headword: str, passage: Passage | None = None) -> WordEntry | None:
    return describe(headword, course=passage.unit.course if passage else None)


def unit_words(passages) -> list[list[str]]:
    """The distinct words of ``passages`` (rows with ``words``) in reading order, each
    ``[word, pinyin, zhuyin]`` in the page's script."""
    seen, words = set(), []
    for passage in passages:
        for word in passage.words.get(script(), []):
            if word[0] not in seen and word[1]:
                seen.add(word[0])
                words.append(word)
    return words
