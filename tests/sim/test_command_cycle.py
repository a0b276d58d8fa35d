"""The command cycle's bookkeeping (``hoplon.sim.engine``): the prediction table of a force
and the trusted assignment problem change nothing in a trial's result."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hoplon.command.assignment import AssignmentProblem, Greedy
from hoplon.scenario import load
from hoplon.sim import Engine, compile_world
from hoplon.sim import engine as engine_module
from hoplon.sim.batch import BatchEngine
from hoplon.sim.engine import PREDICTION_REFRESH_S, _Table


@pytest.fixture(scope="module")
def coalition_world():
    return compile_world(load("two_partner"))


def _same(a, b) -> None:
    assert a.summary == b.summary
    pd.testing.assert_frame_equal(a.shots, b.shots, check_exact=True)
    pd.testing.assert_frame_equal(a.events, b.events, check_exact=True)


def test_a_table_drops_only_predictions_no_cycle_can_use_again() -> None:
    tab = _Table(n_cols=2, capacity=4)
    for code in (1, 2, 3):
        tab.alloc(0.0, code)
    tab.alloc(15.0, 4)
    # full: at t = 20 the slots made at 0 are older than the refresh and are reused
    # (the one made at 15 is not); the entries that lost their slot are gone from the map
    s = tab.alloc(20.0, 5)
    assert set(tab.slot_of) == {4, 5}
    assert tab.slot_of[5] == s
    assert len(tab.made) == 4  # reused, not grown
    assert tab.made[tab.slot_of[4]] == 15.0
    # when too few can be reused the table grows, keeping every live slot
    for code in range(10, 15):
        tab.alloc(20.0 + PREDICTION_REFRESH_S / 2, code)
    assert len(tab.made) == 8
    assert len(set(tab.slot_of.values())) == len(tab.slot_of) == 7


def test_recycling_slots_does_not_change_a_trial(coalition_world, monkeypatch) -> None:
    """A tiny table (slots recycled and grown many times) gives the trial a large one
    gives, alone and in a lockstep block (where the lanes share one table per force)."""
    seeds = [3, 1]
    reference = [Engine(coalition_world, s).run() for s in seeds]
    recycled = []
    original = _Table._recycle

    def counting(self, t):
        recycled.append(t)
        original(self, t)

    monkeypatch.setattr(_Table, "__init__", _small_table(_Table.__init__))
    monkeypatch.setattr(_Table, "_recycle", counting)
    for seed, ref in zip(seeds, reference, strict=True):
        _same(Engine(coalition_world, seed).run(), ref)
    n_alone = len(recycled)
    assert n_alone > 10  # not a degenerate check: slots were recycled
    for ref, lane in zip(reference, BatchEngine(coalition_world, seeds).run(), strict=True):
        _same(lane, ref)
    assert len(recycled) > n_alone


def _small_table(init):
    def small(self, n_cols, capacity=64):
        init(self, n_cols, capacity=2)

    return small


def test_trusted_problem_is_the_checked_one() -> None:
    rng = np.random.default_rng(4)
    B, T = 3, 7
    p = np.where(rng.random((B, T)) < 0.6, 0.7, 0.0)
    t_launch = np.where(p > 0, rng.uniform(10, 50, (B, T)), np.nan)
    per_threat = rng.integers(0, 3, T)
    fields = dict(
        p_kill=p,
        threat_value=rng.uniform(0.5, 3.0, T),
        inventory=np.array([4, 0, 9]),
        feasible=np.isfinite(t_launch),
        launch_time_s=t_launch,
        max_shots_per_threat=per_threat,
    )
    checked = AssignmentProblem(**fields, max_shots_per_pair=2, reserve=1, tier=np.array([0, 1, 1]))
    trusted = AssignmentProblem.from_arrays(
        **fields,
        max_shots_per_pair=np.full(B, 2, dtype=np.int64),
        reserve=np.full(B, 1, dtype=np.int64),
        tier=np.array([0, 1, 1], dtype=np.int64),
    )
    for name in checked.__dataclass_fields__:
        a, b = getattr(checked, name), getattr(trusted, name)
        if a is None:
            assert b is None
        else:
            np.testing.assert_array_equal(a, b)
            assert np.asarray(a).dtype == np.asarray(b).dtype, name
    np.testing.assert_array_equal(Greedy().assign(checked).shots, Greedy().assign(trusted).shots)


def test_the_engine_builds_no_checked_problem(coalition_world, monkeypatch) -> None:
    """The command cycle's problems are valid for the checked constructor too."""
    made = []
    original = AssignmentProblem.from_arrays.__func__

    def checking(cls, **fields):
        problem = original(cls, **fields)
        made.append(problem)
        AssignmentProblem(**{k: getattr(problem, k) for k in problem.__dataclass_fields__})
        return problem

    monkeypatch.setattr(engine_module.AssignmentProblem, "from_arrays", classmethod(checking))
    Engine(coalition_world, 0).run()
    assert len(made) > 10
