"""U.S. Standard Atmosphere 1976 against published values (REFERENCES.md section 5).

Sources: poliastro coesa76 documentation (COESA 1976 tables) and NCL ``stdatmus_z2tdp``.
Relative tolerances per case as given in REFERENCES.md; pressures there are in hPa.
"""

from __future__ import annotations

import pytest

from hoplon.earth.atmosphere import us76

HPA = 100.0


def _check(z_m: float, t_k: float, p_hpa: float, rho: float, tol: float) -> None:
    s = us76(z_m)
    assert float(s.temperature_k) == pytest.approx(t_k, rel=tol)
    assert float(s.pressure_pa) == pytest.approx(p_hpa * HPA, rel=tol)
    assert float(s.density_kg_m3) == pytest.approx(rho, rel=tol)


def test_ATM_0() -> None:
    _check(0.0, 288.150, 1013.25, 1.2250, 1e-4)


def test_ATM_100m() -> None:
    _check(100.0, 287.50, 1001.29, 1.21328, 1e-4)


def test_ATM_11() -> None:
    _check(11019.0, 216.650, 226.32, 3.6392e-1, 5e-4)


def test_ATM_20() -> None:
    _check(20063.0, 216.650, 54.748, 8.8035e-2, 5e-4)


def test_ATM_32() -> None:
    _check(32162.0, 228.650, 8.6801, 1.3225e-2, 5e-4)


def test_ATM_47() -> None:
    _check(47350.0, 270.650, 1.1090, 1.4275e-3, 1e-3)


def test_ATM_51() -> None:
    _check(51413.0, 270.650, 0.66938, 8.6160e-4, 1e-3)


def test_ATM_71() -> None:
    _check(71802.0, 214.650, 3.9564e-2, 6.4211e-5, 1e-3)


def test_ATM_86() -> None:
    # Kinetic temperature (the molecular-scale temperature there is 186.946 K).
    _check(86000.0, 186.87, 3.7338e-3, 6.958e-6, 5e-3)


def test_ATM_110() -> None:
    _check(110000.0, 240.00, 7.1042e-5, 9.708e-8, 1e-2)


def test_ATM_120() -> None:
    _check(120000.0, 360.00, 2.5382e-5, 2.222e-8, 1e-2)


def test_ATM_500() -> None:
    _check(500000.0, 999.24, 3.0236e-9, 5.215e-13, 2e-2)
