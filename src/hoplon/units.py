"""Quantities with units at the edge: ``"300km"``, ``"7.2 km/s"``, ``"45deg"`` -> SI floats.

Only the CLI and scenario loaders call this module; the numerical core sees SI floats.
"""

from __future__ import annotations

import math
import re

from hoplon.errors import InputError

# Factor to SI for each unit, grouped by dimension.
_UNITS: dict[str, dict[str, float]] = {
    "length": {
        "m": 1.0,
        "km": 1e3,
        "cm": 1e-2,
        "mm": 1e-3,
        "nmi": 1852.0,
        "nm": 1852.0,  # nautical mile, as in the ballistic-missile literature
        "mi": 1609.344,
        "ft": 0.3048,
        "kft": 304.8,
    },
    "speed": {
        "m/s": 1.0,
        "mps": 1.0,
        "km/s": 1e3,
        "kps": 1e3,
        "km/h": 1e3 / 3600.0,
        "kph": 1e3 / 3600.0,
        "kn": 1852.0 / 3600.0,
        "kt": 1852.0 / 3600.0,
        "ft/s": 0.3048,
        "mach": 340.29,  # sea-level speed of sound, US Standard Atmosphere 1976
    },
    "angle": {"rad": 1.0, "deg": math.pi / 180.0, "°": math.pi / 180.0, "mrad": 1e-3},
    "time": {"s": 1.0, "ms": 1e-3, "min": 60.0, "h": 3600.0},
    "mass": {"kg": 1.0, "t": 1e3, "g": 1e-3, "lb": 0.45359237},
    "power": {"w": 1.0, "kw": 1e3, "mw": 1e6},
    "frequency": {"hz": 1.0, "khz": 1e3, "mhz": 1e6, "ghz": 1e9},
    "area": {"m2": 1.0, "m^2": 1.0},
    "ballistic_coefficient": {"kg/m2": 1.0, "kg/m^2": 1.0, "psf": 47.880258888889 / 9.80665},
}

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_PATTERN = re.compile(rf"^\s*({_NUMBER})\s*([^\d\s].*?)?\s*$")


def units_for(dimension: str) -> list[str]:
    """Names of the units accepted for ``dimension``."""
    return list(_UNITS[dimension])


def parse_quantity(
    text: str | float | int, dimension: str, *, field: str, default_unit: str | None = None
) -> float:
    """Convert ``text`` such as ``"300km"`` to an SI float.

    Parameters
    ----------
    text : str or float
        A number with an optional unit. A bare number takes ``default_unit``.
    dimension : str
        One of the keys of the unit table (``"length"``, ``"speed"``, ``"angle"``, ...).
    field : str
        Name of the option or field, for the error message.
    default_unit : str, optional
        Unit of a bare number; without it a bare number is an error.

    Raises
    ------
    InputError
        If the text is not a number with a known unit of that dimension.
    """
    table = _UNITS[dimension]
    allowed = f"a number with a unit: {', '.join(table)}"
    if isinstance(text, int | float) and not isinstance(text, bool):
        value, unit = float(text), None
    else:
        match = _PATTERN.match(str(text))
        if not match:
            raise InputError(field, f"cannot read {text!r} as a {dimension}", allowed)
        value = float(match.group(1))
        unit = match.group(2)
    if unit is None or unit == "":
        if default_unit is None:
            raise InputError(field, f"{text!r} has no unit", allowed)
        unit = default_unit
    key = unit.strip().lower()
    if key not in {k.lower(): k for k in table}:
        raise InputError(field, f"unknown {dimension} unit {unit!r} in {text!r}", allowed)
    factor = {k.lower(): v for k, v in table.items()}[key]
    if not math.isfinite(value):
        raise InputError(field, f"{text!r} is not a finite number", allowed)
    return value * factor


def parse_lat_lon(text: str, *, field: str) -> tuple[float, float]:
    """Parse ``"LAT,LON"`` in degrees (optionally with ``deg``) into radians.

    Raises
    ------
    InputError
        If the text is not two numbers, or latitude is outside [-90, 90] or longitude
        outside [-180, 360].
    """
    parts = [p.strip() for p in str(text).split(",")]
    allowed = "LAT,LON in degrees, latitude in [-90, 90], longitude in [-180, 360]"
    if len(parts) != 2:
        raise InputError(field, f"{text!r} is not LAT,LON", allowed)
    lat = parse_quantity(parts[0], "angle", field=field, default_unit="deg")
    lon = parse_quantity(parts[1], "angle", field=field, default_unit="deg")
    if not -math.pi / 2 - 1e-12 <= lat <= math.pi / 2 + 1e-12:
        raise InputError(field, f"latitude {math.degrees(lat):g} deg is out of range", allowed)
    if not -math.pi - 1e-12 <= lon <= 2 * math.pi + 1e-12:
        raise InputError(field, f"longitude {math.degrees(lon):g} deg is out of range", allowed)
    return lat, lon
