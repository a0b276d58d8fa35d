"""Validation HOR-*: radar horizon and line of sight (REFERENCES.md section 9).

HOR-2 and HOR-4 use the effective radius of HOR-1 (MATLAB default refractivity gradient
-39e-9 /m, k = 1.3306), which is what REFERENCES.md calls the 4/3 Earth there; HOR-5 uses
the geometric Earth (k = 1) with R = 6371 km, as the case states.
"""

from __future__ import annotations

import numpy as np
import pytest

from hoplon.earth.horizon import (
    effective_earth_radius,
    horizon_range,
    los_clear,
    max_los_range,
    rule_of_thumb_horizon_range,
)

R = 6371e3


def test_HOR_1() -> None:
    assert float(effective_earth_radius(-39e-9, R)) == pytest.approx(8.4774e6, rel=1e-4)


def test_HOR_2() -> None:
    assert float(horizon_range(30.0, effective_earth_radius())) == pytest.approx(22553.0, rel=1e-4)


def test_HOR_3() -> None:
    assert float(rule_of_thumb_horizon_range(30.0)) == pytest.approx(22.57e3, rel=2e-3)


def test_HOR_4() -> None:
    Re = effective_earth_radius()
    assert float(max_los_range(10.0, 10e3, Re)) == pytest.approx(424.8e3, rel=1e-3)
    # the vectorised LOS test agrees: just inside / outside that geometry
    k = float(Re / R)
    th = (np.arccos(Re / (Re + 10.0)) + np.arccos(Re / (Re + 10e3))) * k
    assert los_clear(10.0, 10e3, th * 0.999, k, R)
    assert not los_clear(10.0, 10e3, th * 1.001, k, R)


def test_HOR_5() -> None:
    assert float(max_los_range(10.0, 100e3, R)) == pytest.approx(1144.5e3, rel=1e-3)
    # the 4/3 model overstates it (REFERENCES.md: ~1315 km)
    assert float(max_los_range(10.0, 100e3, effective_earth_radius())) > 1300e3
