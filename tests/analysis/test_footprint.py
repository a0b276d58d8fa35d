"""Defended-area footprints (hoplon.analysis.footprint)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoplon.analysis.footprint import (
    AimGrid,
    Architecture,
    DefenceBattery,
    DefenceRadar,
    FootprintStudy,
    aim_grid,
    ballistic_fan,
    cell_area_m2,
    compute_footprint,
    defended_paths,
    prepare_footprint,
    track_time_s,
    zone_area_m2,
)
from hoplon.earth.constants import R_EARTH_MEAN_M
from hoplon.earth.frames import SPHERE, WGS84, geodetic_to_ecef
from hoplon.earth.geodesy import central_angle, destination
from hoplon.errors import InputError
from hoplon.scenario import load
from hoplon.sensors.radar import Radar
from hoplon.sensors.rcs import rcs_for
from hoplon.threats.catalogue import get_missile
from hoplon.weapons.catalogue import get_interceptor
from hoplon.weapons.flyout import flyout_table

D = math.radians

# ------------------------------------------------------------------------------ areas


def test_whole_ellipsoid_area() -> None:
    # WGS84 surface area 5.10065621724e14 m^2 (NIMA TR8350.2 derived value; closed form
    # 2 pi a^2 (1 + (1 - e^2) atanh(e) / e)).
    lat = np.array([-math.pi / 2, math.pi / 2])
    lon = np.array([-math.pi, math.pi])
    e = math.sqrt(WGS84.e2)
    exact = 2 * math.pi * WGS84.a_m**2 * (1 + (1 - WGS84.e2) * math.atanh(e) / e)
    assert cell_area_m2(lat, lon, WGS84).sum() == pytest.approx(exact, rel=1e-12)
    assert exact == pytest.approx(5.10065621724e14, rel=1e-9)
    assert cell_area_m2(lat, lon, SPHERE).sum() == pytest.approx(
        4 * math.pi * R_EARTH_MEAN_M**2, rel=1e-12
    )


def test_box_area_on_sphere() -> None:
    g = aim_grid(D(30.0), D(10.0), 300e3, 17)
    lat_e, lon_e = g.lat_edges_rad, g.lon_edges_rad
    exact = R_EARTH_MEAN_M**2 * (lon_e[-1] - lon_e[0]) * (np.sin(lat_e[-1]) - np.sin(lat_e[0]))
    assert g.cell_area_m2(SPHERE).sum() == pytest.approx(exact, rel=1e-12)
    # cos(latitude) weighting: a cell near the box's south edge is bigger than one at its north
    a = g.cell_area_m2(SPHERE)
    assert a[0, 0] > a[-1, 0]
    assert a[0, 0] / a[-1, 0] == pytest.approx(
        math.cos(g.lat_rad[0]) / math.cos(g.lat_rad[-1]), rel=1e-3
    )


def test_spherical_cap_by_cells() -> None:
    # Cells whose centres lie within theta of a point: area -> 2 pi R^2 (1 - cos theta).
    theta = 500e3 / R_EARTH_MEAN_M
    lat0, lon0 = D(40.0), D(-20.0)
    g = aim_grid(lat0, lon0, 600e3, 300)
    la, lo = np.meshgrid(g.lat_rad, g.lon_rad, indexing="ij")
    inside = central_angle(lat0, lon0, la, lo) <= theta
    area = g.cell_area_m2(SPHERE)[inside].sum()
    exact = 2 * math.pi * R_EARTH_MEAN_M**2 * (1 - math.cos(theta))
    assert area == pytest.approx(exact, rel=5e-3)


@settings(max_examples=40, deadline=None)
@given(
    lat1=st.floats(-89.0, 89.0),
    dlat=st.floats(0.01, 20.0),
    split=st.floats(0.05, 0.95),
)
def test_zone_area_additive_and_positive(lat1: float, dlat: float, split: float) -> None:
    lat2 = min(lat1 + dlat, 90.0)
    mid = lat1 + split * (lat2 - lat1)
    lon = np.array([0.0, 0.3])
    whole = cell_area_m2(np.radians([lat1, lat2]), lon).sum()
    parts = cell_area_m2(np.radians([lat1, mid, lat2]), lon).sum()
    assert whole > 0
    assert parts == pytest.approx(whole, rel=1e-9)
    assert np.all(np.diff(zone_area_m2(np.radians([lat1, mid, lat2]))) > 0)


def test_grid_validation() -> None:
    with pytest.raises(InputError):
        AimGrid(np.array([0.1, 0.0]), np.array([0.0, 0.1]))
    with pytest.raises(InputError):
        aim_grid(0.0, 0.0, -1.0, 10)
    with pytest.raises(InputError):
        aim_grid(0.0, 0.0, 1e5, 0)


# ------------------------------------------------------------------------------ paths


def test_fan_hits_aim_points_and_reach() -> None:
    mis = get_missile("srbm-300")
    lat0, lon0 = D(10.0), D(150.0)
    az = np.radians([0.0, 90.0, 200.0, 45.0])
    dist = np.array([150e3, 250e3, 280e3, 900e3])  # the last is beyond an SRBM's reach
    la, lo = destination(lat0, lon0, az, dist)
    fan = ballistic_fan(mis, [lat0], [lon0], la, lo, dt_s=1.0)
    assert fan.reachable.tolist() == [True, True, True, False]
    assert np.all(fan.miss_m[:3] < 200.0)
    assert np.all(np.isnan(fan.r_ecef[3]))
    # free flight starts at t = 0, the boost before it; positions end before impact
    k0 = fan.free_flight_start
    assert fan.t_s[k0] == 0.0 and np.all(fan.t_s[:k0] < 0)
    assert np.all(np.diff(fan.t_s) > 0)
    last = np.array([np.nonzero(np.isfinite(fan.r_ecef[i, :, 0]))[0][-1] for i in range(3)])
    r_end = fan.r_ecef[np.arange(3), last]
    h_end = np.linalg.norm(r_end, axis=1) - np.linalg.norm(
        geodetic_to_ecef(la[:3], lo[:3], 0.0), axis=1
    )
    assert np.all(h_end < 5e3)  # the last sample is within one interval of the ground
    # a longer range needs a faster burnout
    assert fan.burnout_speed_mps[0] < fan.burnout_speed_mps[1] < fan.burnout_speed_mps[2]


def test_track_time_formula() -> None:
    td = np.array([[10.0, 30.0], [np.inf, 5.0]])
    rv = np.array([5.0, 2.0])
    lat = np.array([[0.0, np.inf], [0.0, 2.0]])
    t = track_time_s(td, rv, 3, lat)
    assert t[0].tolist() == [25.0, 25.0]
    assert t[1, 0] == np.inf and t[1, 1] == pytest.approx(13.0)


# ------------------------------------------------------------------------------ analytic case


def _site_battery(
    name: str, lat: float, lon: float, itype: str = "area-long-range", **kw: object
) -> DefenceBattery:
    args: dict[str, object] = {
        "name": name,
        "force": "blue",
        "interceptor": get_interceptor(itype),
        "site_ecef_m": geodetic_to_ecef(lat, lon, 0.0),
        "site_alt_m": 0.0,
        "inventory": 8,
        "engage_on_remote": False,
        "decision_delay_s": 5.0,
    }
    args.update(kw)
    return DefenceBattery(**args)  # type: ignore[arg-type]


def _radar(name: str, lat: float, lon: float, **kw: object) -> Radar:
    args: dict[str, object] = {
        "name": name,
        "lat_rad": lat,
        "lon_rad": lon,
        "alt_m": 20.0,
        "snr_constant_m2": 10**1.5 * (600e3) ** 4 / 0.03,  # 15 dB at 600 km on 0.03 m^2
        "max_range_m": 1000e3,
        "revisit_s": 2.0,
    }
    args.update(kw)
    return Radar(**args)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def over_battery() -> FootprintStudy:
    """An SRBM aimed at a battery 250 km from the launch, a radar at the battery."""
    lat_b, lon_b = D(10.0), D(160.0)
    lat_l, lon_l = destination(lat_b, lon_b, D(250.0), 250e3)
    bat = _site_battery("bat", lat_b, lon_b)
    empty = dataclasses.replace(bat, name="empty", inventory=0)
    arch = Architecture(
        batteries=(bat, empty),
        radars=(DefenceRadar("r", "blue", _radar("r", lat_b, lon_b)),),
        shared_latency_s=np.zeros((2, 1)),
        n_revisits=3,
    )
    grid = AimGrid(np.array([lat_b - 1e-4, lat_b + 1e-4]), np.array([lon_b - 1e-4, lon_b + 1e-4]))
    la, lo = grid.points()
    fan = ballistic_fan(get_missile("srbm-300"), [lat_l], [lon_l], la, lo)
    return FootprintStudy(arch, fan, grid, "srbm-300", [lat_l], [lon_l], rcs_m2=rcs_for("rv"))


def test_target_over_battery_is_defended(over_battery: FootprintStudy) -> None:
    fp = over_battery.footprint()
    assert fp.battery_defended[0].all()
    assert fp.battery_area_km2["bat"] == pytest.approx(fp.cell_area_m2.sum() / 1e6)
    # a battery with no interceptors defends nothing
    assert fp.battery_area_km2["empty"] == 0.0
    # ... and an envelope whose altitude window lies above the threat's apogee neither
    bat = over_battery.architecture.batteries[0]
    itype = bat.interceptor
    high = dataclasses.replace(itype.envelope, min_altitude_m=400e3, max_altitude_m=500e3)
    t0 = np.zeros((len(over_battery.fan), 1))
    assert not defended_paths(over_battery.fan, [bat], t0, envelopes=[high]).any()
    assert defended_paths(over_battery.fan, [bat], t0).all()
    # no track: no intercept
    assert not defended_paths(over_battery.fan, [bat], np.full_like(t0, np.inf)).any()


@settings(max_examples=25, deadline=None)
@given(r1=st.floats(6e3, 80e3), r2=st.floats(6e3, 80e3), t_launch=st.floats(-50.0, 300.0))
def test_bigger_max_range_never_shrinks(r1: float, r2: float, t_launch: float) -> None:
    small, big = sorted((r1, r2))
    fan = _small_fan()
    bat = _site_battery("b", D(10.0), D(160.0))
    tab = flyout_table(bat.interceptor)
    env = bat.interceptor.envelope
    t0 = np.full((len(fan), 1), t_launch)
    a = defended_paths(
        fan, [bat], t0, envelopes=[dataclasses.replace(env, max_range_m=small)], tables=[tab]
    )
    b = defended_paths(
        fan, [bat], t0, envelopes=[dataclasses.replace(env, max_range_m=big)], tables=[tab]
    )
    assert np.all(b[a])


_FAN: list[object] = []


def _small_fan():  # type: ignore[no-untyped-def]
    """An SRBM fan at a 7 x 7 grid of aim points around a battery (built once)."""
    if not _FAN:
        lat_b, lon_b = D(10.0), D(160.0)
        lat_l, lon_l = destination(lat_b, lon_b, D(250.0), 250e3)
        g = aim_grid(lat_b, lon_b, 60e3, 7)
        la, lo = g.points()
        _FAN.append(ballistic_fan(get_missile("srbm-300"), [lat_l], [lon_l], la, lo))
    return _FAN[0]


# ------------------------------------------------------------------------------ scenario


LAUNCH = [(D(3.0), D(151.0))]


@pytest.fixture(scope="module")
def two_partner() -> FootprintStudy:
    return prepare_footprint(load("two_partner"), "mrbm-1300", LAUNCH, grid_n=14)


def test_scenario_architecture(two_partner: FootprintStudy) -> None:
    arch = two_partner.architecture
    names = [b.name for b in arch.batteries]
    radars = [r.name for r in arch.radars]
    lat = arch.shared_latency_s
    up, low = names.index("blue_upper"), names.index("blue_lower")
    # blue_upper engages on remote: the green radar's tracks arrive over the 2 s link
    assert lat[up, radars.index("green_radar")] == pytest.approx(2.0)
    assert lat[up, radars.index("blue_radar_ew")] == 0.0
    # blue_lower does not engage on remote: the green radar is never available to it
    assert np.isinf(lat[low, radars.index("green_radar")])
    assert lat[low, radars.index("blue_radar_port")] == 0.0
    off = arch.latency_s(sharing=False)
    assert np.isinf(off[up, radars.index("green_radar")])
    assert arch.n_revisits == 3  # tracking.confirm_n default


def test_footprint_areas_consistent(two_partner: FootprintStudy) -> None:
    fp = two_partner.footprint()
    assert fp.area_km2 > 0
    per = fp.battery_area_km2
    assert fp.area_km2 >= max(per.values()) - 1e-9
    assert fp.area_km2 <= sum(per.values()) + 1e-9
    union = fp.battery_defended.any(axis=0)
    assert np.array_equal(union, fp.defended)  # one launch point: the union
    assert not (fp.defended & ~fp.reachable).any()
    s = fp.summary()
    assert s["grid"]["ny"] == 14 and s["threat"] == "mrbm-1300"
    assert s["area_km2"] == pytest.approx(fp.area_km2)


def test_sharing_on_contains_off(two_partner: FootprintStudy) -> None:
    for without in ([], ["blue_radar_ew"], ["blue_radar_ew", "blue_radar_port"]):
        on = two_partner.footprint(sharing=True, without_radars=without)
        off = two_partner.footprint(sharing=False, without_radars=without)
        assert np.all(on.battery_defended[off.battery_defended])
        assert on.area_km2 >= off.area_km2
    # blind to the raid without its own radars, blue_upper gains from green's radar
    blind = ["blue_radar_ew", "blue_ship_radar", "blue_radar_port"]
    on = two_partner.footprint(sharing=True, without_radars=blind)
    off = two_partner.footprint(sharing=False, without_radars=blind)
    assert on.battery_area_km2["blue_upper"] > off.battery_area_km2["blue_upper"]
    # blue_lower may not engage on remote: sharing changes nothing for it
    assert on.battery_area_km2["blue_lower"] == off.battery_area_km2["blue_lower"]


def test_removing_a_radar_never_enlarges(two_partner: FootprintStudy) -> None:
    full = two_partner.footprint()
    for r in two_partner.architecture.radars:
        less = two_partner.footprint(without_radars=[r.name])
        assert np.all(full.battery_defended[less.battery_defended]), r.name
    none = two_partner.footprint(without_radars=[r.name for r in two_partner.architecture.radars])
    assert none.area_km2 == 0.0
    with pytest.raises(InputError):
        two_partner.footprint(without_radars=["nope"])


def test_battery_subset_and_unknown(two_partner: FootprintStudy) -> None:
    fp = two_partner.footprint(batteries=["blue_lower"])
    assert fp.battery_names == ("blue_lower",)
    assert fp.area_km2 == pytest.approx(fp.battery_area_km2["blue_lower"])
    with pytest.raises(InputError, match="--battery"):
        two_partner.footprint(batteries=["nope"])


def test_no_inventory_gives_zero_area() -> None:
    spec = load("two_partner")
    b = spec.batteries["blue_lower"].model_copy(update={"missiles_per_launcher": 0})
    spec = spec.model_copy(update={"batteries": {**spec.batteries, "blue_lower": b}})
    study = prepare_footprint(spec, "mrbm-1300", LAUNCH, battery="blue_lower", grid_n=6)
    assert study.footprint(batteries=["blue_lower"]).area_km2 == 0.0


def test_no_feasible_geometry_gives_zero_area(two_partner: FootprintStudy) -> None:
    # The same threat paths, the battery moved 3,000 km away from all of them.
    arch = two_partner.architecture
    far = tuple(
        dataclasses.replace(b, site_ecef_m=geodetic_to_ecef(D(40.0), D(100.0), 0.0))
        for b in arch.batteries
    )
    moved = dataclasses.replace(arch, batteries=far)
    study = FootprintStudy(
        moved, two_partner.fan, two_partner.grid, "mrbm-1300", [LAUNCH[0][0]], [LAUNCH[0][1]],
        rcs_m2=rcs_for("rv"),
    )  # fmt: skip
    fp = study.footprint()
    assert fp.area_km2 == 0.0 and all(a == 0.0 for a in fp.battery_area_km2.values())


def test_launch_region_is_worst_case() -> None:
    spec = load("single_battery")
    one = prepare_footprint(spec, "srbm-300", [(D(8.0), D(159.0))], grid_n=8)
    two = prepare_footprint(spec, "srbm-300", [(D(8.0), D(159.0)), (D(8.3), D(158.6))], grid_n=8)
    f1, f2 = one.footprint(), two.footprint()
    assert f1.area_km2 > 0
    # a cell defended against the region is defended against each launch point reaching it
    assert np.all(f1.defended[f2.defended & f1.reachable])
    assert f2.area_km2 <= f1.area_km2 + f2.cell_area_m2[f2.reachable & ~f1.reachable].sum() / 1e6


def test_compute_footprint_one_battery() -> None:
    spec = load("single_battery")
    fp = compute_footprint(spec, "srbm-300", [(D(8.0), D(159.0))], battery="blue_battery", grid_n=6)
    assert fp.battery_names == ("blue_battery",) and fp.grid.shape == (6, 6)
    assert fp.area_km2 == pytest.approx(fp.battery_area_km2["blue_battery"])
    assert 0 < fp.area_km2 <= fp.threatened_area_km2


def test_bad_threat_and_launch() -> None:
    spec = load("single_battery")
    with pytest.raises(InputError, match="ballistic"):
        prepare_footprint(spec, "cruise-subsonic", [(0.1, 2.8)], grid_n=4)
    with pytest.raises(InputError, match="--from"):
        prepare_footprint(spec, "srbm-300", [], grid_n=4)
