"""Interceptor batteries: a frozen spec (site, launchers, inventory, rates) and runtime state.

:class:`BatterySpec` is configuration only. :class:`Battery` holds the mutable state of one
run (rounds loaded per launcher, reserve, when each launcher is ready, the last launch time,
the shot log) and enforces the rules:

- a salvo of ``n`` rounds fired at ``t`` leaves at ``t, t + dt_min, ..., t + (n-1) dt_min``
  with ``dt_min = min_launch_interval_s`` (battery-wide launch rate);
- a round can leave only from a launcher that is loaded and ready;
- a launcher emptied at time ``t`` is reloaded from the reserve (up to
  ``missiles_per_launcher`` rounds) and is ready again at ``t + reload_time_s``; with no
  reserve (or ``reload_time_s = inf``) it stays empty.

``can_fire(t, n)`` says whether a salvo is possible; ``fire(t, n)`` fires it or raises
:class:`~hoplon.errors.InfeasibleError` with the reason; ``earliest_fire_time(t, n)`` is the
first time at or after ``t`` when a salvo of ``n`` could be fired (inf if never).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from hoplon.errors import InfeasibleError, InputError
from hoplon.weapons.interceptor import InterceptorType


@dataclass(frozen=True)
class BatterySpec:
    """Configuration of an interceptor battery (or a ship's interceptor magazine).

    Parameters
    ----------
    name : str
        Unique name in the scenario.
    owner : str
        Partner (nation) that owns and commands the battery.
    lat_rad, lon_rad, alt_m : float
        Geodetic site of the launchers (WGS84) [rad, rad, m].
    interceptor : str
        Interceptor type name (catalogue name or a scenario-defined type).
    launchers : int
        Number of launchers (>= 1).
    missiles_per_launcher : int
        Rounds loaded on each launcher at the start (>= 0).
    reserve_missiles : int
        Rounds in reserve for reloads (>= 0).
    min_launch_interval_s : float
        Least time between two launches of the battery [s] (>= 0).
    reload_time_s : float
        Time to reload an emptied launcher from the reserve [s] (> 0; inf = no reload).
    fire_control_sensor : str or None
        Name of the sensor that provides fire-control quality tracks to this battery.
    engage_on_remote : bool
        Whether the battery may launch on a track from another sensor or partner (cueing
        and launch on remote) when its own fire-control sensor has no track.
    """

    name: str
    owner: str
    lat_rad: float
    lon_rad: float
    alt_m: float
    interceptor: str
    launchers: int
    missiles_per_launcher: int
    reserve_missiles: int = 0
    min_launch_interval_s: float = 0.0
    reload_time_s: float = math.inf
    fire_control_sensor: str | None = None
    engage_on_remote: bool = False

    def __post_init__(self) -> None:
        for fname in ("name", "owner", "interceptor"):
            v = getattr(self, fname)
            if not isinstance(v, str) or not v:
                raise InputError(fname, "must be a non-empty string")
        if not (math.isfinite(self.lat_rad) and abs(self.lat_rad) <= math.pi / 2):
            raise InputError("lat_rad", f"must lie in [-pi/2, pi/2], got {self.lat_rad}")
        if not math.isfinite(self.lon_rad):
            raise InputError("lon_rad", f"must be finite, got {self.lon_rad}")
        if not math.isfinite(self.alt_m):
            raise InputError("alt_m", f"must be finite, got {self.alt_m}")
        for fname, least in (
            ("launchers", 1),
            ("missiles_per_launcher", 0),
            ("reserve_missiles", 0),
        ):
            v = getattr(self, fname)
            if isinstance(v, bool) or int(v) != v or v < least:
                raise InputError(fname, f"must be an integer >= {least}, got {v}", f">= {least}")
            object.__setattr__(self, fname, int(v))
        if not (math.isfinite(self.min_launch_interval_s) and self.min_launch_interval_s >= 0):
            raise InputError(
                "min_launch_interval_s", f"must be >= 0, got {self.min_launch_interval_s}", ">= 0 s"
            )
        if math.isnan(self.reload_time_s) or self.reload_time_s <= 0:
            raise InputError(
                "reload_time_s", f"must be > 0, got {self.reload_time_s}", "> 0 s, inf for none"
            )

    @property
    def inventory(self) -> int:
        """Total rounds: loaded plus reserve."""
        return self.launchers * self.missiles_per_launcher + self.reserve_missiles

    def site_ecef(self) -> np.ndarray:
        """Site position (3,) in ECEF WGS84 [m]."""
        from hoplon.earth.frames import geodetic_to_ecef

        return geodetic_to_ecef(self.lat_rad, self.lon_rad, self.alt_m)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of the spec (``BatterySpec(**d)`` inverts it)."""
        return asdict(self)


@dataclass(frozen=True)
class Shot:
    """One interceptor launch: time [s], launcher index, target id (or None), salvo id."""

    t_s: float
    launcher: int
    target: int | None
    salvo: int


@dataclass
class Battery:
    """Runtime state of a battery in one run (build a fresh one per Monte Carlo trial).

    Attributes
    ----------
    spec : BatterySpec
    interceptor : InterceptorType
        The resolved type (its name must equal ``spec.interceptor``).
    loaded : (launchers,) int
        Rounds on each launcher.
    ready_s : (launchers,) float
        Time from which each launcher can fire (reload finished) [s].
    reserve : int
        Rounds left in reserve.
    last_launch_s : float
        Time of the latest launch [s] (-inf before any).
    shots : list of Shot
        Launch log.
    """

    spec: BatterySpec
    interceptor: InterceptorType
    loaded: np.ndarray = field(init=False)
    ready_s: np.ndarray = field(init=False)
    reserve: int = field(init=False)
    last_launch_s: float = field(init=False, default=-math.inf)
    shots: list[Shot] = field(init=False, default_factory=list)
    _salvos: int = field(init=False, default=0, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.interceptor, InterceptorType):
            raise InputError("interceptor", "must be an InterceptorType")
        if self.interceptor.name != self.spec.interceptor:
            raise InputError(
                "interceptor",
                f"type {self.interceptor.name!r} does not match the spec's "
                f"{self.spec.interceptor!r}",
            )
        self.reset()

    @classmethod
    def from_spec(
        cls, spec: BatterySpec, types: dict[str, InterceptorType] | None = None
    ) -> Battery:
        """Resolve the interceptor type from ``types`` (or the catalogue) and build the state."""
        if types is not None and spec.interceptor in types:
            itype = types[spec.interceptor]
        else:
            from hoplon.weapons.catalogue import get_interceptor

            itype = get_interceptor(spec.interceptor)
        return cls(spec, itype)

    def reset(self) -> None:
        """Back to the initial loadout (start of a trial)."""
        n = self.spec.launchers
        self.loaded = np.full(n, self.spec.missiles_per_launcher, dtype=np.int64)
        self.ready_s = np.full(n, -math.inf)
        self.reserve = self.spec.reserve_missiles
        self.last_launch_s = -math.inf
        self.shots = []
        self._salvos = 0

    # -- queries ------------------------------------------------------------------------------

    @property
    def name(self) -> str:
        """The battery's name."""
        return self.spec.name

    @property
    def rounds_left(self) -> int:
        """Rounds loaded plus reserve."""
        return int(self.loaded.sum()) + self.reserve

    @property
    def next_launch_s(self) -> float:
        """Earliest time the launch-rate limit allows the next launch [s]."""
        return self.last_launch_s + self.spec.min_launch_interval_s

    def salvo_times(self, t_s: float, n: int = 1) -> np.ndarray:
        """Launch times ``t, t + dt_min, ...`` of a salvo of ``n`` fired at ``t`` [s]."""
        return t_s + self.spec.min_launch_interval_s * np.arange(n)

    def _plan(self, t_s: float, n: int) -> tuple[list[int], str]:
        """Launchers for a salvo of n at t (without reloads during the salvo), or a reason."""
        if n < 1 or int(n) != n:
            return [], f"salvo size must be an integer >= 1, got {n}"
        if not math.isfinite(t_s):
            return [], f"fire time must be finite, got {t_s}"
        if t_s < self.next_launch_s - 1e-9:
            return [], (
                f"launch rate: next launch possible at {self.next_launch_s:.3f} s, "
                f"asked at {t_s:.3f} s"
            )
        ready = np.where(self.ready_s <= t_s + 1e-9, self.loaded, 0)
        if int(ready.sum()) < n:
            return [], (
                f"not enough ready rounds at {t_s:.3f} s: {int(ready.sum())} ready, "
                f"{self.rounds_left} left in all, asked for {n}"
            )
        picks: list[int] = []
        left = ready.copy()
        while len(picks) < n:  # take from the fullest ready launcher first
            i = int(np.argmax(left))
            picks.append(i)
            left[i] -= 1
        return picks, ""

    def can_fire(self, t_s: float, n: int = 1) -> bool:
        """Whether a salvo of ``n`` can be fired at ``t_s`` (inventory, readiness, rate)."""
        return not self._plan(t_s, n)[1]

    def earliest_fire_time(self, t_s: float, n: int = 1) -> float:
        """First time at or after ``t_s`` a salvo of ``n`` can be fired [s] (inf: never)."""
        if n > self.rounds_left:
            return math.inf
        candidates = sorted(
            {max(t_s, self.next_launch_s)}
            | {float(r) for r in self.ready_s if math.isfinite(r) and r > t_s}
        )
        for c in candidates:
            if c >= self.next_launch_s - 1e-9 and self.can_fire(c, n):
                return c
        return math.inf

    # -- actions ------------------------------------------------------------------------------

    def fire(self, t_s: float, n: int = 1, target: int | None = None) -> np.ndarray:
        """Fire a salvo of ``n`` at ``t_s``; returns the ``n`` launch times [s].

        Raises
        ------
        InfeasibleError
            Not enough ready rounds, or the launch-rate limit (the message says which).
        """
        picks, reason = self._plan(t_s, n)
        if reason:
            raise InfeasibleError(f"battery {self.spec.name}", reason)
        times = self.salvo_times(t_s, n)
        for i, tl in zip(picks, times, strict=True):
            self.loaded[i] -= 1
            self.shots.append(Shot(float(tl), i, target, self._salvos))
            if self.loaded[i] == 0:
                self._start_reload(i, float(tl))
        self._salvos += 1
        self.last_launch_s = float(times[-1])
        return times

    def _start_reload(self, i: int, t_s: float) -> None:
        """Launcher ``i`` emptied at ``t_s``: reload from the reserve, or stay empty."""
        k = min(self.spec.missiles_per_launcher, self.reserve)
        if k <= 0 or not math.isfinite(self.spec.reload_time_s):
            self.ready_s[i] = math.inf
            return
        self.reserve -= k
        self.loaded[i] = k
        self.ready_s[i] = t_s + self.spec.reload_time_s
