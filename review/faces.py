"""What a review card shows: the word, its reading, its English, and the sentence of the
passage where the student met it. Read-only; nothing here writes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from courseware.models import Unit
from courseware.rendering import strip_markup
from courseware.simplified import displayed
from words.lookup import WordEntry
from words.models import Word

from .models import Card, SavedWord

SENSES_SHOWN = 4
HAN = "\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# A run of Chinese, with CC-CEDICT's way of citing a word after it ("顯|显[xian3]"): the
# reading would answer the card as surely as the characters.
HAN_RUN = re.compile(rf"[{HAN}]+(?:\|[{HAN}]+)?(?:\[[^\]]*\])?")
BLANK = "＿＿"
# A sentence ends at 。！？； (and their ASCII forms), the mark staying with it.
SENTENCE = re.compile(r"[^。！？；!?;]*[。！？；!?;]?")


@dataclass(frozen=True)
class Context:
    """The sentence around the word, cut at it (``before`` + word + ``after``)."""

    before: str
    word: str
    after: str


@dataclass(frozen=True)
class Face:
    headword: str  # as the page shows Chinese (Simplified on a zh-hans page)
    pinyin: str
    english: str  # the term's English name or the word's first senses ("" if none known)
    definition: str  # a glossary term's course definition, in English
    context: Context | None
    english_paragraph: str  # the whole passage in the translation, for the back
    unit: Unit | None
    place_url: str

    # The front of an English → Chinese card asks for the Chinese: where the English names it
    # ("uses both Chinese names, 寮國 and 老撾"), the front shows blanks instead.
    @property
    def english_front(self) -> str:
        return HAN_RUN.sub(BLANK, self.english)

    @property
    def definition_front(self) -> str:
        return HAN_RUN.sub(BLANK, self.definition)


def entries_for(headwords) -> dict[str, WordEntry]:
    """What the word cards know of each headword (reading, CC-CEDICT senses), in one query;
    read from the words the course loader stored, so no web worker loads a segmenter."""
    words = Word.objects.filter(headword__in=set(headwords)).select_related("term")
    return {word.headword: WordEntry.from_word(word) for word in words}


def with_entries(rows, headword=lambda row: row.headword) -> list[tuple]:
    """(row, its WordEntry or None) for each of ``rows`` (saved words, or most-saved rows)."""
    rows = list(rows)
    entries = entries_for(headword(row) for row in rows)
    return [(row, entries.get(headword(row))) for row in rows]


def context_of(headword: str, text: str) -> Context | None:
    """The first sentence of ``text`` that holds ``headword``, cut at it."""
    for match in SENTENCE.finditer(text):
        sentence = match.group(0).strip()
        position = sentence.find(headword)
        if position >= 0:
            end = position + len(headword)
            return Context(sentence[:position], headword, sentence[end:])
    return None


def face_of(saved: SavedWord) -> Face:
    """The card's content (both directions show the same facts, in a different order)."""
    headword = displayed(saved.headword)
    passage, term = saved.passage, saved.term
    entry = entries_for([saved.headword]).get(saved.headword)
    english = definition = ""
    if term is not None:
        english, definition = term.term_en or "", term.definition_en or ""
    elif entry is not None:
        english = "; ".join(entry.senses[:SENSES_SHOWN])
    return Face(
        headword=headword,
        pinyin=entry.pinyin if entry else "",
        english=english,
        definition=definition,
        # The stored text keeps the course file's footnote markers ("[^1]"); a card shows
        # what the reader read.
        context=context_of(headword, strip_markup(passage.text_zh_hant or "")) if passage else None,
        english_paragraph=strip_markup(passage.text_en or "") if passage else "",
        unit=passage.unit if passage else None,
        place_url=passage.get_absolute_url() if passage else "",
    )


def is_chinese_first(card: Card) -> bool:
    return card.direction == Card.Direction.ZH_EN
