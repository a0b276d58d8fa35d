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
