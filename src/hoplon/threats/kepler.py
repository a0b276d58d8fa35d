"""Vacuum Kepler ballistic flight over a spherical, non-rotating Earth.

Bate, Mueller & White, *Fundamentals of Astrodynamics* (Dover, 1971), chapter 6. All
functions are pure, vectorised over numpy arrays (broadcasting) and unit-free: give ``mu``
and radii in any consistent units (SI by default; ``mu=1`` for canonical DU/TU units).

Symbols
-------
r : burnout radius (distance from Earth's centre)
v : burnout speed (inertial; on a non-rotating Earth the same as Earth-relative)
gamma : flight-path angle above the local horizontal [rad]
Q : v**2 * r / mu (BMW eq. 6.2-4; Q = 1 is circular speed, Q = 2 escape)
psi : free-flight range angle at the Earth's centre [rad]
r2 : radius at re-entry (end of free flight); ``r2 = r`` gives the symmetric trajectory

Invalid requests (no solution, hyperbolic orbits) give ``nan`` rather than raising: the API
layer (``hoplon.threats.shaping``) turns those into ``InfeasibleError`` messages.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hoplon.earth.constants import MU_EARTH_M3_S2, R_EARTH_MEAN_M

__all__ = [
    "angular_momentum",
    "apogee_radius",
    "apogee_speed",
    "burnout_from_range_apogee",
    "flight_path_angles_for_range",
    "hit_equation_q",
    "max_range_angle",
    "max_range_angle_general",
    "minimum_energy",
    "psi_partials",
    "q_parameter",
    "range_angle",
    "range_angle_symmetric",
    "specific_energy",
    "speed_from_q",
    "time_of_flight",
]

Array = NDArray[np.float64]
TWO_PI = 2.0 * np.pi


def _a(x: ArrayLike) -> Array:
    return np.asarray(x, dtype=np.float64)


def q_parameter(v: ArrayLike, r: ArrayLike, mu: float = MU_EARTH_M3_S2) -> Array:
    """Q = v² r / μ (BMW eq. 6.2-4), the squared ratio of speed to circular speed."""
    return _a(v) ** 2 * _a(r) / mu


def speed_from_q(Q: ArrayLike, r: ArrayLike, mu: float = MU_EARTH_M3_S2) -> Array:
    """v = √(Q μ / r), the inverse of :func:`q_parameter`."""
    return np.sqrt(_a(Q) * mu / _a(r))


def specific_energy(v: ArrayLike, r: ArrayLike, mu: float = MU_EARTH_M3_S2) -> Array:
    """Specific mechanical energy ε = v²/2 − μ/r (BMW eq. 1.4-2)."""
    return 0.5 * _a(v) ** 2 - mu / _a(r)


def angular_momentum(v: ArrayLike, r: ArrayLike, gamma: ArrayLike) -> Array:
    """Specific angular momentum h = r v cos γ (BMW eq. 1.5-2)."""
    return _a(r) * _a(v) * np.cos(_a(gamma))


def _conic(v: Array, r: Array, gamma: Array, mu: float) -> tuple[Array, Array, Array]:
    """Semi-latus rectum p, eccentricity e and true anomaly ν at burnout.

    p = (r v cos γ)² / μ;  e cos ν = p/r − 1;  e sin ν = (p/r) tan γ.
    """
    Q = q_parameter(v, r, mu)
    p = r * Q * np.cos(gamma) ** 2
    ecos = p / r - 1.0
    esin = (p / r) * np.tan(gamma)
    e = np.hypot(ecos, esin)
    nu = np.mod(np.arctan2(esin, ecos), TWO_PI)
    return p, e, nu


def apogee_radius(
    v: ArrayLike, r: ArrayLike, gamma: ArrayLike, mu: float = MU_EARTH_M3_S2
) -> Array:
    """Apogee radius r_a = r (1 + √(1 − Q(2−Q) cos²γ)) / (2 − Q) (BMW eq. 6.2-?; a(1+e)).

    ``nan`` for Q ≥ 2 (escape).
    """
    v, r, gamma = _a(v), _a(r), _a(gamma)
    Q = q_parameter(v, r, mu)
    e = np.sqrt(np.maximum(1.0 - Q * (2.0 - Q) * np.cos(gamma) ** 2, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        ra = r * (1.0 + e) / (2.0 - Q)
    return np.where(Q < 2.0, ra, np.nan)


def apogee_speed(v: ArrayLike, r: ArrayLike, gamma: ArrayLike, mu: float = MU_EARTH_M3_S2) -> Array:
    """Speed at apogee v_a = h / r_a (conservation of angular momentum)."""
    return angular_momentum(v, r, gamma) / apogee_radius(v, r, gamma, mu)


def range_angle_symmetric(Q: ArrayLike, gamma: ArrayLike) -> Array:
    """Free-flight range angle ψ of a symmetric trajectory (re-entry radius = burnout radius).

    BMW eq. 6.2-16:  cos(ψ/2) = (1 − Q cos²γ) / √(1 + Q(Q−2) cos²γ).

    Returns ψ in [0, 2π); ``nan`` for Q ≥ 2 or γ ≤ 0 (no symmetric ascent).
    """
    Q, gamma = _a(Q), _a(gamma)
    c2 = np.cos(gamma) ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        x = (1.0 - Q * c2) / np.sqrt(1.0 + Q * (Q - 2.0) * c2)
        psi = 2.0 * np.arccos(np.clip(x, -1.0, 1.0))
    return np.where((Q < 2.0) & (gamma > 0.0), psi, np.nan)


def range_angle(
    v: ArrayLike,
    r: ArrayLike,
    gamma: ArrayLike,
    r2: ArrayLike | None = None,
    mu: float = MU_EARTH_M3_S2,
) -> Array:
    """Free-flight range angle ψ from burnout (r, v, γ) to the descending crossing of r2.

    General form of BMW eq. 6.2-16 for a re-entry radius r2 different from the burnout radius:
    with p, e, ν1 from the burnout state (see :func:`_conic`), re-entry is at
    ν2 = 2π − arccos((p/r2 − 1)/e) and ψ = ν2 − ν1.

    Returns ``nan`` where the trajectory never reaches r2 on the way down (apogee below r2, or
    a hyperbolic/parabolic orbit).
    """
    v, r, gamma = np.broadcast_arrays(_a(v), _a(r), _a(gamma))
    r2 = r if r2 is None else np.broadcast_to(_a(r2), r.shape)
    p, e, nu1 = _conic(v, r, gamma, mu)
    with np.errstate(invalid="ignore", divide="ignore"):
        c = (p / r2 - 1.0) / e
        nu2 = TWO_PI - np.arccos(c)
        psi = nu2 - nu1
    ok = (e < 1.0) & (np.abs(c) <= 1.0) & (psi >= 0.0)
    return np.where(ok, psi, np.nan)


def hit_equation_q(
    psi: ArrayLike, gamma: ArrayLike, r: ArrayLike, r2: ArrayLike | None = None
) -> Array:
    """Q needed to fly the range angle ψ from radius r at flight-path angle γ down to r2.

    From the conic through both points (the "hit equation", BMW §6.2):

        r/r2 = (1 − cos ψ) / (Q cos²γ) + cos(γ + ψ) / cos γ
        Q = (1 − cos ψ) / (cos γ · ((r/r2) cos γ − cos(γ + ψ)))

    ``nan`` where no ellipse through both points exists for that γ.
    """
    psi, gamma, r = np.broadcast_arrays(_a(psi), _a(gamma), _a(r))
    k = 1.0 if r2 is None else r / _a(r2)
    den = np.cos(gamma) * (k * np.cos(gamma) - np.cos(gamma + psi))
    with np.errstate(invalid="ignore", divide="ignore"):
        Q = (1.0 - np.cos(psi)) / den
    return np.where((den > 0.0) & (Q < 2.0), Q, np.nan)


def _hit_terms(psi: Array, r: Array, r2: Array | None) -> tuple[Array, Array, Array]:
    """a = r/r2 − cos ψ, R = √(a² + sin²ψ), φ = atan2(sin ψ, a) of the hit equation.

    The hit equation rearranges to  a cos 2γ + sin ψ sin 2γ = 2(1 − cos ψ)/Q − a,
    i.e.  R cos(2γ − φ) = 2(1 − cos ψ)/Q − a.
    """
    k = 1.0 if r2 is None else r / r2
    a = k - np.cos(psi)
    s = np.sin(psi)
    return a, np.hypot(a, s), np.arctan2(s, a)


def minimum_energy(
    psi: ArrayLike, r: ArrayLike, r2: ArrayLike | None = None, mu: float = MU_EARTH_M3_S2
) -> tuple[Array, Array, Array]:
    """Minimum-energy (minimum burnout speed) trajectory for the range angle ψ.

    Maximising the denominator of :func:`hit_equation_q` over γ gives

        γ* = φ/2,   Q* = 2(1 − cos ψ) / (a + R)

    with a, R, φ from the hit equation; for r2 = r this is BMW's
    γ* = (π − ψ)/4 and Q* = 2 sin(ψ/2) / (1 + sin(ψ/2)) (BMW eq. 6.2-18/19).

    Returns
    -------
    Q, v, gamma : arrays
        Q*, burnout speed √(Q* μ / r) and flight-path angle γ* [rad].
    """
    psi, r = np.broadcast_arrays(_a(psi), _a(r))
    r2a = None if r2 is None else np.broadcast_to(_a(r2), r.shape)
    a, R, phi = _hit_terms(psi, r, r2a)
    Q = 2.0 * (1.0 - np.cos(psi)) / (a + R)
    return Q, speed_from_q(Q, r, mu), 0.5 * phi


def flight_path_angles_for_range(
    psi: ArrayLike, Q: ArrayLike, r: ArrayLike | None = None, r2: ArrayLike | None = None
) -> tuple[Array, Array]:
    """Both flight-path angles that fly the range angle ψ with the given Q.

    Symmetric case (BMW eq. 6.2-17):  sin(2γ + ψ/2) = ((2 − Q)/Q) sin(ψ/2).
    General case: R cos(2γ − φ) = 2(1 − cos ψ)/Q − a (see :func:`_hit_terms`), so
    γ = (φ ± arccos(c/R))/2.

    Returns
    -------
    gamma_low, gamma_high : arrays [rad]
        The depressed (low) and lofted (high) roots; ``nan`` where ψ is out of reach for Q.
        A root may be negative (burnout while descending), which a caller usually rejects, as
        BMW do for the −13.7° root of their example on p. 291.
    """
    psi, Q = np.broadcast_arrays(_a(psi), _a(Q))
    if r is None or r2 is None:
        r_ = np.ones_like(psi)
        r2_ = None
    else:
        r_, r2_ = np.broadcast_arrays(_a(r), _a(r2))
        r_ = np.broadcast_to(r_, psi.shape)
        r2_ = np.broadcast_to(r2_, psi.shape)
    a, R, phi = _hit_terms(psi, r_, r2_)
    with np.errstate(invalid="ignore", divide="ignore"):
        c = (2.0 * (1.0 - np.cos(psi)) / Q - a) / R
        d = np.arccos(np.where(np.abs(c) <= 1.0, c, np.nan))
    return 0.5 * (phi - d), 0.5 * (phi + d)


def max_range_angle(Q: ArrayLike) -> tuple[Array, Array]:
    """Maximum free-flight range angle for a given Q, symmetric trajectory.

    BMW eq. 6.2-18/19:  sin(ψ_max/2) = Q / (2 − Q),  γ = (π − ψ_max)/4.
    Valid for Q < 1 (``nan`` otherwise: at Q ≥ 1 every range up to half the globe and beyond
    is reachable).

    Returns
    -------
    psi_max, gamma : arrays [rad]
    """
    Q = _a(Q)
    with np.errstate(invalid="ignore", divide="ignore"):
        psi = 2.0 * np.arcsin(np.where((Q > 0) & (Q < 1.0), Q / (2.0 - Q), np.nan))
    return psi, 0.25 * (np.pi - psi)


def _bisect(f: Callable[[Array], Array], lo: Array, hi: Array, iters: int = 80) -> Array:
    """Vectorised bisection of a function that changes sign between ``lo`` and ``hi``."""
    lo, hi = np.array(lo, dtype=float), np.array(hi, dtype=float)
    flo = f(lo)
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        fm = f(mid)
        left = np.sign(fm) == np.sign(flo)
        lo = np.where(left, mid, lo)
        flo = np.where(left, fm, flo)
        hi = np.where(left, hi, mid)
    return 0.5 * (lo + hi)


def max_range_angle_general(
    v: ArrayLike, r: ArrayLike, r2: ArrayLike, mu: float = MU_EARTH_M3_S2
) -> tuple[Array, Array]:
    """Maximum range angle (ψ ≤ π) for burnout speed v at radius r and re-entry radius r2.

    The maximum-range trajectory for a speed is the minimum-energy trajectory for that range,
    so this solves Q*(ψ) = Q for ψ in (0, π] by bisection (Q* of :func:`minimum_energy` grows
    with ψ on that interval). Where even ψ = π needs less than Q, returns π (half the globe,
    the largest range this module treats as ballistic).

    Returns
    -------
    psi_max, gamma : arrays [rad]
    """
    v, r, r2 = np.broadcast_arrays(_a(v), _a(r), _a(r2))
    Q = q_parameter(v, r, mu)

    def f(psi: Array) -> Array:
        return minimum_energy(psi, r, r2, mu)[0] - Q

    lo = np.full(Q.shape, 1e-9)
    hi = np.full(Q.shape, np.pi)
    psi = _bisect(f, lo, hi)
    beyond = f(hi) <= 0.0
    psi = np.where(beyond, np.pi, psi)
    psi = np.where(f(lo) > 0.0, np.nan, psi)
    return psi, minimum_energy(psi, r, r2, mu)[2]


def time_of_flight(
    v: ArrayLike,
    r: ArrayLike,
    gamma: ArrayLike,
    r2: ArrayLike | None = None,
    mu: float = MU_EARTH_M3_S2,
) -> Array:
    """Time of free flight from burnout to the descending crossing of r2 (Kepler's equation).

    a = 1/(2/r − v²/μ);  cos E = (e + cos ν)/(1 + e cos ν);  M = E − e sin E (BMW eq. 4.2-8);
    t = √(a³/μ) (M2 − M1), with E in the same half-plane as ν.
    """
    v, r, gamma = np.broadcast_arrays(_a(v), _a(r), _a(gamma))
    psi = range_angle(v, r, gamma, r2, mu)
    _, e, nu1 = _conic(v, r, gamma, mu)
    nu2 = nu1 + psi
    with np.errstate(invalid="ignore", divide="ignore"):
        a = 1.0 / (2.0 / r - v**2 / mu)

        def mean_anomaly(nu: Array) -> Array:
            E = 2.0 * np.arctan(np.sqrt((1.0 - e) / (1.0 + e)) * np.tan(0.5 * nu))
            # tan(nu/2) wraps every 2π in ν: unwrap E to the same revolution as ν.
            E = E + TWO_PI * np.round((nu - E) / TWO_PI)
            return E - e * np.sin(E)

        t = np.sqrt(a**3 / mu) * (mean_anomaly(nu2) - mean_anomaly(nu1))
    return np.where(np.isfinite(psi) & (e < 1.0), t, np.nan)


def psi_partials(
    v: ArrayLike, r: ArrayLike, gamma: ArrayLike, mu: float = MU_EARTH_M3_S2
) -> tuple[Array, Array, Array]:
    """Partial derivatives of the symmetric free-flight range angle (BMW §6.4, eqs. 6.4-3..5).

        ∂ψ/∂r = 4 μ sin²(ψ/2) / (v² r² sin 2γ)
        ∂ψ/∂v = 8 μ sin²(ψ/2) / (v³ r sin 2γ)
        ∂ψ/∂γ = 2 sin(ψ + 2γ) / sin 2γ − 2

    ψ here is the symmetric range (re-entry radius = burnout radius), as in BMW.

    Returns
    -------
    dpsi_dr, dpsi_dv, dpsi_dgamma : arrays
        In rad per unit length, rad per unit speed and rad per rad.
    """
    v, r, gamma = _a(v), _a(r), _a(gamma)
    psi = range_angle_symmetric(q_parameter(v, r, mu), gamma)
    s2 = np.sin(0.5 * psi) ** 2
    s2g = np.sin(2.0 * gamma)
    d_r = 4.0 * mu * s2 / (v**2 * r**2 * s2g)
    d_v = 8.0 * mu * s2 / (v**3 * r * s2g)
    d_g = 2.0 * np.sin(psi + 2.0 * gamma) / s2g - 2.0
    return d_r, d_v, d_g


def burnout_from_range_apogee(
    psi: ArrayLike,
    r_apogee: ArrayLike,
    r: ArrayLike,
    r2: ArrayLike | None = None,
    mu: float = MU_EARTH_M3_S2,
) -> tuple[Array, Array]:
    """Burnout speed and flight-path angle that fly range angle ψ with apogee radius r_a.

    With the apse line as reference, burnout and re-entry on the same conic give
    r = p/(1 + e cos ν1), r2 = p/(1 + e cos ν2), r_a = p/(1 − e), ν2 − ν1 = ψ.
    For r2 = r (symmetric), ν1 = π − ψ/2 and the closed form is

        e = (r_a − r)/(r_a − r cos(ψ/2)),  p = r_a (1 − e).

    For r2 ≠ r, e is found by bisection (ψ falls monotonically from 2π to 0 as e grows
    from its smallest admissible value to 1). Then a = p/(1 − e²), v² = μ(2/r − 1/a) and
    cos γ = √(μ p)/(r v), γ > 0.

    Returns
    -------
    v, gamma : arrays; ``nan`` where r_a is below max(r, r2) or ψ is not in (0, 2π).
    """
    psi, r_apogee, r = np.broadcast_arrays(_a(psi), _a(r_apogee), _a(r))
    if r2 is None:
        c = np.cos(0.5 * psi)
        with np.errstate(invalid="ignore", divide="ignore"):
            e = (r_apogee - r) / (r_apogee - r * c)
    else:
        r2 = np.broadcast_to(_a(r2), r.shape)

        def psi_of_e(e: Array) -> Array:
            p = r_apogee * (1.0 - e)
            nu1 = np.arccos(np.clip((p / r - 1.0) / e, -1.0, 1.0))
            nu2 = TWO_PI - np.arccos(np.clip((p / r2 - 1.0) / e, -1.0, 1.0))
            return nu2 - nu1

        rmin = np.minimum(r, r2)
        e_lo = (r_apogee - rmin) / (r_apogee + rmin) + 1e-15
        e = _bisect(lambda e: psi_of_e(e) - psi, e_lo, np.full(r.shape, 1.0 - 1e-15))
    with np.errstate(invalid="ignore", divide="ignore"):
        p = r_apogee * (1.0 - e)
        a = p / (1.0 - e**2)
        v = np.sqrt(mu * (2.0 / r - 1.0 / a))
        gamma = np.arccos(np.clip(np.sqrt(mu * p) / (r * v), -1.0, 1.0))
    rmax = r if r2 is None else np.maximum(r, r2)
    ok = (r_apogee > rmax) & (psi > 0.0) & (psi < TWO_PI) & (e >= 0.0) & (e < 1.0)
    return np.where(ok, v, np.nan), np.where(ok, gamma, np.nan)


def surface_range_m(psi: ArrayLike, radius_m: float = R_EARTH_MEAN_M) -> Array:
    """Ground range of a range angle on the sphere, R ψ [m]."""
    return radius_m * _a(psi)
