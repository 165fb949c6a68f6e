"""What the two importers of JSON files share: the course file (``courseware.course_file``)
and a class file (``classroom.class_file``).

Both read a UTF-8 JSON file someone hands to a command, check all of it before writing
anything, and name every fault by where it is. The checks here are the ones both need: the
file itself (encoding, syntax, nesting, number sizes), objects and their fields, lists, and
texts that fit their column and that a database can store.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

# JSON can carry both as escapes (\u0000, \ud800): PostgreSQL refuses NUL in text, and a lone
# surrogate (half of a pair) cannot be encoded as UTF-8 for any database.
UNSTORABLE_CHARACTER = re.compile("[\x00\ud800-\udfff]")
# The course file nests seven levels deep, a class file six (an answer's own lists included);
# past this, Python's parser and every recursive walk would run out of stack.
MAX_DEPTH = 20
# No number in either file needs more; Python refuses to read an integer of more than 4,300
# digits at all (ValueError), and a float that long is only a way to spell infinity.
MAX_NUMBER_LENGTH = 30


class FileFaults(Exception):
    """The file cannot be used; ``errors`` name every fault and where it is."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


def shown(value: Any) -> str:
    """A value from the file for a one-line message: line breaks escaped, long ones cut."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = json.dumps(text, ensure_ascii=False)[1:-1]
    return text if len(text) <= 80 else text[:77] + "…"


def _number(text: str):
    if len(text) > MAX_NUMBER_LENGTH:
        raise _NumberTooLong
    if not any(mark in text for mark in ".eE"):
        return int(text)
    value = float(text)
    if math.isinf(value):  # 1e999: a short way to write Infinity
        raise _NumberTooLong
    return value


class _NumberTooLong(ValueError):
    pass


def _no_constant(name: str):
    raise _NumberTooLong  # NaN and Infinity: Python reads them, JSON has no such numbers


def depth_of(value: Any) -> int:
    """How deeply lists and objects nest (a scalar is 0); walks without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            node = list(node.values())
        if isinstance(node, list):
            deepest = max(deepest, depth + 1)
            if depth + 1 > MAX_DEPTH:
                break
            stack.extend((child, depth + 1) for child in node)
    return deepest


def read_json_file(path: str | Path, error: type[FileFaults]) -> Any:
    """The file's JSON, or ``error`` naming the file (and the line and column if it can)."""

    def refuse(message: str):
        return error([f"{path}: {message}"])

    try:
        raw = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise refuse(_("no such file")) from None
    except UnicodeDecodeError:
        raise refuse(_("not UTF-8 text")) from None
    try:
        data = json.loads(raw, parse_int=_number, parse_float=_number, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise error(
            [
                _("%(path)s line %(line)s column %(column)s: malformed JSON (%(reason)s)")
                % {"path": path, "line": exc.lineno, "column": exc.colno, "reason": exc.msg}
            ]
        ) from None
    except _NumberTooLong:
        raise refuse(
            _("holds a number longer than %(limit)s characters, or NaN or Infinity")
            % {"limit": MAX_NUMBER_LENGTH}
        ) from None
    except RecursionError:
        raise refuse(_too_deep()) from None
    if depth_of(data) > MAX_DEPTH:
        raise refuse(_too_deep())
    return data


def _too_deep() -> str:
    return _("lists and objects nest more than %(limit)s deep") % {"limit": MAX_DEPTH}


@dataclass
class Faults:
    """Collects faults while walking a file; the helpers say whether a value is sound."""

    errors: list[str] = field(default_factory=list)

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def fields(
        self,
        obj: Any,
        where: str,
        *,
        required: set[str],
        optional: set[str] = frozenset(),
        complete: bool = False,
    ) -> bool:
        """Whether ``obj`` is an object (and, with ``complete``, has every required field);
        unknown and missing fields are faults either way."""
        if not isinstance(obj, dict):
            self.error(where, _("expected an object"))
            return False
        for name in sorted(set(obj) - required - set(optional)):
            self.error(where, _("unknown field “%(field)s”") % {"field": shown(name)})
        missing = sorted(required - set(obj))
        for name in missing:
            self.error(where, _("missing field “%(field)s”") % {"field": name})
        return not (complete and missing)

    def items_of(self, value: Any, where: str, *, optional: bool = True) -> list:
        if value is None and optional:
            return []
        if not isinstance(value, list):
            self.error(where, _("expected a list"))
            return []
        return value

    def text(
        self, value: Any, where: str, *, max_length: int | None = None, blank: bool = True
    ) -> bool:
        """A string that fits its column (``max_length``) and that a database can store."""
        if not isinstance(value, str) or (not blank and not value.strip()):
            self.error(where, _("missing or empty text"))
            return False
        if max_length is not None and len(value) > max_length:
            self.error(
                where,
                _("longer than %(limit)s characters (%(length)s)")
                % {"limit": max_length, "length": len(value)},
            )
            return False
        return self.storable(value, where)

    def storable(self, text: str, where: str) -> bool:
        if UNSTORABLE_CHARACTER.search(text):
            self.error(
                where,
                _("contains a NUL character or a lone surrogate, which no database can store"),
            )
            return False
        return True

    def storable_json(self, value: Any, where: str) -> bool:
        """Any JSON (a stored answer), as long as every string in it, keys too, is storable."""
        stack = [value]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                stack.extend(node)
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, str) and not self.storable(node, where):
                return False
        return True
