"""Packaged Natural Earth coastlines load offline and have plausible shapes."""

from __future__ import annotations

import numpy as np

from hoplon.report.coastlines import clip_box, coastlines, land_polygons


def test_loads_with_plausible_bounds() -> None:
    polys = land_polygons()
    assert 50 <= len(polys) <= 1000
    xy = np.concatenate(coastlines())
    assert xy.shape[1] == 2
    assert -180.0 <= xy[:, 0].min() < -170.0 and 170.0 < xy[:, 0].max() <= 180.0
    assert -90.0 <= xy[:, 1].min() < -80.0  # Antarctica
    assert 80.0 < xy[:, 1].max() <= 90.0  # Greenland / Arctic islands
    for ring in coastlines():
        assert np.allclose(ring[0], ring[-1])  # closed rings


def test_clip_box_finds_land_and_open_ocean() -> None:
    # New Guinea and New Britain lie in this box
    assert clip_box(140.0, 155.0, -10.0, 0.0)
    # open southern Indian Ocean, far from any 1:110m land
    assert not clip_box(80.0, 90.0, -50.0, -40.0)


def test_clip_box_across_the_antimeridian_shifts_land() -> None:
    polys = clip_box(170.0, 200.0, 60.0, 72.0)  # Chukotka and Alaska together
    lons = np.concatenate([p[0][:, 0] for p in polys])
    assert lons.max() > 180.0  # Alaska shifted east of 180
