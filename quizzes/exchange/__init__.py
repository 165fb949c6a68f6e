"""The item bank in the formats other learning platforms import.

``export_items(fmt, course=…, unit=…)`` returns the file; one module per format:

- ``moodle_xml``: Moodle XML (Moodle's own question-bank format, every kind of ours);
- ``gift``: Moodle's GIFT text format, for every kind it can express (not ordering);
- ``qti``: an IMS QTI 2.1 content package (a zip) for Canvas, Blackboard and others.

The reading of the item bank is shared (``bank.exported_items``), so every format says the
same thing about the same items.
"""

from __future__ import annotations

from dataclasses import dataclass

from courseware.models import Course, Unit

from . import gift, moodle_xml, qti
from .bank import exported_items


@dataclass(frozen=True)
class ExportFormat:
    name: str  # as typed on the command line and in the download URL
    label: str  # what the download button says (not translated: these are product names)
    extension: str
    content_type: str
    write: object  # (items, course) -> bytes


FORMATS = {
    "moodle-xml": ExportFormat(
        "moodle-xml", "Moodle XML", "xml", "application/xml; charset=utf-8", moodle_xml.write
    ),
    "gift": ExportFormat("gift", "GIFT", "txt", "text/plain; charset=utf-8", gift.write),
    "qti21": ExportFormat("qti21", "QTI 2.1", "zip", "application/zip", qti.write),
}


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str
    content_type: str
    item_count: int


def export_items(fmt: str, *, course: Course, unit: Unit | None = None) -> ExportFile:
    """The course's current items (or one unit's) as a file in format ``fmt``."""
    export_format = FORMATS[fmt]
    items = exported_items(course, unit)
    scope = unit.slug if unit else "all-units"
    return ExportFile(
        content=export_format.write(items, course),
        filename=f"{course.slug}-{scope}-items-{fmt}.{export_format.extension}",
        content_type=export_format.content_type,
        item_count=len(items),
    )
