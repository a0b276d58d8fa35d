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

import numba
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


def gnn_assign_groups(
    cost: FloatArray,
    row: IntArray,
    col: IntArray,
    starts: IntArray,
    counts: IntArray,
    gate: float,
    miss_cost: float | None = None,
) -> IntArray:
    """:func:`gnn_assign` of many small sparse problems at once, with the same result.

    Problem ``g`` is given by the pairs ``starts[g] : starts[g] + counts[g]`` (row, column,
    cost; pairs not given are infeasible, a pair given twice takes its last cost). Returns the
    indices of the pairs :func:`gnn_assign` picks on each problem's dense cost matrix
    (``(max row + 1, max col + 1)``), problem by problem, each by row.

    The assignment is computed by a transcription of scipy's
    ``linear_sum_assignment`` (Crouse's shortest augmenting path, as in
    ``scipy/optimize/rectangular_lsap``: same operations, order and tie-breaking), so the
    chosen pairs are those of :func:`gnn_assign`, ties included. A problem with a ``-inf``
    cost (which scipy rejects) is passed to :func:`gnn_assign` itself.
    """
    gate = check_gate(gate)
    c_miss = gate if miss_cost is None else float(miss_cost)
    cost = np.ascontiguousarray(cost, dtype=np.float64)
    row = np.ascontiguousarray(row, dtype=np.int64)
    col = np.ascontiguousarray(col, dtype=np.int64)
    starts = np.ascontiguousarray(starts, dtype=np.int64)
    counts = np.ascontiguousarray(counts, dtype=np.int64)
    out = np.empty(cost.size, dtype=np.int64)
    n_out, failed = _gnn_groups_kernel(cost, row, col, starts, counts, gate, c_miss, out)
    if failed >= 0:  # a problem scipy rejects: gnn_assign of each, as the caller would
        parts = []
        for a, c in zip(starts.tolist(), counts.tolist(), strict=True):
            if not c:
                continue
            r, cl = row[a : a + c], col[a : a + c]
            shape = (int(r.max()) + 1, int(cl.max()) + 1)
            matrix = np.full(shape, np.inf)
            matrix[r, cl] = cost[a : a + c]
            rr, cc = gnn_assign(matrix, gate, miss_cost=c_miss)
            where = np.full(shape, -1, dtype=np.int64)
            where[r, cl] = np.arange(a, a + c)
            parts.append(where[rr, cc])
        return np.concatenate(parts) if parts else out[:0]
    return out[:n_out]


@numba.njit(cache=True)
def _lsap_kernel(cost: FloatArray, col4row: IntArray) -> bool:
    """scipy's ``linear_sum_assignment`` of ``cost`` (nr <= nc, no NaN or -inf): the column of
    each row in ``col4row``; False where infeasible. A line-by-line transcription of
    scipy/optimize/rectangular_lsap/rectangular_lsap.cpp (operations in the same order)."""
    nr, nc = cost.shape
    u = np.zeros(nr)
    v = np.zeros(nc)
    spc = np.empty(nc)
    path = np.full(nc, -1, dtype=np.int64)
    row4col = np.full(nc, -1, dtype=np.int64)
    SR = np.zeros(nr, dtype=np.bool_)
    SC = np.zeros(nc, dtype=np.bool_)
    remaining = np.empty(nc, dtype=np.int64)
    col4row[:] = -1
    for cur in range(nr):
        # augmenting_path
        min_val = 0.0
        n_rem = nc
        for it in range(nc):
            remaining[it] = nc - it - 1
        SR[:] = False
        SC[:] = False
        spc[:] = np.inf
        sink = -1
        i = cur
        while sink == -1:
            index = -1
            lowest = np.inf
            SR[i] = True
            for it in range(n_rem):
                j = remaining[it]
                r = min_val + cost[i, j] - u[i] - v[j]
                if r < spc[j]:
                    path[j] = i
                    spc[j] = r
                if spc[j] < lowest or (spc[j] == lowest and row4col[j] == -1):
                    lowest = spc[j]
                    index = it
            min_val = lowest
            if min_val == np.inf:
                return False
            j = remaining[index]
            if row4col[j] == -1:
                sink = j
            else:
                i = row4col[j]
            SC[j] = True
            n_rem -= 1
            remaining[index] = remaining[n_rem]
        # update dual variables
        u[cur] += min_val
        for i in range(nr):
            if SR[i] and i != cur:
                u[i] += min_val - spc[col4row[i]]
        for j in range(nc):
            if SC[j]:
                v[j] -= min_val - spc[j]
        # augment previous solution
        j = sink
        while True:
            i = path[j]
            row4col[j] = i
            tmp = col4row[i]
            col4row[i] = j
            j = tmp
            if i == cur:
                break
    return True


@numba.njit(cache=True)
def _gnn_groups_kernel(
    cost: FloatArray,
    row: IntArray,
    col: IntArray,
    starts: IntArray,
    counts: IntArray,
    gate: float,
    c_miss: float,
    out: IntArray,
) -> tuple[int, int]:
    """gnn_assign of each group (see :func:`gnn_assign_groups`); returns the number of
    chosen pairs written to ``out`` and the first group scipy would reject (-1: none)."""
    n_out = 0
    for g in range(starts.size):
        a = starts[g]
        c = counts[g]
        if c == 0:
            continue
        n_r = 0
        n_c = 0
        for q in range(a, a + c):
            n_r = max(n_r, row[q] + 1)
            n_c = max(n_c, col[q] + 1)
        matrix = np.full((n_r, n_c), np.inf)
        where = np.full((n_r, n_c), -1, dtype=np.int64)
        for q in range(a, a + c):
            matrix[row[q], col[q]] = cost[q]
            where[row[q], col[q]] = q
        # rows and columns with a feasible pair
        row_ok = np.zeros(n_r, dtype=np.bool_)
        col_ok = np.zeros(n_c, dtype=np.bool_)
        for i in range(n_r):
            for j in range(n_c):
                if matrix[i, j] <= gate:
                    row_ok[i] = True
                    col_ok[j] = True
        rows_in = np.flatnonzero(row_ok)
        cols_in = np.flatnonzero(col_ok)
        nr = rows_in.size
        nc = cols_in.size
        if nr == 0:
            continue
        aug = np.full((nr, nc + nr), np.inf)
        for i in range(nr):
            for j in range(nc):
                x = matrix[rows_in[i], cols_in[j]]
                if x <= gate:
                    if x == -np.inf:
                        return n_out, g
                    aug[i, j] = x
            aug[i, nc + i] = c_miss
        col4row = np.empty(nr, dtype=np.int64)
        if not _lsap_kernel(aug, col4row):
            return n_out, g
        for i in range(nr):
            if col4row[i] < nc:
                out[n_out] = where[rows_in[i], cols_in[col4row[i]]]
                n_out += 1
    return n_out, -1
