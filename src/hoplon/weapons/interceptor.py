"""Interceptor type specification: boost stages, body, engagement envelope, kill figures.

An :class:`InterceptorType` is a frozen, validated *spec* (configuration only; constructing
it never simulates). Its flyout is simulated and tabulated once by
:func:`hoplon.weapons.flyout.flyout_table`. Every physical figure is SI: metres, seconds,
kilograms, radians.

Boost model
-----------
Each :class:`Stage` burns ``propellant_mass_kg`` at constant mass flow over ``burn_time_s``
with specific impulse ``isp_s`` (thrust ``F = Isp g0 mdot``); its inert mass is jettisoned at
burnout unless ``jettison`` is False. The ideal (vacuum, gravity-free) velocity gain is the
rocket equation ``dv = Isp g0 ln(m0 / m1)`` per stage. After the last stage the remaining body
(the kill vehicle, plus any stage kept) coasts with ballistic coefficient
``ballistic_coefficient_kg_m2 = m / (Cd A)``; the same Cd A is used during boost, so that the
drag deceleration is ``rho v^2 Cd A / (2 m(t))`` at every instant.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from hoplon.earth.constants import G0_MPS2
from hoplon.errors import InputError

KillMechanism = Literal["hit-to-kill", "blast-fragmentation"]
Regime = Literal["endo", "exo", "endo-exo"]
KILL_MECHANISMS = ("hit-to-kill", "blast-fragmentation")
REGIMES = ("endo", "exo", "endo-exo")


def _positive(name: str, value: float, *, allow_zero: bool = False, where: str = "") -> None:
    ok = math.isfinite(value) and (value >= 0 if allow_zero else value > 0)
    if not ok:
        allowed = ">= 0" if allow_zero else "> 0"
        raise InputError(
            f"{where}{name}", f"must be a finite number {allowed}, got {value}", allowed
        )


def _probability(name: str, value: float, where: str = "") -> None:
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        raise InputError(f"{where}{name}", f"must lie in [0, 1], got {value}", "[0, 1]")


@dataclass(frozen=True)
class Stage:
    """One solid-rocket stage of an interceptor.

    Parameters
    ----------
    propellant_mass_kg : float
        Propellant burnt [kg].
    inert_mass_kg : float
        Case, nozzle and structure of the stage [kg] (jettisoned at burnout when
        ``jettison``).
    burn_time_s : float
        Burn duration [s]; mass flow ``mdot = propellant / burn_time``.
    isp_s : float
        Specific impulse [s]; thrust ``F = isp g0 mdot`` [N].
    coast_after_s : float
        Unpowered gap after this stage's burnout before the next stage ignites [s].
    jettison : bool
        Drop the inert mass at burnout (False: the stage stays with the body).
    """

    propellant_mass_kg: float
    inert_mass_kg: float
    burn_time_s: float
    isp_s: float
    coast_after_s: float = 0.0
    jettison: bool = True

    def __post_init__(self) -> None:
        _positive("propellant_mass_kg", self.propellant_mass_kg, where="stage.")
        _positive("inert_mass_kg", self.inert_mass_kg, allow_zero=True, where="stage.")
        _positive("burn_time_s", self.burn_time_s, where="stage.")
        _positive("isp_s", self.isp_s, where="stage.")
        _positive("coast_after_s", self.coast_after_s, allow_zero=True, where="stage.")

    @property
    def mdot_kg_s(self) -> float:
        """Mass flow [kg/s]."""
        return self.propellant_mass_kg / self.burn_time_s

    @property
    def thrust_n(self) -> float:
        """Thrust ``F = Isp g0 mdot`` [N]."""
        return self.isp_s * G0_MPS2 * self.mdot_kg_s


@dataclass(frozen=True)
class Envelope:
    """Engagement envelope of an interceptor type (plain floats, SI).

    An intercept point is inside when ``min_altitude_m <= h <= max_altitude_m``,
    ``min_range_m <= rho <= max_range_m`` (ground range from the launcher) and the flyout
    time is at most ``max_flyout_time_s``.
    """

    min_altitude_m: float
    max_altitude_m: float
    min_range_m: float
    max_range_m: float
    max_flyout_time_s: float


@dataclass(frozen=True)
class InterceptorType:
    """Specification of a notional interceptor type.

    Parameters
    ----------
    name : str
        Catalogue name (e.g. ``"upper-tier"``).
    stages : tuple of Stage
        Boost stages, first to last.
    payload_mass_kg : float
        Mass that remains after all jettisoned stages (kill vehicle, shroud ...) [kg].
    ballistic_coefficient_kg_m2 : float
        ``m / (Cd A)`` of the final (coasting) body [kg/m^2]; ``inf`` for no drag.
    min_intercept_altitude_m, max_intercept_altitude_m : float
        Intercept altitude limits [m] (above the launcher's altitude for the flyout table,
        above the ellipsoid for the envelope test).
    min_range_m, max_range_m : float
        Ground-range limits of the intercept point from the launcher [m].
    max_flyout_time_s : float
        Longest time of flight to intercept (end of guided flight) [s].
    p_kill : float
        Single-shot kill probability given a reliable interceptor [-].
    reliability : float
        Probability that the interceptor launches and flies as designed [-].
    reaction_time_s : float
        Delay from the fire decision to launch [s].
    kill_mechanism : {"hit-to-kill", "blast-fragmentation"}
    regime : {"endo", "exo", "endo-exo"}
        Where it intercepts: inside, outside or on both sides of the sensible atmosphere.
    divert_delta_v_mps : float or None
        Divert capability of the kill vehicle [m/s] (informative; not yet used).
    vertical_rise_s : float
        Vertical flight after launch before the pitch-over [s].
    pitch_rate_rad_s : float
        Pitch-over rate of the flyout programme [rad/s].
    min_launch_elevation_rad : float
        Flattest elevation of the flyout fan [rad].
    description : str
        One line for people.
    sources : tuple of str
        Public sources of the figures (each figure's source is also commented where the
        type is defined).
    """

    name: str
    stages: tuple[Stage, ...]
    payload_mass_kg: float
    ballistic_coefficient_kg_m2: float
    min_intercept_altitude_m: float
    max_intercept_altitude_m: float
    min_range_m: float
    max_range_m: float
    max_flyout_time_s: float
    p_kill: float
    reliability: float = 1.0
    reaction_time_s: float = 0.0
    kill_mechanism: KillMechanism = "hit-to-kill"
    regime: Regime = "endo-exo"
    divert_delta_v_mps: float | None = None
    vertical_rise_s: float = 1.0
    pitch_rate_rad_s: float = math.radians(20.0)
    min_launch_elevation_rad: float = math.radians(5.0)
    description: str = ""
    sources: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InputError("name", "must be a non-empty string")
        stages = tuple(self.stages)
        if not stages:
            raise InputError("stages", "must hold at least one stage")
        for s in stages:
            if not isinstance(s, Stage):
                raise InputError("stages", f"each entry must be a Stage, got {type(s).__name__}")
        object.__setattr__(self, "stages", stages)
        object.__setattr__(self, "sources", tuple(self.sources))
        _positive("payload_mass_kg", self.payload_mass_kg)
        beta = self.ballistic_coefficient_kg_m2
        if math.isnan(beta) or beta <= 0:
            raise InputError("ballistic_coefficient_kg_m2", f"must be > 0, got {beta}", "> 0")
        _positive("min_intercept_altitude_m", self.min_intercept_altitude_m, allow_zero=True)
        _positive("max_intercept_altitude_m", self.max_intercept_altitude_m)
        if self.min_intercept_altitude_m >= self.max_intercept_altitude_m:
            raise InputError(
                "min_intercept_altitude_m",
                f"must be below max_intercept_altitude_m ({self.min_intercept_altitude_m} >= "
                f"{self.max_intercept_altitude_m})",
                "min < max",
            )
        _positive("min_range_m", self.min_range_m, allow_zero=True)
        _positive("max_range_m", self.max_range_m)
        if self.min_range_m >= self.max_range_m:
            raise InputError(
                "min_range_m",
                f"must be below max_range_m ({self.min_range_m} >= {self.max_range_m})",
                "min < max",
            )
        _positive("max_flyout_time_s", self.max_flyout_time_s)
        _probability("p_kill", self.p_kill)
        _probability("reliability", self.reliability)
        _positive("reaction_time_s", self.reaction_time_s, allow_zero=True)
        if self.kill_mechanism not in KILL_MECHANISMS:
            raise InputError(
                "kill_mechanism", f"unknown {self.kill_mechanism!r}", ", ".join(KILL_MECHANISMS)
            )
        if self.regime not in REGIMES:
            raise InputError("regime", f"unknown {self.regime!r}", ", ".join(REGIMES))
        if self.divert_delta_v_mps is not None:
            _positive("divert_delta_v_mps", self.divert_delta_v_mps, allow_zero=True)
        _positive("vertical_rise_s", self.vertical_rise_s, allow_zero=True)
        _positive("pitch_rate_rad_s", self.pitch_rate_rad_s)
        e = self.min_launch_elevation_rad
        if not (math.isfinite(e) and 0.0 < e < math.pi / 2):
            raise InputError("min_launch_elevation_rad", f"must lie in (0, pi/2), got {e}")

    # -- derived figures ---------------------------------------------------------------------

    @property
    def launch_mass_kg(self) -> float:
        """Total mass at launch [kg]."""
        return self.payload_mass_kg + sum(
            s.propellant_mass_kg + s.inert_mass_kg for s in self.stages
        )

    @property
    def burnout_mass_kg(self) -> float:
        """Mass of the coasting body after the last stage [kg]."""
        return self.payload_mass_kg + sum(s.inert_mass_kg for s in self.stages if not s.jettison)

    @property
    def drag_area_m2(self) -> float:
        """``Cd A`` of the body [m^2] (from the burnout mass and ballistic coefficient)."""
        return self.burnout_mass_kg / self.ballistic_coefficient_kg_m2

    @property
    def boost_time_s(self) -> float:
        """Time from launch to the last stage's burnout [s]."""
        total = sum(s.burn_time_s + s.coast_after_s for s in self.stages)
        return total - self.stages[-1].coast_after_s

    @property
    def ideal_delta_v_mps(self) -> float:
        """Rocket-equation velocity gain, no gravity or drag losses [m/s].

        ``dv = sum_i Isp_i g0 ln(m0_i / m1_i)`` with the stage start and end masses.
        """
        m = self.launch_mass_kg
        dv = 0.0
        for s in self.stages:
            m1 = m - s.propellant_mass_kg
            dv += s.isp_s * G0_MPS2 * math.log(m / m1)
            m = m1 - (s.inert_mass_kg if s.jettison else 0.0)
        return dv

    @property
    def envelope(self) -> Envelope:
        """The engagement envelope as plain floats."""
        return Envelope(
            min_altitude_m=float(self.min_intercept_altitude_m),
            max_altitude_m=float(self.max_intercept_altitude_m),
            min_range_m=float(self.min_range_m),
            max_range_m=float(self.max_range_m),
            max_flyout_time_s=float(self.max_flyout_time_s),
        )

    @property
    def p_success(self) -> float:
        """Kill probability of one shot including reliability, ``p_kill * reliability``."""
        return self.p_kill * self.reliability

    # -- round trip --------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON/YAML-safe) of the spec; ``from_dict`` inverts it."""
        d = asdict(self)
        d["stages"] = [dict(s) for s in d["stages"]]
        d["sources"] = list(self.sources)
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InterceptorType:
        """Build a spec from a plain dict (as written by ``to_dict``)."""
        data = dict(data)
        try:
            stages = tuple(Stage(**dict(s)) for s in data.pop("stages", ()))
        except TypeError as exc:
            raise InputError("stages", f"bad stage entry: {exc}") from None
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputError(unknown[0], "unknown interceptor field", ", ".join(sorted(known)))
        data["sources"] = tuple(data.get("sources", ()))
        try:
            return cls(stages=stages, **data)
        except TypeError as exc:
            raise InputError("interceptor", str(exc)) from None
