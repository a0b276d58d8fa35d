"""Offline coastlines for report maps: Natural Earth 1:110m land, shipped with the package.

The file ``hoplon/data/coastlines_110m.json`` (see ``src/hoplon/data/README.md`` and
``tools/make_coastlines.py``) holds land polygons as rings of ``[lon, lat]`` in degrees;
no network is used.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

_FILE = "coastlines_110m.json"


@lru_cache(maxsize=1)
def land_polygons() -> tuple[tuple[FloatArray, ...], ...]:
    """Land polygons: each a tuple of rings ``(n, 2)`` of (lon, lat) degrees, outer ring first."""
    text = resources.files("hoplon.data").joinpath(_FILE).read_text()
    doc = json.loads(text)
    return tuple(tuple(np.asarray(r, dtype=np.float64) for r in poly) for poly in doc["polygons"])


def coastlines() -> list[FloatArray]:
    """Every coastline as a closed polyline ``(n, 2)`` of (lon, lat) degrees."""
    return [r for poly in land_polygons() for r in poly]


def clip_box(
    lon_min: float, lon_max: float, lat_min: float, lat_max: float
) -> list[tuple[FloatArray, ...]]:
    """Land polygons whose bounding box meets a lon/lat box, shifted by 360 deg where the
    box runs past +-180 deg (so a theatre across the antimeridian still shows its land)."""
    out = []
    for shift in (-360.0, 0.0, 360.0):
        lo, hi = lon_min - shift, lon_max - shift
        if hi < -180.0 or lo > 180.0:
            continue
        for poly in land_polygons():
            outer = poly[0]
            if (
                outer[:, 0].max() < lo
                or outer[:, 0].min() > hi
                or outer[:, 1].max() < lat_min
                or outer[:, 1].min() > lat_max
            ):
                continue
            out.append(tuple(r + np.array([shift, 0.0]) for r in poly))
    return out
