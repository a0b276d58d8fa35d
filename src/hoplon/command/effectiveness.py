r"""Closed-form defence-effectiveness probabilities (independent shots).

These are the elementary formulas of the ballistic-missile-defence literature
(REFERENCES.md section 11, cases ENG-1 ... ENG-9). All functions are pure and broadcast over
their array arguments; ``stages`` (a doctrine's shots per stage) is a tuple of whole numbers.

Symbols
-------
p      single-shot kill probability of one interceptor that works [-]
r      interceptor reliability (it launches and flies as designed) [-]
q      per-shot miss probability, :math:`q = 1 - p r` [-]
n      interceptors per salvo [-]
N      threats (warheads) in the raid [-]
P_dtd  probability that the threat is detected, tracked and discriminated [-]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hoplon.command import _validate
from hoplon.errors import InputError

FloatArray = NDArray[np.float64]


def effective_single_shot(p: ArrayLike, reliability: ArrayLike = 1.0) -> FloatArray:
    r"""Kill probability of one launched interceptor, :math:`p_e = p\,r` [-]."""
    return _validate.probability("p_single_shot", p) * _validate.probability(
        "reliability", reliability
    )


def salvo_kill_probability(
    p: ArrayLike,
    n: ArrayLike,
    *,
    reliability: ArrayLike = 1.0,
    p_detect_track_discriminate: ArrayLike = 1.0,
) -> FloatArray:
    r"""Kill probability of a salvo of ``n`` independent interceptors.

    .. math:: P_k = P_{dtd}\,\bigl[1 - (1 - p\,r)^n\bigr]

    Parameters
    ----------
    p : float or array
        Single-shot kill probability [-].
    n : int or array
        Interceptors in the salvo [-], ``n >= 0``.
    reliability : float or array
        Interceptor reliability ``r`` [-].
    p_detect_track_discriminate : float or array
        ``P_dtd`` [-].
    """
    pe = effective_single_shot(p, reliability)
    n = _validate.count("n", n)
    pdtd = _validate.probability("p_detect_track_discriminate", p_detect_track_discriminate)
    return pdtd * (1.0 - (1.0 - pe) ** n)


def raid_no_leaker_probability(
    p: ArrayLike,
    n: ArrayLike,
    n_threats: ArrayLike,
    *,
    reliability: ArrayLike = 1.0,
    p_detect_track_discriminate: ArrayLike = 1.0,
) -> FloatArray:
    r"""Probability that none of ``N`` threats, each engaged by ``n`` interceptors, leaks.

    .. math:: P(\text{no leaker}) = P_k^N = \bigl(P_{dtd}[1 - (1 - p r)^n]\bigr)^N
    """
    pk = salvo_kill_probability(
        p, n, reliability=reliability, p_detect_track_discriminate=p_detect_track_discriminate
    )
    return pk ** _validate.count("n_threats", n_threats)


def expected_leakers(
    p: ArrayLike,
    n: ArrayLike,
    n_threats: ArrayLike,
    *,
    reliability: ArrayLike = 1.0,
    p_detect_track_discriminate: ArrayLike = 1.0,
) -> FloatArray:
    r"""Expected number of leakers of a raid of ``N`` threats, ``n`` interceptors each.

    .. math:: E[\text{leakers}] = N\,(1 - P_k), \quad \text{with } P_{dtd} = r = 1:\; N (1-p)^n
    """
    pk = salvo_kill_probability(
        p, n, reliability=reliability, p_detect_track_discriminate=p_detect_track_discriminate
    )
    return _validate.count("n_threats", n_threats) * (1.0 - pk)


def staged_engagement(
    p: ArrayLike,
    stages: Sequence[int],
    *,
    reliability: ArrayLike = 1.0,
    p_detect_track_discriminate: ArrayLike = 1.0,
    p_false_kill: ArrayLike = 0.0,
    p_false_miss: ArrayLike = 0.0,
) -> tuple[FloatArray, FloatArray]:
    r"""Kill probability and expected interceptors of a multi-stage shoot-look-shoot.

    Stage ``k`` fires ``n_k`` interceptors at a threat still engaged; between stages a kill
    assessment ("look") decides whether to go on. An imperfect look declares a live threat
    killed with probability ``p_false_kill`` (the threat is dropped and leaks) and a killed
    threat alive with probability ``p_false_miss`` (the next stage is wasted on it).

    With a perfect look the recursion gives the closed forms

    .. math::
        P_k = P_{dtd}\,\bigl[1 - q^{\sum_k n_k}\bigr], \qquad
        E[\text{interceptors}] = P_{dtd} \sum_k n_k\, q^{\sum_{j<k} n_j},

    with :math:`q = 1 - p r`; for two stages :math:`E = n_1 + n_2 q^{n_1}` (ENG-2, ENG-3).
    An undetected threat is never engaged and uses no interceptor. A one-stage doctrine is a
    salvo.

    Returns
    -------
    p_kill : array
        Probability that the threat is killed [-].
    expected_interceptors : array
        Expected interceptors spent on the threat [-].
    """
    stages = [int(s) for s in _validate.count("stages", list(stages)).ravel()]
    if not stages:
        raise InputError("stages", "a doctrine needs at least one stage", ">= 1 stage")
    q = 1.0 - effective_single_shot(p, reliability)
    pdtd = _validate.probability("p_detect_track_discriminate", p_detect_track_discriminate)
    pfk = _validate.probability("p_false_kill", p_false_kill)
    pfm = _validate.probability("p_false_miss", p_false_miss)
    alive = np.ones_like(q)  # alive and still engaged
    dead = np.zeros_like(q)  # killed but still engaged (a false "miss" look)
    dropped_alive = np.zeros_like(q)  # alive, engagement stopped by a false "kill" look
    shots = np.zeros_like(q)
    for k, n_k in enumerate(stages):
        shots = shots + n_k * (alive + dead)
        survive = q**n_k
        killed_now = alive * (1.0 - survive)
        alive = alive * survive
        dead = dead + killed_now
        if k < len(stages) - 1:
            dropped_alive = dropped_alive + alive * pfk
            alive = alive * (1.0 - pfk)
            dead = dead * pfm
    p_leak_engaged = alive + dropped_alive
    return pdtd * (1.0 - p_leak_engaged), pdtd * shots


def sls_kill_probability(p: ArrayLike, first: int, second: int, **factors: ArrayLike) -> FloatArray:
    r"""Kill probability of shoot-look-shoot ``first`` + ``second`` (ideal look: as a salvo of
    ``first + second``), :math:`P_k = 1 - (1-p)^{n_1 + n_2}`."""
    return staged_engagement(p, (first, second), **factors)[0]


def sls_expected_interceptors(
    p: ArrayLike, first: int, second: int, **factors: ArrayLike
) -> FloatArray:
    r"""Expected interceptors of shoot-look-shoot, :math:`n_1 + n_2 (1-p)^{n_1}`."""
    return staged_engagement(p, (first, second), **factors)[1]


def max_threats_engaged(
    inventory: ArrayLike, shots_per_threat: ArrayLike, reserve: ArrayLike = 0
) -> NDArray[np.int64]:
    r"""Threats that an inventory can engage with a fixed salvo size (ENG-5),
    :math:`\lfloor (I - I_{reserve}) / n \rfloor`, never negative."""
    inv = _validate.count("inventory", inventory)
    n = _validate.count("shots_per_threat", shots_per_threat, minimum=1)
    res = _validate.count("reserve", reserve)
    return np.maximum(inv - res, 0) // n
