"""Unit parsing at the edge."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hoplon.errors import InputError
from hoplon.units import parse_lat_lon, parse_quantity


@pytest.mark.parametrize(
    ("text", "dimension", "expected"),
    [
        ("300km", "length", 300e3),
        ("300 km", "length", 300e3),
        ("1.5e3m", "length", 1500.0),
        ("100nmi", "length", 185200.0),
        ("7.2km/s", "speed", 7200.0),
        ("24300ft/s", "speed", 24300 * 0.3048),
        ("45deg", "angle", math.pi / 4),
        ("0.5rad", "angle", 0.5),
        ("2min", "time", 120.0),
        ("1MW", "power", 1e6),
        ("10GHz", "frequency", 1e10),
    ],
)
def test_parse_quantity(text: str, dimension: str, expected: float) -> None:
    assert parse_quantity(text, dimension, field="--x") == pytest.approx(expected, rel=1e-12)


def test_bare_number_needs_default_unit() -> None:
    with pytest.raises(InputError, match="no unit"):
        parse_quantity("300", "length", field="--range")
    assert parse_quantity("300", "length", field="--range", default_unit="km") == 300e3


@pytest.mark.parametrize("text", ["300 furlongs", "km300", "", "abc", "nan km"])
def test_bad_quantity_names_field_and_allowed(text: str) -> None:
    with pytest.raises(InputError) as info:
        parse_quantity(text, "length", field="--range")
    assert info.value.field == "--range"
    assert "km" in info.value.message  # the allowed units are listed


def test_wrong_dimension_is_rejected() -> None:
    with pytest.raises(InputError, match="unknown length unit"):
        parse_quantity("7km/s", "length", field="--range")


def test_lat_lon() -> None:
    lat, lon = parse_lat_lon("39.0,125.5", field="--from")
    assert math.degrees(lat) == pytest.approx(39.0)
    assert math.degrees(lon) == pytest.approx(125.5)
    with pytest.raises(InputError, match="latitude 95"):
        parse_lat_lon("95,0", field="--from")
    with pytest.raises(InputError, match="not LAT,LON"):
        parse_lat_lon("12", field="--to")


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_km_round_trip(value: float) -> None:
    assert parse_quantity(f"{value!r}km", "length", field="x") == pytest.approx(value * 1e3)
