from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoplon.errors import InputError
from hoplon.tracking.association import gnn_assign, gnn_assign_groups


def brute_force(cost: np.ndarray, gate: float) -> float:
    n, m = cost.shape
    best = np.inf
    cols = list(range(m)) + [None] * n
    for perm in itertools.permutations(cols, n):
        if any(c is not None and perm.count(c) > 1 for c in perm):
            continue
        total = 0.0
        for i, c in enumerate(perm):
            if c is None:
                total += gate
            elif cost[i, c] > gate:
                total = np.inf
                break
            else:
                total += cost[i, c]
        best = min(best, total)
    return best


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 4), m=st.integers(0, 4), seed=st.integers(0, 10_000), gate=st.floats(0.5, 10.0)
)
def test_gnn_is_optimal_against_brute_force(n, m, seed, gate):
    cost = np.random.default_rng(seed).uniform(0, 12, (n, m))
    rows, cols = gnn_assign(cost, gate)
    assert len(set(rows)) == len(rows) and len(set(cols)) == len(cols)
    assert np.all(cost[rows, cols] <= gate)
    total = cost[rows, cols].sum() + gate * (n - len(rows))
    assert total == pytest.approx(brute_force(cost, gate), abs=1e-9)


def test_gnn_bad_gate():
    with pytest.raises(InputError, match="gate"):
        gnn_assign(np.zeros((2, 2)), -3.0)


def _problem(rng: np.random.Generator, kind: int) -> tuple[np.ndarray, float]:
    """A small cost matrix, with ties (equal costs, sums, the gate itself) in most kinds."""
    n, m = rng.integers(1, 6, 2)
    if kind == 0:
        cost = rng.uniform(0, 12, (n, m))
    elif kind == 1:  # multiples of 0.1: ties and sums that round
        cost = rng.integers(0, 5, (n, m)) * 0.1 + 0.3
    elif kind == 2:  # a large offset: rounding of the dual updates
        cost = 1e6 + rng.integers(0, 5, (n, m)) * 0.7
    else:
        cost = rng.integers(0, 4, (n, m)).astype(float)
    gate = {0: 8.0, 1: 0.6, 2: 1e6 + 2.1, 3: 2.0}[kind]
    cost[rng.random((n, m)) < 0.3] = np.inf
    return cost, gate


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 100_000))
def test_gnn_assign_groups_equals_gnn_assign(seed):
    """The batched assignment picks gnn_assign's pairs, problem by problem, ties included
    (a transcription of scipy's algorithm, not just another optimum)."""
    rng = np.random.default_rng(seed)
    for kind in range(4):
        costs, rows, cols, starts, counts, expected = [], [], [], [], [], []
        n_pairs = 0
        for _ in range(rng.integers(1, 8)):
            cost, gate = _problem(rng, kind)
            r, c = np.nonzero(np.isfinite(cost) | (rng.random(cost.shape) < 0.2))
            order = rng.permutation(r.size)  # pairs in any order
            r, c = r[order], c[order]
            dense = np.full((r.max() + 1, c.max() + 1), np.inf) if r.size else np.zeros((0, 0))
            dense[r, c] = cost[r, c]
            er, ec = gnn_assign(dense, gate)
            where = {(a, b): n_pairs + i for i, (a, b) in enumerate(zip(r, c, strict=True))}
            expected += [where[a, b] for a, b in zip(er, ec, strict=True)]
            costs.append(cost[r, c])
            rows.append(r)
            cols.append(c)
            starts.append(n_pairs)
            counts.append(r.size)
            n_pairs += r.size
        got = gnn_assign_groups(
            np.concatenate(costs),
            np.concatenate(rows),
            np.concatenate(cols),
            np.array(starts),
            np.array(counts),
            gate,
        )
        assert got.tolist() == expected


def test_gnn_assign_groups_rejects_as_gnn_assign():
    with pytest.raises(InputError, match="gate"):
        gnn_assign_groups(np.zeros(1), np.zeros(1, int), np.zeros(1, int), [0], [1], -1.0)
    with pytest.raises(ValueError):  # scipy rejects -inf costs
        gnn_assign_groups(
            np.array([1.0, -np.inf]), np.array([0, 1]), np.array([0, 1]), [0], [2], 5.0
        )
    empty = gnn_assign_groups(np.zeros(0), np.zeros(0, int), np.zeros(0, int), [], [], 5.0)
    assert empty.size == 0
