"""Track-to-track fusion across partners with covariance intersection, and sharing rules.

Partners exchange tracks whose error cross-correlation is unknown (common process noise,
possibly shared measurements), so they are fused by covariance intersection (Julier &
Uhlmann 1997), which is consistent for any cross-correlation:

``P⁻¹ = ω Pₐ⁻¹ + (1 - ω) P_b⁻¹``, ``x = P (ω Pₐ⁻¹ xₐ + (1 - ω) P_b⁻¹ x_b)``, ``ω ∈ [0, 1]``

with ω minimising ``trace(P)`` or ``det(P)`` (bounded scalar search, end points included,
so the fused criterion is never larger than the smaller of the two inputs').

Tracks are associated by GNN on ``d² = Δxᵀ (Pₐ + P_b)⁻¹ Δx`` over the position-velocity
states. Fused tracks keep their provenance: the owner (the fusing partner) and the union of
contributing partners and sensors. :func:`share` applies a partner's sharing policy before
anything leaves it, so a withheld track never reaches (and is never fused by) the other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import scipy.optimize
from numpy.typing import NDArray

from hoplon.errors import InputError
from hoplon.tracking.association import gnn_assign
from hoplon.tracking.filters import symmetrise
from hoplon.tracking.gating import chi2_gate
from hoplon.tracking.state import TrackSet, TrackStatus

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: A sharing policy: given the sender's tracks and the recipient partner id, the mask of
#: tracks that may be sent.
SharingPolicy = Callable[[TrackSet, int], BoolArray]


def _criterion(P: FloatArray, criterion: str) -> float:
    if criterion == "trace":
        return float(np.trace(P))
    sign, logdet = np.linalg.slogdet(P)
    return float(logdet) if sign > 0 else np.inf


def covariance_intersection(
    xa: FloatArray, Pa: FloatArray, xb: FloatArray, Pb: FloatArray, criterion: str = "trace"
) -> tuple[FloatArray, FloatArray, float]:
    """Fuse two estimates (d,), (d, d) by covariance intersection; returns ``x, P, ω``."""
    if criterion not in ("trace", "det"):
        raise InputError("criterion", f"unknown CI criterion {criterion!r}", "trace, det")
    Ia = np.linalg.inv(Pa)
    Ib = np.linalg.inv(Pb)

    def fused(w: float) -> FloatArray:
        return np.linalg.inv(w * Ia + (1.0 - w) * Ib)

    res = scipy.optimize.minimize_scalar(
        lambda w: _criterion(fused(w), criterion),
        bounds=(0.0, 1.0),
        method="bounded",
        options={"xatol": 1e-6},
    )
    # an end point only where it is strictly better (ties, e.g. Pa = Pb, keep the interior ω)
    w, best = float(res.x), float(res.fun)
    for value, end in ((_criterion(Pb, criterion), 0.0), (_criterion(Pa, criterion), 1.0)):
        if value < best - 1e-12 * abs(best):
            w, best = end, value
    P = symmetrise(fused(w))
    x = P @ (w * Ia @ xa + (1.0 - w) * Ib @ xb)
    return x, P, w


def track_distance_matrix(a: TrackSet, b: TrackSet) -> FloatArray:
    """``d²`` (na, nb) between tracks of two sets (same time), ``S = Pₐ + P_b``."""
    if not len(a) or not len(b):
        return np.zeros((len(a), len(b)))
    dx = a.x[:, None, :] - b.x[None, :, :]
    S = a.P[:, None] + b.P[None, :]
    return np.einsum("abi,abi->ab", dx, np.linalg.solve(S, dx[..., None])[..., 0])


def associate_tracks(
    a: TrackSet, b: TrackSet, gate_probability: float = 0.999
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """GNN track-to-track association (rows index ``a``, columns ``b``)."""
    d2 = track_distance_matrix(a, b)
    return gnn_assign(d2, chi2_gate(gate_probability, a.dim))


def fuse_tracks(
    local: TrackSet,
    remote: TrackSet,
    gate_probability: float = 0.999,
    criterion: str = "trace",
    owner: int | None = None,
) -> TrackSet:
    """Fuse a partner's received tracks into the local picture (both at the same time).

    Associated pairs are replaced by their CI fusion (local identity, provenance merged);
    unassociated local and remote tracks are kept as they are.
    """
    if len(local) and len(remote) and local.dim != remote.dim:
        raise InputError("remote", "track state dimensions differ", f"{local.dim}")
    rows, cols = associate_tracks(local, remote, gate_probability)
    fused = local.select(slice(None))
    if owner is not None:
        fused.owner[:] = owner
    for r, c in zip(rows, cols, strict=True):
        x, P, _ = covariance_intersection(
            local.x[r], local.P[r], remote.x[c], remote.P[c], criterion
        )
        fused.x[r], fused.P[r] = x, P
        fused.sensors[r] = local.sensors[r] | remote.sensors[c]
        fused.partners[r] = local.partners[r] | remote.partners[c]
        fused.status[r] = max(local.status[r], remote.status[c])
        fused.last_update_s[r] = max(local.last_update_s[r], remote.last_update_s[c])
    rest = np.ones(len(remote), dtype=bool)
    rest[cols] = False
    return TrackSet.concatenate([fused, remote.select(rest)])


def share(tracks: TrackSet, recipient: int, policy: SharingPolicy | None = None) -> TrackSet:
    """The tracks that ``policy`` lets be sent to ``recipient`` (all when no policy)."""
    if policy is None:
        return tracks.select(slice(None))
    mask = np.asarray(policy(tracks, recipient), dtype=bool)
    if mask.shape != (len(tracks),):
        raise InputError("policy", "must return one boolean per track", f"shape ({len(tracks)},)")
    return tracks.select(mask)


def withhold_sensors(sensor_ids: Iterable[int]) -> SharingPolicy:
    """Policy: never send a track to which any of ``sensor_ids`` contributed."""
    withheld = frozenset(int(s) for s in sensor_ids)

    def policy(tracks: TrackSet, recipient: int) -> BoolArray:
        return np.array([not (s & withheld) for s in tracks.sensors], dtype=bool)

    return policy


def only_to(partners: Iterable[int]) -> SharingPolicy:
    """Policy: send everything, but only to the listed partners."""
    allowed = frozenset(int(p) for p in partners)

    def policy(tracks: TrackSet, recipient: int) -> BoolArray:
        return np.full(len(tracks), recipient in allowed)

    return policy


def confirmed_only(tracks: TrackSet, recipient: int) -> BoolArray:
    """Policy: send confirmed tracks only."""
    return tracks.status == TrackStatus.CONFIRMED


def all_of(*policies: SharingPolicy) -> SharingPolicy:
    """Policy that allows a track only if every policy allows it."""

    def policy(tracks: TrackSet, recipient: int) -> BoolArray:
        mask = np.ones(len(tracks), dtype=bool)
        for p in policies:
            mask &= np.asarray(p(tracks, recipient), dtype=bool)
        return mask

    return policy
