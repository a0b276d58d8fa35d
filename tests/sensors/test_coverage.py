"""Coverage maps of radars and infrared constellations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hoplon.sensors.coverage import coverage, infrared_coverage, radar_coverage
from hoplon.sensors.infrared import InfraredConstellation
from hoplon.sensors.orbits import geo_elements
from hoplon.sensors.radar import Radar

D = math.pi / 180


def radar(**kw) -> Radar:
    base = dict(
        name="r",
        lat_rad=10 * D,
        lon_rad=20 * D,
        alt_m=0.0,
        snr_constant_m2=10**3.0 * (1000e3) ** 4,
        max_range_m=600e3,
        swerling=0,
    )
    return Radar(**(base | kw))


def test_range_limited_area_matches_spherical_cap() -> None:
    """All-round radar, target at 100 km, range-limited: the covered region is a cap whose
    angular radius follows from the slant range (law of cosines)."""
    r = radar()
    H, R = 100e3, 6371e3
    m = radar_coverage(r, H, 1.0, n=401)
    rt = R + H
    # slant 600 km from the site (radius R) to a point at radius R + H
    cos_t = (R**2 + rt**2 - 600e3**2) / (2 * R * rt)
    cap = 2 * math.pi * rt**2 * (1 - cos_t)
    assert m.area_m2 == pytest.approx(cap, rel=0.02)
    assert m.detection_range_m == 600e3


def test_sector_is_a_fraction_of_the_circle() -> None:
    full = radar_coverage(radar(), 100e3, 1.0, n=301).area_m2
    third = radar_coverage(radar(azimuth_span_rad=120 * D), 100e3, 1.0, n=301).area_m2
    assert third / full == pytest.approx(1 / 3, rel=0.03)


def test_sensitivity_limited_range_and_rcs() -> None:
    r = radar(max_range_m=5000e3)
    small = radar_coverage(r, 300e3, 0.01)
    big = radar_coverage(r, 300e3, 1.0)
    assert small.detection_range_m < big.detection_range_m
    assert small.area_m2 < big.area_m2
    assert big.detection_range_m == pytest.approx(r.detection_range_m(1.0))


def test_low_targets_limited_by_horizon() -> None:
    r = radar(max_range_m=5000e3, min_elevation_rad=-1 * D, alt_m=10.0)
    m = radar_coverage(r, 10e3, 100.0)
    # 4/3 Earth horizon: ~425 km slant; covered cap radius must not exceed that
    assert m.area_m2 < math.pi * 430e3**2
    assert m.area_m2 > math.pi * 380e3**2


def test_blind_radar_covers_nothing() -> None:
    assert (
        radar_coverage(radar(min_elevation_rad=0.5, max_elevation_rad=0.4), 1e5, 1.0).area_m2 == 0.0
    )


def test_infrared_geo_footprint() -> None:
    c = InfraredConstellation("ir", geo_elements([0.0]))
    m = infrared_coverage(c, 100e3)
    assert m.covered.shape == (181, 361)
    # spherical estimate: the tangent to the 10 km cloud layer from GEO and from the target
    Rc, rg, rt = 6371e3 + 10e3, 42164e3, 6371e3 + 100e3
    theta = math.acos(Rc / rg) + math.acos(Rc / rt)
    total = 4 * math.pi * rt**2
    assert m.area_m2 / total == pytest.approx((1 - math.cos(theta)) / 2, rel=0.02)
    assert coverage(c, 100e3).area_m2 == m.area_m2
    # the sub-satellite point is covered, the antipode is not
    i0 = np.argmin(np.abs(m.lat_rad))
    j0 = np.argmin(np.abs(m.lon_rad))
    j1 = np.argmin(np.abs(m.lon_rad - math.pi))
    assert m.covered[i0, j0] and not m.covered[i0, j1]
