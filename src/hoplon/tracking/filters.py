"""Batched Kalman-family filters: KF, EKF, UKF and IMM (Predictor / Updater roles).

All functions work on ``n`` tracks at once: means ``x`` (n, d), covariances ``P`` (n, d, d),
measurements ``z`` (n, k) with covariances ``R`` (n, k, k). Symbols follow FilterPy.

Prediction (KF/EKF): ``x⁻ = f(x, T)``, ``P⁻ = F P Fᵀ + Q`` with ``F = ∂f/∂x``.

Update (KF/EKF), Joseph form:
``ν = z - h(x⁻)`` (angles wrapped), ``S = H P⁻ Hᵀ + R``, ``K = P⁻ Hᵀ S⁻¹``,
``x⁺ = x⁻ + K ν``, ``P⁺ = (I - K H) P⁻ (I - K H)ᵀ + K R Kᵀ``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numba
import numpy as np
from numpy.typing import NDArray

from hoplon.errors import InputError
from hoplon.tracking.models import (
    Ballistic,
    LineOfSight,
    MeasurementModel,
    TransitionModel,
    wrap_angle,
)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def _T(A: FloatArray) -> FloatArray:
    return np.swapaxes(A, -1, -2)


def symmetrise(P: FloatArray) -> FloatArray:
    """``(P + Pᵀ)/2``."""
    return 0.5 * (P + _T(P))


def check_covariance(R: FloatArray, field: str = "R") -> None:
    """Raise :class:`InputError` naming ``field`` unless each ``R`` is symmetric pos. definite."""
    R = np.asarray(R, dtype=float)
    if R.ndim < 2 or R.shape[-1] != R.shape[-2] or not np.all(np.isfinite(R)):
        raise InputError(field, "must be finite square matrices", "symmetric positive definite")
    if not np.allclose(R, _T(R), rtol=1e-9, atol=1e-12 * max(1.0, float(np.abs(R).max()))):
        raise InputError(field, "covariance is not symmetric", "symmetric positive definite")
    if np.any(np.linalg.eigvalsh(R)[..., 0] <= 0.0):
        raise InputError(
            field, "covariance is not positive definite", "symmetric positive definite"
        )


def wrap_residual(nu: FloatArray, angle_indices: Sequence[int]) -> FloatArray:
    """Wrap the angle components of residuals ``nu`` (..., k) to ``[-π, π)``."""
    if len(angle_indices):
        nu = nu.copy()
        idx = list(angle_indices)
        nu[..., idx] = wrap_angle(nu[..., idx])
    return nu


# --------------------------------------------------------------------------------------
# KF / EKF


def kf_predict(
    x: FloatArray, P: FloatArray, F: FloatArray, Q: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Linear prediction ``x⁻ = F x``, ``P⁻ = F P Fᵀ + Q`` (F, Q: (d, d) or (n, d, d))."""
    x_pred = np.einsum("...ij,...j->...i", F, x)
    P_pred = symmetrise(F @ P @ _T(F) + Q)
    return x_pred, P_pred


def ekf_predict(
    x: FloatArray, P: FloatArray, model: TransitionModel, dt: FloatArray | float
) -> tuple[FloatArray, FloatArray]:
    """EKF prediction over ``dt`` [s] with a transition model (linear models: exact KF).

    Ballistic models predict in one numba kernel (:meth:`Ballistic.predict_into`, bit for
    bit :func:`_ekf_predict_numpy`)."""
    if isinstance(model, Ballistic):
        x = np.asarray(x, dtype=float)
        P = np.asarray(P, dtype=float)
        if model._kernel_fits(x) and P.shape == (*x.shape, x.shape[1]):
            n, d = x.shape
            x_out, P_out = np.empty((n, d)), np.empty((n, d, d))
            model.predict_into(x, P, np.arange(n), dt, x_out, P_out)
            return x_out, P_out
    return _ekf_predict_numpy(x, P, model, dt)


def _ekf_predict_numpy(
    x: FloatArray, P: FloatArray, model: TransitionModel, dt: FloatArray | float
) -> tuple[FloatArray, FloatArray]:
    """numpy formulation of :func:`ekf_predict` (its reference for ballistic models)."""
    x_pred, F = model.transition(x, dt)
    Q = model.covar(dt, x)
    return x_pred, symmetrise(F @ P @ _T(F) + Q)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _kf_update_kernel(
    x: FloatArray,
    P: FloatArray,
    nu: FloatArray,
    H: FloatArray,
    R: FloatArray,
    x_out: FloatArray,
    P_out: FloatArray,
    S_out: FloatArray,
    ix: IntArray,
    ih: IntArray,
    ir: IntArray,
) -> bool:
    """Joseph-form Kalman update of each pair ``j`` on its own (see :func:`kf_update`): the
    track ``x[ix[j]]``, ``P[ix[j]]`` with ``nu[ih[j]]``, ``H[ih[j]]``, ``R[ir[j]]`` into
    ``x_out[ix[j]]``, ``P_out[ix[j]]`` (may be ``x``, ``P``: a row is read before it is
    written; rows ``ix`` distinct) and ``S_out[j]``. ``S⁻¹`` by LU with partial pivoting.
    False if some ``S`` is exactly singular."""
    d = x.shape[1]
    n = ix.shape[0]
    k = nu.shape[1]
    PHt = np.empty((d, k))
    S = np.empty((k, k))
    LU = np.empty((k, k))
    perm = np.empty(k, dtype=np.int64)
    col = np.empty(k)
    K = np.empty((d, k))
    IKH = np.empty((d, d))
    T = np.empty((d, d))
    KR = np.empty((d, k))
    ok = True
    for j in range(n):
        i, hj, rj = ix[j], ih[j], ir[j]
        for a in range(d):  # P Hᵀ
            for b in range(k):
                s = 0.0
                for c in range(d):
                    s += P[i, a, c] * H[hj, b, c]
                PHt[a, b] = s
        for a in range(k):  # H P Hᵀ + R
            for b in range(k):
                s = 0.0
                for c in range(d):
                    s += H[hj, a, c] * PHt[c, b]
                S[a, b] = s + R[rj, a, b]
        for a in range(k):  # symmetrise
            for b in range(k):
                LU[a, b] = 0.5 * (S[a, b] + S[b, a])
                S_out[j, a, b] = LU[a, b]
        for a in range(k):  # LU factors with partial pivoting, in place
            perm[a] = a
        for c in range(k):
            p = c
            for a in range(c + 1, k):
                if abs(LU[a, c]) > abs(LU[p, c]):
                    p = a
            if p != c:
                for b in range(k):
                    LU[c, b], LU[p, b] = LU[p, b], LU[c, b]
                perm[c], perm[p] = perm[p], perm[c]
            if LU[c, c] == 0.0:
                ok = False
            for a in range(c + 1, k):
                LU[a, c] = LU[a, c] / LU[c, c]
                for b in range(c + 1, k):
                    LU[a, b] -= LU[a, c] * LU[c, b]
        for r in range(d):  # row r of K solves S Kᵣᵀ = (P Hᵀ)ᵣᵀ
            for a in range(k):
                col[a] = PHt[r, perm[a]]
            for a in range(k):
                s = col[a]
                for b in range(a):
                    s -= LU[a, b] * col[b]
                col[a] = s
            for a in range(k - 1, -1, -1):
                s = col[a]
                for b in range(a + 1, k):
                    s -= LU[a, b] * col[b]
                col[a] = s / LU[a, a]
            for a in range(k):
                K[r, a] = col[a]
        for a in range(d):  # x + K ν
            s = 0.0
            for b in range(k):
                s += K[a, b] * nu[hj, b]
            x_out[i, a] = x[i, a] + s
        for a in range(d):  # I - K H
            for b in range(d):
                s = 0.0
                for c in range(k):
                    s += K[a, c] * H[hj, c, b]
                IKH[a, b] = (1.0 if a == b else 0.0) - s
        for a in range(d):  # (I - K H) P
            for b in range(d):
                s = 0.0
                for c in range(d):
                    s += IKH[a, c] * P[i, c, b]
                T[a, b] = s
        for a in range(d):  # K R
            for b in range(k):
                s = 0.0
                for c in range(k):
                    s += K[a, c] * R[rj, c, b]
                KR[a, b] = s
        for a in range(d):  # (I - K H) P (I - K H)ᵀ + K R Kᵀ, then symmetrised
            for b in range(a, d):
                s = 0.0
                for c in range(d):
                    s += T[a, c] * IKH[b, c]
                t = 0.0
                for c in range(k):
                    t += KR[a, c] * K[b, c]
                P_out[i, a, b] = s + t
                if b > a:
                    s2 = 0.0
                    for c in range(d):
                        s2 += T[b, c] * IKH[a, c]
                    t2 = 0.0
                    for c in range(k):
                        t2 += KR[b, c] * K[a, c]
                    P_out[i, b, a] = s2 + t2
        for a in range(d):
            for b in range(a + 1, d):
                m = 0.5 * (P_out[i, a, b] + P_out[i, b, a])
                P_out[i, a, b] = m
                P_out[i, b, a] = m
    return ok


def kf_update(
    x: FloatArray,
    P: FloatArray,
    nu: FloatArray,
    H: FloatArray,
    R: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Kalman update from residuals ``nu`` (n, k), Jacobians ``H`` (n, k, d), noise ``R``.

    Returns ``x⁺``, ``P⁺`` (Joseph form) and ``S``. Each row is computed on its own (numba
    kernel); :func:`_kf_update_numpy` is the numpy reference.
    """
    x = np.asarray(x, dtype=float)
    P = np.asarray(P, dtype=float)
    nu = np.asarray(nu, dtype=float)
    if x.ndim != 2 or P.ndim != 3 or nu.ndim != 2:
        return _kf_update_numpy(x, P, nu, H, R)
    n, d = x.shape
    k = nu.shape[1]
    H = np.ascontiguousarray(np.broadcast_to(np.asarray(H, dtype=float), (n, k, d)))
    R = np.ascontiguousarray(np.broadcast_to(np.asarray(R, dtype=float), (n, k, k)))
    x_new = np.empty((n, d))
    P_new = np.empty((n, d, d))
    S = np.empty((n, k, k))
    rows = np.arange(n)
    ok = _kf_update_kernel(
        np.ascontiguousarray(x),
        np.ascontiguousarray(P),
        np.ascontiguousarray(nu),
        H,
        R,
        x_new,
        P_new,
        S,
        rows,
        rows,
        rows,
    )
    if not ok:
        raise np.linalg.LinAlgError("Singular matrix")
    return x_new, P_new, S


def kf_update_rows(
    x: FloatArray,
    P: FloatArray,
    rows: IntArray,
    nu: FloatArray,
    H: FloatArray,
    R: FloatArray,
    r_rows: IntArray,
) -> None:
    """In-place :func:`kf_update` of the tracks ``rows`` (distinct) of ``x`` (N, d), ``P``
    (N, d, d) (C-contiguous float): row ``rows[j]`` with the residual ``nu[j]``, the Jacobian
    ``H[j]`` and the noise ``R[r_rows[j]]`` (so ``R`` need not be gathered). Bit for bit
    ``x[rows], P[rows], _ = kf_update(x[rows], P[rows], nu, H, R[r_rows])``."""
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    m = rows.shape[0]
    if not m:
        return
    k, d = nu.shape[1], x.shape[1]
    ok = _kf_update_kernel(
        x,
        P,
        np.ascontiguousarray(nu, dtype=float),
        np.ascontiguousarray(H, dtype=float).reshape(m, k, d),
        np.ascontiguousarray(R, dtype=float),
        x,
        P,
        np.empty((m, k, k)),
        rows,
        np.arange(m),
        np.ascontiguousarray(r_rows, dtype=np.int64),
    )
    if not ok:
        raise np.linalg.LinAlgError("Singular matrix")


def _kf_update_numpy(
    x: FloatArray,
    P: FloatArray,
    nu: FloatArray,
    H: FloatArray,
    R: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """numpy reference of :func:`kf_update` (tests and benchmarks compare with it)."""
    PHt = P @ _T(H)
    S = symmetrise(H @ PHt + R)
    K = _T(np.linalg.solve(S, _T(PHt)))  # K = P Hᵀ S⁻¹, S symmetric
    x_new = x + np.einsum("nij,nj->ni", K, nu)
    I_KH = np.eye(x.shape[-1]) - K @ H
    P_new = I_KH @ P @ _T(I_KH) + K @ R @ _T(K)
    return x_new, symmetrise(P_new), S


def _los_regularise(model: MeasurementModel, zhat: FloatArray, R: FloatArray) -> FloatArray:
    if isinstance(model, LineOfSight):
        return R + model.regularise * np.einsum("ni,nj->nij", zhat, zhat) + 0.0
    return R


def ekf_update(
    x: FloatArray,
    P: FloatArray,
    z: FloatArray,
    R: FloatArray,
    model: MeasurementModel,
    site: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray]:
    """EKF update of ``n`` tracks with one measurement each (rows paired)."""
    zhat = model.function(x, site)
    H = model.jacobian(x, site)
    nu = wrap_residual(z - zhat, model.angle_indices)
    R = _los_regularise(model, zhat, np.broadcast_to(R, (x.shape[0], *R.shape[-2:])))
    x_new, P_new, _ = kf_update(x, P, nu, H, R)
    return x_new, P_new


def innovation(
    x: FloatArray, P: FloatArray, model: MeasurementModel, site: FloatArray | None = None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Predicted measurement ``h(x)`` (n, k), ``H`` (n, k, d) and ``H P Hᵀ`` (n, k, k)."""
    zhat = model.function(x, site)
    H = model.jacobian(x, site)
    return zhat, H, symmetrise(H @ P @ _T(H))


# --------------------------------------------------------------------------------------
# UKF


@dataclass(frozen=True)
class MerweSigmaPoints:
    """Scaled sigma points of Wan & van der Merwe (FilterPy ``MerweScaledSigmaPoints``).

    ``λ = α² (d + κ) - d``; ``χ₀ = x``, ``χᵢ = x ± [√((d+λ) P)]ᵢ`` (columns of the lower
    Cholesky factor); ``Wm₀ = λ/(d+λ)``, ``Wc₀ = Wm₀ + 1 - α² + β``,
    ``Wmᵢ = Wcᵢ = 1/(2(d+λ))``.
    """

    alpha: float = 1e-3
    beta: float = 2.0
    kappa: float = 0.0

    def __post_init__(self) -> None:
        if not self.alpha > 0.0:
            raise InputError("alpha", f"must be > 0, got {self.alpha}", "> 0")

    def weights(self, d: int) -> tuple[FloatArray, FloatArray]:
        lam = self.alpha**2 * (d + self.kappa) - d
        Wm = np.full(2 * d + 1, 0.5 / (d + lam))
        Wc = Wm.copy()
        Wm[0] = lam / (d + lam)
        Wc[0] = Wm[0] + 1.0 - self.alpha**2 + self.beta
        return Wm, Wc

    def points(self, x: FloatArray, P: FloatArray) -> FloatArray:
        """Sigma points (n, 2d+1, d) of means (n, d) and covariances (n, d, d)."""
        _n, d = x.shape
        lam = self.alpha**2 * (d + self.kappa) - d
        L = np.linalg.cholesky((d + lam) * P)
        cols = _T(L)  # rows are the columns of L
        return np.concatenate([x[:, None, :], x[:, None, :] + cols, x[:, None, :] - cols], axis=1)


def _unscented_mean(Y: FloatArray, Wm: FloatArray, angle_indices: Sequence[int]) -> FloatArray:
    """Weighted mean of sigma points Y (n, s, k), angles averaged about the central point."""
    if not len(angle_indices):
        return np.einsum("s,nsk->nk", Wm, Y)
    base = Y[:, 0, :]
    dev = wrap_residual(Y - base[:, None, :], angle_indices)
    mean = base + np.einsum("s,nsk->nk", Wm, dev)
    return wrap_residual(mean, angle_indices)


def ukf_predict(
    x: FloatArray,
    P: FloatArray,
    model: TransitionModel,
    dt: FloatArray | float,
    points: MerweSigmaPoints = MerweSigmaPoints(),
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Unscented prediction. Returns ``x⁻``, ``P⁻ = Σ Wcᵢ (χᵢ - x⁻)(χᵢ - x⁻)ᵀ + Q`` and the
    propagated sigma points ``f(χ)`` (n, 2d+1, d)."""
    n, d = x.shape
    X = points.points(x, P)
    s = X.shape[1]
    dts = np.repeat(np.broadcast_to(np.asarray(dt, dtype=float), (n,)), s)
    Xf = model.function(X.reshape(n * s, d), dts).reshape(n, s, d)
    Wm, Wc = points.weights(d)
    x_pred = np.einsum("s,nsd->nd", Wm, Xf)
    dev = Xf - x_pred[:, None, :]
    P_pred = np.einsum("s,nsi,nsj->nij", Wc, dev, dev) + model.covar(dt, x)
    return x_pred, symmetrise(P_pred), Xf


def ukf_update(
    x: FloatArray,
    P: FloatArray,
    z: FloatArray,
    R: FloatArray,
    model: MeasurementModel,
    site: FloatArray | None = None,
    points: MerweSigmaPoints = MerweSigmaPoints(),
    sigmas: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Unscented update. By default the sigma points are redrawn from the predicted
    ``(x, P)`` (as FilterPy and Stone Soup do); ``sigmas`` (n, 2d+1, d) overrides them.

    ``ẑ = Σ Wmᵢ h(χᵢ)``, ``S = Σ Wcᵢ (h(χᵢ)-ẑ)(·)ᵀ + R``, ``Pxz = Σ Wcᵢ (χᵢ-x)(h(χᵢ)-ẑ)ᵀ``,
    ``K = Pxz S⁻¹``, ``x⁺ = x + K (z - ẑ)``, ``P⁺ = P - K S Kᵀ``.
    """
    n, d = x.shape
    X = points.points(x, P) if sigmas is None else sigmas
    s = X.shape[1]
    site_rep = None
    if site is not None:
        site = np.asarray(site, dtype=float)
        site_rep = site if site.ndim == 1 else np.repeat(site, s, axis=0)
    Z = model.function(X.reshape(n * s, d), site_rep).reshape(n, s, -1)
    Wm, Wc = points.weights(d)
    ang = model.angle_indices
    zhat = _unscented_mean(Z, Wm, ang)
    dz = wrap_residual(Z - zhat[:, None, :], ang)
    R = np.broadcast_to(R, (n, *R.shape[-2:]))
    R = _los_regularise(model, zhat, R)
    S = symmetrise(np.einsum("s,nsi,nsj->nij", Wc, dz, dz) + R)
    Pxz = np.einsum("s,nsi,nsj->nij", Wc, X - x[:, None, :], dz)
    K = _T(np.linalg.solve(S, _T(Pxz)))
    nu = wrap_residual(z - zhat, ang)
    x_new = x + np.einsum("nij,nj->ni", K, nu)
    P_new = P - K @ S @ _T(K)
    return x_new, symmetrise(P_new)


# --------------------------------------------------------------------------------------
# IMM


@dataclass
class IMMState:
    """IMM state of ``n`` tracks with ``r`` modes.

    ``x`` (n, r, d) mode-conditioned means, ``P`` (n, r, d, d), ``mu`` (n, r) mode
    probabilities.
    """

    x: FloatArray
    P: FloatArray
    mu: FloatArray

    def combined(self) -> tuple[FloatArray, FloatArray]:
        """Moment-matched ``x = Σ μⱼ xⱼ``, ``P = Σ μⱼ (Pⱼ + (xⱼ - x)(xⱼ - x)ᵀ)``."""
        xc = np.einsum("nr,nrd->nd", self.mu, self.x)
        dev = self.x - xc[:, None, :]
        Pc = np.einsum("nr,nrij->nij", self.mu, self.P + np.einsum("nri,nrj->nrij", dev, dev))
        return xc, symmetrise(Pc)


def _check_markov(Pi: FloatArray, r: int) -> FloatArray:
    Pi = np.asarray(Pi, dtype=float)
    if Pi.shape != (r, r) or np.any(Pi < 0) or not np.allclose(Pi.sum(axis=1), 1.0):
        raise InputError(
            "transition_matrix",
            "must be a row-stochastic (r, r) matrix",
            "non-negative rows summing to 1",
        )
    return Pi


def imm_predict(
    state: IMMState,
    models: Sequence[TransitionModel],
    transition_matrix: FloatArray,
    dt: FloatArray | float,
) -> IMMState:
    """IMM interaction (mixing) and mode-matched EKF predictions.

    ``c̄ⱼ = Σᵢ πᵢⱼ μᵢ``, ``μᵢ|ⱼ = πᵢⱼ μᵢ / c̄ⱼ``, ``x₀ⱼ = Σᵢ μᵢ|ⱼ xᵢ``,
    ``P₀ⱼ = Σᵢ μᵢ|ⱼ (Pᵢ + (xᵢ - x₀ⱼ)(·)ᵀ)``; each mode then predicts from ``(x₀ⱼ, P₀ⱼ)``.
    The returned ``mu`` holds the predicted mode probabilities ``c̄``.
    """
    _n, r, _d = state.x.shape
    Pi = _check_markov(transition_matrix, r)
    cbar = state.mu @ Pi  # (n, r)
    w = state.mu[:, :, None] * Pi[None, :, :] / np.maximum(cbar[:, None, :], 1e-300)  # i|j
    x0 = np.einsum("nij,nid->njd", w, state.x)
    dev = state.x[:, :, None, :] - x0[:, None, :, :]  # (n, i, j, d)
    P0 = np.einsum(
        "nij,nijab->njab", w, state.P[:, :, None] + np.einsum("nija,nijb->nijab", dev, dev)
    )
    xs = np.empty_like(state.x)
    Ps = np.empty_like(state.P)
    for j, model in enumerate(models):
        xs[:, j], Ps[:, j] = ekf_predict(x0[:, j], P0[:, j], model, dt)
    return IMMState(xs, Ps, cbar)


def imm_update(
    state: IMMState,
    z: FloatArray,
    R: FloatArray,
    model: MeasurementModel,
    site: FloatArray | None = None,
) -> IMMState:
    """Mode-matched EKF updates and mode probabilities ``μⱼ ∝ Λⱼ c̄ⱼ`` with the Gaussian
    likelihoods ``Λⱼ = N(νⱼ; 0, Sⱼ)``."""
    n, r, _d = state.x.shape
    xs = np.empty_like(state.x)
    Ps = np.empty_like(state.P)
    loglik = np.empty((n, r))
    for j in range(r):
        zhat = model.function(state.x[:, j], site)
        H = model.jacobian(state.x[:, j], site)
        nu = wrap_residual(z - zhat, model.angle_indices)
        Rj = np.broadcast_to(R, (n, *R.shape[-2:]))
        xs[:, j], Ps[:, j], S = kf_update(state.x[:, j], state.P[:, j], nu, H, Rj)
        _, logdet = np.linalg.slogdet(2.0 * np.pi * S)
        loglik[:, j] = -0.5 * (
            np.einsum("ni,ni->n", nu, np.linalg.solve(S, nu[..., None])[..., 0]) + logdet
        )
    logpost = loglik + np.log(np.maximum(state.mu, 1e-300))
    logpost -= logpost.max(axis=1, keepdims=True)
    mu = np.exp(logpost)
    mu /= mu.sum(axis=1, keepdims=True)
    return IMMState(xs, Ps, mu)


def unscented_innovation(
    x: FloatArray,
    P: FloatArray,
    model: MeasurementModel,
    site: FloatArray | None = None,
    points: MerweSigmaPoints = MerweSigmaPoints(),
) -> tuple[FloatArray, FloatArray]:
    """Unscented predicted measurement ``ẑ`` (n, k) and its covariance without ``R``."""
    n, d = x.shape
    X = points.points(x, P)
    s = X.shape[1]
    site_rep = None
    if site is not None:
        site = np.asarray(site, dtype=float)
        site_rep = site if site.ndim == 1 else np.repeat(site, s, axis=0)
    Z = model.function(X.reshape(n * s, d), site_rep).reshape(n, s, -1)
    Wm, Wc = points.weights(d)
    zhat = _unscented_mean(Z, Wm, model.angle_indices)
    dz = wrap_residual(Z - zhat[:, None, :], model.angle_indices)
    return zhat, symmetrise(np.einsum("s,nsi,nsj->nij", Wc, dz, dz))
