"""The measurements: wrk against gunicorn, response bytes, queries in-process, Chromium cold
loads, worker memory. Everything targets 127.0.0.1 only."""

from __future__ import annotations

import gzip
import http.client
import json
import os
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
HOST, PORT = "127.0.0.1", int(os.environ.get("BENCH_PORT", "8141"))
BASE_URL = f"http://{HOST}:{PORT}"
BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# What a browser sends: the app may compress (WhiteNoise does for static files).
ACCEPT_ENCODING = "gzip, deflate, br"


@dataclass
class WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: dict
    wrapped: int = 0
    connections: int = 0
    p95_ms: float = 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def wrk(
    path: str,
    *,
    duration: float,
    connections: int,
    threads: int,
    headers: dict[str, str] | None = None,
    script: str = "report.lua",
    script_args: list[str] | None = None,
    log_name: str,
    out: Path,
    port: int = PORT,
) -> WrkResult:
    threads = min(threads, connections)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        "--timeout",
        "10s",
        "-s",
        str(BENCH / script),
    ]
    for name, value in {"Accept-Encoding": ACCEPT_ENCODING, **(headers or {})}.items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://{HOST}:{port}{path}")
    if script_args:
        command += ["--", *script_args]
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    (out / f"wrk-{log_name}.txt").write_text(
        " ".join(command) + "\n\n" + run.stdout + run.stderr, encoding="utf-8"
    )
    match = re.search(r"^BENCH_JSON (.*)$", run.stdout, re.MULTILINE)
    if run.returncode != 0 or not match:
        raise RuntimeError(f"wrk failed ({log_name}): {run.stdout}\n{run.stderr}")
    data = json.loads(match.group(1))
    return WrkResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50"] / 1000,
        p90_ms=data["p90"] / 1000,
        p99_ms=data["p99"] / 1000,
        max_ms=data["max"] / 1000,
        errors={name: data[name] for name in ("connect", "read", "write", "status", "timeout")},
        wrapped=data.get("wrapped", 0),
        connections=connections,
        p95_ms=data.get("p95", 0) / 1000,
    )


@dataclass
class Bytes:
    status: int
    header_bytes: int
    body_bytes: int
    content_encoding: str
    # The body compressed at Django's own level 6, beside the app's GZIP_LEVEL as sent.
    gzip_body_bytes: int
    content_type: str = ""

    @property
    def wire_bytes(self) -> int:
        return self.header_bytes + self.body_bytes


def fetch(
    path: str,
    *,
    method: str = "GET",
    headers: dict | None = None,
    body: str | None = None,
    port: int = PORT,
) -> tuple[Bytes, bytes]:
    """One request over HTTP/1.1 with Accept-Encoding: gzip; sizes as they came on the wire."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    all_headers = {"Accept-Encoding": ACCEPT_ENCODING, **(headers or {})}
    conn.request(method, path, body=body, headers=all_headers)
    response = conn.getresponse()
    raw = response.read()
    status_line = f"HTTP/1.1 {response.status} {response.reason}\r\n"
    header_bytes = (
        len(status_line)
        + sum(len(f"{name}: {value}\r\n") for name, value in response.getheaders())
        + 2
    )
    encoding = response.getheader("Content-Encoding", "") or ""
    plain = gzip.decompress(raw) if encoding == "gzip" else raw
    conn.close()
    return (
        Bytes(
            status=response.status,
            header_bytes=header_bytes,
            body_bytes=len(raw),
            content_encoding=encoding or "none",
            gzip_body_bytes=len(gzip.compress(plain, compresslevel=6, mtime=0)),
            content_type=response.getheader("Content-Type", ""),
        ),
        plain,
    )


def wait_until_up(path: str = "/healthz", timeout: float = 30, port: int = PORT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result, _body = fetch(path, port=port)
            if result.status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz")


@dataclass
class Queries:
    status: int
    cold: int
    warm: int
    sql: list[str] = field(default_factory=list)


def count_queries(make_request) -> Queries:
    """Queries of one request, in-process through the test Client against the same database:
    the first (per-process caches cold) and a second one (warm). ``make_request(n)`` sends
    request ``n`` (0 or 1) and returns the response."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts, statuses = [], []
    for n in range(2):
        with CaptureQueriesContext(connection) as captured:
            response = make_request(n)
        counts.append(len(captured.captured_queries))
        statuses.append(response.status_code)
    return Queries(
        status=statuses[-1],
        cold=counts[0],
        warm=counts[1],
        sql=[query["sql"] for query in captured.captured_queries],
    )


@dataclass
class ColdLoad:
    requests: int
    bytes: int
    resources: list[dict]
    failed: list[str]
    # From the first request sent to the last response finished (CDP timestamps).
    last_response_s: float = 0.0


def cold_load(url: str, cookies: list[dict]) -> ColdLoad:
    """A first visit in Chromium with an empty cache: every response and the bytes received
    for it (CDP ``Network.loadingFinished`` ``encodedDataLength``: headers and body as they
    came over the wire, compressed where the server compressed)."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    seen: dict[str, dict] = {}
    failed: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=BROWSER_ARGS, headless=True
        )
        context = browser.new_context()
        context.add_cookies(cookies)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})

        def on_response(event):
            response = event["response"]
            seen.setdefault(event["requestId"], {}).update(
                url=response["url"], status=response["status"], type=event.get("type", "")
            )

        times: list[float] = []

        def on_sent(event):
            times.append(float(event["timestamp"]))

        def on_finished(event):
            seen.setdefault(event["requestId"], {})["bytes"] = int(event["encodedDataLength"])
            times.append(float(event["timestamp"]))

        def on_failed(event):
            failed.append(f"{event['requestId']}: {event.get('errorText', '')}")

        cdp.on("Network.requestWillBeSent", on_sent)
        cdp.on("Network.responseReceived", on_response)
        cdp.on("Network.loadingFinished", on_finished)
        cdp.on("Network.loadingFailed", on_failed)
        page.goto(url, wait_until="networkidle")
        page.wait_for_timeout(500)
        browser.close()
    resources = sorted(
        (entry for entry in seen.values() if "url" in entry),
        key=lambda entry: -entry.get("bytes", 0),
    )
    return ColdLoad(
        requests=len(resources),
        bytes=sum(entry.get("bytes", 0) for entry in resources),
        resources=resources,
        failed=failed,
        last_response_s=(max(times) - min(times)) if times else 0.0,
    )


def worker_memory(master_pid: int) -> list[dict]:
    """RSS and peak RSS (VmHWM) of each gunicorn worker, from /proc."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    pids = [int(pid) for pid in children.read_text().split()] if children.exists() else []
    workers = []
    for pid in pids:
        status = Path(f"/proc/{pid}/status").read_text()
        values = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.MULTILINE))
        workers.append(
            {
                "pid": pid,
                "rss_mb": int(values["VmRSS"]) / 1024,
                "peak_mb": int(values["VmHWM"]) / 1024,
            }
        )
    return workers


def worker_cpu_seconds(master_pid: int) -> float:
    """CPU time (user + system) the gunicorn workers have used so far."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    total = 0
    for pid in children.read_text().split() if children.exists() else []:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


def postmaster_pid() -> int | None:
    """The process id of the PostgreSQL server the app's database is on, when it runs on this
    machine and can be read (a superuser's connection, as the benchmark's); None otherwise."""
    from django.db import DatabaseError, connection

    if connection.vendor != "postgresql":
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW data_directory")
            data_directory = cursor.fetchone()[0]
        return int((Path(data_directory) / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError, DatabaseError):
        return None


def database_cpu_ticks(postmaster: int | None) -> dict[int, int]:
    """CPU time (user + system, clock ticks) each process of the PostgreSQL server
    ``postmaster`` has used so far: the backends serving the workers and the writers behind
    them (the server's children), not another PostgreSQL on the same machine. Empty when
    ``postmaster`` is None."""
    if postmaster is None:
        return {}
    children = Path(f"/proc/{postmaster}/task/{postmaster}/children")
    pids = [postmaster, *map(int, children.read_text().split() if children.exists() else [])]
    ticks = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        ticks[pid] = int(fields[11]) + int(fields[12])
    return ticks


def database_cpu_seconds_since(postmaster: int | None, before: dict[int, int]) -> float:
    """PostgreSQL's CPU time since ``database_cpu_ticks()`` gave ``before`` (processes that
    ended meanwhile are left out; a process id used again counts from zero)."""
    now = database_cpu_ticks(postmaster)
    used = sum(
        ticks - before[pid] if before.get(pid, ticks + 1) <= ticks else ticks
        for pid, ticks in now.items()
    )
    return used / os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds() -> float:
    """CPU time all processes have used so far (every core): gunicorn, PostgreSQL, wrk."""
    total, idle = _cpu_times()
    return (total - idle) / os.sysconf("SC_CLK_TCK")


def steal_seconds() -> float:
    """CPU time the hypervisor has given other guests while this machine's CPUs wanted it
    (every core, /proc/stat's "steal"): the other tenants' share, seen from inside."""
    values = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    return int(values[7]) / os.sysconf("SC_CLK_TCK") if len(values) > 7 else 0.0


def _cpu_times() -> tuple[int, int]:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values), idle


def machine_busy(seconds: float = 1.0) -> float:
    """Share of all CPUs busy over ``seconds`` (0 to 1)."""
    total0, idle0 = _cpu_times()
    time.sleep(seconds)
    total1, idle1 = _cpu_times()
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


def wait_until_quiet(*, threshold: float = 0.15, max_wait: float = 300, log=print) -> float:
    """Wait (up to ``max_wait`` seconds) until other work leaves the CPUs idle: other people's
    test runs on a shared machine would otherwise be measured too. Returns the last reading."""
    deadline = time.monotonic() + max_wait
    busy = machine_busy()
    warned = False
    while busy > threshold and time.monotonic() < deadline:
        if not warned:
            log(f"machine {busy:.0%} busy before measuring: waiting for it to quieten")
            warned = True
        busy = machine_busy(2.0)
    return busy
