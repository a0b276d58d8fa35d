"""Statistics of Monte Carlo trials: estimates with confidence intervals.

Proportions (probability of no leaker, asset survival) get the Wilson score interval, which
keeps its coverage near the nominal level even for p near 0 or 1 and small n, where the
normal (Wald) interval collapses to a point. Means (leakers, interceptors, value lost,
timings) get the Student-t interval. Differences between two variants run on the same trial
seeds are paired: proportions by Newcombe's hybrid score interval for paired data (method
10), means by the t interval of the per-trial differences.

References: E. B. Wilson, JASA 22 (1927) 209-212; R. G. Newcombe, Statistics in Medicine 17
(1998) 873-890 (unpaired, method 10) and 2635-2650 (paired, method 10).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats as _st


@dataclass(frozen=True)
class Estimate:
    """A point estimate with a two-sided confidence interval ``[lo, hi]`` from ``n`` trials."""

    value: float
    lo: float
    hi: float
    n: int
    confidence: float = 0.95

    @property
    def ci(self) -> tuple[float, float]:
        return (self.lo, self.hi)

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "ci": [self.lo, self.hi], "n": self.n}


def _z(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        from hoplon.errors import InputError

        raise InputError("confidence", f"{confidence} is not in (0, 1)", "e.g. 0.95")
    return float(_st.norm.ppf(0.5 + confidence / 2.0))


def wilson_interval(
    successes: int | np.ndarray, n: int | np.ndarray, confidence: float = 0.95
) -> tuple[Any, Any]:
    """Wilson score interval of a binomial proportion.

    ``centre = (p + z²/2n) / (1 + z²/n)``, ``half = z/(1 + z²/n) · sqrt(p(1-p)/n + z²/4n²)``
    with ``p = successes/n`` and ``z`` the two-sided normal quantile. Works element-wise on
    arrays; ``n == 0`` gives ``(0, 1)``.
    """
    z = _z(confidence)
    k = np.asarray(successes, dtype=float)
    m = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(m > 0, k / np.where(m > 0, m, 1.0), 0.5)
        mm = np.where(m > 0, m, 1.0)
        denom = 1.0 + z * z / mm
        centre = (p + z * z / (2 * mm)) / denom
        half = z / denom * np.sqrt(p * (1 - p) / mm + z * z / (4 * mm * mm))
    lo = np.where(m > 0, np.clip(centre - half, 0.0, 1.0), 0.0)
    hi = np.where(m > 0, np.clip(centre + half, 0.0, 1.0), 1.0)
    # exact ends: 0 successes -> lo = 0, n successes -> hi = 1 (rounding can miss them)
    lo = np.where(k <= 0, 0.0, lo)
    hi = np.where(k >= m, 1.0, hi)
    if lo.ndim == 0:
        return float(lo), float(hi)
    return lo, hi


def proportion(flags: Any, confidence: float = 0.95) -> Estimate:
    """Proportion of true values in ``flags`` with its Wilson interval."""
    x = np.asarray(flags, dtype=bool)
    n = int(x.size)
    k = int(x.sum())
    lo, hi = wilson_interval(k, n, confidence)
    return Estimate(k / n if n else math.nan, lo, hi, n, confidence)


def mean_interval(values: Any, confidence: float = 0.95) -> Estimate:
    """Mean with the Student-t interval ``x̄ ± t(n-1) · s/√n`` (NaNs dropped).

    One value gives an interval of NaNs; no values give NaN throughout.
    """
    _z(confidence)
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, 0, confidence)
    mean = float(x.mean())
    if n == 1:
        return Estimate(mean, math.nan, math.nan, 1, confidence)
    sem = float(x.std(ddof=1)) / math.sqrt(n)
    t = float(_st.t.ppf(0.5 + confidence / 2.0, n - 1))
    return Estimate(mean, mean - t * sem, mean + t * sem, n, confidence)


def paired_mean_difference(a: Any, b: Any, confidence: float = 0.95) -> Estimate:
    """Mean of the per-trial differences ``a - b`` with its t interval (paired design)."""
    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    if x.shape != y.shape:
        from hoplon.errors import InputError

        raise InputError("paired samples", f"lengths differ ({x.size} and {y.size})")
    return mean_interval(x - y, confidence)


def paired_proportion_difference(a: Any, b: Any, confidence: float = 0.95) -> Estimate:
    """Difference ``p_a - p_b`` of two paired proportions, Newcombe's method 10.

    With the 2x2 counts ``e`` (both true), ``f`` (only a), ``g`` (only b), ``h`` (neither),
    the Wilson limits ``(l1, u1)`` of ``p_a`` and ``(l2, u2)`` of ``p_b`` and the correlation
    ``φ = (eh - fg)/√((e+f)(g+h)(e+g)(f+h))`` (0 when a margin is empty)::

        δ = (f - g)/n
        lo = δ - √((p_a-l1)² - 2φ(p_a-l1)(u2-p_b) + (u2-p_b)²)
        hi = δ + √((u1-p_a)² - 2φ(u1-p_a)(p_b-l2) + (p_b-l2)²)
    """
    x = np.asarray(a, dtype=bool)
    y = np.asarray(b, dtype=bool)
    if x.shape != y.shape:
        from hoplon.errors import InputError

        raise InputError("paired samples", f"lengths differ ({x.size} and {y.size})")
    n = int(x.size)
    if n == 0:
        return Estimate(math.nan, -1.0, 1.0, 0, confidence)
    e = float(np.sum(x & y))
    f = float(np.sum(x & ~y))
    g = float(np.sum(~x & y))
    h = float(np.sum(~x & ~y))
    pa, pb = (e + f) / n, (e + g) / n
    l1, u1 = wilson_interval(e + f, n, confidence)
    l2, u2 = wilson_interval(e + g, n, confidence)
    denom = (e + f) * (g + h) * (e + g) * (f + h)
    phi = (e * h - f * g) / math.sqrt(denom) if denom > 0 else 0.0
    d = (f - g) / n
    dl = (pa - l1) ** 2 - 2 * phi * (pa - l1) * (u2 - pb) + (u2 - pb) ** 2
    du = (u1 - pa) ** 2 - 2 * phi * (u1 - pa) * (pb - l2) + (pb - l2) ** 2
    lo = max(-1.0, d - math.sqrt(max(dl, 0.0)))
    hi = min(1.0, d + math.sqrt(max(du, 0.0)))
    return Estimate(d, lo, hi, n, confidence)


def proportion_difference(k1: int, n1: int, k2: int, n2: int, confidence: float = 0.95) -> Estimate:
    """Difference ``k1/n1 - k2/n2`` of two independent proportions, Newcombe's method 10.

    ``lo = δ - √((p1-l1)² + (u2-p2)²)``, ``hi = δ + √((u1-p1)² + (p2-l2)²)`` with Wilson
    limits ``(l1, u1)``, ``(l2, u2)``.
    """
    if n1 <= 0 or n2 <= 0:
        return Estimate(math.nan, -1.0, 1.0, 0, confidence)
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson_interval(k1, n1, confidence)
    l2, u2 = wilson_interval(k2, n2, confidence)
    d = p1 - p2
    lo = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    hi = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return Estimate(d, max(-1.0, lo), min(1.0, hi), min(n1, n2), confidence)


def bootstrap_interval(
    values: Any,
    statistic: Callable[[np.ndarray], float],
    rng: np.random.Generator,
    n_boot: int = 2000,
    confidence: float = 0.95,
) -> Estimate:
    """Percentile bootstrap interval of ``statistic`` (resampling trials with replacement)."""
    _z(confidence)
    x = np.asarray(values, dtype=float)
    n = int(x.size)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, 0, confidence)
    idx = rng.integers(0, n, size=(n_boot, n))
    boot = np.array([statistic(x[i]) for i in idx])
    alpha = (1.0 - confidence) / 2.0
    lo, hi = np.quantile(boot, [alpha, 1.0 - alpha])
    return Estimate(float(statistic(x)), float(lo), float(hi), n, confidence)


# ----------------------------------------------------------------------------- campaign


def _prefixed(columns: Any, prefix: str, suffix: str = "") -> dict[str, str]:
    out = {}
    for c in columns:
        if c.startswith(prefix) and c.endswith(suffix):
            out[c[len(prefix) : len(c) - len(suffix) if suffix else None]] = c
    return out


def summarize(trials: Any, confidence: float = 0.95) -> dict[str, Any]:
    """Headline statistics of a campaign's trial table (see :mod:`hoplon.analysis.campaign`).

    Returns a JSON-ready dict: ``trials``, ``p_no_leak`` and ``p_no_leak_ci`` (Wilson),
    ``mean_leakers``, ``mean_interceptors``, ``mean_value_lost`` and ``mean_intercepted``
    each with a ``_ci`` (t), ``interceptors_by_battery``, ``interceptors_by_force``,
    ``interceptors_by_type`` (mean and interval each), ``asset_survival`` (proportion and
    Wilson interval per asset) and ``timing`` (mean time of first detection, first
    interceptor launch and first intercept since the scenario epoch, over the trials where
    it happened).
    """
    df = trials
    n = len(df)
    out: dict[str, Any] = {"trials": n, "confidence": confidence}
    if n == 0:
        out.update(p_no_leak=math.nan, p_no_leak_ci=[0.0, 1.0])
        return out
    no_leak = proportion(df["leakers"].to_numpy() == 0, confidence)
    out["p_no_leak"] = no_leak.value
    out["p_no_leak_ci"] = [no_leak.lo, no_leak.hi]
    for key, col in (
        ("mean_leakers", "leakers"),
        ("mean_intercepted", "intercepted"),
        ("mean_interceptors", "interceptors_fired"),
        ("mean_interceptors_on_remote_tracks", "interceptors_remote"),
        ("mean_value_lost", "value_lost"),
    ):
        if col in df:
            est = mean_interval(df[col].to_numpy(), confidence)
            out[key] = est.value
            out[f"{key}_ci"] = [est.lo, est.hi]
    for key, prefix in (
        ("interceptors_by_battery", "interceptors_battery_"),
        ("interceptors_by_force", "interceptors_force_"),
        ("interceptors_by_type", "interceptors_type_"),
    ):
        out[key] = {
            name: _mean_dict(mean_interval(df[col].to_numpy(), confidence))
            for name, col in _prefixed(df.columns, prefix).items()
        }
    out["asset_survival"] = {
        name: _prop_dict(proportion(df[col].to_numpy(dtype=bool), confidence))
        for name, col in _prefixed(df.columns, "asset_", "_survived").items()
    }
    out["timing"] = {
        key: _mean_dict(mean_interval(df[key].to_numpy(dtype=float), confidence))
        for key in ("first_detection_s", "first_launch_s", "first_intercept_s")
        if key in df
    }
    return out


def _mean_dict(est: Estimate) -> dict[str, Any]:
    return {"mean": est.value, "ci": [est.lo, est.hi], "n": est.n}


def _prop_dict(est: Estimate) -> dict[str, Any]:
    return {"p": est.value, "ci": [est.lo, est.hi], "n": est.n}
