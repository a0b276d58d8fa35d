"""Motion (transition) and measurement models, batched over tracks.

Every transition model maps states ``x`` of shape ``(n, d)`` over time steps ``dt`` [s]
(a scalar or one per track, ``(n,)``) and gives

- ``function(x, dt)``: the predicted mean ``f(x, dt)`` (n, d);
- ``transition(x, dt)``: the predicted mean and its Jacobian ``F = ∂f/∂x`` (n, d, d);
- ``covar(dt, x)``: the process noise covariance ``Q`` (n, d, d).

Every measurement model maps states to measurements relative to a sensor site
``site`` (ECEF [m], ``(3,)`` for one site or ``(n, 3)`` for one per state) and gives
``function(x, site)`` (n, k), ``jacobian(x, site)`` (n, k, d) and the indices of the
components that are angles (their residuals are wrapped to ``[-π, π)``).

State layout: position components first, then velocity (then acceleration), e.g.
``[x, y, z, vx, vy, vz]`` for a 3-D constant-velocity model (FilterPy users: this is a
permutation of the interleaved ``[x, vx, y, vy, ...]`` layout of Stone Soup).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numba
import numpy as np
import scipy.linalg
from llvmlite import ir
from numba.core import types
from numba.extending import intrinsic
from numpy.typing import NDArray

from hoplon.earth.constants import (
    J2_EARTH,
    MU_EARTH_M3_S2,
    OMEGA_EARTH_RAD_S,
    WGS84_A_M,
    WGS84_F,
)
from hoplon.errors import InputError
from hoplon.tracking._geo import enu_matrix_at

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


# --------------------------------------------------------------------------------------
# helpers


@intrinsic
def _fma(typingctx, a, b, c):  # type: ignore[no-untyped-def]  # pragma: no cover
    """``a * b + c`` rounded once (LLVM ``llvm.fma.f64``), for numba kernels."""
    sig = types.float64(types.float64, types.float64, types.float64)

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        f64 = ir.DoubleType()
        fn = builder.module.declare_intrinsic("llvm.fma", [f64], ir.FunctionType(f64, [f64] * 3))
        return builder.call(fn, args)

    return sig, codegen


def _dt_array(dt: FloatArray | float, n: int) -> FloatArray:
    return np.broadcast_to(np.asarray(dt, dtype=float), (n,)).astype(float)


def _kron_identity(B: FloatArray, ndim: int) -> FloatArray:
    """Batched ``kron(B, I_ndim)``: (n, k, k) -> (n, k*ndim, k*ndim)."""
    n, k, _ = B.shape
    eye = np.eye(ndim)
    return np.einsum("nij,ab->niajb", B, eye).reshape(n, k * ndim, k * ndim)


def wrap_angle(a: FloatArray) -> FloatArray:
    """Wrap angles [rad] to ``[-π, π)``."""
    return (np.asarray(a) + np.pi) % (2.0 * np.pi) - np.pi


# --------------------------------------------------------------------------------------
# linear kinematic models


@dataclass(frozen=True)
class ConstantVelocity:
    """Nearly-constant-velocity model (white-noise acceleration), state ``[p, v]``.

    ``F = [[I, T I], [0, I]]``. Process noise, with ``q`` the acceleration noise:

    - ``noise="continuous"`` (CWNA, Stone Soup ``ConstantVelocity``; ``q`` is the power
      spectral density [m²/s³]): ``Q = q [[T³/3, T²/2], [T²/2, T]] ⊗ I``;
    - ``noise="discrete"`` (DWNA, piecewise-constant acceleration; ``q`` is the variance
      σ_a² [m²/s⁴]; Kalata's α-β model): ``Q = q [[T⁴/4, T³/2], [T³/2, T²]] ⊗ I``.
    """

    q: float
    ndim: int = 3
    noise: str = "continuous"

    def __post_init__(self) -> None:
        if not self.q >= 0.0:
            raise InputError("q", f"process noise must be >= 0, got {self.q}", ">= 0")
        if self.noise not in ("continuous", "discrete"):
            raise InputError("noise", f"unknown noise model {self.noise!r}", "continuous, discrete")

    @property
    def dim(self) -> int:
        return 2 * self.ndim

    def matrix(self, dt: FloatArray | float, n: int = 1) -> FloatArray:
        T = _dt_array(dt, n)
        B = np.zeros((n, 2, 2))
        B[:, 0, 0] = B[:, 1, 1] = 1.0
        B[:, 0, 1] = T
        return _kron_identity(B, self.ndim)

    def function(self, x: FloatArray, dt: FloatArray | float) -> FloatArray:
        F = self.matrix(dt, x.shape[0])
        return np.einsum("nij,nj->ni", F, x)

    def transition(self, x: FloatArray, dt: FloatArray | float) -> tuple[FloatArray, FloatArray]:
        F = self.matrix(dt, x.shape[0])
        return np.einsum("nij,nj->ni", F, x), F

    def covar(self, dt: FloatArray | float, x: FloatArray | None = None, n: int = 1) -> FloatArray:
        n = x.shape[0] if x is not None else n
        T = _dt_array(dt, n)
        B = np.empty((n, 2, 2))
        if self.noise == "continuous":
            B[:, 0, 0] = T**3 / 3.0
            B[:, 0, 1] = B[:, 1, 0] = T**2 / 2.0
            B[:, 1, 1] = np.abs(T)
        else:
            B[:, 0, 0] = T**4 / 4.0
            B[:, 0, 1] = B[:, 1, 0] = T**3 / 2.0
            B[:, 1, 1] = T**2
        return self.q * _kron_identity(B, self.ndim)


@dataclass(frozen=True)
class ConstantAcceleration:
    """Nearly-constant-acceleration model (white-noise jerk, PSD ``q`` [m²/s⁵]), ``[p, v, a]``.

    ``F = [[I, T, T²/2], [0, I, T], [0, 0, I]]``,
    ``Q = q [[T⁵/20, T⁴/8, T³/6], [T⁴/8, T³/3, T²/2], [T³/6, T²/2, T]] ⊗ I``.
    """

    q: float
    ndim: int = 3

    def __post_init__(self) -> None:
        if not self.q >= 0.0:
            raise InputError("q", f"process noise must be >= 0, got {self.q}", ">= 0")

    @property
    def dim(self) -> int:
        return 3 * self.ndim

    def matrix(self, dt: FloatArray | float, n: int = 1) -> FloatArray:
        T = _dt_array(dt, n)
        B = np.zeros((n, 3, 3))
        B[:, 0, 0] = B[:, 1, 1] = B[:, 2, 2] = 1.0
        B[:, 0, 1] = B[:, 1, 2] = T
        B[:, 0, 2] = T**2 / 2.0
        return _kron_identity(B, self.ndim)

    def function(self, x: FloatArray, dt: FloatArray | float) -> FloatArray:
        return np.einsum("nij,nj->ni", self.matrix(dt, x.shape[0]), x)

    def transition(self, x: FloatArray, dt: FloatArray | float) -> tuple[FloatArray, FloatArray]:
        F = self.matrix(dt, x.shape[0])
        return np.einsum("nij,nj->ni", F, x), F

    def covar(self, dt: FloatArray | float, x: FloatArray | None = None, n: int = 1) -> FloatArray:
        n = x.shape[0] if x is not None else n
        T = np.abs(_dt_array(dt, n))
        B = np.empty((n, 3, 3))
        B[:, 0, 0] = T**5 / 20.0
        B[:, 0, 1] = B[:, 1, 0] = T**4 / 8.0
        B[:, 0, 2] = B[:, 2, 0] = T**3 / 6.0
        B[:, 1, 1] = T**3 / 3.0
        B[:, 1, 2] = B[:, 2, 1] = T**2 / 2.0
        B[:, 2, 2] = T
        return self.q * _kron_identity(B, self.ndim)


@lru_cache(maxsize=256)
def _singer_blocks(alpha: float, spectral: float, T: float) -> tuple[FloatArray, FloatArray]:
    """Discrete (F, Q) of one axis of the Singer model by Van Loan's method."""
    A = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, -alpha]])
    G = np.array([[0.0], [0.0], [1.0]])
    M = np.zeros((6, 6))
    M[:3, :3] = -A
    M[:3, 3:] = G @ G.T * spectral
    M[3:, 3:] = A.T
    E = scipy.linalg.expm(M * T)
    F = E[3:, 3:].T
    Q = F @ E[:3, 3:]
    return F, 0.5 * (Q + Q.T)


@dataclass(frozen=True)
class Singer:
    """Singer manoeuvre model: acceleration is a first-order Gauss-Markov process.

    ``ȧ = -a/τ + w``, ``E[w w] = 2 σ_m² / τ`` (τ [s] manoeuvre time constant, σ_m [m/s²]
    manoeuvre acceleration standard deviation). State ``[p, v, a]`` per axis; ``F`` and
    ``Q`` are the exact discretisation (Van Loan's matrix exponential).
    """

    tau_s: float
    sigma_m_mps2: float
    ndim: int = 3

    def __post_init__(self) -> None:
        if not self.tau_s > 0.0:
            raise InputError("tau_s", f"must be > 0, got {self.tau_s}", "> 0 s")
        if not self.sigma_m_mps2 >= 0.0:
            raise InputError("sigma_m_mps2", f"must be >= 0, got {self.sigma_m_mps2}", ">= 0")

    @property
    def dim(self) -> int:
        return 3 * self.ndim

    def _blocks(self, dt: FloatArray | float, n: int) -> tuple[FloatArray, FloatArray]:
        T = _dt_array(dt, n)
        Fb = np.empty((n, 3, 3))
        Qb = np.empty((n, 3, 3))
        spectral = 2.0 * self.sigma_m_mps2**2 / self.tau_s
        for t in np.unique(T):
            F1, Q1 = _singer_blocks(1.0 / self.tau_s, spectral, abs(float(t)))
            if t < 0:
                F1 = np.linalg.inv(F1)
            sel = T == t
            Fb[sel] = F1
            Qb[sel] = Q1
        return _kron_identity(Fb, self.ndim), _kron_identity(Qb, self.ndim)

    def matrix(self, dt: FloatArray | float, n: int = 1) -> FloatArray:
        return self._blocks(dt, n)[0]

    def function(self, x: FloatArray, dt: FloatArray | float) -> FloatArray:
        return np.einsum("nij,nj->ni", self.matrix(dt, x.shape[0]), x)

    def transition(self, x: FloatArray, dt: FloatArray | float) -> tuple[FloatArray, FloatArray]:
        F = self.matrix(dt, x.shape[0])
        return np.einsum("nij,nj->ni", F, x), F

    def covar(self, dt: FloatArray | float, x: FloatArray | None = None, n: int = 1) -> FloatArray:
        n = x.shape[0] if x is not None else n
        return self._blocks(dt, n)[1]


# --------------------------------------------------------------------------------------
# ballistic model in ECEF


#: Sea-level density [kg/m³] and scale height [m] of the exponential atmosphere used by the
#: tracking model (US Standard Atmosphere 1976 sea level; 7.2 km scale height, a common fit
#: below 100 km, e.g. Zarchan, *Tactical and Strategic Missile Guidance*, ch. on re-entry).
RHO0_KG_M3 = 1.225
SCALE_HEIGHT_M = 7200.0


def _ellipsoid_height(r: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Approximate height above the WGS84 ellipsoid [m] and |r| of ECEF points (n, 3)."""
    rn = np.linalg.norm(r, axis=-1)
    s2 = (r[:, 2] / rn) ** 2
    return rn - WGS84_A_M * (1.0 - WGS84_F * s2), rn


# numba kernels of the ballistic model: one track at a time, each on its own (a row's
# result never depends on the other rows; the sub-step count ``nsub`` is passed in).


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _bl_gravity(r0: float, r1: float, r2: float, mu: float, use_j2: bool, g: FloatArray) -> None:
    """Point-mass (+ J2) gravity [m/s²] at ECEF ``r`` into ``g`` (3,), as ``_gravity``."""
    rn = np.sqrt(r0 * r0 + r1 * r1 + r2 * r2)
    rn3 = rn**3
    g[0] = -mu * r0 / rn3
    g[1] = -mu * r1 / rn3
    g[2] = -mu * r2 / rn3
    if use_j2:
        z2 = (r2 / rn) ** 2
        k = 1.5 * J2_EARTH * mu * WGS84_A_M**2 / rn**5
        f = 5.0 * z2 - 1.0
        g[0] = g[0] + k * r0 * f
        g[1] = g[1] + k * r1 * f
        g[2] = g[2] + k * r2 * f - k * (2.0 * r2)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _bl_density(r0: float, r1: float, r2: float, rho0: float, scale_h: float) -> float:
    """Exponential-atmosphere density [kg/m³] at ECEF ``r``, as ``_density``."""
    rn = np.sqrt(r0 * r0 + r1 * r1 + r2 * r2)
    s2 = (r2 / rn) ** 2
    h = rn - WGS84_A_M * (1.0 - WGS84_F * s2)
    return rho0 * np.exp(-max(h, -5e3) / scale_h)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _bl_derivative(
    x: FloatArray,
    mu: float,
    use_j2: bool,
    rotating: bool,
    wz: float,
    drag: bool,
    rho0: float,
    scale_h: float,
    g: FloatArray,
    xd: FloatArray,
) -> None:
    """``ẋ`` of one state ``x`` (d,) into ``xd`` (d,), as :meth:`Ballistic.derivative`."""
    _bl_gravity(x[0], x[1], x[2], mu, use_j2, g)
    a0, a1, a2 = g[0], g[1], g[2]
    if rotating:
        a0 += 2.0 * wz * x[4] + wz * wz * x[0]
        a1 += -2.0 * wz * x[3] + wz * wz * x[1]
    if drag:
        beta = max(x[6], 1.0)
        rho = _bl_density(x[0], x[1], x[2], rho0, scale_h)
        vn = np.sqrt(x[3] * x[3] + x[4] * x[4] + x[5] * x[5])
        a0 = a0 - rho * vn * x[3] / (2.0 * beta)
        a1 = a1 - rho * vn * x[4] / (2.0 * beta)
        a2 = a2 - rho * vn * x[5] / (2.0 * beta)
    xd[:] = 0.0
    xd[0], xd[1], xd[2] = x[3], x[4], x[5]
    xd[3], xd[4], xd[5] = a0, a1, a2


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _bl_jacobian(
    x: FloatArray,
    mu: float,
    use_j2: bool,
    rotating: bool,
    wz: float,
    drag: bool,
    rho0: float,
    scale_h: float,
    g: FloatArray,
    gm: FloatArray,
    A: FloatArray,
) -> None:
    """Rows 3-5 of ``A = ∂ẋ/∂x`` of one state into ``A`` (3, d), as
    :meth:`Ballistic.derivative_jacobian` (rows 0-2 are ``[0 I 0]``, the others zero)."""
    d = x.shape[0]
    r0, r1, r2 = x[0], x[1], x[2]
    A[:, :] = 0.0
    rn = np.sqrt(r0 * r0 + r1 * r1 + r2 * r2)
    u0, u1, u2 = r0 / rn, r1 / rn, r2 / rn
    c = -(mu / rn**3)
    A[0, 0] = c * (1.0 - 3.0 * (u0 * u0))
    A[0, 1] = c * (0.0 - 3.0 * (u0 * u1))
    A[0, 2] = c * (0.0 - 3.0 * (u0 * u2))
    A[1, 0] = c * (0.0 - 3.0 * (u1 * u0))
    A[1, 1] = c * (1.0 - 3.0 * (u1 * u1))
    A[1, 2] = c * (0.0 - 3.0 * (u1 * u2))
    A[2, 0] = c * (0.0 - 3.0 * (u2 * u0))
    A[2, 1] = c * (0.0 - 3.0 * (u2 * u1))
    A[2, 2] = c * (1.0 - 3.0 * (u2 * u2))
    if use_j2:  # J2 part by central differences, step 1e-3 |r|
        eps = 1e-3 * rn
        for j in range(3):
            p0, p1, p2 = r0, r1, r2
            m0, m1, m2 = r0, r1, r2
            if j == 0:
                p0, m0 = r0 + eps, r0 - eps
            elif j == 1:
                p1, m1 = r1 + eps, r1 - eps
            else:
                p2, m2 = r2 + eps, r2 - eps
            _bl_gravity(p0, p1, p2, mu, True, g)
            _bl_gravity(p0, p1, p2, mu, False, gm)
            fp0, fp1, fp2 = g[0] - gm[0], g[1] - gm[1], g[2] - gm[2]
            _bl_gravity(m0, m1, m2, mu, True, g)
            _bl_gravity(m0, m1, m2, mu, False, gm)
            A[0, j] += (fp0 - (g[0] - gm[0])) / (2.0 * eps)
            A[1, j] += (fp1 - (g[1] - gm[1])) / (2.0 * eps)
            A[2, j] += (fp2 - (g[2] - gm[2])) / (2.0 * eps)
    if rotating:  # -W W = diag(w², w², 0), -2 W
        A[0, 0] += wz * wz
        A[1, 1] += wz * wz
        A[0, 4] += 2.0 * wz
        A[1, 3] += -2.0 * wz
    if drag and d > 6:
        v0, v1, v2 = x[3], x[4], x[5]
        beta = max(x[6], 1.0)
        rho = _bl_density(r0, r1, r2, rho0, scale_h)
        vn = np.sqrt(v0 * v0 + v1 * v1 + v2 * v2)
        k = rho / (2.0 * beta)
        vm = max(vn, 1e-9)
        for a in range(3):
            va = x[3 + a]
            for b in range(3):
                A[a, 3 + b] += -k * ((vn if a == b else 0.0) + va * x[3 + b] / vm)
        # dρ/dr = -ρ/H dh/dr, h = |r| - a (1 - f z²/|r|²)
        fac = WGS84_A_M * WGS84_F * (-2.0 * r2 * r2 / rn**4)
        dh0 = u0 + fac * r0
        dh1 = u1 + fac * r1
        dh2 = u2 + fac * r2 + WGS84_A_M * WGS84_F * 2.0 * r2 / rn**2
        s = k * vn / scale_h
        for a in range(3):
            va = x[3 + a]
            A[a, 0] += s * (va * dh0)
            A[a, 1] += s * (va * dh1)
            A[a, 2] += s * (va * dh2)
            A[a, 6] = rho * vn / (2.0 * beta**2) * va


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _bl_rhs(
    x: FloatArray,
    Phi: FloatArray,
    mu: float,
    use_j2: bool,
    rotating: bool,
    wz: float,
    drag: bool,
    rho0: float,
    scale_h: float,
    with_phi: bool,
    g: FloatArray,
    gm: FloatArray,
    A: FloatArray,
    k: FloatArray,
    m: FloatArray,
) -> None:
    """``k = ẋ`` and ``m = A(x) Φ`` of one track."""
    _bl_derivative(x, mu, use_j2, rotating, wz, drag, rho0, scale_h, g, k)
    if not with_phi:
        return
    d = x.shape[0]
    _bl_jacobian(x, mu, use_j2, rotating, wz, drag, rho0, scale_h, g, gm, A)
    for c in range(d):
        m[0, c] = Phi[3, c]
        m[1, c] = Phi[4, c]
        m[2, c] = Phi[5, c]
        for a in range(3):
            s = 0.0
            for b in range(d):
                s += A[a, b] * Phi[b, c]
            m[3 + a, c] = s
        for a in range(6, d):
            m[a, c] = 0.0


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _rk_stage(
    x: FloatArray, Phi: FloatArray, c: float, k: FloatArray, m: FloatArray, with_phi: bool,
    xt: FloatArray, Pt: FloatArray,
) -> None:  # pragma: no cover - compiled  # fmt: skip
    """One RK4 stage point: ``xt = x + c k`` and (with ``with_phi``) ``Pt = Φ + c m``."""
    d = x.shape[0]
    for a in range(d):
        xt[a] = x[a] + c * k[a]
        if with_phi:
            for b in range(d):
                Pt[a, b] = Phi[a, b] + c * m[a, b]


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _ballistic_kernel(
    x0: FloatArray,
    h: FloatArray,
    nsub: int,
    mu: float,
    use_j2: bool,
    rotating: bool,
    wz: float,
    drag: bool,
    rho0: float,
    scale_h: float,
    with_phi: bool,
    x_out: FloatArray,
    Phi_out: FloatArray,
) -> None:
    """RK4 propagation of each track ``i`` by ``nsub`` steps ``h[i]`` [s] of its state (and,
    with ``with_phi``, of ``Φ̇ = A Φ`` from ``Φ = I``) into ``x_out`` (n, d), ``Phi_out``
    (n, d, d). Tracks are computed one at a time, each on its own."""
    n, d = x0.shape
    g = np.empty(3)
    gm = np.empty(3)
    A = np.empty((3, d))
    x = np.empty(d)
    xt = np.empty(d)
    k1, k2, k3, k4 = np.empty(d), np.empty(d), np.empty(d), np.empty(d)
    Phi = np.empty((d, d))
    Pt = np.empty((d, d))
    m1, m2, m3, m4 = np.empty((d, d)), np.empty((d, d)), np.empty((d, d)), np.empty((d, d))
    for i in range(n):
        hi = h[i]
        for a in range(d):
            x[a] = x0[i, a]
        Phi[:, :] = 0.0
        for a in range(d):
            Phi[a, a] = 1.0
        for _ in range(nsub):
            _bl_rhs(
                x, Phi, mu, use_j2, rotating, wz, drag, rho0, scale_h, with_phi, g, gm, A, k1, m1
            )
            _rk_stage(x, Phi, 0.5 * hi, k1, m1, with_phi, xt, Pt)
            _bl_rhs(
                xt, Pt, mu, use_j2, rotating, wz, drag, rho0, scale_h, with_phi, g, gm, A, k2, m2
            )
            _rk_stage(x, Phi, 0.5 * hi, k2, m2, with_phi, xt, Pt)
            _bl_rhs(
                xt, Pt, mu, use_j2, rotating, wz, drag, rho0, scale_h, with_phi, g, gm, A, k3, m3
            )
            _rk_stage(x, Phi, hi, k3, m3, with_phi, xt, Pt)
            _bl_rhs(
                xt, Pt, mu, use_j2, rotating, wz, drag, rho0, scale_h, with_phi, g, gm, A, k4, m4
            )
            for a in range(d):
                x[a] = x[a] + hi / 6.0 * (k1[a] + 2.0 * k2[a] + 2.0 * k3[a] + k4[a])
                if with_phi:
                    for b in range(d):
                        Phi[a, b] = Phi[a, b] + hi / 6.0 * (
                            m1[a, b] + 2.0 * m2[a, b] + 2.0 * m3[a, b] + m4[a, b]
                        )
        for a in range(d):
            x_out[i, a] = x[a]
            if with_phi:
                for b in range(d):
                    Phi_out[i, a, b] = Phi[a, b]


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _ballistic_predict_kernel(
    x_in: FloatArray,
    P_in: FloatArray,
    rows: IntArray,
    h: FloatArray,
    Q: FloatArray,
    nsub: int,
    mu: float,
    use_j2: bool,
    rotating: bool,
    wz: float,
    drag: bool,
    rho0: float,
    scale_h: float,
    x_out: FloatArray,
    P_out: FloatArray,
) -> None:
    """EKF prediction of the tracks ``rows`` (``j``-th: step ``h[j]``, noise ``Q[j]``, or
    ``Q[0]`` for all where ``Q`` holds one matrix):
    ``x⁻`` and ``Φ`` as :func:`_ballistic_kernel` (the same code, with ``with_phi``), then
    ``P⁻ = sym(Φ P Φᵀ + Q)``, into ``x_out[rows]``, ``P_out[rows]`` (may be ``x_in``,
    ``P_in``: a row is read before it is written).

    The products are summed as numpy's ``@`` (OpenBLAS ``dgemm``) sums them: each element
    a chain of fused multiply-adds in index order from 0.0; ``sym(M) = 0.5 (M + Mᵀ)``."""
    d = x_in.shape[1]
    with_phi = True
    g = np.empty(3)
    gm = np.empty(3)
    A = np.empty((3, d))
    x = np.empty(d)
    xt = np.empty(d)
    k1, k2, k3, k4 = np.empty(d), np.empty(d), np.empty(d), np.empty(d)
    Phi = np.empty((d, d))
    Pt = np.empty((d, d))
    m1, m2, m3, m4 = np.empty((d, d)), np.empty((d, d)), np.empty((d, d)), np.empty((d, d))
    FP = np.empty((d, d))
    M = np.empty((d, d))
    for j in range(rows.shape[0]):
        i = rows[j]
        hi = h[j]
        jq = j if Q.shape[0] > 1 else 0
        for a in range(d):
            x[a] = x_in[i, a]
        Phi[:, :] = 0.0
        for a in range(d):
            Phi[a, a] = 1.0
        for _ in range(nsub):
            _bl_rhs(
                x, Phi, mu, use_j2, rotating, wz, drag, rho0, scale_h, with_phi, g, gm, A, k1, m1
            )
            _rk_stage(x, Phi, 0.5 * hi, k1, m1, with_phi, xt, Pt)
            _bl_rhs(
                xt, Pt, mu, use_j2, rotating, wz, drag, rho0, scale_h, with_phi, g, gm, A, k2, m2
            )
            _rk_stage(x, Phi, 0.5 * hi, k2, m2, with_phi, xt, Pt)
            _bl_rhs(
                xt, Pt, mu, use_j2, rotating, wz, drag, rho0, scale_h, with_phi, g, gm, A, k3, m3
            )
            _rk_stage(x, Phi, hi, k3, m3, with_phi, xt, Pt)
            _bl_rhs(
                xt, Pt, mu, use_j2, rotating, wz, drag, rho0, scale_h, with_phi, g, gm, A, k4, m4
            )
            for a in range(d):
                x[a] = x[a] + hi / 6.0 * (k1[a] + 2.0 * k2[a] + 2.0 * k3[a] + k4[a])
                for b in range(d):
                    Phi[a, b] = Phi[a, b] + hi / 6.0 * (
                        m1[a, b] + 2.0 * m2[a, b] + 2.0 * m3[a, b] + m4[a, b]
                    )
        for a in range(d):  # Φ P
            for b in range(d):
                s = 0.0
                for c in range(d):
                    s = _fma(Phi[a, c], P_in[i, c, b], s)
                FP[a, b] = s
        for a in range(d):  # (Φ P) Φᵀ + Q
            for b in range(d):
                s = 0.0
                for c in range(d):
                    s = _fma(FP[a, c], Phi[b, c], s)
                M[a, b] = s + Q[jq, a, b]
        for a in range(d):
            x_out[i, a] = x[a]
            for b in range(d):
                P_out[i, a, b] = 0.5 * (M[a, b] + M[b, a])


@dataclass(frozen=True)
class Ballistic:
    """Ballistic flight in the rotating ECEF frame, state ``[r, v]`` or ``[r, v, β]``.

    ``r̈ = g(r) - 2 ω × v - ω × (ω × r) - ρ(h) |v| v / (2 β)``

    with ``g`` the point-mass (``-μ r/|r|³``) or point-mass + J2 gravity, ω the Earth's
    rotation, ρ(h) an exponential atmosphere and β [kg/m²] the ballistic coefficient
    ``m / (C_D A)`` (the 7th state when ``drag=True``). Means are propagated with RK4 in
    sub-steps of at most ``max_step_s``; the Jacobian ``F`` is the state transition matrix
    integrated with the same RK4 steps from ``Φ̇ = A(x) Φ`` with the analytic ``A = ∂ẋ/∂x``
    (the J2 part by central differences). Process noise: white acceleration of PSD ``q``
    [m²/s³] on ``[r, v]`` and a random walk of PSD ``q_beta`` [kg²/m⁴/s] on β.
    """

    q: float = 1.0
    gravity: str = "point_mass"
    drag: bool = False
    rotating: bool = True
    q_beta: float = 1.0
    max_step_s: float = 2.0
    mu_m3_s2: float = MU_EARTH_M3_S2
    rho0_kg_m3: float = RHO0_KG_M3
    scale_height_m: float = SCALE_HEIGHT_M
    _omega: FloatArray = field(
        default_factory=lambda: np.array([0.0, 0.0, OMEGA_EARTH_RAD_S]), repr=False
    )

    def __post_init__(self) -> None:
        if self.gravity not in ("point_mass", "j2"):
            raise InputError("gravity", f"unknown gravity model {self.gravity!r}", "point_mass, j2")
        if not self.q >= 0.0:
            raise InputError("q", f"process noise must be >= 0, got {self.q}", ">= 0")
        if not self.max_step_s > 0.0:
            raise InputError("max_step_s", f"must be > 0, got {self.max_step_s}", "> 0 s")

    @property
    def dim(self) -> int:
        return 7 if self.drag else 6

    # -- dynamics --------------------------------------------------------------------
    def _gravity(self, r: FloatArray) -> FloatArray:
        rn = np.linalg.norm(r, axis=-1, keepdims=True)
        g = -self.mu_m3_s2 * r / rn**3
        if self.gravity == "j2":
            z2 = (r[:, 2:3] / rn) ** 2
            k = 1.5 * J2_EARTH * self.mu_m3_s2 * WGS84_A_M**2 / rn**5
            g = (
                g
                + k * r * (5.0 * z2 - 1.0)
                - k * np.concatenate([np.zeros_like(r[:, :2]), 2.0 * r[:, 2:3]], axis=-1)
            )
        return g

    def _density(self, r: FloatArray) -> FloatArray:
        h, _ = _ellipsoid_height(r)
        return self.rho0_kg_m3 * np.exp(-np.clip(h, -5e3, None) / self.scale_height_m)

    def derivative(self, x: FloatArray) -> FloatArray:
        """``ẋ`` (n, d) of states ``x`` (n, d)."""
        r, v = x[:, :3], x[:, 3:6]
        a = self._gravity(r)
        if self.rotating:
            # Coriolis -2 w x v and centrifugal -w x (w x r), written out for w = (0, 0, wz)
            # (np.cross costs ~30 us per call on these small arrays)
            wz = self._omega[2]
            a = a.copy()
            a[:, 0] += 2.0 * wz * v[:, 1] + wz * wz * r[:, 0]
            a[:, 1] += -2.0 * wz * v[:, 0] + wz * wz * r[:, 1]
        if self.drag:
            beta = np.maximum(x[:, 6:7], 1.0)
            a = a - self._density(r)[:, None] * np.linalg.norm(v, axis=-1, keepdims=True) * v / (
                2.0 * beta
            )
        xd = np.zeros_like(x)
        xd[:, :3] = v
        xd[:, 3:6] = a
        return xd

    def derivative_jacobian(self, x: FloatArray) -> FloatArray:
        """``A = ∂ẋ/∂x`` (n, d, d)."""
        n, d = x.shape
        r, v = x[:, :3], x[:, 3:6]
        A = np.zeros((n, d, d))
        A[:, :3, 3:6] = np.eye(3)
        rn = np.linalg.norm(r, axis=-1)
        u = r / rn[:, None]
        G = -(self.mu_m3_s2 / rn**3)[:, None, None] * (
            np.eye(3) - 3.0 * np.einsum("ni,nj->nij", u, u)
        )
        if self.gravity == "j2":
            eps = 1e-3 * rn
            for j in range(3):
                dr = np.zeros_like(r)
                dr[:, j] = eps
                pm = Ballistic(gravity="point_mass", mu_m3_s2=self.mu_m3_s2)
                full_p = self._gravity(r + dr) - pm._gravity(r + dr)
                full_m = self._gravity(r - dr) - pm._gravity(r - dr)
                G[:, :, j] += (full_p - full_m) / (2.0 * eps[:, None])
        A[:, 3:6, :3] = G
        if self.rotating:
            W = np.array([[0.0, -self._omega[2], 0.0], [self._omega[2], 0.0, 0.0], [0, 0, 0]])
            A[:, 3:6, :3] += -W @ W
            A[:, 3:6, 3:6] += -2.0 * W
        if self.drag:
            beta = np.maximum(x[:, 6], 1.0)
            rho = self._density(r)
            vn = np.linalg.norm(v, axis=-1)
            k = rho / (2.0 * beta)
            A[:, 3:6, 3:6] += -k[:, None, None] * (
                vn[:, None, None] * np.eye(3)
                + np.einsum("ni,nj->nij", v, v) / np.maximum(vn, 1e-9)[:, None, None]
            )
            # dρ/dr = -ρ/H dh/dr, h = |r| - a (1 - f z²/|r|²)
            z = r[:, 2]
            dh = u + (WGS84_A_M * WGS84_F * (-2.0 * z * z / rn**4))[:, None] * r
            dh[:, 2] += WGS84_A_M * WGS84_F * 2.0 * z / rn**2
            A[:, 3:6, :3] += (k * vn / self.scale_height_m)[:, None, None] * np.einsum(
                "ni,nj->nij", v, dh
            )
            A[:, 3:6, 6] = (rho * vn / (2.0 * beta**2))[:, None] * v
        return A

    # -- propagation -----------------------------------------------------------------
    def _steps(self, dt: FloatArray) -> tuple[int, FloatArray]:
        nsub = max(1, int(np.ceil(np.max(np.abs(dt), initial=0.0) / self.max_step_s)))
        return nsub, dt / nsub

    def _propagate(
        self, x: FloatArray, dt: FloatArray | float, with_phi: bool
    ) -> tuple[FloatArray, FloatArray]:
        """Both public propagators: the numba kernel, one track at a time."""
        x = np.ascontiguousarray(x, dtype=float)
        n, d = x.shape
        nsub, h = self._steps(_dt_array(dt, n))
        x_out = np.empty((n, d))
        Phi = np.empty((n, d, d) if with_phi else (0, d, d))
        _ballistic_kernel(
            x,
            np.ascontiguousarray(h),
            nsub,
            float(self.mu_m3_s2),
            self.gravity == "j2",
            bool(self.rotating),
            float(self._omega[2]),
            bool(self.drag),
            float(self.rho0_kg_m3),
            float(self.scale_height_m),
            with_phi,
            x_out,
            Phi,
        )
        return x_out, Phi

    def _kernel_fits(self, x: FloatArray) -> bool:
        return x.ndim == 2 and x.shape[1] >= (7 if self.drag else 6)

    def function(self, x: FloatArray, dt: FloatArray | float) -> FloatArray:
        """RK4-propagated states after ``dt`` [s] (negative ``dt`` propagates backwards).

        All tracks take the same number of sub-steps, ``ceil(max |dt| / max_step_s)`` over
        the call; each track is then integrated on its own (numba kernel).
        """
        x = np.asarray(x, dtype=float)
        if not self._kernel_fits(x):
            return self._function_numpy(x, dt)
        return self._propagate(x, dt, with_phi=False)[0]

    def transition(self, x: FloatArray, dt: FloatArray | float) -> tuple[FloatArray, FloatArray]:
        """Propagated states and the state transition matrices ``Φ(t+dt, t)`` (n, d, d)."""
        x = np.asarray(x, dtype=float)
        if not self._kernel_fits(x):
            return self._transition_numpy(x, dt)
        return self._propagate(x, dt, with_phi=True)

    def predict_into(
        self,
        x: FloatArray,
        P: FloatArray,
        rows: IntArray,
        dt: FloatArray | float,
        x_out: FloatArray,
        P_out: FloatArray,
    ) -> None:
        """EKF prediction of the tracks ``rows`` of ``x`` (N, d), ``P`` (N, d, d) over ``dt``
        [s] (scalar or one per row of ``rows``) into the same rows of ``x_out``, ``P_out``
        (C-contiguous; may be ``x``, ``P`` themselves: in place).

        Bit for bit ``filters.ekf_predict(x[rows], P[rows], self, dt)``, i.e.
        ``x⁻, Φ = transition(x, dt)`` and ``P⁻ = sym(Φ P Φᵀ + covar(dt))`` with the products
        as numpy's ``@`` computes them (fused multiply-add chains, as OpenBLAS), one track at
        a time in one numba kernel."""
        rows = np.ascontiguousarray(rows, dtype=np.int64)
        m = rows.shape[0]
        if not m:
            return
        if np.ndim(dt) == 0:  # as _steps and covar of a constant dt, without the arrays
            t = float(dt)
            nsub = max(1, math.ceil(abs(t) / self.max_step_s))
            h = np.full(m, t / nsub)
            Q = self._covar_of(t)
        else:
            T = _dt_array(dt, m)
            nsub, h = self._steps(T)
            # one noise matrix for all where dt is (rows of covar are independent)
            Q = self._covar_of(float(T[0])) if np.all(T == T[0]) else self.covar(T, n=m)
        _ballistic_predict_kernel(
            np.ascontiguousarray(x, dtype=float),
            np.ascontiguousarray(P, dtype=float),
            rows,
            h,
            Q,
            nsub,
            float(self.mu_m3_s2),
            self.gravity == "j2",
            bool(self.rotating),
            float(self._omega[2]),
            bool(self.drag),
            float(self.rho0_kg_m3),
            float(self.scale_height_m),
            x_out,
            P_out,
        )

    # numpy reference implementations (tests and benchmarks compare the kernel with them)
    def _function_numpy(self, x: FloatArray, dt: FloatArray | float) -> FloatArray:
        x = np.asarray(x, dtype=float)
        nsub, h = self._steps(_dt_array(dt, x.shape[0]))
        hc = h[:, None]
        for _ in range(nsub):
            k1 = self.derivative(x)
            k2 = self.derivative(x + 0.5 * hc * k1)
            k3 = self.derivative(x + 0.5 * hc * k2)
            k4 = self.derivative(x + hc * k3)
            x = x + hc / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        return x

    def _transition_numpy(
        self, x: FloatArray, dt: FloatArray | float
    ) -> tuple[FloatArray, FloatArray]:
        x = np.asarray(x, dtype=float)
        n, d = x.shape
        nsub, h = self._steps(_dt_array(dt, n))
        hc, h3 = h[:, None], h[:, None, None]
        Phi = np.broadcast_to(np.eye(d), (n, d, d)).copy()

        def rhs(xx: FloatArray, PP: FloatArray) -> tuple[FloatArray, FloatArray]:
            return self.derivative(xx), self.derivative_jacobian(xx) @ PP

        for _ in range(nsub):
            k1, m1 = rhs(x, Phi)
            k2, m2 = rhs(x + 0.5 * hc * k1, Phi + 0.5 * h3 * m1)
            k3, m3 = rhs(x + 0.5 * hc * k2, Phi + 0.5 * h3 * m2)
            k4, m4 = rhs(x + hc * k3, Phi + h3 * m3)
            x = x + hc / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
            Phi = Phi + h3 / 6.0 * (m1 + 2.0 * m2 + 2.0 * m3 + m4)
        return x, Phi

    def _covar_of(self, t: float) -> FloatArray:
        """``covar(t, n=1)`` (1, d, d), cached per step ``t`` (steps repeat every frame)."""
        cache: dict[float, FloatArray] = self.__dict__.setdefault("_covar_cache", {})
        Q = cache.get(t)
        if Q is None:
            if len(cache) >= 256:
                cache.clear()
            Q = cache[t] = self.covar(np.array([t]), n=1)
            Q.flags.writeable = False
        return Q

    def covar(self, dt: FloatArray | float, x: FloatArray | None = None, n: int = 1) -> FloatArray:
        n = x.shape[0] if x is not None else n
        T = _dt_array(dt, n)
        Q = np.zeros((n, self.dim, self.dim))
        Q[:, :6, :6] = ConstantVelocity(self.q).covar(T, n=n)
        if self.drag:
            Q[:, 6, 6] = self.q_beta * np.abs(T)
        return Q


# --------------------------------------------------------------------------------------
# measurement models


def _site_rotation(site: FloatArray, n: int) -> FloatArray:
    """ECEF->ENU rotation(s) for sites ``(3,)`` -> (3, 3) or ``(n, 3)`` -> (n, 3, 3)."""
    site = np.asarray(site, dtype=float)
    if site.ndim == 1:
        return enu_matrix_at(site)
    if site.shape[0] > 1 and np.all(site == site[0]):
        return enu_matrix_at(site[0])
    return enu_matrix_at(site)


@dataclass(frozen=True)
class RadarRAE:
    """Radar range / azimuth / elevation (and optionally range rate) of an ECEF state.

    With ``d = M (r - s)`` the target's ENU offset ``[e, n, u]`` from the site ``s`` (``M``
    the ECEF->ENU rotation at the site's geodetic latitude and longitude):

    ``ρ = |d|``, ``az = atan2(e, n)`` (clockwise from north), ``el = atan2(u, √(e²+n²))``,
    and for ``with_rate=True`` ``ρ̇ = (r - s)·v / ρ`` (site fixed in ECEF).

    Jacobian (analytic), with ``h² = e² + n²``:
    ``∂ρ/∂d = dᵀ/ρ``; ``∂az/∂d = [n, -e, 0]/h²``; ``∂el/∂d = [-e u, -n u, h²]/(ρ² h)``;
    ``∂/∂r = ∂/∂d · M``; ``∂ρ̇/∂r = vᵀ/ρ - ρ̇ (r-s)ᵀ/ρ²``, ``∂ρ̇/∂v = (r-s)ᵀ/ρ``.
    """

    with_rate: bool = False

    @property
    def dim(self) -> int:
        return 4 if self.with_rate else 3

    @property
    def angle_indices(self) -> tuple[int, ...]:
        return (1,)

    def function(self, x: FloatArray, site: FloatArray) -> FloatArray:
        n = x.shape[0]
        M = _site_rotation(site, n)
        rel = x[:, :3] - site
        d = np.einsum("...ij,nj->ni", M, rel) if M.ndim == 2 else np.einsum("nij,nj->ni", M, rel)
        rng = np.linalg.norm(d, axis=-1)
        out = np.empty((n, self.dim))
        out[:, 0] = rng
        out[:, 1] = np.arctan2(d[:, 0], d[:, 1])
        out[:, 2] = np.arctan2(d[:, 2], np.hypot(d[:, 0], d[:, 1]))
        if self.with_rate:
            out[:, 3] = np.einsum("ni,ni->n", rel, x[:, 3:6]) / rng
        return out

    def jacobian(self, x: FloatArray, site: FloatArray) -> FloatArray:
        n, dx = x.shape
        M = _site_rotation(site, n)
        rel = x[:, :3] - site
        d = np.einsum("ij,nj->ni", M, rel) if M.ndim == 2 else np.einsum("nij,nj->ni", M, rel)
        e, no, u = d[:, 0], d[:, 1], d[:, 2]
        h2 = e * e + no * no
        h = np.sqrt(h2)
        r2 = h2 + u * u
        rng = np.sqrt(r2)
        J = np.zeros((n, 3, 3))
        J[:, 0] = d / rng[:, None]
        J[:, 1, 0] = no / h2
        J[:, 1, 1] = -e / h2
        J[:, 2, 0] = -e * u / (r2 * h)
        J[:, 2, 1] = -no * u / (r2 * h)
        J[:, 2, 2] = h / r2
        H = np.zeros((n, self.dim, dx))
        H[:, :3, :3] = J @ M
        if self.with_rate:
            v = x[:, 3:6]
            rdot = np.einsum("ni,ni->n", rel, v) / rng
            H[:, 3, :3] = v / rng[:, None] - (rdot / r2)[:, None] * rel
            H[:, 3, 3:6] = rel / rng[:, None]
        return H


@dataclass(frozen=True)
class AnglesAE:
    """Angle-only azimuth / elevation [rad] (infrared), as :class:`RadarRAE` without range."""

    @property
    def dim(self) -> int:
        return 2

    @property
    def angle_indices(self) -> tuple[int, ...]:
        return (0,)

    def function(self, x: FloatArray, site: FloatArray) -> FloatArray:
        return RadarRAE().function(x, site)[:, 1:3]

    def jacobian(self, x: FloatArray, site: FloatArray) -> FloatArray:
        return RadarRAE().jacobian(x, site)[:, 1:3]


@dataclass(frozen=True)
class LineOfSight:
    """Unit line-of-sight vector ``u = (r - s)/|r - s|`` in ECEF (space-based infrared).

    ``∂u/∂r = (I - u uᵀ)/|r - s|``. The residual of a unit vector lies in the plane normal
    to ``u``, so ``S = H P Hᵀ + R`` is singular along ``u``; the updaters add
    ``los_regularisation`` times ``u uᵀ`` (see :attr:`regularise`).
    """

    regularise: float = 1e-12

    @property
    def dim(self) -> int:
        return 3

    @property
    def angle_indices(self) -> tuple[int, ...]:
        return ()

    def function(self, x: FloatArray, site: FloatArray) -> FloatArray:
        rel = x[:, :3] - site
        return rel / np.linalg.norm(rel, axis=-1, keepdims=True)

    def jacobian(self, x: FloatArray, site: FloatArray) -> FloatArray:
        rel = x[:, :3] - site
        rng = np.linalg.norm(rel, axis=-1)
        u = rel / rng[:, None]
        H = np.zeros((x.shape[0], 3, x.shape[1]))
        H[:, :, :3] = (np.eye(3) - np.einsum("ni,nj->nij", u, u)) / rng[:, None, None]
        return H


@dataclass(frozen=True)
class LinearPosition:
    """Linear position measurement ``z = H x`` with ``H = [I 0]`` (``ndim`` position axes)."""

    ndim: int = 3

    @property
    def dim(self) -> int:
        return self.ndim

    @property
    def angle_indices(self) -> tuple[int, ...]:
        return ()

    def function(self, x: FloatArray, site: FloatArray | None = None) -> FloatArray:
        return x[:, : self.ndim].copy()

    def jacobian(self, x: FloatArray, site: FloatArray | None = None) -> FloatArray:
        H = np.zeros((x.shape[0], self.ndim, x.shape[1]))
        H[:, :, : self.ndim] = np.eye(self.ndim)
        return H


MeasurementModel = RadarRAE | AnglesAE | LineOfSight | LinearPosition
TransitionModel = ConstantVelocity | ConstantAcceleration | Singer | Ballistic


def measurement_model_for(kind: str) -> MeasurementModel:
    """The measurement model matching a :class:`~hoplon.sensors.measurements.MeasurementKind`."""
    models: dict[str, MeasurementModel] = {
        "rae": RadarRAE(),
        "rae_rate": RadarRAE(with_rate=True),
        "angles": AnglesAE(),
        "los_ecef": LineOfSight(),
    }
    if str(kind) not in models:
        raise InputError("kind", f"no measurement model for {kind!r}", ", ".join(models))
    return models[str(kind)]


def rae_to_ecef(z: FloatArray, R: FloatArray, site: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Converted measurement: RAE (m, 3) -> ECEF positions (m, 3) and covariances (m, 3, 3).

    ``d = ρ [cos el sin az, cos el cos az, sin el]`` (ENU), ``r = s + Mᵀ d``, and the
    linearised covariance ``P = J R Jᵀ`` with ``J = Mᵀ ∂d/∂(ρ, az, el)``.
    """
    z = np.asarray(z, dtype=float)
    m = z.shape[0]
    rho, az, el = z[:, 0], z[:, 1], z[:, 2]
    ce, se, ca, sa = np.cos(el), np.sin(el), np.cos(az), np.sin(az)
    d = np.stack([rho * ce * sa, rho * ce * ca, rho * se], axis=-1)
    Jd = np.empty((m, 3, 3))
    Jd[:, :, 0] = np.stack([ce * sa, ce * ca, se], axis=-1)
    Jd[:, :, 1] = np.stack([rho * ce * ca, -rho * ce * sa, np.zeros(m)], axis=-1)
    Jd[:, :, 2] = np.stack([-rho * se * sa, -rho * se * ca, rho * ce], axis=-1)
    M = _site_rotation(site, m)
    MT = np.swapaxes(M, -1, -2)
    r = np.asarray(site) + (
        np.einsum("ij,nj->ni", MT, d) if MT.ndim == 2 else np.einsum("nij,nj->ni", MT, d)
    )
    J = MT @ Jd
    return r, J @ R[:, :3, :3] @ np.swapaxes(J, -1, -2)
