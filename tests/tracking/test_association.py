from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoplon.errors import InputError
from hoplon.tracking.association import gnn_assign


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
