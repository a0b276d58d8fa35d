"""Tracking performance metrics: RMSE, OSPA, GOSPA and track continuity.

- OSPA (Schuhmacher, Vo & Vo, IEEE TSP 56(8), 2008), for ``|X| = m ≤ |Y| = n``:
  ``d_p^(c)(X, Y) = ( (1/n) (min_π Σᵢ d^(c)(xᵢ, y_π(i))ᵖ + cᵖ (n - m)) )^(1/p)``,
  ``d^(c) = min(c, d)``; for ``p = ∞`` it is ``min_π maxᵢ d^(c)`` when ``m = n`` and ``c``
  otherwise.
- GOSPA with ``α = 2`` (Rahmathullah, García-Fernández & Svensson, FUSION 2017):
  ``d = ( min_γ Σ_(i,j)∈γ d(xᵢ, yⱼ)ᵖ + (cᵖ/2)(|X| + |Y| - 2|γ|) )^(1/p)`` over partial
  assignments ``γ`` of pairs with ``d < c``; it splits into localisation, missed and false
  parts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.optimize
import scipy.sparse
import scipy.sparse.csgraph
from numpy.typing import NDArray

from hoplon.errors import InputError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def rmse(estimate: FloatArray, truth: FloatArray) -> float:
    """Root-mean-square of the Euclidean error rows: ``√(mean_k |x̂ₖ - xₖ|²)``."""
    e = np.asarray(estimate, dtype=float) - np.asarray(truth, dtype=float)
    e = e.reshape(e.shape[0], -1) if e.ndim > 1 else e[:, None]
    return float(np.sqrt(np.mean(np.sum(e * e, axis=1))))


def _as_points(X: FloatArray) -> FloatArray:
    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    return X


def _distances(X: FloatArray, Y: FloatArray) -> FloatArray:
    return np.linalg.norm(X[:, None, :] - Y[None, :, :], axis=-1)


def _check(c: float, p: float) -> None:
    if not c > 0:
        raise InputError("c", f"cut-off must be > 0, got {c}", "> 0")
    if not p >= 1:
        raise InputError("p", f"order must be >= 1, got {p}", ">= 1 or inf")


def _bottleneck(D: FloatArray) -> float:
    """``min_π max_i D[i, π(i)]`` for a square matrix D."""
    n = D.shape[0]
    values = np.unique(D)
    lo, hi = 0, len(values) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        graph = scipy.sparse.csr_matrix((D <= values[mid]).astype(np.int8))
        match = scipy.sparse.csgraph.maximum_bipartite_matching(graph, perm_type="column")
        if np.all(match >= 0) and len(match) == n:
            hi = mid
        else:
            lo = mid + 1
    return float(values[lo])


def ospa(X: FloatArray, Y: FloatArray, c: float, p: float = 1.0) -> float:
    """OSPA distance between point sets ``X`` (m, k) and ``Y`` (n, k) (1-D arrays: k = 1)."""
    _check(c, p)
    X, Y = _as_points(X), _as_points(Y)
    m, n = X.shape[0], Y.shape[0]
    if m == 0 and n == 0:
        return 0.0
    if m == 0 or n == 0:
        return float(c)
    if m > n:
        X, Y, m, n = Y, X, n, m
    D = np.minimum(_distances(X, Y), c)
    if np.isinf(p):
        return float(c) if m != n else _bottleneck(D)
    Dp = D**p
    r, col = scipy.optimize.linear_sum_assignment(Dp)
    total = Dp[r, col].sum() + c**p * (n - m)
    return float((total / n) ** (1.0 / p))


@dataclass(frozen=True)
class GospaResult:
    """GOSPA distance and its parts (each part is a sum before the 1/p root)."""

    distance: float
    localisation: float
    missed: float
    false: float
    n_missed: int
    n_false: int


def gospa(
    X: FloatArray, Y: FloatArray, c: float, p: float = 1.0, alpha: float = 2.0
) -> GospaResult:
    """GOSPA (α = 2) between truths ``X`` (m, k) and estimates ``Y`` (n, k)."""
    _check(c, p)
    if alpha != 2.0:
        raise InputError("alpha", f"only alpha = 2 is implemented, got {alpha}", "2")
    if np.isinf(p):
        raise InputError("p", "GOSPA needs a finite order", ">= 1, finite")
    X, Y = _as_points(X), _as_points(Y)
    m, n = X.shape[0], Y.shape[0]
    half = c**p / 2.0
    if m == 0 or n == 0:
        total = half * (m + n)
        return GospaResult(total ** (1 / p), 0.0, half * m, half * n, m, n)
    D = _distances(X, Y)
    cost = np.minimum(D**p, c**p)  # a pair at >= c costs one miss + one false
    r, col = scipy.optimize.linear_sum_assignment(cost)
    real = D[r, col] < c
    loc = float((D[r, col][real] ** p).sum())
    n_assigned = int(real.sum())
    n_missed = m - n_assigned
    n_false = n - n_assigned
    total = loc + half * (n_missed + n_false)
    return GospaResult(total ** (1.0 / p), loc, half * n_missed, half * n_false, n_missed, n_false)


@dataclass(frozen=True)
class ContinuityResult:
    """Track continuity per truth.

    ``breaks``: times a truth that was tracked at the previous time is not tracked or is
    tracked by another track now; ``swaps``: times a track's assigned truth changes to
    another truth; ``coverage``: per truth id, the fraction of its times with a track;
    ``tracks_per_truth``: per truth id, the number of distinct tracks assigned to it.
    """

    breaks: int
    swaps: int
    coverage: dict[int, float]
    tracks_per_truth: dict[int, int]


def track_continuity(
    truth_time_s: FloatArray,
    truth_id: IntArray,
    truth_pos: FloatArray,
    est_time_s: FloatArray,
    est_id: IntArray,
    est_pos: FloatArray,
    max_distance_m: float,
) -> ContinuityResult:
    """Assign tracks to truths at each time (optimal assignment, cut-off ``max_distance_m``)
    and count breaks and swaps over time."""
    if not max_distance_m > 0:
        raise InputError("max_distance_m", f"must be > 0, got {max_distance_m}", "> 0 m")
    truth_time_s = np.asarray(truth_time_s, float)
    est_time_s = np.asarray(est_time_s, float)
    times = np.unique(truth_time_s)
    last_track_of: dict[int, int] = {}
    last_truth_of: dict[int, int] = {}
    seen: dict[int, int] = {}
    covered: dict[int, int] = {}
    tracks_of: dict[int, set[int]] = {}
    breaks = swaps = 0
    for t in times:
        ti = np.flatnonzero(truth_time_s == t)
        ei = np.flatnonzero(est_time_s == t)
        current: dict[int, int] = {}
        if ei.size:
            D = _distances(_as_points(truth_pos[ti]), _as_points(est_pos[ei]))
            cost = np.where(D <= max_distance_m, D, max_distance_m * 1e6)
            r, col = scipy.optimize.linear_sum_assignment(cost)
            ok = D[r, col] <= max_distance_m
            current = {
                int(truth_id[ti[a]]): int(est_id[ei[b]])
                for a, b in zip(r[ok], col[ok], strict=True)
            }
        for k in ti:
            tid = int(truth_id[k])
            seen[tid] = seen.get(tid, 0) + 1
            trk = current.get(tid)
            if trk is not None:
                covered[tid] = covered.get(tid, 0) + 1
                tracks_of.setdefault(tid, set()).add(trk)
            prev = last_track_of.get(tid)
            if prev is not None and trk != prev:
                breaks += 1
            if trk is None:
                last_track_of.pop(tid, None)
            else:
                last_track_of[tid] = trk
        for tid, trk in current.items():
            prev_truth = last_truth_of.get(trk)
            if prev_truth is not None and prev_truth != tid:
                swaps += 1
            last_truth_of[trk] = tid
    coverage = {tid: covered.get(tid, 0) / cnt for tid, cnt in seen.items()}
    return ContinuityResult(
        breaks, swaps, coverage, {tid: len(tracks_of.get(tid, set())) for tid in seen}
    )
