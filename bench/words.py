"""Word cards and readings (#16): cold bytes of the unit page with tools off and with readings
on, the word card's server time, and a gunicorn worker's memory after serving them.

    python -m bench.words            # from the repository root; writes its section of RESULTS.md

Kept apart from bench/run.py (its own gunicorn on 127.0.0.1:8123, its own SQLite database in a
temporary folder, the bundled course): its section of RESULTS.md sits below the line run.py
keeps, between its own markers, so either can be rerun without the other.
"""

from __future__ import annotations

import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST, PORT = "127.0.0.1", int(os.environ.get("WORDS_BENCH_PORT", "8123"))
RESULTS = ROOT / "bench" / "RESULTS.md"
START, END = "<!-- bench/words.py: start -->", "<!-- bench/words.py: end -->"
PY = sys.executable


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="words-bench-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "DEBUG": "false",
        "SECRET_KEY": "bench-words-only-" + "x" * 40,
        "ALLOWED_HOSTS": HOST,
        "SECURE_HTTPS": "false",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("CACHE_URL", None)
    for command in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"], ["load_course"]):
        subprocess.run(
            [PY, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )
    unit, passages = _largest_unit(env)
    server = subprocess.Popen(
        [PY, "-m", "gunicorn", "config.wsgi", "-w", "1", "-b", f"{HOST}:{PORT}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_up()
        worker = _worker_pid(server.pid)
        rows = {"rss_idle_kb": _rss(worker)}
        rows["cold"] = _cold_loads(unit)
        rows["unit_pinyin"] = _timings([f"/units/{unit}/?readings=pinyin"] * 200, warmup=1)
        cards = [
            f"/words/at/{key}/{position}/"
            for key, length in passages
            for position in range(1, length + 1, 3)
        ]
        rows["cards"] = _timings(cards, warmup=0, hx=True)
        rows["cards_warm"] = _timings(cards, warmup=0, hx=True)
        rows["card_count"] = len(cards)
        rows["rss_after_kb"] = _rss(worker)
        rows["unit"] = unit
        rows["load"] = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    finally:
        server.terminate()
        server.wait(timeout=30)
    _write(rows)


def _largest_unit(env) -> tuple[str, list[tuple[str, int]]]:
    script = (
        "import django, json; django.setup()\n"
        "from courseware.models import Passage, Unit\n"
        "from django.db.models import Sum\n"
        "from django.db.models.functions import Length\n"
        "unit = Unit.objects.current().annotate(size=Sum(Length('passages__text_zh_hant')))"
        ".order_by('-size').first()\n"
        "rows = [(p.key, sum(len(w[0]) for w in p.words.get('zh-hant', [])))"
        " for p in Passage.objects.current().filter(unit=unit).order_by('order')]\n"
        "print(json.dumps([unit.slug, rows]))\n"
    )
    import json

    out = subprocess.run(
        [PY, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    slug, rows = json.loads(out.stdout)
    return slug, [tuple(row) for row in rows]


def _wait_until_up(timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            _get("/healthz")
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer")


def _worker_pid(master: int) -> int:
    for _ in range(50):
        children = subprocess.run(
            ["pgrep", "-P", str(master)], capture_output=True, text=True
        ).stdout.split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("no gunicorn worker")


def _rss(pid: int) -> int:
    return int(
        subprocess.run(["ps", "-o", "rss=", "-p", str(pid)], capture_output=True, text=True).stdout
    )


def _get(path: str, *, hx: bool = False, language: str = "zh-TW") -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, PORT, timeout=10)
    headers = {"Accept-Language": language, "Accept-Encoding": "gzip"}
    if hx:
        headers["HX-Request"] = "true"
    connection.request("GET", urllib.parse.quote(path, safe="/?=&%"), headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


def _timings(paths: list[str], *, warmup: int, hx: bool = False) -> dict:
    """Milliseconds per request, one client on loopback (connection included): the server's
    own time with no queueing."""
    for path in paths[:warmup]:
        _get(path, hx=hx)
    times = []
    for path in paths:
        start = time.perf_counter()
        status, _body = _get(path, hx=hx)
        times.append((time.perf_counter() - start) * 1000)
        if status != 200:
            raise RuntimeError(f"{path}: {status}")
    times.sort()
    return {
        "n": len(times),
        "p50": statistics.median(times),
        "p99": times[min(len(times) - 1, int(len(times) * 0.99))],
    }


def _cold_loads(unit: str) -> dict:
    sys.path.insert(0, str(ROOT))
    from bench.measure import cold_load

    loads = {}
    for readings in ("off", "pinyin", "zhuyin"):
        for language in ("zh-hant", "zh-hans"):
            cookies = [
                {"name": "django_language", "value": language, "url": f"http://{HOST}:{PORT}"}
            ]
            load = cold_load(f"http://{HOST}:{PORT}/units/{unit}/?readings={readings}", cookies)
            loads[(readings, language)] = (load.bytes, load.requests)
    return loads


def _write(rows: dict) -> None:
    cold = rows["cold"]
    written = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    card_ok = "✅ met" if rows["cards"]["p50"] <= 20 else "❌ missed"
    lines = [
        START,
        "## Word cards and readings (`python -m bench.words`, #16)",
        "",
        f"Written by `python -m bench.words` on {written}: "
        f"gunicorn, 1 sync worker, `DEBUG=false`, SQLite, local-memory cache, 127.0.0.1:{PORT}; "
        f"unit `{rows['unit']}` (the most Chinese text). Server times: one client, one "
        "request at a time on loopback, connection included (no queueing); load average "
        f"{rows['load']} on {os.cpu_count()} cores (other people's work is measured too).",
        "",
        "| what | target | measured | |",
        "|---|---|---|---|",
    ]
    for readings, budget in (("off", 60), ("pinyin", 120), ("zhuyin", 120)):
        for language in ("zh-hant", "zh-hans"):
            size, requests = cold[(readings, language)]
            ok = "✅ met" if size <= budget * 1000 else "❌ missed"
            lines.append(
                f"| unit page cold load, readings {readings}, {language} | ≤ {budget} KB | "
                f"{size / 1000:.1f} KB, {requests} requests | {ok} |"
            )
    card, warm, page = rows["cards"], rows["cards_warm"], rows["unit_pinyin"]
    lines += [
        f"| word card (htmx GET of a tap's position), server p50 / p99 | ≤ 20 ms p50 | "
        f"first taps (card made): {card['p50']:.1f} ms / {card['p99']:.1f} ms; the same "
        f"{card['n']} taps again (card kept per content version): {warm['p50']:.1f} ms / "
        f"{warm['p99']:.1f} ms | {card_ok} |",
        f"| unit page with readings on (pinyin), server p50 / p99 | | {page['p50']:.1f} ms / "
        f"{page['p99']:.1f} ms ({page['n']} requests, body cached per content version) | |",
        f"| gunicorn worker RSS: idle → after every page and card above | ≤ 120 MB | "
        f"{rows['rss_idle_kb'] / 1024:.0f} MB → {rows['rss_after_kb'] / 1024:.0f} MB | "
        f"{'✅ met' if rows['rss_after_kb'] <= 120 * 1024 else '❌ missed'} |",
        "",
        "The words and readings are computed by the course loader (jieba, pypinyin, CC-CEDICT), "
        "stored, and only read by the worker: it never imports the segmenter or the dictionary.",
        END,
    ]
    text = RESULTS.read_text(encoding="utf-8")
    section = "\n".join(lines)
    if START in text and END in text:
        before, rest = text.split(START, 1)
        text = before + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(text, encoding="utf-8")
    print(section)


if __name__ == "__main__":
    main()
