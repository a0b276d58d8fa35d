"""Threat evaluation: impact-in-disc probability, asset offsets and the T x A evaluation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoplon.command.threat_evaluation import (
    DefendedAsset,
    ImpactPredictions,
    asset_offsets_en_m,
    evaluate_threats,
    p_impact_in_disc,
    p_impact_in_disc_isotropic,
)
from hoplon.errors import InputError


@pytest.mark.parametrize(
    ("sigma", "dist", "R"),
    [
        (1000, 0, 500),
        (1000, 3000, 500),
        (1000, 1000, 1000),
        (10, 0, 1000),
        (1e4, 5e3, 1e3),
        (1, 0.5, 1),
        (1000, 999, 1),
        (1000, 1e4, 500),
    ],
)
def test_isotropic_matches_noncentral_chi_square(sigma: float, dist: float, R: float) -> None:
    stats = pytest.importorskip("scipy.stats")
    exact = stats.ncx2.cdf(R**2 / sigma**2, 2, dist**2 / sigma**2)
    d = dist * np.array([0.6, -0.8])
    got = p_impact_in_disc(d, np.eye(2) * sigma**2, R)
    assert got == pytest.approx(exact, rel=1e-8, abs=1e-12)


@pytest.mark.parametrize(
    ("P", "d", "R"),
    [
        ([[9e6, 2e6], [2e6, 1e6]], [1500.0, -800.0], 700.0),
        ([[1e8, 0.0], [0.0, 1e4]], [3000.0, 50.0], 500.0),
        ([[4e6, -3e6], [-3e6, 4e6]], [0.0, 0.0], 1500.0),
    ],
)
def test_elongated_matches_monte_carlo(P, d, R) -> None:
    rng = np.random.default_rng(42)
    n = 1_000_000
    x = rng.multivariate_normal([0.0, 0.0], np.array(P), size=n)
    mc = np.mean(np.hypot(x[:, 0] - d[0], x[:, 1] - d[1]) <= R)
    got = float(p_impact_in_disc(np.array(d), np.array(P), R))
    assert abs(got - mc) <= 5 * math.sqrt(mc * (1 - mc) / n)


@settings(max_examples=50, deadline=None)
@given(
    s1=st.floats(10, 1e4),
    s2=st.floats(10, 1e4),
    rho=st.floats(-0.95, 0.95),
    dx=st.floats(-2e4, 2e4),
    dy=st.floats(-2e4, 2e4),
    R=st.floats(10, 1e4),
    ang=st.floats(0, 2 * math.pi),
)
def test_rotation_invariant_and_a_probability(s1, s2, rho, dx, dy, R, ang) -> None:
    P = np.array([[s1**2, rho * s1 * s2], [rho * s1 * s2, s2**2]])
    c, s = math.cos(ang), math.sin(ang)
    Q = np.array([[c, -s], [s, c]])
    d = np.array([dx, dy])
    p1 = float(p_impact_in_disc(d, P, R))
    p2 = float(p_impact_in_disc(Q @ d, Q @ P @ Q.T, R))
    assert 0.0 <= p1 <= 1.0
    assert p2 == pytest.approx(p1, abs=2e-4)
    # a larger disc never has a smaller probability
    assert float(p_impact_in_disc(d, P, 2 * R)) >= p1 - 2e-4


def test_offsets_match_pymap3d() -> None:
    pm = pytest.importorskip("pymap3d")
    lat = np.radians([52.0, -33.9, 10.0])
    lon = np.radians([13.4, 151.2, -80.0])
    a_lat = np.radians([52.1, 52.0, -34.0])
    a_lon = np.radians([13.5, 13.2, 151.0])
    got = asset_offsets_en_m(lat, lon, a_lat, a_lon)
    for t in range(3):
        for a in range(3):
            e, n, _ = pm.geodetic2enu(a_lat[a], a_lon[a], 0.0, lat[t], lon[t], 0.0, deg=False)
            np.testing.assert_allclose(got[t, a], [e, n], rtol=1e-9, atol=1e-6)


def _assets() -> list[DefendedAsset]:
    return [
        DefendedAsset("city", math.radians(50.0), math.radians(10.0), 5000.0, 10.0, "blue"),
        DefendedAsset("port", math.radians(50.2), math.radians(10.0), 3000.0, 4.0, "blue"),
        DefendedAsset("base", math.radians(51.0), math.radians(11.0), 2000.0, 1.0, "green"),
    ]


def test_evaluate_threats_picks_asset_and_time_to_go() -> None:
    sigma = 1500.0
    impacts = ImpactPredictions(
        track_id=np.array([7, 8, 9]),
        lat_rad=np.radians([50.0, 50.2, 40.0]),
        lon_rad=np.radians([10.0, 10.0, 0.0]),
        cov_en_m2=np.repeat((np.eye(2) * sigma**2)[None], 3, axis=0),
        impact_time_s=np.array([300.0, 250.0, 400.0]),
    )
    ta = evaluate_threats(impacts, _assets(), now_s=100.0)
    assert ta.p_hit.shape == (3, 3)
    np.testing.assert_array_equal(ta.threatened_asset, [0, 1, -1])
    np.testing.assert_allclose(ta.time_to_go_s, [200.0, 150.0, 300.0])
    p_center = 1 - math.exp(-0.5 * (5000.0 / sigma) ** 2)  # Rayleigh cdf
    assert ta.p_hit[0, 0] == pytest.approx(p_center, rel=1e-9)
    assert ta.threat_value[0] == pytest.approx(10.0 * ta.p_hit[0, 0] + 4.0 * ta.p_hit[0, 1])
    assert ta.threat_value[2] == 0.0
    assert list(ta.priority_order()) == [0, 1, 2]


def test_bad_assets() -> None:
    with pytest.raises(InputError, match="radius_m"):
        DefendedAsset("x", 0.0, 0.0, -1.0)
    with pytest.raises(InputError, match="value"):
        DefendedAsset("x", 0.0, 0.0, 1.0, value=-2.0)
    with pytest.raises(InputError, match="lat_rad"):
        DefendedAsset("x", 2.0, 0.0, 1.0)
    with pytest.raises(InputError, match="cov_en_m2"):
        ImpactPredictions(np.arange(2), np.zeros(2), np.zeros(2), np.zeros((2, 3)), np.zeros(2))
    a = _assets()
    imp = ImpactPredictions(np.arange(1), np.zeros(1), np.zeros(1), np.eye(2)[None], np.zeros(1))
    with pytest.raises(InputError, match="assets"):
        evaluate_threats(imp, [a[0], a[0]], 0.0)


# --- isotropic closed form (the evaluate_threats fast path) -------------------------------


def _random_isotropic(rng: np.random.Generator, n: int, log_b: tuple[float, float]):
    """Random (d, var, R) with R/s log-uniform in ``10**log_b``; half near the disc edge."""
    R = 10 ** rng.uniform(2.0, 4.0, n)
    s = R / 10 ** rng.uniform(*log_b, n)
    dist = np.where(
        rng.random(n) < 0.5,
        np.abs(R + s * rng.uniform(-8.0, 8.0, n)),
        R * 10 ** rng.uniform(-3.0, 2.0, n),
    )
    ang = rng.uniform(0.0, 2.0 * np.pi, n)
    return np.stack([dist * np.cos(ang), dist * np.sin(ang)], axis=-1), s**2, R


def test_isotropic_closed_form_matches_quadrature() -> None:
    rng = np.random.default_rng(7)
    # R/s <= 16: the 256-node quadrature is accurate there
    d, var, R = _random_isotropic(rng, 3000, (-4.0, math.log10(16.0)))
    quad = p_impact_in_disc(d, np.eye(2) * var[:, None, None], R)
    closed = p_impact_in_disc_isotropic(d, var, R)
    np.testing.assert_allclose(closed, quad, rtol=0.0, atol=1e-9)
    # 16 < R/s < 300, mean near the edge: the quadrature needs more nodes (and its 1e-12 R^2
    # variance jitter shifts P by ~1e-8 at R/s = 300)
    d, var, R = _random_isotropic(rng, 200, (math.log10(16.0), math.log10(300.0)))
    quad = p_impact_in_disc(d, np.eye(2) * var[:, None, None], R, n_nodes=1024)
    closed = p_impact_in_disc_isotropic(d, var, R)
    np.testing.assert_allclose(closed, quad, rtol=0.0, atol=1e-7)


def test_isotropic_closed_form_matches_chndtr() -> None:
    special = pytest.importorskip("scipy.special")
    rng = np.random.default_rng(8)
    d, var, R = _random_isotropic(rng, 5000, (-6.0, 5.0))
    ref = special.chndtr(R**2 / var, 2.0, np.sum(d**2, axis=-1) / var)
    got = p_impact_in_disc_isotropic(d, var, R)
    assert np.all(np.isfinite(got))
    ok = np.isfinite(ref)  # chndtr returns nan for noncentralities above ~5e10
    assert ok.sum() > 4500
    np.testing.assert_allclose(got[ok], ref[ok], rtol=0.0, atol=1e-10)


@settings(max_examples=100, deadline=None)
@given(
    s=st.floats(1.0, 1e5),
    R=st.floats(1.0, 1e4),
    dist=st.floats(0.0, 1e5),
)
def test_isotropic_closed_form_is_a_monotone_probability(s: float, R: float, dist: float) -> None:
    p = float(p_impact_in_disc_isotropic([dist, 0.0], s**2, R))
    assert 0.0 <= p <= 1.0
    assert float(p_impact_in_disc_isotropic([dist, 0.0], s**2, 1.5 * R)) >= p - 1e-12
    assert float(p_impact_in_disc_isotropic([1.5 * dist + 1.0, 0.0], s**2, R)) <= p + 1e-12


@pytest.mark.parametrize(
    ("sigma", "dist", "R"),
    [
        (1000.0, 0.0, 500.0),
        (1000.0, 3000.0, 2500.0),  # mean outside, near the edge
        (100.0, 4950.0, 5000.0),  # R/s = 50: mean inside, half a sigma from the edge
        (20.0, 5010.0, 5000.0),  # R/s = 250, just outside
        (3e4, 1e4, 2000.0),  # wide covariance, small disc
    ],
)
def test_isotropic_closed_form_matches_monte_carlo(sigma: float, dist: float, R: float) -> None:
    rng = np.random.default_rng(11)
    n = 1_000_000
    x = rng.normal(0.0, sigma, (n, 2))
    mc = np.mean(np.hypot(x[:, 0] - dist, x[:, 1]) <= R)
    got = float(p_impact_in_disc_isotropic([dist, 0.0], sigma**2, R))
    assert abs(got - mc) <= 5 * math.sqrt(mc * (1 - mc) / n) + 1e-12


def test_isotropic_point_mass_and_huge_variance_limits() -> None:
    R = 3000.0
    dist = np.array([0.0, 2999.9, 3000.0, 3000.1, 1e7])
    d = np.stack([dist, np.zeros_like(dist)], axis=-1)
    # point mass (and a 1 mm sigma): 1 inside, 1/2 on the edge, 0 outside
    for var in (0.0, 1e-6):
        got = p_impact_in_disc_isotropic(d, var, R)
        # on the edge the disc's curvature takes phi(0) s / (2 R) off the half plane's 1/2
        edge = 0.5 - math.sqrt(var) / (2.0 * R * math.sqrt(2.0 * math.pi))
        np.testing.assert_allclose(got, [1, 1, edge, 0, 0], rtol=0, atol=1e-12)
    # 'no prediction' (var = 1e18): P = 1 - exp(-R^2 / 2 s^2) exp(-d^2 / 2 s^2) ~ R^2 / 2 s^2
    got = p_impact_in_disc_isotropic(d, 1e18, R)
    np.testing.assert_allclose(got, R**2 / 2e18 * np.exp(-(dist**2) / 2e18), rtol=1e-6)


def test_isotropic_huge_noncentrality_is_finite_and_correct() -> None:
    """``chndtr`` returns nan (or takes milliseconds) for noncentralities >~ 5e10; the
    closed form must not: compare with the large-|d|/s expansion of the Marcum Q function,
    P = Phi(t) - phi(t) / (2 a) + O(a^-2), t = (R - |d|)/s, a = |d|/s."""
    special = pytest.importorskip("scipy.special")
    s = 1.0
    R = 3e5  # nc = (R/s)^2 = 9e10
    t = np.linspace(-8.0, 8.0, 33)
    dist = R - t * s
    got = p_impact_in_disc_isotropic(np.stack([dist, 0 * dist], -1), s**2, R)
    a = dist / s
    approx = special.ndtr(t) - np.exp(-0.5 * t**2) / math.sqrt(2 * math.pi) / (2 * a)
    np.testing.assert_allclose(got, approx, rtol=0.0, atol=1e-10)
    # tiny disc far away: nc = 1e20
    assert float(p_impact_in_disc_isotropic([1e7, 0.0], 1e-6, 0.01)) == 0.0
    assert float(p_impact_in_disc_isotropic([1e7, 0.0], 1e-6, 1e7 + 1.0)) == 1.0


def _impacts(cov: np.ndarray, seed: int = 3) -> tuple[ImpactPredictions, list[DefendedAsset]]:
    """Engine-like batch: impacts aimed at the assets with 0.3-30 km misses."""
    rng = np.random.default_rng(seed)
    assets = _assets()
    T = len(cov)
    aim = rng.integers(0, len(assets), T)
    a_lat = np.array([a.lat_rad for a in assets])[aim]
    a_lon = np.array([a.lon_rad for a in assets])[aim]
    miss = rng.normal(0.0, 1.0, (T, 2)) * 10 ** rng.uniform(2.5, 4.5, (T, 1))
    lat = a_lat + miss[:, 1] / 6.37e6
    lon = a_lon + miss[:, 0] / (6.37e6 * np.cos(a_lat))
    none = rng.random(T) < 0.2  # 'no prediction' rows, as the engine builds them
    lat[none], lon[none] = 0.0, 0.0
    cov = cov.copy()
    cov[none] = np.eye(2) * 1e18
    return ImpactPredictions(np.arange(T), lat, lon, cov, rng.uniform(50, 500, T)), assets


def _isotropic_cov(rng: np.random.Generator, T: int) -> np.ndarray:
    return np.eye(2)[None] * 10 ** rng.uniform(math.log10(300.0), 8.0, (T, 1, 1))


def test_evaluate_threats_fast_path_matches_quadrature() -> None:
    rng = np.random.default_rng(5)
    impacts, assets = _impacts(_isotropic_cov(rng, 200))
    ta = evaluate_threats(impacts, assets, now_s=0.0)
    radius = np.array([a.radius_m for a in assets])
    d = asset_offsets_en_m(
        impacts.lat_rad,
        impacts.lon_rad,
        [a.lat_rad for a in assets],
        [a.lon_rad for a in assets],
    )
    quad = p_impact_in_disc(d, impacts.cov_en_m2[:, None], radius[None, :])
    assert (ta.p_hit > 0.0).sum() > 40
    np.testing.assert_allclose(ta.p_hit, np.where(quad >= 1e-6, quad, 0.0), rtol=0, atol=1e-9)
    value = np.array([a.value for a in assets])
    expect = np.where(quad >= 1e-6, quad, 0.0) @ value
    np.testing.assert_allclose(ta.threat_value, expect, rtol=0, atol=1e-8)
    # min_p_hit still zeroes small probabilities
    strict = evaluate_threats(impacts, assets, now_s=0.0, min_p_hit=0.5)
    np.testing.assert_array_equal(strict.p_hit, np.where(ta.p_hit >= 0.5, ta.p_hit, 0.0))


def test_evaluate_threats_rows_independent_of_batch() -> None:
    """A row's result must not depend on the other rows (lockstep trials in the engine),
    for isotropic and elongated covariances alike (an elongated row needs more nodes)."""
    rng = np.random.default_rng(6)
    T = 30
    cov = _isotropic_cov(rng, T)
    for i, k in enumerate(rng.choice(T, 8, replace=False)):
        c, s = math.cos(i), math.sin(i)
        Q = np.array([[c, -s], [s, c]])
        cov[k] = Q @ np.diag([1.0, 10.0 ** (i % 4) * 3.0]) @ Q.T * cov[k, 0, 0]
    cov[0] = 0.0  # degenerate: point mass
    impacts, assets = _impacts(cov, seed=6)
    full = evaluate_threats(impacts, assets, now_s=10.0)
    assert (full.p_hit > 0.0).sum() > 10
    for i in range(T):
        row = slice(i, i + 1)
        one = ImpactPredictions(
            impacts.track_id[row],
            impacts.lat_rad[row],
            impacts.lon_rad[row],
            impacts.cov_en_m2[row],
            impacts.impact_time_s[row],
        )
        ta = evaluate_threats(one, assets, now_s=10.0)
        assert np.array_equal(ta.p_hit[0], full.p_hit[i])
        assert ta.threat_value[0] == full.threat_value[i]
        assert ta.threatened_asset[0] == full.threatened_asset[i]


def test_evaluate_threats_non_isotropic_rows_use_the_quadrature() -> None:
    assets = _assets()
    a = assets[0]
    covs = [
        np.array([[4e6, 1.0], [1.0, 4e6]]),  # off-diagonal, however small
        np.array([[4e6, 0.0], [0.0, 4.0000001e6]]),  # unequal diagonal
    ]
    for cov in covs:
        imp = ImpactPredictions(
            np.arange(1), np.array([a.lat_rad]), np.array([a.lon_rad + 1e-4]), cov[None], [0.0]
        )
        ta = evaluate_threats(imp, assets, now_s=0.0)
        d = asset_offsets_en_m(
            imp.lat_rad, imp.lon_rad, [x.lat_rad for x in assets], [x.lon_rad for x in assets]
        )
        quad = p_impact_in_disc(d, cov, np.array([x.radius_m for x in assets])[None])
        np.testing.assert_array_equal(ta.p_hit, np.where(quad >= 1e-6, quad, 0.0))


def test_evaluate_threats_point_mass_and_no_prediction() -> None:
    assets = _assets()
    lat = np.array([assets[1].lat_rad, 0.0])
    lon = np.array([assets[1].lon_rad, 0.0])
    cov = np.stack([np.zeros((2, 2)), np.eye(2) * 1e18])
    ta = evaluate_threats(ImpactPredictions(np.arange(2), lat, lon, cov, np.zeros(2)), assets, 0)
    np.testing.assert_array_equal(ta.p_hit, [[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
    np.testing.assert_array_equal(ta.threatened_asset, [1, -1])


# --------------------------------------------------------------------------------------------
# The compiled steps against their numpy formulations (bit for bit)
# --------------------------------------------------------------------------------------------


def test_offsets_kernel_matches_numpy() -> None:
    """``asset_offsets_en_m``'s kernel (``np.einsum``'s sum order) is the numpy
    formulation bit for bit, for any number of impacts and assets, near and far."""
    from hoplon.command.threat_evaluation import _asset_offsets_numpy

    rng = np.random.default_rng(7)
    for A in (1, 2, 3, 5, 9):
        a_lat = rng.uniform(-1.5, 1.5, A)
        a_lon = rng.uniform(-3.2, 3.2, A)
        for T in (0, 1, 4, 40, 3000):
            lat = rng.uniform(-np.pi / 2, np.pi / 2, T)
            lon = rng.uniform(-3.2, 3.2, T)
            near = rng.random(T) < 0.5  # most impacts near an asset
            pick = rng.integers(0, A, T)
            lat[near] = a_lat[pick[near]] + rng.normal(0.0, 1e-3, near.sum())
            lon[near] = a_lon[pick[near]] + rng.normal(0.0, 1e-3, near.sum())
            got = asset_offsets_en_m(lat, lon, a_lat, a_lon)
            np.testing.assert_array_equal(
                got, _asset_offsets_numpy(lat, lon, a_lat, a_lon), strict=True
            )


def test_isotropic_kernel_matches_numpy() -> None:
    """``p_impact_in_disc_isotropic`` (compiled element-wise steps) is its numpy
    formulation bit for bit: wide, near and far discs, point masses, NaN, broadcasting."""
    from hoplon.command.threat_evaluation import _p_isotropic_numpy

    rng = np.random.default_rng(8)
    n = 20_000
    d = rng.normal(0.0, 1.0, (n, 2)) * 10.0 ** rng.uniform(0.0, 6.0, (n, 1))
    var = 10.0 ** rng.uniform(-2.0, 12.0, n)
    R = 10.0 ** rng.uniform(1.0, 5.0, n)
    var[:50] = 0.0
    var[50:60] = np.nan
    d[60:70] = np.nan
    for args in ((d, var, R), (d[:7], var[0], R[:7]), (d[0], var[:9], 1e3), (d[:0], var[:0], 1.0)):
        got = p_impact_in_disc_isotropic(*args)
        ref = _p_isotropic_numpy(*args)
        assert got.shape == ref.shape
        np.testing.assert_array_equal(got, ref, strict=True)


def test_evaluate_threats_matches_numpy_steps() -> None:
    """``evaluate_threats`` on isotropic rows (the engine's) is the numpy formulation:
    offsets, closed form, threshold, values at risk and the threatened asset."""
    from hoplon.command.threat_evaluation import _asset_offsets_numpy, _p_isotropic_numpy

    rng = np.random.default_rng(9)
    assets = [
        DefendedAsset("a", 0.52, 0.87, 20e3, 1.0),
        DefendedAsset("b", 0.44, 0.79, 50e3, 2.0),
        DefendedAsset("c", 0.58, 1.01, 5e3, 0.0),
    ]
    T = 500
    lat = np.array([a.lat_rad for a in assets])[rng.integers(0, 3, T)] + rng.normal(0, 5e-3, T)
    lon = np.array([a.lon_rad for a in assets])[rng.integers(0, 3, T)] + rng.normal(0, 5e-3, T)
    var = 10.0 ** rng.uniform(2.0, 12.0, T)
    var[:5] = 1e18  # no prediction
    imp = ImpactPredictions(
        track_id=np.arange(T),
        lat_rad=lat,
        lon_rad=lon,
        cov_en_m2=np.eye(2) * var[:, None, None],
        impact_time_s=rng.uniform(0.0, 900.0, T),
    )
    got = evaluate_threats(imp, assets, 12.5)
    d = _asset_offsets_numpy(lat, lon, [a.lat_rad for a in assets], [a.lon_rad for a in assets])
    p = _p_isotropic_numpy(d, var[:, None], np.array([a.radius_m for a in assets])[None, :])
    p = np.where(p >= 1e-6, p, 0.0)
    v = p * np.array([a.value for a in assets])[None, :]
    np.testing.assert_array_equal(got.p_hit, p, strict=True)
    np.testing.assert_array_equal(got.value_at_risk, v, strict=True)
    np.testing.assert_array_equal(
        got.threatened_asset, np.where(v.max(axis=1) > 0.0, v.argmax(axis=1), -1), strict=True
    )
    np.testing.assert_array_equal(got.threat_value, v.sum(axis=1), strict=True)
    assert (got.threatened_asset >= 0).any() and (got.threatened_asset < 0).any()
