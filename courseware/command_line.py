"""Management commands speak the language of the command line they run in.

Django leaves a command in ``LANGUAGE_CODE`` (Chinese here), whoever runs it; an operator's
shell says what it reads through the same variables GNU gettext reads.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping

from django.utils import translation


def terminal_language(environ: Mapping[str, str] = os.environ) -> str:
    """``zh-hant`` when the environment asks for Chinese, else ``en``.

    As GNU gettext reads them: ``LANGUAGE`` (a colon-separated list, first choice first), then
    the first of ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` that is set. Chinese in any script
    or region gets Traditional Chinese, the only Chinese the app has; ``C`` and ``POSIX``
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
            return "zh-hant"
        if language.startswith("en") or language in ("c", "posix"):
            return "en"
    return "en"


def in_terminal_language(handle):
    """Decorates a command's ``handle`` so its messages follow ``terminal_language()``."""

    @functools.wraps(handle)
    def wrapper(*args, **kwargs):
        with translation.override(terminal_language()):
            return handle(*args, **kwargs)

    return wrapper
