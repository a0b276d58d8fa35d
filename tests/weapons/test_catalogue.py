"""The notional catalogue: look-up, sources, and self-consistency with the flyout physics."""

import math
import re
from pathlib import Path

import numpy as np
import pytest

from hoplon.errors import InputError
from hoplon.weapons.catalogue import PUBLIC_SPEED_MPS, get_interceptor, list_interceptors
from hoplon.weapons.flyout import flyout_table, flyout_time, simulate_fan

NAMES = ["area-long-range", "exo-ship", "lower-tier", "upper-tier"]


def test_names_and_unknown_name() -> None:
    assert list_interceptors() == NAMES
    with pytest.raises(InputError) as exc:
        get_interceptor("thaad")
    assert exc.value.field == "interceptor"
    for name in NAMES:
        assert name in str(exc.value)


def test_every_figure_has_a_source_comment() -> None:
    src = Path(__file__).resolve().parents[2] / "src/hoplon/weapons/catalogue.py"
    text = src.read_text()
    body = text[text.index("UPPER_TIER = InterceptorType(") : text.index("PUBLIC_SPEED_MPS")]
    numeric = [ln for ln in body.splitlines() if re.search(r"=\s*-?[0-9.]+", ln)]
    assert numeric
    for line in numeric:
        assert re.search(r"#\s*(public|derived|notional)", line), line


@pytest.mark.parametrize("name", NAMES)
def test_type_is_consistent_with_its_flyout(name: str) -> None:
    it = get_interceptor(name)
    assert it.sources
    tab = flyout_table(it)
    # the declared maximum range is reached at some altitude inside the envelope
    h = np.linspace(it.min_intercept_altitude_m, it.max_intercept_altitude_m, 400)
    T_range = flyout_time(tab, it.max_range_m, h)
    assert np.any(np.isfinite(T_range)), "declared max range is out of kinematic reach"
    assert np.nanmin(T_range) <= it.max_flyout_time_s
    # the declared ceiling is reached at some range inside the envelope
    rho = np.linspace(it.min_range_m, it.max_range_m, 400)
    T_alt = flyout_time(tab, rho, it.max_intercept_altitude_m)
    assert np.any(np.isfinite(T_alt)), "declared ceiling is out of kinematic reach"
    assert np.nanmin(T_alt) <= it.max_flyout_time_s


@pytest.mark.parametrize("name", NAMES)
def test_burnout_speed_near_public_figure(name: str) -> None:
    it = get_interceptor(name)
    fan = simulate_fan(it, [math.radians(45.0)])
    public, _ = PUBLIC_SPEED_MPS[name]
    assert fan.burnout_speed_mps[0] == pytest.approx(public, rel=0.08)
