"""Battery spec validation and runtime rules: inventory, launch rate, reload."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoplon.errors import InfeasibleError, InputError
from hoplon.weapons.battery import Battery, BatterySpec
from hoplon.weapons.catalogue import get_interceptor


def _spec(**kw: object) -> BatterySpec:
    base = dict(
        name="b1",
        owner="blue",
        lat_rad=0.6,
        lon_rad=2.2,
        alt_m=50.0,
        interceptor="upper-tier",
        launchers=2,
        missiles_per_launcher=3,
        reserve_missiles=3,
        min_launch_interval_s=2.0,
        reload_time_s=600.0,
        fire_control_sensor="fc-radar",
    )
    base.update(kw)
    return BatterySpec(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("missiles_per_launcher", -1),
        ("reserve_missiles", -2),
        ("launchers", 0),
        ("launchers", 1.5),
        ("min_launch_interval_s", -1.0),
        ("reload_time_s", 0.0),
        ("lat_rad", 2.0),
        ("name", ""),
    ],
)
def test_bad_spec_names_the_field(field: str, value: object) -> None:
    with pytest.raises(InputError) as exc:
        _spec(**{field: value})
    assert exc.value.field == field


def test_constructor_stores_configuration_only() -> None:
    spec = _spec()
    assert spec.inventory == 9
    assert spec.to_dict()["fire_control_sensor"] == "fc-radar"
    assert BatterySpec(**spec.to_dict()) == spec
    bat = Battery.from_spec(spec)
    assert bat.rounds_left == 9 and bat.shots == []
    assert np.linalg.norm(spec.site_ecef()) == pytest.approx(6.37e6, rel=3e-3)


def test_wrong_type_is_refused() -> None:
    with pytest.raises(InputError, match="interceptor"):
        Battery(_spec(), get_interceptor("lower-tier"))
    with pytest.raises(InputError, match="interceptor"):
        Battery.from_spec(_spec(interceptor="no-such-type"))


def test_launch_rate_is_enforced() -> None:
    bat = Battery.from_spec(_spec())
    times = bat.fire(100.0, 2, target=7)
    np.testing.assert_allclose(times, [100.0, 102.0])
    assert not bat.can_fire(103.0)
    with pytest.raises(InfeasibleError, match="launch rate"):
        bat.fire(103.0)
    assert bat.can_fire(104.0)
    assert bat.earliest_fire_time(100.0) == pytest.approx(104.0)
    assert [s.target for s in bat.shots] == [7, 7]


def test_inventory_and_reload() -> None:
    bat = Battery.from_spec(_spec(min_launch_interval_s=0.0))
    bat.fire(0.0, 6)  # both launchers emptied at t = 0; one reload from the reserve
    assert bat.rounds_left == 3
    assert not bat.can_fire(10.0)
    with pytest.raises(InfeasibleError, match="not enough ready rounds"):
        bat.fire(10.0)
    assert bat.earliest_fire_time(10.0) == pytest.approx(600.0)
    bat.fire(600.0, 3)
    assert bat.rounds_left == 0
    assert bat.earliest_fire_time(700.0) == math.inf
    assert not bat.can_fire(1e6)
    bat.reset()
    assert bat.rounds_left == 9


def test_no_reload_at_sea() -> None:
    bat = Battery.from_spec(
        _spec(interceptor="exo-ship", reload_time_s=math.inf, launchers=1, reserve_missiles=5)
    )
    bat.fire(0.0, 3)
    assert bat.earliest_fire_time(0.0, 1) == math.inf


def test_salvo_larger_than_ready_is_refused() -> None:
    bat = Battery.from_spec(_spec())
    assert not bat.can_fire(0.0, 7)
    assert not bat.can_fire(0.0, 0)
    with pytest.raises(InfeasibleError):
        bat.fire(0.0, 7)
    assert bat.rounds_left == 9 and bat.shots == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0.0, 50.0), st.integers(1, 4)), min_size=1, max_size=25))
def test_rounds_are_conserved_and_rate_respected(requests: list[tuple[float, int]]) -> None:
    bat = Battery.from_spec(_spec(reload_time_s=30.0))
    t = 0.0
    for dt, n in requests:
        t += dt
        if bat.can_fire(t, n):
            bat.fire(t, n)
        else:
            with pytest.raises(InfeasibleError):
                bat.fire(t, n)
        assert bat.rounds_left + len(bat.shots) == bat.spec.inventory
        assert np.all(bat.loaded >= 0) and bat.reserve >= 0
    launches = np.array([s.t_s for s in bat.shots])
    if launches.size > 1:
        assert np.all(np.diff(launches) >= bat.spec.min_launch_interval_s - 1e-9)
