"""``bench --scaling`` measures the reading and answer loads in short slices going to every class
size in turn, so that a drift of the machine with time falls on the sizes alike instead of
being read as growth (bench/rounds.py)."""

from __future__ import annotations

import math
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


def _flat_goals(rows):
    return {
        goal.split(":")[0]: (measured, ok) for goal, _t, measured, ok in scaling.goal_rows(rows)
    }


RATES = [400, 300, 420, 350, 380, 330]


def _sliced(students, factors):
    row = _row(students, 400.0, 400.0)
    for name in ("reading", "answer"):
        row[name]["slices"] = [
            _slice(n, rate * 3 * factor, 3.0, 1.0)
            for n, (rate, factor) in enumerate(zip(RATES, factors[name], strict=True), 1)
        ]
    return row


def test_with_slices_the_flat_goal_is_met_only_when_the_whole_interval_is_inside_it():
    steady = {"reading": [1.0] * 6, "answer": [1.0] * 6}
    slower = {"reading": [0.97] * 6, "answer": [1.1, 0.83, 1.14, 0.94, 0.79, 1.15]}
    goals = _flat_goals([_sliced(30, steady), _sliced(3000, slower)])
    assert goals["Reading page throughput flat from 30 to 3,000"][1] is True
    assert "-3.0% (-3.0% to -3.0%)" in goals["Reading page throughput flat from 30 to 3,000"][0]
    assert goals["Answer POST throughput flat from 30 to 3,000"][1] is False


def test_every_size_is_judged_not_only_the_largest():
    steady = {"reading": [1.0] * 6, "answer": [1.0] * 6}
    middle = {"reading": [0.8] * 6, "answer": [1.0] * 6}
    goals = _flat_goals([_sliced(30, steady), _sliced(300, middle), _sliced(3000, steady)])
    measured, ok = goals["Reading page throughput flat from 30 to 3,000"]
    assert ok is False and "300: -20.0%" in measured
    assert goals["Answer POST throughput flat from 30 to 3,000"][1] is True


def test_a_slice_with_errors_or_double_submits_or_without_its_pair_fails_the_goal():
    steady = {"reading": [1.0] * 6, "answer": [1.0] * 6}
    large = _sliced(3000, steady)
    large["answer"]["slices"][2]["wrapped"] = 5
    large["reading"]["slices"].pop()
    goals = _flat_goals([_sliced(30, steady), large])
    assert goals["Answer POST throughput flat from 30 to 3,000"] == (
        "3,000: not comparable (6 pairs; 400 → 400 req/s)",
        False,
    )
    assert goals["Reading page throughput flat from 30 to 3,000"][1] is False


def test_slices_are_paired_by_their_round_not_by_their_place_in_the_list():
    baseline = [_slice(n, rate * 3, 3.0, 1.0) for n, rate in enumerate(RATES, 1)]
    same_rounds_reversed = list(reversed(baseline))
    paired = rounds.paired_change(same_rounds_reversed, baseline)
    assert paired["change"] == pytest.approx(0.0)
    assert paired["low"] == pytest.approx(0.0) and paired["high"] == pytest.approx(0.0)


def test_the_interval_uses_students_t_for_the_pairs_degrees_of_freedom():
    baseline = [_slice(n, 300, 1.0, 1.0) for n in (1, 2, 3)]
    # Log ratios +0.1, 0, -0.1: mean 0, standard deviation 0.1, three pairs (2 degrees).
    slices = [_slice(n, 300 * math.exp(d), 1.0, 1.0) for n, d in ((1, 0.1), (2, 0.0), (3, -0.1))]
    paired = rounds.paired_change(slices, baseline)
    assert paired["high"] == pytest.approx(math.exp(4.30 * 0.1 / math.sqrt(3)) - 1)
    # Beyond the table (40 pairs, 39 degrees): 30 degrees' t, a little wide.
    many = [_slice(n, 300, 1.0, 1.0) for n in range(1, 41)]
    wobbly = [_slice(n, 300 * math.exp(0.1 * (-1) ** n), 1.0, 1.0) for n in range(1, 41)]
    spread = statistics.stdev([0.1 * (-1) ** n for n in range(1, 41)])
    paired = rounds.paired_change(wobbly, many)
    assert paired["high"] == pytest.approx(math.exp(2.04 * spread / math.sqrt(40)) - 1)
