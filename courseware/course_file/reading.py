"""Reading the course file, and the checks every section of it uses.

The file is read whole and normalised to NFC; ``Validator`` walks it collecting every fault,
each named by where it is (``units[2] "introduction" › passages[3] "intro-4" › text.en``).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

LANGUAGES = ("zh-hant", "en")
FORMAT_VERSION = 1
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
DEFAULT_COURSE_FILE = Path(__file__).resolve().parent.parent / "content" / "course.json"
# JSON can carry both as escapes (\u0000, \ud800): PostgreSQL refuses NUL in text, and a lone
# surrogate (half of a pair) cannot be encoded as UTF-8 for any database.
UNSTORABLE_CHARACTER = re.compile("[\x00\ud800-\udfff]")


def field_name(name: str, language: str) -> str:
    return f"{name}_{language.replace('-', '_')}"


class CourseFileError(Exception):
    """The file cannot be loaded; ``errors`` name every fault and where it is."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class Validator:
    """Collects faults while walking the file; the helpers return cleaned values."""

    errors: list[str] = field(default_factory=list)
    unit_slugs: set[str] = field(default_factory=set)
    passage_keys: set[str] = field(default_factory=set)
    # Footnote keys are unique in the course, so a quiz item can cite one by its key alone.
    footnote_keys: set[str] = field(default_factory=set)
    term_keys: set[str] = field(default_factory=set)
    reference_keys: set[str] = field(default_factory=set)

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def fields(self, obj: Any, where: str, *, required: set[str], optional: set[str] = frozenset()):
        if not isinstance(obj, dict):
            self.error(where, _("expected an object"))
            return False
        for name in sorted(set(obj) - required - set(optional)):
            self.error(where, _("unknown field “%(field)s”") % {"field": name})
        for name in sorted(required - set(obj)):
            self.error(where, _("missing field “%(field)s”") % {"field": name})
        return True

    def translated(self, value: Any, where: str, *, allow_empty: bool = False) -> bool:
        if not isinstance(value, dict):
            self.error(where, _("expected an object with “zh-hant” and “en”"))
            return False
        ok = True
        for name in sorted(set(value) - set(LANGUAGES)):
            self.error(where, _("unknown language “%(language)s”") % {"language": name})
            ok = False
        for language in LANGUAGES:
            text = value.get(language)
            if not isinstance(text, str) or (not allow_empty and not text.strip()):
                self.error(f"{where}.{language}", _("missing or empty text"))
                ok = False
            elif not self.storable(text, f"{where}.{language}"):
                ok = False
        return ok

    def key(self, value: Any, where: str, seen: set[str]) -> bool:
        if not isinstance(value, str) or not KEY_PATTERN.match(value):
            self.error(where, _("a key must be lowercase letters, digits and hyphens"))
            return False
        if value in seen:
            self.error(where, _("duplicate key “%(key)s”") % {"key": value})
            return False
        seen.add(value)
        return True

    def string(self, value: Any, where: str) -> bool:
        if not isinstance(value, str) or not value.strip():
            self.error(where, _("missing or empty text"))
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

    def items_of(self, value: Any, where: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(where, _("expected a list"))
            return []
        return value


def read_course_file(path: str | Path) -> dict:
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CourseFileError([_("%(path)s: no such file") % {"path": path}]) from None
    except UnicodeDecodeError:
        raise CourseFileError([_("%(path)s: not UTF-8 text") % {"path": path}]) from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise CourseFileError(
            [
                _("%(path)s line %(line)s column %(column)s: malformed JSON (%(reason)s)")
                % {"path": path, "line": exc.lineno, "column": exc.colno, "reason": exc.msg}
            ]
        ) from None
    return normalise(data)


def normalise(value: Any) -> Any:
    """NFC everywhere: the PDF's compatibility ideographs (U+F9xx) would break search."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [normalise(item) for item in value]
    if isinstance(value, dict):
        return {normalise(key): normalise(item) for key, item in value.items()}
    return value
