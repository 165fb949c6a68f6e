"""Which word a student saved: the Traditional headword, whatever script the page showed."""

from __future__ import annotations

from courseware.models import Passage, Term
from courseware.simplified import stored_script
from words.lookup import describe

MAX_LENGTH = 40


def word_in_passage(word: str, passage: Passage) -> tuple[str, Term | None] | None:
    """(the Traditional headword, its glossary term) of the course word ``word`` as tapped in
    ``passage`` (Traditional or Simplified: 权力 is 權力), or None if it is not a word of the
    course or not in that passage."""
    word = (word or "").strip()
    if not word or len(word) > MAX_LENGTH:
        return None
    entry = describe(word)
    if entry is None:
        return None
    with stored_script():
        text = passage.text_zh_hant or ""
    if entry.headword not in text:
        return None
    return entry.headword, entry.term
