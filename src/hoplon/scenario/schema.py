"""The scenario file schema: frozen pydantic specs with quantities in units, SI once loaded.

A scenario names every component by a key (``sensors.green_radar``) and picks component
kinds by a ``type:`` key. Specs are configuration only; :mod:`hoplon.sim.world` compiles
them into arrays and runtime objects. Specs round-trip YAML <-> spec <-> JSON, so dotted
paths (``sensors.green_radar.peak_power_w``) address any parameter for sweeps.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hoplon.quantities import AngleDeg, Duration, Length, Power


class Spec(BaseModel):
    """Base of every spec: frozen, unknown fields are errors (typos are caught)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


# ----------------------------------------------------------------------------- places


class Site(Spec):
    """A point on the Earth: latitude and longitude in degrees (or with units), altitude."""

    lat: AngleDeg
    lon: AngleDeg
    alt: Length = 0.0

    @field_validator("lat")
    @classmethod
    def _lat_range(cls, v: float) -> float:
        if not -math.pi / 2 <= v <= math.pi / 2:
            raise ValueError(f"latitude {math.degrees(v):g} deg is outside [-90, 90]")
        return v

    @field_validator("lon")
    @classmethod
    def _lon_range(cls, v: float) -> float:
        if not -math.pi <= v <= 2 * math.pi:
            raise ValueError(f"longitude {math.degrees(v):g} deg is outside [-180, 360]")
        return v


class ForceSpec(Spec):
    """A partner (or the attacker): who owns sensors, batteries and assets."""

    name: str | None = None
    role: Literal["defence", "attack"] = "defence"
    color: str | None = None
    #: Period of the command node's decision cycle.
    command_cycle: Duration = 2.0
    #: Time from a decision to the first launch of a battery of this force.
    reaction_time: Duration = 5.0


class AssetSpec(Spec):
    """A defended asset: a disc on the ground with a value."""

    owner: str
    site: Site
    radius: Length = 10_000.0
    value: float = Field(1.0, gt=0)


# ----------------------------------------------------------------------------- sensors


class RadarSpec(Spec):
    """A ground or ship radar. Sensitivity by a reference SNR or by the radar equation."""

    type: Literal["radar"] = "radar"
    owner: str
    site: Site
    boresight_azimuth: AngleDeg = 0.0
    azimuth_span: AngleDeg = 2 * math.pi
    min_elevation: AngleDeg = 0.0
    max_elevation: AngleDeg = math.pi / 2
    max_range: Length
    #: Reference form: SNR [dB] at ``reference_range`` against ``reference_rcs_m2``.
    reference_snr_db: float | None = None
    reference_range: Length | None = None
    reference_rcs_m2: float = Field(1.0, gt=0)
    #: Radar-equation form (used when no reference SNR is given).
    peak_power: Power | None = None
    gain_db: float | None = None
    frequency_hz: float | None = Field(None, gt=0)
    pulse_width_s: float | None = Field(None, gt=0)
    noise_temperature_k: float = Field(290.0, gt=0)
    losses_db: float = 0.0
    pfa: float = Field(1e-6, gt=0, lt=1)
    pulses: int = Field(1, ge=1)
    swerling: int = Field(1, ge=0, le=4)
    revisit: Duration = 5.0
    sigma_range: Length = 20.0
    sigma_angle: AngleDeg = 1e-3  # rad when defaulted; a bare number in a file is degrees
    k_factor: float = Field(4.0 / 3.0, gt=0)
    false_alarms: bool = False

    @model_validator(mode="after")
    def _sensitivity(self) -> RadarSpec:
        has_ref = self.reference_snr_db is not None and self.reference_range is not None
        has_eq = None not in (self.peak_power, self.gain_db, self.frequency_hz, self.pulse_width_s)
        if not (has_ref or has_eq):
            raise ValueError(
                "give reference_snr_db with reference_range, or peak_power, gain_db, "
                "frequency_hz and pulse_width_s"
            )
        return self


class InfraredSpec(Spec):
    """A constellation of space-based infrared early-warning satellites."""

    type: Literal["infrared"] = "infrared"
    owner: str
    #: GEO satellites by sub-satellite longitude [deg].
    geo_longitudes: list[AngleDeg] = Field(default_factory=list)
    #: HEO (Molniya) satellites by right ascension of the ascending node [deg].
    heo_raans: list[AngleDeg] = Field(default_factory=list)
    cloud_top: Length = 10_000.0
    revisit: Duration = 10.0
    sigma_angle: AngleDeg = 5e-5
    #: Delay from first detection to a launch report at the owner's command node.
    report_delay: Duration = 30.0

    @model_validator(mode="after")
    def _some_satellite(self) -> InfraredSpec:
        if not self.geo_longitudes and not self.heo_raans:
            raise ValueError("give at least one satellite (geo_longitudes or heo_raans)")
        return self


SensorSpec = Annotated[RadarSpec | InfraredSpec, Field(discriminator="type")]


# ----------------------------------------------------------------------------- batteries


class BatterySpec(Spec):
    """An interceptor battery (or ship) with its launchers and fire-control sensor."""

    owner: str
    interceptor: str
    site: Site
    launchers: int = Field(1, ge=1)
    missiles_per_launcher: int = Field(4, ge=0)
    #: Minimum time between two launches of the battery.
    launch_interval: Duration = 2.0
    reload_time: Duration = 1800.0
    #: Sensor (key in ``sensors``) that guides this battery's interceptors.
    fire_control: str | None = None
    #: Whether the battery may launch on a partner's track (launch/engage on remote).
    engage_on_remote: bool = False


# ----------------------------------------------------------------------------- threats


class RaidSpec(Spec):
    """``count`` threats of one type from one launch site at one target."""

    type: str
    owner: str = "red"
    launch: Site
    #: Key of an asset, or a site.
    target: str | Site
    launch_time: Duration = 0.0
    count: int = Field(1, ge=1)
    interval: Duration = 10.0
    shape: Literal["min-energy", "lofted", "depressed"] | None = None


# ----------------------------------------------------------------------------- network


class LinkSpec(Spec):
    """A directed data link between two forces' command nodes."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    latency: Duration = 1.0
    bidirectional: bool = True


class SharingSpec(Spec):
    """Which of a force's tracks go to whom."""

    #: ``all``: every track to every linked partner; ``none``: nothing leaves the force.
    policy: Literal["all", "none"] = "all"
    #: Only to these partners (all linked partners when empty).
    to: list[str] = Field(default_factory=list)
    #: Only tracks built from these sensors (all sensors when empty).
    sensors: list[str] = Field(default_factory=list)


class NetworkSpec(Spec):
    """The coalition network: links and each force's sharing policy."""

    links: list[LinkSpec] = Field(default_factory=list)
    sharing: dict[str, SharingSpec] = Field(default_factory=dict)


# ----------------------------------------------------------------------------- doctrine


class SalvoSpec(Spec):
    type: Literal["salvo"] = "salvo"
    shots: int = Field(2, ge=1)


class ShootLookShootSpec(Spec):
    type: Literal["shoot-look-shoot"] = "shoot-look-shoot"
    first: int = Field(1, ge=1)
    second: int = Field(1, ge=0)
    assessment_delay: Duration = 5.0


DoctrineSpec = Annotated[SalvoSpec | ShootLookShootSpec, Field(discriminator="type")]


class CommandSpec(Spec):
    """Battle management: doctrine and weapon-target assignment."""

    doctrine: DoctrineSpec = Field(default_factory=ShootLookShootSpec)
    #: ``greedy`` (fast), ``optimal`` (MILP, exact) or ``layered`` (upper tier plans first,
    #: lower tiers against what leaks through; greedy within each tier).
    assigner: Literal["greedy", "optimal", "layered"] = "greedy"
    #: Interceptors each battery keeps back.
    reserve: int = Field(0, ge=0)


class DispersionSpec(Spec):
    """Random variations drawn for each run from the run's seed."""

    launch_time: Duration = 0.0
    #: Circular error probable of each threat's aim point.
    aim_cep: Length = 0.0


class TrackingSpec(Spec):
    """Tracker settings shared by every force."""

    confirm_m: int = Field(2, ge=1)
    confirm_n: int = Field(3, ge=1)
    delete_after_misses: int = Field(5, ge=1)
    gate_probability: float = Field(0.9999, gt=0, lt=1)
    process_noise: float = Field(50.0, gt=0, description="acceleration noise [m/s^2]")

    @model_validator(mode="after")
    def _m_le_n(self) -> TrackingSpec:
        if self.confirm_m > self.confirm_n:
            raise ValueError(f"confirm_m {self.confirm_m} exceeds confirm_n {self.confirm_n}")
        return self


# ----------------------------------------------------------------------------- scenario


class ScenarioSpec(Spec):
    """A whole scenario: the question an analyst asks of one architecture."""

    name: str
    description: str = ""
    epoch: datetime = datetime(2026, 1, 1, tzinfo=UTC)
    duration: Duration = 1800.0
    forces: dict[str, ForceSpec]
    assets: dict[str, AssetSpec] = Field(default_factory=dict)
    sensors: dict[str, SensorSpec] = Field(default_factory=dict)
    batteries: dict[str, BatterySpec] = Field(default_factory=dict)
    threats: list[RaidSpec] = Field(default_factory=list)
    network: NetworkSpec = Field(default_factory=NetworkSpec)
    command: CommandSpec = Field(default_factory=CommandSpec)
    tracking: TrackingSpec = Field(default_factory=TrackingSpec)
    dispersion: DispersionSpec = Field(default_factory=DispersionSpec)
