"""Many trajectories interpolated in one compiled pass (the truth lookups of a run).

:meth:`hoplon.flight.trajectory.Trajectory.state_at` interpolates one trajectory with numpy;
the engine asks for the states of many threats (several trajectories, each shifted to its
launch time) at every radar dwell. :class:`TrajectoryTable` packs the samples and
derivatives of several trajectories once, and :func:`states_at` interpolates any mix of
them in one call, point by point with the same cubic Hermite formula, evaluated in the same
order, as ``state_at`` (the results are equal bit for bit; the tests compare them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numba
import numpy as np

from hoplon.flight.trajectory import Trajectory


@dataclass(frozen=True)
class TrajectoryTable:
    """Samples of ``G`` trajectories packed end to end.

    Attributes
    ----------
    t_s : (K,) float
        Sample times [s], trajectory ``g`` at ``start[g]:start[g + 1]``.
    y : (K, 7) float
        States at the samples (ECEF position [m], velocity [m/s], mass fraction).
    dydt : (K, 7) float
        Derivatives used by the interpolation (the position part is the sampled velocity).
    start : (G + 1,) int
        Where each trajectory's samples begin.
    """

    t_s: np.ndarray
    y: np.ndarray
    dydt: np.ndarray
    start: np.ndarray

    @classmethod
    def of(cls, trajectories: Sequence[Trajectory]) -> TrajectoryTable:
        """Pack ``trajectories`` (derivatives computed once, as ``state_at`` does)."""
        ts, ys, ds = [], [], []
        for traj in trajectories:
            d = traj.derivatives().copy()
            d[:, 0:3] = traj.y[:, 3:6]
            ts.append(np.asarray(traj.t_s, dtype=np.float64))
            ys.append(np.asarray(traj.y, dtype=np.float64))
            ds.append(d)
        start = np.zeros(len(trajectories) + 1, dtype=np.int64)
        start[1:] = np.cumsum([len(t) for t in ts])
        if not trajectories:
            return cls(np.empty(0), np.empty((0, 7)), np.empty((0, 7)), start)
        return cls(
            np.ascontiguousarray(np.concatenate(ts)),
            np.ascontiguousarray(np.concatenate(ys)),
            np.ascontiguousarray(np.concatenate(ds)),
            start,
        )


def states_at(table: TrajectoryTable, group: np.ndarray, t_s: np.ndarray) -> np.ndarray:
    """States (m, 7) of trajectory ``group[j]`` of ``table`` at its own time ``t_s[j]`` [s]
    (NaN outside its samples), as ``trajectories[group[j]].state_at(t_s[j])``."""
    group = np.ascontiguousarray(group, dtype=np.int64)
    tq = np.ascontiguousarray(t_s, dtype=np.float64)
    out = np.empty((len(tq), 7))
    _states_kernel(table.t_s, table.y, table.dydt, table.start, group, tq, out)
    return out


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _states_kernel(ts, y, d, start, group, tq, out):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """:func:`states_at` point by point (the formula of ``Trajectory.state_at``)."""
    for j in range(tq.shape[0]):
        g = group[j]
        a = start[g]
        n = start[g + 1] - a
        t = tq[j]
        for c in range(7):
            out[j, c] = np.nan
        if n == 1:
            if t == ts[a]:
                for c in range(7):
                    out[j, c] = y[a, c]
            continue
        if not (t >= ts[a] and t <= ts[a + n - 1]):
            continue
        # searchsorted(side="right") - 1, clipped to [0, n - 2]
        lo, hi = 0, n
        while lo < hi:
            mid = (lo + hi) // 2
            if ts[a + mid] <= t:
                lo = mid + 1
            else:
                hi = mid
        k = lo - 1
        if k < 0:
            k = 0
        if k > n - 2:
            k = n - 2
        # skip zero-length intervals (query exactly at the last sample after a repeat)
        if ts[a + k + 1] <= ts[a + k]:
            k = max(k - 1, 0)
        i0 = a + k
        i1 = i0 + 1
        h = ts[i1] - ts[i0]
        s = (t - ts[i0]) / h if h > 0 else 0.0
        u = (1 - s) * (1 - s)
        h00 = (1 + 2 * s) * u
        h10 = s * u
        h01 = s * s * (3 - 2 * s)
        h11 = s * s * (s - 1)
        for c in range(7):
            out[j, c] = h00 * y[i0, c] + h10 * h * d[i0, c] + h01 * y[i1, c] + h11 * h * d[i1, c]


__all__ = ["TrajectoryTable", "states_at"]
