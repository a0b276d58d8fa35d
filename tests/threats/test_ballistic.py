"""Staged ballistic flight: specs, staging, burnout metadata, bad inputs."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from hoplon.earth.constants import G0_MPS2
from hoplon.errors import InputError
from hoplon.flight.model import EarthModel
from hoplon.threats import catalogue
from hoplon.threats.ballistic import (
    BallisticMissile,
    PitchProgram,
    Stage,
    burnout_state_batch,
    fly_ballistic,
    fly_ballistic_batch,
)

ICBM = catalogue.ICBM_10000


def test_stage_derived_quantities() -> None:
    s = Stage(propellant_mass_kg=1000.0, dry_mass_kg=100.0, isp_s=250.0, burn_time_s=50.0,
              diameter_m=1.0)  # fmt: skip
    assert s.mdot_kg_s == pytest.approx(20.0)
    assert s.thrust_n == pytest.approx(20.0 * 250.0 * G0_MPS2)
    assert s.ref_area_m2 == pytest.approx(math.pi / 4)
    assert s.total_mass_kg == 1100.0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("propellant_mass_kg", -1.0),
        ("dry_mass_kg", -5.0),
        ("isp_s", 0.0),
        ("isp_s", -200.0),
        ("burn_time_s", 0.0),
        ("diameter_m", math.nan),
    ],
)
def test_stage_bad_values_name_the_field(field: str, value: float) -> None:
    kw = {"propellant_mass_kg": 1000.0, "dry_mass_kg": 100.0, "isp_s": 250.0,
          "burn_time_s": 50.0, "diameter_m": 1.0, field: value}  # fmt: skip
    with pytest.raises(InputError) as exc:
        Stage(**kw)  # type: ignore[arg-type]
    assert exc.value.field.endswith(field)


def test_missile_bad_values_name_the_field() -> None:
    with pytest.raises(InputError, match="payload_mass_kg"):
        dataclasses.replace(ICBM, payload_mass_kg=-1.0)
    with pytest.raises(InputError, match="rv_beta_kg_m2"):
        dataclasses.replace(ICBM, rv_beta_kg_m2=0.0)
    with pytest.raises(InputError, match="stages"):
        dataclasses.replace(ICBM, stages=())
    with pytest.raises(InputError, match="kick_angle_rad"):
        PitchProgram(kick_angle_rad=math.radians(95))
    with pytest.raises(InputError, match="missile"):
        fly_ballistic_batch("icbm", 0.0, 0.0, 0.0)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="cutoff_time_s"):
        fly_ballistic_batch(ICBM, 0.0, 0.0, 0.0, cutoff_time_s=-3.0)


def test_tsiolkovsky_in_vacuum_without_gravity() -> None:
    """No gravity, air or pitch-over (no steering loss): the ideal rocket equation."""
    model = EarthModel(rotating=False, atmosphere=False, gravity="none")
    b = fly_ballistic_batch(ICBM, 0.3, 0.1, 1.0, kick_angle_rad=0.0, model=model, coast=False)
    assert b.burnout_t_s[0] == pytest.approx(ICBM.burn_time_s)
    assert b.burnout_speed_mps()[0] == pytest.approx(ICBM.ideal_delta_v_mps(), rel=1e-6)
    assert b.burnout_y[0, 6] == pytest.approx(
        ICBM.payload_mass_kg + ICBM.stages[-1].dry_mass_kg, rel=1e-9
    )


def test_trajectory_has_burnout_metadata_and_staging() -> None:
    model = EarthModel(rotating=False)
    traj = fly_ballistic(ICBM, 0.5, 0.5, 1.2, model=model)
    s = traj.summary()
    assert traj.burnout_time_s == pytest.approx(ICBM.burn_time_s)
    assert traj.metadata["burnout_time_s"] == pytest.approx(ICBM.burn_time_s)
    assert s["burnout_speed_mps"] == pytest.approx(traj.metadata["burnout_speed_mps"], rel=1e-6)
    # mass steps down at each staging and at RV separation
    m = traj.mass_kg
    assert m[0] == pytest.approx(ICBM.launch_mass_kg)
    assert m[-1] == pytest.approx(ICBM.payload_mass_kg)
    stage_ends = np.cumsum([st.burn_time_s for st in ICBM.stages])
    assert all(any(abs(t - te) < 1e-6 for t in traj.phase_boundaries_s) for te in stage_ends)
    assert traj.altitude_m[-1] == pytest.approx(0.0, abs=1.0)
    assert np.all(np.diff(traj.t_s) >= 0)


def test_early_cutoff_shortens_range_monotonically() -> None:
    cuts = np.array([120.0, 150.0, 170.0, np.inf])
    b = fly_ballistic_batch(ICBM, 0.0, 0.0, math.pi / 2, kick_angle_rad=0.9, cutoff_time_s=cuts,
                            model=EarthModel(rotating=False))  # fmt: skip
    r = b.ground_range_m()
    assert np.all(np.diff(r) > 0)
    assert b.burnout_t_s[:3] == pytest.approx(cuts[:3])
    # after thrust termination the RV separates: its mass is the payload's
    assert np.all(b.impacted)


def test_batch_matches_single_flights() -> None:
    kicks = np.radians([20.0, 40.0, 60.0])
    model = EarthModel(rotating=True)
    b = fly_ballistic_batch(ICBM, 0.2, 0.3, 0.7, kick_angle_rad=kicks, model=model)
    for i, k in enumerate(kicks):
        one = fly_ballistic_batch(ICBM, 0.2, 0.3, 0.7, kick_angle_rad=k, model=model)
        np.testing.assert_allclose(one.impact_y[0], b.impact_y[i], rtol=0, atol=1e-6)


def test_burnout_state_drag_only_after_apogee() -> None:
    model = EarthModel(rotating=False)
    vac = EarthModel(rotating=False, atmosphere=False)
    kw = {"burnout_altitude_m": 0.0, "beta_kg_m2": 5000.0}
    a = burnout_state_batch(0.0, 0.0, 1.0, 3000.0, 0.75, model=model, **kw)
    v = burnout_state_batch(0.0, 0.0, 1.0, 3000.0, 0.75, model=vac, **kw)
    # same ascent (apogee) with or without air; the re-entry is slowed by drag
    np.testing.assert_allclose(a.apogee_y[0, :3], v.apogee_y[0, :3], atol=1e-3)
    assert a.ground_range_m()[0] < v.ground_range_m()[0]
    assert a.ground_range_m()[0] > 0.97 * v.ground_range_m()[0]


def test_missile_instances_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        ICBM.payload_mass_kg = 1.0  # type: ignore[misc]
    assert isinstance(ICBM, BallisticMissile)
