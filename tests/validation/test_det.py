"""Validation DET-*: radar detection statistics (REFERENCES.md section 7)."""

from __future__ import annotations

import numpy as np
import pytest

from hoplon.sensors.detection import (
    albersheim_snr_db,
    exact_pd,
    required_snr_db,
    shnidman_snr_db,
)


def test_DET_A1() -> None:
    assert albersheim_snr_db(0.9, 1e-6, 1) == pytest.approx(13.114544494322786, abs=1e-9)


def test_DET_A2() -> None:
    assert albersheim_snr_db(0.5, 1e-6, 1) == pytest.approx(11.231984877880109, abs=1e-9)


@pytest.mark.parametrize(
    ("n", "expected"),
    [(10, 3.556291380845494), (100, -2.514880224697833), (1000, -7.863055239050709)],
)
def test_DET_A3(n: int, expected: float) -> None:
    assert albersheim_snr_db(0.5, 1e-6, n) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    ("pfa", "expected"), [(1e-3, 8.068450388126450), (1e-8, 12.517966524335804)]
)
def test_DET_A4(pfa: float, expected: float) -> None:
    assert albersheim_snr_db(0.5, pfa, 1) == pytest.approx(expected, abs=1e-9)


def test_DET_S1() -> None:
    assert shnidman_snr_db(0.9, 1e-6, 1, 0) == pytest.approx(13.121692696758089, abs=1e-9)


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, 11.171613923710709), (10, 3.745346308014405), (100, -2.633013225970103)],
)
def test_DET_S2(n: int, expected: float) -> None:
    assert shnidman_snr_db(0.5, 1e-6, n, 0) == pytest.approx(expected, abs=1e-9)


def test_DET_S3() -> None:
    assert shnidman_snr_db(0.5, 1e-3, 1, 0) == pytest.approx(8.142386493822812, abs=1e-9)


@pytest.mark.parametrize(("case", "expected"), [(1, 21.346), (2, 21.346), (3, 17.234), (4, 17.234)])
def test_DET_S4(case: int, expected: float) -> None:
    assert shnidman_snr_db(0.9, 1e-6, 1, case) == pytest.approx(expected, abs=1e-3)


@pytest.mark.parametrize(("case", "expected"), [(1, 13.581), (2, 6.158), (3, 9.457), (4, 5.746)])
def test_DET_S5(case: int, expected: float) -> None:
    assert shnidman_snr_db(0.9, 1e-6, 10, case) == pytest.approx(expected, abs=1e-3)


def test_DET_E1() -> None:
    snr = float(required_snr_db(0.9, 1e-6, 1, 0, "exact"))
    assert snr == pytest.approx(13.183490, rel=1e-5)
    assert snr == pytest.approx(13.183490056794499, abs=1e-8)  # sdr docs, full precision


def test_DET_E2() -> None:
    snr = float(required_snr_db(0.9, 1e-6, 1, 1, "exact"))
    assert snr == pytest.approx(21.1436, rel=1e-4)
    closed = 10 * np.log10(np.log(1e-6) / np.log(0.9) - 1.0)
    assert snr == pytest.approx(closed, abs=1e-8)


def test_DET_E3() -> None:
    assert float(required_snr_db(0.9, 1e-6, 1, 3, "exact")) == pytest.approx(17.296, rel=1e-3)
    # the printed closed form, evaluated at the solution, gives Pd = 0.9
    x = 10 ** (float(required_snr_db(0.9, 1e-6, 1, 3, "exact")) / 10)
    lp = np.log(1e-6)
    pd = (1 - 2 * x * lp / (2 + x) ** 2) * np.exp(2 * lp / (2 + x))
    assert pd == pytest.approx(0.9, abs=1e-9)


def test_DET_P1() -> None:
    pd = exact_pd([0.0, 5.0, 10.0], 1e-3, 1, 0)
    np.testing.assert_allclose(pd, [0.01846703, 0.14995286, 0.81029237], atol=1e-6)


@pytest.mark.xfail(
    strict=True,
    reason="finding: the quoted 0.2 dB band does not hold everywhere in it. At Pd 0.1 "
    "Albersheim is 0.4-4.1 dB below the exact square-law curve (Pd 0.1, Pfa 1e-3, N 1: "
    "Albersheim 0.0 dB, exact 4.1 dB, pinned by DET-P1); at Pd 0.9, N 10, Pfa <= 1e-5 it is "
    "0.27-0.28 dB below; for N >= 1000 and Pd >= 0.5 it is up to 0.33 dB above (exact "
    "checked by Monte Carlo at N 1000). Albersheim fits a linear detector; the exact curve "
    "here is the square-law one.",
)
def test_DET_band_albersheim() -> None:
    """Albersheim within 0.2 dB of the exact curve for 0.1<=Pd<=0.9, 1e-7<=Pfa<=1e-3,
    1<=N<=8096 (REFERENCES.md accuracy band)."""
    pd = np.array([0.1, 0.3, 0.5, 0.7, 0.9])
    for pfa in (1e-7, 1e-5, 1e-3):
        for n in (1, 2, 10, 100, 1000, 8096):
            err = albersheim_snr_db(pd, pfa, n) - required_snr_db(pd, pfa, n, 0, "exact")
            assert np.max(np.abs(err)) < 0.2, (pfa, n, err)


@pytest.mark.xfail(
    strict=True,
    reason="finding: Shnidman is 1.045 dB off the exact curve at one corner of its quoted "
    "band: Swerling 1 (= 2 for N 1), Pd 0.1, Pfa 1e-3, N 1 (Shnidman 1.97 dB, exact closed "
    "form Pd = Pfa^(1/(1+SNR)) gives 3.01 dB). Everywhere else sampled it is within 0.65 dB.",
)
def test_DET_band_shnidman() -> None:
    """Shnidman within 1 dB of the exact curves for 0.1<=Pd<=0.99, 1e-9<=Pfa<=1e-3,
    1<=N<=100, Swerling 0-4 (REFERENCES.md accuracy band)."""
    pd = np.array([0.1, 0.2, 0.5, 0.9, 0.99])
    for case in range(5):
        for pfa in (1e-9, 1e-6, 1e-3):
            for n in (1, 3, 10, 100):
                err = shnidman_snr_db(pd, pfa, n, case) - required_snr_db(pd, pfa, n, case)
                assert np.max(np.abs(err)) < 1.0, (case, pfa, n, err)


def test_DET_band_shnidman_core() -> None:
    """The same 1 dB tolerance holds for Pd >= 0.2 over the whole Pfa, N, Swerling band."""
    pd = np.array([0.2, 0.5, 0.9, 0.99])
    for case in range(5):
        for pfa in (1e-9, 1e-6, 1e-3):
            for n in (1, 3, 10, 100):
                err = shnidman_snr_db(pd, pfa, n, case) - required_snr_db(pd, pfa, n, case)
                assert np.max(np.abs(err)) < 1.0, (case, pfa, n, err)
