"""The reading page's and the answer POST's throughput at each class size of ``--scaling``, in
rounds over copies of each size's database.

On this shared 2-core VM the same load on the same database moves by a fifth from one minute
to the next. Measured once per size, in growing order, that drift reads as growth with the
class (or hides it). So each size's database is kept (a PostgreSQL template copy, taken as the
size is reached), and the loads run in rounds over all the sizes, the order reversed every
round (30 → 3,000, then 3,000 → 30, …): each size is measured early and late alike. A size's
figure is the median of its rounds; every round's figure is kept beside it, so the spread of
one size can be set against the difference between sizes.
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass

WARM_POSTS = 20


@dataclass
class LoadCosts:
    """Where a load's time went, per request: the gunicorn workers' CPU, PostgreSQL's, and the
    share of the run the hypervisor gave to other guests (steal). When req/s moves between
    sizes with the instructions unchanged, these tell the app's cost from the machine's."""

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

    def per_request(self, requests: int, seconds: float) -> dict:
        from bench import measure

        worker = measure.worker_cpu_seconds(self.master_pid) - self.worker
        database = measure.database_cpu_seconds_since(self.postmaster, self.database)
        steal = measure.steal_seconds() - self.steal
        cpus = os.cpu_count() or 1
        return {
            "cpu_ms": 1000 * worker / max(1, requests),
            "database_cpu_ms": 1000 * database / max(1, requests),
            "steal": steal / (cpus * seconds) if seconds else 0.0,
        }


def snapshot_name(database_url: str, size: int) -> str:
    import dj_database_url

    return f"{dj_database_url.parse(database_url)['NAME']}_{size}"


def _admin_connection(database_url: str):
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


def take_snapshot(database_url: str, size: int, *, log) -> str:
    """A copy of the benchmark's database as it is now (``CREATE DATABASE … TEMPLATE``), for
    the rounds; returns its URL. The source must have no other connection while it is copied:
    Django's is closed here, and autovacuum's, which can come at any moment, is waited out."""
    import psycopg
    from django.db import connections
    from psycopg import sql

    connections.close_all()
    source = snapshot_name(database_url, size).rsplit("_", 1)[0]
    name = snapshot_name(database_url, size)
    started = time.monotonic()
    with _admin_connection(database_url) as admin:
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
    return database_url.rsplit("/", 1)[0] + "/" + name


def drop_snapshots(database_url: str, sizes) -> None:
    from django.db import connections
    from psycopg import sql

    connections.close_all()
    with _admin_connection(database_url) as admin:
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


def measure_rounds(args, snapshots: dict[int, str], log) -> dict[int, list[dict]]:
    """Every size's loads, once a round; returns each size's rounds in the order they ran."""
    samples: dict[int, list[dict]] = {size: [] for size in snapshots}
    started = time.monotonic()
    for index, order in enumerate(round_orders(list(snapshots), args.rounds)):
        for size in order:
            use_database(snapshots[size])
            # When it ran: a drift with time shows against this, whatever the size.
            at_s = time.monotonic() - started
            sample = {"round": index + 1, "at_s": round(at_s, 1)}
            sample.update(measure_once(args, size, index, log))
            samples[size].append(sample)
            log(
                f"round {index + 1}, {size}: reading {sample['reading']['rps']:.0f} req/s, "
                f"answer {sample['answer']['rps']:.0f} req/s"
            )
    return samples


def measure_once(args, size: int, round_index: int, log) -> dict:
    """One round at one size: a fresh gunicorn on the size's copy; the reading page under
    load, then the answer POST under load (fresh open attempts for the load's students)."""
    from bench import build, measure
    from bench import run as runner

    bench = build.find_class()
    sessions = build.Sessions.new()
    reader_cookie = sessions.cookie(sessions.session_for(bench.reader))
    reading_path = runner.longest_unit(bench.units).get_absolute_url()
    posts = build.prepare_answer_load(
        bench, sessions, pairs=WARM_POSTS + int(args.duration * 3000), log=lambda _message: None
    )
    warm, wrk_posts = posts[:WARM_POSTS], posts[WARM_POSTS:]
    post_list = runner.OUT / "answer-posts.tsv"
    post_list.write_text(
        "".join(f"{post.path}\t{post.body}\t{post.cookie}\n" for post in wrk_posts),
        encoding="utf-8",
    )
    tag = f"scale{size}-round{round_index + 1}"
    postmaster = measure.postmaster_pid()
    server = runner.start_gunicorn(args.workers)
    sample = {}
    try:
        measure.wait_until_up()
        for post in warm:
            headers = runner.post_headers(post, sessions)
            measure.fetch(post.path, method="POST", headers=headers, body=post.body)
        measure.wrk(
            reading_path,
            duration=2,
            connections=2,
            threads=1,
            headers={"Cookie": reader_cookie},
            log_name=f"{tag}-reading-warmup",
            out=runner.OUT,
        )
        busy = measure.wait_until_quiet(max_wait=args.wait_quiet, log=log)
        costs = LoadCosts.start(server.pid, postmaster)
        load = measure.wrk(
            reading_path,
            duration=args.duration,
            connections=args.connections,
            threads=args.threads,
            headers={"Cookie": reader_cookie},
            log_name=f"{tag}-reading-load",
            out=runner.OUT,
        )
        sample["reading"] = {
            "rps": load.rps,
            **costs.per_request(load.requests, load.seconds),
            "p50_ms": load.p50_ms,
            "errors": load.error_count,
            "busy": busy,
        }
        busy = measure.wait_until_quiet(max_wait=args.wait_quiet, log=log)
        threads = min(args.threads, args.connections)
        costs = LoadCosts.start(server.pid, postmaster)
        load = measure.wrk(
            "/",
            duration=args.duration,
            connections=args.connections,
            threads=threads,
            script="answer.lua",
            script_args=[
                str(post_list),
                "0",
                str(len(wrk_posts)),
                str(threads),
                sessions.csrf_token,
            ],
            log_name=f"{tag}-answer-load",
            out=runner.OUT,
        )
        sample["answer"] = {
            "rps": load.rps,
            **costs.per_request(load.requests, load.seconds),
            "p50_ms": load.p50_ms,
            "errors": load.error_count,
            "wrapped": load.wrapped,
            "busy": busy,
        }
        sample["rss_mb"] = max(
            (worker["rss_mb"] for worker in measure.worker_memory(server.pid)), default=0.0
        )
    finally:
        runner.stop(server)
    return sample


def summarise(samples: list[dict], name: str) -> dict:
    """A size's figures for one load: the median of its rounds, every round's req/s beside it,
    the errors and wrapped lists summed, the busiest machine and the most steal seen."""
    rounds = [sample[name] for sample in samples]
    summary = {
        key: statistics.median(figures[key] for figures in rounds)
        for key in ("rps", "cpu_ms", "database_cpu_ms", "p50_ms")
    }
    summary["rounds"] = [figures["rps"] for figures in rounds]
    summary["samples"] = [
        {"round": sample["round"], "at_s": sample["at_s"], **sample[name]} for sample in samples
    ]
    summary["errors"] = sum(figures["errors"] for figures in rounds)
    summary["busy"] = max(figures["busy"] for figures in rounds)
    summary["steal"] = max(figures["steal"] for figures in rounds)
    if name == "answer":
        summary["wrapped"] = sum(figures["wrapped"] for figures in rounds)
    return summary
