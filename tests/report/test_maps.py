"""Theatre maps: coverage outlines and the PNG."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hoplon.earth.constants import R_EARTH_MEAN_M
from hoplon.report.maps import MapFootprint, coverage_outline, plot_theatre, scenario_radars
from hoplon.scenario import load


def _ground_km(lat0: float, lon0: float, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    a, b = math.radians(lat0), np.radians(lat)
    dl = np.radians(lon) - math.radians(lon0)
    c = np.sin(a) * np.sin(b) + np.cos(a) * np.cos(b) * np.cos(dl)
    return R_EARTH_MEAN_M * np.arccos(np.clip(c, -1, 1)) / 1e3


def test_full_circle_radar_outline_matches_grid_coverage_area() -> None:
    """The outline's area agrees with the grid coverage of :mod:`hoplon.sensors.coverage`."""
    from hoplon.sensors.coverage import radar_coverage

    radars = {k: r for k, _, r in scenario_radars(load("two_partner"))}
    r = radars["blue_radar_ew"]  # 360 deg field of regard
    alt = 100e3
    ring = coverage_outline(r, alt, 0.1)
    assert ring is not None
    d = _ground_km(math.degrees(r.lat_rad), math.degrees(r.lon_rad), ring[:, 1], ring[:, 0])
    assert np.ptp(d) < 0.01 * d.mean()  # a circle
    assert d.max() * 1e3 < r.detection_range_m(0.1)
    rs = R_EARTH_MEAN_M + alt
    area = 2 * math.pi * rs**2 * (1 - math.cos(d.mean() * 1e3 / R_EARTH_MEAN_M))
    grid = radar_coverage(r, alt, 0.1, n=301).area_m2
    assert area == pytest.approx(grid, rel=0.03)


def test_sector_radar_outline_passes_through_its_site() -> None:
    radars = {k: r for k, _, r in scenario_radars(load("two_partner"))}
    r = radars["green_radar"]  # 120 deg sector facing south-west
    ring = coverage_outline(r, 100e3, 0.1)
    assert ring is not None
    site = np.array([math.degrees(r.lon_rad), math.degrees(r.lat_rad)])
    assert np.any(np.all(np.isclose(ring, site), axis=1))
    # the sector faces south-west: the far points lie south-west of the site
    far = ring[np.argmax(np.hypot(*(ring - site).T))]
    assert far[0] < site[0] or far[1] < site[1]


def test_plot_theatre_writes_png(tmp_path, run_data) -> None:  # type: ignore[no-untyped-def]
    lat = np.linspace(6.0, 8.0, 11)
    lon = np.linspace(156.0, 158.5, 13)
    mask = np.zeros((11, 13), dtype=bool)
    mask[3:8, 4:10] = True
    fp = MapFootprint("blue_upper", lat_deg=lat, lon_deg=lon, mask=mask, owner="blue")
    out = plot_theatre(
        tmp_path / "m.png",
        spec=run_data.spec,
        threats=run_data.threats,
        shots=run_data.shots,
        trajectories=run_data.trajectories,
        footprints=[fp],
    )
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000
