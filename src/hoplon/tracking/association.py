"""Association (Associator role): global nearest neighbour by optimal 2-D assignment.

Given costs ``Cᵢⱼ`` (e.g. squared Mahalanobis distances) of pairing track ``i`` with
measurement ``j``, a gate ``γ`` and the cost ``c_miss`` of leaving a track unassigned
(default ``γ``), GNN solves

``min Σ_(i,j)∈A Cᵢⱼ + c_miss · (n - |A|)``  over one-to-one assignments ``A`` with
``Cᵢⱼ ≤ γ``,

exactly, as a rectangular linear assignment problem on ``[C | diag(c_miss)]``
(one dummy "missed" column per track) with :func:`scipy.optimize.linear_sum_assignment`.
"""

from __future__ import annotations

import numpy as np
import scipy.optimize
from numpy.typing import NDArray

from hoplon.tracking.gating import check_gate

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def gnn_assign(
    cost: FloatArray, gate: float, miss_cost: float | None = None
) -> tuple[IntArray, IntArray]:
    """Optimal gated one-to-one assignment of rows (tracks) to columns (measurements).

    Returns the assigned row and column indices (sorted by row). Pairs with cost above
    ``gate`` are never made.
    """
    gate = check_gate(gate)
    c_miss = gate if miss_cost is None else float(miss_cost)
    cost = np.asarray(cost, dtype=float)
    n, m = cost.shape
    if n == 0 or m == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    feasible = cost <= gate
    if not feasible.any():
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    # only rows and columns with at least one feasible pair take part
    rows_in = np.flatnonzero(feasible.any(axis=1))
    cols_in = np.flatnonzero(feasible.any(axis=0))
    sub = cost[np.ix_(rows_in, cols_in)]
    sub = np.where(feasible[np.ix_(rows_in, cols_in)], sub, np.inf)
    nr, nc = sub.shape
    aug = np.full((nr, nc + nr), np.inf)
    aug[:, :nc] = sub
    aug[np.arange(nr), nc + np.arange(nr)] = c_miss
    r, c = scipy.optimize.linear_sum_assignment(aug)
    real = c < nc
    return rows_in[r[real]].astype(np.int64), cols_in[c[real]].astype(np.int64)
