"""Catalogue: names, errors, and simulated ranges inside each class's band."""

from __future__ import annotations

import math

import pytest

from hoplon.errors import InputError
from hoplon.flight.model import EarthModel
from hoplon.threats import catalogue
from hoplon.threats.glide import fly_glide
from hoplon.threats.shaping import missile_max_range
from hoplon.threats.specs import BallisticMissile, CruiseMissile, GlideVehicle

NO_ROTATION = EarthModel(rotating=False)


def test_list_and_get() -> None:
    names = catalogue.list_missiles()
    assert names == sorted(names)
    assert {"srbm-300", "mrbm-1300", "irbm-4000", "icbm-10000", "cruise-subsonic", "hgv"} <= set(
        names
    )
    for name in names:
        assert catalogue.get_missile(name).name == name
    assert catalogue.get_missile(" ICBM-10000 ").name == "icbm-10000"


def test_unknown_missile_lists_known_names() -> None:
    with pytest.raises(InputError) as exc:
        catalogue.get_missile("scud-z")
    assert exc.value.field == "--missile"
    for name in catalogue.list_missiles():
        assert name in str(exc.value)


def test_every_entry_cites_sources() -> None:
    for name in catalogue.list_missiles():
        spec = catalogue.get_missile(name)
        assert spec.sources, name
        assert spec.description, name


@pytest.mark.parametrize("name", ["srbm-300", "mrbm-1300", "irbm-4000", "icbm-10000"])
def test_ballistic_max_range_in_class(name: str) -> None:
    """Maximum range (best kick angle, full burn) on a non-rotating WGS84 Earth with US76."""
    spec = catalogue.get_missile(name)
    assert isinstance(spec, BallisticMissile)
    rng, kick = missile_max_range(spec, 0.0, 0.0, math.pi / 2, NO_ROTATION)
    lo, hi = catalogue.CLASS_RANGE_M[name]
    assert lo <= rng <= hi, f"{name}: {rng / 1e3:.0f} km"
    assert 0.0 < kick < math.pi / 2


def test_cruise_range_and_speed_in_class() -> None:
    spec = catalogue.get_missile("cruise-subsonic")
    assert isinstance(spec, CruiseMissile)
    lo, hi = catalogue.CLASS_RANGE_M["cruise-subsonic"]
    assert lo <= spec.max_range_m <= hi
    assert 0.6 * 340.29 <= spec.speed_mps <= 0.8 * 340.29
    assert 30.0 <= spec.cruise_altitude_m <= 100.0


def test_hgv_nominal_range_in_class() -> None:
    spec = catalogue.get_missile("hgv")
    assert isinstance(spec, GlideVehicle)
    traj = fly_glide(spec, 0.0, 0.0, math.pi / 2, model=NO_ROTATION)
    lo, hi = catalogue.CLASS_RANGE_M["hgv"]
    assert lo <= traj.ground_range_m() <= hi
    # a glide: the apogee stays low compared with a ballistic shot of that range (~500 km)
    assert traj.summary()["apogee_altitude_m"] < 150e3
