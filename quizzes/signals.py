"""Signals of the quiz app, for apps above it (the LTI grade passback listens here)."""

from django.dispatch import Signal

# Sent after the transaction that finished a graded attempt commits, with ``attempt``.
# Practice rounds never send it: they do not count towards grades.
graded_attempt_finished = Signal()

# Sent after a corrected key regraded stored answers (``load_course``), with ``attempt_ids``:
# the graded attempts whose points changed. Grades read from them changed too.
graded_attempts_regraded = Signal()
