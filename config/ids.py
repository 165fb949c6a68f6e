"""Ids from URLs, checked before they reach the database.

``<int:…>`` in a URL accepts any number of digits, and the id columns are 64-bit: SQLite
cannot even bind a larger number. Every app's permission-checked getters pass their ids
through ``id_or_404``; here so that all three apps share it.
"""

from django.http import Http404

MAX_ID = 2**63 - 1


def id_or_404(value) -> int:
    """An id from the URL, or 404 for one no row can have (instead of a database error)."""
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise Http404
    return number
