"""Which word a student saved: the Traditional headword, whatever script the page showed."""

from __future__ import annotations

from courseware.models import Passage, Term
from courseware.simplified import stored_script
from words.lookup import describe

MAX_LENGTH = 40


def word_in_passage(word: str, passage: Passage) -> tuple[str, Term | None] | None:
    """(the Traditional headword, its glossary term) of the course word ``word`` as tapped in
    ``passage`` (Traditional or Simplified: 权力 is 權力; a word only the Simplified text has
    keeps its Simplified headword), or None if it is not a word of the course or not in that
    passage."""
    word = (word or "").strip()
    if not word or len(word) > MAX_LENGTH:
        return None
    entry = describe(word)
    if entry is None:
        return None
    with stored_script():
        text = passage.text_zh_hant or ""
    if entry.headword in text:
        return entry.headword, entry.term
    # A word of the Simplified text alone (its segmentation cut 显 where the Traditional has
    # it inside a longer word): kept as it is, the word its card describes.
    if any(stored == entry.headword for stored, *_ in passage.words.get("zh-hans", [])):
        return entry.headword, entry.term
    return None
