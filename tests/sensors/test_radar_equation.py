"""Radar range equation: round trips and consistency of the three forms."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoplon.sensors import radar_equation as rre

pos = st.floats(1e-3, 1e3)


@settings(max_examples=50, deadline=None)
@given(
    p=st.floats(1e2, 1e7),
    tau=st.floats(1e-7, 1e-3),
    g=st.floats(1.0, 1e5),
    lam=st.floats(0.01, 1.0),
    sigma=pos,
    r=st.floats(1e3, 5e6),
)
def test_pulse_form_round_trips(p, tau, g, lam, sigma, r) -> None:
    snr = rre.snr_at_range(r, p, tau, lam, g, rcs_m2=sigma)
    assert float(rre.max_range(snr, p, tau, lam, g, rcs_m2=sigma)) == pytest.approx(r, rel=1e-9)
    assert float(rre.required_peak_power(r, snr, tau, lam, g, rcs_m2=sigma)) == pytest.approx(
        p, rel=1e-9
    )


@settings(max_examples=50, deadline=None)
@given(
    pav=st.floats(1e2, 1e6),
    ae=st.floats(0.1, 1e3),
    ts=st.floats(0.1, 100.0),
    om=st.floats(1e-3, 4 * np.pi),
    r=st.floats(1e3, 5e6),
)
def test_search_form_round_trip(pav, ae, ts, om, r) -> None:
    snr = rre.search_snr(r, pav, ae, ts, om)
    assert float(rre.search_max_range(snr, pav, ae, ts, om)) == pytest.approx(r, rel=1e-9)


def test_reference_form() -> None:
    assert float(rre.reference_snr(1000e3, 100.0, 1000e3)) == pytest.approx(100.0)
    assert float(rre.reference_snr(2000e3, 100.0, 1000e3)) == pytest.approx(100.0 / 16)
    assert float(rre.reference_snr(1000e3, 100.0, 1000e3, 0.1, 1.0)) == pytest.approx(10.0)
    assert float(rre.reference_max_range(100.0 / 16, 100.0, 1000e3)) == pytest.approx(2000e3)


def test_snr_falls_as_r4_and_grows_with_rcs() -> None:
    r = np.array([1e4, 2e4])
    s = rre.snr_at_range(r, 1e6, 1e-6, 0.03, 1e3)
    assert s[0] / s[1] == pytest.approx(16.0)
    assert rre.snr_at_range(1e4, 1e6, 1e-6, 0.03, 1e3, rcs_m2=2.0) == pytest.approx(2 * s[0])


def test_db_round_trip() -> None:
    x = np.array([1e-3, 1.0, 42.0])
    np.testing.assert_allclose(rre.from_db(rre.db(x)), x)
