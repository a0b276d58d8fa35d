"""Firing doctrines (salvo, shoot-look-shoot, reserve) and a Monte Carlo engagement simulator.

A doctrine says how many interceptors go at one threat, in how many stages, and how much
inventory is held back. :func:`simulate_engagements` draws the outcome of many independent
engagements with numpy only; the validation tests compare it with the closed forms of
:mod:`hoplon.command.effectiveness` (ENG-1 ... ENG-9).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hoplon.command import _validate
from hoplon.errors import InputError

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class Reserve:
    """Inventory held back from the current engagement.

    The reserve of a battery holding ``I`` interceptors is ``max(count, ceil(fraction * I))``.

    Attributes
    ----------
    count : int
        Interceptors always kept [-].
    fraction : float
        Fraction of the inventory kept, in [0, 1] [-].
    """

    count: int = 0
    fraction: float = 0.0

    def __post_init__(self) -> None:
        _validate.count("reserve.count", self.count)
        _validate.probability("reserve.fraction", self.fraction)

    def held(self, inventory: ArrayLike) -> IntArray:
        """Interceptors held back out of ``inventory`` (never more than it)."""
        inv = _validate.count("inventory", inventory)
        by_fraction = np.ceil(self.fraction * inv - 1e-9).astype(np.int64)
        return np.minimum(np.maximum(self.count, by_fraction), inv)

    def usable(self, inventory: ArrayLike) -> IntArray:
        """Interceptors that may be fired now: ``inventory - held(inventory)``."""
        inv = _validate.count("inventory", inventory)
        return inv - self.held(inv)


@dataclass(frozen=True)
class Doctrine:
    """A staged firing doctrine: ``stages[k]`` interceptors at stage ``k``.

    Between stages the commander waits for the previous stage's intercept and a kill
    assessment of ``assessment_delay_s`` before firing again at a threat judged alive.

    Attributes
    ----------
    stages : tuple of int
        Interceptors per stage, each >= 1.
    assessment_delay_s : float
        Kill-assessment delay after an intercept [s].
    reserve : Reserve
        Inventory held back.
    """

    stages: tuple[int, ...]
    assessment_delay_s: float = 0.0
    reserve: Reserve = field(default_factory=Reserve)

    def __post_init__(self) -> None:
        if len(self.stages) == 0:
            raise InputError("stages", "a doctrine needs at least one stage", ">= 1 stage")
        _validate.count("stages", list(self.stages), minimum=1)
        _validate.nonnegative("assessment_delay_s", self.assessment_delay_s)
        object.__setattr__(self, "stages", tuple(int(s) for s in self.stages))

    @property
    def max_interceptors(self) -> int:
        """Most interceptors one threat can cost (every stage fired)."""
        return sum(self.stages)

    @property
    def first_salvo(self) -> int:
        """Interceptors committed at the first stage (what an assigner plans)."""
        return self.stages[0]

    def stage_launch_times_s(
        self, first_launch_s: ArrayLike, time_of_flight_s: ArrayLike
    ) -> NDArray[np.float64]:
        r"""Launch time of each stage, shape ``(..., n_stages)``.

        .. math:: t_k = t_0 + k\,(t_{flight} + t_{assess})

        Parameters
        ----------
        first_launch_s : float or array
            Launch time of the first stage [s].
        time_of_flight_s : float or array
            Interceptor time of flight to the intercept point [s].
        """
        t0 = np.asarray(first_launch_s, dtype=np.float64)[..., None]
        tof = _validate.nonnegative("time_of_flight_s", time_of_flight_s)[..., None]
        k = np.arange(len(self.stages), dtype=np.float64)
        return t0 + k * (tof + self.assessment_delay_s)

    def stages_in_time(
        self,
        first_launch_s: ArrayLike,
        time_of_flight_s: ArrayLike,
        latest_intercept_s: ArrayLike,
    ) -> IntArray:
        """How many stages can still intercept before ``latest_intercept_s`` [s]."""
        launches = self.stage_launch_times_s(first_launch_s, time_of_flight_s)
        tof = np.asarray(time_of_flight_s, dtype=np.float64)[..., None]
        ok = launches + tof <= np.asarray(latest_intercept_s, dtype=np.float64)[..., None]
        # stages are sequential: count the leading run of feasible stages
        return np.cumprod(ok, axis=-1).sum(axis=-1).astype(np.int64)


def Salvo(n: int, *, reserve: Reserve | None = None) -> Doctrine:
    """A single salvo of ``n`` interceptors per threat."""
    return Doctrine(stages=(int(n),), reserve=reserve or Reserve())


def ShootLookShoot(
    first: int = 1,
    second: int = 1,
    assessment_delay_s: float = 0.0,
    *,
    reserve: Reserve | None = None,
) -> Doctrine:
    """Shoot ``first``, look (kill assessment after ``assessment_delay_s``), shoot ``second``."""
    return Doctrine(
        stages=(int(first), int(second)),
        assessment_delay_s=assessment_delay_s,
        reserve=reserve or Reserve(),
    )


@dataclass(frozen=True)
class EngagementOutcomes:
    """Outcomes of ``trials`` independent raids of ``n_threats`` threats.

    Attributes
    ----------
    killed : (trials, n_threats) bool
        Threat killed.
    engaged : (trials, n_threats) bool
        Threat had at least one interceptor fired at it.
    interceptors : (trials, n_threats) int
        Interceptors fired at each threat.
    """

    killed: BoolArray
    engaged: BoolArray
    interceptors: IntArray

    @property
    def kills(self) -> IntArray:
        """Threats killed per trial, shape ``(trials,)``."""
        return self.killed.sum(axis=1)

    @property
    def leakers(self) -> IntArray:
        """Threats not killed per trial, shape ``(trials,)``."""
        return (~self.killed).sum(axis=1)

    @property
    def interceptors_used(self) -> IntArray:
        """Interceptors fired per trial, shape ``(trials,)``."""
        return self.interceptors.sum(axis=1)


def simulate_engagements(
    p_single_shot: float,
    doctrine: Doctrine,
    n_threats: int,
    trials: int,
    rng: np.random.Generator,
    *,
    reliability: float = 1.0,
    p_detect_track_discriminate: float = 1.0,
    p_false_kill: float = 0.0,
    p_false_miss: float = 0.0,
    inventory: int | None = None,
) -> EngagementOutcomes:
    """Draw the outcomes of ``trials`` raids of ``n_threats`` threats under ``doctrine``.

    Every threat is detected with probability ``p_detect_track_discriminate``; a detected
    threat gets stage 0 of the doctrine, then, after a look, the next stage if judged alive.
    Each interceptor independently works (``reliability``) and kills (``p_single_shot``).
    The look errs with ``p_false_kill`` (live threat judged killed) and ``p_false_miss``
    (killed threat judged alive). With a finite ``inventory`` (less the doctrine's reserve),
    each stage is fired at threats in index order while whole salvos remain; threats left
    unengaged leak.

    Parameters
    ----------
    p_single_shot : float
        Kill probability of one working interceptor [-].
    doctrine : Doctrine
        Stages and reserve.
    n_threats : int
        Threats per raid.
    trials : int
        Independent raids.
    rng : numpy.random.Generator
        The only source of randomness.
    """
    p = float(_validate.probability("p_single_shot", p_single_shot))
    r = float(_validate.probability("reliability", reliability))
    pdtd = float(_validate.probability("p_detect_track_discriminate", p_detect_track_discriminate))
    pfk = float(_validate.probability("p_false_kill", p_false_kill))
    pfm = float(_validate.probability("p_false_miss", p_false_miss))
    N = int(_validate.count("n_threats", n_threats))
    T = int(_validate.count("trials", trials))
    if not isinstance(rng, np.random.Generator):
        raise InputError("rng", "must be a numpy.random.Generator", "np.random.default_rng(seed)")
    remaining = None
    if inventory is not None:
        usable = int(doctrine.reserve.usable(inventory))
        remaining = np.full(T, usable, dtype=np.int64)

    alive = np.ones((T, N), dtype=bool)
    continuing = rng.random((T, N)) < pdtd
    engaged = np.zeros((T, N), dtype=bool)
    used = np.zeros((T, N), dtype=np.int64)
    for k, n_k in enumerate(doctrine.stages):
        fire = continuing.copy()
        if remaining is not None:
            want = np.where(fire, n_k, 0)
            fire &= np.cumsum(want, axis=1) <= remaining[:, None]
            remaining -= n_k * fire.sum(axis=1)
        if not fire.any():
            break
        engaged |= fire
        used += n_k * fire
        works = rng.random((T, N, n_k)) < r
        hits = rng.random((T, N, n_k)) < p
        killed_now = fire & (works & hits).any(axis=2)
        alive &= ~killed_now
        if k < len(doctrine.stages) - 1:
            u = rng.random((T, N))
            judged_alive = np.where(alive, u >= pfk, u < pfm)
            continuing = fire & judged_alive
    return EngagementOutcomes(killed=~alive, engaged=engaged, interceptors=used)


def standard_error_of_mean(samples: ArrayLike) -> float:
    """Standard error of the sample mean, ``s / sqrt(n)``."""
    x = np.asarray(samples, dtype=np.float64)
    return float(np.std(x, ddof=1) / math.sqrt(x.size))
