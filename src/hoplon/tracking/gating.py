"""Gating (Hypothesiser role): batched Mahalanobis distances tracks x measurements.

For track ``i`` with predicted measurement ``ẑᵢ`` and ``Hᵢ Pᵢ Hᵢᵀ``, and measurement ``j``
with ``zⱼ``, ``Rⱼ``: ``νᵢⱼ = zⱼ - ẑᵢ`` (angles wrapped), ``Sᵢⱼ = Hᵢ Pᵢ Hᵢᵀ + Rⱼ`` and
``d²ᵢⱼ = νᵢⱼᵀ Sᵢⱼ⁻¹ νᵢⱼ``, which is χ²(k) distributed for the correct pairing; the gate
is ``d² ≤ γ`` with ``γ`` the χ²(k) quantile of the gate probability.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
import scipy.stats
from numpy.typing import NDArray

from hoplon.errors import InputError
from hoplon.tracking.filters import wrap_residual

FloatArray = NDArray[np.float64]


def chi2_gate(probability: float, dim: int) -> float:
    """Gate threshold ``γ`` on ``d²`` with ``P(χ²(dim) ≤ γ) = probability``."""
    return _chi2_gate(float(probability), int(dim))


@functools.lru_cache(maxsize=256)
def _chi2_gate(probability: float, dim: int) -> float:
    if not 0.0 < probability < 1.0:
        raise InputError("gate_probability", f"must be in (0, 1), got {probability}", "(0, 1)")
    if dim < 1:
        raise InputError("dim", f"must be >= 1, got {dim}", ">= 1")
    return float(scipy.stats.chi2.ppf(probability, dim))


def check_gate(gate: float, field: str = "gate") -> float:
    """Validate a gate threshold (must be > 0)."""
    if np.isnan(gate) or not gate > 0.0:
        raise InputError(field, f"must be > 0, got {gate}", "> 0")
    return float(gate)


def mahalanobis_matrix(
    zhat: FloatArray,
    HPHt: FloatArray,
    z: FloatArray,
    R: FloatArray,
    angle_indices: Sequence[int] = (),
) -> FloatArray:
    """Squared Mahalanobis distances ``d²`` (n, m) of measurements to predicted measurements.

    Parameters
    ----------
    zhat : (n, k) predicted measurements of the tracks.
    HPHt : (n, k, k) their covariances without measurement noise.
    z : (m, k) measurements; R : (m, k, k) their noise covariances.
    angle_indices : components of ``z`` that are angles [rad].
    """
    n, _k = zhat.shape
    m = z.shape[0]
    if n == 0 or m == 0:
        return np.zeros((n, m))
    nu = wrap_residual(z[None, :, :] - zhat[:, None, :], angle_indices)  # (n, m, k)
    if np.all(R == R[0]):
        # one R for the whole scan: invert n matrices instead of n*m
        Sinv = np.linalg.inv(HPHt + R[0])
        return np.einsum("nmi,nij,nmj->nm", nu, Sinv, nu)
    S = HPHt[:, None] + R[None, :]
    sol = np.linalg.solve(S, nu[..., None])[..., 0]
    return np.einsum("nmi,nmi->nm", nu, sol)
