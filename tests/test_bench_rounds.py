"""``bench --scaling`` measures the reading and answer loads in short slices going to every class
size in turn, so that a drift of the machine with time falls on the sizes alike instead of
being read as growth (bench/rounds.py)."""

from __future__ import annotations

import os
import statistics

import pytest

from bench import rounds, scaling


def test_over_an_even_number_of_rounds_every_size_has_the_same_mean_position_in_time():
    sizes = [30, 300, 1000, 3000]
    orders = rounds.round_orders(sizes, 4)
    assert orders[0] == sizes and orders[1] == sizes[::-1]
    positions = {
        size: statistics.mean(
            index * len(sizes) + order.index(size) for index, order in enumerate(orders)
        )
        for size in sizes
    }
    assert len(set(positions.values())) == 1, positions


def _slice(round_number, requests, seconds, worker_s, **more):
    return {
        "round": round_number,
        "at_s": 10.0 * round_number,
        "busy": 0.01 * round_number,
        "rps": requests / seconds,
        "requests": requests,
        "seconds": seconds,
        "p50_ms": 20.0,
        "errors": 0,
        "wrapped": 0,
        "worker_s": worker_s,
        "database_s": worker_s / 8,
        "steal_s": 0.0,
        **more,
    }


def test_a_sizes_figure_is_its_slices_requests_over_their_seconds_with_every_slice_kept():
    slices = [
        _slice(1, 1320, 3.0, 5.28, errors=1),
        _slice(2, 990, 2.5, 4.95, wrapped=3),
        _slice(3, 1200, 3.5, 5.4, steal_s=0.18),
    ]
    summary = rounds.summarise(slices)
    # Pooled, not the mean of the slices' rates (440, 396, 343: 393).
    assert summary["rps"] == pytest.approx(3510 / 9.0)
    assert summary["cpu_ms"] == pytest.approx(1000 * 15.63 / 3510)
    assert summary["database_cpu_ms"] == pytest.approx(1000 * 15.63 / 8 / 3510)
    assert summary["steal"] == pytest.approx(0.18 / (9.0 * (os.cpu_count() or 1)))
    assert (summary["errors"], summary["wrapped"]) == (1, 3)
    assert summary["rounds"] == [440.0, 396.0, pytest.approx(1200 / 3.5)]
    assert [piece["at_s"] for piece in summary["slices"]] == [10.0, 20.0, 30.0]
    assert summary["busy"] == 0.03


def test_without_the_database_servers_pid_its_cpu_is_left_out_not_shown_as_nothing():
    summary = rounds.summarise([_slice(1, 1000, 3.0, 4.0, database_s=None)])
    assert "database_cpu_ms" not in summary


def test_slices_are_whole_seconds_and_at_least_two():
    class Args:
        duration, rounds = 15.0, 10

    assert rounds.slice_seconds(Args) == 3
    Args.rounds = 40
    assert rounds.slice_seconds(Args) == 2


def test_the_answer_list_holds_every_slice_with_its_margin_so_nothing_is_sent_twice():
    class Args:
        duration, rounds, connections = 15.0, 10, 8

    first = rounds.WARM_POSTS
    for _slice_number in range(Args.rounds):
        # Each slice sent as many answers as the list allows for it.
        first = rounds.next_answer_post(first, 3 * rounds.ANSWER_RATE_ROOM, Args.connections)
    assert first <= rounds.answer_posts_needed(Args)


def test_the_next_slice_starts_past_every_line_the_faster_thread_used():
    # answer.lua deals lines first+1, first+2, … to the threads in turn: thread t takes
    # first+1+t, first+1+t+T, …; a thread that sent n requests used up to first+T*n.
    connections, threads, first = 8, 2, 20
    sent = {0: 620, 1: 580}  # one thread ran ahead of the other
    used_up_to = first + threads * max(sent.values())
    assert rounds.next_answer_post(first, sum(sent.values()), connections) >= used_up_to


def test_a_change_is_judged_on_the_pairs_of_one_round_with_its_interval():
    baseline = [_slice(n, rps * 3, 3.0, 1.0) for n, rps in enumerate([400, 300, 420, 350], 1)]
    # The same drift, 5 % slower at every round: the rates alone spread far wider.
    slower = [_slice(n, rps * 3 * 0.95, 3.0, 1.0) for n, rps in enumerate([400, 300, 420, 350], 1)]
    paired = rounds.paired_change(slower, baseline)
    assert paired["pairs"] == 4
    assert paired["change"] == pytest.approx(-0.05)
    assert paired["low"] == pytest.approx(-0.05) and paired["high"] == pytest.approx(-0.05)
    noisy = [_slice(n, rps * 3, 3.0, 1.0) for n, rps in enumerate([440, 270, 470, 330], 1)]
    paired = rounds.paired_change(noisy, baseline)
    assert paired["low"] < paired["change"] < paired["high"]
    assert paired["low"] < -0.10 and paired["high"] > 0.10


def test_the_table_shows_the_rate_and_the_slices_range():
    figures = {
        "rps": 400.0,
        "rounds": [440.0, 330.0, 400.0],
        "cpu_ms": 4.2,
        "database_cpu_ms": 0.55,
        "instructions": 15_300_000,
    }
    assert scaling._load(figures) == "400 (330–440); 4.2 ms, PG 0.55 ms, 15.3 M"


def _row(students, reading, answer):
    return {
        "students": students,
        "reading": {"rps": reading, "queries": 6},
        "answer": {"rps": answer, "queries": 4},
        "progress": {"p50_ms": 50.0, "queries": 9},
        "analysis": {"p50_ms": 40.0, "queries": 6},
    }


def test_without_slices_the_flat_goal_compares_the_two_rates():
    goals = {
        goal: ok
        for goal, _t, _m, ok in scaling.goal_rows(
            [_row(30, 400.0, 400.0), _row(3000, 380.0, 340.0)]
        )
    }
    assert goals["Reading page throughput flat from 30 to 3,000"] is True
    assert goals["Answer POST throughput flat from 30 to 3,000"] is False


def test_with_slices_the_flat_goal_is_met_only_when_the_whole_interval_is_inside_it():
    small, large = _row(30, 400.0, 400.0), _row(3000, 400.0, 400.0)
    rates = [400, 300, 420, 350, 380, 330]
    small["reading"]["slices"] = [_slice(n, r * 3, 3.0, 1.0) for n, r in enumerate(rates, 1)]
    large["reading"]["slices"] = [_slice(n, r * 3 * 0.97, 3.0, 1.0) for n, r in enumerate(rates, 1)]
    small["answer"]["slices"] = small["reading"]["slices"]
    wide = [440, 250, 480, 330, 300, 380]
    large["answer"]["slices"] = [_slice(n, r * 3, 3.0, 1.0) for n, r in enumerate(wide, 1)]
    goals = {goal.split(" (")[0]: ok for goal, _t, _m, ok in scaling.goal_rows([small, large])}
    assert goals["Reading page throughput flat from 30 to 3,000"] is True
    assert goals["Answer POST throughput flat from 30 to 3,000"] is False
