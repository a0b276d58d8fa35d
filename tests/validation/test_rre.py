"""Validation RRE-*: radar range equation against MathWorks examples (REFERENCES.md 8)."""

from __future__ import annotations

import pytest

from hoplon.earth.constants import SPEED_OF_LIGHT_MPS as C
from hoplon.sensors.radar_equation import from_db, max_range, required_peak_power

G20 = from_db(20.0)


def test_RRE_1() -> None:
    r = max_range(from_db(6), 1e6, 10e-6, C / 10e9, G20)
    assert float(r) == pytest.approx(4.1057e4, rel=1e-4)


def test_RRE_2() -> None:
    r = max_range(from_db(6), 1e6, 10e-6, C / 10e9, from_db(40), rcs_m2=0.1, loss=from_db(3))
    assert float(r) == pytest.approx(1.9426e5, rel=1e-4)


def test_RRE_3() -> None:
    p = required_peak_power(50e3, from_db(6), 1e-6, C / 1e9, G20)
    assert float(p) == pytest.approx(2.1996e5, rel=1e-4)


def test_RRE_4() -> None:
    p = required_peak_power(
        50e3,
        from_db(10),
        1e-6,
        C / 10e9,
        from_db(30),
        rcs_m2=0.5,
        noise_temperature_k=300.0,
        loss=from_db(3),
    )
    assert float(p) == pytest.approx(2.2809e6, rel=1e-4)
