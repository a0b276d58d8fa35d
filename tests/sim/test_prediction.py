"""``hoplon.sim.prediction``: the compiled prediction gives the reference formulation's
results bit for bit (same floats, same NaN placement), row by row."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hoplon.command.threat_evaluation import DefendedAsset, ImpactPredictions
from hoplon.earth.frames import WGS84, _geodetic_altitude, ecef_to_geodetic, geodetic_to_ecef
from hoplon.earth.geodesy import destination
from hoplon.errors import InputError
from hoplon.flight import EarthModel, blocked, initial_state, make_params, propagate
from hoplon.flight import integrators as ig
from hoplon.sim.prediction import (
    AIR_BREATHING_ALT_M,
    AIR_BREATHING_SPEED_MPS,
    PREDICTION_BETA_KG_M2,
    PREDICTION_HORIZON_S,
    PREDICTION_STEP_S,
    impact_predictions,
    predict_paths,
)

# --------------------------------------------------------------------------------------------
# The reference: the numpy formulation the compiled one replaced (kept verbatim)
# --------------------------------------------------------------------------------------------


def ref_predict_paths(t, x, tx):
    n = len(x)
    grid = t + np.arange(0.0, PREDICTION_HORIZON_S + 1e-9, PREDICTION_STEP_S)
    paths = np.full((n, grid.size, 3), np.nan)
    t_imp = np.full(n, np.nan)
    r_imp = np.full((n, 3), np.nan)
    alt = ecef_to_geodetic(x[:, :3], WGS84)[2]
    speed = np.linalg.norm(x[:, 3:6], axis=1)
    air = (alt < AIR_BREATHING_ALT_M) & (speed < AIR_BREATHING_SPEED_MPS)
    ia = np.nonzero(air)[0]
    if len(ia):
        lat, lon, h = ecef_to_geodetic(x[ia, :3], WGS84)
        vx, vy, vz = x[ia, 3], x[ia, 4], x[ia, 5]
        sl, cl, so, co = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
        e = -so * vx + co * vy
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
        u = (res.t[:, :K] - t) / PREDICTION_STEP_S
        on = np.round(u)
        with np.errstate(invalid="ignore"):
            off_grid = hit[:, None] & (np.abs(u - on) > 1e-8 + 1e-5 * np.abs(on))
        paths[bal, :K] = np.where((valid & ~off_grid)[..., None], res.y[:, :K, :3], np.nan)
        t_imp[bal[hit]] = res.impact_t[hit]
        r_imp[bal[hit]] = res.impact_y[hit, :3]
    alt_paths = ecef_to_geodetic(paths, WGS84)[2]
    return grid, paths, t_imp, r_imp, alt_paths


def ref_impact_predictions(assets, t, P, grid, paths, t_imp, r_imp):
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
    cov[~ok] = np.eye(2) * 1e18
    return ImpactPredictions(
        track_id=np.arange(n),
        lat_rad=lat,
        lon_rad=lon,
        cov_en_m2=cov,
        impact_time_s=np.where(np.isfinite(t_imp), t_imp, t + PREDICTION_HORIZON_S),
    )


# --------------------------------------------------------------------------------------------
# Random batches
# --------------------------------------------------------------------------------------------

T_NOW = 1000.0  # a grid time (a multiple of the step)


def _states(rng, n, alt, speed, gamma):
    """States (n, 6) at random places near 30N 50E, ``alt``/``speed``/``gamma`` ranges."""
    y = initial_state(
        np.radians(rng.uniform(20.0, 40.0, n)),
        np.radians(rng.uniform(35.0, 65.0, n)),
        rng.uniform(*alt, n),
        rng.uniform(*speed, n),
        np.radians(rng.uniform(*gamma, n)),
        rng.uniform(0.0, 2.0 * np.pi, n),
    )
    return y[:, :6]


def _batch(kind, n, seed):
    rng = np.random.default_rng(seed)
    if kind == "ballistic":  # exo-atmospheric, rising or falling, most land beyond the horizon
        x = _states(rng, n, (100e3, 900e3), (1500.0, 6500.0), (-30.0, 45.0))
    elif kind == "air":  # cruise missiles and aircraft
        x = _states(rng, n, (20.0, 25e3), (100.0, 650.0), (-5.0, 5.0))
    elif kind == "impacting":  # re-entering, all land within the horizon
        x = _states(rng, n, (30e3, 150e3), (1000.0, 4000.0), (-60.0, -5.0))
    elif kind == "landing_now":  # some land before ``t`` (while being brought to now)
        x = _states(rng, n, (50.0, 3000.0), (900.0, 3000.0), (-80.0, -30.0))
    else:  # mixed
        parts = [_batch(k, n, seed + i + 1)[0] for i, k in enumerate(
            ("ballistic", "air", "impacting", "landing_now")
        )]  # fmt: skip
        x = np.concatenate(parts)[rng.permutation(4 * n)[:n]]
    tx = T_NOW - rng.choice([0.0, 0.0, 1.0, 3.0, 4.5, 8.0], n)
    return x, tx


def _same(a, b):
    assert len(a) == len(b)
    for u, v in zip(a, b, strict=True):
        assert np.asarray(u).dtype == np.asarray(v).dtype
        np.testing.assert_array_equal(u, v, strict=True)


def _same_impacts(a, b):
    for name in ("track_id", "lat_rad", "lon_rad", "cov_en_m2", "impact_time_s"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), strict=True)


ASSETS = [
    DefendedAsset("a", np.radians(30.0), np.radians(50.0), 20e3, 1.0, "x"),
    DefendedAsset("b", np.radians(25.0), np.radians(45.0), 50e3, 2.0, "x"),
    DefendedAsset("c", np.radians(33.0), np.radians(58.0), 5e3, 1.0, "y"),
]


@pytest.mark.parametrize("kind", ["ballistic", "air", "impacting", "landing_now", "mixed"])
@pytest.mark.parametrize("n", [1, 17, 90])  # 90: the multi-threaded kernel path
def test_predict_paths_matches_reference(kind, n):
    x, tx = _batch(kind, n, seed=n)
    got = predict_paths(T_NOW, x, tx)
    _same(got, ref_predict_paths(T_NOW, x, tx))
    grid, paths, t_imp, r_imp, alt = got
    assert paths.shape == (n, grid.size, 3) and alt.shape == (n, grid.size)
    if kind == "impacting":
        assert np.isfinite(t_imp).all()
    if kind == "air":
        assert np.isfinite(paths).all() and np.isnan(t_imp).all()
    if kind == "landing_now" and n > 1:
        assert np.isnan(paths).all(axis=(1, 2)).any()  # landed before now: no path
    for p in (ASSETS, ASSETS[:1], []):
        P = np.random.default_rng(n).normal(size=(n, 6, 6))
        P = P @ P.transpose(0, 2, 1) * 1e3
        _same_impacts(
            impact_predictions(p, T_NOW, P, grid, paths, t_imp, r_imp),
            ref_impact_predictions(p, T_NOW, P, grid, paths, t_imp, r_imp),
        )


def _generic_record(y0, P, env, atm, cdt, t0, te, dt, stop, use, max_steps, *out):
    """``integrate_batch_blocked_record``'s call served by the generic kernel."""
    ig.integrate_batch(
        np.int64(ig.METHOD_RK4), y0, P, env, atm, cdt, t0, te, dt, 1e-9, 1e-6, math.inf, stop,
        use, True, max_steps, *out,
    )  # fmt: skip


@pytest.mark.parametrize("kind", ["ballistic", "impacting", "mixed"])
def test_predict_paths_matches_generic_kernel(kind, monkeypatch):
    """The recorded grid run (blocked kernel) gives the generic kernel's paths bit for bit:
    the reference with ``propagate``'s recorded run forced onto ``integrate_batch``."""
    x, tx = _batch(kind, 150, seed=21)
    got = predict_paths(T_NOW, x, tx)
    monkeypatch.setattr(blocked, "integrate_batch_blocked_record", _generic_record)
    _same(got, ref_predict_paths(T_NOW, x, tx))


def test_rows_are_independent():
    """A row's prediction does not depend on the other rows of the batch."""
    x, tx = _batch("mixed", 40, seed=5)
    whole = predict_paths(T_NOW, x, tx)
    for i in range(0, 40, 7):
        one = predict_paths(T_NOW, x[i : i + 1], tx[i : i + 1])
        for a, b in zip(whole[1:], one[1:], strict=True):
            np.testing.assert_array_equal(a[i : i + 1], b)


def test_off_grid_time_and_empty_batch():
    """A time off the step grid, an empty batch, NaN-padded and all-NaN paths."""
    x, tx = _batch("mixed", 30, seed=9)
    _same(predict_paths(T_NOW + 1.5, x, tx), ref_predict_paths(T_NOW + 1.5, x, tx))
    _same(predict_paths(T_NOW, x[:0], tx[:0]), ref_predict_paths(T_NOW, x[:0], tx[:0]))
    grid, paths, t_imp, r_imp, _ = predict_paths(T_NOW, x, tx)
    paths[::3] = np.nan
    paths[1, 5:] = np.nan
    P = np.tile(np.eye(6) * 100.0, (30, 1, 1))
    _same_impacts(
        impact_predictions(ASSETS, T_NOW, P, grid, paths, t_imp, r_imp),
        ref_impact_predictions(ASSETS, T_NOW, P, grid, paths, t_imp, r_imp),
    )


def test_invalid_ballistic_inputs_raise_as_before():
    x, tx = _batch("ballistic", 3, seed=1)
    with pytest.raises(InputError):
        predict_paths(T_NOW, x, tx + 50.0)  # a state later than now
    bad = tx.copy()
    bad[1] = np.nan
    with pytest.raises(InputError):
        predict_paths(T_NOW, x, bad)


def test_geodetic_altitude_is_the_kernels():
    """``_geodetic_altitude`` gives ``ecef_to_geodetic``'s altitude bit for bit."""
    rng = np.random.default_rng(3)
    lat = rng.uniform(-np.pi / 2, np.pi / 2, 20_000)
    lon = rng.uniform(-np.pi, np.pi, 20_000)
    h = np.concatenate([rng.uniform(-5e3, 2e6, 19_000), rng.uniform(-6.3e6, -6.2e6, 1000)])
    r = np.concatenate(
        [
            geodetic_to_ecef(lat, lon, h),
            [[0.0, 0.0, 6.4e6], [0.0, 0.0, -6.4e6], [6.4e6, 0.0, 0.0], [0.0, 0.0, 0.0]],
            [[1e4, 2e4, -3e4], [np.nan, np.nan, np.nan], [1.0, np.nan, 2.0], [np.inf, 0, 0]],
        ]
    )
    ref = ecef_to_geodetic(r)[2]
    got = np.array([_geodetic_altitude(*p, WGS84.a_m, WGS84.b_m) for p in r])
    np.testing.assert_array_equal(got, ref, strict=True)


# --------------------------------------------------------------------------------------------
# The compiled air-breathing branch and ballistic set-up against their numpy formulations
# --------------------------------------------------------------------------------------------


def test_great_circles_match_numpy_on_many_tracks():
    """The compiled great circles (libm sin/cos/hypot, numpy's arctan2) give the numpy
    formulation's paths bit for bit on many air-breathing tracks (~600k points), together
    with the compiled classification (altitude and speed) on states around the limits."""
    rng = np.random.default_rng(11)
    x = _states(rng, 2000, (-50.0, 29_999.0), (10.0, 699.0), (-20.0, 20.0))
    x[:50, 3:] = rng.normal(0.0, 400.0, (50, 3))  # any direction, some above the speed limit
    tx = T_NOW - rng.uniform(0.0, 10.0, 2000)
    from hoplon.sim.prediction import _predict_paths_numpy

    _same(predict_paths(T_NOW, x, tx), _predict_paths_numpy(T_NOW, x, tx))
    # everywhere on the globe (poles and the date line included)
    lat = np.concatenate([rng.uniform(-np.pi / 2, np.pi / 2, 300), [np.pi / 2, -np.pi / 2]])
    lon = np.concatenate([rng.uniform(-np.pi, np.pi, 300), [np.pi, -np.pi]])
    y = initial_state(
        lat, lon, rng.uniform(0.0, 2e4, 302), rng.uniform(50.0, 690.0, 302),
        np.zeros(302), rng.uniform(0.0, 2.0 * np.pi, 302),
    )[:, :6]  # fmt: skip
    _same(
        predict_paths(T_NOW, y, np.full(302, T_NOW)),
        _predict_paths_numpy(T_NOW, y, np.full(302, T_NOW)),
    )


def test_great_circle_ecef_wraps_as_numpy():
    """``_great_circle_ecef``'s ``wrap_pi`` (a shortcut inside (-pi, pi), ``fmod`` outside)
    and ``geodetic_to_ecef`` are numpy's bit for bit, at and beyond +-pi too."""
    from hoplon.earth.geodesy import wrap_pi
    from hoplon.sim.prediction import _great_circle_ecef

    rng = np.random.default_rng(12)
    k = 4000
    lon = np.concatenate(
        [
            rng.uniform(-np.pi, np.pi, k - 8),
            [np.pi, -np.pi, 0.0, -0.0, np.nextafter(np.pi, 4), np.nextafter(-np.pi, -4)],
            [7.0, -20.0],
        ]
    ).reshape(2, k // 2)
    lat = rng.uniform(-np.pi / 2, np.pi / 2, k).reshape(2, k // 2)
    geo = np.array([[0.0, 0.0], [0.0, 0.0], [5.0, 12_345.0]])  # h: below 10 m, above
    paths = np.empty((2, k // 2, 3))
    _great_circle_ecef(np.arange(2), geo, lat, lon, WGS84.a_m, WGS84.e2, paths)
    h = np.maximum(geo[2], 10.0)[:, None] * np.ones_like(lat)
    np.testing.assert_array_equal(paths, geodetic_to_ecef(lat, wrap_pi(lon), h, WGS84))


def test_ballistic_more_than_a_chunk_and_bad_states():
    """More rows than one chunk of the blocked kernel (the numpy path) and rows that
    ``propagate`` rejects (non-finite states) behave as the reference."""
    x, tx = _batch("ballistic", 1030, seed=31)
    _same(predict_paths(T_NOW, x, tx, altitudes=False)[:4], ref_predict_paths(T_NOW, x, tx)[:4])
    x, tx = _batch("ballistic", 4, seed=32)
    x[2, 4] = np.inf
    with pytest.raises(InputError):
        predict_paths(T_NOW, x, tx)


@pytest.mark.parametrize("t", [T_NOW, T_NOW + 1.5, T_NOW + 0.37])
def test_ballistic_branch_matches_its_numpy_formulation(t):
    """The compiled ballistic branch (grid run recorded straight into the paths, longest
    flights first) gives :func:`_predict_ballistic_numpy`'s rows bit for bit: landed before
    now, impacting within a step (the off-grid impact sample dropped), alive to the end;
    rows scattered among others (untouched)."""
    from hoplon.sim.prediction import _predict_ballistic, _predict_ballistic_numpy

    parts = [_batch(kind, 25, seed=40 + i) for i, kind in enumerate(
        ["ballistic", "impacting", "landing_now", "mixed"])]  # fmt: skip
    x = np.concatenate([p[0] for p in parts])
    tx = np.concatenate([p[1] for p in parts])
    rows = np.random.default_rng(5).permutation(len(x) + 10)[: len(x)]
    xx = np.zeros((len(x) + 10, 6))
    xx[rows] = x
    txx = np.zeros(len(x) + 10)
    txx[rows] = tx
    grid = t + np.arange(0.0, PREDICTION_HORIZON_S + 1e-9, PREDICTION_STEP_S)
    outs = []
    for f in (_predict_ballistic, _predict_ballistic_numpy):
        paths = np.full((len(xx), grid.size, 3), -7.0)
        t_imp = np.full(len(xx), -7.0)
        r_imp = np.full((len(xx), 3), -7.0)
        if f is _predict_ballistic:
            f(t, xx, txx, grid, rows, paths, t_imp, r_imp)
        else:
            f(t, xx[rows], txx[rows], grid, rows, paths, t_imp, r_imp)
        outs.append((paths, t_imp, r_imp))
    for a, b in zip(*outs, strict=True):
        np.testing.assert_array_equal(a, b)
    paths, t_imp, _ = outs[0]
    hit = t_imp[rows] != -7.0  # (rows without an impact untouched)
    assert hit.sum() > 20 and (~hit).sum() > 5
    assert np.isnan(paths[rows]).all(axis=(1, 2)).any()
    assert (paths[np.setdiff1d(np.arange(len(xx)), rows)] == -7.0).all()
