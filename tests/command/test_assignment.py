"""Weapon-target assignment: constraints, brute-force optimality, greedy vs optimal, tiers."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoplon.command.assignment import (
    Assigner,
    AssignmentProblem,
    Greedy,
    Layered,
    Optimal,
    check_assignment,
    expected_protected_value,
)
from hoplon.errors import InputError


def _random_problem(rng: np.random.Generator, B: int, T: int, **kw) -> AssignmentProblem:
    args = dict(
        p_kill=rng.uniform(0.2, 0.95, (B, T)),
        threat_value=rng.uniform(0.5, 10.0, T),
        inventory=rng.integers(0, 5, B),
        feasible=rng.random((B, T)) < 0.7,
        max_shots_per_pair=2,
    )
    args.update(kw)
    return AssignmentProblem(**args)


def _brute_force(problem: AssignmentProblem) -> float:
    cap = problem.pair_cap
    pairs = list(zip(*np.nonzero(cap), strict=True))
    best = 0.0
    for combo in itertools.product(*[range(cap[b, t] + 1) for b, t in pairs]):
        shots = np.zeros_like(cap)
        for (b, t), n in zip(pairs, combo, strict=True):
            shots[b, t] = n
        if not check_assignment(problem, shots):
            best = max(best, expected_protected_value(problem, shots))
    return best


def test_assigners_follow_the_protocol() -> None:
    for a in (Greedy(), Optimal(), Layered()):
        assert isinstance(a, Assigner)


@pytest.mark.parametrize("seed", range(6))
def test_optimal_agrees_with_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    kw = {}
    if seed % 2:
        kw = dict(fire_channels=np.array([1, 2]), max_shots_per_threat=3)
    problem = _random_problem(rng, 2, 3, **kw)
    opt = Optimal().assign(problem)
    assert opt.objective == pytest.approx(_brute_force(problem), abs=1e-9)
    assert opt.upper_bound >= opt.objective - 1e-9
    assert not check_assignment(problem, opt.shots)


def test_greedy_is_suboptimal_on_a_known_case() -> None:
    # one interceptor each; greedy takes the best pair first and strands the other battery
    problem = AssignmentProblem(
        p_kill=np.array([[0.9, 0.8], [0.85, 0.0]]),
        threat_value=np.array([1.0, 1.0]),
        inventory=np.array([1, 1]),
        max_shots_per_pair=1,
    )
    g, o = Greedy().assign(problem), Optimal().assign(problem)
    assert g.objective == pytest.approx(0.9 + 0.85 * 0.1)
    assert o.objective == pytest.approx(0.85 + 0.8)
    assert o.objective > g.objective


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), B=st.integers(1, 4), T=st.integers(1, 6))
def test_constraints_hold_and_optimal_beats_greedy(seed: int, B: int, T: int) -> None:
    rng = np.random.default_rng(seed)
    problem = _random_problem(
        rng,
        B,
        T,
        fire_channels=rng.integers(1, 3, B),
        reserve=rng.integers(0, 2, B),
        max_shots_per_threat=3,
        launch_time_s=np.where(rng.random((B, T)) < 0.9, rng.uniform(0, 100, (B, T)), np.nan),
    )
    g, o = Greedy().assign(problem), Optimal().assign(problem)
    for a in (g, o):
        shots = a.shots
        assert not check_assignment(problem, shots)
        assert np.all(shots.sum(axis=1) <= np.maximum(problem.inventory - problem.reserve, 0))
        assert not np.any(shots[~problem.allowed])
        assert np.all(np.isfinite(a.planned_time_s))
    assert o.objective >= g.objective - 1e-12


def test_assignment_rows_and_times() -> None:
    lt = np.array([[10.0, np.nan], [20.0, 30.0]])
    problem = AssignmentProblem(
        p_kill=np.full((2, 2), 0.7),
        threat_value=np.array([5.0, 1.0]),
        inventory=[2, 2],
        launch_time_s=lt,
    )
    a = Optimal().assign(problem)
    for b, t, n, when in a.rows():
        assert n >= 1 and when == lt[b, t]
    assert a.shots[0, 1] == 0


def test_layered_upper_tier_first_lower_tier_backs_up() -> None:
    # battery 0 is upper tier (tier 0), battery 1 the lower tier
    problem = AssignmentProblem(
        p_kill=np.array([[0.8, 0.8, 0.8], [0.7, 0.7, 0.7]]),
        threat_value=np.array([3.0, 2.0, 1.0]),
        inventory=np.array([3, 3]),
        max_shots_per_pair=1,
        tier=np.array([0, 1]),
    )
    a = Layered(Greedy()).assign(problem)
    shots = a.shots
    np.testing.assert_array_equal(shots[0], [1, 1, 1])  # upper tier engages every threat
    np.testing.assert_array_equal(shots[1], [1, 1, 1])  # lower tier backs up the leakers
    expected = sum(v * (1 - 0.2 * 0.3) for v in (3.0, 2.0, 1.0))
    assert a.objective == pytest.approx(expected)


def test_layered_lower_tier_goes_to_the_largest_leak_through() -> None:
    # upper tier covers threat 0 only; one lower-tier round must go to threat 1 (unprotected)
    problem = AssignmentProblem(
        p_kill=np.array([[0.9, 0.0], [0.6, 0.6]]),
        threat_value=np.array([2.0, 1.5]),
        inventory=np.array([1, 1]),
        max_shots_per_pair=1,
        tier=np.array([0, 1]),
    )
    for inner in (Greedy(), Optimal()):
        shots = Layered(inner).assign(problem).shots
        np.testing.assert_array_equal(shots, [[1, 0], [0, 1]])


def test_zero_inventory_and_nothing_feasible() -> None:
    problem = AssignmentProblem(
        p_kill=np.full((2, 2), 0.5),
        threat_value=np.ones(2),
        inventory=[0, 3],
        feasible=np.array([[True, True], [False, False]]),
    )
    for a in (Greedy().assign(problem), Optimal().assign(problem)):
        assert len(a) == 0 and a.objective == 0.0


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        (dict(inventory=[-1, 2]), "inventory"),
        (dict(p_kill=np.full((2, 2), 1.5)), "p_kill"),
        (dict(threat_value=[1.0, -1.0]), "threat_value"),
        (dict(threat_value=[1.0]), "threat_value"),
        (dict(feasible=np.ones((3, 2), bool)), "feasible"),
        (dict(fire_channels=[1.5, 1]), "fire_channels"),
        (dict(reserve=-1), "reserve"),
        (dict(max_shots_per_pair=[1, 2, 3]), "max_shots_per_pair"),
    ],
)
def test_bad_problem_names_field(kw: dict, field: str) -> None:
    args = dict(p_kill=np.full((2, 2), 0.5), threat_value=[1.0, 1.0], inventory=[2, 2])
    args.update(kw)
    with pytest.raises(InputError) as err:
        AssignmentProblem(**args)
    assert err.value.field == field


def test_with_doctrine_caps_salvo_and_holds_reserve() -> None:
    from hoplon.command.doctrine import Reserve, ShootLookShoot

    base = AssignmentProblem(
        p_kill=np.full((2, 3), 0.6),
        threat_value=np.ones(3),
        inventory=[4, 10],
        max_shots_per_pair=4,
    )
    pr = base.with_doctrine(ShootLookShoot(1, 1, 5.0, reserve=Reserve(count=1, fraction=0.3)))
    np.testing.assert_array_equal(pr.usable, [2, 7])
    shots = Optimal().assign(pr).shots
    assert shots.max() <= 1
    assert np.all(shots.sum(axis=1) <= [2, 7])
