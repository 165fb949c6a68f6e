"""Top-level parts of the course file that other apps own (the quiz bank's tags and items).

An app registers a ``CourseSection`` in its ``AppConfig.ready``; validation, loading and
export then call it after courseware's own parts. Courseware never imports those apps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from courseware.models import Course

    from .loading import LoadContext
    from .reading import Validator


@dataclass
class CourseSection:
    """A top-level part of the course file that another app owns."""

    keys: tuple[str, ...]
    validate: Callable[[dict, Validator], None]
    load: Callable[[dict, LoadContext], None]
    export: Callable[[Course], dict]


_sections: list[CourseSection] = []


def register_section(section: CourseSection) -> None:
    if all(existing.keys != section.keys for existing in _sections):
        _sections.append(section)


def registered_sections() -> list[CourseSection]:
    return list(_sections)
