"""Readings above the characters: pinyin or zhuyin as ``<ruby>`` on the Chinese column.

Words first, then readings: jieba segments the text (its dictionary extended by the unit's
glossary terms and by the reviewed phrases of ``content/zh_readings.json``), and pypinyin reads
each word as a whole, so that a polyphone reads as it does in that word (銀行 háng, 長沙 cháng,
重海 zhòng). Both work on Simplified characters, which their dictionaries are made of: a
Traditional run is read through its character-by-character conversion and annotated on the
original characters.

Annotation is slow (jieba and pypinyin load their dictionaries on first use, tens of MB and a
second or two): the unit page calls it only when its body misses the content cache, so a
passage is annotated once per content version, language and reading style.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from .simplified import HAN, _converter

READINGS = [("off", _("No readings")), ("pinyin", "拼音"), ("zhuyin", "注音")]
READING_KEYS = {key for key, _label in READINGS}
COOKIE = "readings"
CORRECTIONS_FILE = Path(__file__).resolve().parent / "content" / "zh_readings.json"

TAG = re.compile(r"(<[^>]*>)")
HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_lock = threading.Lock()
_added_words: set[str] = set()


def reading_style(request) -> str:
    """Asked for in the URL (pages work without JavaScript), else remembered in a cookie."""
    wanted = request.GET.get(COOKIE) or request.COOKIES.get(COOKIE, "")
    return wanted if wanted in READING_KEYS else "off"


@functools.cache
def _tools():
    """jieba and pypinyin, loaded on the first annotation only, with the reviewed phrases."""
    import jieba
    from pypinyin import load_phrases_dict

    jieba.setLogLevel(60)  # not its "Building prefix dict" chatter in every worker's log
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


def _words(text: str, style: str) -> list[tuple[str, list[str]]]:
    """``text`` (Han characters only) as words, each with its characters' readings."""
    from pypinyin import Style, pinyin

    jieba = _tools()
    analysed = _converter().convert(text)
    if len(analysed) != len(text):  # a phrase conversion changed the length: read as written
        analysed = text
    pinyin_style = Style.BOPOMOFO if style == "zhuyin" else Style.TONE
    words = []
    for word in jieba.lcut(analysed, HMM=False):
        # A list: pypinyin reads the word as one, without segmenting it again.
        words.append((word, [syllables[0] for syllables in pinyin([word], style=pinyin_style)]))
    return words


def _annotate_run(run: str, style: str) -> str:
    parts, position = [], 0
    for word, readings in _words(run, style):
        chars = run[position : position + len(word)]
        position += len(word)
        if len(readings) != len(chars):
            parts.append(chars)
            continue
        inner = "".join(
            f"{char}<rt>{reading}</rt>" for char, reading in zip(chars, readings, strict=True)
        )
        parts.append(f"<ruby>{inner}</ruby>")
    return "".join(parts)


def annotate(html: str, style: str) -> str:
    """``html`` (a rendered passage) with ruby readings over its Han characters; tags, links
    and footnote markers as they were."""
    if style not in ("pinyin", "zhuyin"):
        return html
    out = []
    for part in TAG.split(html):
        if part.startswith("<"):
            out.append(part)
        else:
            out.append(HAN_RUN.sub(lambda match: _annotate_run(match.group(0), style), part))
    return "".join(out)
