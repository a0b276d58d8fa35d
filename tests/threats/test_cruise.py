"""Kinematic cruise missile: speed, altitude profile, route, limits."""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pytest

from hoplon.errors import InfeasibleError, InputError
from hoplon.flight.model import EarthModel
from hoplon.threats import _geo, catalogue
from hoplon.threats.cruise import altitude_profile, fly_cruise

D = math.radians
SPEC = catalogue.CRUISE_SUBSONIC
MODEL = EarthModel()
ROUTE = [(D(30.0), D(100.0)), (D(31.0), D(105.0)), (D(35.0), D(110.0))]


@pytest.fixture(scope="module")
def traj():  # type: ignore[no-untyped-def]
    return fly_cruise(SPEC, ROUTE, model=MODEL)


def test_constant_speed(traj) -> None:  # type: ignore[no-untyped-def]
    np.testing.assert_allclose(traj.speed_mps, SPEC.speed_mps, rtol=1e-9)


def test_cruise_altitude_and_ends(traj) -> None:  # type: ignore[no-untyped-def]
    alt = traj.altitude_m
    assert alt[0] == pytest.approx(0.0, abs=1e-3)
    assert alt[-1] == pytest.approx(0.0, abs=1e-3)
    assert alt.max() == pytest.approx(SPEC.cruise_altitude_m, abs=1e-3)
    mid = traj.t_s.size // 2
    assert alt[mid] == pytest.approx(SPEC.cruise_altitude_m, abs=1e-3)
    lat, lon, _ = traj.lla()[-1]
    assert float(_geo.inverse(lat, lon, *ROUTE[-1], MODEL)[0]) < 1e-3


def test_route_length_and_flight_time(traj) -> None:  # type: ignore[no-untyped-def]
    legs = [float(_geo.inverse(*a, *b, MODEL)[0]) for a, b in itertools.pairwise(ROUTE)]
    total = sum(legs)
    assert traj.metadata["route_length_m"] == pytest.approx(total)
    # flight time ~ path length / speed (the climb and dive add a little)
    assert traj.duration_s == pytest.approx(total / SPEC.speed_mps, rel=1e-3)
    assert traj.duration_s > total / SPEC.speed_mps


def test_velocity_matches_positions(traj) -> None:  # type: ignore[no-untyped-def]
    """Finite differences of the sampled positions agree with the sampled velocities."""
    t, r, v = traj.t_s, traj.position_m, traj.velocity_mps
    i = np.nonzero(np.diff(t) > 0.0)[0]
    fd = (r[i + 1] - r[i]) / (t[i + 1] - t[i])[:, None]
    vm = 0.5 * (v[i] + v[i + 1])
    assert np.max(np.linalg.norm(fd - vm, axis=1)) < 0.01 * SPEC.speed_mps
    # corners (waypoints, profile breaks) are repeated samples: velocity before and after
    dup = np.nonzero(np.diff(t) == 0.0)[0]
    assert dup.size == 3  # end of climb, the waypoint, start of the dive
    np.testing.assert_allclose(r[dup], r[dup + 1], atol=1e-6)


def test_popup_and_short_profiles() -> None:
    pop = dataclasses.replace(SPEC, popup_altitude_m=500.0)
    s, h = altitude_profile(100e3, pop)
    assert h.max() == 500.0 and h[0] == 0.0 and h[-1] == 0.0
    s, h = altitude_profile(100.0, SPEC)  # too short for a full climb and dive
    assert 0.0 < h.max() < SPEC.cruise_altitude_m
    assert s[-1] == 100.0


def test_out_of_range_and_bad_routes() -> None:
    far = [(D(0.0), D(0.0)), (D(0.0), D(40.0))]
    with pytest.raises(InfeasibleError) as exc:
        fly_cruise(SPEC, far, model=MODEL)
    assert exc.value.field == "--to"
    assert "beyond" in str(exc.value)
    with pytest.raises(InputError):
        fly_cruise(SPEC, [(0.0, 0.0)], model=MODEL)
    with pytest.raises(InputError, match="speed_mps"):
        dataclasses.replace(SPEC, speed_mps=-1.0)
