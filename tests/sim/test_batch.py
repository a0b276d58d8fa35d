"""``hoplon.sim.batch``: many trials in lockstep give each trial its own result exactly."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hoplon.errors import InputError
from hoplon.scenario import load
from hoplon.sim import Engine, compile_world
from hoplon.sim.batch import BatchEngine

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
