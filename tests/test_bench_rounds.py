"""``bench --scaling`` measures the reading and answer loads in short slices going to every class
size in turn, so that a drift of the machine with time falls on the sizes alike instead of
being read as growth (bench/rounds.py)."""

from __future__ import annotations

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


def _slice(round_number, requests, seconds, worker_s):
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
    }


def test_a_sizes_figure_is_its_slices_requests_over_their_seconds_with_every_slice_kept():
    slices = [_slice(1, 1320, 3.0, 5.28), _slice(2, 990, 3.0, 4.95), _slice(3, 1200, 3.0, 5.4)]
    summary = rounds.summarise(slices)
    assert summary["rps"] == pytest.approx(390.0)
    assert summary["cpu_ms"] == pytest.approx(1000 * (5.28 + 4.95 + 5.4) / 3510)
    assert summary["rounds"] == [440.0, 330.0, 400.0]
    assert [piece["at_s"] for piece in summary["slices"]] == [10.0, 20.0, 30.0]
    assert summary["busy"] == 0.03


def test_every_load_gets_twice_the_duration_at_each_size_in_slices_of_whole_seconds():
    class Args:
        duration, rounds = 15.0, 10

    assert rounds.slice_seconds(Args) == 3
    Args.rounds = 40
    assert rounds.slice_seconds(Args) == 2


def test_the_table_shows_the_median_and_the_rounds_range():
    figures = {
        "rps": 400.0,
        "rounds": [440.0, 330.0, 400.0],
        "cpu_ms": 4.2,
        "database_cpu_ms": 0.55,
        "instructions": 15_300_000,
    }
    assert scaling._load(figures) == "400 (330–440); 4.2 ms, PG 0.55 ms, 15.3 M"


def test_the_flat_goal_compares_the_smallest_and_largest_sizes_medians():
    def row(students, reading, answer):
        return {
            "students": students,
            "reading": {"rps": reading, "queries": 6},
            "answer": {"rps": answer, "queries": 4},
            "progress": {"p50_ms": 50.0, "queries": 9},
            "analysis": {"p50_ms": 40.0, "queries": 6},
        }

    goals = {
        goal: ok
        for goal, _target, _measured, ok in scaling.goal_rows(
            [row(30, 400.0, 400.0), row(3000, 380.0, 340.0)]
        )
    }
    assert goals["Reading page throughput flat from 30 to 3,000"] is True
    assert goals["Answer POST throughput flat from 30 to 3,000"] is False
