"""Interface strings: every msgid is in locale/, translated, and the committed .mo is current."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ["zh_Hant", "zh_Hans", "en"]
CHINESE = ["zh_Hant", "zh_Hans"]


def read_catalog(path: Path) -> dict[str, str]:
    """msgid → msgstr of a .po file (plural forms keyed by msgid, first form)."""
    entries, msgid, msgstr, current, fuzzy = {}, None, None, None, False
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        if not line:
            if msgid:
                entries[msgid] = None if fuzzy else msgstr
            msgid, msgstr, current, fuzzy = None, None, None, False
            continue
        if line.startswith("msgid "):
            msgid, current = ast.literal_eval(line[6:]), "id"
        elif line.startswith("msgid_plural "):
            current = "plural"
        elif line.startswith(("msgstr ", "msgstr[0] ")):
            msgstr, current = ast.literal_eval(line.split(" ", 1)[1]), "str"
        elif line.startswith("msgstr["):
            current = "other"
        elif line.startswith('"'):
            if current == "id":
                msgid += ast.literal_eval(line)
            elif current == "str":
                msgstr += ast.literal_eval(line)
    return entries


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalog_is_current(locale, tmp_path):
    po = ROOT / "locale" / locale / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(po)], check=True)
    assert fresh.read_bytes() == mo.read_bytes(), f"run: manage.py compilemessages ({locale})"


@pytest.mark.parametrize("locale", CHINESE)
def test_every_chinese_interface_string_is_translated(locale):
    catalog = read_catalog(ROOT / "locale" / locale / "LC_MESSAGES" / "django.po")
    missing = [msgid for msgid, msgstr in catalog.items() if msgid and not msgstr]
    assert missing == []


@pytest.mark.parametrize("locale", CHINESE)
def test_catalogs_hold_every_string_in_the_code(locale, tmp_path):
    """makemessages on a copy of the project finds no string the committed catalog lacks."""
    copy = tmp_path / "project"
    copy.mkdir()
    for name in [
        "manage.py",
        "config",
        "courseware",
        "quizzes",
        "classroom",
        "review",
        "lti",
        "words",
        "templates",
        "locale",
    ]:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, copy / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", locale, "--no-location", "-v", "0"],
        cwd=copy,
        check=True,
    )
    committed = read_catalog(ROOT / "locale" / locale / "LC_MESSAGES" / "django.po")
    extracted = read_catalog(copy / "locale" / locale / "LC_MESSAGES" / "django.po")
    assert sorted(set(extracted) - set(committed)) == []
