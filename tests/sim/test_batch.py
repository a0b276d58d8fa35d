"""``hoplon.sim.batch``: many trials in lockstep give each trial its own result exactly."""

from __future__ import annotations

import gc
import math
from pathlib import Path

import pandas as pd
import pytest

from hoplon.errors import InputError
from hoplon.scenario import load
from hoplon.sim import Engine, compile_world
from hoplon.sim.batch import BatchEngine, _DueLanes, _gc_paused
from hoplon.sim.events import EventKind, EventQueue

DATA = Path(__file__).with_name("data")


def _assert_same_trial(a, b) -> None:
    """Two RunResults of one trial: identical summaries and tables, float for float."""
    assert a.seed == b.seed
    assert a.summary == b.summary
    pd.testing.assert_frame_equal(a.threats, b.threats, check_exact=True)
    pd.testing.assert_frame_equal(a.shots, b.shots, check_exact=True)
    pd.testing.assert_frame_equal(a.events, b.events, check_exact=True)


@pytest.fixture(scope="module")
def coalition_world():
    return compile_world(load("two_partner"))


def test_lanes_reproduce_single_trials_of_the_coalition_example(coalition_world) -> None:
    """Every lane of a batch is the trial its seed gives alone: same detections, tracks
    (through the shared-track deliveries), shots, intercepts and leakers, to the bit."""
    seeds = [3, 1, 40]
    batch = BatchEngine(coalition_world, seeds).run()
    assert [r.seed for r in batch] == seeds
    for seed, lane in zip(seeds, batch, strict=True):
        _assert_same_trial(Engine(coalition_world, seed).run(), lane)
    # not a degenerate check: the trials differ from each other and did engage
    assert len({(r.summary["leakers"], len(r.shots)) for r in batch}) > 1
    assert all(r.summary["interceptors_on_remote_tracks"] > 0 for r in batch)


@pytest.mark.parametrize("example", ["single_battery", DATA / "salvo.yaml"])
def test_lanes_reproduce_single_trials(example) -> None:
    world = compile_world(load(example))
    seeds = [5, 6, 7, 8]
    for seed, lane in zip(seeds, BatchEngine(world, seeds).run(), strict=True):
        _assert_same_trial(Engine(world, seed).run(), lane)


def test_a_trial_does_not_depend_on_its_batch(coalition_world) -> None:
    alone = BatchEngine(coalition_world, [9]).run()[0]
    mixed = BatchEngine(coalition_world, [2, 9]).run()[1]
    _assert_same_trial(alone, mixed)


def test_no_seeds_is_an_input_error(coalition_world) -> None:
    with pytest.raises(InputError, match="seeds"):
        BatchEngine(coalition_world, [])


def test_lanes_reproduce_single_trials_with_false_alarms_and_layered_assignment() -> None:
    """False alarms (extra draws and initiations per lane), the layered assigner and a
    salvo doctrine in lockstep: still each lane's own trial."""
    from hoplon.analysis.sweep import with_overrides

    spec = with_overrides(
        load("two_partner"),
        {
            "duration": "15 min",
            "sensors.green_radar.false_alarms": True,
            "sensors.green_radar.pfa": 1e-4,
            "command.assigner": "layered",
            "command.doctrine": {"type": "salvo", "shots": 2},
        },
    )
    world = compile_world(spec)
    seeds = [12, 13]
    lanes = BatchEngine(world, seeds).run()
    for seed, lane in zip(seeds, lanes, strict=True):
        _assert_same_trial(Engine(world, seed).run(), lane)
    assert all(len(r.shots) for r in lanes)


class _FakeLane:
    """What :class:`hoplon.sim.batch._DueLanes` uses of an engine: a queue and handlers that
    record the events they run (and may push more)."""

    def __init__(self, name: str, ran: list) -> None:
        self.queue = EventQueue()

        def handler(kind):
            def run(t, **data):
                ran.append((name, t, kind.name, data.get("tag")))
                if data.get("then") is not None:  # e.g. a launch that schedules its impact
                    self.queue.push(data["then"], EventKind.IMPACT, tag="pushed")

            return run

        self.handlers = {k: handler(k) for k in EventKind}


def test_due_lanes_run_only_what_is_due_in_each_lanes_order() -> None:
    ran: list = []
    a, b = _FakeLane("a", ran), _FakeLane("b", ran)
    a.queue.push(1.0, EventKind.THREAT_LAUNCH, tag="a1", then=2.5)
    a.queue.push(5.0, EventKind.IMPACT, tag="a5")
    b.queue.push(3.0, EventKind.INTERCEPT, tag="b3")
    due = _DueLanes([a, b])
    due.drain((3.0, int(EventKind.INTERCEPT)), end=100.0)  # b's intercept at 3 is not before
    assert ran == [("a", 1.0, "THREAT_LAUNCH", "a1"), ("a", 2.5, "IMPACT", "pushed")]
    ran.clear()
    # a shared event pushes into a lane: an earlier event than the lane's next one is seen
    a.queue.push(3.5, EventKind.INTERCEPTOR_LAUNCH, tag="a3.5")
    b.queue.push(3.0, EventKind.THREAT_LAUNCH, tag="b3-launch")  # ties: priority, then order
    due.drain((4.0, 0), end=100.0)
    assert ran == [
        ("b", 3.0, "THREAT_LAUNCH", "b3-launch"),
        ("b", 3.0, "INTERCEPT", "b3"),
        ("a", 3.5, "INTERCEPTOR_LAUNCH", "a3.5"),
    ] or ran == [
        ("a", 3.5, "INTERCEPTOR_LAUNCH", "a3.5"),
        ("b", 3.0, "THREAT_LAUNCH", "b3-launch"),
        ("b", 3.0, "INTERCEPT", "b3"),
    ]
    ran.clear()
    due.drain((math.inf, 0), end=4.9)  # nothing after the scenario's end
    assert ran == []
    due.drain((math.inf, 0), end=5.0)
    assert ran == [("a", 5.0, "IMPACT", "a5")]
    assert len(a.queue) == len(b.queue) == 0


def test_gc_is_paused_during_a_run_and_restored() -> None:
    seen = []

    @_gc_paused
    def run(fail: bool) -> None:
        seen.append(gc.isenabled())
        if fail:
            raise RuntimeError("lane failed")

    was = gc.isenabled()
    try:
        gc.enable()
        run(False)
        with pytest.raises(RuntimeError):
            run(True)
        assert gc.isenabled()
        gc.disable()  # a caller that turned collection off keeps it off
        run(False)
        assert not gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()
    assert seen == [False, False, False]
