"""Path predictions and impact beliefs for engagement planning (pure functions on arrays).

A command node predicts each track's path on a common time grid (``PREDICTION_STEP_S``
apart, ``PREDICTION_HORIZON_S`` long): ballistic tracks with the flight kernels (gravity,
drag of a generic re-entry vehicle, rotating Earth), air-breathing tracks (low and slow) on
a great circle at their altitude. From a path and the track's covariance it forms an impact
belief (predicted impact, or closest approach to a defended asset, with a circular error)
for the threat evaluation. Every row is computed on its own (a row's result does not depend
on the other rows of the batch), which the lockstep campaign engine relies on.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from hoplon.command.threat_evaluation import DefendedAsset, ImpactPredictions
from hoplon.earth.frames import WGS84, ecef_to_geodetic, geodetic_to_ecef
from hoplon.earth.geodesy import destination
from hoplon.flight import EarthModel, make_params, propagate

#: Prediction horizon and step for engagement planning [s].
PREDICTION_HORIZON_S = 1200.0
PREDICTION_STEP_S = 4.0
#: Ballistic coefficient assumed for predicting tracked ballistic objects [kg/m^2].
PREDICTION_BETA_KG_M2 = 5_000.0
#: Tracks below this altitude [m] and speed [m/s] are treated as air-breathing.
AIR_BREATHING_ALT_M = 30_000.0
AIR_BREATHING_SPEED_MPS = 700.0


def predict_paths(
    t: float, x: np.ndarray, tx: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Predicted paths of ``n`` tracks from their states ``x`` (n, 6) [m, m/s] (ECEF) at
    times ``tx`` (n,) [s].

    Returns the grid ``t + j*step`` (k,) [s], the positions on it (n, k, 3) [m] (NaN after
    the path ends), the impact time (n,) [s] and impact point (n, 3) [m] (NaN where no
    impact within the horizon) and the geodetic altitudes of the positions (n, k) [m]."""
    n = len(x)
    grid = t + np.arange(0.0, PREDICTION_HORIZON_S + 1e-9, PREDICTION_STEP_S)
    paths = np.full((n, grid.size, 3), np.nan)
    t_imp = np.full(n, np.nan)
    r_imp = np.full((n, 3), np.nan)
    alt = ecef_to_geodetic(x[:, :3], WGS84)[2]
    speed = np.linalg.norm(x[:, 3:6], axis=1)
    air = (alt < AIR_BREATHING_ALT_M) & (speed < AIR_BREATHING_SPEED_MPS)
    # air-breathing: great circle at the track's altitude and horizontal speed (a noisy
    # vertical velocity would otherwise fly the prediction into the ground)
    ia = np.nonzero(air)[0]
    if len(ia):
        lat, lon, h = ecef_to_geodetic(x[ia, :3], WGS84)
        vx, vy, vz = x[ia, 3], x[ia, 4], x[ia, 5]
        sl, cl, so, co = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
        e = -so * vx + co * vy  # east and north components of the velocity
        n_ = -sl * co * vx - sl * so * vy + cl * vz
        dist = np.hypot(e, n_)[:, None] * (grid[None, :] - tx[ia][:, None])
        la, lo = destination(lat[:, None], lon[:, None], np.arctan2(e, n_)[:, None], dist)
        hh = np.broadcast_to(np.maximum(h, 10.0)[:, None], la.shape)
        paths[ia] = geodetic_to_ecef(la, lo, hh, WGS84)
    bal = np.nonzero(~air)[0]
    if len(bal):
        model = EarthModel()
        y0 = np.zeros((len(bal), 7))
        y0[:, :6] = x[bal]
        y0[:, 6] = 1.0
        params = make_params(len(bal), beta_kg_m2=PREDICTION_BETA_KG_M2)
        # bring every state to now, then sample on the common grid
        res0 = propagate(
            y0, params, model=model, t0=tx[bal], t_end=t, dt=1.0, record=False,
            stop_altitude_m=0.0,
        )  # fmt: skip
        alive = res0.status != 1
        res = propagate(
            res0.y_final, params, model=model, t0=t, t_end=grid[-1], dt=PREDICTION_STEP_S,
            record=True, stop_altitude_m=0.0,
        )  # fmt: skip
        K = min(res.y.shape[1], grid.size)
        valid = alive[:, None] & (np.arange(K)[None, :] < res.n_samples[:, None])
        hit = alive & (res.status == 1)
        # an impacting path's last sample is the impact (off the grid): grid samples only
        u = (res.t[:, :K] - t) / PREDICTION_STEP_S
        on = np.round(u)
        with np.errstate(invalid="ignore"):
            off_grid = hit[:, None] & (np.abs(u - on) > 1e-8 + 1e-5 * np.abs(on))
        paths[bal, :K] = np.where((valid & ~off_grid)[..., None], res.y[:, :K, :3], np.nan)
        t_imp[bal[hit]] = res.impact_t[hit]
        r_imp[bal[hit]] = res.impact_y[hit, :3]
    alt_paths = ecef_to_geodetic(paths, WGS84)[2]
    return grid, paths, t_imp, r_imp, alt_paths


def impact_predictions(
    assets: Sequence[DefendedAsset],
    t: float,
    P: np.ndarray,
    grid: np.ndarray,
    paths: np.ndarray,
    t_imp: np.ndarray,
    r_imp: np.ndarray,
) -> ImpactPredictions:
    """Impact beliefs of ``n`` entries: the predicted impact, or for entries with none in
    the horizon (air-breathing) the closest approach to an asset, with a circular error."""
    n = len(P)
    t_imp = t_imp.copy()
    lat = np.full(n, np.nan)
    lon = np.full(n, np.nan)
    cov = np.zeros((n, 2, 2))
    has_impact = np.isfinite(t_imp)
    if has_impact.any():
        la_all, lo_all, _ = ecef_to_geodetic(r_imp[has_impact], WGS84)
        lat[has_impact], lon[has_impact] = la_all, lo_all
    centres = [np.asarray(geodetic_to_ecef(a.lat_rad, a.lon_rad, 0.0, WGS84)) for a in assets]
    sig_p2 = (P[:, 0, 0] + P[:, 1, 1] + P[:, 2, 2]) / 3.0
    sig_v2 = (P[:, 3, 3] + P[:, 4, 4] + P[:, 5, 5]) / 3.0
    var = np.full(n, np.nan)
    if has_impact.any():
        tgo = np.maximum(t_imp[has_impact] - t, 0.0)
        var[has_impact] = sig_p2[has_impact] + sig_v2[has_impact] * tgo**2 + 500.0**2
    # air-breathing or no impact in the horizon: the closest approach to an asset (the
    # asset whose disc the path comes nearest, in radii; the first such point)
    rows = np.nonzero(~has_impact)[0] if assets else np.empty(0, dtype=np.int64)
    pts = paths[rows]
    ok = np.all(np.isfinite(pts), axis=2)
    rows, pts, ok = rows[ok.any(axis=1)], pts[ok.any(axis=1)], ok[ok.any(axis=1)]
    if len(rows):
        score = np.empty((len(rows), len(assets)))
        nearest = np.empty((len(rows), len(assets)), dtype=np.int64)
        every = np.arange(len(rows))
        for m, (a, c) in enumerate(zip(assets, centres, strict=True)):
            diff = pts - c
            d = np.where(ok, np.sqrt(np.add.reduce(diff * diff, axis=2)), np.inf)
            nearest[:, m] = np.argmin(d, axis=1)
            score[:, m] = d[every, nearest[:, m]] / a.radius_m
        j = nearest[every, np.argmin(score, axis=1)]
        la, lo, _ = ecef_to_geodetic(pts[every, j], WGS84)
        lat[rows], lon[rows] = la, lo
        t_imp[rows] = grid[j]
        tgo = np.maximum(t_imp[rows] - t, 0.0)
        var[rows] = sig_p2[rows] + sig_v2[rows] * tgo**2 + 2_000.0**2
    has_var = np.isfinite(var)
    cov[has_var] = np.eye(2) * var[has_var, None, None]
    ok = np.isfinite(lat)
    lat = np.where(ok, lat, 0.0)
    lon = np.where(ok, lon, 0.0)
    cov[~ok] = np.eye(2) * 1e18  # no prediction: threatens nothing
    return ImpactPredictions(
        track_id=np.arange(n),
        lat_rad=lat,
        lon_rad=lon,
        cov_en_m2=cov,
        impact_time_s=np.where(np.isfinite(t_imp), t_imp, t + PREDICTION_HORIZON_S),
    )


__all__ = ["impact_predictions", "predict_paths"]
