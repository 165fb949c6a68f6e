"""Turn a passage's plain text into reading HTML.

The course file keeps passages as plain text so that translators can edit them and diffs stay
readable. Three kinds of annotation become links here, once, when the course is loaded:

- footnote markers ``[^1]`` become a ``<button>`` that opens the note in place under the
  paragraph (reading.js: Enter and Space, aria-expanded and aria-controls). A button cannot
  navigate, so without JavaScript the marker is the note's number and the notes are listed,
  always visible, at the end of the unit;
- in-text citations (the exact words listed in the passage's ``citations``) link to the
  bibliography;
- the first occurrence of each glossary term's forms links to the glossary entry, which the
  page shows as a tooltip on hover, focus or tap.
"""

import re
from dataclasses import dataclass

from django.utils.html import escape

FOOTNOTE_MARKER = re.compile(r"\[\^([A-Za-z0-9-]+)\]")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    html: str


def footnote_keys_in(text: str) -> list[str]:
    return FOOTNOTE_MARKER.findall(text)


def strip_markup(text: str) -> str:
    """The passage text as a reader sees it, without footnote markers."""
    return FOOTNOTE_MARKER.sub("", text)


def _overlaps(span_start: int, span_end: int, taken: list[Span]) -> bool:
    return any(span_start < other.end and other.start < span_end for other in taken)


def render_passage(
    text: str,
    *,
    citations: list[tuple[str, str]],
    terms: list[tuple[str, list[str]]],
    note_label: str = "Note",
) -> str:
    """Render ``text``; ``citations`` are (words, reference key), ``terms`` (term key, forms);
    ``note_label`` names a footnote marker in the text's language ("Note 1", "註 1")."""
    spans: list[Span] = []
    for match in FOOTNOTE_MARKER.finditer(text):
        key = escape(match.group(1))
        spans.append(
            Span(
                match.start(),
                match.end(),
                f'<sup class="fn-ref"><button type="button" class="fn-marker" '
                f'data-footnote="{key}" aria-expanded="false" '
                f'aria-label="{escape(note_label)} {key}">{key}</button></sup>',
            )
        )
    for words, reference_key in citations:
        start = text.find(words)
        while start != -1 and _overlaps(start, start + len(words), spans):
            start = text.find(words, start + 1)
        if start == -1:
            continue
        spans.append(
            Span(
                start,
                start + len(words),
                f'<a class="cite" href="#ref-{escape(reference_key)}">{escape(words)}</a>',
            )
        )
    for term_key, forms in terms:
        best = None
        for form in sorted(forms, key=len, reverse=True):
            start = text.find(form)
            while start != -1 and _overlaps(start, start + len(form), spans):
                start = text.find(form, start + 1)
            if start != -1 and (best is None or start < best[0]):
                best = (start, form)
        if best is None:
            continue
        start, form = best
        spans.append(
            Span(
                start,
                start + len(form),
                f'<a class="term" href="#term-{escape(term_key)}" '
                f'data-term="{escape(term_key)}">{escape(form)}</a>',
            )
        )
    spans.sort(key=lambda span: span.start)
    out, position = [], 0
    for span in spans:
        out.append(escape(text[position : span.start]))
        out.append(span.html)
        position = span.end
    out.append(escape(text[position:]))
    return "".join(out)
