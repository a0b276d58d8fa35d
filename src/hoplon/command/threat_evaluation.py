r"""Threat evaluation: which defended asset each track threatens, how much, and when.

Input is the tracker's *belief* about each threat's impact (mean latitude/longitude, a 2x2
east/north covariance in metres and the predicted impact time), never truth. For every
track x asset pair the probability that the impact falls inside the asset's disc is

.. math:: P_{hit} = \iint_{|x - d| \le R} \mathcal{N}(x;\,0,\,P)\,dx

with ``d`` the asset centre in the local east/north plane at the mean impact point [m] and
``R`` the asset radius [m]. Whitening :math:`x = L y` (:math:`P = L L^T`) turns the density
into a standard normal and the disc into an ellipse; along a ray :math:`y = \rho u(\theta)`
from the mean the radial integral is exact, so

.. math:: P_{hit} = \frac{1}{2\pi}\int \bigl(e^{-\rho_1^2/2} - e^{-\rho_2^2/2}\bigr)\,d\theta,

where :math:`[\rho_1, \rho_2]` is the part of the ray inside the ellipse. When the mean is
inside the disc (:math:`\rho_1 = 0`) the periodic integrand is summed with the trapezoid
rule; otherwise only the angular sector that sees the disc is integrated, with Gauss-Legendre
nodes after :math:`\theta = \theta_c + h \sin\varphi` (removes the square-root behaviour at the
tangent rays).

For an isotropic covariance :math:`P = s^2 I` (what the simulation engine produces) the
probability has a closed form: :math:`|x - d|^2 / s^2` is noncentral chi-square with 2 degrees
of freedom and noncentrality :math:`|d|^2/s^2`, so

.. math:: P_{hit} = F_{\chi'^2_2}\bigl(R^2/s^2;\ |d|^2/s^2\bigr) = 1 - Q_1(|d|/s,\ R/s)

(:math:`Q_1` the Marcum Q function), see :func:`p_impact_in_disc_isotropic`;
:func:`evaluate_threats` uses it for every isotropic row. The value at risk is
:math:`P_{hit} \cdot value`.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray

from hoplon.command import _validate
from hoplon.earth.frames import WGS84, enu_matrix, geodetic_to_ecef
from hoplon.errors import InputError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class DefendedAsset:
    """A defended ground area: a disc on the ellipsoid.

    Attributes
    ----------
    name : str
        Unique name.
    lat_rad, lon_rad : float
        Geodetic latitude and longitude of the centre [rad].
    radius_m : float
        Radius of the defended area [m], > 0.
    value : float
        Relative value, >= 0 [-].
    owner : str
        Partner (force) that owns the asset.
    """

    name: str
    lat_rad: float
    lon_rad: float
    radius_m: float
    value: float = 1.0
    owner: str = ""

    def __post_init__(self) -> None:
        if not -math.pi / 2 <= self.lat_rad <= math.pi / 2:
            raise InputError(
                f"assets.{self.name}.lat_rad", "latitude out of range", "[-pi/2, pi/2]"
            )
        if not (math.isfinite(self.radius_m) and self.radius_m > 0):
            raise InputError(f"assets.{self.name}.radius_m", "must be > 0", "radius > 0 m")
        _validate.nonnegative(f"assets.{self.name}.value", self.value)


@dataclass(frozen=True)
class ImpactPredictions:
    """Predicted impact points of ``T`` tracks (the tracker's belief).

    Attributes
    ----------
    track_id : (T,) int
        Track identifiers.
    lat_rad, lon_rad : (T,) float
        Mean predicted impact point [rad].
    cov_en_m2 : (T, 2, 2) float
        Impact-point covariance in the local east/north plane [m^2].
    impact_time_s : (T,) float
        Predicted impact time [s since epoch].
    """

    track_id: IntArray
    lat_rad: FloatArray
    lon_rad: FloatArray
    cov_en_m2: FloatArray
    impact_time_s: FloatArray

    def __post_init__(self) -> None:
        n = len(self.track_id)
        for name in ("lat_rad", "lon_rad", "impact_time_s"):
            if np.shape(getattr(self, name)) != (n,):
                raise InputError(f"impacts.{name}", f"shape must be ({n},)", "one value per track")
        if np.shape(self.cov_en_m2) != (n, 2, 2):
            raise InputError("impacts.cov_en_m2", f"shape must be ({n}, 2, 2)", "2x2 per track")

    def __len__(self) -> int:
        return len(self.track_id)


@dataclass(frozen=True)
class ThreatAssessment:
    """Result of :func:`evaluate_threats` for ``T`` tracks and ``A`` assets.

    Attributes
    ----------
    track_id : (T,) int
    p_hit : (T, A) float
        Probability that the impact falls inside each asset [-].
    value_at_risk : (T, A) float
        ``p_hit * value`` [-].
    threatened_asset : (T,) int
        Index of the asset with the largest value at risk, -1 where none is at risk.
    threat_value : (T,) float
        Expected value destroyed if the threat leaks, ``sum_a value_at_risk`` [-]
        (assets assumed disjoint). This is what an assigner protects.
    time_to_go_s : (T,) float
        Predicted impact time minus the evaluation time [s].
    """

    track_id: IntArray
    p_hit: FloatArray
    value_at_risk: FloatArray
    threatened_asset: IntArray
    threat_value: FloatArray
    time_to_go_s: FloatArray

    def priority_order(self) -> IntArray:
        """Track indices by decreasing threat value, ties broken by shorter time to go."""
        return np.lexsort((self.time_to_go_s, -self.threat_value)).astype(np.int64)


def asset_offsets_en_m(
    lat_rad: ArrayLike, lon_rad: ArrayLike, asset_lat_rad: ArrayLike, asset_lon_rad: ArrayLike
) -> FloatArray:
    """East/north offset of each asset centre from each impact point, shape ``(T, A, 2)`` [m].

    The asset's ECEF position (on the ellipsoid) is projected onto the local tangent plane at
    the impact point; exact for the small distances at which ``p_hit`` is not negligible.
    One-dimensional inputs go through the compiled :func:`_offsets_kernel` (the numpy
    formulation :func:`_asset_offsets_numpy` bit for bit), others through the latter.
    """
    lat = np.asarray(lat_rad, dtype=np.float64)
    lon = np.asarray(lon_rad, dtype=np.float64)
    a_lat = np.asarray(asset_lat_rad, dtype=np.float64)
    a_lon = np.asarray(asset_lon_rad, dtype=np.float64)
    if not (lat.ndim == lon.ndim == a_lat.ndim == a_lon.ndim == 1) or (
        lat.shape != lon.shape or a_lat.shape != a_lon.shape
    ):
        return _asset_offsets_numpy(lat, lon, a_lat, a_lon)
    d = np.empty((lat.size, a_lat.size, 2))
    _offsets_kernel(lat, lon, a_lat, a_lon, WGS84.a_m, WGS84.e2, d)
    return d


def _asset_offsets_numpy(
    lat_rad: ArrayLike, lon_rad: ArrayLike, asset_lat_rad: ArrayLike, asset_lon_rad: ArrayLike
) -> FloatArray:
    """:func:`asset_offsets_en_m` as numpy arrays (the reference of the compiled kernel)."""
    lat = np.asarray(lat_rad, dtype=np.float64)
    lon = np.asarray(lon_rad, dtype=np.float64)
    a_lat = np.asarray(asset_lat_rad, float)
    diff = (
        geodetic_to_ecef(a_lat, np.asarray(asset_lon_rad, float), np.zeros_like(a_lat))[None]
        - geodetic_to_ecef(lat, lon, np.zeros_like(lat))[:, None]
    )
    M = enu_matrix(lat, lon)  # (T, 3, 3): rows east, north, up
    return np.einsum("tjk,tak->taj", M[:, :2, :], diff)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _ecef_on_ellipsoid(lat: float, lon: float, a: float, e2: float) -> tuple[float, float, float]:
    """``geodetic_to_ecef(lat, lon, 0)`` [m] of one point (the same arithmetic)."""
    sl = math.sin(lat)
    cl = math.cos(lat)
    n = a / math.sqrt(1.0 - e2 * sl * sl)
    rho = (n + 0.0) * cl
    return rho * math.cos(lon), rho * math.sin(lon), (n * (1.0 - e2) + 0.0) * sl


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _offsets_kernel(
    lat: FloatArray,
    lon: FloatArray,
    a_lat: FloatArray,
    a_lon: FloatArray,
    a: float,
    e2: float,
    d: FloatArray,
) -> None:  # pragma: no cover - compiled
    """:func:`asset_offsets_en_m` of impact points ``(lat, lon)`` (T,) [rad] and asset
    centres ``(a_lat, a_lon)`` (A,) [rad] into ``d`` (T, A, 2) [m]: ``M[:2] (s_a - r_t)``,
    ``M`` the ECEF-to-ENU rotation at the impact point, with the sums in ``np.einsum``'s
    order ``(M0 x0 + M2 x2) + M1 x1`` (its two-lane loop), the rest as the numpy forms."""
    A = a_lat.shape[0]
    sx = np.empty(A)
    sy = np.empty(A)
    sz = np.empty(A)
    for q in range(A):
        sx[q], sy[q], sz[q] = _ecef_on_ellipsoid(a_lat[q], a_lon[q], a, e2)
    for t in range(lat.shape[0]):
        rx, ry, rz = _ecef_on_ellipsoid(lat[t], lon[t], a, e2)
        sl = math.sin(lat[t])
        cl = math.cos(lat[t])
        so = math.sin(lon[t])
        co = math.cos(lon[t])
        e0, e1, ez = -so, co, 0.0  # east row of enu_matrix
        n0, n1, n2 = -sl * co, -sl * so, cl  # north row
        for q in range(A):
            x0 = sx[q] - rx
            x1 = sy[q] - ry
            x2 = sz[q] - rz
            d[t, q, 0] = (e0 * x0 + ez * x2) + e1 * x1
            d[t, q, 1] = (n0 * x0 + n2 * x2) + n1 * x1


@functools.lru_cache(maxsize=8)
def _gauss_legendre(n: int) -> tuple[FloatArray, FloatArray]:
    """Gauss-Legendre nodes and weights on [-1, 1] (cached: an eigenproblem per call)."""
    x, w = np.polynomial.legendre.leggauss(n)
    x.setflags(write=False)
    w.setflags(write=False)
    return x, w


_MAX_NODES = 16384  # cap on the angular quadrature nodes of p_impact_in_disc
_GH_MIN_B = 16.0  # R/s from which p_impact_in_disc_isotropic integrates the chord formula
_FAR_SIGMAS = 40.0  # |d|/s - R/s beyond which P < Phi(-40) ~ 4e-350 underflows to 0


def _jittered(P: FloatArray, R: FloatArray) -> FloatArray:
    """``P + 1e-12 max(tr P, R^2) I``: keeps a singular covariance positive definite."""
    scale = np.maximum(np.trace(P, axis1=-2, axis2=-1), R**2) + 1e-300
    return P + (1e-12 * scale)[..., None, None] * np.eye(2)


def _aspect(P: FloatArray) -> FloatArray:
    """Square root of the eigenvalue ratio of each 2x2 covariance ``(..., 2, 2)`` [-]."""
    tr = P[..., 0, 0] + P[..., 1, 1]
    det = P[..., 0, 0] * P[..., 1, 1] - P[..., 0, 1] * P[..., 1, 0]
    disc_eig = np.sqrt(np.maximum(tr**2 / 4.0 - det, 0.0))
    lam_max = tr / 2.0 + disc_eig
    lam_min = np.maximum(tr / 2.0 - disc_eig, 1e-300)
    return np.sqrt(lam_max / lam_min)


@functools.lru_cache(maxsize=4)
def _half_gauss_hermite(n: int) -> tuple[FloatArray, FloatArray]:
    """Squared positive nodes ``z^2`` and weights of an ``n``-point (``n`` even) Gauss-Hermite
    rule for the standard normal, folded onto ``z > 0``: ``E f(Z) = sum w f(z)`` for even f."""
    x, w = np.polynomial.hermite.hermgauss(n)
    keep = x > 0.0
    z2 = 2.0 * x[keep] ** 2
    w2 = 2.0 * w[keep] / math.sqrt(math.pi)
    z2.setflags(write=False)
    w2.setflags(write=False)
    return z2, w2


def p_impact_in_disc_isotropic(d_m: ArrayLike, var_m2: ArrayLike, R_m: ArrayLike) -> FloatArray:
    r"""Probability that an isotropic 2-D Gaussian falls inside a disc, in closed form.

    For :math:`x \sim \mathcal{N}(0, s^2 I)`, :math:`|x - d|^2/s^2` is noncentral chi-square
    with 2 degrees of freedom and noncentrality :math:`\lambda = |d|^2/s^2`, so

    .. math:: P(|x - d| \le R) = F_{\chi'^2_2}(R^2/s^2;\ \lambda) = 1 - Q_1(a, b),
              \quad a = |d|/s,\ b = R/s

    (``scipy.special.chndtr``). ``chndtr`` sums a Poisson series whose cost grows as
    :math:`\sqrt{\lambda}` and returns nan for :math:`\lambda \gtrsim 5\cdot10^{10}`; so
    where the disc is wide (:math:`b \ge 16`) the same probability is computed from the
    exact chord formula (:math:`z` the standard-normal offset across the line to the centre)

    .. math:: P = \mathrm{E}_z\bigl[\Phi(c - a) - \Phi(-c - a)\bigr],
              \quad c = \sqrt{b^2 - z^2},

    with a 32-point Gauss-Hermite rule (the integrand is smooth there: all nodes have
    :math:`|z| < 10.2 < b`; absolute error below 1e-14), and :math:`c - a` is formed as
    :math:`(R - |d|)/s - z^2/(b + c)` without cancellation. Where :math:`a - b > 40`,
    :math:`P < \Phi(-40)` and is returned as 0. Elementwise: each value depends on its own
    inputs only. Unlike :func:`p_impact_in_disc` no variance jitter is added (it shifts
    ``P`` by up to ~1e-5 where ``R/s ~ 1e4``); ``var_m2 = 0`` is the point-mass limit
    (1 inside the disc, 1/2 on its edge, 0 outside).

    Parameters
    ----------
    d_m : (..., 2) float
        Disc centre relative to the Gaussian mean [m].
    var_m2 : (...) float
        Variance per axis :math:`s^2` [m^2], >= 0.
    R_m : (...) float
        Disc radius [m].

    Returns
    -------
    (...) float
        :math:`P(|x - d| \le R)`, :math:`x \sim \mathcal{N}(0, s^2 I)`.
    """
    d = np.asarray(d_m, dtype=np.float64)
    var = np.asarray(var_m2, dtype=np.float64)
    R = np.asarray(R_m, dtype=np.float64)
    shape = np.broadcast_shapes(d.shape[:-1], var.shape, R.shape)
    if d.shape[-1:] != (2,):
        return _p_isotropic_numpy(d, var, R)
    n = math.prod(shape)
    p = _p_isotropic(
        np.broadcast_to(d, (*shape, 2)).reshape(n, 1, 2),
        np.broadcast_to(var, shape).reshape(n, 1),
        np.broadcast_to(R, shape).reshape(n, 1),
    )
    return p.reshape(shape)


def _p_isotropic(d: FloatArray, var: FloatArray, R: FloatArray) -> FloatArray:
    """:func:`p_impact_in_disc_isotropic` of offsets ``d`` (m, A, 2) [m], variances ``var``
    (m, A) or (m, 1) [m^2] and radii ``R`` (m, A) or (1, A) [m]: the element-wise steps in
    the compiled :func:`_isotropic_split`, the special functions in scipy (each value from
    its own inputs, as :func:`_p_isotropic_numpy` forms it, bit for bit). Returns (m, A)."""
    from scipy import special

    m, A = d.shape[:2]
    f, idx, nw, nn = _isotropic_split(
        np.ascontiguousarray(d),
        np.ascontiguousarray(var),
        np.ascontiguousarray(R),
        _GH_MIN_B,
        _FAR_SIGMAS,
    )
    p, dist, s, a, b, Rf = f
    if nw:
        iw = idx[:nw]
        z2, w = _half_gauss_hermite(32)
        aw, bw = a[iw][:, None], b[iw][:, None]
        c = bw * np.sqrt(1.0 - z2 / bw / bw)  # not bw**2: may overflow for a point mass
        t = ((Rf[iw] - dist[iw]) / s[iw])[:, None]
        g = special.ndtr(t - z2 / (bw + c)) - special.ndtr(-c - aw)
        p[iw] = (g * w).sum(axis=-1)  # not g @ w: BLAS results may depend on the batch
    if nn:
        inr = idx[nw : nw + nn]
        p[inr] = special.chndtr(b[inr] ** 2, 2.0, a[inr] ** 2)
    _clip01(p)
    return p.reshape(m, A)


def _p_isotropic_numpy(d_m: ArrayLike, var_m2: ArrayLike, R_m: ArrayLike) -> FloatArray:
    """:func:`p_impact_in_disc_isotropic` as numpy arrays (the reference of the compiled
    steps)."""
    from scipy import special

    d = np.asarray(d_m, dtype=np.float64)
    dist, var, R = np.broadcast_arrays(
        np.hypot(d[..., 0], d[..., 1]),
        np.asarray(var_m2, dtype=np.float64),
        np.asarray(R_m, dtype=np.float64),
    )
    s = np.sqrt(np.maximum(var, 1e-300))  # var = 0: a point mass, b = R/s finite
    a = dist / s
    b = R / s
    p = np.full(dist.shape, np.nan)
    wide = b >= _GH_MIN_B
    if wide.any():
        z2, w = _half_gauss_hermite(32)
        aw, bw = a[wide][:, None], b[wide][:, None]
        c = bw * np.sqrt(1.0 - z2 / bw / bw)  # not bw**2: may overflow for a point mass
        t = ((R[wide] - dist[wide]) / s[wide])[:, None]
        g = special.ndtr(t - z2 / (bw + c)) - special.ndtr(-c - aw)
        p[wide] = (g * w).sum(axis=-1)  # not g @ w: BLAS results may depend on the batch
    narrow = ~wide
    p[narrow & (a - b > _FAR_SIGMAS)] = 0.0
    near = narrow & (a - b <= _FAR_SIGMAS)
    if near.any():
        p[near] = special.chndtr(b[near] ** 2, 2.0, a[near] ** 2)
    return np.clip(p, 0.0, 1.0)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _isotropic_split(
    d: FloatArray, var: FloatArray, R: FloatArray, min_b: float, far: float
) -> tuple[FloatArray, IntArray, int, int]:  # pragma: no cover - compiled
    """The element-wise part of :func:`p_impact_in_disc_isotropic` for (m, A) pairs
    (``var`` (m, A) or (m, 1), ``R`` (m, A) or (1, A)), flattened row-major into the rows
    of ``f`` (6, m A): ``p`` (0 where ``a - b > far`` and not ``b >= min_b``, NaN
    elsewhere), ``dist = hypot(d)`` [m], ``s = sqrt(max(var, 1e-300))`` [m], ``a = dist / s``,
    ``b = R / s`` [-] and ``R`` [m]; and the flat indices of the wide pairs (``b >= min_b``)
    then of the near ones (``a - b <= far``), in order, with their counts."""
    m, A = d.shape[0], d.shape[1]
    jv = 1 if var.shape[1] > 1 else 0
    iR = 1 if R.shape[0] > 1 else 0
    n = m * A
    f = np.empty((6, n))
    iw = np.empty(n, dtype=np.int64)
    inr = np.empty(n, dtype=np.int64)
    nw = 0
    nn = 0
    for i in range(m):
        for j in range(A):
            k = i * A + j
            v = var[i, j * jv]
            if not (v >= 1e-300 or math.isnan(v)):  # np.maximum(var, 1e-300)
                v = 1e-300
            Rk = R[i * iR, j]
            dk = math.hypot(d[i, j, 0], d[i, j, 1])
            sk = math.sqrt(v)
            ak = dk / sk
            bk = Rk / sk
            pk = np.nan
            if bk >= min_b:
                iw[nw] = k
                nw += 1
            elif ak - bk > far:
                pk = 0.0
            elif ak - bk <= far:
                inr[nn] = k
                nn += 1
            f[0, k] = pk
            f[1, k] = dk
            f[2, k] = sk
            f[3, k] = ak
            f[4, k] = bk
            f[5, k] = Rk
    iw[nw : nw + nn] = inr[:nn]
    return f, iw, nw, nn


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _clip01(p: FloatArray) -> None:  # pragma: no cover - compiled
    """``np.clip(p, 0, 1)`` in place (NaN stays NaN; -0 becomes 0 as in numpy)."""
    for k in range(p.shape[0]):
        v = p[k]
        if not (math.isnan(v) or v > 0.0):
            v = 0.0
        if not (math.isnan(v) or v < 1.0):
            v = 1.0
        p[k] = v


def p_impact_in_disc(
    d_m: ArrayLike, P_m2: ArrayLike, R_m: ArrayLike, n_nodes: int = 256
) -> FloatArray:
    r"""Probability that a zero-mean 2-D Gaussian falls inside a disc (see module docstring).

    Parameters
    ----------
    d_m : (..., 2) float
        Disc centre relative to the Gaussian mean [m].
    P_m2 : (..., 2, 2) float
        Covariance [m^2], symmetric positive semi-definite (a tiny jitter is added).
    R_m : (...) float
        Disc radius [m].
    n_nodes : int
        Angular quadrature nodes.

    Returns
    -------
    (...) float
        :math:`P(|x - d| \le R)`, :math:`x \sim \mathcal{N}(0, P)`.
    """
    d = np.asarray(d_m, dtype=np.float64)
    P = np.asarray(P_m2, dtype=np.float64)
    R = np.asarray(R_m, dtype=np.float64)
    shape = np.broadcast_shapes(d.shape[:-1], P.shape[:-2], R.shape)
    d = np.broadcast_to(d, (*shape, 2))
    P = np.broadcast_to(P, (*shape, 2, 2))
    R = np.broadcast_to(R, shape)
    P = _jittered(P, R)
    # Cholesky of a 2x2: L = [[l11, 0], [l21, l22]]
    l11 = np.sqrt(P[..., 0, 0])
    l21 = P[..., 1, 0] / l11
    l22 = np.sqrt(np.maximum(P[..., 1, 1] - l21**2, 1e-300))
    dist = np.hypot(d[..., 0], d[..., 1])
    inside = dist < R
    c = dist**2 - R**2  # < 0 inside

    def integrand(theta: FloatArray) -> FloatArray:
        ct, st = np.cos(theta), np.sin(theta)
        vx = l11[..., None] * ct  # v = L u, physical direction of the ray
        vy = l21[..., None] * ct + l22[..., None] * st
        a = vx**2 + vy**2
        b = vx * d[..., 0:1] + vy * d[..., 1:2]
        disc = np.sqrt(np.maximum(b**2 - a * c[..., None], 0.0))
        rho2 = (b + disc) / a
        rho1 = np.where(inside[..., None], 0.0, np.maximum((b - disc) / a, 0.0))
        rho2 = np.maximum(rho2, rho1)
        return np.exp(-0.5 * rho1**2) - np.exp(-0.5 * rho2**2)

    # The integrand's peaks narrow as the covariance elongates (width ~ 1/aspect in the
    # whitened angle): resolve them with enough nodes (at least 16 per unit of aspect ratio).
    aspect = float(np.max(_aspect(P))) if P.size else 1.0
    n_nodes = int(min(max(n_nodes, 16.0 * aspect), _MAX_NODES))
    # mean inside the disc: full circle, trapezoid (spectral for a periodic integrand)
    theta_full = np.arange(n_nodes) * (2.0 * np.pi / n_nodes)
    p_inside = integrand(theta_full).mean(axis=-1)

    # mean outside: the sector between the two tangent rays, Gauss-Legendre in phi
    beta = np.arcsin(np.clip(R / np.maximum(dist, 1e-300), 0.0, 1.0))
    alpha_d = np.arctan2(d[..., 1], d[..., 0])

    def whitened_angle(alpha: FloatArray) -> FloatArray:
        wx, wy = np.cos(alpha), np.sin(alpha)
        yx = wx / l11
        yy = (wy - l21 * yx) / l22
        return np.arctan2(yy, yx)

    th_lo = whitened_angle(alpha_d - beta)
    th_hi = whitened_angle(alpha_d + beta)
    span = np.mod(th_hi - th_lo, 2.0 * np.pi)
    h = 0.5 * span
    x, w = _gauss_legendre(max(n_nodes // 4, 16))
    phi = 0.5 * np.pi * x
    theta = (th_lo + h)[..., None] + h[..., None] * np.sin(phi)
    jac = h[..., None] * np.cos(phi) * (0.5 * np.pi)
    p_outside = (integrand(theta) * jac * w).sum(axis=-1) / (2.0 * np.pi)
    return np.clip(np.where(inside, p_inside, p_outside), 0.0, 1.0)


def evaluate_threats(
    impacts: ImpactPredictions,
    assets: list[DefendedAsset] | tuple[DefendedAsset, ...],
    now_s: float,
    *,
    min_p_hit: float = 1e-6,
    n_nodes: int = 256,
) -> ThreatAssessment:
    """Evaluate ``T`` predicted impacts against ``A`` defended assets (vectorised T x A).

    Parameters
    ----------
    impacts : ImpactPredictions
        Belief about each track's impact.
    assets : sequence of DefendedAsset
        The assets this command node defends.
    now_s : float
        Evaluation time [s].
    min_p_hit : float
        Below this probability an asset is not counted as threatened [-].
    n_nodes : int
        Minimum angular quadrature nodes for non-isotropic rows (see :func:`p_impact_in_disc`).

    Notes
    -----
    Rows with an isotropic covariance (equal diagonal, zero off-diagonal entries) use the
    closed form :func:`p_impact_in_disc_isotropic`; the others the quadrature
    :func:`p_impact_in_disc`, each with the node count its own covariance needs. Every row's
    result depends on that row only, bit for bit, whatever else is in the batch.
    """
    names = [a.name for a in assets]
    if len(set(names)) != len(names):
        raise InputError("assets", "asset names must be unique", "distinct names")
    T, A = len(impacts), len(assets)
    if A == 0 or T == 0:
        p_hit = np.zeros((T, A))
    else:
        a_lat = np.array([a.lat_rad for a in assets])
        a_lon = np.array([a.lon_rad for a in assets])
        radius = np.array([a.radius_m for a in assets])
        d = asset_offsets_en_m(impacts.lat_rad, impacts.lon_rad, a_lat, a_lon)
        P = np.asarray(impacts.cov_en_m2, dtype=np.float64)
        s2 = P[:, 0, 0]
        iso = (P[:, 0, 1] == 0.0) & (P[:, 1, 0] == 0.0) & (P[:, 1, 1] == s2) & (s2 >= 0.0)
        rest = np.flatnonzero(~iso)
        if not rest.size:  # every row s^2 I (the engine's): closed form
            p_hit = _p_isotropic(d, s2.reshape(T, 1), radius.reshape(1, A))
        else:
            p_hit = np.empty((T, A))
            if rest.size < T:  # s^2 I: closed form
                p_hit[iso] = p_impact_in_disc_isotropic(d[iso], s2[iso, None], radius[None, :])
            # quadrature, grouped by each row's own node count so that a row's result does
            # not depend on the other rows of the batch
            aspect = _aspect(_jittered(P[rest, None], radius[None, :])).max(axis=1)
            n_row = np.fmin(np.fmax(float(n_nodes), 16.0 * aspect), _MAX_NODES).astype(np.int64)
            for n in np.unique(n_row):
                rows = rest[n_row == n]
                p_hit[rows] = p_impact_in_disc(
                    d[rows], P[rows, None], radius[None, :], n_nodes=int(n)
                )
    value = np.array([a.value for a in assets], dtype=np.float64)
    var = np.empty((T, A))
    threatened = np.empty(T, dtype=np.int64)
    _at_risk(p_hit, value, float(min_p_hit), var, threatened)
    return ThreatAssessment(
        track_id=np.asarray(impacts.track_id, dtype=np.int64),
        p_hit=p_hit,
        value_at_risk=var,
        threatened_asset=threatened,
        threat_value=var.sum(axis=1),
        time_to_go_s=np.asarray(impacts.impact_time_s, dtype=np.float64) - float(now_s),
    )


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _at_risk(
    p_hit: FloatArray, value: FloatArray, min_p_hit: float, var: FloatArray, threatened: IntArray
) -> None:  # pragma: no cover - compiled
    """In place: ``p_hit`` (T, A) set to 0 where not ``>= min_p_hit`` (NaN included); the
    values at risk ``var = p_hit * value`` (T, A) [-]; ``threatened`` (T,) the first asset of
    the largest value at risk where that is > 0, else -1 (as ``np.where(var.max(axis=1) > 0,
    var.argmax(axis=1), -1)``: a row with a NaN value threatens none)."""
    T, A = p_hit.shape
    for t in range(T):
        best = -1
        top = 0.0
        nan = False
        for a in range(A):
            p = p_hit[t, a]
            if not p >= min_p_hit:
                p = 0.0
            p_hit[t, a] = p
            v = p * value[a]
            var[t, a] = v
            if math.isnan(v):
                nan = True
            elif v > top:
                top = v
                best = a
        threatened[t] = -1 if nan else best
