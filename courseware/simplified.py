"""Simplified Chinese (``zh-hans``): the course's Traditional text, converted for display.

The course is written and stored in Traditional characters only (``*_zh_hant``); there are
no Simplified columns to keep in step. While a page is rendered for a ``zh-hans`` reader
(``SimplifiedContentMiddleware`` opens ``simplified_display()``), every Chinese content field
reads as its Simplified conversion: the modeltranslation fallback (``passage.text``) and the
explicit ``passage.html_zh_hant`` of the side-by-side reader alike, so every template, fragment
and export shows one script. Outside that (the admin, the course loader, commands, saves) the
fields read as stored, so nothing converted is ever written back.

Conversion is OpenCC's ``tw2s`` (Taiwan Traditional characters to Simplified), then the
reviewed regional terms of ``content/zh_hans_terms.json``. Full Taiwan-to-mainland phrase
conversion (``tw2sp``) is not used: it turns 支援 into 支持 and 資料 into 数据, which changes
meanings in an academic text. Results are memoised by text, so each passage is converted once
per process and content version (a changed text is a new key); the unit page's converted body
is also kept in the content cache with the other renderings of that version.
"""

from __future__ import annotations

import contextvars
import functools
import json
import re
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import opencc
from django.apps import apps
from django.db.models.query_utils import DeferredAttribute
from django.utils import translation

LANGUAGE = "zh-hans"
TERMS_FILE = Path(__file__).resolve().parent / "content" / "zh_hans_terms.json"
# A quoted term (「寮國」) is the paper talking about the word itself: kept as written.
QUOTED = re.compile(r"「[^「」]*」|『[^『』]*』")

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

_display = contextvars.ContextVar("simplified_display", default=False)


@functools.cache
def _converter():
    return opencc.OpenCC("tw2s.json")


@functools.cache
def regional_terms() -> list[tuple[str, str]]:
    """(Simplified by character, reviewed mainland term), longest first."""
    rows = json.loads(TERMS_FILE.read_text(encoding="utf-8"))["terms"]
    pairs = [(_converter().convert(row["zh-hant"]), row["zh-hans"]) for row in rows]
    return sorted(pairs, key=lambda pair: len(pair[0]), reverse=True)


def _replace_terms(text: str) -> str:
    for source, target in regional_terms():
        text = text.replace(source, target)
    return text


@functools.lru_cache(maxsize=16384)
def to_simplified(text: str) -> str:
    """``text`` (Traditional, may hold HTML with ASCII keys) in Simplified characters; text
    without Chinese (most English) comes back as it is."""
    if not HAN.search(text):
        return text
    converted = _converter().convert(text)
    out, position = [], 0
    for quoted in QUOTED.finditer(converted):
        out.append(_replace_terms(converted[position : quoted.start()]))
        out.append(quoted.group(0))
        position = quoted.end()
    out.append(_replace_terms(converted[position:]))
    return "".join(out)


def displays_simplified() -> bool:
    """Whether the page being rendered shows the course's Chinese in Simplified."""
    return _display.get()


def chinese_html_lang() -> str:
    """The lang attribute of the course's Chinese on the page being rendered."""
    return "zh-Hans" if _display.get() else "zh-Hant"


@contextmanager
def simplified_display():
    """Chinese content reads as Simplified inside this block (one request's rendering)."""
    token = _display.set(True)
    try:
        yield
    finally:
        _display.reset(token)


def in_request_script(chunks: Iterable) -> Iterator:
    """``chunks`` produced in the language and script of the request that made them.

    A streamed response's body is produced after the view has returned, outside the
    middleware that opened ``simplified_display()`` (and, in a worker, with another language
    active): each chunk is produced in the language and script of the moment this was called.
    """
    # Read now, in the view: a generator's body would run only once streaming starts.
    return _produced_in(iter(chunks), translation.get_language(), _display.get())


def _produced_in(chunks: Iterator, language: str, simplified: bool) -> Iterator:
    while True:
        with ExitStack() as stack:
            stack.enter_context(translation.override(language))
            if simplified:
                stack.enter_context(simplified_display())
            try:
                chunk = next(chunks)
            except StopIteration:
                return
        yield chunk


@contextmanager
def stored_script():
    """Fields read as stored (Traditional) inside this block, even while a ``zh-hans`` page is
    rendered: for code that compares course text with what it keeps (the review deck)."""
    token = _display.set(False)
    try:
        yield
    finally:
        _display.reset(token)


def displayed(text: str) -> str:
    """Traditional ``text`` that is not a content field (a saved word) as the page shows the
    course's Chinese: Simplified on a ``zh-hans`` page, else as it is."""
    return to_simplified(text) if _display.get() else text


class ScriptAwareAttribute(DeferredAttribute):
    """A Traditional text field that reads as Simplified while ``simplified_display()`` is on.

    A data descriptor (it defines ``__set__``) so that reads of loaded values come through it;
    the stored value in ``instance.__dict__`` is always the Traditional one.
    """

    def __get__(self, instance, cls=None):
        value = super().__get__(instance, cls)
        if instance is not None and isinstance(value, str) and _display.get():
            return to_simplified(value)
        return value

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value


# Chinese text that is not a translated field: the author's name.
UNTRANSLATED_CHINESE_FIELDS = {("courseware", "Course"): ["author"]}


def install() -> None:
    """Make every Chinese content field script-aware (``CoursewareConfig.ready``)."""
    from modeltranslation.translator import translator

    for model in translator.get_registered_models():
        options = translator.get_options_for_model(model)
        for name in options.fields:
            # English too: translations and notes quote the Chinese they discuss.
            for attname in (f"{name}_zh_hant", f"{name}_en"):
                field = model._meta.get_field(attname)
                setattr(model, attname, ScriptAwareAttribute(field))
    for (app_label, model_name), names in UNTRANSLATED_CHINESE_FIELDS.items():
        model = apps.get_model(app_label, model_name)
        for name in names:
            setattr(model, name, ScriptAwareAttribute(model._meta.get_field(name)))
