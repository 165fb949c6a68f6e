"""A passage's words and their readings, computed when the content is loaded, never per request.

Words first, then readings: jieba segments the text (its dictionary extended by the course's
glossary terms and by the reviewed phrases of ``content/zh_readings.json``), and pypinyin reads
each word as a whole, so that a polyphone reads as it does in that word (銀行 háng, 長沙 cháng,
重海 zhòng). Both work on Simplified characters, which their dictionaries are made of: a
Traditional run is read through its character-by-character conversion and the words are kept
in the characters as written.

jieba and pypinyin load their dictionaries on first use (about 130 MB and a second or two), so
only the course loader and the admin's re-rendering import this module: the result is stored
on the passage (``Passage.words``) and the pages read it from there (``courseware.readings``).
"""

from __future__ import annotations

import functools
import json
import threading
from pathlib import Path

from .readings import HAN_RUN, TAG
from .simplified import HAN, _converter, to_simplified

CORRECTIONS_FILE = Path(__file__).resolve().parent / "content" / "zh_readings.json"

_lock = threading.Lock()
_added_words: set[str] = set()


@functools.cache
def _tools():
    """jieba and pypinyin, loaded on first use, with the reviewed phrases."""
    import jieba
    from pypinyin import load_phrases_dict

    jieba.setLogLevel(60)  # not its "Building prefix dict" chatter in the loader's output
    corrections = json.loads(CORRECTIONS_FILE.read_text(encoding="utf-8"))["phrases"]
    phrases = {}
    for phrase, reading in corrections.items():
        simplified = _converter().convert(phrase)
        phrases[simplified] = [[syllable] for syllable in reading.split()]
        jieba.add_word(simplified, freq=100000)
    load_phrases_dict(phrases)
    return jieba


def add_words(words) -> None:
    """Teach the segmenter ``words`` (glossary forms, in either script) as single words."""
    jieba = _tools()
    with _lock:
        for word in words:
            simplified = _converter().convert(word)
            if HAN.search(simplified) and simplified not in _added_words:
                jieba.add_word(simplified, freq=20000)
                _added_words.add(simplified)


def segment_run(text: str) -> list[list[str]]:
    """``text`` (Han characters only) as words, each ``[word, pinyin, zhuyin]``: the word in
    the characters of ``text``, its readings one syllable per character, space-separated."""
    from pypinyin import Style, pinyin

    jieba = _tools()
    analysed = _converter().convert(text)
    if len(analysed) != len(text):  # a phrase conversion changed the length: read as written
        analysed = text
    words, position = [], 0
    for word in jieba.lcut(analysed, HMM=False):
        chars = text[position : position + len(word)]
        position += len(word)
        # A list: pypinyin reads the word as one, without segmenting it again.
        tone = [syllables[0] for syllables in pinyin([word], style=Style.TONE)]
        bopomofo = [syllables[0] for syllables in pinyin([word], style=Style.BOPOMOFO)]
        if len(tone) != len(chars) or len(bopomofo) != len(chars):
            tone = bopomofo = []  # no reading per character: the word stays without ruby
        words.append([chars, " ".join(tone), " ".join(bopomofo)])
    return words


def segment_html(html: str) -> list[list[str]]:
    """The words of every Han run of ``html`` (a rendered passage), in order."""
    words = []
    for part in TAG.split(html):
        if part.startswith("<"):
            continue
        for run in HAN_RUN.findall(part):
            words.extend(segment_run(run))
    return words


def passage_words(html_zh_hant: str) -> dict[str, list[list[str]]]:
    """A passage's words in the Traditional original and in its Simplified conversion (which
    may differ in length, where a regional term was replaced), as stored on ``Passage.words``."""
    if not html_zh_hant:
        return {}
    return {
        "zh-hant": segment_html(html_zh_hant),
        "zh-hans": segment_html(to_simplified(html_zh_hant)),
    }
