"""Track initiation (Initiator role): M-of-N confirmation and two-point initiation.

- :class:`MofN`: a tentative track is confirmed once it has been updated in at least ``M``
  of its last ``N`` frames; it is dropped once that can no longer happen within its first
  ``N`` frames.
- :func:`merge_converted`: measurements of one frame converted to ECEF positions (from
  RAE, with the linearised converted-measurement covariance) that are compatible
  (Mahalanobis ``d² ≤ γ`` with ``S = Pₐ + P_b``, different sensors) are fused in
  information form, so that several radars seeing one new object start one track.
- :class:`TwoPointInitiator`: a stored (unassociated) point of an earlier frame and a new
  one within ``max_speed_mps`` of each other start a track
  ``x = [p₂, (p₂ - p₁)/T]`` with ``P = [[R₂, R₂/T], [R₂/T, (R₁ + R₂)/T²]]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from hoplon.errors import InputError
from hoplon.tracking.association import gnn_assign

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def _popcount(v: IntArray) -> IntArray:
    """Number of set bits of each (non-negative) ``v``, as int64."""
    v = np.asarray(v, dtype=np.int64)
    if _bitwise_count is not None:  # numpy >= 2
        return _bitwise_count(v).astype(np.int64)
    v = v.copy()
    count = np.zeros_like(v)
    while np.any(v):
        count += v & 1
        v >>= 1
    return count


_bitwise_count = getattr(np, "bitwise_count", None)


@dataclass(frozen=True)
class MofN:
    """M-of-N confirmation logic (e.g. 2-of-3)."""

    m: int = 2
    n: int = 3

    def __post_init__(self) -> None:
        if self.n < 1 or self.n > 62:
            raise InputError("n", f"window must be 1..62 frames, got {self.n}", "1..62")
        if self.m < 1 or self.m > self.n:
            raise InputError("m", f"M = {self.m} must be between 1 and N = {self.n}", "1..N")

    def hits_in_window(self, history: IntArray) -> IntArray:
        return _popcount(np.asarray(history) & ((1 << self.n) - 1))

    def confirmed(self, history: IntArray) -> NDArray[np.bool_]:
        """Tracks with at least M hits in the last N frames."""
        return self.hits_in_window(history) >= self.m

    def hopeless(self, history: IntArray, age: IntArray) -> NDArray[np.bool_]:
        """Tentative tracks that cannot be confirmed within their first N frames."""
        age = np.asarray(age)
        remaining = np.maximum(self.n - age, 0)
        return self.hits_in_window(history) + remaining < self.m


def merge_converted(
    pos: FloatArray, cov: FloatArray, sensor: IntArray, gate: float
) -> tuple[FloatArray, FloatArray, list[frozenset[int]]]:
    """Fuse compatible converted measurements of one frame (from different sensors).

    Returns fused positions (c, 3), covariances (c, 3, 3) and the contributing sensor sets.
    """
    out_p: list[FloatArray] = []
    out_I: list[FloatArray] = []
    out_Ip: list[FloatArray] = []
    out_s: list[set[int]] = []
    for j in range(pos.shape[0]):
        merged = False
        if out_p:
            P_c = np.linalg.inv(np.asarray(out_I))
            d = np.asarray(out_p) - pos[j]
            S = P_c + cov[j]
            d2 = np.einsum("ni,ni->n", d, np.linalg.solve(S, d[..., None])[..., 0])
            ok = np.array([int(sensor[j]) not in s for s in out_s]) & (d2 <= gate)
            if ok.any():
                c = int(np.argmin(np.where(ok, d2, np.inf)))
                Ij = np.linalg.inv(cov[j])
                out_I[c] = out_I[c] + Ij
                out_Ip[c] = out_Ip[c] + Ij @ pos[j]
                out_p[c] = np.linalg.solve(out_I[c], out_Ip[c])
                out_s[c].add(int(sensor[j]))
                merged = True
        if not merged:
            Ij = np.linalg.inv(cov[j])
            out_I.append(Ij)
            out_Ip.append(Ij @ pos[j])
            out_p.append(pos[j].copy())
            out_s.append({int(sensor[j])})
    if not out_p:
        return np.empty((0, 3)), np.empty((0, 3, 3)), []
    P = np.linalg.inv(np.asarray(out_I))
    return np.asarray(out_p), 0.5 * (P + np.swapaxes(P, -1, -2)), [frozenset(s) for s in out_s]


@dataclass
class TwoPointInitiator:
    """Two-point initiation from converted position measurements.

    Parameters
    ----------
    max_speed_mps : speed limit of a pair [m/s] (plus a 3-sigma margin on position).
    max_age_s : stored points older than this are forgotten [s].
    state_dim : dimension of the tracker's state; states beyond ``[p, v]`` get
        ``extra_mean`` and the diagonal variances ``extra_var``.
    """

    max_speed_mps: float = 8000.0
    max_age_s: float = 5.0
    state_dim: int = 6
    extra_mean: FloatArray = field(default_factory=lambda: np.empty(0))
    extra_var: FloatArray = field(default_factory=lambda: np.empty(0))
    _pos: FloatArray = field(default_factory=lambda: np.empty((0, 3)))
    _cov: FloatArray = field(default_factory=lambda: np.empty((0, 3, 3)))
    _time: FloatArray = field(default_factory=lambda: np.empty(0))
    _sensors: list[frozenset[int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.max_speed_mps > 0:
            raise InputError("max_speed_mps", f"must be > 0, got {self.max_speed_mps}", "> 0")
        if not self.max_age_s > 0:
            raise InputError("max_age_s", f"must be > 0, got {self.max_age_s}", "> 0 s")
        extra = self.state_dim - 6
        if extra < 0:
            raise InputError("state_dim", "two-point initiation needs [p, v] states", ">= 6")
        self.extra_mean = (
            np.broadcast_to(np.asarray(self.extra_mean, float), (extra,))
            if (np.size(self.extra_mean))
            else np.zeros(extra)
        )
        self.extra_var = (
            np.broadcast_to(np.asarray(self.extra_var, float), (extra,))
            if (np.size(self.extra_var))
            else np.ones(extra)
        )

    def initiate(
        self,
        time_s: float,
        pos: FloatArray,
        cov: FloatArray,
        sensors: list[frozenset[int]],
    ) -> tuple[FloatArray, FloatArray, list[frozenset[int]]]:
        """Pair new points (c, 3) of frame ``time_s`` with stored ones; return new track
        states ``x`` (k, d), ``P`` (k, d, d) and their sensor sets. Unpaired new points are
        stored for the next frames."""
        keep = time_s - self._time <= self.max_age_s
        keep &= self._time < time_s
        self._pos, self._cov, self._time = self._pos[keep], self._cov[keep], self._time[keep]
        self._sensors = [s for s, k in zip(self._sensors, keep, strict=True) if k]
        d = self.state_dim
        xs = np.empty((0, d))
        Ps = np.empty((0, d, d))
        new_sensors: list[frozenset[int]] = []
        paired_new = np.zeros(pos.shape[0], dtype=bool)
        if len(self._time) and pos.shape[0]:
            T = time_s - self._time  # (s,)
            dist = np.linalg.norm(pos[None, :, :] - self._pos[:, None, :], axis=-1)  # (s, c)
            sig = (
                np.sqrt(np.trace(self._cov, axis1=1, axis2=2))[:, None]
                + np.sqrt(np.trace(cov, axis1=1, axis2=2))[None, :]
            )
            excess = dist - self.max_speed_mps * T[:, None] - 3.0 * sig
            cost = np.where(excess <= 0.0, dist / T[:, None], np.inf)
            rows, cols = gnn_assign(
                cost, gate=self.max_speed_mps * 10.0, miss_cost=self.max_speed_mps * 10.0
            )
            if rows.size:
                Tp = T[rows][:, None]
                R1, R2 = self._cov[rows], cov[cols]
                k = rows.size
                xs = np.zeros((k, d))
                xs[:, :3] = pos[cols]
                xs[:, 3:6] = (pos[cols] - self._pos[rows]) / Tp
                xs[:, 6:] = self.extra_mean
                Ps = np.zeros((k, d, d))
                Ps[:, :3, :3] = R2
                Ps[:, :3, 3:6] = Ps[:, 3:6, :3] = R2 / Tp[..., None]
                Ps[:, 3:6, 3:6] = (R1 + R2) / Tp[..., None] ** 2
                idx = np.arange(6, d)
                Ps[:, idx, idx] = self.extra_var
                new_sensors = [
                    self._sensors[r] | sensors[c] for r, c in zip(rows, cols, strict=True)
                ]
                paired_new[cols] = True
                used = np.ones(len(self._time), dtype=bool)
                used[rows] = False
                self._pos, self._cov = self._pos[used], self._cov[used]
                self._time = self._time[used]
                self._sensors = [s for s, u in zip(self._sensors, used, strict=True) if u]
        rest = ~paired_new
        self._pos = np.concatenate([self._pos, pos[rest]])
        self._cov = np.concatenate([self._cov, cov[rest]])
        self._time = np.concatenate([self._time, np.full(int(rest.sum()), time_s)])
        self._sensors += [s for s, r in zip(sensors, rest, strict=True) if r]
        return xs, Ps, new_sensors
