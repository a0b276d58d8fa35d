"""Sensor specs: frozen pydantic models with a ``type:`` key, built into runtime sensors.

A sensor file (or the ``sensors:`` section of a scenario) is a list of specs, or a mapping
from sensor name to spec. Quantities take units as strings ("2000 km", "0.5 deg",
"10 s"); a bare number is SI, except angles (degrees, the analyst's habit). dB figures are
plain numbers in fields ending in ``_db``. ``build()`` converts a spec to the runtime object
(:class:`~hoplon.sensors.radar.Radar`, :class:`~hoplon.sensors.infrared.InfraredConstellation`).

Example::

    sensors:
      - type: radar
        name: fbr
        site: {lat: 40.0, lon: 30.0, alt: 100 m}
        boresight_azimuth: 90 deg
        azimuth_span: 120 deg
        max_range: 2000 km
        sensitivity: {form: reference, snr_db: 20, range: 1000 km, rcs: 1 m2}
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    TypeAdapter,
    model_validator,
)

from hoplon.earth.constants import SPEED_OF_LIGHT_MPS
from hoplon.quantities import Angle, Area, Duration, Frequency, Length, Power
from hoplon.quantities import AngleDeg as _AngleDegIn
from hoplon.quantities import Speed as SpeedQ
from hoplon.sensors import radar_equation as rre
from hoplon.sensors.infrared import InfraredConstellation
from hoplon.sensors.orbits import KeplerElements, geo_elements, molniya_elements
from hoplon.sensors.radar import Radar

_CFG = ConfigDict(frozen=True, extra="forbid")

#: An angle where a bare number in a file means degrees. It is written back as the string
#: ``"<radians> rad"`` so that dump -> load round-trips exactly (a bare SI float would be
#: read back as degrees).
AngleDeg = Annotated[_AngleDegIn, PlainSerializer(lambda v: f"{v!r} rad", return_type=str)]


def _within_deg(lo_deg: float, hi_deg: float) -> AfterValidator:
    """Range check of an angle [rad] with a message in degrees."""

    def check(value: float) -> float:
        deg = math.degrees(value)
        if not lo_deg - 1e-9 <= deg <= hi_deg + 1e-9:
            raise ValueError(f"{deg:g} deg is outside [{lo_deg:g}, {hi_deg:g}] deg")
        return value

    return AfterValidator(check)


Latitude = Annotated[AngleDeg, _within_deg(-90.0, 90.0)]
Longitude = Annotated[AngleDeg, _within_deg(-180.0, 360.0)]
Elevation = Annotated[AngleDeg, _within_deg(-90.0, 90.0)]
Span = Annotated[AngleDeg, _within_deg(0.0, 360.0)]


class Site(BaseModel):
    """Geodetic site (WGS84); latitude/longitude in degrees when bare numbers."""

    model_config = _CFG
    lat: Latitude
    lon: Longitude
    alt: Length = 0.0


class ReferenceSensitivity(BaseModel):
    """``SNR = snr_db (range/R)^4 (sigma/rcs)`` (one measured point)."""

    model_config = _CFG
    form: Literal["reference"] = "reference"
    snr_db: float
    range: Length = Field(gt=0)
    rcs: Area = Field(default=1.0, gt=0)

    def snr_constant_m2(self) -> float:
        """``C = SNR_ref R_ref^4 / sigma_ref``."""
        return float(rre.from_db(self.snr_db) * self.range**4 / self.rcs)


class PulseSensitivity(BaseModel):
    """Monostatic pulse radar equation (per-pulse SNR)."""

    model_config = _CFG
    form: Literal["pulse"]
    peak_power: Power = Field(gt=0)
    pulse_width: Duration = Field(gt=0)
    frequency: Frequency = Field(gt=0)
    gain_db: float
    rx_gain_db: float | None = None
    noise_temperature_k: float = Field(default=290.0, gt=0)
    loss_db: float = Field(default=0.0, ge=0)

    def snr_constant_m2(self) -> float:
        """``C = SNR(R = 1 m, sigma = 1 m^2)``."""
        g_rx = self.gain_db if self.rx_gain_db is None else self.rx_gain_db
        return float(
            rre.snr_at_range(
                1.0,
                self.peak_power,
                self.pulse_width,
                SPEED_OF_LIGHT_MPS / self.frequency,
                rre.from_db(self.gain_db),
                rre.from_db(g_rx),
                1.0,
                self.noise_temperature_k,
                rre.from_db(self.loss_db),
            )
        )


class SearchSensitivity(BaseModel):
    """Power-aperture search form (integrated SNR per look; use ``pulses: 1``)."""

    model_config = _CFG
    form: Literal["search"]
    average_power: Power = Field(gt=0)
    aperture: Area = Field(gt=0)
    frame_time: Duration = Field(gt=0)
    solid_angle_sr: float = Field(gt=0, le=4 * math.pi)
    noise_temperature_k: float = Field(default=290.0, gt=0)
    loss_db: float = Field(default=0.0, ge=0)

    def snr_constant_m2(self) -> float:
        """``C = SNR(R = 1 m, sigma = 1 m^2)``."""
        return float(
            rre.search_snr(
                1.0,
                self.average_power,
                self.aperture,
                self.frame_time,
                self.solid_angle_sr,
                1.0,
                self.noise_temperature_k,
                rre.from_db(self.loss_db),
            )
        )


Sensitivity = Annotated[
    ReferenceSensitivity | PulseSensitivity | SearchSensitivity, Field(discriminator="form")
]


class DetectionSpec(BaseModel):
    """Detection settings (see :mod:`hoplon.sensors.detection`)."""

    model_config = _CFG
    pfa: float = Field(default=1e-6, gt=0, lt=1)
    pulses: int = Field(default=1, ge=1)
    swerling: Literal[0, 1, 2, 3, 4] = 1
    method: Literal["albersheim", "shnidman", "exact"] = "exact"
    pd_required: float = Field(default=0.9, gt=0, lt=1)

    @model_validator(mode="after")
    def _albersheim_needs_swerling0(self) -> DetectionSpec:
        if self.method == "albersheim" and self.swerling != 0:
            raise ValueError("method albersheim needs swerling 0 (use shnidman or exact)")
        if self.pd_required <= self.pfa:
            raise ValueError("pd_required must exceed pfa")
        return self


class NoiseSpec(BaseModel):
    """Measurement noise floors, and the optional SNR-scaled terms."""

    model_config = _CFG
    range: Length = Field(default=10.0, ge=0)
    angle: Angle = Field(default=1e-3, ge=0)
    range_rate: SpeedQ | None = Field(default=None, ge=0)
    beamwidth: Angle | None = Field(default=None, gt=0)
    monopulse_slope: float = Field(default=1.6, gt=0)
    range_resolution: Length | None = Field(default=None, gt=0)


class RadarSpec(BaseModel):
    """A ground or sea-based radar."""

    model_config = _CFG
    type: Literal["radar"]
    name: str = Field(min_length=1)
    owner: int = Field(default=0, ge=0)
    site: Site
    boresight_azimuth: AngleDeg = 0.0
    azimuth_span: Span = 2 * math.pi
    min_elevation: Elevation = 0.0
    max_elevation: Elevation = math.pi / 2
    max_range: Length = Field(ge=0)
    k_factor: float = Field(default=4.0 / 3.0, gt=0)
    sensitivity: Sensitivity
    detection: DetectionSpec = DetectionSpec()
    revisit: Duration = Field(default=10.0, gt=0)
    noise: NoiseSpec = NoiseSpec()
    false_alarms: bool = False
    cells: float = Field(default=1e5, ge=0)
    rcs: Area = Field(default=1.0, gt=0, description="reference target RCS for coverage")

    def build(self, sensor_id: int = 0) -> Radar:
        """The runtime :class:`Radar` (SI units)."""
        d, n = self.detection, self.noise
        return Radar(
            name=self.name,
            lat_rad=self.site.lat,
            lon_rad=self.site.lon,
            alt_m=self.site.alt,
            snr_constant_m2=self.sensitivity.snr_constant_m2(),
            max_range_m=self.max_range,
            boresight_az_rad=self.boresight_azimuth,
            azimuth_span_rad=min(self.azimuth_span, 2 * math.pi),
            min_elevation_rad=self.min_elevation,
            max_elevation_rad=self.max_elevation,
            k_factor=self.k_factor,
            pfa=d.pfa,
            n_pulses=d.pulses,
            swerling=d.swerling,
            method=d.method,
            pd_required=d.pd_required,
            revisit_s=self.revisit,
            sigma_range_m=n.range,
            sigma_angle_rad=n.angle,
            sigma_range_rate_mps=n.range_rate,
            beamwidth_rad=n.beamwidth,
            monopulse_slope=n.monopulse_slope,
            range_resolution_m=n.range_resolution,
            false_alarms=self.false_alarms,
            n_cells=self.cells,
            sensor_id=sensor_id,
            owner=self.owner,
        )


class SatelliteSpec(BaseModel):
    """One satellite: ``orbit: geo`` (with ``longitude``), ``molniya`` (``raan``,
    ``mean_anomaly``) or ``kepler`` (all six elements)."""

    model_config = _CFG
    orbit: Literal["geo", "molniya", "kepler"]
    longitude: AngleDeg | None = None
    raan: AngleDeg = 0.0
    mean_anomaly: AngleDeg = 0.0
    semi_major_axis: Length | None = Field(default=None, gt=6.4e6)
    eccentricity: float | None = Field(default=None, ge=0, lt=1)
    inclination: Annotated[AngleDeg, _within_deg(0.0, 180.0)] | None = None
    arg_perigee: AngleDeg | None = None

    @model_validator(mode="after")
    def _complete(self) -> SatelliteSpec:
        if self.orbit == "geo" and self.longitude is None:
            raise ValueError("orbit geo needs a longitude")
        if self.orbit == "kepler":
            missing = [
                k
                for k in ("semi_major_axis", "eccentricity", "inclination", "arg_perigee")
                if getattr(self, k) is None
            ]
            if missing:
                raise ValueError(f"orbit kepler needs {', '.join(missing)}")
            assert self.semi_major_axis is not None and self.eccentricity is not None
            if self.semi_major_axis * (1 - self.eccentricity) <= 6.3e6:
                raise ValueError("perigee is inside the Earth")
        return self

    def elements(self, theta0_rad: float = 0.0) -> KeplerElements:
        """Elements of this satellite (one-element arrays)."""
        if self.orbit == "geo":
            return geo_elements(self.longitude, theta0_rad)
        if self.orbit == "molniya":
            return molniya_elements(self.raan, self.mean_anomaly)
        return KeplerElements.of(
            self.semi_major_axis,
            self.eccentricity,
            self.inclination,
            self.raan,
            self.arg_perigee,
            self.mean_anomaly,
        )


class InfraredSpec(BaseModel):
    """A constellation of space-based infrared early-warning satellites."""

    model_config = _CFG
    type: Literal["infrared"]
    name: str = Field(min_length=1)
    owner: int = Field(default=0, ge=0)
    satellites: list[SatelliteSpec] = Field(min_length=1)
    cloud_top: Length = Field(default=10e3, ge=0)
    angle_noise: Angle = Field(default=50e-6, ge=0)
    pd: float = Field(default=0.95, ge=0, le=1)
    revisit: Duration = Field(default=10.0, gt=0)
    max_range: Length | None = Field(default=None, gt=0)
    min_looks: int = Field(default=2, ge=1)
    launch_time_sigma: Duration = Field(default=5.0, ge=0)
    launch_position_sigma: Length = Field(default=5e3, ge=0)
    launch_azimuth_sigma: Annotated[AngleDeg, _within_deg(0.0, 180.0)] = math.radians(5.0)
    state_position_sigma: Length = Field(default=2e3, ge=0)
    state_velocity_sigma: SpeedQ = Field(default=200.0, ge=0)

    def build(self, sensor_id: int = 0, theta0_rad: float = 0.0) -> InfraredConstellation:
        """The runtime :class:`InfraredConstellation`; satellites get ids from ``sensor_id``."""
        cat = KeplerElements.concatenate([s.elements(theta0_rad) for s in self.satellites])
        return InfraredConstellation(
            name=self.name,
            elements=cat,
            theta0_rad=theta0_rad,
            cloud_top_m=self.cloud_top,
            sigma_los_rad=self.angle_noise,
            pd=self.pd,
            revisit_s=self.revisit,
            max_range_m=math.inf if self.max_range is None else self.max_range,
            min_looks=self.min_looks,
            sigma_launch_time_s=self.launch_time_sigma,
            sigma_launch_position_m=self.launch_position_sigma,
            sigma_launch_azimuth_rad=self.launch_azimuth_sigma,
            sigma_state_position_m=self.state_position_sigma,
            sigma_state_velocity_mps=self.state_velocity_sigma,
            sensor_id=sensor_id,
            owner=self.owner,
        )


SensorSpec = Annotated[RadarSpec | InfraredSpec, Field(discriminator="type")]

#: Every sensor spec type by its ``type:`` key (the contract tests run over all of them).
SENSOR_SPECS: dict[str, type[RadarSpec] | type[InfraredSpec]] = {
    "radar": RadarSpec,
    "infrared": InfraredSpec,
}
_SENSOR_LIST = TypeAdapter(list[SensorSpec])


def normalise_sensor_section(data: Any) -> Any:
    """Accept a list of specs or a mapping ``name -> spec`` (names filled in)."""
    if isinstance(data, dict):
        return [
            {"name": str(k), **v} if isinstance(v, dict) and "name" not in v else v
            for k, v in data.items()
        ]
    return data


def parse_sensors(data: Any) -> list[RadarSpec | InfraredSpec]:
    """Validate a sensor section (list or mapping) into specs.

    Raises
    ------
    pydantic.ValidationError
        With the location of every problem.
    """
    return _SENSOR_LIST.validate_python(normalise_sensor_section(data))


def build_sensors(
    specs: list[RadarSpec | InfraredSpec], theta0_rad: float = 0.0
) -> list[Radar | InfraredConstellation]:
    """Runtime sensors with consecutive ids (each IR satellite takes one id)."""
    out: list[Radar | InfraredConstellation] = []
    next_id = 0
    for spec in specs:
        if isinstance(spec, RadarSpec):
            out.append(spec.build(next_id))
            next_id += 1
        else:
            out.append(spec.build(next_id, theta0_rad))
            next_id += len(spec.satellites)
    return out
