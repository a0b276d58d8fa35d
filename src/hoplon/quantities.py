"""Pydantic field types for quantities with units, converted to SI once, at load.

``Length`` accepts ``"300 km"``, ``300000`` (a bare number is in SI) and stores metres;
likewise ``Speed`` (m/s), ``Angle`` (rad), ``Duration`` (s), ``Mass`` (kg), ``Power`` (W),
``Frequency`` (Hz), ``Area`` (m^2). Specs round-trip to YAML/JSON as SI floats.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer

from hoplon.errors import InputError
from hoplon.units import parse_quantity

_DEFAULT_SI = {
    "length": "m",
    "speed": "m/s",
    "angle": "rad",
    "time": "s",
    "mass": "kg",
    "power": "W",
    "frequency": "Hz",
    "area": "m2",
}


def _parser(dimension: str):
    def parse(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ValueError(f"expected a {dimension} such as '300 km', got {value!r}")
        try:
            return parse_quantity(
                value, dimension, field=dimension, default_unit=_DEFAULT_SI[dimension]
            )
        except InputError as exc:
            # pydantic turns ValueError into a located validation error.
            msg = exc.reason + (f" (allowed: {exc.allowed})" if exc.allowed else "")
            raise ValueError(msg) from None

    return parse


Length = Annotated[float, BeforeValidator(_parser("length"))]
Speed = Annotated[float, BeforeValidator(_parser("speed"))]
Angle = Annotated[float, BeforeValidator(_parser("angle"))]
Duration = Annotated[float, BeforeValidator(_parser("time"))]
Mass = Annotated[float, BeforeValidator(_parser("mass"))]
Power = Annotated[float, BeforeValidator(_parser("power"))]
Frequency = Annotated[float, BeforeValidator(_parser("frequency"))]
Area = Annotated[float, BeforeValidator(_parser("area"))]


def _angle_deg_default(value: Any) -> float:
    """Angles given as bare numbers in files are degrees (the analyst's habit)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return parse_quantity(value, "angle", field="angle", default_unit="deg")
    return _parser("angle")(value)


#: An angle where a bare number means degrees (latitudes, longitudes, azimuths in files).
#: It is written back as ``"<radians> rad"`` so that a dumped spec reads back unchanged.
AngleDeg = Annotated[
    float,
    BeforeValidator(_angle_deg_default),
    PlainSerializer(lambda v: f"{v!r} rad", return_type=str),
]
