"""Batch propagation: conservation laws, Earth rotation, events, forces, thrust, inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoplon.earth.frames import ecef_to_geodetic
from hoplon.earth.gravity import potential_j2
from hoplon.errors import InputError
from hoplon.flight import (
    STATUS_IMPACT,
    STATUS_T_END,
    EarthModel,
    initial_state,
    make_params,
    propagate,
)

MU = 3.986004418e14
VAC_POINT = EarthModel(rotating=False, gravity="point", atmosphere=False)
VAC_J2 = EarthModel(rotating=False, gravity="j2", atmosphere=False)
VAC_J2_ROT = EarthModel(rotating=True, gravity="j2", atmosphere=False)
DEG = math.pi / 180


def _energy_point(y: np.ndarray) -> np.ndarray:
    return 0.5 * np.sum(y[..., 3:6] ** 2, axis=-1) - MU / np.linalg.norm(y[..., :3], axis=-1)


def _shot(
    model: EarthModel,
    speed: float = 6000.0,
    gamma: float = 35 * DEG,
    az: float = 45 * DEG,
    n: int = 1,
    alt: float = 0.0,
) -> np.ndarray:
    y0 = initial_state(0.5, 0.3, alt, speed, gamma, az, mass_kg=1000.0, model=model)
    return y0.repeat(n, 0)


def test_energy_point_mass_dopri5() -> None:
    y0 = _shot(VAC_POINT)
    res = propagate(y0, make_params(1), model=VAC_POINT, t_end=3000, method="dopri5", rtol=1e-12)
    e = _energy_point(res.y[0, : res.n_samples[0]])
    assert res.status[0] == STATUS_IMPACT
    assert np.max(np.abs(e / e[0] - 1)) < 1e-9


def test_energy_point_mass_rk4() -> None:
    y0 = _shot(VAC_POINT)
    res = propagate(y0, make_params(1), model=VAC_POINT, t_end=3000, dt=1.0)
    e = _energy_point(res.y[0, : res.n_samples[0]])
    assert np.max(np.abs(e / e[0] - 1)) < 1e-10


def test_energy_and_hz_with_j2_non_rotating() -> None:
    y0 = _shot(VAC_J2, speed=7000.0)
    res = propagate(y0, make_params(1), model=VAC_J2, t_end=3000, method="dopri5", rtol=1e-12)
    y = res.y[0, : res.n_samples[0]]
    e = 0.5 * np.sum(y[:, 3:6] ** 2, axis=1) + potential_j2(y[:, :3])
    assert np.max(np.abs(e / e[0] - 1)) < 1e-9
    hz = y[:, 0] * y[:, 4] - y[:, 1] * y[:, 3]
    assert np.max(np.abs(hz / hz[0] - 1)) < 1e-9


def test_jacobi_integral_rotating_frame() -> None:
    """In the rotating frame v^2/2 + U_J2 - |w x r|^2 / 2 is conserved."""
    y0 = _shot(VAC_J2_ROT, speed=7000.0)
    res = propagate(y0, make_params(1), model=VAC_J2_ROT, t_end=3000, method="dopri5", rtol=1e-12)
    y = res.y[0, : res.n_samples[0]]
    w = VAC_J2_ROT.omega_rad_s
    jac = (
        0.5 * np.sum(y[:, 3:6] ** 2, axis=1)
        + potential_j2(y[:, :3])
        - 0.5 * w**2 * (y[:, 0] ** 2 + y[:, 1] ** 2)
    )
    assert np.max(np.abs(jac / jac[0] - 1)) < 1e-9


@settings(max_examples=15, deadline=None)
@given(
    speed=st.floats(1000.0, 7500.0),
    gamma=st.floats(5 * DEG, 85 * DEG),
    az=st.floats(0.0, 2 * math.pi),
)
def test_energy_conserved_property(speed: float, gamma: float, az: float) -> None:
    y0 = _shot(VAC_POINT, speed, gamma, az)
    res = propagate(y0, make_params(1), model=VAC_POINT, t_end=5000, dt=1.0, record=False)
    assert res.status[0] == STATUS_IMPACT
    e0, e1 = _energy_point(y0[0]), _energy_point(res.y_final[0])
    assert abs(e1 / e0 - 1) < 1e-9


def _range_km(model: EarthModel, az: float, speed: float = 7200.0, lat: float = 0.0) -> float:
    from hoplon.flight.trajectory import surface_distance_m

    y0 = initial_state(lat, 0.0, 0.0, speed, 22.5 * DEG, az, model=model)
    res = propagate(y0, make_params(1), model=model, t_end=5000, dt=1.0, record=False)
    assert res.status[0] == STATUS_IMPACT
    lat1, lon1, _ = ecef_to_geodetic(res.impact_y[0, :3], model.ellipsoid)
    return surface_distance_m(lat, 0.0, float(lat1), float(lon1), model) / 1e3


def test_east_flies_farther_than_west_and_rotation_matters() -> None:
    rot = EarthModel(atmosphere=False)
    fixed = EarthModel(atmosphere=False, rotating=False)
    east, west = _range_km(rot, 90 * DEG), _range_km(rot, 270 * DEG)
    still = _range_km(fixed, 90 * DEG)
    assert 9000 < still < 11500  # a ~10,000 km shot
    assert east > west + 1000
    assert abs(east - still) > 1000


def test_rk4_and_dopri5_agree() -> None:
    model = EarthModel()
    y0 = _shot(model, speed=5000.0, alt=100e3)
    p = make_params(1, beta_kg_m2=3000.0)
    a = propagate(y0, p, model=model, t_end=3000, dt=1.0, method="rk4", record=False)
    b = propagate(y0, p, model=model, t_end=3000, dt=1.0, method="dopri5", record=False)
    assert a.impact_t[0] == pytest.approx(b.impact_t[0], abs=1e-3)
    assert np.linalg.norm(a.impact_y[0, :3] - b.impact_y[0, :3]) < 1.0
    assert a.apogee_t[0] == pytest.approx(b.apogee_t[0], abs=1e-3)


@pytest.mark.parametrize("method", ["rk4", "dopri5"])
def test_impact_is_located_precisely(method: str) -> None:
    """Impact altitude |h| < 1 m; position within 10 m of a tiny-step reference."""
    model = EarthModel()
    y0 = _shot(model, speed=4000.0, gamma=40 * DEG, alt=100e3)
    p = make_params(1, beta_kg_m2=4000.0)
    res = propagate(y0, p, model=model, t_end=3000, dt=1.0, method=method, record=False)
    ref = propagate(y0, p, model=model, t_end=3000, dt=0.01, method="rk4", record=False)
    assert res.status[0] == STATUS_IMPACT
    h = ecef_to_geodetic(res.impact_y[0, :3])[2]
    assert abs(h) < 1.0
    assert np.linalg.norm(res.impact_y[0, :3] - ref.impact_y[0, :3]) < 10.0
    assert res.impact_t[0] == res.t_final[0]


def test_stop_altitude_and_none() -> None:
    model = EarthModel(atmosphere=False)
    y0 = _shot(model, speed=3000.0)
    res = propagate(y0, make_params(1), model=model, t_end=2000, stop_altitude_m=50e3, record=False)
    assert abs(ecef_to_geodetic(res.impact_y[0, :3])[2] - 50e3) < 1.0
    free = propagate(y0, make_params(1), model=model, t_end=300, stop_altitude_m=None)
    assert free.status[0] == STATUS_T_END and free.t_final[0] == 300.0
    assert np.isnan(free.impact_t[0])


def test_apogee_is_refined() -> None:
    y0 = _shot(VAC_POINT, speed=3000.0, gamma=45 * DEG)
    res = propagate(y0, make_params(1), model=VAC_POINT, t_end=2000, dt=7.0)
    ya = res.apogee_y[0]
    r = ya[:3]
    # radial rate and geodetic altitude rate ~ 0 at apogee
    lat, lon, _ = ecef_to_geodetic(r)
    up = np.array([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
    assert abs(np.dot(up, ya[3:6])) < 1e-5
    assert np.nanmax(ecef_to_geodetic(res.y[0, :, :3])[2]) <= ecef_to_geodetic(r)[2] + 1e-6


def test_drag_decelerates() -> None:
    model = EarthModel()
    y0 = _shot(model, speed=2000.0, gamma=30 * DEG, n=2, alt=20e3)
    p = make_params(2, beta_kg_m2=[np.inf, 500.0])
    res = propagate(y0, p, model=model, t_end=60, stop_altitude_m=None)
    assert list(res.n_samples) == [61, 61]
    v = np.linalg.norm(res.y_final[:, 3:6], axis=1)
    assert v[1] < v[0] - 50.0
    e = _energy_point(res.y[1, :61])
    e_vac = _energy_point(res.y[0, :61])
    assert np.all(np.diff(e - e_vac) < 0)


@pytest.mark.parametrize("bank_deg, sign", [(90.0, -1.0), (-90.0, 1.0)])
def test_banked_lift_gives_cross_range(bank_deg: float, sign: float) -> None:
    """Eastbound at the equator, banked right (+) turns south, banked left turns north."""
    model = EarthModel(rotating=False)
    y0 = initial_state(0.0, 0.0, 40e3, 3000.0, 0.0, 90 * DEG, mass_kg=1000, model=model)
    p = make_params(1, beta_kg_m2=3000.0, lift_to_drag=2.0, bank_angle_rad=bank_deg * DEG)
    res = propagate(y0, p, model=model, t_end=200, record=False, stop_altitude_m=None)
    lat = ecef_to_geodetic(res.y_final[0, :3])[0]
    assert sign * lat > 1e-4


def test_lift_without_bank_raises_the_path() -> None:
    model = EarthModel(rotating=False)
    y0 = initial_state(0.0, 0.0, 40e3, 3000.0, 0.0, 90 * DEG, model=model).repeat(2, 0)
    p = make_params(2, beta_kg_m2=3000.0, lift_to_drag=[0.0, 2.0])
    res = propagate(y0, p, model=model, t_end=100, record=False, stop_altitude_m=None)
    h = ecef_to_geodetic(res.y_final[:, :3])[2]
    assert h[1] > h[0] + 100
    assert abs(ecef_to_geodetic(res.y_final[1, :3])[0]) < 1e-9


def test_tsiolkovsky_delta_v() -> None:
    """No gravity, vacuum, inertial: delta-v = (T / mdot) ln(m0 / m1)."""
    model = EarthModel(rotating=False, gravity="none", atmosphere=False)
    y0 = np.array([[7e6, 0.0, 0.0, 0.0, 10.0, 0.0, 1000.0]])
    p = make_params(1, thrust_n=30e3, mdot_kg_s=10.0)
    res = propagate(
        y0, p, model=model, t_end=60.0, method="dopri5", rtol=1e-12, stop_altitude_m=None
    )
    m1 = res.y_final[0, 6]
    assert m1 == pytest.approx(400.0, rel=1e-12)
    dv = np.linalg.norm(res.y_final[0, 3:6]) - 10.0
    assert dv == pytest.approx(3000.0 * math.log(1000.0 / 400.0), rel=1e-9)
    rk = propagate(y0, p, model=model, t_end=60.0, dt=1.0, stop_altitude_m=None, record=False)
    assert np.linalg.norm(rk.y_final[0, 3:6]) - 10.0 == pytest.approx(dv, rel=1e-6)


def test_pitch_program_steering() -> None:
    """Vertical rise keeps the velocity along local up; pitch 0 azimuth 90 deg thrusts east."""
    model = EarthModel(rotating=False, gravity="none", atmosphere=False)
    y0 = initial_state([0.3, 0.3], [0.2, 0.2], 0.0, 0.0, 0.0, 0.0, mass_kg=100.0, model=model)
    p = make_params(
        2, thrust_n=1000.0, steering=1, pitch0_rad=[math.pi / 2, 0.0], azimuth_rad=math.pi / 2
    )
    res = propagate(y0, p, model=model, t_end=10.0, stop_altitude_m=None, record=False)
    from hoplon.flight.propagate import enu_basis

    east, north, up = enu_basis(np.array(0.3), np.array(0.2))
    v = res.y_final[:, 3:6]
    assert np.dot(v[0], up) == pytest.approx(100.0, rel=1e-9)
    assert abs(np.dot(v[0], east)) < 1e-3
    assert np.dot(v[1], east) == pytest.approx(100.0, rel=1e-3)
    # pitch ramp is clipped at pitch_min
    p2 = make_params(
        1,
        thrust_n=1000.0,
        steering=1,
        pitch0_rad=math.pi / 2,
        pitch_rate_rad_s=-1.0,
        pitch_min_rad=0.0,
        azimuth_rad=0.0,
    )
    r2 = propagate(y0[:1], p2, model=model, t_end=100.0, stop_altitude_m=None, record=False)
    vn = np.dot(r2.y_final[0, 3:6], north)
    assert vn > 0.9 * np.linalg.norm(r2.y_final[0, 3:6])


def test_per_object_times_and_record_false_match() -> None:
    model = EarthModel()
    y0 = _shot(model, speed=3000.0, n=3, alt=100e3)
    p = make_params(3, beta_kg_m2=[1e3, 2e3, np.inf])
    a = propagate(y0, p, model=model, t0=[0.0, 5.0, 10.0], t_end=[100.0, 50.0, 10.0])
    b = propagate(y0, p, model=model, t0=[0.0, 5.0, 10.0], t_end=[100.0, 50.0, 10.0], record=False)
    np.testing.assert_array_equal(a.y_final, b.y_final)
    np.testing.assert_array_equal(a.t_final, [100.0, 50.0, 10.0])
    assert list(a.n_samples) == [101, 46, 1]
    assert b.t is None


def test_dopri5_dense_samples_match_reference() -> None:
    model = EarthModel()
    y0 = _shot(model, speed=5000.0, alt=100e3)
    p = make_params(1, beta_kg_m2=5000.0)
    a = propagate(y0, p, model=model, t_end=400, dt=10.0, method="dopri5", rtol=1e-10)
    b = propagate(y0, p, model=model, t_end=400, dt=0.05, method="rk4")
    k = a.n_samples[0]
    np.testing.assert_allclose(a.y[0, :k, :3], b.y[0, ::200][:k, :3], atol=0.05)


def test_mass_exhaustion_is_an_error_status() -> None:
    model = EarthModel(rotating=False, gravity="none", atmosphere=False)
    y0 = np.array([[7e6, 0.0, 0.0, 0.0, 10.0, 0.0, 10.0]])
    res = propagate(
        y0,
        make_params(1, thrust_n=10.0, mdot_kg_s=1.0),
        model=model,
        t_end=20.0,
        stop_altitude_m=None,
    )
    assert res.status[0] == 2


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"beta_kg_m2": -1.0}, "beta_kg_m2"),
        ({"beta_kg_m2": 0.0}, "beta_kg_m2"),
        ({"thrust_n": -5.0}, "thrust_n"),
        ({"mdot_kg_s": -1.0}, "mdot_kg_s"),
        ({"steering": 2}, "steering"),
        ({"ref_area_m2": -1.0}, "ref_area_m2"),
        ({"lift_to_drag": np.nan}, "lift_to_drag"),
        ({"use_cd_table": 1}, "ref_area_m2"),
        ({"no_such": 1.0}, "no_such"),
        ({"beta_kg_m2": [1.0, 2.0, 3.0]}, "beta_kg_m2"),
    ],
)
def test_bad_params_raise(kwargs: dict, field: str) -> None:
    with pytest.raises(InputError) as err:
        make_params(2, **kwargs)
    assert err.value.field == field


def test_bad_propagate_inputs_raise() -> None:
    y0 = _shot(VAC_POINT)
    p = make_params(1)
    bad_mass = y0.copy()
    bad_mass[0, 6] = -1.0
    with pytest.raises(InputError, match="mass"):
        propagate(bad_mass, p, t_end=10)
    with pytest.raises(InputError, match="method"):
        propagate(y0, p, t_end=10, method="euler")
    with pytest.raises(InputError, match="dt"):
        propagate(y0, p, t_end=10, dt=0.0)
    with pytest.raises(InputError, match="t_end"):
        propagate(y0, p, t0=5.0, t_end=1.0)
    with pytest.raises(InputError, match="cd_table"):
        propagate(y0, make_params(1, use_cd_table=1, ref_area_m2=1.0), t_end=10)
    with pytest.raises(InputError, match="params"):
        propagate(y0, make_params(2), t_end=10)
    with pytest.raises(InputError, match="gravity"):
        EarthModel(gravity="mond")  # type: ignore[arg-type]
