r"""Weapon-target assignment: which battery fires how many interceptors at which threat.

The problem (:class:`AssignmentProblem`) is given as arrays over ``B`` batteries and ``T``
threats; assigners return an :class:`Assignment`. The objective is the expected protected
value

.. math:: J(n) = \sum_t v_t \Bigl[1 - \prod_b (1 - p_{bt})^{n_{bt}}\Bigr]

(shots independent), subject to usable inventory (less reserve) and launch limits per
battery, fire channels (threats one battery engages at once), shots per engagement and per
threat, and feasibility windows (a pair may be used only where the battery can intercept
the threat in time: ``feasible`` and a finite ``launch_time_s``).

- :class:`Greedy`: repeatedly add the single shot of largest marginal gain
  :math:`v_t S_t p_{bt}` (:math:`S_t` the threat's current survival probability).
- :class:`Optimal`: exact mixed-integer optimisation with ``scipy.optimize.milp`` (HiGHS) by
  outer approximation of the convex survival :math:`S_t = \exp(\sum_b n_{bt} \ln(1-p_{bt}))`:
  tangent cuts :math:`S_t \ge e^{z}(1 + L_t - z)` are added at every log-survival
  :math:`L_t` the solver proposes until the cuts are tight there. Converges in finitely
  many rounds to the optimum, and is never worse than greedy (greedy seeds the cuts).
- :class:`Layered`: upper tier first, then each lower tier against the value that leaks
  through the tiers above (:math:`v_t \prod_{upper} S_t`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hoplon.command import _validate
from hoplon.command.doctrine import Doctrine
from hoplon.errors import InputError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

#: Survival floor used for p = 1 shots in the logarithm [-].
_S_FLOOR = 1e-15


@dataclass(frozen=True)
class AssignmentProblem:
    """A weapon-target assignment problem over ``B`` batteries and ``T`` threats.

    Attributes
    ----------
    p_kill : (B, T) float
        Single-shot kill probability of one interceptor of battery ``b`` at threat ``t``,
        reliability included [-].
    threat_value : (T,) float
        Value protected by killing the threat (e.g. ``ThreatAssessment.threat_value``) [-].
    inventory : (B,) int
        Interceptors on hand.
    feasible : (B, T) bool, optional
        Battery ``b`` can intercept threat ``t`` in time (engagement window).
    launch_time_s : (B, T) float, optional
        Planned launch time of the pair [s]; NaN marks an infeasible pair.
    max_shots_per_pair : int or (B,) int
        Most interceptors one battery fires at one threat (the doctrine's salvo).
    max_shots_per_threat : int or (T,) int, optional
        Most interceptors at one threat over all batteries.
    fire_channels : (B,) int, optional
        Most threats a battery engages at once.
    max_launches : (B,) int, optional
        Most interceptors a battery can launch in the planning window (launch rate).
    reserve : (B,) int
        Interceptors held back per battery (see :class:`~hoplon.command.doctrine.Reserve`).
    tier : (B,) int
        Defence tier of each battery, 0 = upper (engages first).
    """

    p_kill: FloatArray
    threat_value: FloatArray
    inventory: IntArray
    feasible: BoolArray | None = None
    launch_time_s: FloatArray | None = None
    max_shots_per_pair: IntArray | int = 2
    max_shots_per_threat: IntArray | int | None = None
    fire_channels: IntArray | None = None
    max_launches: IntArray | None = None
    reserve: IntArray | int = 0
    tier: IntArray | int = 0

    def __post_init__(self) -> None:
        p = _validate.probability("p_kill", self.p_kill)
        if p.ndim != 2:
            raise InputError("p_kill", f"must be 2-D (batteries, threats), got {p.shape}")
        B, T = p.shape
        set_ = object.__setattr__
        set_(self, "p_kill", p)
        v = _validate.nonnegative("threat_value", self.threat_value)
        _shape("threat_value", v, (T,))
        set_(self, "threat_value", v)
        set_(self, "inventory", _vec_count("inventory", self.inventory, B))
        if self.feasible is not None:
            f = np.asarray(self.feasible, dtype=bool)
            _shape("feasible", f, (B, T))
            set_(self, "feasible", f)
        if self.launch_time_s is not None:
            lt = np.asarray(self.launch_time_s, dtype=np.float64)
            _shape("launch_time_s", lt, (B, T))
            set_(self, "launch_time_s", lt)
        set_(
            self, "max_shots_per_pair", _vec_count("max_shots_per_pair", self.max_shots_per_pair, B)
        )
        if self.max_shots_per_threat is not None:
            set_(
                self,
                "max_shots_per_threat",
                _vec_count("max_shots_per_threat", self.max_shots_per_threat, T),
            )
        if self.fire_channels is not None:
            set_(self, "fire_channels", _vec_count("fire_channels", self.fire_channels, B))
        if self.max_launches is not None:
            set_(self, "max_launches", _vec_count("max_launches", self.max_launches, B))
        set_(self, "reserve", _vec_count("reserve", self.reserve, B))
        set_(self, "tier", _vec_count("tier", self.tier, B))

    @classmethod
    def from_arrays(
        cls,
        *,
        p_kill: FloatArray,
        threat_value: FloatArray,
        inventory: IntArray,
        feasible: BoolArray | None,
        launch_time_s: FloatArray | None,
        max_shots_per_pair: IntArray,
        max_shots_per_threat: IntArray | None,
        reserve: IntArray,
        tier: IntArray,
        fire_channels: IntArray | None = None,
        max_launches: IntArray | None = None,
    ) -> AssignmentProblem:
        """A problem from arrays that already are what the constructor makes of its inputs:
        float64 ``p_kill`` (B, T) in [0, 1], ``launch_time_s`` (B, T), non-negative
        ``threat_value`` (T,); bool ``feasible`` (B, T); int64 per-battery fields (B,) and
        ``max_shots_per_threat`` (T,), every count >= 0. Nothing is checked or copied: for
        hot paths that build the arrays themselves (the engine's command cycle); a problem
        from anything else goes through the constructor, which checks every field."""
        problem = object.__new__(cls)
        set_ = object.__setattr__
        set_(problem, "p_kill", p_kill)
        set_(problem, "threat_value", threat_value)
        set_(problem, "inventory", inventory)
        set_(problem, "feasible", feasible)
        set_(problem, "launch_time_s", launch_time_s)
        set_(problem, "max_shots_per_pair", max_shots_per_pair)
        set_(problem, "max_shots_per_threat", max_shots_per_threat)
        set_(problem, "fire_channels", fire_channels)
        set_(problem, "max_launches", max_launches)
        set_(problem, "reserve", reserve)
        set_(problem, "tier", tier)
        return problem

    @property
    def n_batteries(self) -> int:
        return int(self.p_kill.shape[0])

    @property
    def n_threats(self) -> int:
        return int(self.p_kill.shape[1])

    @property
    def allowed(self) -> BoolArray:
        """(B, T) pairs that may be assigned: feasible, timed and with p > 0."""
        ok = self.p_kill > 0.0
        if self.feasible is not None:
            ok &= self.feasible
        if self.launch_time_s is not None:
            ok &= np.isfinite(self.launch_time_s)
        return ok & (self.threat_value[None, :] > 0.0)

    @property
    def usable(self) -> IntArray:
        """(B,) interceptors each battery may fire: inventory less reserve, launch limits."""
        u = np.maximum(self.inventory - self.reserve, 0)
        if self.max_launches is not None:
            u = np.minimum(u, self.max_launches)
        return u

    @property
    def pair_cap(self) -> IntArray:
        """(B, T) most shots per pair (0 where not allowed)."""
        cap = np.minimum(self.max_shots_per_pair[:, None], self.usable[:, None])
        cap = np.broadcast_to(cap, self.p_kill.shape)
        if self.max_shots_per_threat is not None:
            cap = np.minimum(cap, self.max_shots_per_threat[None, :])
        return np.where(self.allowed, cap, 0).astype(np.int64)

    def with_doctrine(self, doctrine: Doctrine) -> AssignmentProblem:
        """Apply a doctrine: at most its first-stage salvo per pair, its reserve held back.

        Later shoot-look-shoot stages are re-planned after the kill assessment.
        """
        return replace(
            self,
            max_shots_per_pair=np.full(self.n_batteries, doctrine.first_salvo),
            reserve=np.maximum(self.reserve, doctrine.reserve.held(self.inventory)),
        )

    def subproblem(
        self,
        batteries: IntArray,
        threat_value: FloatArray | None = None,
        max_shots_per_threat: IntArray | None = None,
    ) -> AssignmentProblem:
        """The same problem restricted to ``batteries`` (optionally new values / caps)."""
        idx = np.asarray(batteries, dtype=np.int64)

        def take(x: object) -> object:
            return None if x is None else np.asarray(x)[idx]

        return AssignmentProblem(
            p_kill=self.p_kill[idx],
            threat_value=self.threat_value if threat_value is None else threat_value,
            inventory=self.inventory[idx],
            feasible=take(self.feasible),
            launch_time_s=take(self.launch_time_s),
            max_shots_per_pair=self.max_shots_per_pair[idx],
            max_shots_per_threat=(
                self.max_shots_per_threat if max_shots_per_threat is None else max_shots_per_threat
            ),
            fire_channels=take(self.fire_channels),
            max_launches=take(self.max_launches),
            reserve=self.reserve[idx],
            tier=self.tier[idx],
        )


def _shape(field_: str, x: np.ndarray, shape: tuple[int, ...]) -> None:
    if x.shape != shape:
        raise InputError(field_, f"shape {x.shape} does not match the problem", f"shape {shape}")


def _vec_count(field_: str, x: ArrayLike, n: int) -> IntArray:
    c = _validate.count(field_, x)
    if c.ndim == 0:
        return np.full(n, int(c), dtype=np.int64)
    _shape(field_, c, (n,))
    return c


@dataclass(frozen=True)
class Assignment:
    """Shots planned by an assigner, one row per engaged (battery, threat) pair.

    Attributes
    ----------
    battery, threat, n_shots : (m,) int
    planned_time_s : (m,) float
        Planned launch time [s] (NaN where the problem gave none).
    shape : (int, int)
        ``(B, T)`` of the problem.
    objective : float
        Expected protected value :math:`J` [-].
    method : str
    upper_bound : float
        Proven upper bound on :math:`J` (``inf`` when unknown, = objective when optimal).
    solve_time_s : float
    """

    battery: IntArray
    threat: IntArray
    n_shots: IntArray
    planned_time_s: FloatArray
    shape: tuple[int, int]
    objective: float
    method: str
    upper_bound: float = float("inf")
    solve_time_s: float = 0.0
    info: dict[str, object] = field(default_factory=dict, compare=False)

    @property
    def shots(self) -> IntArray:
        """(B, T) matrix of shots."""
        n = np.zeros(self.shape, dtype=np.int64)
        np.add.at(n, (self.battery, self.threat), self.n_shots)
        return n

    def __len__(self) -> int:
        return len(self.battery)

    def rows(self) -> list[tuple[int, int, int, float]]:
        """``(battery, threat, n_shots, planned_time_s)`` tuples."""
        return [
            (int(b), int(t), int(n), float(s))
            for b, t, n, s in zip(
                self.battery, self.threat, self.n_shots, self.planned_time_s, strict=True
            )
        ]

    @staticmethod
    def from_shots(
        problem: AssignmentProblem, shots: IntArray, method: str, **kw: object
    ) -> Assignment:
        b, t = np.nonzero(shots)
        lt = problem.launch_time_s
        times = np.full(len(b), np.nan) if lt is None else lt[b, t]
        return Assignment(
            battery=b.astype(np.int64),
            threat=t.astype(np.int64),
            n_shots=shots[b, t].astype(np.int64),
            planned_time_s=np.asarray(times, dtype=np.float64),
            shape=(problem.n_batteries, problem.n_threats),
            objective=expected_protected_value(problem, shots),
            method=method,
            **kw,  # type: ignore[arg-type]
        )


def survival(problem: AssignmentProblem, shots: ArrayLike) -> FloatArray:
    r"""(T,) survival probability of each threat, :math:`S_t = \prod_b (1-p_{bt})^{n_{bt}}`."""
    n = np.asarray(shots)
    return np.prod((1.0 - problem.p_kill) ** n, axis=0)


def expected_protected_value(problem: AssignmentProblem, shots: ArrayLike) -> float:
    r"""Objective :math:`J = \sum_t v_t (1 - S_t)` of a (B, T) shot matrix."""
    return float(np.sum(problem.threat_value * (1.0 - survival(problem, shots))))


def check_assignment(problem: AssignmentProblem, shots: ArrayLike) -> list[str]:
    """Constraint violations of a (B, T) shot matrix (empty list when feasible)."""
    n = np.asarray(shots, dtype=np.int64)
    bad: list[str] = []
    if n.shape != problem.p_kill.shape:
        return [f"shape {n.shape} != {problem.p_kill.shape}"]
    if np.any(n < 0):
        bad.append("negative shots")
    if np.any(n > problem.pair_cap):
        bad.append("shots on a pair beyond its cap or on an infeasible pair")
    if np.any(n.sum(axis=1) > problem.usable):
        bad.append("battery inventory/launch limit exceeded")
    if problem.max_shots_per_threat is not None and np.any(
        n.sum(axis=0) > problem.max_shots_per_threat
    ):
        bad.append("shots per threat exceeded")
    if problem.fire_channels is not None and np.any((n > 0).sum(axis=1) > problem.fire_channels):
        bad.append("fire channels exceeded")
    return bad


@runtime_checkable
class Assigner(Protocol):
    """Anything that turns an :class:`AssignmentProblem` into an :class:`Assignment`."""

    def assign(self, problem: AssignmentProblem) -> Assignment: ...


def _greedy_shots(problem: AssignmentProblem) -> IntArray:
    """Marginal-gain greedy: repeatedly add the shot of largest gain
    :math:`v_t S_t p_{bt}` (the first in (battery, threat) order among equal gains)."""
    B, T = problem.p_kill.shape
    shots = np.zeros((B, T), dtype=np.int64)
    big = np.iinfo(np.int64).max
    per_threat = (
        np.full(T, big)
        if problem.max_shots_per_threat is None
        else problem.max_shots_per_threat.astype(np.int64)  # a copy
    )
    channels = (
        np.full(B, big) if problem.fire_channels is None else problem.fire_channels.astype(np.int64)
    )
    p = np.ascontiguousarray(problem.p_kill, dtype=np.float64)
    v = np.ascontiguousarray(problem.threat_value, dtype=np.float64)
    cap = np.empty((B, T), dtype=np.int64)
    inv = np.empty(B, dtype=np.int64)
    caps, greedy = _compiled_greedy()
    # (pair caps and usable inventory as the properties ``pair_cap`` and ``usable`` give)
    caps(
        p,
        v,
        np.ones((B, T), dtype=np.bool_) if problem.feasible is None else problem.feasible,
        np.zeros((B, T)) if problem.launch_time_s is None else problem.launch_time_s,
        np.ascontiguousarray(problem.inventory, dtype=np.int64),
        np.ascontiguousarray(problem.reserve, dtype=np.int64),
        np.full(B, big) if problem.max_launches is None else problem.max_launches,
        np.ascontiguousarray(problem.max_shots_per_pair, dtype=np.int64),
        per_threat,
        cap,
        inv,
    )
    greedy(p, v, cap, inv, per_threat, channels, shots)
    return shots


def _caps_kernel(
    p: FloatArray,
    v: FloatArray,
    feasible: BoolArray,
    launch_time_s: FloatArray,
    inventory: IntArray,
    reserve: IntArray,
    max_launches: IntArray,
    max_pair: IntArray,
    per_threat: IntArray,
    cap: IntArray,
    usable: IntArray,
) -> None:  # pragma: no cover - compiled
    """:attr:`AssignmentProblem.pair_cap` into ``cap`` and :attr:`~AssignmentProblem.usable`
    into ``usable`` (integers: the same values)."""
    B, T = p.shape
    for b in range(B):
        u = max(inventory[b] - reserve[b], 0)
        u = min(u, max_launches[b])
        usable[b] = u
        c = min(max_pair[b], u)
        for t in range(T):
            ok = p[b, t] > 0.0 and feasible[b, t] and np.isfinite(launch_time_s[b, t])
            cap[b, t] = min(c, per_threat[t]) if ok and v[t] > 0.0 else 0


_GREEDY_KERNEL = None


def _compiled_greedy():  # type: ignore[no-untyped-def]
    """:func:`_caps_kernel` and :func:`_greedy_kernel` compiled (numba is imported on first
    use: importing ``hoplon.command`` stays light)."""
    global _GREEDY_KERNEL
    if _GREEDY_KERNEL is None:
        import numba

        _GREEDY_KERNEL = (
            numba.njit(cache=True, nogil=True)(_caps_kernel),
            numba.njit(cache=True, nogil=True)(_greedy_kernel),
        )
    return _GREEDY_KERNEL


def _greedy_kernel(
    p: FloatArray,
    v: FloatArray,
    cap: IntArray,
    inv: IntArray,
    per_threat: IntArray,
    channels: IntArray,
    shots: IntArray,
) -> None:  # pragma: no cover - compiled
    """:func:`_greedy_shots` in place on ``shots`` (``inv``, ``per_threat`` and
    ``channels`` are used up)."""
    B, T = p.shape
    S = np.ones(T)
    for _ in range(cap.sum()):
        best = -np.inf
        bb = 0
        tt = 0
        for b in range(B):
            for t in range(T):
                ok = (
                    shots[b, t] < cap[b, t]
                    and inv[b] > 0
                    and per_threat[t] > 0
                    and (shots[b, t] > 0 or channels[b] > 0)
                )
                gain = v[t] * S[t] * p[b, t] if ok else -1.0
                if gain > best:
                    best, bb, tt = gain, b, t
        if best <= 0.0:
            break
        if shots[bb, tt] == 0:
            channels[bb] -= 1
        shots[bb, tt] += 1
        inv[bb] -= 1
        per_threat[tt] -= 1
        S[tt] *= 1.0 - p[bb, tt]


def _greedy_shots_numpy(problem: AssignmentProblem) -> IntArray:
    """The numpy formulation of :func:`_greedy_shots` (kept as the tests' reference)."""
    B, T = problem.p_kill.shape
    shots = np.zeros((B, T), dtype=np.int64)
    cap = problem.pair_cap
    inv = problem.usable.copy()
    per_threat = (
        np.full(T, np.iinfo(np.int64).max)
        if problem.max_shots_per_threat is None
        else problem.max_shots_per_threat.copy()
    )
    channels = (
        np.full(B, np.iinfo(np.int64).max)
        if problem.fire_channels is None
        else problem.fire_channels.copy()
    )
    p = problem.p_kill
    S = np.ones(T)
    for _ in range(int(cap.sum())):
        ok = (shots < cap) & (inv[:, None] > 0) & (per_threat[None, :] > 0)
        ok &= (shots > 0) | (channels[:, None] > 0)
        gain = np.where(ok, problem.threat_value[None, :] * S[None, :] * p, -1.0)
        b, t = np.unravel_index(int(np.argmax(gain)), gain.shape)
        if gain[b, t] <= 0.0:
            break
        if shots[b, t] == 0:
            channels[b] -= 1
        shots[b, t] += 1
        inv[b] -= 1
        per_threat[t] -= 1
        S[t] *= 1.0 - p[b, t]
    return shots


@dataclass(frozen=True)
class Greedy:
    """Marginal-gain greedy assignment, one shot at a time (fast, not always optimal)."""

    def assign(self, problem: AssignmentProblem) -> Assignment:
        t0 = time.perf_counter()
        shots = _greedy_shots(problem)
        return Assignment.from_shots(
            problem, shots, "greedy", solve_time_s=time.perf_counter() - t0
        )

    def shots(self, problem: AssignmentProblem) -> IntArray:
        """The (B, T) shot matrix :meth:`assign` plans, without building the
        :class:`Assignment` (its objective and rows) around it."""
        return _greedy_shots(problem)


@dataclass(frozen=True)
class Optimal:
    """Exact assignment by MILP outer approximation (``scipy.optimize.milp``, HiGHS).

    Attributes
    ----------
    max_rounds : int
        Cut rounds before giving up proving optimality (the best plan found is returned).
    time_limit_s : float
        Wall-clock limit per MILP solve [s].
    rel_gap : float
        Relative optimality gap accepted [-].
    """

    max_rounds: int = 50
    time_limit_s: float = 30.0
    rel_gap: float = 1e-7

    def assign(self, problem: AssignmentProblem) -> Assignment:
        from scipy.optimize import Bounds, LinearConstraint, milp
        from scipy.sparse import coo_array, vstack

        t0 = time.perf_counter()
        greedy = _greedy_shots(problem)
        best_shots, best_J = greedy, expected_protected_value(problem, greedy)
        cap = problem.pair_cap
        bi, ti = np.nonzero(cap)
        m = len(bi)
        v = problem.threat_value
        total_v = float(v.sum())
        if m == 0:
            return Assignment.from_shots(
                problem,
                best_shots,
                "optimal",
                upper_bound=best_J,
                solve_time_s=time.perf_counter() - t0,
            )
        B, T = cap.shape
        threats = np.unique(ti)
        tpos = {int(t): i for i, t in enumerate(threats)}
        nS = len(threats)
        use_y = problem.fire_channels is not None
        # variable layout: n (m, integer) | y (m, binary, when channels) | S (nS, continuous)
        n_off, y_off = 0, m
        s_off = m * (2 if use_y else 1)
        nvar = s_off + nS
        ell = np.log(np.maximum(1.0 - problem.p_kill[bi, ti], _S_FLOOR))
        c = np.zeros(nvar)
        c[s_off:] = v[threats]
        lb = np.zeros(nvar)
        ub = np.concatenate([cap[bi, ti], np.ones(m) if use_y else [], np.ones(nS)])
        integrality = np.concatenate([np.ones(m), np.ones(m) if use_y else [], np.zeros(nS)])
        rows, cols, vals, lo, hi = [], [], [], [], []
        r = 0

        def add(coeffs: list[tuple[NDArray, NDArray]], low: float, high: float) -> None:
            nonlocal r
            for cc, vv in coeffs:
                rows.append(np.full(len(cc), r))
                cols.append(np.asarray(cc))
                vals.append(np.asarray(vv, dtype=float))
            lo.append(low)
            hi.append(high)
            r += 1

        for b in range(B):
            k = np.nonzero(bi == b)[0]
            if len(k):
                add([(n_off + k, np.ones(len(k)))], -np.inf, float(problem.usable[b]))
                if use_y:
                    add([(y_off + k, np.ones(len(k)))], -np.inf, float(problem.fire_channels[b]))
        if use_y:
            for k in range(m):  # n_k <= cap_k * y_k
                add(
                    [(np.array([n_off + k, y_off + k]), np.array([1.0, -cap[bi[k], ti[k]]]))],
                    -np.inf,
                    0.0,
                )
        if problem.max_shots_per_threat is not None:
            for t in threats:
                k = np.nonzero(ti == t)[0]
                add([(n_off + k, np.ones(len(k)))], -np.inf, float(problem.max_shots_per_threat[t]))
        base = (
            coo_array(
                (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                shape=(r, nvar),
            ).tocsr()
            if r
            else None
        )
        base_lo, base_hi = np.array(lo), np.array(hi)

        # tangent cuts: S_t - e^z * sum_k ell_k n_k >= e^z (1 - z)
        cut_rows: list[tuple[int, float]] = []
        seen: set[tuple[int, float]] = set()

        def add_cut(t: int, z: float) -> bool:
            key = (t, round(z, 12))
            if key in seen:
                return False
            seen.add(key)
            cut_rows.append((t, z))
            return True

        z0 = np.log([1.0, 0.5, 0.2, 0.1, 0.03, 0.01, 1e-3, 1e-4, 1e-6])
        L_greedy = (greedy[bi, ti] * ell) if m else np.zeros(0)
        for t in threats:
            for z in z0:
                add_cut(int(t), float(z))
            add_cut(int(t), float(L_greedy[ti == t].sum()))

        def cut_matrix() -> tuple[object, NDArray, NDArray]:
            rr, cc, vv, lo_ = [], [], [], []
            for j, (t, z) in enumerate(cut_rows):
                k = np.nonzero(ti == t)[0]
                ez = np.exp(z)
                rr += [j] * (len(k) + 1)
                cc += [*(n_off + k).tolist(), s_off + tpos[t]]
                vv += [*(-ez * ell[k]).tolist(), 1.0]
                lo_.append(ez * (1.0 - z))
            mat = coo_array((vv, (rr, cc)), shape=(len(cut_rows), nvar)).tocsr()
            return mat, np.array(lo_), np.full(len(cut_rows), np.inf)

        upper = total_v
        status = "max_rounds"
        rounds = 0
        while rounds < self.max_rounds:
            rounds += 1
            cm, clo, chi = cut_matrix()
            A = cm if base is None else vstack([base, cm]).tocsr()
            lo_all = clo if base is None else np.concatenate([base_lo, clo])
            hi_all = chi if base is None else np.concatenate([base_hi, chi])
            res = milp(
                c,
                integrality=integrality,
                bounds=Bounds(lb, ub),
                constraints=LinearConstraint(A, lo_all, hi_all),
                options={"time_limit": self.time_limit_s, "mip_rel_gap": self.rel_gap},
            )
            if res.x is None:
                status = f"milp failed: {res.message}"
                break
            x = res.x
            n = np.round(x[n_off : n_off + m]).astype(np.int64)
            shots = np.zeros((B, T), dtype=np.int64)
            shots[bi, ti] = n
            if not check_assignment(problem, shots):
                J = expected_protected_value(problem, shots)
                if J > best_J:
                    best_J, best_shots = J, shots
            if res.status == 0:
                # the cut model under-estimates the convex survival, so its dual bound on the
                # minimum surviving value is a valid bound for the true problem
                dual = getattr(res, "mip_dual_bound", None)
                lower_cost = float(res.fun if dual is None or not np.isfinite(dual) else dual)
                upper = min(upper, total_v - lower_cost)
            if upper - best_J <= self.rel_gap * max(total_v, 1e-300):
                status = "optimal"
                break
            L = np.zeros(T)
            np.add.at(L, ti, n * ell)
            S_model = x[s_off:]
            new = False
            for t in threats:
                if S_model[tpos[t]] < np.exp(L[t]) * (1.0 - 1e-12) - 1e-15:
                    new |= add_cut(int(t), float(L[t]))
            if not new:
                status = "optimal (cuts tight)" if res.status == 0 else f"stalled: {res.message}"
                break
        return Assignment.from_shots(
            problem,
            best_shots,
            "optimal",
            upper_bound=max(upper, best_J),
            solve_time_s=time.perf_counter() - t0,
            info={
                "status": status,
                "rounds": rounds,
                "cuts": len(cut_rows),
                "greedy_objective": expected_protected_value(problem, greedy),
            },
        )


@dataclass(frozen=True)
class Layered:
    """Layered defence: each tier (0 = upper) plans against what leaks through the tiers above.

    Attributes
    ----------
    inner : Assigner
        Assigner used within each tier (default :class:`Greedy`).
    """

    inner: Assigner = field(default_factory=Greedy)

    def assign(self, problem: AssignmentProblem) -> Assignment:
        t0 = time.perf_counter()
        B, T = problem.p_kill.shape
        shots = np.zeros((B, T), dtype=np.int64)
        S = np.ones(T)
        per_threat = problem.max_shots_per_threat
        for tier in np.unique(problem.tier):
            idx = np.nonzero(problem.tier == tier)[0]
            remaining = None if per_threat is None else per_threat - shots.sum(axis=0)
            sub = problem.subproblem(idx, problem.threat_value * S, remaining)
            a = self.inner.assign(sub)
            sub_shots = a.shots
            shots[idx] = sub_shots
            S = S * survival(sub, sub_shots)
        name = type(self.inner).__name__.lower()
        return Assignment.from_shots(
            problem, shots, f"layered({name})", solve_time_s=time.perf_counter() - t0
        )


def with_values(problem: AssignmentProblem, threat_value: ArrayLike) -> AssignmentProblem:
    """A copy of ``problem`` with new threat values."""
    return replace(problem, threat_value=np.asarray(threat_value, dtype=np.float64))
