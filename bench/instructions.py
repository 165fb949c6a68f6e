"""Instructions per request, under ``valgrind --tool=callgrind``: the benchmark's steadiest
figure, since it does not depend on the other tenants of a shared machine.

``python bench/instructions.py SPEC SCENARIO N`` (run by ``bench/run.py`` under valgrind):
sets Django up with the benchmark's settings, calls ``WSGIHandler`` directly with the
benchmark's cookies and headers (``Accept-Encoding: gzip``, the same database), warms every
scenario of SPEC up with two requests each, then sends N requests of SCENARIO. ``run.py``
runs it once with N = 0 and once with N = 40 for each scenario: the difference of the two
totals over 40 is the cost of one warm request.

A warm answer is one whose item and answer the process has seen before, as nearly every
answer is in a class (thirty students answer the same items, mostly the same way; in a 10 s
wrk run about 1,900 answers go to 24 items, some 80 each): the item's content and the kept
feedback of that answer are in the process's caches. The GETs repeat one request, so two are
enough to warm them. The answer POSTs go to other attempts (the 40 counted ones: 5 students
on each of 8 items), so a first answer to an item, or a first answer of its kind, would
build the item's content and feedback inside the count: the 40 counted POSTs (those with a
``take_back`` pair) are also sent once in the warm-up and taken back (``bench.build.unanswer``,
which must find every one of them stored) before they are counted. Every run warms up the
same way, so the warm-up cancels out.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
WARM_UP = 2
REQUESTS = 40


def environ(request: dict) -> dict:
    body = request.get("body", "").encode()
    env = {
        "REQUEST_METHOD": request.get("method", "GET"),
        "PATH_INFO": request["path"],
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8141",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "HTTP_HOST": "127.0.0.1",
        "HTTP_ACCEPT_ENCODING": "gzip, deflate, br",
    }
    if body:
        env["CONTENT_LENGTH"] = str(len(body))
        env["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
    for name, value in request.get("headers", {}).items():
        if name.lower() == "content-type":
            continue
        env["HTTP_" + name.upper().replace("-", "_")] = value
    return env


def send(handler, request: dict) -> int:
    status = []
    result = handler(environ(request), lambda s, headers, exc_info=None: status.append(s))
    for _chunk in result:
        pass
    if hasattr(result, "close"):
        result.close()
    return int(status[0].split()[0])


def main(argv: list[str]) -> int:
    spec_path, scenario, count = argv[0], argv[1], int(argv[2])
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    from django.core.wsgi import get_wsgi_application

    handler = get_wsgi_application()
    # Every scenario's requests come from its own list; POSTs never repeat a pair.
    position = {name: 0 for name in spec}

    def next_request(name):
        requests = spec[name]
        request = requests[position[name] % len(requests)]
        position[name] += 1
        return request

    for name in spec:
        for _ in range(WARM_UP):
            status = send(handler, next_request(name))
            if status != 200:
                raise SystemExit(f"{name}: HTTP {status} while warming up")
        counted = spec[name][WARM_UP : WARM_UP + REQUESTS]
        if counted and all("take_back" in request for request in counted):
            for request in counted:
                status = send(handler, request)
                if status != 200:
                    raise SystemExit(f"{name}: HTTP {status} while warming up")
            take_back([request["take_back"] for request in counted])
    for _ in range(count):
        status = send(handler, next_request(scenario))
        if status != 200:
            raise SystemExit(f"{scenario}: HTTP {status}")
    return 0


def take_back(pairs: list[list[int]]) -> None:
    from bench import build

    taken_back = build.unanswer(
        [SimpleNamespace(attempt_id=attempt_id, item_id=item_id) for attempt_id, item_id in pairs]
    )
    # The view answers 200 to an error or a double submit too: a warm-up that stored nothing
    # would count the cheap path.
    if taken_back != len(pairs):
        raise SystemExit(f"the warm-up stored {taken_back} of {len(pairs)} answers")


# ---------------------------------------------------------------------------------------
# The side that runs valgrind (bench/run.py)


def ensure_valgrind(log) -> str | None:
    """valgrind's path; installed with apt-get when missing and this is root."""
    found = shutil.which("valgrind")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("valgrind is missing: apt-get install -y valgrind")
        subprocess.run(["apt-get", "install", "-y", "-q", "valgrind"], check=False)
        found = shutil.which("valgrind")
    if not found:
        log("valgrind is not installed (apt-get install valgrind): no instruction counts")
    return found


def callgrind_total(valgrind: str, spec: Path, scenario: str, count: int, out: Path) -> int:
    output = out / f"callgrind-{scenario}-{count}.out"
    run = subprocess.run(
        [
            valgrind,
            "--tool=callgrind",
            f"--callgrind-out-file={output}",
            sys.executable,
            str(Path(__file__)),
            str(spec),
            scenario,
            str(count),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"},
    )
    (out / f"callgrind-{scenario}-{count}.log").write_text(run.stdout + run.stderr)
    if run.returncode != 0:
        raise RuntimeError(f"callgrind {scenario} {count}: {run.stderr[-2000:]}")
    text = output.read_text(errors="replace")
    match = re.search(r"^(?:summary|totals):\s+(\d+)", text, re.MULTILINE)
    if not match:
        raise RuntimeError(f"no total in {output}")
    return int(match.group(1))


def per_request(valgrind: str, spec: Path, scenarios: list[str], out: Path, reset, log) -> dict:
    """Instructions per warm request of each scenario: (run with 40 − run with 0) / 40.
    ``reset()`` runs before every valgrind run, so each starts from the same data."""
    reset()
    log("callgrind: warm-up only")
    base = callgrind_total(valgrind, spec, scenarios[0], 0, out)
    counts = {}
    for name in scenarios:
        reset()
        log(f"callgrind: {name} × {REQUESTS}")
        total = callgrind_total(valgrind, spec, name, REQUESTS, out)
        counts[name] = (total - base) / REQUESTS
        log(f"callgrind: {name} {counts[name] / 1e6:.1f} M instructions per request")
    return counts


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
