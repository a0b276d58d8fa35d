"""Radar visibility, SNR, detection and measurements."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hoplon.earth.frames import WGS84, aer_to_ecef, ecef_to_aer
from hoplon.sensors.detection import pd_from_snr
from hoplon.sensors.measurements import MeasurementKind
from hoplon.sensors.radar import Radar, RadarArray, pd_lookup

D = math.pi / 180
LAT, LON, ALT = 40 * D, 20 * D, 100.0


def make_radar(**kw) -> Radar:
    base = dict(
        name="r",
        lat_rad=LAT,
        lon_rad=LON,
        alt_m=ALT,
        snr_constant_m2=10**2.0 * (1000e3) ** 4,
        max_range_m=2000e3,
        boresight_az_rad=90 * D,
        azimuth_span_rad=120 * D,
        min_elevation_rad=0.5 * D,
        max_elevation_rad=60 * D,
        swerling=1,
    )
    return Radar(**(base | kw))


def at(az_deg, el_deg, rng_m):
    return aer_to_ecef(np.radians(az_deg), np.radians(el_deg), rng_m, LAT, LON, ALT, WGS84)


def test_aer_matches_frames() -> None:
    r = make_radar()
    tg = at([10.0, 100.0, 250.0], [1.0, 20.0, 70.0], [1e5, 5e5, 1e6])
    az, el, rg = r.aer(tg)
    az2, el2, rg2 = ecef_to_aer(tg, LAT, LON, ALT, WGS84)
    np.testing.assert_allclose(az, az2, atol=1e-9)
    np.testing.assert_allclose(el, el2, atol=1e-9)
    np.testing.assert_allclose(rg, rg2, rtol=1e-12)


def test_visibility_conditions() -> None:
    r = make_radar()
    tg = at(
        [90.0, 90.0, 149.0, 151.0, 90.0, 90.0, 90.0],
        [10.0, 0.2, 10.0, 10.0, 61.0, 10.0, 10.0],
        [5e5, 5e5, 5e5, 5e5, 5e5, 1999e3, 2001e3],
    )
    np.testing.assert_array_equal(r.visible(tg), [True, False, True, False, False, True, False])


def test_horizon_blocks_low_targets() -> None:
    """A target at 10 km altitude is visible out to ~425 km (4/3 Earth) and not beyond."""
    from hoplon.earth.frames import geodetic_to_ecef

    r = make_radar(min_elevation_rad=-5 * D, alt_m=10.0)
    # targets due east at 10 km altitude, at ground distances around the horizon
    dist = np.array([380e3, 400e3, 450e3, 480e3])
    lon = LON + dist / (6371e3 * math.cos(LAT))
    vis = r.visible(geodetic_to_ecef(LAT, lon, 10e3))
    assert vis[0] and vis[1] and not vis[2] and not vis[3]
    geometric = make_radar(min_elevation_rad=-5 * D, alt_m=10.0, k_factor=1.0)
    assert geometric.visible(geodetic_to_ecef(LAT, lon, 10e3)).sum() <= vis.sum()


def test_snr_and_pd() -> None:
    r = make_radar()
    tg = at([90.0, 90.0], [10.0, 10.0], [1000e3, 500e3])
    snr = r.snr_db(tg, 1.0)
    np.testing.assert_allclose(snr, [20.0, 20.0 + 40 * math.log10(2)], atol=1e-9)
    pd = r.pd(tg, 1.0)
    np.testing.assert_allclose(pd, pd_from_snr(snr, 1e-6, 1, 1), atol=1e-4)
    assert float(r.pd(at(0.0, 10.0, 5e5), 1.0)) == 0.0  # outside the field of regard


def test_detection_range() -> None:
    r = make_radar()
    req = r.required_snr_db()
    assert req == pytest.approx(21.1436, abs=1e-3)
    R = r.detection_range_m(1.0)
    assert float(r.snr_db(at(90.0, 10.0, R), 1.0)) == pytest.approx(req, abs=1e-9)
    assert make_radar(max_range_m=100e3).detection_range_m(1.0) == 100e3


def test_pd_lookup_is_close_to_exact() -> None:
    s = np.linspace(-10, 40, 777)
    for case in range(5):
        np.testing.assert_allclose(
            pd_lookup(s, 1e-6, 4, case), pd_from_snr(s, 1e-6, 4, case), atol=2e-4
        )


def test_evaluate_matches_single_radar_calls() -> None:
    r1 = make_radar()
    r2 = make_radar(name="b", lon_rad=25 * D, boresight_az_rad=270 * D, swerling=0)
    arr = RadarArray.stack([r1, r2])
    rng = np.random.default_rng(3)
    X = at(rng.uniform(0, 360, (5, 7)), rng.uniform(-2, 70, (5, 7)), rng.uniform(1e5, 3e6, (5, 7)))
    rcs = np.array([0.01, 0.1, 1.0, 3.0, 10.0])
    vis, snr, pd = arr.evaluate(X, rcs)
    assert vis.shape == snr.shape == pd.shape == (5, 2, 7)
    for s, r in enumerate((r1, r2)):
        np.testing.assert_array_equal(vis[:, s], r.visible(X))
        np.testing.assert_allclose(snr[:, s], r.snr_db(X, rcs[:, None]))
        np.testing.assert_allclose(pd[:, s], r.pd(X, rcs[:, None]))


def test_observe_statistics() -> None:
    r = make_radar(swerling=0, sigma_range_m=20.0, sigma_angle_rad=2e-3)
    n = 20000
    tg = np.repeat(at(90.0, 10.0, 300e3)[None], n, axis=0)
    b = r.observe(5.0, tg, 1.0, np.random.default_rng(0))
    assert b.kind == MeasurementKind.RAE and len(b) == n  # SNR 41 dB: always detected
    np.testing.assert_array_equal(b.truth_id, np.arange(n))
    assert np.mean(b.z[:, 0]) == pytest.approx(300e3, abs=1.0)
    assert np.std(b.z[:, 0]) == pytest.approx(20.0, rel=0.03)
    assert np.std(b.z[:, 1]) == pytest.approx(2e-3, rel=0.03)
    assert np.std(b.z[:, 2]) == pytest.approx(2e-3, rel=0.03)
    np.testing.assert_allclose(b.R[0], np.diag([400.0, 4e-6, 4e-6]))
    np.testing.assert_allclose(b.sensor_position_ecef_m[0], r.position_ecef_m)


def test_observe_detection_rate_follows_pd() -> None:
    r = make_radar()
    tg = np.repeat(at(90.0, 10.0, 1000e3)[None], 20000, axis=0)
    b = r.observe(0.0, tg, 1.0, np.random.default_rng(1))
    pd = float(r.pd(tg[0], 1.0))
    assert len(b) / 20000 == pytest.approx(pd, abs=0.015)


def test_snr_scaled_noise() -> None:
    r = make_radar(
        swerling=0,
        sigma_angle_rad=0.0,
        sigma_range_m=0.0,
        beamwidth_rad=0.01,
        range_resolution_m=30.0,
    )
    tg = np.repeat(at(90.0, 10.0, 1000e3)[None], 20000, axis=0)  # SNR 20 dB
    b = r.observe(0.0, tg, 1.0, np.random.default_rng(2))
    expect_ang = 0.01 / (1.6 * math.sqrt(2 * 100.0))
    assert np.std(b.z[:, 1]) == pytest.approx(expect_ang, rel=0.05)
    assert np.std(b.z[:, 0]) == pytest.approx(30.0 / math.sqrt(200.0), rel=0.05)
    assert math.sqrt(b.R[0, 1, 1]) == pytest.approx(expect_ang)


def test_range_rate() -> None:
    r = make_radar(swerling=0, sigma_range_rate_mps=1.0)
    tg = at([90.0], [10.0], [3e5])
    u = tg[0] - r.position_ecef_m
    v = 2000.0 * u / np.linalg.norm(u)  # receding at 2 km/s
    b = r.observe(0.0, tg, 1.0, np.random.default_rng(0), v_ecef=v[None])
    assert b.kind == MeasurementKind.RAE_RATE
    assert b.z[0, 3] == pytest.approx(2000.0, abs=6.0)
    with pytest.raises(ValueError, match="v_ecef"):
        r.observe(0.0, tg, 1.0, np.random.default_rng(0))


def test_false_alarms_poisson_and_in_volume() -> None:
    r = make_radar(false_alarms=True, pfa=1e-4, n_cells=1e5)  # mean 10 per dwell
    times = np.arange(500.0)
    far = at(0.0, 10.0, 1e5)  # outside the field of regard: no detections
    b = r.observe(times, np.repeat(far[None], 500, axis=0), 1.0, np.random.default_rng(5))
    assert np.all(b.truth_id == -1)
    assert len(b) / 500 == pytest.approx(10.0, rel=0.05)
    assert np.all(np.diff(b.time_s) >= 0)
    assert np.all((b.z[:, 0] >= 0) & (b.z[:, 0] <= r.max_range_m))
    daz = np.abs((b.z[:, 1] - r.boresight_az_rad + np.pi) % (2 * np.pi) - np.pi)
    assert np.all(daz <= r.azimuth_span_rad / 2 + 1e-12)
    assert np.all(np.isnan(b.snr_db))


def test_observe_is_reproducible() -> None:
    r = make_radar(false_alarms=True, pfa=1e-4)
    tg = at([90.0, 100.0], [10.0, 5.0], [8e5, 9e5])
    a = r.observe(0.0, tg, 1.0, np.random.default_rng(9))
    b = r.observe(0.0, tg, 1.0, np.random.default_rng(9))
    np.testing.assert_array_equal(a.z, b.z)


def test_blind_reason() -> None:
    assert make_radar().blind_reason() is None
    assert "azimuth" in make_radar(azimuth_span_rad=0.0).blind_reason()
    assert "elevation" in make_radar(min_elevation_rad=0.5, max_elevation_rad=0.4).blind_reason()
    assert "range" in make_radar(max_range_m=0.0).blind_reason()


def test_scan_times() -> None:
    np.testing.assert_allclose(make_radar(revisit_s=2.0).scan_times(0.0, 6.0), [0, 2, 4, 6])
