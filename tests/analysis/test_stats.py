"""``hoplon.analysis.stats``: intervals, their coverage, paired differences, summaries."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sst

from hoplon.analysis.stats import (
    bootstrap_interval,
    mean_interval,
    paired_mean_difference,
    paired_proportion_difference,
    proportion,
    proportion_difference,
    summarize,
    wilson_interval,
)
from hoplon.errors import InputError


def _coverage(n: int, p: float, confidence: float = 0.95) -> float:
    """Exact coverage of the Wilson interval: sum of P(k) over k whose interval holds p."""
    k = np.arange(n + 1)
    lo, hi = wilson_interval(k, n, confidence)
    inside = (lo <= p) & (p <= hi)
    return float(sst.binom.pmf(k, n, p)[inside].sum())


def test_wilson_known_values() -> None:
    # Wilson (1927) score interval, z = 1.959964: 0/10 -> [0, 0.2775], 5/10 -> [0.2366, 0.7634]
    lo, hi = wilson_interval(0, 10)
    assert lo == 0.0 and hi == pytest.approx(0.2775, abs=1e-4)
    lo, hi = wilson_interval(5, 10)
    assert (lo, hi) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert wilson_interval(10, 10)[1] == 1.0
    assert wilson_interval(0, 0) == (0.0, 1.0)
    lo, hi = wilson_interval(np.array([0, 3, 10]), 10)
    assert lo.shape == (3,) and np.all(lo <= hi)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(5, 500), p=st.floats(0.05, 0.95))
def test_wilson_coverage_pointwise(n: int, p: float) -> None:
    """Brown, Cai & DasGupta (2001): Wilson's coverage stays near nominal away from 0 and 1.

    (The Wald interval fails this badly: its coverage drops to 0.2 here.)
    """
    assert _coverage(n, p) >= 0.89


@settings(max_examples=15, deadline=None)
@given(n=st.integers(5, 300))
def test_wilson_mean_coverage_is_nominal(n: int) -> None:
    ps = np.linspace(0.001, 0.999, 400)
    mean = np.mean([_coverage(n, p) for p in ps])
    assert 0.94 <= mean <= 0.965


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 2000), data=st.data(), conf=st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_wilson_contains_estimate_and_nests(n: int, data: st.DataObject, conf: float) -> None:
    k = data.draw(st.integers(0, n))
    lo, hi = wilson_interval(k, n, conf)
    assert 0.0 <= lo <= k / n <= hi <= 1.0
    lo2, hi2 = wilson_interval(k, n, min(conf + 0.005, 0.999))
    assert lo2 <= lo + 1e-12 and hi2 >= hi - 1e-12


def test_proportion_and_bad_confidence() -> None:
    est = proportion([True, True, False, True])
    assert est.value == 0.75 and est.n == 4 and est.lo < 0.75 < est.hi
    with pytest.raises(InputError, match="confidence"):
        wilson_interval(1, 2, 1.5)


def test_mean_interval_matches_t_and_covers() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(10.0, 2.0, 25)
    est = mean_interval(x)
    lo, hi = sst.t.interval(0.95, 24, loc=x.mean(), scale=sst.sem(x))
    assert (est.lo, est.hi) == pytest.approx((lo, hi))
    # coverage of the true mean over many samples
    hits = sum(
        (e := mean_interval(rng.normal(1.0, 3.0, 12))).lo <= 1.0 <= e.hi for _ in range(3000)
    )
    assert 0.935 <= hits / 3000 <= 0.965
    assert mean_interval([np.nan, 2.0, 4.0]).n == 2
    assert math.isnan(mean_interval([]).value)
    one = mean_interval([5.0])
    assert one.value == 5.0 and math.isnan(one.lo)
    flat = mean_interval([2.0, 2.0, 2.0])
    assert flat.lo == flat.hi == 2.0


def test_newcombe_unpaired_published_example() -> None:
    # Newcombe (1998), Stat. Med. 17:873, example (a): 56/70 - 48/80, method 10
    est = proportion_difference(56, 70, 48, 80)
    assert est.value == pytest.approx(0.2)
    assert (est.lo, est.hi) == pytest.approx((0.0524, 0.3339), abs=1e-4)


def test_paired_proportion_difference() -> None:
    rng = np.random.default_rng(5)
    a = rng.random(200) < 0.7
    same = paired_proportion_difference(a, a)
    assert same.value == 0.0 and same.lo < 0.0 < same.hi
    # positively correlated pairs: the paired interval is narrower than the unpaired one
    b = a.copy()
    flip = rng.random(200) < 0.1
    b[flip] = ~b[flip]
    paired = paired_proportion_difference(a, b)
    unpaired = proportion_difference(int(a.sum()), 200, int(b.sum()), 200)
    assert paired.value == pytest.approx(unpaired.value)
    assert paired.hi - paired.lo < unpaired.hi - unpaired.lo
    assert paired.lo <= paired.value <= paired.hi
    with pytest.raises(InputError, match="lengths differ"):
        paired_proportion_difference(a, b[:10])


@settings(max_examples=50, deadline=None)
@given(
    counts=st.tuples(*[st.integers(0, 40)] * 4).filter(lambda c: sum(c) > 0),
)
def test_paired_interval_is_ordered(counts: tuple[int, int, int, int]) -> None:
    e, f, g, h = counts
    a = np.array([1] * e + [1] * f + [0] * g + [0] * h, dtype=bool)
    b = np.array([1] * e + [0] * f + [1] * g + [0] * h, dtype=bool)
    est = paired_proportion_difference(a, b)
    assert -1.0 <= est.lo <= est.value <= est.hi <= 1.0
    assert est.value == pytest.approx((f - g) / (e + f + g + h))


def test_paired_mean_difference() -> None:
    rng = np.random.default_rng(9)
    common = rng.normal(0, 5, 50)
    a, b = common + 1.0 + rng.normal(0, 0.1, 50), common
    est = paired_mean_difference(a, b)
    assert est.lo < 1.0 < est.hi and est.hi - est.lo < 0.2


def test_bootstrap_interval_contains_mean() -> None:
    rng = np.random.default_rng(1)
    x = rng.exponential(2.0, 80)
    est = bootstrap_interval(x, np.mean, np.random.default_rng(2), n_boot=500)
    assert est.lo < x.mean() < est.hi


def test_summarize() -> None:
    df = pd.DataFrame(
        {
            "trial": range(4),
            "leakers": [0, 1, 0, 2],
            "intercepted": [3, 2, 3, 1],
            "interceptors_fired": [4, 6, 4, 8],
            "interceptors_remote": [0, 1, 0, 0],
            "interceptors_battery_a": [4, 6, 4, 8],
            "interceptors_force_blue": [4, 6, 4, 8],
            "interceptors_type_lower-tier": [4, 6, 4, 8],
            "value_lost": [0.0, 5.0, 0.0, 5.0],
            "asset_base_survived": [True, False, True, False],
            "first_intercept_s": [100.0, np.nan, 110.0, 120.0],
        }
    )
    s = summarize(df)
    assert s["trials"] == 4 and s["p_no_leak"] == 0.5
    assert s["p_no_leak_ci"] == pytest.approx(list(wilson_interval(2, 4)))
    assert s["mean_leakers"] == 0.75 and s["mean_interceptors"] == 5.5
    assert s["interceptors_by_battery"]["a"]["mean"] == 5.5
    assert s["interceptors_by_type"]["lower-tier"]["mean"] == 5.5
    assert s["interceptors_by_force"]["blue"]["mean"] == 5.5
    assert s["asset_survival"]["base"]["p"] == 0.5
    assert s["timing"]["first_intercept_s"]["mean"] == pytest.approx(110.0)
    assert s["timing"]["first_intercept_s"]["n"] == 3
    assert summarize(df.iloc[:0])["trials"] == 0
