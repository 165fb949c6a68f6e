"""Readings above the characters: pinyin or zhuyin as ``<ruby>`` on the Chinese column.

The words and their readings are computed when the content is loaded
(``courseware.segmenting``, jieba and pypinyin) and stored on the passage
(``Passage.words``); this module only puts them into the page, so no web worker ever imports
the segmenter or its dictionaries. The unit body is annotated when it misses the content cache,
so a passage is annotated once per content version, language and reading style.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

READINGS = [("off", _("No readings")), ("pinyin", "拼音"), ("zhuyin", "注音")]
READING_KEYS = {key for key, _label in READINGS}
COOKIE = "readings"

TAG = re.compile(r"(<[^>]*>)")
HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


def reading_style(request) -> str:
    """Asked for in the URL (pages work without JavaScript), else remembered in a cookie."""
    wanted = request.GET.get(COOKIE) or request.COOKIES.get(COOKIE, "")
    return wanted if wanted in READING_KEYS else "off"


def _ruby(word: str, syllables: str) -> str:
    readings = syllables.split()
    if len(readings) != len(word):
        return word
    inner = "".join(
        f"{char}<rt>{reading}</rt>" for char, reading in zip(word, readings, strict=True)
    )
    return f"<ruby>{inner}</ruby>"


def annotate(html: str, style: str, words: list[list[str]]) -> str:
    """``html`` (a rendered passage) with ruby readings over its Han characters, from ``words``
    (its stored segmentation: ``[word, pinyin, zhuyin]`` in order); tags, links and footnote
    markers as they were. Text that the stored words do not match (stale or missing) is left
    without readings rather than read wrong."""
    if style not in ("pinyin", "zhuyin") or not words:
        return html
    column = 1 if style == "pinyin" else 2
    queue = iter(words)
    out = []
    for part in TAG.split(html):
        if part.startswith("<"):
            out.append(part)
            continue
        pieces, position = [], 0
        for match in HAN_RUN.finditer(part):
            pieces.append(part[position : match.start()])
            pieces.append(_annotate_run(match.group(0), queue, column))
            position = match.end()
        pieces.append(part[position:])
        out.append("".join(pieces))
    return "".join(out)


def _annotate_run(run: str, queue, column: int) -> str:
    parts, position = [], 0
    while position < len(run):
        word = next(queue, None)
        if word is None or not run.startswith(word[0], position):
            return "".join(parts) + run[position:]
        parts.append(_ruby(word[0], word[column]))
        position += len(word[0])
    return "".join(parts)
