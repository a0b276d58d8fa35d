"""``Trajectory``: interpolation, summary, geodetic views, concatenation, export."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hoplon.earth.frames import ecef_to_geodetic, eci_to_ecef
from hoplon.errors import InputError
from hoplon.flight import EarthModel, Trajectory, concatenate, initial_state, make_params, propagate

DEG = math.pi / 180
MODEL = EarthModel()


def _flight(dt: float, method: str = "dopri5") -> Trajectory:
    y0 = initial_state(0.6, 0.4, 80e3, 5000.0, 30 * DEG, 60 * DEG, mass_kg=500.0, model=MODEL)
    p = make_params(1, beta_kg_m2=4000.0)
    res = propagate(y0, p, model=MODEL, t_end=2000.0, dt=dt, method=method, rtol=1e-11)
    return res.trajectory(0, name="rv")


def test_state_at_hermite_accuracy() -> None:
    coarse, fine = _flight(1.0), _flight(0.25)
    tq = fine.t_s[1:-1][(fine.t_s[1:-1] % 1.0) != 0]
    est = coarse.state_at(tq)
    ref = fine.y[1:-1][(fine.t_s[1:-1] % 1.0) != 0]
    assert np.max(np.linalg.norm(est[:, :3] - ref[:, :3], axis=1)) < 1.0
    dv = np.linalg.norm(est[:, 3:6] - ref[:, 3:6], axis=1)
    assert np.max(dv) < 0.5  # worst in peak re-entry deceleration
    high = ecef_to_geodetic(ref[:, :3])[2] > 100e3
    assert np.max(dv[high]) < 1e-3
    np.testing.assert_allclose(coarse.state_at(coarse.t_s[:5]), coarse.y[:5], atol=1e-9)
    assert np.all(np.isnan(coarse.state_at([-1.0, 1e6])))
    assert coarse.state_at(3.5).shape == (7,)


def test_lla_altitude_speed() -> None:
    tr = _flight(5.0)
    lla = tr.lla()
    lat, lon, alt = ecef_to_geodetic(tr.y[:, :3])
    np.testing.assert_allclose(lla, np.stack([lat, lon, alt], axis=1))
    np.testing.assert_allclose(tr.altitude_m, alt)
    assert tr.speed_mps[0] == pytest.approx(5000.0)
    assert abs(tr.altitude_m[-1]) < 1.0
    assert tr.metadata["status"] == "impact"


def test_summary_consistent_with_batch_events() -> None:
    y0 = initial_state(0.6, 0.4, 80e3, 5000.0, 30 * DEG, 60 * DEG, model=MODEL)
    res = propagate(y0, make_params(1), model=MODEL, t_end=3000.0, dt=2.0, method="dopri5")
    s = res.trajectory(0).summary()
    assert s["apogee_time_s"] == pytest.approx(res.apogee_t[0], abs=0.05)
    assert s["apogee_altitude_m"] == pytest.approx(
        ecef_to_geodetic(res.apogee_y[0, :3])[2], abs=0.05
    )
    assert s["flight_time_s"] == pytest.approx(res.impact_t[0])
    assert s["launch_lat_deg"] == pytest.approx(0.6 / DEG)
    assert s["burnout_speed_mps"] == pytest.approx(5000.0)
    assert s["burnout_flight_path_angle_deg"] == pytest.approx(30.0, abs=1e-6)
    assert s["burnout_altitude_m"] == pytest.approx(80e3, abs=1e-6)
    assert s["max_speed_mps"] >= s["impact_speed_mps"]
    assert 2000e3 < s["ground_range_m"] < 4000e3


def test_eci_round_trip() -> None:
    tr = _flight(10.0)
    r, v = tr.eci()
    back_r, back_v = eci_to_ecef(r, v, tr.t_s)
    np.testing.assert_allclose(back_r, tr.y[:, :3], atol=1e-6)
    np.testing.assert_allclose(back_v, tr.y[:, 3:6], atol=1e-9)
    r5, _ = tr.eci(np.array([5.0]))
    assert r5.shape == (1, 3)


def test_concatenate_stages() -> None:
    """Boost (thrust) then coast: derivatives per stage, phase boundary, burnout summary."""
    model = EarthModel()
    y0 = initial_state(0.3, 0.2, 0.0, 0.0, math.pi / 2, 0.0, mass_kg=10_000.0, model=model)
    p1 = make_params(1, thrust_n=300e3, mdot_kg_s=50.0, steering=1, pitch0_rad=math.pi / 2,
                     pitch_rate_rad_s=-0.01, pitch_min_rad=0.5, azimuth_rad=1.0)  # fmt: skip
    boost = propagate(y0, p1, model=model, t_end=60.0, dt=1.0, stop_altitude_m=None)
    coast = propagate(boost.y_final, make_params(1), model=model, t0=60.0, t_end=2000.0)
    tr = concatenate([boost.trajectory(0), coast.trajectory(0)], name="msl", burnout_time_s=60.0)
    assert tr.phase_boundaries_s == (60.0,)
    assert np.sum(tr.t_s == 60.0) == 2
    s = tr.summary()
    assert s["burnout_speed_mps"] == pytest.approx(np.linalg.norm(boost.y_final[0, 3:6]))
    assert s["burnout_time_s"] == 60.0
    # state at the boundary is continuous; mass derivative jumps (thrust off)
    np.testing.assert_allclose(tr.state_at(60.0), boost.y_final[0])
    d = tr.derivatives()
    k = np.flatnonzero(tr.t_s == 60.0)
    assert d[k[0], 6] == -50.0 and d[k[1], 6] == 0.0
    mid = tr.state_at(59.5)
    assert mid[6] == pytest.approx(10_000.0 - 50.0 * 59.5)


def test_csv_and_parquet(tmp_path) -> None:
    tr = _flight(20.0)
    path = tr.to_csv(tmp_path / "t.csv")
    header = path.read_text().splitlines()[0]
    assert header == "t_s,x_m,y_m,z_m,vx_mps,vy_mps,vz_mps,mass_kg,lat_deg,lon_deg,alt_m"
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    np.testing.assert_allclose(data[:, 1:4], tr.y[:, :3], rtol=1e-9)
    pq = pytest.importorskip("pyarrow.parquet")
    tr.to_parquet(tmp_path / "t.parquet")
    table = pq.read_table(tmp_path / "t.parquet")
    np.testing.assert_allclose(table.column("alt_m").to_numpy(), tr.altitude_m)


def test_bad_trajectory_inputs() -> None:
    with pytest.raises(InputError):
        Trajectory(t_s=np.array([0.0, 1.0]), y=np.zeros((3, 7)))
    with pytest.raises(InputError):
        Trajectory(t_s=np.array([1.0, 0.0]), y=np.ones((2, 7)))
    res = propagate(initial_state(0, 0, 1e5, 0, 0, 0), make_params(1), t_end=1.0, record=False)
    with pytest.raises(InputError):
        res.trajectory(0)
