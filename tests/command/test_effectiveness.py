"""Closed-form effectiveness functions: algebra, broadcasting, factors and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hoplon.command.effectiveness import (
    expected_leakers,
    max_threats_engaged,
    raid_no_leaker_probability,
    salvo_kill_probability,
    staged_engagement,
)
from hoplon.errors import InputError

probs = st.floats(0.0, 1.0)


def test_broadcasts_over_p_and_n() -> None:
    p = np.array([0.2, 0.5, 0.9])[:, None]
    n = np.array([1, 2, 3])[None, :]
    pk = salvo_kill_probability(p, n)
    assert pk.shape == (3, 3)
    np.testing.assert_allclose(pk, 1 - (1 - p) ** n, rtol=0, atol=1e-15)


def test_reliability_and_dtd_factors() -> None:
    # p multiplied by reliability, P_k by P(detect, track, discriminate)
    pk = salvo_kill_probability(0.8, 2, reliability=0.9, p_detect_track_discriminate=0.95)
    assert pk == pytest.approx(0.95 * (1 - (1 - 0.72) ** 2), abs=1e-15)
    el = expected_leakers(0.8, 2, 10, reliability=0.9, p_detect_track_discriminate=0.95)
    assert el == pytest.approx(10 * (1 - pk), abs=1e-13)


@given(p=probs, n1=st.integers(1, 5), n2=st.integers(0, 5))
def test_ideal_sls_equals_salvo_of_total(p: float, n1: int, n2: int) -> None:
    pk, en = staged_engagement(p, (n1, n2))
    assert pk == pytest.approx(salvo_kill_probability(p, n1 + n2), abs=1e-12)
    assert en == pytest.approx(n1 + n2 * (1 - p) ** n1, abs=1e-12)


def test_three_stage_expected_interceptors() -> None:
    p = 0.6
    pk, en = staged_engagement(p, (1, 2, 1))
    q = 1 - p
    assert en == pytest.approx(1 + 2 * q + 1 * q**3, abs=1e-14)
    assert pk == pytest.approx(1 - q**4, abs=1e-14)


def test_false_kill_assessment_reduces_kill_probability() -> None:
    p = 0.7
    pk, en = staged_engagement(p, (1, 1), p_false_kill=0.2, p_false_miss=0.1)
    q = 1 - p
    # leak: miss then (dropped, or re-engaged and missed)
    assert pk == pytest.approx(1 - (q * 0.2 + q * 0.8 * q), abs=1e-14)
    # second shot fired at live threats judged alive and killed ones judged alive
    assert en == pytest.approx(1 + q * 0.8 + p * 0.1, abs=1e-14)


@given(p=probs, n=st.integers(0, 6), N=st.integers(0, 20))
def test_no_leaker_is_pk_to_the_n(p: float, n: int, N: int) -> None:
    pk = salvo_kill_probability(p, n)
    assert raid_no_leaker_probability(p, n, N) == pytest.approx(pk**N, abs=1e-12)
    assert 0.0 <= raid_no_leaker_probability(p, n, N) <= 1.0


def test_max_threats_engaged_with_reserve() -> None:
    assert int(max_threats_engaged(44, 4)) == 11
    assert int(max_threats_engaged(44, 4, reserve=4)) == 10
    assert int(max_threats_engaged(3, 4, reserve=4)) == 0


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: salvo_kill_probability(1.2, 2), "p_single_shot"),
        (lambda: salvo_kill_probability(-0.1, 2), "p_single_shot"),
        (lambda: salvo_kill_probability(0.5, -1), "n"),
        (lambda: salvo_kill_probability(0.5, 1.5), "n"),
        (lambda: salvo_kill_probability(0.5, 2, reliability=2.0), "reliability"),
        (lambda: raid_no_leaker_probability(0.5, 2, -3), "n_threats"),
        (lambda: max_threats_engaged(-1, 4), "inventory"),
        (lambda: max_threats_engaged(10, 0), "shots_per_threat"),
        (lambda: staged_engagement(0.5, ()), "stages"),
        (lambda: staged_engagement(0.5, (1, 1), p_false_kill=np.nan), "p_false_kill"),
    ],
)
def test_bad_input_names_field(call, field: str) -> None:
    with pytest.raises(InputError) as err:
        call()
    assert err.value.field == field


def test_package_exports_resolve_and_import_is_lean() -> None:
    import subprocess
    import sys

    import hoplon.command as command

    for name in command.__all__:
        assert getattr(command, name) is not None
    code = (
        "import sys, hoplon.command, hoplon.command.assignment, hoplon.command.network;"
        "print('scipy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
