"""Radar detection statistics: required SNR for (Pd, Pfa, N, Swerling case) and Pd for SNR.

All SNRs are **per pulse** (before non-coherent integration of ``N`` pulses), as in
MATLAB's ``albersheim``/``shnidman`` and Richards, *Fundamentals of Radar Signal
Processing*. The detector is the square-law detector with non-coherent integration of ``N``
pulses. Three methods:

- ``"albersheim"``: Albersheim's closed form (non-fluctuating target only; a linear
  detector approximation). Valid to about 0.2 dB for 0.1 <= Pd <= 0.9,
  1e-7 <= Pfa <= 1e-3, 1 <= N <= 8096.
- ``"shnidman"``: Shnidman's approximation for chi-square targets with ``K`` degrees of
  freedom (Swerling 0: K = inf, 1: K = 1, 2: K = N, 3: K = 2, 4: K = 2N); about 1 dB for
  0.1 <= Pd <= 0.99, 1e-9 <= Pfa <= 1e-3, 1 <= N <= 100.
- ``"exact"``: the exact curves. With unit noise power per complex sample, the
  integrated statistic ``Y = sum_i |n_i + a_i|^2`` has threshold ``T`` from
  ``Pfa = Q(N, T)`` (regularised upper incomplete gamma). Non-fluctuating: ``2Y`` is
  non-central chi-square with 2N degrees of freedom and non-centrality ``2 N SNR``
  (Marcum Q). Swerling 1-4 from the moment-generating function
  ``E[e^{-sY}] = (1+s)^{-N} (1 + s N SNR / (K (1+s)))^{-K}`` in closed form:

  - Swerling 1 (K = 1): ``Pd = Q(N-1, T) + e^{-T/b} a^{1-N} P(N-1, a T)``,
    ``b = 1 + N SNR``, ``a = 1 - 1/b``;
  - Swerling 2 (K = N): ``Pd = Q(N, T / (1 + SNR))``;
  - Swerling 3 (K = 2): ``b = 1 + N SNR / 2``, ``Pd = Q(N-2, T) + e^{-T/b} [(1 + T/b)
    a^{2-N} P(N-2, aT) - (N-2)/b a^{1-N} P(N-1, aT)]`` (N >= 3; N = 1, 2 below);
  - Swerling 4 (K = 2N): each pulse is a mixture of Gamma(1, b) (weight 1/b) and
    Gamma(2, b), ``b = 1 + SNR/2``, so ``Pd = sum_j Binom(j; N, 1 - 1/b) Q(N + j, T/b)``.

Here ``P`` and ``Q`` are the regularised lower and upper incomplete gamma functions.
scipy is imported lazily inside the functions (it is slow to import).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hoplon.errors import InfeasibleError, InputError

FloatArray = NDArray[np.float64]
Method = Literal["albersheim", "shnidman", "exact"]
METHODS: tuple[str, ...] = ("albersheim", "shnidman", "exact")
SWERLING_CASES: tuple[int, ...] = (0, 1, 2, 3, 4)


# ----------------------------------------------------------------------------- checks


def _check_probability(value: ArrayLike, field: str) -> FloatArray:
    p = np.asarray(value, dtype=float)
    if not np.all((p > 0.0) & (p < 1.0)):
        raise InputError(
            field, f"{value!r} is not a probability strictly between 0 and 1", "0 < p < 1"
        )
    return p


def _check_pulses(n: int, field: str = "pulses") -> int:
    if isinstance(n, bool) or int(n) != n or int(n) < 1:
        raise InputError(field, f"{n!r} is not a positive whole number of pulses", "N >= 1")
    return int(n)


def _check_swerling(case: int, field: str = "swerling") -> int:
    if isinstance(case, bool) or case not in SWERLING_CASES:
        raise InputError(field, f"unknown Swerling case {case!r}", "0, 1, 2, 3, 4")
    return int(case)


def _check_method(method: str, field: str = "method") -> str:
    if method not in METHODS:
        raise InputError(field, f"unknown detection method {method!r}", ", ".join(METHODS))
    return method


def shnidman_k(swerling: int, n_pulses: int) -> float:
    """Degrees of freedom ``K`` of the chi-square RCS model (inf for Swerling 0)."""
    return {0: math.inf, 1: 1.0, 2: float(n_pulses), 3: 2.0, 4: 2.0 * n_pulses}[swerling]


# ------------------------------------------------------------------------- albersheim


def albersheim_snr_db(pd: ArrayLike, pfa: ArrayLike, n_pulses: int = 1) -> FloatArray:
    """Albersheim's required per-pulse SNR [dB] for a non-fluctuating target.

    ``A = ln(0.62/Pfa)``, ``B = ln(Pd/(1-Pd))``,
    ``SNR_dB = -5 log10 N + (6.2 + 4.54/sqrt(N + 0.44)) log10(A + 0.12 A B + 1.7 B)``.
    """
    pd_ = _check_probability(pd, "pd")
    pfa_ = _check_probability(pfa, "pfa")
    n = _check_pulses(n_pulses)
    A = np.log(0.62 / pfa_)
    B = np.log(pd_ / (1.0 - pd_))
    return -5.0 * np.log10(n) + (6.2 + 4.54 / np.sqrt(n + 0.44)) * np.log10(
        A + 0.12 * A * B + 1.7 * B
    )


def albersheim_pd(snr_db: ArrayLike, pfa: float, n_pulses: int = 1) -> FloatArray:
    """Pd from Albersheim's equation solved for ``B`` (non-fluctuating target).

    ``Z = (SNR_dB + 5 log10 N) / (6.2 + 4.54/sqrt(N + 0.44))``,
    ``B = (10^Z - A) / (1.7 + 0.12 A)``, ``Pd = 1 / (1 + e^{-B})``.
    """
    pfa_ = _check_probability(pfa, "pfa")
    n = _check_pulses(n_pulses)
    s = np.asarray(snr_db, dtype=float)
    A = np.log(0.62 / pfa_)
    Z = (s + 5.0 * np.log10(n)) / (6.2 + 4.54 / np.sqrt(n + 0.44))
    B = (10.0**Z - A) / (1.7 + 0.12 * A)
    return 1.0 / (1.0 + np.exp(-B))


# --------------------------------------------------------------------------- shnidman


def shnidman_snr_db(
    pd: ArrayLike, pfa: ArrayLike, n_pulses: int = 1, swerling: int = 0
) -> FloatArray:
    """Shnidman's required per-pulse SNR [dB] for Swerling 0-4 (MATLAB ``shnidman``).

    ``eta = sqrt(-0.8 ln(4 Pfa (1-Pfa))) + sign(Pd - 0.5) sqrt(-0.8 ln(4 Pd (1-Pd)))``,
    ``X_inf = eta (eta + 2 sqrt(N/2 + alpha - 1/4))`` with ``alpha = 0`` for N < 40 and
    ``1/4`` otherwise; ``C1 = (((17.7006 Pd - 18.4496) Pd + 14.5339) Pd - 3.525)/K``,
    ``C2 = (exp(27.31 Pd - 25.14) + (Pd - 0.8)(0.7 ln(1e-5/Pfa) + (2N - 20)/80))/K``,
    ``C_dB = C1`` (Pd <= 0.872) or ``C1 + C2`` (Pd > 0.872); ``SNR = 10^(C_dB/10) X_inf/N``.
    """
    pd_ = _check_probability(pd, "pd")
    pfa_ = _check_probability(pfa, "pfa")
    n = _check_pulses(n_pulses)
    K = shnidman_k(_check_swerling(swerling), n)
    alpha = 0.0 if n < 40 else 0.25
    eta = np.sqrt(-0.8 * np.log(4.0 * pfa_ * (1.0 - pfa_))) + np.sign(pd_ - 0.5) * np.sqrt(
        -0.8 * np.log(4.0 * pd_ * (1.0 - pd_))
    )
    x_inf = eta * (eta + 2.0 * np.sqrt(n / 2.0 + (alpha - 0.25)))
    if math.isinf(K):
        c_db = np.zeros_like(x_inf)
    else:
        c1 = (((17.7006 * pd_ - 18.4496) * pd_ + 14.5339) * pd_ - 3.525) / K
        c2 = (
            np.exp(27.31 * pd_ - 25.14)
            + (pd_ - 0.8) * (0.7 * np.log(1e-5 / pfa_) + (2.0 * n - 20.0) / 80.0)
        ) / K
        c_db = np.where(pd_ <= 0.872, c1, c1 + c2)
    return c_db + 10.0 * np.log10(x_inf / n)


# ------------------------------------------------------------------------------ exact


def threshold(pfa: ArrayLike, n_pulses: int) -> FloatArray:
    """Detection threshold ``T`` of the sum of ``N`` unit-noise square-law samples.

    Solves ``Pfa = Q(N, T)`` (regularised upper incomplete gamma).
    """
    from scipy.special import gammainccinv

    return gammainccinv(float(n_pulses), np.asarray(pfa, dtype=float))


def _a_pow_P(n: float, a: FloatArray, T: FloatArray, log_pre: FloatArray) -> FloatArray:
    """``exp(log_pre) * a^-n * P(n, a T)`` computed without overflow (n >= 1)."""
    from scipy.special import gammainc, gammaln, hyp1f1

    a = np.clip(a, 1e-300, 1.0)
    with np.errstate(divide="ignore"):
        log_p = np.log(gammainc(n, a * T))
        direct = np.exp(log_pre - n * np.log(a) + log_p)
        # Kummer: a^-n P(n, aT) = T^n e^{-aT} M(1, n+1, aT) / Gamma(n+1)
        kummer = np.exp(
            log_pre + n * np.log(T) - a * T - gammaln(n + 1.0) + np.log(hyp1f1(1.0, n + 1.0, a * T))
        )
    return np.where(np.isfinite(log_p) & (log_p > -600.0), direct, kummer)


def exact_pd(snr_db: ArrayLike, pfa: float, n_pulses: int = 1, swerling: int = 0) -> FloatArray:
    """Exact probability of detection for a per-pulse SNR [dB] (vectorised over SNR).

    See the module docstring for the equations of each Swerling case.
    """
    from scipy.special import gammaincc
    from scipy.stats import binom, ncx2

    pfa_ = float(_check_probability(pfa, "pfa"))
    N = _check_pulses(n_pulses)
    case = _check_swerling(swerling)
    x = 10.0 ** (np.asarray(snr_db, dtype=float) / 10.0)
    T = float(threshold(pfa_, N))
    if case == 0:
        pd = ncx2.sf(2.0 * T, 2 * N, 2.0 * N * x)
    elif case == 2:
        pd = gammaincc(N, T / (1.0 + x))
    elif case == 1:
        b = 1.0 + N * x
        if N == 1:
            pd = np.exp(-T / b)
        else:
            a = 1.0 - 1.0 / b
            pd = gammaincc(N - 1, T) + _a_pow_P(N - 1.0, a, np.full_like(b, T), -T / b)
    elif case == 3:
        b = 1.0 + N * x / 2.0
        if N == 1:
            pd = np.exp(-T / b) * (1.0 + (1.0 - 1.0 / b) * T / b)
        elif N == 2:
            pd = np.exp(-T / b) * (1.0 + T / b)
        else:
            a = 1.0 - 1.0 / b
            Tb = np.full_like(b, T)
            pd = (
                gammaincc(N - 2, T)
                + _a_pow_P(N - 2.0, a, Tb, -T / b + np.log1p(T / b))
                - (N - 2.0) / b * _a_pow_P(N - 1.0, a, Tb, -T / b)
            )
    else:  # Swerling 4: binomial mixture, in chunks of SNR to bound memory for large N
        b = np.atleast_1d(1.0 + x / 2.0)
        j = np.arange(N + 1)
        pd = np.empty(b.shape)
        flat_b, flat_pd = b.reshape(-1), pd.reshape(-1)
        step = max(1, 2_000_000 // (N + 1))
        for k in range(0, flat_b.size, step):
            bk = flat_b[k : k + step, None]
            w = binom.pmf(j, N, 1.0 - 1.0 / bk)
            flat_pd[k : k + step] = np.sum(w * gammaincc(N + j, T / bk), axis=-1)
        pd = pd.reshape(np.shape(x))
    return np.clip(pd, 0.0, 1.0)


# ------------------------------------------------------------------------- dispatchers


def pd_from_snr(
    snr_db: ArrayLike,
    pfa: float,
    n_pulses: int = 1,
    swerling: int = 0,
    method: str = "exact",
) -> FloatArray:
    """Probability of detection for a per-pulse SNR [dB], vectorised over ``snr_db``.

    ``method="albersheim"`` uses the inverted closed form (Swerling 0 only);
    ``"shnidman"`` inverts Shnidman's equation numerically; ``"exact"`` evaluates the exact
    curve.
    """
    _check_method(method)
    case = _check_swerling(swerling)
    if method == "exact":
        return exact_pd(snr_db, pfa, n_pulses, case)
    if method == "albersheim":
        if case != 0:
            raise InputError(
                "swerling",
                "Albersheim's equation is for a non-fluctuating target",
                "swerling 0, or method shnidman/exact",
            )
        return albersheim_pd(snr_db, pfa, n_pulses)
    # Shnidman: invert the monotone SNR(Pd) curve by bisection on Pd (vectorised)
    s = np.asarray(snr_db, dtype=float)
    lo = np.full(s.shape, 1e-6)
    hi = np.full(s.shape, 1.0 - 1e-9)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        above = shnidman_snr_db(mid, pfa, n_pulses, case) <= s
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    return 0.5 * (lo + hi)


def required_snr_db(
    pd: ArrayLike,
    pfa: ArrayLike,
    n_pulses: int = 1,
    swerling: int = 0,
    method: str = "exact",
) -> FloatArray:
    """Per-pulse SNR [dB] needed to reach ``pd`` at ``pfa`` with ``N`` pulses.

    ``"albersheim"`` and ``"shnidman"`` are closed forms; ``"exact"`` solves
    ``exact_pd(SNR) = Pd`` by vectorised bisection on SNR in dB (Pd is monotone in SNR),
    to 1e-10 dB.
    """
    _check_method(method)
    case = _check_swerling(swerling)
    if method == "albersheim":
        if case != 0:
            raise InputError(
                "swerling",
                "Albersheim's equation is for a non-fluctuating target",
                "swerling 0, or method shnidman/exact",
            )
        return albersheim_snr_db(pd, pfa, n_pulses)
    if method == "shnidman":
        return shnidman_snr_db(pd, pfa, n_pulses, case)
    pd_, pfa_ = np.broadcast_arrays(_check_probability(pd, "pd"), _check_probability(pfa, "pfa"))
    out = np.empty(pd_.shape)
    for pfa_value in np.unique(pfa_):
        sel = pfa_ == pfa_value
        if np.any(pd_[sel] <= pfa_value):
            raise _infeasible_pd(float(pd_[sel].min()), float(pfa_value))
        target = pd_[sel]
        lo = np.full(target.shape, -60.0)
        hi = np.full(target.shape, 80.0)
        for _ in range(45):
            mid = 0.5 * (lo + hi)
            ok = exact_pd(mid, float(pfa_value), n_pulses, case) >= target
            hi = np.where(ok, mid, hi)
            lo = np.where(ok, lo, mid)
        out[sel] = 0.5 * (lo + hi)
    return out


def _infeasible_pd(pd: float, pfa: float) -> InfeasibleError:
    """Error for a requested Pd that does not exceed Pfa."""
    return InfeasibleError("pd", f"Pd {pd:g} must exceed Pfa {pfa:g}", "pd > pfa")
