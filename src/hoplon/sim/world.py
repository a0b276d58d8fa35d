"""Compile a validated :class:`~hoplon.scenario.schema.ScenarioSpec` into runtime objects.

The :class:`World` holds what does not change between Monte Carlo trials: nominal truth
trajectories of every threat (flown once and cached per scenario), radar and satellite
objects, interceptor types with their flyout tables, defended assets and the network.
Per-trial randomness (launch-time dispersion, detections, kills) is drawn by the engine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import numpy as np

from hoplon.command.network import Force, Link, Network, ShareRule, SharingPolicy
from hoplon.command.threat_evaluation import DefendedAsset
from hoplon.earth.constants import BOLTZMANN_J_K, SPEED_OF_LIGHT_MPS
from hoplon.errors import InputError
from hoplon.flight import EarthModel, Trajectory
from hoplon.flight.hermite import TrajectoryTable
from hoplon.scenario.schema import InfraredSpec, RadarSpec, ScenarioSpec, Site
from hoplon.sensors.infrared import InfraredConstellation
from hoplon.sensors.radar import Radar
from hoplon.sensors.rcs import rcs_for
from hoplon.weapons.catalogue import get_interceptor
from hoplon.weapons.interceptor import InterceptorType


@dataclass(frozen=True)
class ThreatTruth:
    """One threat's true flight (relative times) and its place in the raid."""

    index: int
    raid: int
    type: str
    kind: str  # "ballistic", "cruise" or "glide"
    trajectory: Trajectory
    nominal_launch_s: float
    target: str | None
    rcs_m2: float
    burnout_s: float

    @property
    def flight_time_s(self) -> float:
        return float(self.trajectory.t_s[-1] - self.trajectory.t_s[0])


@dataclass(frozen=True)
class RadarSite:
    key: str
    force: int
    radar: Radar


@dataclass(frozen=True)
class InfraredLayer:
    key: str
    force: int
    constellation: InfraredConstellation
    report_delay_s: float


@dataclass(frozen=True)
class BatterySite:
    key: str
    force: int
    interceptor: InterceptorType
    site_ecef_m: np.ndarray
    site_alt_m: float
    inventory: int
    launch_interval_s: float
    fire_control: str | None
    engage_on_remote: bool
    tier: int


@dataclass
class World:
    """Everything a run needs, compiled from a scenario (shared by all trials)."""

    spec: ScenarioSpec
    model: EarthModel
    forces: list[str]
    force_cycle_s: list[float]
    force_reaction_s: list[float]
    threats: list[ThreatTruth]
    radars: list[RadarSite]
    infrared: list[InfraredLayer]
    batteries: list[BatterySite]
    assets: list[DefendedAsset]
    network: Network
    frame_period_s: list[float] = field(default_factory=list)

    def force_index(self, name: str) -> int:
        return self.forces.index(name)

    def battery_index(self, key: str) -> int:
        return next(i for i, b in enumerate(self.batteries) if b.key == key)

    @cached_property
    def trajectory_groups(self) -> tuple[np.ndarray, list[Trajectory]]:
        """Threats flying one compiled trajectory share a group: the group of each threat
        (n,) and each group's trajectory."""
        groups: dict[int, int] = {}
        trajs: list[Trajectory] = []
        of = np.zeros(len(self.threats), dtype=np.int64)
        for i, th in enumerate(self.threats):
            g = groups.setdefault(id(th.trajectory), len(trajs))
            if g == len(trajs):
                trajs.append(th.trajectory)
            of[i] = g
        return of, trajs

    @cached_property
    def truth_table(self) -> TrajectoryTable:
        """The group trajectories packed for interpolation in one call (see
        :func:`hoplon.flight.hermite.states_at`)."""
        return TrajectoryTable.of(self.trajectory_groups[1])

    @cached_property
    def sensor_keys(self) -> list[str]:
        """Scenario keys of the sensors, by sensor id."""
        return list(self.spec.sensors)

    @cached_property
    def sensor_names(self) -> dict[frozenset[int], frozenset[str]]:
        """Sensor-id sets seen so far and their key sets (filled as tracks are shared)."""
        return {}

    @cached_property
    def share_routes(self) -> dict[tuple[int, frozenset[int]], Any]:
        """Where a force's track built from a set of sensor ids goes (filled as tracks are
        shared; see ``Engine._share_routes``)."""
        return {}

    @cached_property
    def force_batteries(self) -> list[list[int]]:
        """Indices of each force's batteries, in scenario order."""
        return [
            [b for b, bat in enumerate(self.batteries) if bat.force == f]
            for f in range(len(self.forces))
        ]

    @cached_property
    def force_types(self) -> list[dict[str, list[int]]]:
        """Each force's batteries grouped by interceptor type (scenario order)."""
        out: list[dict[str, list[int]]] = []
        for bats in self.force_batteries:
            types: dict[str, list[int]] = {}
            for b in bats:
                types.setdefault(self.batteries[b].interceptor.name, []).append(b)
            out.append(types)
        return out


def radar_snr_constant(spec: RadarSpec) -> float:
    """``C`` [m^2] in ``SNR = C sigma / R^4`` from the spec's sensitivity.

    Reference form: ``C = SNR_ref R_ref^4 / sigma_ref``. Radar-equation form (per pulse):
    ``C = P_t tau G^2 lambda^2 / ((4 pi)^3 k T_s L)``.
    """
    if spec.reference_snr_db is not None and spec.reference_range is not None:
        return 10 ** (spec.reference_snr_db / 10) * spec.reference_range**4 / spec.reference_rcs_m2
    assert spec.peak_power is not None and spec.gain_db is not None
    assert spec.frequency_hz is not None and spec.pulse_width_s is not None
    lam = SPEED_OF_LIGHT_MPS / spec.frequency_hz
    g = 10 ** (spec.gain_db / 10)
    loss = 10 ** (spec.losses_db / 10)
    return (
        spec.peak_power
        * spec.pulse_width_s
        * g**2
        * lam**2
        / ((4 * math.pi) ** 3 * BOLTZMANN_J_K * spec.noise_temperature_k * loss)
    )


def build_radar(key: str, spec: RadarSpec, sensor_id: int = 0, owner: int = 0) -> Radar:
    """The runtime :class:`~hoplon.sensors.radar.Radar` of a scenario radar spec (SI)."""
    return Radar(
        name=key,
        lat_rad=spec.site.lat,
        lon_rad=spec.site.lon,
        alt_m=spec.site.alt,
        snr_constant_m2=radar_snr_constant(spec),
        max_range_m=spec.max_range,
        boresight_az_rad=spec.boresight_azimuth,
        azimuth_span_rad=spec.azimuth_span,
        min_elevation_rad=spec.min_elevation,
        max_elevation_rad=spec.max_elevation,
        k_factor=spec.k_factor,
        pfa=spec.pfa,
        n_pulses=spec.pulses,
        swerling=spec.swerling,
        revisit_s=spec.revisit,
        sigma_range_m=spec.sigma_range,
        sigma_angle_rad=spec.sigma_angle,
        false_alarms=spec.false_alarms,
        sensor_id=sensor_id,
        owner=owner,
    )


def build_infrared(
    key: str, spec: InfraredSpec, sensor_id: int = 0, owner: int = 0
) -> InfraredConstellation:
    """The runtime infrared constellation of a scenario spec (GEO and HEO satellites)."""
    from hoplon.sensors.orbits import KeplerElements, geo_elements, molniya_elements

    parts = []
    if spec.geo_longitudes:
        parts.append(geo_elements(np.asarray(spec.geo_longitudes)))
    if spec.heo_raans:
        parts.append(molniya_elements(np.asarray(spec.heo_raans)))
    return InfraredConstellation(
        name=key,
        elements=KeplerElements.concatenate(parts),
        cloud_top_m=spec.cloud_top,
        sigma_los_rad=spec.sigma_angle,
        revisit_s=spec.revisit,
        sensor_id=sensor_id,
        owner=owner,
    )


@lru_cache(maxsize=256)
def _fly(
    type_: str, launch: tuple[float, float], target: tuple[float, float], shape: str | None
) -> Trajectory:
    from hoplon.threats.shaping import plan_trajectory

    return plan_trajectory(
        missile=type_,
        launch_lat_rad=launch[0],
        launch_lon_rad=launch[1],
        target_lat_rad=target[0],
        target_lon_rad=target[1],
        shape=shape,
        model=EarthModel(),
    )


def _kind_of(type_: str) -> str:
    from hoplon.threats.catalogue import get_missile
    from hoplon.threats.specs import CruiseMissile, GlideVehicle

    spec = get_missile(type_)
    if isinstance(spec, CruiseMissile):
        return "cruise"
    if isinstance(spec, GlideVehicle):
        return "glide"
    return "ballistic"


def _rcs_of(kind: str) -> float:
    return rcs_for({"ballistic": "rv", "glide": "glide_vehicle", "cruise": "cruise_missile"}[kind])


def compile_world(spec: ScenarioSpec) -> World:
    """Build the :class:`World` of a scenario (truth trajectories are flown here, cached)."""
    model = EarthModel()
    defenders = [k for k, f in spec.forces.items() if f.role == "defence"]
    fidx = {k: i for i, k in enumerate(defenders)}

    threats: list[ThreatTruth] = []
    for r, raid in enumerate(spec.threats):
        if isinstance(raid.target, Site):
            target = (raid.target.lat, raid.target.lon)
            target_name = None
        else:
            asset = spec.assets[raid.target]
            target = (asset.site.lat, asset.site.lon)
            target_name = raid.target
        try:
            traj = _fly(raid.type, (raid.launch.lat, raid.launch.lon), target, raid.shape)
        except InputError as exc:  # name the scenario field, not the CLI option
            raise InputError(
                f"threats[{r}]",
                f"{raid.type} from the launch site to the target: {exc.reason}",
                exc.allowed,
            ) from None
        kind = _kind_of(raid.type)
        burnout = float(traj.burnout_time_s or 0.0)
        for j in range(raid.count):
            threats.append(
                ThreatTruth(
                    index=len(threats),
                    raid=r,
                    type=raid.type,
                    kind=kind,
                    trajectory=traj,
                    nominal_launch_s=raid.launch_time + j * raid.interval,
                    target=target_name,
                    rcs_m2=_rcs_of(kind),
                    burnout_s=burnout if kind != "cruise" else 0.0,
                )
            )

    radars: list[RadarSite] = []
    infrared: list[InfraredLayer] = []
    for sid, (key, s) in enumerate(spec.sensors.items()):
        if isinstance(s, RadarSpec):
            radars.append(RadarSite(key, fidx[s.owner], build_radar(key, s, sid, fidx[s.owner])))
        elif isinstance(s, InfraredSpec):
            owner = fidx[s.owner]
            infrared.append(
                InfraredLayer(key, owner, build_infrared(key, s, sid, owner), s.report_delay)
            )

    from hoplon.earth.frames import WGS84, geodetic_to_ecef

    batteries = []
    for key, b in spec.batteries.items():
        itype = get_interceptor(b.interceptor)
        batteries.append(
            BatterySite(
                key=key,
                force=fidx[b.owner],
                interceptor=itype,
                site_ecef_m=np.asarray(geodetic_to_ecef(b.site.lat, b.site.lon, b.site.alt, WGS84)),
                site_alt_m=b.site.alt,
                inventory=b.launchers * b.missiles_per_launcher,
                launch_interval_s=b.launch_interval,
                fire_control=b.fire_control,
                engage_on_remote=b.engage_on_remote,
                tier=0 if itype.max_intercept_altitude_m > 100e3 else 1,
            )
        )

    assets = [
        DefendedAsset(
            name=k,
            lat_rad=a.site.lat,
            lon_rad=a.site.lon,
            radius_m=a.radius,
            value=a.value,
            owner=a.owner,
        )
        for k, a in spec.assets.items()
    ]

    forces = [
        Force(
            name=f,
            sensors=tuple(k for k, s in spec.sensors.items() if s.owner == f),
            batteries=tuple(k for k, b in spec.batteries.items() if b.owner == f),
            launch_on_remote=any(
                b.engage_on_remote for b in spec.batteries.values() if b.owner == f
            ),
            engage_on_remote=any(
                b.engage_on_remote for b in spec.batteries.values() if b.owner == f
            ),
        )
        for f in defenders
    ]
    links: list[Link] = []
    for link in spec.network.links:
        if link.bidirectional:
            links.extend(Link.both(link.from_, link.to, link.latency))
        else:
            links.append(Link(link.from_, link.to, link.latency))
    policies = {}
    for f in defenders:
        share = spec.network.sharing.get(f)
        if share is None or share.policy == "none":
            policies[f] = SharingPolicy.share_none()
        elif not share.to and not share.sensors:
            policies[f] = SharingPolicy.share_all()
        else:
            policies[f] = SharingPolicy(
                rules=(
                    ShareRule(
                        to=frozenset(share.to) or None,
                        origin_sensors=frozenset(share.sensors) or None,
                    ),
                )
            )
    network = Network(forces, links, policies)

    frame = []
    for i in range(len(defenders)):
        revisits = [r.radar.revisit_s for r in radars if r.force == i]
        frame.append(min(revisits) if revisits else math.inf)

    return World(
        spec=spec,
        model=model,
        forces=defenders,
        force_cycle_s=[spec.forces[f].command_cycle for f in defenders],
        force_reaction_s=[spec.forces[f].reaction_time for f in defenders],
        threats=threats,
        radars=radars,
        infrared=infrared,
        batteries=batteries,
        assets=assets,
        network=network,
        frame_period_s=frame,
    )
