"""On SQLite (the embedded default), a class starting its quiz at once gets no "database is
locked": write transactions take the lock at BEGIN (transaction_mode IMMEDIATE) and queue."""

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).with_name("sqlite_quiz_starts.py")


def test_parallel_quiz_starts_on_sqlite_all_succeed(tmp_path):
    """16 students start and hand in 3 times at once, each in their own connection. With
    SQLite's default (DEFERRED) every one of them failed here ("deferred" in the script)."""
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path / "class.sqlite3"), "immediate"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["errors"] == []
    assert summary["statuses"] == [302]
    assert summary["attempts"] == 16 * 3  # STUDENTS × ROUNDS in the script
