"""Looking up a word of the course: the small, stable API of the words app.

    from words.lookup import describe
    entry = describe("平衡")          # or the Simplified spelling; None if not a course word
    entry.headword, entry.simplified, entry.pinyin, entry.zhuyin, entry.senses, entry.term

One query, on the words the course loader stored (``words.models.Word``); nothing here reads the
dictionary file or loads a segmenter.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from courseware.models import Course, Term

from .models import Word


@dataclass(frozen=True)
class Sense:
    """One CC-CEDICT entry: how it reads and what it means. ``headword`` differs from the word
    looked up only when the word has no entry and this is one of its characters."""

    headword: str
    pinyin: str
    senses: list[str]


@dataclass(frozen=True)
class WordEntry:
    headword: str  # Traditional, as the course writes it
    simplified: str
    pinyin: str  # as the word reads in the course, tone marks, one syllable per character
    zhuyin: str
    senses: list[str]  # CC-CEDICT's senses of the word (of its characters, when by_character)
    term: Term | None = None  # the glossary term the word is a form of
    entries: list[Sense] = field(default_factory=list)
    by_character: bool = False  # CC-CEDICT lists the characters, not the word
    course_id: int | None = None

    @classmethod
    def from_word(cls, word: Word) -> WordEntry:
        entries = [
            Sense(entry["traditional"], entry["pinyin"], list(entry["senses"]))
            for entry in word.entries
        ]
        return cls(
            headword=word.headword,
            simplified=word.simplified,
            pinyin=word.pinyin,
            zhuyin=word.zhuyin,
            senses=[sense for entry in entries for sense in entry.senses],
            term=word.term,
            entries=entries,
            by_character=word.by_character,
            course_id=word.course_id,
        )


def describe(headword: str, *, course: Course | None = None) -> WordEntry | None:
    """The course word written ``headword`` (Traditional or Simplified), or None."""
    headword = (headword or "").strip()
    if not headword or len(headword) > 60:
        return None
    words = Word.objects.spelled(headword).select_related("term")
    if course is not None:
        words = words.filter(course=course)
    # The Traditional spelling first, where a Simplified one is shared (后 for 後 and 后).
    word = min(words, key=lambda found: found.headword != headword, default=None)
    return WordEntry.from_word(word) if word else None
