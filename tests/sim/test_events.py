"""The event queue's order and the event log's table (against the plain construction)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from hoplon.sim.events import EventKind, EventLog, EventQueue, _reference_frame


def _assert_same(log: EventLog) -> None:
    got, want = log.to_frame(), _reference_frame(log)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    for col in got.columns:  # (None and NaN alike, element by element)
        assert [type(v) for v in got[col]] == [type(v) for v in want[col]], col


def test_queue_orders_by_time_then_priority_then_insertion() -> None:
    q = EventQueue()
    q.push(2.0, EventKind.COMMAND_CYCLE, force=0)
    q.push(1.0, EventKind.IMPACT, threat=3)
    q.push(1.0, EventKind.THREAT_LAUNCH, threat=1)
    q.push(1.0, EventKind.IMPACT, threat=2)
    q.push(0.5, EventKind.INTERCEPTOR_LAUNCH, shot=0)
    order = [(ev.time_s, ev.kind, ev.data) for ev in (q.pop() for _ in range(len(q)))]
    assert order == [
        (0.5, EventKind.INTERCEPTOR_LAUNCH, {"shot": 0}),
        (1.0, EventKind.THREAT_LAUNCH, {"threat": 1}),
        (1.0, EventKind.IMPACT, {"threat": 3}),
        (1.0, EventKind.IMPACT, {"threat": 2}),
        (2.0, EventKind.COMMAND_CYCLE, {"force": 0}),
    ]
    assert q.peek_time() == math.inf


def test_unknown_column_is_refused() -> None:
    with pytest.raises(KeyError, match="colour"):
        EventLog().add(0.0, "x", colour="red")


def test_empty_log() -> None:
    _assert_same(EventLog())


def test_log_table_equals_the_rows_as_dicts() -> None:
    rng = np.random.default_rng(3)
    log = EventLog()
    for k in range(300):
        t = float(rng.integers(0, 40))  # many simultaneous rows: the sort must be stable
        kind = k % 4
        if kind == 0:
            log.add(t, "threat_launch", threat=k, lat_deg=1.5, lon_deg=2.5, alt_m=0.0, detail="a")
        elif kind == 1:
            log.add(t, "impact", threat=k, lat_deg=float(rng.normal()), detail=None)
        elif kind == 2:
            log.add(t, "intercept_miss", force="blue", battery="b1", shot=k, threat=None)
        else:
            log.add(t, "engage", force="green", track=str(("own", 0, k)))
    _assert_same(log)


@pytest.mark.parametrize(
    "rows",
    [
        [{"threat": 1}, {"threat": 2}],  # ints only: int64
        [{"detail": None}, {"detail": None}],  # None only
        [{"force": "blue"}, {}],  # strings and missing
        [{}, {}],  # every optional column missing
        [{"shot": 1}, {"shot": None}, {}],
    ],
)
def test_log_table_column_kinds(rows: list[dict]) -> None:
    log = EventLog()
    for k, cols in enumerate(rows):
        log.add(float(len(rows) - k), "e", **cols)
    _assert_same(log)
