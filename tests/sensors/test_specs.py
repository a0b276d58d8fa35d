"""Sensor specs: parsing with units, validation errors, building, round trips."""

from __future__ import annotations

import math
from importlib import resources

import numpy as np
import pytest
import yaml
from pydantic import ValidationError

from hoplon.sensors.infrared import InfraredConstellation
from hoplon.sensors.radar import Radar
from hoplon.sensors.specs import SENSOR_SPECS, RadarSpec, build_sensors, parse_sensors

RADAR = {
    "type": "radar",
    "name": "r",
    "site": {"lat": 40.0, "lon": "20 deg", "alt": "100 m"},
    "max_range": "2000 km",
    "boresight_azimuth": 90,
    "azimuth_span": "120 deg",
    "sensitivity": {"form": "reference", "snr_db": 20, "range": "1000 km", "rcs": "0.1 m2"},
    "noise": {"range": "5 m", "angle": "0.1 mrad", "range_rate": "2 m/s"},
}


def test_units_are_converted() -> None:
    (spec,) = parse_sensors([RADAR])
    r = spec.build(3)
    assert isinstance(r, Radar)
    assert r.lat_rad == pytest.approx(math.radians(40.0))
    assert r.azimuth_span_rad == pytest.approx(math.radians(120.0))
    assert r.max_range_m == 2e6 and r.sensor_id == 3
    assert r.sigma_angle_rad == pytest.approx(1e-4) and r.sigma_range_rate_mps == 2.0
    assert r.snr_constant_m2 == pytest.approx(100.0 * 1e6**4 / 0.1)


def test_pulse_and_search_forms_match_radar_equation() -> None:
    from hoplon.earth.constants import SPEED_OF_LIGHT_MPS as C
    from hoplon.sensors import radar_equation as rre

    pulse = RADAR | {
        "sensitivity": {
            "form": "pulse",
            "peak_power": "1 MW",
            "pulse_width": "0.01 ms",
            "frequency": "10 GHz",
            "gain_db": 20,
        }
    }
    r = parse_sensors([pulse])[0].build()
    snr = rre.snr_at_range(4.1057e4, 1e6, 1e-5, C / 10e9, 100.0)
    assert r.snr_constant_m2 / 4.1057e4**4 == pytest.approx(float(snr), rel=1e-12)
    search = RADAR | {
        "sensitivity": {
            "form": "search",
            "average_power": "100 kW",
            "aperture": "100 m2",
            "frame_time": "10 s",
            "solid_angle_sr": 0.5,
        }
    }
    r = parse_sensors([search])[0].build()
    assert r.snr_constant_m2 == pytest.approx(float(rre.search_snr(1.0, 1e5, 100, 10, 0.5)))


def test_mapping_form_fills_names() -> None:
    specs = parse_sensors({"green": {k: v for k, v in RADAR.items() if k != "name"}})
    assert specs[0].name == "green"


@pytest.mark.parametrize(
    ("patch", "where"),
    [
        ({"max_range": "-5 km"}, "max_range"),
        ({"max_range": "5 parsecs"}, "max_range"),
        ({"site": {"lat": 95, "lon": 0}}, "lat"),
        ({"detection": {"pfa": 2.0}}, "pfa"),
        ({"detection": {"swerling": 7}}, "swerling"),
        ({"detection": {"method": "albersheim", "swerling": 1}}, "detection"),
        ({"colour": "red"}, "colour"),
        ({"sensitivity": {"form": "magic"}}, "sensitivity"),
    ],
)
def test_invalid_fields_are_located(patch: dict, where: str) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_sensors([RADAR | patch])
    locs = [".".join(map(str, e["loc"])) for e in exc.value.errors()]
    assert any(where in loc for loc in locs), locs


def test_infrared_spec() -> None:
    spec = {
        "type": "infrared",
        "name": "ir",
        "satellites": [
            {"orbit": "geo", "longitude": 10},
            {"orbit": "molniya", "raan": 90},
            {
                "orbit": "kepler",
                "semi_major_axis": "30000 km",
                "eccentricity": 0.1,
                "inclination": 30,
                "arg_perigee": 0,
            },
        ],
    }
    (s,) = parse_sensors([spec])
    c = s.build(sensor_id=5)
    assert isinstance(c, InfraredConstellation) and len(c) == 3 and c.sensor_id == 5
    assert c.cloud_top_m == 10e3
    with pytest.raises(ValidationError, match="longitude"):
        parse_sensors([spec | {"satellites": [{"orbit": "geo"}]}])
    with pytest.raises(ValidationError, match="eccentricity"):
        parse_sensors([spec | {"satellites": [{"orbit": "kepler", "semi_major_axis": 3e7}]}])


def test_build_sensors_assigns_consecutive_ids() -> None:
    ir = {
        "type": "infrared",
        "name": "ir",
        "satellites": [{"orbit": "geo", "longitude": 0}, {"orbit": "geo", "longitude": 90}],
    }
    out = build_sensors(parse_sensors([RADAR, ir, RADAR | {"name": "b"}]))
    assert [s.sensor_id for s in out] == [0, 1, 3]


def test_spec_round_trips_yaml_and_json() -> None:
    (spec,) = parse_sensors([RADAR])
    again = RadarSpec.model_validate(yaml.safe_load(yaml.safe_dump(spec.model_dump())))
    assert again == spec
    assert RadarSpec.model_validate_json(spec.model_dump_json()) == spec


@pytest.mark.parametrize("name", ["xband_fbr.yaml", "uhf_ewr.yaml", "ir_constellation.yaml"])
def test_packaged_examples_load(name: str) -> None:
    text = resources.files("hoplon.data").joinpath(f"sensors/{name}").read_text()
    specs = parse_sensors(yaml.safe_load(text)["sensors"])
    sensors = build_sensors(specs)
    assert sensors and all(s.blind_reason() is None for s in sensors)
    for s in sensors:
        if isinstance(s, Radar):
            assert 100e3 < s.detection_range_m(s_rcs := specs[0].rcs) <= s.max_range_m, s_rcs
        else:
            assert np.isfinite(s.positions_ecef(0.0)).all()


EXAMPLES = {
    "radar": ("xband_fbr.yaml", 0),
    "infrared": ("ir_constellation.yaml", 0),
}


@pytest.mark.parametrize("kind", sorted(SENSOR_SPECS))
def test_contract_every_registered_sensor_type(kind: str) -> None:
    """One contract over every registered type: round trips, build, the Sensor protocol."""
    from hoplon.sensors.base import Sensor

    assert kind in EXAMPLES, f"add an example for the new sensor type {kind!r}"
    name, index = EXAMPLES[kind]
    text = resources.files("hoplon.data").joinpath(f"sensors/{name}").read_text()
    spec = parse_sensors(yaml.safe_load(text)["sensors"])[index]
    cls = SENSOR_SPECS[kind]
    assert isinstance(spec, cls) and spec.type == kind
    assert cls.model_validate(yaml.safe_load(yaml.safe_dump(spec.model_dump()))) == spec
    assert cls.model_validate_json(spec.model_dump_json()) == spec
    with pytest.raises(ValidationError):
        cls.model_validate(spec.model_dump() | {"no_such_field": 1})
    sensor = spec.build(7)
    assert isinstance(sensor, Sensor)
    assert sensor.sensor_id == 7 and sensor.name == spec.name and sensor.owner == spec.owner
    assert sensor.blind_reason() is None and sensor.revisit_s > 0
