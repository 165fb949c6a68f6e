"""Templates rendered once with holes, and each request's own values filled in.

A page or fragment that many people get with only a few values of their own (the unit page's
layout with the reader's read status; the answer's feedback with the question's number) is
rendered once with *holes* in those places: markers no text can contain (U+001A is not a
character HTML allows). The result is kept as text and hole names in turn, and each request
joins it with its own values: the same bytes as rendering the whole, in microseconds.

What the key leaves out must not change the rendering but through a hole: the callers' tests
compare the filled text with a whole rendering, value by value.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping

from django.core.cache import BaseCache, caches
from django.utils.formats import localize
from django.utils.html import conditional_escape

# Rendered once, kept by the content version in their keys: the answer's feedback, the unit
# page's read status and panels (the unit page's layouts, which are far larger, have a cache
# of their own).
FRAGMENTS_CACHE = "kept-fragments"

_MARK = "\x1a"


def hole(name: str) -> str:
    """The marker of the hole ``name``, to render in place of its value."""
    return f"{_MARK}{name}{_MARK}"


def _pattern(names: Iterable[str]) -> re.Pattern:
    return re.compile(f"{_MARK}({'|'.join(re.escape(name) for name in names)}){_MARK}")


def render_filled(
    cache: BaseCache,
    key: str,
    names: tuple[str, ...],
    render: Callable[[dict[str, str]], str],
    values: Mapping[str, str],
    *,
    timeout: int,
) -> str:
    """``render(markers)`` once per ``key`` (``markers``: each hole's name to its marker),
    then the kept pieces with ``values`` (each hole's text, already escaped) in the holes."""
    pieces = cache.get(key)
    if pieces is None:
        # Text and hole names in turn (the pattern's group): joined in microseconds, where
        # searching a page for the markers on each request took a tenth of a millisecond.
        pieces = _pattern(names).split(render({name: hole(name) for name in names}))
        cache.set(key, pieces, timeout=timeout)
    return "".join(values[piece] if index % 2 else piece for index, piece in enumerate(pieces))


def fragments_cache() -> BaseCache:
    return caches[FRAGMENTS_CACHE]


def fragment_key(kind: str, shown: tuple) -> str:
    """A cache key for a rendering of ``kind`` that shows ``shown`` (any values with a stable
    ``repr``), short and safe for any cache backend."""
    return f"{kind}:" + hashlib.sha256(repr(shown).encode()).hexdigest()


def as_shown(value) -> str:
    """A hole's value as the template engine would show it: localized and escaped."""
    return conditional_escape(localize(value))
