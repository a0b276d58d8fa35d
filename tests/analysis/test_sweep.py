"""``hoplon.analysis.sweep``: dotted paths, overrides with validation, sweeps."""

from __future__ import annotations

import math

import pytest

from hoplon.analysis.sweep import (
    get_path,
    get_value,
    parse_assignment,
    parse_value,
    raid_saturation,
    set_path,
    with_overrides,
)
from hoplon.errors import InputError
from hoplon.scenario import load


@pytest.fixture(scope="module")
def two_partner():
    return load("two_partner")


def test_get_and_set_paths() -> None:
    data = {"a": {"b": [1, {"c": 2}]}, "3": "x"}
    assert get_path(data, "a.b.1.c") == 2
    assert get_path(data, "3") == "x"
    set_path(data, "a.b.0", 5)
    assert data["a"]["b"][0] == 5
    with pytest.raises(InputError, match=r"a\.d: no such parameter.*allowed: b"):
        get_path(data, "a.d")
    with pytest.raises(InputError, match=r"a\.b\.7: no such list item.*0\.\.1"):
        get_path(data, "a.b.7")
    with pytest.raises(InputError, match="nothing below a value"):
        get_path(data, "a.b.0.x")
    with pytest.raises(InputError, match="not a dotted path"):
        get_path(data, "a..b")


def test_parse_values() -> None:
    assert parse_value("3") == 3
    assert parse_value("2.5") == 2.5
    assert parse_value("true") is True
    assert parse_value("300 km") == "300 km"
    assert parse_assignment("threats.0.count = 8") == ("threats.0.count", 8)
    with pytest.raises(InputError, match="--set"):
        parse_assignment("threats.0.count")


def test_overrides_of_the_issue_paths(two_partner) -> None:
    new = with_overrides(
        two_partner,
        {
            "sensors.green_radar.reference_snr_db": 18,
            "threats.0.count": 3,
            "batteries.blue_upper.missiles_per_launcher": 2,
            "sensors.green_radar.max_range": "900 km",
            "sensors.green_radar.boresight_azimuth": 200,  # a bare angle is degrees
        },
    )
    assert new.sensors["green_radar"].reference_snr_db == 18
    assert new.threats[0].count == 3
    assert new.batteries["blue_upper"].missiles_per_launcher == 2
    assert new.sensors["green_radar"].max_range == 900_000.0
    assert new.sensors["green_radar"].boresight_azimuth == pytest.approx(math.radians(200))
    assert two_partner.threats[0].count == 8  # the original is untouched
    assert get_value(new, "threats.0.count") == 3
    assert with_overrides(two_partner, {}) is two_partner
    # everything else survives the dump/validate round trip
    same = with_overrides(two_partner, {"threats.0.count": 8})
    assert same == two_partner


def test_override_errors_name_the_path(two_partner) -> None:
    with pytest.raises(InputError, match=r"^sensors\.green_radr: no such parameter.*green_radar"):
        with_overrides(two_partner, {"sensors.green_radr.reference_snr_db": 1})
    with pytest.raises(InputError, match=r"^threats\.9: no such list item"):
        with_overrides(two_partner, {"threats.9.count": 1})
    with pytest.raises(InputError, match=r"^batteries\.blue_upper\.missiles: no such parameter"):
        with_overrides(two_partner, {"batteries.blue_upper.missiles": 1})
    with pytest.raises(InputError, match=r"^threats\.0\.count: invalid value: .*greater than"):
        with_overrides(two_partner, {"threats.0.count": 0})
    with pytest.raises(InputError, match=r"^batteries\.blue_upper\.launchers: invalid value"):
        with_overrides(two_partner, {"batteries.blue_upper.launchers": "many"})
    with pytest.raises(InputError, match=r"^sensors\.green_radar\.max_range: invalid value"):
        with_overrides(two_partner, {"sensors.green_radar.max_range": "9 kg"})
    with pytest.raises(InputError, match=r"^batteries\.blue_upper\.fire_control: .*unknown sensor"):
        with_overrides(two_partner, {"batteries.blue_upper.fire_control": "nope"})
    with pytest.raises(InputError, match=r"^threats\.0\.type: .*unknown threat type"):
        with_overrides(two_partner, {"threats.0.type": "death-star"})


@pytest.mark.slow
def test_raid_saturation_sweep(small_spec) -> None:
    res = raid_saturation(small_spec, [1, 2], trials=2, seed=3, workers=1, progress=False)
    assert res.param == "threats.0.count"
    t = res.table
    assert list(t.value) == [1, 2]
    assert set(t.columns) >= {
        "p_no_leak",
        "p_no_leak_lo",
        "p_no_leak_hi",
        "mean_leakers",
        "mean_interceptors",
        "mean_interceptors_lo",
        "mean_value_lost",
    }
    assert (t.p_no_leak_lo <= t.p_no_leak).all() and (t.p_no_leak <= t.p_no_leak_hi).all()
    # a bigger raid draws at least as many interceptors in this scenario (salvo of 2 each)
    assert t.mean_interceptors[1] > t.mean_interceptors[0]
    d = res.to_dict()
    assert d["points"][1]["value"] == 2 and d["points"][1]["trials"] == 2


def test_sweep_checks_every_point_first(small_spec) -> None:
    from hoplon.analysis.sweep import sweep

    with pytest.raises(InputError, match=r"threats\.0\.count"):
        sweep(small_spec, "threats.0.count", [1, 0], trials=1, workers=1, progress=False)
    with pytest.raises(InputError, match="--values"):
        sweep(small_spec, "threats.0.count", [], trials=1, workers=1, progress=False)
