"""The course file (docs/course-format.md): read, validate, load and export it.

- ``reading``: reading the file (UTF-8 JSON, NFC) and the checks every section uses.
- ``validation``: the whole file checked, one function per section, every fault named.
- ``loading``: one transaction that updates rows in place by their stable keys.
- ``export``: the database written back in the file's shape.
- ``sections``: how another app adds its own top-level section (the quiz bank's ``tags``
  and ``items``) without courseware importing it.

The names below are the package's public interface: commands, tests and the apps that own
a section import them from here, never from the modules.
"""

from .export import dumps, export, pair
from .loading import (
    LoadContext,
    load,
    remove_missing,
    render_all,
    render_passage_html,
    translated_fields,
    upsert,
)
from .reading import (
    DEFAULT_COURSE_FILE,
    FORMAT_VERSION,
    LANGUAGES,
    CourseFileError,
    Validator,
    field_name,
    read_course_file,
)
from .sections import CourseSection, register_section
from .validation import validate

__all__ = [
    "DEFAULT_COURSE_FILE",
    "FORMAT_VERSION",
    "LANGUAGES",
    "CourseFileError",
    "CourseSection",
    "LoadContext",
    "Validator",
    "dumps",
    "export",
    "field_name",
    "load",
    "pair",
    "read_course_file",
    "register_section",
    "remove_missing",
    "render_all",
    "render_passage_html",
    "translated_fields",
    "upsert",
    "validate",
]
