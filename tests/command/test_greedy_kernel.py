"""The compiled greedy assignment equals its numpy formulation shot for shot."""

from __future__ import annotations

import numpy as np
import pytest

from hoplon.command.assignment import (
    AssignmentProblem,
    Greedy,
    _greedy_shots,
    _greedy_shots_numpy,
)


def _problem(rng: np.random.Generator, B: int, T: int) -> AssignmentProblem:
    p = rng.uniform(0.3, 0.9, (B, T))
    p[rng.random((B, T)) < 0.2] = 0.0
    lt = rng.uniform(0.0, 100.0, (B, T))
    lt[rng.random((B, T)) < 0.3] = np.nan
    values = rng.uniform(0.0, 10.0, T)
    values[rng.random(T) < 0.1] = 0.0
    return AssignmentProblem(
        p_kill=p,
        threat_value=values,
        inventory=rng.integers(0, 8, B),
        feasible=np.isfinite(lt),
        launch_time_s=lt,
        max_shots_per_pair=int(rng.integers(1, 3)),
        max_shots_per_threat=rng.integers(0, 4, T) if rng.random() < 0.7 else None,
        fire_channels=rng.integers(1, 4, B) if rng.random() < 0.5 else None,
        reserve=int(rng.integers(0, 2)),
    )


@pytest.mark.parametrize("seed", range(40))
def test_kernel_equals_numpy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    problem = _problem(rng, int(rng.integers(1, 9)), int(rng.integers(1, 25)))
    np.testing.assert_array_equal(_greedy_shots(problem), _greedy_shots_numpy(problem))


def test_ties_go_to_the_first_pair_in_battery_threat_order() -> None:
    problem = AssignmentProblem(
        p_kill=np.full((3, 4), 0.5), threat_value=np.ones(4), inventory=np.array([1, 1, 1])
    )
    shots = _greedy_shots(problem)
    np.testing.assert_array_equal(shots, _greedy_shots_numpy(problem))
    assert shots[0, 0] == 1 and shots.sum() == 3


def test_inputs_are_not_modified() -> None:
    rng = np.random.default_rng(3)
    problem = _problem(rng, 5, 12)
    before = {k: np.copy(getattr(problem, k)) for k in ("inventory", "max_shots_per_pair")}
    per_threat = (
        None if problem.max_shots_per_threat is None else problem.max_shots_per_threat.copy()
    )
    Greedy().assign(problem)
    for k, v in before.items():
        np.testing.assert_array_equal(getattr(problem, k), v)
    if per_threat is not None:
        np.testing.assert_array_equal(problem.max_shots_per_threat, per_threat)


@pytest.mark.parametrize("seed", range(40))
def test_caps_kernel_equals_the_problems_caps(seed: int) -> None:
    from hoplon.command.assignment import _compiled_greedy

    rng = np.random.default_rng(100 + seed)
    B, T = int(rng.integers(1, 9)), int(rng.integers(1, 25))
    problem = _problem(rng, B, T)
    if rng.random() < 0.5:  # launch limits too
        problem = AssignmentProblem(
            **{
                k: getattr(problem, k)
                for k in problem.__dataclass_fields__
                if k not in ("max_launches",)
            },
            max_launches=rng.integers(0, 5, B),
        )
    caps = _compiled_greedy()[0]
    cap, usable = np.empty((B, T), dtype=np.int64), np.empty(B, dtype=np.int64)
    big = np.iinfo(np.int64).max
    caps(
        problem.p_kill,
        problem.threat_value,
        problem.feasible,
        problem.launch_time_s,
        problem.inventory,
        problem.reserve,
        np.full(B, big) if problem.max_launches is None else problem.max_launches,
        problem.max_shots_per_pair,
        np.full(T, big) if problem.max_shots_per_threat is None else problem.max_shots_per_threat,
        cap,
        usable,
    )
    np.testing.assert_array_equal(cap, problem.pair_cap)
    np.testing.assert_array_equal(usable, problem.usable)


@pytest.mark.parametrize("seed", range(10))
def test_shots_is_the_assignments_shot_matrix(seed: int) -> None:
    rng = np.random.default_rng(200 + seed)
    problem = _problem(rng, int(rng.integers(1, 9)), int(rng.integers(1, 25)))
    np.testing.assert_array_equal(Greedy().shots(problem), Greedy().assign(problem).shots)
