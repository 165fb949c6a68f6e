"""``python bench/run.py --scaling``: how cost grows with the class.

One class grows through the sizes (30, 300, 1,000, 3,000 students by default; ~500 answers a
student, written as raw rows by ``bench.build.add_students``). At each size, with a fresh
gunicorn: the class page's and item analysis's server p50 (one client) and body bytes, and
the queries of every page (in-process); then, unless ``--no-instructions``, the reading
page's and the answer's instructions per request under callgrind; then a copy of the
database as it is. Once every size is built, the reading page's and the answer POST's
throughput under load and the workers' memory, with every size served at once and the load
going to them in turn (``bench/rounds.py``). Then a log–log fit of each against the class
size, a table and an SVG chart (drawn here, no plotting library) in ``bench/RESULTS.md``.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

SIZES = (30, 300, 1000, 3000)
START, END = "<!-- scaling:start -->", "<!-- scaling:end -->"
GOALS = {
    "flat": 0.10,  # reading and answer throughput within 10 % from the smallest to the largest
    "progress_p50_ms": {1000: 100, 3000: 300},
    "analysis_p50_ms": {1000: 150},
}


def run_scaling(args, log) -> int:
    from bench import run as runner

    if args.database_url == runner.DEFAULT_DATABASE_URL:
        # Its own database: the main run's class stays as it was built.
        args.database_url = runner.DEFAULT_DATABASE_URL + "_scaling"
    if args.rounds < 2 or args.rounds % 2:
        # Growing then shrinking: only whole pairs of rounds give every size the same mean
        # position in time.
        raise SystemExit("--rounds must be even (2 or more)")
    database_url = runner.configure_environment(args)
    log(f"database: {database_url}")
    runner.prepare_database(database_url, fresh=True)
    import django

    django.setup()
    from django.core.management import call_command

    from bench import build, floors, rounds

    log("migrating")
    call_command("migrate", verbosity=0)
    floors.create_table()
    bench = build.setup_class(units=args.units, items_per_unit=args.items_per_unit, log=log)
    runner.collectstatic()
    sizes = [int(size) for size in args.sizes.split(",")]
    rows = []
    snapshots = {}
    have = 0
    try:
        for size in sizes:
            started = time.monotonic()
            build.add_students(bench, size - have, log=log)
            have = size
            built_seconds = time.monotonic() - started
            bench = build.find_class()
            rows.append(measure_size(args, bench, size, built_seconds, log))
            (runner.OUT / "scaling.json").write_text(json.dumps(rows, indent=2), "utf-8")
            snapshots[size] = rounds.take_snapshot(database_url, size, log=log)
        samples = rounds.measure_rounds(args, snapshots, log)
    finally:
        rounds.drop_snapshots(database_url, snapshots)
        rounds.use_database(database_url)
    for row, size in zip(rows, sizes, strict=True):
        for name in ("reading", "answer"):
            row[name].update(samples[size][name])
        row["rss_mb"] = samples[size]["rss_mb"]
    (runner.OUT / "scaling.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    machine = runner.describe_machine()
    write_scaling(Path(args.results), rows, machine, args)
    log(f"wrote the scaling section of {args.results} and bench/scaling.svg")
    for line in goal_lines(rows):
        log(line)
    return 0


def measure_size(args, bench, size, built_seconds, log) -> dict:
    from bench import build, measure
    from bench import run as runner

    counts = runner.database_counts(bench)
    sessions = build.Sessions.new()
    teacher_cookie = sessions.cookie(sessions.session_for(bench.teacher))
    reader_cookie = sessions.cookie(sessions.session_for(bench.reader))
    reading_unit = runner.longest_unit(bench.units)
    reserved_count = runner.RESERVED_POSTS + runner.CALLGRIND_POSTS
    # Several load students' pairs, not only the reserved ones: the query counts want two
    # students answering the same item among the reserved posts.
    pairs = reserved_count + int(args.duration * 3000)
    posts = build.prepare_answer_load(bench, sessions, pairs=pairs, log=log)
    reserved = posts[: runner.RESERVED_POSTS]
    callgrind_posts = posts[runner.RESERVED_POSTS : reserved_count]
    pages = {
        "progress": (f"/classes/{bench.school_class.pk}/progress/", teacher_cookie),
        "analysis": (
            f"/classes/{bench.school_class.pk}/units/{bench.analysis_unit.slug}/analysis/",
            teacher_cookie,
        ),
        "reading": (reading_unit.get_absolute_url(), reader_cookie),
    }
    scenarios = {
        name: {"label": name, "path": path, "cookie": cookie}
        for name, (path, cookie) in pages.items()
    }
    scenarios["answer"] = {"label": "answer", "path": "/quiz/", "cookie": None}
    results = {name: {} for name in scenarios}
    query_posts = [post for post in reserved if post.item_id == reserved[-1].item_id][-2:]
    runner.measure_queries(scenarios, results, query_posts, sessions)
    row = {
        "students": counts["students"],
        "attempts": counts["attempts"],
        "responses": counts["responses"],
        "built_s": round(built_seconds, 1),
        # Their throughput comes later, in rounds over every size (bench/rounds.py).
        "reading": {"queries": results["reading"]["queries"].warm},
        "answer": {"queries": results["answer"]["queries"].warm},
    }
    server = runner.start_gunicorn(args.workers)
    try:
        measure.wait_until_up()
        for post in reserved[:20]:
            measure.fetch(
                post.path,
                method="POST",
                headers=runner.post_headers(post, sessions),
                body=post.body,
            )
        for name in ("progress", "analysis"):
            path, cookie = pages[name]
            # The first request after gunicorn starts: item analysis is computed, not cached.
            started = time.perf_counter()
            size_, _body = measure.fetch(path, headers={"Cookie": cookie})
            first_ms = 1000 * (time.perf_counter() - started)
            if size_.status != 200:
                raise RuntimeError(f"{name}: HTTP {size_.status}")
            measure.wrk(
                path,
                duration=2,
                connections=1,
                threads=1,
                headers={"Cookie": cookie},
                log_name=f"scale{size}-{name}-warmup",
                out=runner.OUT,
            )
            busy = measure.wait_until_quiet(max_wait=args.wait_quiet, log=log)
            cpu = measure.worker_cpu_seconds(server.pid)
            single = measure.wrk(
                path,
                duration=max(5.0, args.duration / 2),
                connections=1,
                threads=1,
                headers={"Cookie": cookie},
                log_name=f"scale{size}-{name}-single",
                out=runner.OUT,
            )
            cpu = measure.worker_cpu_seconds(server.pid) - cpu
            row[name] = {
                "p50_ms": single.p50_ms,
                "first_ms": first_ms,
                # Worker CPU time per request: less moved by other tenants than the p50.
                "cpu_ms": 1000 * cpu / max(1, single.requests),
                "p99_ms": single.p99_ms,
                "requests": single.requests,
                "body_bytes": size_.body_bytes,
                "queries": results[name]["queries"].warm,
                "queries_cold": results[name]["queries"].cold,
                "busy": busy,
            }
            log(f"{size}: {name} p50 {single.p50_ms:.1f} ms, {size_.body_bytes:,} B")
    finally:
        runner.stop(server)
    if not args.no_instructions:
        # The steadier figure for "flat": it does not move with the machine's other tenants,
        # which move the req/s of one size against another by a third on this VM.
        try:
            runner.count_instructions(
                scenarios, results, callgrind_posts, sessions, log, names=("reading", "answer")
            )
        except (RuntimeError, SystemExit) as error:
            # This size's other figures, and the larger sizes, are still worth having.
            log(f"{size}: no instruction counts ({error})")
        for name in ("reading", "answer"):
            if "instructions" in results[name]:
                row[name]["instructions"] = results[name]["instructions"]
    return row


# ---------------------------------------------------------------------------------------
# The fit, the table, the chart


def slope(xs, ys) -> float | None:
    """Least-squares slope of log y against log x: 1 grows in proportion, 0 stays flat."""
    points = [(math.log(x), math.log(y)) for x, y in zip(xs, ys, strict=True) if x > 0 and y > 0]
    if len(points) < 2:
        return None
    mx = sum(p[0] for p in points) / len(points)
    my = sum(p[1] for p in points) / len(points)
    sxx = sum((p[0] - mx) ** 2 for p in points)
    return sum((p[0] - mx) * (p[1] - my) for p in points) / sxx if sxx else None


SERIES = [
    ("class page p50 (ms)", lambda row: row["progress"]["p50_ms"], "#b3261e"),
    ("class page worker CPU (ms)", lambda row: row["progress"].get("cpu_ms", 0), "#e57373"),
    ("item analysis p50 (ms)", lambda row: row["analysis"]["p50_ms"], "#1f5fa8"),
    ("item analysis worker CPU (ms)", lambda row: row["analysis"].get("cpu_ms", 0), "#64b5f6"),
    ("class page body (KB)", lambda row: row["progress"]["body_bytes"] / 1000, "#7a4fa0"),
    ("reading page (req/s)", lambda row: row["reading"]["rps"], "#2e7d32"),
    ("answer POST (req/s)", lambda row: row["answer"]["rps"], "#b8860b"),
    ("reading CPU per request (ms)", lambda row: row["reading"].get("cpu_ms", 0), "#66bb6a"),
    ("answer CPU per request (ms)", lambda row: row["answer"].get("cpu_ms", 0), "#e0b040"),
]


def chart_svg(rows) -> str:
    """A log–log chart of every series against the class size, as plain SVG."""
    width, height, left, right, top, bottom = 940, 440, 70, 360, 30, 50
    xs = [row["students"] for row in rows]
    values = [v for _label, get, _c in SERIES for v in (get(row) for row in rows) if v > 0]
    x0, x1 = math.log10(min(xs)), math.log10(max(xs))
    y0 = math.floor(math.log10(min(values)))
    y1 = math.ceil(math.log10(max(values)))
    plot_w, plot_h = width - left - right, height - top - bottom

    def px(x):
        return left + (math.log10(x) - x0) / ((x1 - x0) or 1) * plot_w

    def py(y):
        return top + plot_h - (math.log10(y) - y0) / ((y1 - y0) or 1) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
        "<title>How cost grows with the class size (log–log)</title>",
        f'<rect width="{width}" height="{height}" fill="#fff"/>',
    ]
    for power in range(y0, y1 + 1):
        y = py(10**power)
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{10**power:g}</text>'
        )
    for x in xs:
        parts.append(
            f'<line x1="{px(x):.1f}" x2="{px(x):.1f}" y1="{top}" y2="{top + plot_h}" '
            f'stroke="#eee"/><text x="{px(x):.1f}" y="{top + plot_h + 18}" '
            f'text-anchor="middle">{x:,}</text>'
        )
    parts.append(
        f'<text x="{left + plot_w / 2}" y="{height - 10}" text-anchor="middle">'
        "students in the class (log scale)</text>"
    )
    for index, (label, get, colour) in enumerate(SERIES):
        points = [(px(row["students"]), py(get(row))) for row in rows if get(row) > 0]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in points]
        fit = slope([row["students"] for row in rows], [get(row) for row in rows]) or 0.0
        ly = top + 10 + index * 22
        parts.append(
            f'<line x1="{width - right + 12}" x2="{width - right + 32}" y1="{ly}" y2="{ly}" '
            f'stroke="{colour}" stroke-width="3"/><text x="{width - right + 38}" y="{ly + 4}">'
            f"{label}, slope {fit:+.2f}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def paired_goal(rows, name: str, label: str) -> tuple[str, str, str, bool]:
    """Every size against the smallest, on the pairs of slices of one round. Met only when
    every size's whole 95 % interval is inside the goal (the slices of one size spread by a
    fifth on this VM, more than the sizes differ), every slice has its pair, and no slice
    had an error or a double submit (either would flatter the req/s)."""
    from bench import rounds

    first = rows[0]
    baseline = first[name]["slices"]
    ok, parts = True, []
    for row in rows[1:]:
        slices = row[name].get("slices", [])
        paired = rounds.paired_change(slices, baseline)
        clean = all(not piece["errors"] and not piece["wrapped"] for piece in slices + baseline)
        if not paired or paired["pairs"] < max(len(slices), len(baseline)) or not clean:
            ok = False
            parts.append(f"{row['students']:,}: not comparable")
            continue
        ok = ok and -GOALS["flat"] <= paired["low"] and paired["high"] <= GOALS["flat"]
        parts.append(
            f"{row['students']:,}: {paired['change']:+.1%} ({paired['low']:+.1%} to "
            f"{paired['high']:+.1%})"
        )
    last = rows[-1]
    return (
        f"{label} throughput flat from {first['students']:,} to {last['students']:,}: each size "
        f"against {first['students']:,} on the pairs of slices of one round, 95 % interval",
        f"within ±{GOALS['flat']:.0%}",
        "; ".join(parts)
        + f" ({len(baseline)} pairs; {first[name]['rps']:,.0f} → {last[name]['rps']:,.0f} req/s)",
        ok,
    )


def goal_rows(rows) -> list[tuple[str, str, str, bool]]:
    by_size = {row["students"]: row for row in rows}
    first, last = rows[0], rows[-1]
    goals = []
    for name, label in (("reading", "Reading page"), ("answer", "Answer POST")):
        if first[name].get("slices"):
            goals.append(paired_goal(rows, name, label))
            continue
        change = last[name]["rps"] / first[name]["rps"] - 1 if first[name]["rps"] else 0
        goals.append(
            (
                f"{label} throughput flat from {first['students']:,} to {last['students']:,}",
                f"within ±{GOALS['flat']:.0%}",
                f"{first[name]['rps']:,.0f} → {last[name]['rps']:,.0f} req/s ({change:+.0%})",
                abs(change) <= GOALS["flat"],
            )
        )
    for name, label in (("reading", "Reading page"), ("answer", "Answer POST")):
        if first[name].get("cpu_ms") and last[name].get("cpu_ms"):
            change = last[name]["cpu_ms"] / first[name]["cpu_ms"] - 1
            goals.append(
                (
                    f"{label} worker CPU per request flat (steadier than req/s here)",
                    f"within ±{GOALS['flat']:.0%}",
                    f"{first[name]['cpu_ms']:.1f} → {last[name]['cpu_ms']:.1f} ms ({change:+.0%})",
                    abs(change) <= GOALS["flat"],
                )
            )
    for name, label in (("reading", "Reading page"), ("answer", "Answer POST")):
        counts = [row[name].get("instructions") for row in rows]
        if all(counts):
            # Every size against the smallest, not only the last: a bump between counts too.
            change = max(counts, key=lambda count: abs(count / counts[0] - 1)) / counts[0] - 1
            goals.append(
                (
                    f"{label} instructions per request flat at every size (callgrind: not "
                    "moved by the machine's other tenants)",
                    f"within ±{GOALS['flat']:.0%}",
                    " / ".join(f"{count / 1e6:.1f} M" for count in counts)
                    + f" (largest change {change:+.1%})",
                    abs(change) <= GOALS["flat"],
                )
            )
    for name, label, key in (
        ("progress", "Class page (first page of 100 students) p50", "progress_p50_ms"),
        ("analysis", "Item analysis p50", "analysis_p50_ms"),
    ):
        for size, limit in GOALS[key].items():
            if size in by_size:
                p50 = by_size[size][name]["p50_ms"]
                goals.append(
                    (
                        f"{label} at {size:,} students",
                        f"≤ {limit} ms",
                        f"{p50:,.1f} ms",
                        p50 <= limit,
                    )
                )
    for name, label in (
        ("progress", "class page"),
        ("analysis", "item analysis"),
        ("reading", "reading page"),
        ("answer", "answer POST"),
    ):
        counts = sorted({row[name]["queries"] for row in rows})
        goals.append(
            (
                f"Queries of the {label} constant across sizes",
                "the same at every size",
                " / ".join(str(row[name]["queries"]) for row in rows),
                len(counts) == 1,
            )
        )
    return goals


def _slicing(rows, args) -> str:
    """How the run sliced its loads, read off its data (a section rewritten from an older
    run's JSON describes that run, not today's defaults)."""
    slices = rows[0]["reading"].get("slices")
    if not slices:
        return f"{args.duration:.0f} s a size"
    seconds = round(sum(piece["seconds"] for piece in slices))
    return f"{seconds} s a size in {len(slices)} slices of {seconds / len(slices):.0f} s"


def _load(figures: dict) -> str:
    """A load's cell: the req/s over all its slices, the slices' range, then per request the
    workers' CPU, PostgreSQL's CPU and the instructions."""
    rounds = figures.get("rounds") or [figures["rps"]]
    spread = f" ({min(rounds):,.0f}–{max(rounds):,.0f})" if len(rounds) > 1 else ""
    costs = [f"{figures['cpu_ms']:.1f} ms"]
    if "database_cpu_ms" in figures:
        costs.append(f"PG {figures['database_cpu_ms']:.2f} ms")
    if figures.get("instructions"):
        costs.append(f"{figures['instructions'] / 1e6:.1f} M")
    return f"{figures['rps']:,.0f}{spread}; {', '.join(costs)}"


def goal_lines(rows) -> list[str]:
    return [
        f"{goal}: {measured} ({'met' if ok else 'MISSED'})"
        for goal, _target, measured, ok in goal_rows(rows)
    ]


def scaling_markdown(rows, machine, args) -> str:
    from datetime import UTC, datetime

    lines = [
        START,
        "## How cost grows with the class (`python bench/run.py --scaling`)",
        "",
        f"Written on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {machine['cpus']} × "
        f"{machine['cpu']}, {machine['database']}, gunicorn {args.workers} sync workers, "
        "local-memory cache. One class grows through the sizes (8 assigned units of 32 items, "
        "1–3 finished attempts per student and unit answering every item: ~500 answers a "
        "student, raw rows by `bench.build.add_students`); at each size a fresh gunicorn for the "
        "class page and item analysis. "
        "p50: one client (`wrk -c1`, the server's own time), and in brackets the gunicorn "
        "workers' CPU time per request over the same run (`/proc`; less moved by the other "
        "tenants than the p50); throughput: "
        f"{args.connections} connections, {_slicing(rows, args)}, every size with its own "
        "gunicorn over a copy of its database at once, the slices going to the sizes in turn "
        "and the order reversed each round (`bench/rounds.py`): all the slices' requests over "
        "their seconds, and in brackets the slices' lowest and highest (the goals compare "
        "each size with the smallest by the pairs of slices of one round: their mean ratio "
        "and its 95 % interval); "
        "per request, the workers' CPU time, PostgreSQL's (its processes in `/proc`) and the "
        "workers' instructions (callgrind, one request at a time); queries: in-process, "
        "warm; body: as sent with gzip accepted. The machine is shared (2 cores, six "
        "people's work): the CPUs' business before each measurement is in `bench/out/"
        "scaling.json`; instruction counts (the main run's above, and the reading page's and the "
        "answer's in this table) are the steadier comparison.",
        "",
        "| students | answers | build | class page p50 (CPU) | class page queries | "
        "class page body | item analysis p50 (CPU) | first, uncached | analysis queries | "
        "analysis body | reading req/s (slices); worker CPU, PG CPU, instructions per request | "
        "answer req/s (slices); worker CPU, PG CPU, instructions per request "
        "| worker RSS |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['students']:,} | {row['responses']:,} | {row['built_s']:.0f} s | "
            f"{row['progress']['p50_ms']:,.1f} ms ({row['progress']['cpu_ms']:,.1f}) | "
            f"{row['progress']['queries']} | "
            f"{row['progress']['body_bytes'] / 1000:,.1f} KB | "
            f"{row['analysis']['p50_ms']:,.1f} ms ({row['analysis']['cpu_ms']:,.1f}) | "
            f"{row['analysis']['first_ms']:,.0f} ms | {row['analysis']['queries']} | "
            f"{row['analysis']['body_bytes'] / 1000:,.1f} KB | {_load(row['reading'])} | "
            f"{_load(row['answer'])} | {row['rss_mb']:.0f} MB |"
        )
    xs = [row["students"] for row in rows]
    lines += [
        "",
        "Growth, the slope of log(value) against log(students) (1: in proportion to the "
        "class; 0: flat):",
        "",
        "| | slope |",
        "|---|---:|",
    ]
    for label, get, _colour in SERIES:
        fit = slope(xs, [get(row) for row in rows])
        lines.append(f"| {label} | {fit:+.2f} |" if fit is not None else f"| {label} | – |")
    lines += [
        "",
        "![How cost grows with the class, log–log](scaling.svg)",
        "",
        "| goal | target | measured | |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {goal} | {target} | {measured} | {'✅ met' if ok else '❌ missed'} |"
        for goal, target, measured, ok in goal_rows(rows)
    ]
    lines += ["", END, ""]
    return "\n".join(lines)


def rewrite_from_json(path: Path, scaling_json: Path) -> None:
    """The section and the chart again from a run's ``bench/out/scaling.json`` (no rerun)."""
    from bench import run as runner

    runner.configure_environment(runner.parse_args([]))
    import django

    django.setup()
    rows = json.loads(scaling_json.read_text(encoding="utf-8"))
    # The section states the run's options: a run with other options than the defaults
    # is described by rerunning it, not by this.
    args = runner.parse_args([])
    write_scaling(path, rows, runner.describe_machine(), args)


def write_scaling(path: Path, rows, machine, args) -> None:
    """The scaling section replaces its earlier self below the analysis marker (which the
    main run keeps), or goes just below the marker the first time."""
    from bench.results import ANALYSIS_MARKER

    (path.parent / "scaling.svg").write_text(chart_svg(rows), encoding="utf-8")
    section = scaling_markdown(rows, machine, args)
    text = path.read_text(encoding="utf-8") if path.exists() else ANALYSIS_MARKER + "\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1].lstrip("\n")
        text = before + section + after
    elif ANALYSIS_MARKER in text:
        head, tail = text.split(ANALYSIS_MARKER, 1)
        text = head + ANALYSIS_MARKER + "\n" + section + tail.lstrip("\n")
    else:
        text += "\n" + ANALYSIS_MARKER + "\n" + section
    path.write_text(text, encoding="utf-8")
