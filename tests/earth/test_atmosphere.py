"""US Standard Atmosphere 1976: structure, continuity, outside range, table, speed."""

from __future__ import annotations

import numpy as np
import pytest

from hoplon.earth import atmosphere as atm
from hoplon.earth.atmosphere import (
    density,
    log_density_table,
    speed_of_sound,
    upper_species,
    upper_temperature,
    us76,
)


def test_shapes_and_types() -> None:
    s = us76(np.zeros((3, 4)))
    assert all(np.shape(v) == (3, 4) for v in s)
    assert s._fields == ("temperature_k", "pressure_pa", "density_kg_m3", "speed_of_sound_mps")
    assert np.ndim(us76(0.0).density_kg_m3) == 0


def test_sea_level_speed_of_sound() -> None:
    # Report Table I: 340.294 m/s at sea level.
    assert float(speed_of_sound(0.0)) == pytest.approx(340.294, abs=1e-3)


def test_monotonic_and_continuous() -> None:
    z = np.linspace(-5e3, 1e6, 400_001)
    s = us76(z)
    assert np.all(np.diff(s.pressure_pa) < 0)
    assert np.all(np.diff(s.density_kg_m3) < 0)
    # no jumps: neighbouring 2.5 m points differ by < 0.1 % (layer and model boundaries)
    assert np.max(np.abs(np.diff(np.log(s.density_kg_m3)))) < 1e-3
    assert np.max(np.abs(np.diff(s.temperature_k))) < 0.05
    for z0 in (11019.0, 86000.0, 100000.0, 1e6):
        lo, hi = us76(z0 - 1e-3), us76(z0 + 1e-3)
        assert float(hi.pressure_pa / lo.pressure_pa) == pytest.approx(1.0, abs=5e-5)


def test_functions_agree_with_us76() -> None:
    z = np.linspace(-5e3, 1.2e6, 1001)
    s = us76(z)
    np.testing.assert_array_equal(density(z), s.density_kg_m3)
    np.testing.assert_array_equal(speed_of_sound(z), s.speed_of_sound_mps)
    np.testing.assert_allclose(atm.pressure(z), s.pressure_pa)
    np.testing.assert_allclose(atm.temperature(z), s.temperature_k)


def test_upper_temperature_profile() -> None:
    t, dt = upper_temperature(np.array([86e3, 91e3, 110e3, 115e3, 120e3, 1e6, 1e7]))
    np.testing.assert_allclose(t[:5], [186.8673, 186.8673, 240.0, 300.0, 360.0], atol=1e-3)
    assert 999.0 < t[5] < 1000.0 and t[6] == pytest.approx(1000.0, abs=1e-6)
    np.testing.assert_allclose(dt[2:5], [0.012, 0.012, 0.012], rtol=1e-3)


def test_species_at_500km_published() -> None:
    # Report Table VI (number densities, 1/m^3) at 500 km: N2 2.592e11, O 1.836e13,
    # O2 4.607e9, He 3.215e12, H 8.0e10 (values quoted to 4 figures).
    n = upper_species(500e3)
    np.testing.assert_allclose(
        n[[0, 1, 2, 4, 5]], [2.592e11, 1.836e13, 4.607e9, 3.215e12, 8.0e10], rtol=2e-3
    )
    np.testing.assert_allclose(upper_species(86e3)[:5], atm._N7, rtol=1e-12)


def test_outside_range_behaviour() -> None:
    s = us76(np.array([-5e3, -1e4]))
    assert np.all(s.temperature_k > 288.15)  # first layer extrapolated
    hi = us76(np.array([1e6, 1.5e6, 3e6]))
    assert np.all(np.diff(hi.density_kg_m3) < 0) and np.all(hi.density_kg_m3 > 0)
    ratio = float(hi.speed_of_sound_mps[2] / hi.speed_of_sound_mps[0])
    assert ratio == pytest.approx(1.0, abs=1e-3)  # frozen composition, T -> 1000 K


def test_log_density_table() -> None:
    alts, ln_rho = log_density_table(step_m=100.0)
    assert alts[0] == 0.0 and alts[-1] == 1e6 and alts.size == 10001
    z = np.random.default_rng(0).uniform(0, 1e6, 20000)
    approx = np.exp(np.interp(z, alts, ln_rho))
    np.testing.assert_allclose(approx, density(z), rtol=3e-4)  # documented bound
    with pytest.raises(ValueError):
        log_density_table(step_m=0.3e6)


def test_speed_of_a_million_altitudes() -> None:
    import time

    z = np.random.default_rng(1).uniform(0, 1e6, 1_000_000)
    density(z[:10])
    t0 = time.perf_counter()
    density(z)
    assert time.perf_counter() - t0 < 0.5  # ~0.05 s measured; loose for shared CI machines
