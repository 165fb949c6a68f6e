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
import re
import threading
import unicodedata
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


# Tone marks as they come from pypinyin: zhuyin marks tones 2 to 5 (1 is bare), pinyin marks
# them with combining accents over a vowel (5, the neutral tone, is bare).
PUNCTUATION = re.compile(r"[^\w ]+")
ZHUYIN_TONES = {"ˊ": "2", "ˇ": "3", "ˋ": "4", "˙": "5"}
PINYIN_TONES = {"\u0304": "1", "\u0301": "2", "\u030c": "3", "\u0300": "4"}


def _zhuyin_syllable(syllable: str) -> str:
    tone = next((ZHUYIN_TONES[mark] for mark in syllable if mark in ZHUYIN_TONES), "1")
    return "".join(char for char in syllable if char not in ZHUYIN_TONES) + tone


def _pinyin_syllable(syllable: str) -> str:
    decomposed = unicodedata.normalize("NFD", syllable).replace("u\u0308", "v")
    tone = next((PINYIN_TONES[mark] for mark in decomposed if mark in PINYIN_TONES), "5")
    return "".join(char for char in decomposed if char not in PINYIN_TONES) + tone


def headword_keys(headword: str) -> tuple[str, str]:
    """Sort keys of a Chinese headword: (zhuyin order, pinyin order).

    Each Han character gives its syllable (read in its word, as on the reading page) and then
    its tone as a digit; a space follows each, so 北 (ㄅㄟˇ) files before 北京 and both before
    中 (ㄓㄨㄥ), which code-point order puts first. Bopomofo's code points run in its
    dictionary order (ㄅㄆㄇㄈ…ㄧㄨㄩ), so the zhuyin key compares as text. Other characters
    (Latin letters, digits) are kept, case folded, and file before any reading;
    punctuation (「」, quotes) is left out."""
    zhuyin, pinyin = [], []
    text = headword
    position = 0
    for match in HAN_RUN.finditer(text):
        rest = PUNCTUATION.sub("", text[position : match.start()]).casefold()
        zhuyin.append(rest)
        pinyin.append(rest)
        for word, tone, bopomofo in segment_run(match.group(0)):
            if not tone:  # no reading per character: the characters themselves
                zhuyin.append(word + " ")
                pinyin.append(word + " ")
                continue
            zhuyin.extend(_zhuyin_syllable(s) + " " for s in bopomofo.split())
            pinyin.extend(_pinyin_syllable(s) + " " for s in tone.split())
        position = match.end()
    rest = PUNCTUATION.sub("", text[position:]).casefold()
    return "".join(zhuyin) + rest, "".join(pinyin) + rest
