"""Management commands speak the language of the command line they run in.

Django leaves a command in ``LANGUAGE_CODE`` (Chinese here), whoever runs it; an operator's
shell says what it reads through the same variables GNU gettext reads.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping

from django.utils import translation

# Where Chinese is written in Simplified characters unless the locale names a script.
SIMPLIFIED_REGIONS = {"cn", "sg", "my"}


def terminal_language(environ: Mapping[str, str] = os.environ) -> str:
    """``zh-hans``, ``zh-hant`` or ``en``, as the environment asks.

    As GNU gettext reads them: ``LANGUAGE`` (a colon-separated list, first choice first), then
    the first of ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` that is set. ``C`` and ``POSIX``
    mean English.
    """
    wanted = [name for name in environ.get("LANGUAGE", "").split(":") if name]
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if environ.get(variable):
            wanted.append(environ[variable])
            break
    for name in wanted:
        language = name.split(".")[0].split("@")[0].lower()
        if language.startswith("zh"):
            return chinese_script(language)
        if language.startswith("en") or language in ("c", "posix"):
            return "en"
    return "en"


def chinese_script(locale_name: str) -> str:
    """A Chinese locale's script: one it names (``zh_Hans``, ``zh-Hant-CN``), else its
    region's (``zh_CN``, ``zh_SG``: Simplified); Traditional otherwise (``zh_TW``, ``zh_HK``,
    a bare ``zh``), as the app's own default is."""
    parts = locale_name.lower().replace("-", "_").split("_")[1:]
    if "hant" in parts:
        return "zh-hant"
    if "hans" in parts or SIMPLIFIED_REGIONS.intersection(parts):
        return "zh-hans"
    return "zh-hant"


def in_terminal_language(handle):
    """Decorates a command's ``handle`` so its messages follow ``terminal_language()``."""

    @functools.wraps(handle)
    def wrapper(*args, **kwargs):
        with translation.override(terminal_language()):
            return handle(*args, **kwargs)

    return wrapper
