"""Boost-glide vehicle: glide range, cross-range follows the bank sign."""

from __future__ import annotations

import math

import pytest

from hoplon.errors import InputError
from hoplon.flight.model import EarthModel
from hoplon.threats import catalogue
from hoplon.threats.glide import fly_glide

HGV = catalogue.HGV
MODEL = EarthModel(rotating=False)


@pytest.fixture(scope="module")
def flights():  # type: ignore[no-untyped-def]
    return {b: fly_glide(HGV, 0.3, 0.2, 1.0, bank_angle_rad=math.radians(b), model=MODEL)
            for b in (-30, 0, 30)}  # fmt: skip


def test_cross_range_sign_follows_bank(flights) -> None:  # type: ignore[no-untyped-def]
    x = {b: t.metadata["cross_range_m"] for b, t in flights.items()}
    # bank 0 stays near the launch plane (J2 and the ellipsoid's geodesic give a few km)
    assert abs(x[0]) < 10e3
    assert x[30] - x[0] > 50e3
    assert x[-30] - x[0] < -50e3
    # nearly symmetric on a non-rotating Earth
    assert x[30] - x[0] == pytest.approx(-(x[-30] - x[0]), rel=0.05)


def test_lift_extends_range_over_ballistic(flights) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    ballistic = dataclasses.replace(HGV, lift_to_drag=1e-6)
    t = fly_glide(ballistic, 0.3, 0.2, 1.0, model=MODEL)
    assert flights[0].ground_range_m() > 1.3 * t.ground_range_m()
    assert flights[0].ground_range_m() > flights[30].ground_range_m()


def test_bad_bank() -> None:
    with pytest.raises(InputError, match="bank"):
        fly_glide(HGV, 0.0, 0.0, 0.0, bank_angle_rad=math.radians(95))
