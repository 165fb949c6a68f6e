"""Reading the course file, and the checks every section of it uses.

The file is read whole and normalised to NFC; ``Validator`` walks it collecting every fault,
each named by where it is (``units[2] "introduction" › passages[3] "intro-4" › text.en``).
Texts are checked against the column they go to, so SQLite (which ignores a column's
length) and PostgreSQL (which enforces it) accept and refuse the same files.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from ..file_checks import Faults, FileFaults, read_json_file

LANGUAGES = ("zh-hant", "en")
FORMAT_VERSION = 1
# fullmatch, never match: "$" would let a key end in a line break, which breaks its URL.
KEY_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
DEFAULT_COURSE_FILE = Path(__file__).resolve().parent.parent / "content" / "course.json"


def field_name(name: str, language: str) -> str:
    return f"{name}_{language.replace('-', '_')}"


def column_length(model: type[models.Model], name: str) -> int | None:
    """The length the database enforces for a field (None for unbounded text)."""
    return model._meta.get_field(name).max_length


class CourseFileError(FileFaults):
    """The file cannot be loaded; ``errors`` name every fault and where it is."""


@dataclass
class Validator(Faults):
    """Collects faults while walking the file, and the keys later sections refer to."""

    unit_slugs: set[str] = field(default_factory=set)
    passage_keys: set[str] = field(default_factory=set)
    # Footnote keys are unique in the course, so a quiz item can cite one by its key alone.
    footnote_keys: set[str] = field(default_factory=set)
    term_keys: set[str] = field(default_factory=set)
    reference_keys: set[str] = field(default_factory=set)

    def translated(self, value: Any, where: str, *, allow_empty: bool = False, column=None) -> bool:
        """Both languages' texts; ``column`` is (model, field) when the column has a length."""
        if not isinstance(value, dict):
            self.error(where, _("expected an object with “zh-hant” and “en”"))
            return False
        ok = True
        for name in sorted(set(value) - set(LANGUAGES)):
            self.error(where, _("unknown language “%(language)s”") % {"language": name})
            ok = False
        max_length = column_length(*column) if column else None
        for language in LANGUAGES:
            ok &= self.text(
                value.get(language),
                f"{where}.{language}",
                max_length=max_length,
                blank=allow_empty,
            )
        return ok

    def key(self, value: Any, where: str, seen: set[str], *, column) -> bool:
        """A stable key of the file; ``column`` is the (model, field) it is stored in."""
        if not isinstance(value, str) or not KEY_PATTERN.fullmatch(value):
            self.error(where, _("a key must be lowercase letters, digits and hyphens"))
            return False
        if not self.text(value, where, max_length=column_length(*column)):
            return False
        if value in seen:
            self.error(where, _("duplicate key “%(key)s”") % {"key": value})
            return False
        seen.add(value)
        return True

    def string(self, value: Any, where: str, *, column=None) -> bool:
        max_length = column_length(*column) if column else None
        return self.text(value, where, max_length=max_length, blank=False)


def read_course_file(path: str | Path) -> dict:
    return normalise(read_json_file(path, CourseFileError))


def normalise(value: Any) -> Any:
    """NFC everywhere: the PDF's compatibility ideographs (U+F9xx) would break search."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [normalise(item) for item in value]
    if isinstance(value, dict):
        return {normalise(key): normalise(item) for key, item in value.items()}
    return value
