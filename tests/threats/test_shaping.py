"""Trajectory shaping and targeting through plan_trajectory."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hoplon.errors import InfeasibleError, InputError
from hoplon.flight.model import EarthModel
from hoplon.threats import _geo, catalogue, kepler
from hoplon.threats.shaping import (
    BURNOUT_BETA_KG_M2,
    BURNOUT_TOL_M,
    MISSILE_TOL_M,
    plan_trajectory,
)

D = math.radians
LAUNCH = {"launch_lat_rad": D(40.0), "launch_lon_rad": D(127.0)}
TARGET = {"target_lat_rad": D(36.5), "target_lon_rad": D(136.5)}  # ~917 km
MODEL = EarthModel()  # rotating WGS84, J2, US76


def miss(traj, target=TARGET) -> float:  # type: ignore[no-untyped-def]
    lat, lon, _ = traj.lla()[-1]
    d, _ = _geo.inverse(lat, lon, target["target_lat_rad"], target["target_lon_rad"], MODEL)
    return float(d)


@pytest.fixture(scope="module")
def mrbm_shapes():  # type: ignore[no-untyped-def]
    return {
        s: plan_trajectory(missile="mrbm-1300", shape=s, model=MODEL, **LAUNCH, **TARGET)
        for s in ("min-energy", "lofted", "depressed", "max-range")
    }


@pytest.mark.parametrize("shape", ["min-energy", "lofted", "depressed"])
def test_missile_hits_target(mrbm_shapes, shape: str) -> None:  # type: ignore[no-untyped-def]
    traj = mrbm_shapes[shape]
    assert miss(traj) <= 1000.0
    assert MISSILE_TOL_M <= 1000.0
    assert traj.metadata["miss_distance_m"] == pytest.approx(miss(traj), abs=1.0)
    assert traj.metadata["shape"] == shape


def test_apogee_order_and_max_range(mrbm_shapes) -> None:  # type: ignore[no-untyped-def]
    apo = {s: t.summary()["apogee_altitude_m"] for s, t in mrbm_shapes.items()}
    assert apo["lofted"] > apo["min-energy"] > apo["depressed"]
    rng = {s: t.ground_range_m() for s, t in mrbm_shapes.items()}
    assert all(rng["max-range"] >= r for r in rng.values())
    # max-range keeps the target's bearing
    lat, lon, _ = mrbm_shapes["max-range"].lla()[-1]
    _, az_imp = _geo.inverse(LAUNCH["launch_lat_rad"], LAUNCH["launch_lon_rad"], lat, lon, MODEL)
    _, az_tgt = _geo.inverse(
        LAUNCH["launch_lat_rad"], LAUNCH["launch_lon_rad"], *TARGET.values(), MODEL
    )
    assert abs(float(_geo.wrap_pi(az_imp - az_tgt))) < 1e-4


def test_min_energy_burns_out_on_the_kepler_angle(mrbm_shapes) -> None:  # type: ignore[no-untyped-def]
    """Min-energy: the free flight starts on the Kepler max-range angle of its burnout state."""
    traj = mrbm_shapes["min-energy"]
    assert traj.metadata["kepler_minimum_energy_burnout"] is True
    yb = traj.state_at(traj.burnout_time_s)
    r_vec, v_vec = yb[0:3], yb[3:6]
    r, v = np.linalg.norm(r_vec), np.linalg.norm(v_vec)
    gamma = math.asin(float(r_vec @ v_vec) / (r * v))
    r_surface = float(np.linalg.norm(traj.y[0, 0:3]))
    _, g_star = kepler.max_range_angle_general(v, r, r_surface)
    # the azimuth iterations keep the kick found at the first azimuth: ~0.01 deg off
    assert gamma == pytest.approx(float(g_star), abs=1e-3)
    # and it lies between the depressed and lofted burnout angles
    g = {s: t.summary()["burnout_flight_path_angle_deg"] for s, t in mrbm_shapes.items()}
    assert g["depressed"] < g["min-energy"] < g["lofted"]


@pytest.fixture(scope="module")
def burnout_shapes():  # type: ignore[no-untyped-def]
    return {
        s: plan_trajectory(burnout_speed_mps=3200.0, shape=s, model=MODEL, **LAUNCH, **TARGET)
        for s in ("min-energy", "lofted", "depressed")
    }


@pytest.mark.parametrize("shape", ["min-energy", "lofted", "depressed"])
def test_burnout_shot_hits_target(burnout_shapes, shape: str) -> None:  # type: ignore[no-untyped-def]
    traj = burnout_shapes[shape]
    assert miss(traj) <= 100.0
    assert BURNOUT_TOL_M <= 100.0
    if shape != "min-energy":
        assert traj.summary()["burnout_speed_mps"] == pytest.approx(3200.0)
    else:
        # energy management: the least speed that reaches the target
        assert traj.summary()["burnout_speed_mps"] < 3200.0


def test_burnout_shapes_order(burnout_shapes) -> None:  # type: ignore[no-untyped-def]
    apo = {s: t.summary()["apogee_altitude_m"] for s, t in burnout_shapes.items()}
    assert apo["lofted"] > apo["min-energy"] > apo["depressed"]


def test_burnout_max_range_on_azimuth_is_maximum() -> None:
    kw = {"burnout_speed_mps": 3000.0, "azimuth_rad": 1.0, "model": MODEL, **LAUNCH}
    best = plan_trajectory(shape="max-range", **kw)
    g = best.summary()["burnout_flight_path_angle_deg"]
    # vacuum Kepler angle for a ground-level burnout of 3 km/s is ~42 deg
    assert 35.0 < g < 46.0
    from hoplon.threats.ballistic import burnout_state_batch

    b = burnout_state_batch(
        LAUNCH["launch_lat_rad"], LAUNCH["launch_lon_rad"], 1.0, 3000.0,
        np.radians([g - 3.0, g + 3.0]), beta_kg_m2=BURNOUT_BETA_KG_M2,
        model=MODEL,
    )  # fmt: skip
    assert np.all(b.ground_range_m() < best.ground_range_m())


def test_reconstruction_range_and_apogee() -> None:
    traj = plan_trajectory(ground_range_m=1000e3, apogee_altitude_m=300e3, azimuth_rad=0.5,
                           model=MODEL, **LAUNCH)  # fmt: skip
    s = traj.summary()
    assert s["ground_range_m"] == pytest.approx(1000e3, abs=100.0)
    assert s["apogee_altitude_m"] == pytest.approx(300e3, abs=100.0)
    # Kepler guess is close (vacuum ascent; drag only on re-entry; rotation)
    assert s["burnout_speed_mps"] == pytest.approx(traj.metadata["kepler_speed_mps"], rel=0.05)


def test_missile_lofted_to_apogee() -> None:
    traj = plan_trajectory(missile="irbm-4000", apogee_altitude_m=1500e3, azimuth_rad=1.0,
                           model=MODEL, **LAUNCH)  # fmt: skip
    assert traj.summary()["apogee_altitude_m"] == pytest.approx(1500e3, rel=1e-3)


@pytest.mark.parametrize(
    ("kwargs", "field", "text"),
    [
        ({"missile": "nope", "azimuth_rad": 1.0}, "--missile", "srbm-300"),
        ({"missile": "srbm-300", "azimuth_rad": 1.0, "shape": "banana"}, "--shape", "lofted"),
        ({"missile": "srbm-300"}, "--to", "azimuth"),
        ({"missile": "srbm-300", "azimuth_rad": 1.0, **TARGET}, "--azimuth", "not both"),
        ({"missile": "srbm-300", "ground_range_m": 1e5, **TARGET}, "--range", "not both"),
        (
            {"missile": "srbm-300", "burnout_speed_mps": 2000.0, "azimuth_rad": 1.0},
            "--burnout-speed",
            "not both",
        ),
        ({"burnout_speed_mps": -5.0, "azimuth_rad": 1.0}, "--burnout-speed", "positive"),
        ({"azimuth_rad": 1.0}, "--missile", "burnout speed"),
        ({"azimuth_rad": 1.0, "ground_range_m": -1.0, "apogee_altitude_m": 1e5}, "--range", ">"),
        ({"azimuth_rad": 1.0, "ground_range_m": 1e6, "apogee_altitude_m": 0.0}, "--apogee", ">"),
        ({"missile": "srbm-300", "target_lat_rad": 0.1}, "--to", "both"),
    ],
)
def test_bad_inputs_name_the_cli_option(kwargs: dict, field: str, text: str) -> None:
    with pytest.raises(InputError) as exc:
        plan_trajectory(**LAUNCH, **kwargs)
    assert exc.value.field == field
    assert text in str(exc.value)


def test_infeasible_range_says_what_is_possible() -> None:
    with pytest.raises(InfeasibleError) as exc:
        plan_trajectory(burnout_speed_mps=3000.0, ground_range_m=14_000e3, azimuth_rad=1.0,
                        model=MODEL, **LAUNCH)  # fmt: skip
    assert exc.value.field == "--range"
    assert "14,000 km is beyond the" in str(exc.value)
    assert "this burnout speed reaches" in str(exc.value)
    with pytest.raises(InfeasibleError) as exc:
        plan_trajectory(missile="srbm-300", model=MODEL, **LAUNCH, **TARGET)
    assert exc.value.field == "--to"
    assert "srbm-300 reaches" in str(exc.value)


def test_reconstruction_lofted_apogee_too_low() -> None:
    with pytest.raises(InfeasibleError) as exc:
        plan_trajectory(ground_range_m=1000e3, apogee_altitude_m=50e3, shape="lofted",
                        azimuth_rad=1.0, model=MODEL, **LAUNCH)  # fmt: skip
    assert exc.value.field == "--apogee"
    assert "apogee 50 km is below the 240 km that a 1,000 km range needs" in str(exc.value)


def test_infeasible_lofted_apogee_below_max_range_apogee() -> None:
    with pytest.raises(InfeasibleError) as exc:
        plan_trajectory(missile="mrbm-1300", shape="lofted", apogee_altitude_m=50e3,
                        azimuth_rad=1.0, model=MODEL, **LAUNCH)  # fmt: skip
    assert exc.value.field == "--apogee"
    assert "apogee 50 km is below the" in str(exc.value)


def test_cruise_and_glide_through_plan() -> None:
    c = plan_trajectory(missile="cruise-subsonic", model=MODEL, **LAUNCH, **TARGET)
    assert c.metadata["kind"] == "cruise"
    assert miss(c) < 1.0
    g = plan_trajectory(missile="hgv", model=MODEL, **LAUNCH, **TARGET)
    assert g.metadata["kind"] == "glide"
    assert miss(g) <= 1000.0
    assert g.metadata["cutoff_time_s"] < catalogue.HGV.booster.burn_time_s
    nominal = plan_trajectory(missile="hgv", azimuth_rad=1.0, model=MODEL, **LAUNCH)
    assert nominal.metadata["cutoff_time_s"] == pytest.approx(catalogue.HGV.booster.burn_time_s)
    with pytest.raises(InfeasibleError) as exc:
        plan_trajectory(missile="hgv", azimuth_rad=1.0, ground_range_m=9000e3, model=MODEL,
                        **LAUNCH)  # fmt: skip
    assert exc.value.field == "--range"
    assert "hgv glides" in str(exc.value)
