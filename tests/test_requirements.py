"""The lock files pin what requirements.txt and requirements-dev.txt ask for (.ci/lock)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^\s;\\]+)", re.MULTILINE)


def pins(path: Path) -> dict[str, str]:
    return {
        re.sub(r"[-_.]+", "-", name).lower(): version
        for name, version in PIN.findall(path.read_text(encoding="utf-8"))
    }


@pytest.mark.parametrize(
    ("wanted", "lock"),
    [
        (["requirements.txt"], "requirements.lock"),
        (["requirements.txt", "requirements-dev.txt"], "requirements-dev.lock"),
    ],
)
def test_the_lock_pins_every_requirement_at_its_version(wanted, lock):
    locked = pins(ROOT / lock)
    for name in wanted:
        for package, version in pins(ROOT / name).items():
            assert locked.get(package) == version, f"{package} in {name}: run .ci/lock"


def test_every_locked_package_has_hashes():
    for lock in ["requirements.lock", "requirements-dev.lock"]:
        entries = re.split(r"\n(?=[a-z0-9])", (ROOT / lock).read_text(encoding="utf-8"))
        for entry in entries[1:]:
            assert "--hash=sha256:" in entry, f"{lock}: {entry.splitlines()[0]} has no hash"


def test_the_server_does_not_install_the_test_tools():
    server = pins(ROOT / "requirements.lock")
    assert not {"pytest", "playwright", "hypothesis", "ruff"} & set(server)
