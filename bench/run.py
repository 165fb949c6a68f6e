"""One benchmark command: ``python bench/run.py`` (from the repository root, the venv's python).

1. Builds a large class in PostgreSQL (or SQLite with --sqlite) through the app's models:
   300 students, 8 assigned units, every item answered over 1–3 attempts (~150,000 responses).
2. Starts gunicorn (2 workers, DEBUG off) on 127.0.0.1:8141 after collectstatic.
3. Measures with wrk over loopback: (a) the bare /healthz view, (b) a unit reading page signed
   in and its floor (a′) (bench/floors.py: the session, the user and the same body through
   the same middleware), (c) the htmx answer POST storing a new answer each time and its floor
   (c′) (the CSRF check, one inserted row, a 1 KB fragment), (d) the class progress page,
   (e) item analysis of one unit. For each: requests per second and the ratio to its floor,
   p50/p99 latency under load and for a single client, queries per request (in-process, test
   Client), response bytes with gzip accepted; Chromium cold loads of (b) and (d); worker RSS;
   instructions per request of (a′), (b), (c′), (c) under callgrind (bench/instructions.py).
4. Writes bench/RESULTS.md (and bench/out/results.json, logs, the generated POST list).

``--scaling`` instead grows one class through 30 … 3,000 students (bench/scaling.py).

Options: --database-url, --sqlite, --duration, --students, --skip-build (see --help).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
BENCH = ROOT / "bench"
OUT = BENCH / "out"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/vnbop_bench"
RESERVED_POSTS = 64  # answer pairs kept out of wrk's list: warm-up, bytes, query counts
# Answer pairs for callgrind: two warm-up requests and the counted ones (bench/instructions.py).
CALLGRIND_POSTS = 42

GOALS = {
    # Of the floors (a′) and (c′), measured in the same run (issue 18).
    "reading_ratio": 0.60,
    "answer_ratio": 0.60,
    "progress_p50_ms": 100,
    "progress_cold_kb": 100,
    "progress_cold_requests": 6,
    "analysis_p50_ms": 150,
    "reading_cold_kb": 60,
    "queries": 10,
    "rss_mb": 120,
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help=f"PostgreSQL database of the benchmark, created if missing (default "
        f"{DEFAULT_DATABASE_URL}). A fresh build drops and recreates it.",
    )
    parser.add_argument(
        "--sqlite", action="store_true", help="use SQLite (bench/out/bench.sqlite3) instead"
    )
    parser.add_argument(
        "--duration", type=float, default=15, help="seconds of load per scenario (default 15)"
    )
    parser.add_argument("--students", type=int, default=300, help="class size (default 300)")
    parser.add_argument("--units", type=int, default=8, help="assigned units (default 8)")
    parser.add_argument(
        "--items-per-unit",
        type=int,
        default=32,
        help="quiz items per assigned unit, topped up with generated items (default 32)",
    )
    parser.add_argument(
        "--skip-build", action="store_true", help="reuse the class an earlier run built"
    )
    parser.add_argument(
        "--connections", type=int, default=8, help="wrk connections under load (default 8)"
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--cache-url", default="", help="CACHE_URL for the app (default: local memory)"
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=300,
        help="before each scenario, wait up to this many seconds for the machine to be idle "
        "(other work on the CPUs would be measured too; default 300)",
    )
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium cold loads")
    parser.add_argument(
        "--no-instructions",
        action="store_true",
        help="skip the callgrind instruction counts (valgrind; a few minutes, and about two "
        "minutes a size with --scaling)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also profile each page in-process (pyinstrument, see bench/requirements.txt) "
        "into bench/out/profile-*.txt",
    )
    parser.add_argument(
        "--results", default=str(BENCH / "RESULTS.md"), help="where to write the results"
    )
    parser.add_argument(
        "--scaling",
        action="store_true",
        help="instead: grow one class through --sizes and measure how cost grows "
        "(bench/scaling.py; PostgreSQL; ~21 min)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=30,
        help="rounds of --scaling's reading and answer loads (even): in each, a slice of each "
        "load at every size in turn, the order reversed each round; slices of twice --duration "
        "over the rounds, at least 2 s (default 30: slices of 2 s, enough pairs for a 95 %% "
        "interval of about ±5 %% on this VM)",
    )
    parser.add_argument(
        "--sizes",
        default="30,300,1000,3000",
        help="class sizes of --scaling, ascending (default 30,300,1000,3000)",
    )
    return parser.parse_args(argv)


# ---------------------------------------------------------------------------------------
# Environment and database


def configure_environment(args) -> str:
    database_url = f"sqlite:///{OUT / 'bench.sqlite3'}" if args.sqlite else args.database_url
    os.environ.update(
        # The app's settings with the floors' URLs added (bench/settings.py).
        DJANGO_SETTINGS_MODULE="bench.settings",
        BENCH_READING_BODY=str(OUT / "response-reading.html"),
        DATABASE_URL=database_url,
        DEBUG="false",
        SECRET_KEY="bench",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_HTTPS="false",
        LOG_LEVEL="WARNING",
    )
    if args.cache_url:
        os.environ["CACHE_URL"] = args.cache_url
    else:
        os.environ.pop("CACHE_URL", None)
    sys.path.insert(0, str(ROOT))
    return database_url


def prepare_database(database_url: str, *, fresh: bool) -> None:
    """Create the PostgreSQL database if missing; drop and recreate it for a fresh build."""
    import dj_database_url

    config = dj_database_url.parse(database_url)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        path = Path(config["NAME"])
        if fresh and path.exists():
            path.unlink()
        elif not fresh and not path.exists():
            raise SystemExit(f"{path} does not exist: run without --skip-build first")
        return
    from psycopg import sql

    name = config["NAME"]
    with admin_connection(database_url) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if fresh and exists:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            if not fresh:
                raise SystemExit(f"database {name} does not exist: run without --skip-build")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def admin_connection(database_url: str):
    """An autocommit connection to the server's ``postgres`` database, as the benchmark's
    user, for creating, copying and dropping databases."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(database_url)
    return psycopg.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        autocommit=True,
    )


class Log:
    def __init__(self, path: Path):
        self.file = path.open("w", encoding="utf-8")
        self.start = time.monotonic()

    def __call__(self, message: str) -> None:
        line = f"[{time.monotonic() - self.start:7.1f}s] {message}"
        print(line, flush=True)
        self.file.write(line + "\n")
        self.file.flush()


# ---------------------------------------------------------------------------------------
# gunicorn


def collectstatic() -> None:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, check=True
    )


def start_gunicorn(
    workers: int, *, port: int | None = None, database_url: str | None = None
) -> subprocess.Popen:
    """The app under gunicorn, with the benchmark's settings: the app's own plus the floors'
    URLs (``bench.settings``, ``bench.urls``); on the benchmark's port and database unless
    told others (``--scaling`` runs one for each class size at once)."""
    from bench import measure

    port = port or measure.PORT
    log = (OUT / ("gunicorn.log" if port == measure.PORT else f"gunicorn-{port}.log")).open("w")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "BENCH_READING_BODY": str(OUT / "response-reading.html"),
        **({"DATABASE_URL": database_url} if database_url else {}),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--no-control-socket",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# ---------------------------------------------------------------------------------------
# The run


def main(argv=None) -> int:
    args = parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    if args.scaling:
        from bench.scaling import run_scaling

        if args.sqlite:
            raise SystemExit("--scaling needs PostgreSQL")
        return run_scaling(args, Log(OUT / "scaling.log"))
    log = Log(OUT / "run.log")
    database_url = configure_environment(args)
    log(f"database: {database_url}")
    prepare_database(database_url, fresh=not args.skip_build)

    import django

    django.setup()
    from django.core.management import call_command

    from bench import build

    build_info = {}
    if not args.skip_build:
        log("migrating")
        call_command("migrate", verbosity=0)
        started = time.monotonic()
        build_info = build.build_class(
            students=args.students, units=args.units, items_per_unit=args.items_per_unit, log=log
        )
        build_info["seconds"] = round(time.monotonic() - started, 1)
        (OUT / "build.json").write_text(json.dumps(build_info, indent=2), encoding="utf-8")
    elif (OUT / "build.json").exists():
        build_info = json.loads((OUT / "build.json").read_text(encoding="utf-8"))
    from bench import floors

    floors.create_table()
    bench = build.find_class()
    counts = database_counts(bench)
    log(f"class: {counts}")

    sessions = build.Sessions.new()
    teacher_cookie = sessions.cookie(sessions.session_for(bench.teacher))
    reader_cookie = sessions.cookie(sessions.session_for(bench.reader))
    reading_unit = longest_unit(bench.units)
    single_duration = max(5.0, args.duration / 2)
    # Sized for up to 3,000 answers a second under load: none should be answered twice.
    pairs = (
        RESERVED_POSTS + CALLGRIND_POSTS + int(args.duration * 3000) + int(single_duration * 1500)
    )
    posts = build.prepare_answer_load(bench, sessions, pairs=pairs, log=log)
    reserved = posts[:RESERVED_POSTS]
    callgrind_posts = posts[RESERVED_POSTS : RESERVED_POSTS + CALLGRIND_POSTS]
    wrk_posts = posts[RESERVED_POSTS + CALLGRIND_POSTS :]
    # The two counted POSTs answer the same item in two attempts: the second one is "warm"
    # for anything the app may cache per item, as nearly every request is in production.
    query_posts = [post for post in reserved if post.item_id == reserved[-1].item_id][-2:]
    others = [post for post in reserved if post not in query_posts]
    bytes_post, warm_posts = others[-1], others[:-1]
    load_count = min(len(wrk_posts) * 2 // 3, int(args.duration * 3000))
    post_list = OUT / "answer-posts.tsv"
    post_list.write_text(
        "".join(post.list_line for post in wrk_posts),
        encoding="utf-8",
    )

    scenarios = {
        "healthz": {"label": "(a) bare view /healthz", "path": "/healthz", "cookie": None},
        "reading": {
            "label": "(b) unit reading page, signed in",
            "path": reading_unit.get_absolute_url(),
            "cookie": reader_cookie,
            "floor": "reading_floor",
        },
        # After (b): it returns the body (b) was fetched with (bench/out/response-reading.html).
        "reading_floor": {
            "label": "(a′) floor: session, user, the same body",
            "path": "/_bench/page/",
            "cookie": reader_cookie,
        },
        "answer": {
            "label": "(c) quiz answer POST (htmx)",
            "path": "/quiz/",
            "cookie": None,
            "floor": "answer_floor",
        },
        "answer_floor": {
            "label": "(c′) floor: CSRF check, one insert, 1 KB",
            "path": "/_bench/insert/",
            "cookie": bytes_post.cookie,
            "method": "POST",
            "body": bytes_post.body,
            "headers": {
                "HX-Request": "true",
                "X-CSRFToken": sessions.csrf_token,
                "Content-Type": "application/x-www-form-urlencoded",
            },
        },
        "progress": {
            "label": f"(d) class progress, {counts['students']} students",
            "path": f"/classes/{bench.school_class.pk}/progress/",
            "cookie": teacher_cookie,
        },
        "analysis": {
            "label": "(e) item analysis, one unit",
            "path": (
                f"/classes/{bench.school_class.pk}/units/{bench.analysis_unit.slug}/analysis/"
            ),
            "cookie": teacher_cookie,
        },
    }

    from bench import measure

    results: dict[str, dict] = {name: {} for name in scenarios}
    results["answer"]["posters"] = len({post.cookie for post in posts})
    log("collectstatic")
    collectstatic()
    log("queries per request (in-process, test Client)")
    measure_queries(scenarios, results, query_posts, sessions)

    log(f"gunicorn: {args.workers} workers on 127.0.0.1:{measure.PORT}")
    server = start_gunicorn(args.workers)
    postmaster = measure.postmaster_pid()
    busy = {}

    def quiet(name):
        busy[name] = measure.wait_until_quiet(max_wait=args.wait_quiet, log=log)

    @contextmanager
    def worker_cpu(name, phase):
        before = (
            measure.worker_cpu_seconds(server.pid),
            measure.database_cpu_ticks(postmaster),
            measure.machine_cpu_seconds(),
        )
        yield
        worker = measure.worker_cpu_seconds(server.pid) - before[0]
        database = measure.database_cpu_seconds_since(postmaster, before[1])
        machine = measure.machine_cpu_seconds() - before[2]
        requests = max(1, results[name][phase].requests)
        results[name][f"{phase}_cpu_ms"] = 1000 * worker / requests
        results[name][f"{phase}_database_cpu_ms"] = 1000 * database / requests
        results[name][f"{phase}_machine_cpu_ms"] = 1000 * machine / requests

    try:
        measure.wait_until_up()
        memory_start = measure.worker_memory(server.pid)
        measure_bytes(scenarios, results, bytes_post, sessions)
        for name, scenario in scenarios.items():
            if name == "answer":
                for post in warm_posts:
                    measure.fetch(
                        post.path,
                        method="POST",
                        headers=post_headers(post, sessions),
                        body=post.body,
                    )
                quiet(name)
                run_answer(
                    results,
                    args,
                    post_list,
                    load_count,
                    len(wrk_posts) - load_count,
                    single_duration,
                    sessions,
                    log,
                    worker_cpu,
                )
                continue
            headers = scenario_headers(scenario)
            script = {}
            if scenario.get("method") == "POST":
                script = {"script": "floor_post.lua", "script_args": [scenario["body"]]}
            measure.wrk(
                scenario["path"],
                duration=2,
                connections=2,
                threads=1,
                headers=headers,
                log_name=f"{name}-warmup",
                out=OUT,
                **script,
            )
            quiet(name)
            log(f"{name}: {args.duration:.0f} s at {args.connections} connections")
            with worker_cpu(name, "load"):
                results[name]["load"] = measure.wrk(
                    scenario["path"],
                    duration=args.duration,
                    connections=args.connections,
                    threads=args.threads,
                    headers=headers,
                    log_name=f"{name}-load",
                    out=OUT,
                    **script,
                )
            log(f"{name}: {single_duration:.0f} s, one client")
            results[name]["single"] = measure.wrk(
                scenario["path"],
                duration=single_duration,
                connections=1,
                threads=1,
                headers=headers,
                log_name=f"{name}-single",
                out=OUT,
                **script,
            )
            log(
                f"{name}: {results[name]['load'].rps:.0f} req/s, "
                f"p50 {results[name]['single'].p50_ms:.1f} ms alone"
            )
        quiet("healthz_end")
        log("healthz again, for drift")
        results["healthz"]["load_end"] = measure.wrk(
            "/healthz",
            duration=args.duration,
            connections=args.connections,
            threads=args.threads,
            log_name="healthz-load-end",
            out=OUT,
        )
        cold = {}
        if not args.no_browser:
            for name in ("reading", "progress"):
                log(f"Chromium cold load: {name}")
                cold[name] = measure.cold_load(
                    measure.BASE_URL + scenarios[name]["path"],
                    browser_cookies(scenarios[name]["cookie"]),
                )
                (OUT / f"coldload-{name}.json").write_text(
                    json.dumps(cold[name].__dict__, indent=2, ensure_ascii=False),
                    encoding="utf-8",
                )
        log("readings on: every assigned unit in pinyin and zhuyin, in the three languages")
        read_with_readings(bench.units, reader_cookie)
        memory_end = measure.worker_memory(server.pid)
    finally:
        stop(server)
    results["answer"]["check"] = build.check_load_attempts()
    if not args.no_instructions:
        count_instructions(scenarios, results, callgrind_posts, sessions, log)
    if args.profile:
        profile_pages(scenarios, reserved, sessions, log)

    machine = describe_machine()
    report = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "args": vars(args),
        "database": database_url,
        "counts": counts,
        "build": build_info,
        "reading_unit": reading_unit.slug,
        "analysis_unit": bench.analysis_unit.slug,
        "memory_start": memory_start,
        "memory_end": memory_end,
        "machine": machine,
        "busy": busy,
    }
    (OUT / "results.json").write_text(
        json.dumps(
            {**report, "results": results, "cold": cold},
            default=to_json,
            indent=2,
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    from bench.results import write_results

    goals = write_results(Path(args.results), report, scenarios, results, cold, GOALS)
    log(f"wrote {args.results}")
    for line in goals:
        log(line)
    return 0


def count_instructions(
    scenarios,
    results,
    posts,
    sessions,
    log,
    names=("reading_floor", "reading", "answer_floor", "answer"),
) -> None:
    """Instructions per request of the scenarios named (by default (a′), (b), (c′), (c))
    under callgrind, in-process; "answer" sends ``posts``."""
    from bench import build, instructions

    valgrind = instructions.ensure_valgrind(log)
    if not valgrind:
        return
    names = list(names)
    spec = {
        name: [
            {
                "path": scenarios[name]["path"],
                "method": scenarios[name].get("method", "GET"),
                "body": scenarios[name].get("body", ""),
                "headers": scenario_headers(scenarios[name]),
            }
        ]
        for name in names
        if name != "answer"
    }
    counted = instructions.WARM_UP  # the POSTs after the warm-up's are counted
    spec["answer"] = [
        {
            "path": post.path,
            "method": "POST",
            "body": post.body,
            "headers": post_headers(post, sessions),
            # Sent once before it is counted, then taken back (bench/instructions.py).
            **({"take_back": [post.attempt_id, post.item_id]} if index >= counted else {}),
        }
        for index, post in enumerate(posts)
    ]
    path = OUT / "instructions-spec.json"
    path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    counts = instructions.per_request(
        valgrind, path, names, OUT, lambda: build.unanswer(posts), log
    )
    for name, count in counts.items():
        results[name]["instructions"] = count


def to_json(value):
    return value.__dict__ if hasattr(value, "__dict__") else str(value)


def database_counts(bench) -> dict:
    from classroom.models import Enrollment
    from quizzes.models import Attempt, Item, Response

    students = Enrollment.objects.in_class(bench.school_class)
    return {
        "students": students.count(),
        "units": len(bench.units),
        "items": Item.objects.filter(unit__in=bench.units, archived=False).count(),
        "attempts": Attempt.objects.filter(student__in=students.values("student_id")).count(),
        "responses": Response.objects.filter(
            attempt__student__in=students.values("student_id")
        ).count(),
    }


def longest_unit(units):
    """The assigned unit with the most text: the heaviest reading page."""
    from django.db.models import Sum
    from django.db.models.functions import Length

    from courseware.models import Passage

    sizes = dict(
        Passage.objects.current()
        .filter(unit__in=units)
        .order_by()  # Passage.Meta.ordering would otherwise split the GROUP BY
        .values("unit")
        .annotate(size=Sum(Length("text_zh_hant")) + Sum(Length("text_en")))
        .values_list("unit", "size")
    )
    return max(units, key=lambda unit: sizes.get(unit.pk) or 0)


def read_with_readings(units, cookie: str) -> None:
    """Before the memory is read: every assigned unit with readings above the characters, in
    each interface language, so the workers' RSS includes whatever the readings keep."""
    from bench import measure

    for language in ("zh-hant", "en", "zh-hans"):
        for unit in units:
            for readings in ("pinyin", "zhuyin"):
                size, _body = measure.fetch(
                    f"{unit.get_absolute_url()}?readings={readings}",
                    headers={"Cookie": f"{cookie}; django_language={language}"},
                )
                if size.status != 200:
                    raise RuntimeError(f"{unit.slug} with {readings}: HTTP {size.status}")


def scenario_headers(scenario) -> dict:
    headers = {"Cookie": scenario["cookie"]} if scenario["cookie"] else {}
    return {**headers, **scenario.get("headers", {})}


def post_headers(post, sessions) -> dict:
    return {
        "Cookie": post.cookie,
        "HX-Request": "true",
        "X-CSRFToken": sessions.csrf_token,
        "Content-Type": "application/x-www-form-urlencoded",
    }


def browser_cookies(cookie_header: str) -> list[dict]:
    cookies = []
    for part in cookie_header.split("; "):
        name, value = part.split("=", 1)
        cookies.append({"name": name, "value": value, "domain": "127.0.0.1", "path": "/"})
    return cookies


def measure_queries(scenarios, results, posts, sessions) -> None:
    from django.test import Client

    from bench import measure

    def client(cookie):
        c = Client(SERVER_NAME="127.0.0.1", enforce_csrf_checks=True)
        for part in (cookie or "").split("; "):
            if part:
                name, value = part.split("=", 1)
                c.cookies[name] = value
        return c

    for name, scenario in scenarios.items():
        if name == "answer":

            def make(n, posts=posts):
                post = posts[n]
                return client(post.cookie).generic(
                    "POST",
                    post.path,
                    post.body,
                    content_type="application/x-www-form-urlencoded",
                    HTTP_HX_REQUEST="true",
                    HTTP_X_CSRFTOKEN=sessions.csrf_token,
                )
        elif scenario.get("method") == "POST":

            def make(n, scenario=scenario):
                return client(scenario["cookie"]).generic(
                    "POST",
                    scenario["path"],
                    scenario["body"],
                    content_type="application/x-www-form-urlencoded",
                    HTTP_HX_REQUEST="true",
                    HTTP_X_CSRFTOKEN=sessions.csrf_token,
                )
        else:

            def make(n, scenario=scenario, name=name):
                response = client(scenario["cookie"]).get(scenario["path"])
                if name == "reading":  # what floor (a′) returns, until gunicorn's copy
                    (OUT / "response-reading.html").write_bytes(response.content)
                return response

        queries = measure.count_queries(make)
        results[name]["queries"] = queries
        (OUT / f"queries-{name}.sql").write_text("\n".join(queries.sql) + "\n", encoding="utf-8")


def measure_bytes(scenarios, results, post, sessions) -> None:
    from bench import measure

    for name, scenario in scenarios.items():
        if name == "answer":
            size, body = measure.fetch(
                post.path, method="POST", headers=post_headers(post, sessions), body=post.body
            )
        else:
            size, body = measure.fetch(
                scenario["path"],
                method=scenario.get("method", "GET"),
                headers=scenario_headers(scenario),
                body=scenario.get("body"),
            )
        if size.status != 200:
            raise RuntimeError(f"{name}: HTTP {size.status}\n{body[:2000]!r}")
        results[name]["bytes"] = size
        (OUT / f"response-{name}.html").write_bytes(body)


def run_answer(
    results, args, post_list, load_count, single_count, single_duration, sessions, log, worker_cpu
) -> None:
    from bench import build, measure

    before = build.load_answers_stored()
    log(f"answer: {args.duration:.0f} s at {args.connections} connections")
    threads = min(args.threads, args.connections)
    with worker_cpu("answer", "load"):
        results["answer"]["load"] = measure.wrk(
            "/",
            duration=args.duration,
            connections=args.connections,
            threads=threads,
            script="answer.lua",
            script_args=[str(post_list), "0", str(load_count), str(threads), sessions.csrf_token],
            log_name="answer-load",
            out=OUT,
        )
    middle = build.load_answers_stored()
    log(f"answer: {single_duration:.0f} s, one client")
    results["answer"]["single"] = measure.wrk(
        "/",
        duration=single_duration,
        connections=1,
        threads=1,
        script="answer.lua",
        script_args=[str(post_list), str(load_count), str(single_count), "1", sessions.csrf_token],
        log_name="answer-single",
        out=OUT,
    )
    after = build.load_answers_stored()
    results["answer"]["stored"] = {"load": middle - before, "single": after - middle}
    log(
        f"answer: {results['answer']['load'].rps:.0f} req/s; stored {middle - before} of "
        f"{results['answer']['load'].requests} requests"
    )


def profile_pages(scenarios, reserved, sessions, log) -> None:
    """pyinstrument over 20 requests of each page, in-process; text reports in bench/out."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        log("--profile needs pyinstrument: pip install -r bench/requirements.txt")
        return
    from django.test import Client

    for name, scenario in scenarios.items():
        if name in ("healthz", "answer"):
            continue
        client = Client(SERVER_NAME="127.0.0.1")
        for part in scenario["cookie"].split("; "):
            key, value = part.split("=", 1)
            client.cookies[key] = value
        client.get(scenario["path"])
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(20):
            client.get(scenario["path"])
        profiler.stop()
        (OUT / f"profile-{name}.txt").write_text(
            profiler.output_text(unicode=True, color=False, show_all=False), encoding="utf-8"
        )
        log(f"profile: bench/out/profile-{name}.txt")


def describe_machine() -> dict:
    def read(path):
        try:
            return Path(path).read_text()
        except OSError:
            return ""

    def version(command):
        try:
            run = subprocess.run(command, capture_output=True, text=True, timeout=30)
            return (run.stdout or run.stderr).strip().splitlines()[-1]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "?"

    from importlib.metadata import version as package_version

    import django
    from django.db import connection

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in read("/proc/cpuinfo").splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        (
            int(line.split()[1])
            for line in read("/proc/meminfo").splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    os_release = dict(
        line.split("=", 1) for line in read("/etc/os-release").splitlines() if "=" in line
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("select sqlite_version()")
            database = f"SQLite {cursor.fetchone()[0]}"
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(memory / 1024 / 1024, 1),
        "os": os_release.get("PRETTY_NAME", platform.platform()).strip('"'),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": package_version("gunicorn"),
        "psycopg": package_version("psycopg"),
        "database": database,
        "wrk": version_wrk(),
        "chromium": version(["/usr/bin/chromium", "--version"]),
        "playwright": package_version("playwright"),
    }


def version_wrk() -> str:
    run = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    first = (run.stdout + run.stderr).strip().splitlines()[0]
    return first.split(" Copyright")[0]


if __name__ == "__main__":
    sys.exit(main())
