"""Specifications of threat types (API layer): frozen dataclasses, validated on construction.

A spec only describes a vehicle; it never simulates (``hoplon.threats.ballistic``,
``cruise`` and ``glide`` fly them). Every value a user can get wrong raises
:class:`hoplon.errors.InputError` naming the field, e.g. ``"stages[1].isp_s"``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from hoplon.earth.constants import G0_MPS2
from hoplon.errors import InputError

__all__ = [
    "BallisticMissile",
    "CruiseMissile",
    "GlideVehicle",
    "PitchProgram",
    "Stage",
    "ThreatSpec",
]

#: Notional drag coefficient of a slender rocket body against Mach number, zero angle of
#: attack: subsonic ~0.2, transonic peak ~0.45 at Mach 1-1.2, falling to ~0.2 at high Mach.
#: Shape of the published V-2 / generic slender-body curves (e.g. G. P. Sutton & O. Biblarz,
#: *Rocket Propulsion Elements*, 7th ed., fig. 4-2 ("drag coefficient of V-2"), which runs
#: from about 0.15 subsonic to 0.4-0.45 just above Mach 1 and ~0.2 at Mach 5).
BODY_CD_TABLE: tuple[tuple[float, float], ...] = (
    (0.0, 0.20),
    (0.8, 0.22),
    (1.0, 0.40),
    (1.2, 0.45),
    (2.0, 0.36),
    (3.0, 0.28),
    (5.0, 0.22),
    (10.0, 0.20),
)


def _positive(name: str, value: float, *, allow_zero: bool = False) -> None:
    ok = math.isfinite(value) and (value >= 0 if allow_zero else value > 0)
    if not ok:
        raise InputError(
            name,
            f"must be {'non-negative' if allow_zero else 'positive'}, got {value}",
            ">= 0" if allow_zero else "> 0",
        )


@dataclass(frozen=True)
class Stage:
    """One rocket stage: constant thrust and mass flow while it burns.

    Parameters
    ----------
    propellant_mass_kg : float
        Propellant burned by this stage [kg].
    dry_mass_kg : float
        Structure, engine and residuals dropped at staging [kg].
    isp_s : float
        Specific impulse [s] (an average over the burn; the flight model uses a constant).
    burn_time_s : float
        Burn time [s].
    diameter_m : float
        Body diameter [m]; the reference area for drag is pi d^2 / 4.
    """

    propellant_mass_kg: float
    dry_mass_kg: float
    isp_s: float
    burn_time_s: float
    diameter_m: float
    name: str = "stage"

    def __post_init__(self) -> None:
        _positive(f"{self.name}.propellant_mass_kg", self.propellant_mass_kg)
        _positive(f"{self.name}.dry_mass_kg", self.dry_mass_kg, allow_zero=True)
        _positive(f"{self.name}.isp_s", self.isp_s)
        _positive(f"{self.name}.burn_time_s", self.burn_time_s)
        _positive(f"{self.name}.diameter_m", self.diameter_m)

    @property
    def mdot_kg_s(self) -> float:
        """Mass flow m_p / t_b [kg/s]."""
        return self.propellant_mass_kg / self.burn_time_s

    @property
    def thrust_n(self) -> float:
        """Thrust F = g0 Isp mdot [N]."""
        return G0_MPS2 * self.isp_s * self.mdot_kg_s

    @property
    def exhaust_velocity_mps(self) -> float:
        """Effective exhaust velocity g0 Isp [m/s]."""
        return G0_MPS2 * self.isp_s

    @property
    def total_mass_kg(self) -> float:
        """Propellant plus dry mass [kg]."""
        return self.propellant_mass_kg + self.dry_mass_kg

    @property
    def ref_area_m2(self) -> float:
        """Reference area pi d^2 / 4 [m^2]."""
        return math.pi * self.diameter_m**2 / 4.0


@dataclass(frozen=True)
class PitchProgram:
    """Boost steering: vertical rise, a pitch-over ("kick"), then a gravity turn.

    Pitch (angle of the thrust above the local horizontal) is 90 deg until
    ``vertical_time_s``; it then falls linearly by ``kick_angle_rad`` over ``kick_time_s``;
    afterwards the thrust follows the air-relative velocity (zero-lift gravity turn).
    The kick angle is the parameter trajectory shaping adjusts: a small kick gives a steep,
    lofted trajectory, a large one a flat, depressed one.
    """

    vertical_time_s: float = 8.0
    kick_time_s: float = 10.0
    kick_angle_rad: float = math.radians(8.0)

    def __post_init__(self) -> None:
        _positive("pitch.vertical_time_s", self.vertical_time_s, allow_zero=True)
        _positive("pitch.kick_time_s", self.kick_time_s)
        if not (math.isfinite(self.kick_angle_rad) and 0.0 <= self.kick_angle_rad < math.pi / 2):
            raise InputError(
                "pitch.kick_angle_rad",
                f"must lie in [0, 90) deg, got {math.degrees(self.kick_angle_rad):g} deg",
                "[0, 90) deg",
            )


@dataclass(frozen=True)
class BallisticMissile:
    """A staged ballistic missile with a separating re-entry vehicle (RV).

    Parameters
    ----------
    name : str
        Catalogue name.
    stages : tuple of Stage
        Bottom stage first.
    payload_mass_kg : float
        Mass above the last stage that flies on after burnout: the RV (plus any shroud/bus,
        lumped) [kg].
    rv_beta_kg_m2 : float
        Ballistic coefficient m / (Cd A) of the RV after separation [kg/m^2].
    pitch : PitchProgram
        Nominal pitch programme (the kick angle is replaced by trajectory shaping).
    body_cd_table : tuple of (Mach, Cd)
        Drag coefficient of the boosting stack, referenced to the current bottom stage's area.
    description, sources : str
        Free text; ``sources`` names the public sources of the figures.
    """

    name: str
    stages: tuple[Stage, ...]
    payload_mass_kg: float
    rv_beta_kg_m2: float
    pitch: PitchProgram = field(default_factory=PitchProgram)
    body_cd_table: tuple[tuple[float, float], ...] = BODY_CD_TABLE
    description: str = ""
    sources: str = ""

    def __post_init__(self) -> None:
        if not self.stages:
            raise InputError(f"{self.name}.stages", "needs at least one stage")
        for i, s in enumerate(self.stages):
            if not isinstance(s, Stage):
                raise InputError(f"{self.name}.stages[{i}]", "is not a Stage")
        _positive(f"{self.name}.payload_mass_kg", self.payload_mass_kg)
        _positive(f"{self.name}.rv_beta_kg_m2", self.rv_beta_kg_m2)
        if not isinstance(self.pitch, PitchProgram):
            raise InputError(f"{self.name}.pitch", "is not a PitchProgram")

    @property
    def launch_mass_kg(self) -> float:
        """Lift-off mass [kg]."""
        return sum(s.total_mass_kg for s in self.stages) + self.payload_mass_kg

    @property
    def burn_time_s(self) -> float:
        """Total burn time of all stages (no coasts between stages) [s]."""
        return sum(s.burn_time_s for s in self.stages)

    def ideal_delta_v_mps(self) -> float:
        """Tsiolkovsky speed gain without gravity or drag losses, sum of g0 Isp ln(m0/mf)."""
        m = self.launch_mass_kg
        dv = 0.0
        for s in self.stages:
            dv += s.exhaust_velocity_mps * math.log(m / (m - s.propellant_mass_kg))
            m -= s.total_mass_kg
        return dv


@dataclass(frozen=True)
class CruiseMissile:
    """A kinematic cruise missile: constant speed along great-circle legs.

    Parameters
    ----------
    speed_mps : float
        Cruise speed [m/s].
    cruise_altitude_m : float
        Altitude above the ellipsoid during cruise [m].
    max_range_m : float
        Fuel-limited range [m]; a longer route raises InfeasibleError.
    climb_angle_rad : float
        Flight-path angle of the climb from launch and of a pop-up [rad].
    dive_angle_rad : float
        Flight-path angle of the terminal dive [rad] (positive number, diving).
    popup_altitude_m : float
        Altitude of a terminal pop-up manoeuvre [m] (0 = none).
    mass_kg : float
        Launch mass [kg] (carried in the state; constant).
    """

    name: str
    speed_mps: float
    cruise_altitude_m: float
    max_range_m: float
    climb_angle_rad: float = math.radians(10.0)
    dive_angle_rad: float = math.radians(30.0)
    popup_altitude_m: float = 0.0
    mass_kg: float = 1300.0
    description: str = ""
    sources: str = ""

    def __post_init__(self) -> None:
        _positive(f"{self.name}.speed_mps", self.speed_mps)
        _positive(f"{self.name}.cruise_altitude_m", self.cruise_altitude_m)
        _positive(f"{self.name}.max_range_m", self.max_range_m)
        _positive(f"{self.name}.popup_altitude_m", self.popup_altitude_m, allow_zero=True)
        _positive(f"{self.name}.mass_kg", self.mass_kg)
        for nm in ("climb_angle_rad", "dive_angle_rad"):
            v = getattr(self, nm)
            if not (math.isfinite(v) and 0.0 < v <= math.pi / 2):
                raise InputError(f"{self.name}.{nm}", f"must lie in (0, 90] deg, got {v}")


@dataclass(frozen=True)
class GlideVehicle:
    """A hypersonic boost-glide vehicle on a rocket booster.

    Parameters
    ----------
    booster : BallisticMissile
        The rocket; its ``payload_mass_kg`` is the glide vehicle's mass.
    lift_to_drag : float
        Hypersonic lift-to-drag ratio L/D [-].
    beta_kg_m2 : float
        Ballistic coefficient of the glider m / (Cd A) [kg/m^2].
    pull_up_altitude_m : float
        Altitude at which the glider starts to use lift on its way down after burnout [m].
    """

    name: str
    booster: BallisticMissile
    lift_to_drag: float
    beta_kg_m2: float
    pull_up_altitude_m: float = 80e3
    description: str = ""
    sources: str = ""

    def __post_init__(self) -> None:
        _positive(f"{self.name}.lift_to_drag", self.lift_to_drag)
        _positive(f"{self.name}.beta_kg_m2", self.beta_kg_m2)
        _positive(f"{self.name}.pull_up_altitude_m", self.pull_up_altitude_m)


ThreatSpec = BallisticMissile | CruiseMissile | GlideVehicle
