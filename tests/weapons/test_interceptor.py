"""Interceptor specs: validation naming the field, derived figures, round trip."""

import math
from dataclasses import replace

import pytest

from hoplon.earth.constants import G0_MPS2
from hoplon.errors import InputError
from hoplon.weapons.catalogue import get_interceptor
from hoplon.weapons.interceptor import InterceptorType, Stage


def _simple(**kw: object) -> InterceptorType:
    base = dict(
        name="test",
        stages=(Stage(600.0, 200.0, 10.0, 250.0),),
        payload_mass_kg=100.0,
        ballistic_coefficient_kg_m2=5000.0,
        min_intercept_altitude_m=10e3,
        max_intercept_altitude_m=100e3,
        min_range_m=1e3,
        max_range_m=100e3,
        max_flyout_time_s=100.0,
        p_kill=0.8,
    )
    base.update(kw)
    return InterceptorType(**base)  # type: ignore[arg-type]


def test_ideal_delta_v_is_the_rocket_equation() -> None:
    it = _simple()
    assert it.launch_mass_kg == 900.0
    assert it.ideal_delta_v_mps == pytest.approx(250.0 * G0_MPS2 * math.log(900.0 / 300.0))
    # two stages: the inert mass of stage 1 is dropped before stage 2
    it2 = _simple(stages=(Stage(300.0, 100.0, 5.0, 250.0), Stage(200.0, 50.0, 5.0, 280.0)))
    m0 = 750.0
    dv = 250.0 * G0_MPS2 * math.log(m0 / (m0 - 300.0))
    m1 = m0 - 300.0 - 100.0
    dv += 280.0 * G0_MPS2 * math.log(m1 / (m1 - 200.0))
    assert it2.ideal_delta_v_mps == pytest.approx(dv)
    assert it2.burnout_mass_kg == 100.0
    assert it2.boost_time_s == 10.0


def test_thrust_and_mdot() -> None:
    s = Stage(600.0, 200.0, 10.0, 250.0)
    assert s.mdot_kg_s == 60.0
    assert s.thrust_n == pytest.approx(250.0 * G0_MPS2 * 60.0)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("p_kill", 1.2),
        ("p_kill", -0.1),
        ("reliability", 2.0),
        ("min_intercept_altitude_m", 200e3),
        ("min_range_m", 200e3),
        ("max_flyout_time_s", -1.0),
        ("payload_mass_kg", 0.0),
        ("regime", "space"),
        ("kill_mechanism", "laser"),
        ("min_launch_elevation_rad", 2.0),
    ],
)
def test_bad_values_raise_input_error_naming_the_field(field: str, value: object) -> None:
    with pytest.raises(InputError) as exc:
        _simple(**{field: value})
    assert exc.value.field == field


def test_bad_stage_names_the_field() -> None:
    with pytest.raises(InputError, match=r"stage\.propellant_mass_kg"):
        Stage(-1.0, 10.0, 5.0, 250.0)
    with pytest.raises(InputError, match="stages"):
        _simple(stages=())


def test_round_trip_dict() -> None:
    it = get_interceptor("exo-ship")
    again = InterceptorType.from_dict(it.to_dict())
    assert again == it
    assert hash(again) == hash(it)
    with pytest.raises(InputError, match="colour"):
        InterceptorType.from_dict({**it.to_dict(), "colour": "grey"})


def test_envelope_and_p_success() -> None:
    it = replace(_simple(), reliability=0.9)
    env = it.envelope
    assert (env.min_altitude_m, env.max_altitude_m) == (10e3, 100e3)
    assert (env.min_range_m, env.max_range_m, env.max_flyout_time_s) == (1e3, 100e3, 100.0)
    assert it.p_success == pytest.approx(0.72)
