"""The reading page's and the answer POST's throughput at each class size of ``--scaling``, in
short slices alternating between the sizes.

On this shared 2-core VM the same load on the same database moves by a fifth from one minute
to the next. Measured once per size, in growing order, that drift reads as growth with the
class (or hides it); a run of 2026-12-04 measured 440 and then 333 req/s on the same size a
minute apart, and four rounds of 40 s a size still left the sizes' medians 10 % apart, in
favour of the largest. So each size's database is kept (a PostgreSQL template copy, taken as
the size is reached), every size gets its own gunicorn at once, on its own port, and the load
goes to them in turn in slices of a few seconds, the order reversed each round (30 → 3,000,
then 3,000 → 30, …): the sizes are measured within seconds of each other, all through the
run. A size's figure is its slices' requests over their seconds. Its difference from the smallest
size is judged on the pairs of slices of the same round, seconds apart: the mean ratio and
its 95 % interval (``paired_change``), so that the goal "flat within 10 %" is met only when
the whole interval is inside it.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

WARM_POSTS = 20
FIRST_PORT = 8151


@dataclass
class LoadCosts:
    """What a slice used: the gunicorn workers' CPU, PostgreSQL's, and the CPU time the
    hypervisor gave to other guests (steal). When req/s moves between sizes with the
    instructions unchanged, these tell the app's cost from the machine's."""

    master_pid: int
    postmaster: int | None
    worker: float
    database: dict
    steal: float

    @classmethod
    def start(cls, master_pid: int, postmaster: int | None) -> LoadCosts:
        from bench import measure

        return cls(
            master_pid,
            postmaster,
            measure.worker_cpu_seconds(master_pid),
            measure.database_cpu_ticks(postmaster),
            measure.steal_seconds(),
        )

    def used(self) -> dict:
        from bench import measure

        return {
            "worker_s": measure.worker_cpu_seconds(self.master_pid) - self.worker,
            # All of the server's processes: the other sizes' idle backends and autovacuum too.
            "database_s": (
                measure.database_cpu_seconds_since(self.postmaster, self.database)
                if self.postmaster
                else None
            ),
            "steal_s": measure.steal_seconds() - self.steal,
        }


@dataclass
class SizeServer:
    """One class size's gunicorn, on its own port over the size's copy, and its loads."""

    size: int
    port: int
    process: object
    reading_path: str
    reader_cookie: str
    post_lines: list
    csrf_token: str
    next_post: int = 0
    warm_posts: list = field(default_factory=list)
    slices: dict = field(default_factory=lambda: {"reading": [], "answer": []})


def snapshot_name(database_url: str, size: int) -> str:
    import dj_database_url

    return f"{dj_database_url.parse(database_url)['NAME']}_{size}"


def take_snapshot(database_url: str, size: int, *, log) -> str:
    """A copy of the benchmark's database as it is now (``CREATE DATABASE … TEMPLATE``), for
    the rounds; returns its URL. The source must have no other connection while it is copied:
    Django's is closed here; an autovacuum worker or another session on it is retried for."""
    import dj_database_url
    import psycopg
    from django.db import connection, connections
    from psycopg import sql

    from bench.run import admin_connection

    # The same physical state at every size: the rows just bulk-written are vacuumed (the
    # copy's counters start at zero, so autovacuum would not come for them there).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    connections.close_all()
    source = dj_database_url.parse(database_url)["NAME"]
    name = snapshot_name(database_url, size)
    started = time.monotonic()
    with admin_connection(database_url) as admin:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        admin.execute(drop.format(sql.Identifier(name)))
        for attempt in range(30):
            try:
                admin.execute(
                    sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                        sql.Identifier(name), sql.Identifier(source)
                    )
                )
                break
            except psycopg.errors.ObjectInUse:
                if attempt == 29:
                    raise
                time.sleep(1)
    log(f"{size}: database copied to {name} in {time.monotonic() - started:.1f} s")
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def drop_snapshots(database_url: str, sizes) -> None:
    from django.db import connections
    from psycopg import sql

    from bench.run import admin_connection

    connections.close_all()
    with admin_connection(database_url) as admin:
        for size in sizes:
            name = snapshot_name(database_url, size)
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def use_database(database_url: str) -> None:
    """Point this process (the ORM) and the gunicorns it starts next at ``database_url``."""
    import os

    import dj_database_url
    from django.db import connections

    connections.close_all()
    os.environ["DATABASE_URL"] = database_url
    connections["default"].settings_dict["NAME"] = dj_database_url.parse(database_url)["NAME"]


def round_orders(sizes, rounds: int) -> list[list[int]]:
    """Growing, then shrinking, then growing…: over an even number of rounds every size has
    the same mean position in time."""
    return [list(sizes) if index % 2 == 0 else list(reversed(sizes)) for index in range(rounds)]


def measure_rounds(args, snapshots: dict[int, str], log) -> dict[int, dict]:
    """Every size's gunicorn at once; then ``args.rounds`` rounds, each a reading slice and an
    answer slice at every size in turn. Returns each size's summary of both loads, and its
    workers' RSS at the end."""
    from bench import measure
    from bench import run as runner

    postmaster = None
    servers: dict[int, SizeServer] = {}
    seconds = slice_seconds(args)
    try:
        for index, (size, url) in enumerate(snapshots.items()):
            use_database(url)
            postmaster = postmaster or measure.postmaster_pid()
            servers[size] = start_server(args, size, url, FIRST_PORT + index)
        for server in servers.values():
            warm_up(server)
        started = time.monotonic()
        for index, order in enumerate(round_orders(list(servers), args.rounds)):
            busy = measure.wait_until_quiet(max_wait=args.wait_quiet, log=log)
            for name in ("reading", "answer"):
                for size in order:
                    server = servers[size]
                    at_s = time.monotonic() - started
                    figures = run_slice(args, server, name, seconds, postmaster, f"r{index + 1}")
                    server.slices[name].append(
                        {"round": index + 1, "at_s": round(at_s, 1), "busy": busy, **figures}
                    )
            log(
                f"round {index + 1}: "
                + ", ".join(
                    f"{size} {servers[size].slices['reading'][-1]['rps']:.0f}"
                    f"/{servers[size].slices['answer'][-1]['rps']:.0f}"
                    for size in order
                )
                + " req/s (reading/answer)"
            )
        return {
            size: {
                "reading": summarise(server.slices["reading"]),
                "answer": summarise(server.slices["answer"]),
                "rss_mb": max(
                    (worker["rss_mb"] for worker in measure.worker_memory(server.process.pid)),
                    default=0.0,
                ),
            }
            for size, server in servers.items()
        }
    finally:
        for server in servers.values():
            runner.stop(server.process)


def slice_seconds(args) -> int:
    """Twice ``--duration`` shared out over ``--rounds`` slices, but at least two seconds a
    slice (wrk counts whole seconds): the default 30 rounds make 2 s slices, 60 s a load and
    size."""
    return max(2, round(2 * args.duration / args.rounds))


def start_server(args, size: int, database_url: str, port: int) -> SizeServer:
    """The size's load, prepared in its copy (the reader's session, fresh open attempts for
    the load's students and their POSTs in a list of the size's own), and its gunicorn."""
    from bench import build
    from bench import run as runner

    bench = build.find_class()
    sessions = build.Sessions.new()
    posts = build.prepare_answer_load(
        bench, sessions, pairs=answer_posts_needed(args), log=lambda _message: None
    )
    warm_posts = [
        (post.path, runner.post_headers(post, sessions), post.body) for post in posts[:WARM_POSTS]
    ]
    reading_path = runner.longest_unit(bench.units).get_absolute_url()
    reader_cookie = sessions.cookie(sessions.session_for(bench.reader))
    return SizeServer(
        size=size,
        port=port,
        process=runner.start_gunicorn(args.workers, port=port, database_url=database_url),
        reading_path=reading_path,
        reader_cookie=reader_cookie,
        post_lines=[post.list_line for post in posts],
        csrf_token=sessions.csrf_token,
        next_post=WARM_POSTS,
        warm_posts=warm_posts,
    )


# Answers a second the list is sized for: three times the fastest this VM has served.
ANSWER_RATE_ROOM = 1500


def answer_posts_per_slice(args) -> int:
    return slice_seconds(args) * ANSWER_RATE_ROOM + SLICE_MARGIN_PER_CONNECTION * (args.connections)


def answer_posts_needed(args) -> int:
    """Every answer slice at one size its own unanswered pairs, with the margin each slice
    skips (``next_answer_post``), so that no request is a double submit (which stores
    nothing and would flatter the req/s)."""
    return WARM_POSTS + args.rounds * answer_posts_per_slice(args)


# wrk's threads take the list's lines in turn and need not keep pace with each other: the
# next slice starts this far past the requests sent, off the lines the faster thread used.
SLICE_MARGIN_PER_CONNECTION = 100


def next_answer_post(first: int, requests: int, connections: int) -> int:
    return first + requests + SLICE_MARGIN_PER_CONNECTION * connections


def warm_up(server: SizeServer) -> None:
    from bench import measure
    from bench import run as runner

    measure.wait_until_up(port=server.port)
    if server.process.poll() is not None:
        # Something else answered on the port: this size's gunicorn could not bind it.
        raise RuntimeError(f"gunicorn for {server.size} students exited: port {server.port}")
    for path, headers, body in server.warm_posts:
        measure.fetch(path, method="POST", headers=headers, body=body, port=server.port)
    measure.wrk(
        server.reading_path,
        duration=2,
        connections=2,
        threads=1,
        headers={"Cookie": server.reader_cookie},
        log_name=f"scale{server.size}-reading-warmup",
        out=runner.OUT,
        port=server.port,
    )


def run_slice(args, server: SizeServer, name: str, seconds: int, postmaster, tag: str) -> dict:
    """One slice of one load at one size: wrk for ``seconds``, and what it used."""
    from bench import measure
    from bench import run as runner

    costs = LoadCosts.start(server.process.pid, postmaster)
    if name == "reading":
        load = measure.wrk(
            server.reading_path,
            duration=seconds,
            connections=args.connections,
            threads=args.threads,
            headers={"Cookie": server.reader_cookie},
            log_name=f"scale{server.size}-{tag}-reading",
            out=runner.OUT,
            port=server.port,
        )
    else:
        threads = min(args.threads, args.connections)
        # Only this slice's lines in the file: wrk runs each thread's init (which reads the
        # list) before starting the next thread and its clock after the last, so a long list
        # would give the first thread a head start that counts in the slice.
        lines = server.post_lines[server.next_post :][: answer_posts_per_slice(args)]
        if len(lines) < answer_posts_per_slice(args):
            raise RuntimeError(f"{server.size}: the answer list ran out ({len(lines)} left)")
        post_list = runner.OUT / f"answer-posts-{server.size}-slice.tsv"
        post_list.write_text("".join(lines), encoding="utf-8")
        load = measure.wrk(
            "/",
            duration=seconds,
            connections=args.connections,
            threads=threads,
            script="answer.lua",
            script_args=[
                str(post_list),
                "0",
                str(len(lines)),
                str(threads),
                server.csrf_token,
            ],
            log_name=f"scale{server.size}-{tag}-answer",
            out=runner.OUT,
            port=server.port,
        )
        server.next_post = next_answer_post(server.next_post, load.requests, args.connections)
    return {
        "rps": load.rps,
        "requests": load.requests,
        "seconds": load.seconds,
        "p50_ms": load.p50_ms,
        "errors": load.error_count,
        "wrapped": load.wrapped,
        **costs.used(),
    }


def summarise(slices: list[dict]) -> dict:
    """A size's figures for one load: its slices' requests over their seconds, the CPU per
    request over all of them, every slice's req/s beside them, the errors and double submits
    summed, the busiest machine and the steal's share of the CPUs' time."""
    import statistics

    requests = sum(piece["requests"] for piece in slices)
    seconds = sum(piece["seconds"] for piece in slices)
    cpus = os.cpu_count() or 1
    database = [piece["database_s"] for piece in slices]
    summary = {
        "rps": requests / seconds if seconds else 0.0,
        "cpu_ms": 1000 * sum(piece["worker_s"] for piece in slices) / max(1, requests),
        "steal": sum(piece["steal_s"] for piece in slices) / (cpus * seconds) if seconds else 0.0,
        "p50_ms": statistics.median(piece["p50_ms"] for piece in slices),
        "rounds": [piece["rps"] for piece in slices],
        "errors": sum(piece["errors"] for piece in slices),
        "wrapped": sum(piece["wrapped"] for piece in slices),
        "busy": max(piece["busy"] for piece in slices),
        "slices": slices,
    }
    if None not in database:
        summary["database_cpu_ms"] = 1000 * sum(database) / max(1, requests)
    return summary


# Student's t at 97.5 % for 1–30 degrees of freedom (beyond: 30's, a little wide).
T_975 = (12.71, 4.30, 3.18, 2.78, 2.57, 2.45, 2.36, 2.31, 2.26, 2.23, 2.20, 2.18, 2.16, 2.14)
T_975 += (2.13, 2.12, 2.11, 2.10, 2.09, 2.09, 2.08, 2.07, 2.07, 2.06, 2.06, 2.06, 2.05, 2.05)
T_975 += (2.05, 2.04)


def paired_change(slices: list[dict], baseline: list[dict]) -> dict | None:
    """How a size's req/s differs from the smallest size's, from the pairs of slices of the
    same round (seconds apart, so sharing the machine's drift): the geometric mean of the
    ratios, and its 95 % interval (Student's t on the log ratios). None with fewer than two
    pairs."""
    import math
    import statistics

    by_round = {piece["round"]: piece["rps"] for piece in baseline}
    logs = [
        math.log(piece["rps"] / by_round[piece["round"]])
        for piece in slices
        if by_round.get(piece["round"]) and piece["rps"]
    ]
    if len(logs) < 2:
        return None
    mean = statistics.mean(logs)
    degrees = len(logs) - 1
    t = T_975[min(degrees, len(T_975)) - 1]
    half = t * statistics.stdev(logs) / math.sqrt(len(logs))
    return {
        "pairs": len(logs),
        "change": math.exp(mean) - 1,
        "low": math.exp(mean - half) - 1,
        "high": math.exp(mean + half) - 1,
    }
