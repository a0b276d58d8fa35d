"""Impact-point prediction and launch-point estimation from ballistic track states.

The mean and the sigma points of the state (Wan–van der Merwe, :class:`MerweSigmaPoints`)
are propagated with a :class:`~hoplon.tracking.models.Ballistic` model (numerically, RK4,
with drag when the model has it) until they cross a given height above the WGS84
ellipsoid: forward in time for the impact point, backward for the launch point. The
crossing is refined by bisection on the last step. The ground points are expressed in the
local east-north plane of their weighted mean; their 2×2 covariance ``C`` gives the error
ellipse: semi-axes ``√(γ λᵢ)`` with ``λᵢ`` the eigenvalues of ``C`` and ``γ`` the χ²(2)
quantile of the requested probability (``γ = -2 ln(1 - p)``), orientation the azimuth of
the major axis (clockwise from north, in ``[0, π)``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hoplon.errors import InfeasibleError, InputError
from hoplon.tracking._geo import ecef_to_geodetic, enu_matrix
from hoplon.tracking.filters import MerweSigmaPoints
from hoplon.tracking.models import Ballistic

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class GroundPointEstimate:
    """A predicted ground point (impact or launch) with its uncertainty.

    ``time_s`` is the time of the crossing relative to the state's time [s] (negative for
    a launch point); ``cov_en_m2`` the 2×2 east-north covariance [m²]; the ellipse holds
    ``probability`` of the (Gaussian) ground-point distribution.
    """

    position_ecef_m: FloatArray
    lat_rad: float
    lon_rad: float
    time_s: float
    time_sigma_s: float
    cov_en_m2: FloatArray
    semi_major_m: float
    semi_minor_m: float
    orientation_rad: float
    probability: float


def propagate_to_height(
    x: FloatArray,
    model: Ballistic,
    height_m: float = 0.0,
    backward: bool = False,
    step_s: float = 5.0,
    max_time_s: float = 7200.0,
) -> tuple[FloatArray, FloatArray]:
    """Propagate states (n, d) until they cross ``height_m`` going down (or, backward, up
    the time axis). Returns states at the crossing (n, d) and crossing times [s] (n,)."""
    x = np.atleast_2d(np.asarray(x, dtype=float)).copy()
    n = x.shape[0]
    sgn = -1.0 if backward else 1.0
    t = np.zeros(n)
    done = np.zeros(n, dtype=bool)
    x_hit = np.empty_like(x)
    t_hit = np.empty(n)
    if np.any(ecef_to_geodetic(x[:, :3])[2] < height_m):
        raise InfeasibleError(
            "x", "a state is already below the requested height", f"above {height_m} m"
        )
    while not done.all():
        if np.any(t[~done] * sgn >= max_time_s):
            raise InfeasibleError(
                "x",
                f"no crossing of {height_m} m within {max_time_s} s",
                "a state on a ballistic arc that reaches the ground",
            )
        act = ~done
        xa = x[act]
        xn = model.function(xa, sgn * step_s)
        below = ecef_to_geodetic(xn[:, :3])[2] < height_m
        if below.any():
            # bisection on the step for the crossing points
            lo = np.zeros(int(below.sum()))
            hi = np.full_like(lo, step_s)
            x0 = xa[below]
            for _ in range(40):
                mid = 0.5 * (lo + hi)
                hm = ecef_to_geodetic(model.function(x0, sgn * mid)[:, :3])[2]
                under = hm < height_m
                hi = np.where(under, mid, hi)
                lo = np.where(under, lo, mid)
            idx = np.flatnonzero(act)[below]
            x_hit[idx] = model.function(x0, sgn * hi)
            t_hit[idx] = t[idx] + sgn * hi
            done[idx] = True
        keep = np.flatnonzero(act)[~below]
        x[keep] = xn[~below]
        t[keep] += sgn * step_s
    return x_hit, t_hit


def _ground_point(
    x: FloatArray,
    P: FloatArray,
    model: Ballistic,
    height_m: float,
    backward: bool,
    probability: float,
    points: MerweSigmaPoints,
    step_s: float,
) -> GroundPointEstimate:
    x = np.asarray(x, dtype=float)
    P = np.asarray(P, dtype=float)
    d = model.dim
    if x.shape != (d,) or P.shape != (d, d):
        raise InputError(
            "x", f"state must be ({d},) with covariance ({d}, {d})", f"a {d}-state of the model"
        )
    if not 0.0 < probability < 1.0:
        raise InputError("probability", f"must be in (0, 1), got {probability}", "(0, 1)")
    X = points.points(x[None], P[None])[0]
    Wm, Wc = points.weights(d)
    Xg, tg = propagate_to_height(X, model, height_m, backward=backward, step_s=step_s)
    r_mean = Wm @ Xg[:, :3]
    lat, lon, _ = ecef_to_geodetic(r_mean)
    M = enu_matrix(lat, lon)
    en = (Xg[:, :3] - r_mean) @ M.T[:, :2]
    en_mean = Wm @ en
    dev = en - en_mean
    C = np.einsum("s,si,sj->ij", Wc, dev, dev)
    C = 0.5 * (C + C.T)
    t_mean = float(Wm @ tg)
    t_var = float(Wc @ (tg - t_mean) ** 2)
    lam, vec = np.linalg.eigh(C)
    lam = np.clip(lam, 0.0, None)
    gamma = -2.0 * np.log1p(-probability)
    major = vec[:, 1]
    orient = float(np.arctan2(major[0], major[1]) % np.pi)
    r_pt = r_mean + M.T[:, :2] @ en_mean
    lat_p, lon_p, _ = ecef_to_geodetic(r_pt)
    return GroundPointEstimate(
        position_ecef_m=r_pt,
        lat_rad=float(lat_p),
        lon_rad=float(lon_p),
        time_s=t_mean,
        time_sigma_s=float(np.sqrt(max(t_var, 0.0))),
        cov_en_m2=C,
        semi_major_m=float(np.sqrt(gamma * lam[1])),
        semi_minor_m=float(np.sqrt(gamma * lam[0])),
        orientation_rad=orient,
        probability=probability,
    )


def predict_impact(
    x: FloatArray,
    P: FloatArray,
    model: Ballistic | None = None,
    height_m: float = 0.0,
    probability: float = 0.95,
    points: MerweSigmaPoints = MerweSigmaPoints(alpha=1.0, beta=2.0, kappa=0.0),
    step_s: float = 5.0,
) -> GroundPointEstimate:
    """Impact point of a ballistic track state ``x`` (d,) with covariance ``P`` (d, d)."""
    return _ground_point(x, P, model or Ballistic(), height_m, False, probability, points, step_s)


def estimate_launch_point(
    x: FloatArray,
    P: FloatArray,
    model: Ballistic | None = None,
    height_m: float = 0.0,
    probability: float = 0.95,
    points: MerweSigmaPoints = MerweSigmaPoints(alpha=1.0, beta=2.0, kappa=0.0),
    step_s: float = 5.0,
) -> GroundPointEstimate:
    """Launch point by back-propagating a post-boost ballistic state to the surface.

    (Powered flight is not modelled: the result is the ballistic extrapolation, biased
    towards the target for a real boost phase.)
    """
    return _ground_point(x, P, model or Ballistic(), height_m, True, probability, points, step_s)
