"""The discrete-event engine: truth flies, sensors observe, trackers believe, command decides.

Principles (see DESIGN.md): truth, perception and decision are kept apart.

- **Truth**: each threat flies its compiled trajectory from its (dispersed) launch time;
  an intercept succeeds or fails on the true geometry and the shot's kill probability.
- **Perception**: radars observe truth at their dwells and emit noisy measurements; each
  defending force's tracker builds tracks from its *own* sensors' measurements only.
- **Decision**: each force's command node sees only its own tracks and the tracks its
  partners' sharing policies delivered to it (over links with latency). It predicts impact
  points, evaluates threats against the defended assets, and assigns batteries with the
  weapon-target assigner, launching at predicted intercept points computed from the
  tracks' predictions, never from truth. Remote (partner) tracks may be engaged only by
  batteries allowed to engage on remote.

Events at the same time are handled in the order of :class:`~hoplon.sim.events.EventKind`
(truth first), then in insertion order: a run is deterministic for a seed. Every random
draw comes from generators spawned from the run's seed (threat dispersion, each sensor,
the network, the kill draws).

Modelling choices to know:

- Radars of one force dwell on a common frame clock (the shortest revisit of its radars; a
  slower radar looks every k-th frame), so that the force's tracker sees one frame per dwell.
- Kill assessment is perfect and takes ``assessment_delay`` of the doctrine after the
  intercept; a missed threat becomes eligible for the doctrine's next stage.
- Interceptors fly to the predicted intercept point and receive midcourse updates: at the
  intercept the aim point is the engaged track's latest estimate (extrapolated to the
  intercept time), if the track still exists and the change of aim is within the midcourse
  divert (``MIDCOURSE_DIVERT_FRACTION`` of the flyout distance, at least
  ``MIDCOURSE_DIVERT_MIN_M``). The shot meets the true threat nearest its aim point if that
  threat is within the seeker's acquisition basket (``ACQUISITION_BASKET_M``); otherwise it
  misses. Only then is the kill drawn, with the interceptor's ``p_kill * reliability``.
- Space-based infrared layers give launch warnings (logged), not tracks.
- Air-breathing tracks (low and slow) are predicted in a straight line; ballistic tracks
  with the flight kernels (gravity, drag of a generic re-entry vehicle, rotating Earth).
- A shared track reaches its recipient at send time plus the link latency; deliveries are
  applied in arrival order when the recipient next looks (a command cycle, or an intercept's
  midcourse update), exactly as if each were an event at its arrival time.

A command cycle runs in four steps (:func:`command_cycle`): planning and commitment are per
trial, the numerical middle (path predictions, threat values, intercept solves) is batched
over every trial given, so :class:`~hoplon.sim.batch.BatchEngine` can run many trials in
lockstep with each trial's result exactly its own.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numba
import numpy as np

from hoplon.command.assignment import AssignmentProblem, Greedy, Layered, Optimal
from hoplon.command.network import TrackMessage
from hoplon.command.threat_evaluation import evaluate_threats
from hoplon.earth.constants import R_EARTH_MEAN_M
from hoplon.earth.frames import WGS84, ecef_to_geodetic
from hoplon.errors import InputError
from hoplon.flight.hermite import states_at
from hoplon.scenario.schema import ScenarioSpec, ShootLookShootSpec
from hoplon.sensors.measurements import MeasurementBatch
from hoplon.sim.events import EventKind, EventLog, EventQueue
from hoplon.sim.prediction import (
    PREDICTION_HORIZON_S,
    PREDICTION_STEP_S,
    impact_predictions,
    predict_paths,
)
from hoplon.sim.result import RunResult, frame_from_columns
from hoplon.sim.sharing import (
    C_ARRIVAL,
    C_ORIGIN,
    C_P,
    C_TIME,
    C_X,
    LANE_SHIFT,
    SENDER_SHIFT,
    TRACK_MASK,
    SharedTracks,
    track_keys,
)
from hoplon.sim.world import World, compile_world
from hoplon.tracking.deletion import Deleter
from hoplon.tracking.initiation import MofN
from hoplon.tracking.models import Ballistic
from hoplon.tracking.state import TrackSet, TrackStatus
from hoplon.tracking.tracker import Tracker
from hoplon.weapons.pip import ThreatPath, solve_pip

_CONFIRMED = int(TrackStatus.CONFIRMED)
_DELIVERY = int(EventKind.TRACK_DELIVERY)

#: Distance within which an interceptor's seeker acquires and can divert to a threat [m].
ACQUISITION_BASKET_M = 5_000.0
#: Largest change of aim point that midcourse updates can fly out: this fraction of the
#: distance from the launcher to the planned intercept point, and at least the minimum [m].
MIDCOURSE_DIVERT_FRACTION = 0.25
MIDCOURSE_DIVERT_MIN_M = 10_000.0
#: Time resolution of predicted-intercept solutions [s] (planning, not guidance).
PIP_TIME_TOLERANCE_S = 0.05
#: A track's prediction is recomputed when it is older than this [s].
PREDICTION_REFRESH_S = 12.0
#: Updates a track needs before it is engaged (its prediction must have settled).
MIN_TRACK_UPDATES = 6
#: Track quality needed to engage: position and velocity standard deviations (3-D).
MAX_POSITION_SIGMA_M = 1_500.0
MAX_VELOCITY_SIGMA_MPS = 250.0


@dataclass
class _Engagement:
    """A force's engagement of one picture entry (a track, own or remote)."""

    key: tuple[Any, ...]
    force: int
    stage: int
    status: str  # "in_flight", "killed", "missed"
    shots: list[int] = field(default_factory=list)
    last_position: np.ndarray | None = None
    last_time_s: float = 0.0


@dataclass
class _Shot:
    index: int
    battery: int
    force: int
    key: tuple[Any, ...]
    launch_s: float
    intercept_s: float
    r_pip: np.ndarray
    stage: int
    remote: bool
    threat: int = -1
    miss_m: float = math.nan
    hit: bool = False
    aim: np.ndarray | None = None
    planned_s: float = 0.0
    command: int = 0
    #: latitude, longitude [deg] and altitude [m] of ``aim`` (set with it at the intercept)
    aim_lla: tuple[float, float, float] | None = None


class Report(NamedTuple):
    """A shared track as a partner holds it (what :class:`TrackMessage` carries)."""

    track_id: tuple[Any, ...]
    time_s: float
    origin_sensors: frozenset[str]
    payload: tuple[np.ndarray, np.ndarray]


def confirmed_tracks(
    tracks: TrackSet, min_hits: int, bounds: list[int] | None = None
) -> tuple[Any, ...]:
    """The confirmed tracks of ``tracks`` with at least ``min_hits`` updates: track ids
    (list), states ``x[:, :6]``, covariances ``P[:, :6, :6]`` (copies), state times, the
    sensor-id sets (list) and, given the ``bounds`` of groups of rows (tracks of one trial
    each), the bounds of each group's part of the selection (else ``None``)."""
    mask = tracks.status == _CONFIRMED
    if min_hits > 0:
        mask &= tracks.hits >= min_hits
    return track_rows(tracks, np.flatnonzero(mask), bounds)


def track_rows(
    tracks: TrackSet, idx: np.ndarray, bounds: list[int] | None = None
) -> tuple[Any, ...]:
    """What :func:`confirmed_tracks` gives of the rows ``idx`` (ascending) of ``tracks``."""
    n = idx.size
    cut = None
    if bounds is not None:
        # a group's part starts at the number of selected rows before the group's first
        cut = np.searchsorted(idx, bounds).tolist() if n else [0] * len(bounds)
    if n == len(tracks):  # every row (in order)
        return (
            tracks.track_id.tolist(),
            tracks.x[:, :6].copy(),
            tracks.P[:, :6, :6].copy(),
            tracks.time_s.copy(),
            list(tracks.sensors),
            cut,
        )
    return (
        tracks.track_id[idx].tolist(),
        tracks.x[idx, :6],
        tracks.P[idx, :6, :6],
        tracks.time_s[idx],
        list(map(tracks.sensors.__getitem__, idx.tolist())),
        cut,
    )


def confirmed_part(every: tuple[Any, ...], rows: np.ndarray) -> tuple[Any, ...]:
    """The rows ``rows`` (ascending) of a :func:`confirmed_tracks` selection ``every`` made
    with ``bounds``, as :func:`confirmed_tracks` would have selected them."""
    ids, x, P, times, sensors, cut = every
    pick = rows.tolist()
    return (
        list(map(ids.__getitem__, pick)),
        x[rows],
        P[rows],
        times[rows],
        list(map(sensors.__getitem__, pick)),
        np.searchsorted(rows, cut).tolist() if len(pick) else [0] * len(cut),
    )


def tracker_options(spec: ScenarioSpec) -> dict[str, Any]:
    """The tracker every force runs (one per force, or one per force for many trials)."""
    tr = spec.tracking
    return {
        "transition_model": Ballistic(q=tr.process_noise**2, rotating=True, max_step_s=5.0),
        "filter": "ekf",
        "gate_probability": tr.gate_probability,
        "confirmation": MofN(tr.confirm_m, tr.confirm_n),
        "deleter": Deleter(max_misses=tr.delete_after_misses),
    }


def truth_states(
    world: World, t: float, launch_s: np.ndarray, threat_ids: np.ndarray
) -> np.ndarray:
    """True states (m, 7) at ``t`` of threats ``threat_ids`` launched at ``launch_s`` (each
    flies its compiled trajectory shifted to its launch time; NaN when not flying)."""
    group = world.trajectory_groups[0][threat_ids]
    table = world.truth_table
    return states_at(table, group, t - launch_s + table.t_s[table.start[group]])


def _rng_streams(seed: int, n_sensors: int) -> dict[str, Any]:
    ss = np.random.SeedSequence(seed)
    children = ss.spawn(4 + n_sensors)
    return {
        "threats": np.random.default_rng(children[0]),
        "network": np.random.default_rng(children[1]),
        "kill": np.random.default_rng(children[2]),
        "infrared": np.random.default_rng(children[3]),
        "sensors": [np.random.default_rng(c) for c in children[4:]],
    }


class Engine:
    """Runs one trial of a compiled :class:`World` for a seed (see module docstring)."""

    def __init__(
        self,
        world: World,
        seed: int,
        *,
        local_forces: list[str] | None = None,
        link: Any = None,
    ) -> None:
        self.world = world
        self.seed = int(seed)
        names = world.forces
        if local_forces is not None:
            unknown = [f for f in local_forces if f not in names]
            if unknown:
                raise InputError("--partner", f"unknown partner {unknown[0]!r}", ", ".join(names))
        #: Forces whose perception and decision run in this process (all, by default; one
        #: per process for partner nodes, see :mod:`hoplon.sim.partner`).
        self.local = {names.index(f) for f in (local_forces or names)}
        self.link = link
        self._truth_memo: tuple[Any, np.ndarray] | None = None

    # ------------------------------------------------------------------ truth helpers
    def _truth_states(self, t: float, threat_ids: np.ndarray) -> np.ndarray:
        """True states (n, 7) of the given threats at absolute time ``t`` (NaN if not flying).

        The last answer is kept: forces whose radars dwell at the same time share it."""
        key = (t, threat_ids.tobytes())
        if self._truth_memo is not None and self._truth_memo[0] == key:
            return self._truth_memo[1].copy()
        out = self._truth_states_uncached(t, threat_ids)
        self._truth_memo = (key, out.copy())
        return out

    def _truth_states_uncached(self, t: float, threat_ids: np.ndarray) -> np.ndarray:
        return truth_states(self.world, t, self.launch_s[threat_ids], threat_ids)

    def _flying(self, t: float) -> np.ndarray:
        """Indices of threats in flight and alive at ``t``."""
        return np.nonzero((self.launch_s <= t) & (t < self.impact_s) & (self.killed_s > t))[0]

    # ------------------------------------------------------------------ main loop
    def run(self) -> RunResult:
        """Run the trial to the scenario's end; returns its :class:`RunResult`."""
        self._setup()
        w = self.world
        for f in sorted(self.local):
            if math.isfinite(w.frame_period_s[f]):
                self.queue.push(0.0, EventKind.SENSOR_DWELL, force=f)
            self.queue.push(w.force_cycle_s[f], EventKind.COMMAND_CYCLE, force=f)
        for k, layer in enumerate(w.infrared):
            if layer.force in self.local:
                self.queue.push(0.0, EventKind.SENSOR_DWELL, infrared=k)
        return self._loop()

    def _setup(self, trackers: bool = True) -> None:
        """The trial's initial state, its random streams and its truth events (and its
        forces' trackers, unless a lockstep engine supplies them)."""
        w = self.world
        spec = w.spec
        n_threats = len(w.threats)
        rngs = _rng_streams(self.seed, len(spec.sensors))
        self.rngs = rngs
        sigma_launch = spec.dispersion.launch_time
        nominal = np.array([th.nominal_launch_s for th in w.threats], dtype=float)
        jitter = rngs["threats"].normal(0.0, 1.0, n_threats) * sigma_launch
        self.launch_s = nominal + (jitter if sigma_launch > 0 else 0.0)
        self.impact_s = self.launch_s + np.array([th.flight_time_s for th in w.threats])
        self.killed_s = np.full(n_threats, np.inf)
        self.killed_by = np.full(n_threats, -1)
        self.first_detect = np.full((len(w.forces), n_threats), np.nan)
        self.first_engaged = np.full((len(w.forces), n_threats), np.nan)
        self.warned = np.full((len(w.forces), n_threats), np.nan)
        self.log = EventLog()
        self.queue = EventQueue()
        self.shots: list[_Shot] = []
        self.engagements: list[dict[tuple[Any, ...], _Engagement]] = [{} for _ in w.forces]
        #: Shared tracks on their way to each force and the newest delivered of each
        #: track: this trial's lane of a store of the trials whose command cycles run
        #: together (see :mod:`hoplon.sim.sharing`), set on first use.
        self.net: SharedTracks | None = None
        self.lane = 0
        self.n_commands = 0
        self._block: _Block | None = None  # set by the first command cycle
        self._row = 0
        self.inventory = np.array([b.inventory for b in w.batteries], dtype=np.int64)
        self.next_launch = np.zeros(len(w.batteries))
        self.frame_index = [0 for _ in w.forces]
        cmd = spec.command
        self.doctrine = cmd.doctrine
        self.assigner = {
            "optimal": lambda: Optimal(time_limit_s=5.0),
            "layered": lambda: Layered(Greedy()),
        }.get(cmd.assigner, Greedy)()
        self.trackers: list[Any] = (
            [Tracker(**tracker_options(spec), owner=i, record=False) for i in range(len(w.forces))]
            if trackers
            else []
        )

        for i in range(n_threats):
            self.queue.push(self.launch_s[i], EventKind.THREAT_LAUNCH, threat=i)
            self.queue.push(self.impact_s[i], EventKind.IMPACT, threat=i)
        self.outbox: dict[str, list[Any]] = {"tracks": [], "kills": []}
        self.last_activity = float(self.impact_s.max()) if n_threats else 0.0
        self.handlers = {
            EventKind.THREAT_LAUNCH: self._on_launch,
            EventKind.IMPACT: self._on_impact,
            EventKind.SENSOR_DWELL: self._on_dwell,
            EventKind.COMMAND_CYCLE: self._on_command,
            EventKind.INTERCEPTOR_LAUNCH: self._on_interceptor_launch,
            EventKind.INTERCEPT: self._on_intercept,
            EventKind.KILL_ASSESSMENT: self._on_assessment,
        }

    def _loop(self) -> RunResult:
        spec = self.world.spec
        end = spec.duration

        handlers = self.handlers
        last_activity = self.last_activity
        period = self.link.period_s if self.link is not None else math.inf
        next_sync = period
        while len(self.queue) and self.queue.peek_time() <= end:
            while self.queue.peek_time() > next_sync:
                self._sync(next_sync, round(next_sync / period))
                next_sync += period
            ev = self.queue.pop()
            if (
                ev.time_s > last_activity
                and ev.kind in (EventKind.SENSOR_DWELL, EventKind.COMMAND_CYCLE)
                and not self._pending_shots(ev.time_s)
            ):
                continue  # nothing left to see or decide: let the clock run out
            handlers[ev.kind](ev.time_s, **ev.data)
        while next_sync <= end:  # both nodes make the same number of exchanges
            self._sync(next_sync, round(next_sync / period))
            next_sync += period
        if self.link is not None:
            self.link.close()
        return self._result()

    def _sync(self, t: float, tick: int) -> None:
        """Exchange this period's shared tracks and kills with the partner node."""
        bundle, self.outbox = self.outbox, {"tracks": [], "kills": []}
        reply = self.link.exchange(tick, bundle)
        w = self.world
        for rec in reply.get("tracks", []):
            recipient = w.force_index(rec["recipient"])
            if recipient not in self.local:
                continue
            report = Report(
                track_id=tuple(rec["track_id"]),
                time_s=rec["time_s"],
                origin_sensors=frozenset(rec["origin_sensors"]),
                payload=(np.asarray(rec["x"]), np.asarray(rec["P"])),
            )
            self._send(recipient, max(rec["arrival_s"], t), report)
        for kill in reply.get("kills", []):
            i = int(kill["threat"])
            if kill["time_s"] < self.killed_s[i]:
                self.killed_s[i] = kill["time_s"]
                self.killed_by[i] = w.battery_index(kill["battery"])
                self.log.add(
                    kill["time_s"],
                    "intercept_kill",
                    force=kill["force"],
                    battery=kill["battery"],
                    threat=i,
                    detail="reported by partner node",
                )

    def _pending_shots(self, t: float) -> bool:
        return any(s.intercept_s >= t for s in self.shots)

    # ------------------------------------------------------------------ truth events
    def _on_launch(self, t: float, threat: int) -> None:
        lat_deg, lon_deg = _points(self.world).launch[threat]
        self.log.add(
            t,
            "threat_launch",
            threat=threat,
            lat_deg=lat_deg,
            lon_deg=lon_deg,
            alt_m=0.0,
            detail=self.world.threats[threat].type,
        )

    def _on_impact(self, t: float, threat: int) -> None:
        if self.killed_s[threat] <= t:
            return
        lat_deg, lon_deg, alt, hit = _points(self.world).impact[threat]
        self.log.add(
            t,
            "impact",
            threat=threat,
            lat_deg=lat_deg,
            lon_deg=lon_deg,
            alt_m=alt,
            detail=hit,
        )

    # ------------------------------------------------------------------ perception
    def _on_dwell(self, t: float, force: int | None = None, infrared: int | None = None) -> None:
        w = self.world
        if infrared is not None:
            self._infrared_dwell(t, infrared)
            layer = w.infrared[infrared]
            self.queue.push(
                t + layer.constellation.revisit_s, EventKind.SENSOR_DWELL, infrared=infrared
            )
            return
        assert force is not None
        period = w.frame_period_s[force]
        frame = self.frame_index[force]
        self.frame_index[force] += 1
        self.queue.push(t + period, EventKind.SENSOR_DWELL, force=force)
        flying = self._flying(t)
        batches: list[MeasurementBatch] = []
        if len(flying):
            states = self._truth_states(t, flying)
            rcs = np.array([w.threats[i].rcs_m2 for i in flying])
            near_alt = _approximate_altitude(states[:, :3])
            for site in w.radars:
                if site.force != force:
                    continue
                every = max(1, round(site.radar.revisit_s / period))
                if frame % every:
                    continue
                if not site.radar.false_alarms and not _may_see(site, states[:, :3], near_alt):
                    continue  # nothing within range and above the horizon: skip the dwell
                sid = site.radar.sensor_id
                batch = site.radar.observe(
                    t, states[:, :3], rcs, self.rngs["sensors"][sid], truth_id=flying
                )
                if len(batch):
                    batches.append(batch)
                    seen = batch.truth_id[batch.truth_id >= 0]
                    first = np.isnan(self.first_detect[force, seen])
                    for i in seen[first]:
                        self.first_detect[force, i] = t
                        self.log.add(
                            t,
                            "first_detection",
                            force=w.forces[force],
                            sensor=site.key,
                            threat=int(i),
                        )
        if batches:
            frame_batch = MeasurementBatch.concatenate(batches) if len(batches) > 1 else batches[0]
            self.trackers[force].step_frame([frame_batch])
        elif len(self.trackers[force].tracks):
            # an empty frame still ages tracks (misses) so lost tracks are deleted
            self.trackers[force].step_frame([], t_s=t)

    def _infrared_dwell(self, t: float, k: int) -> None:
        w = self.world
        layer = w.infrared[k]
        flying = self._flying(t)
        if not len(flying):
            return
        boosting = np.array([t - self.launch_s[i] < w.threats[i].burnout_s for i in flying])
        if not boosting.any():
            return
        states = self._truth_states(t, flying)
        batch = layer.constellation.observe(
            t, states[:, :3], boosting, self.rngs["infrared"], truth_id=flying
        )
        for i in np.unique(batch.truth_id):
            self._warn(t, layer, int(i))

    def _warn(self, t: float, layer: Any, threat: int) -> None:
        """Layer ``layer`` saw ``threat`` boosting at ``t``: its first launch warning."""
        if np.isnan(self.warned[layer.force, threat]):
            self.warned[layer.force, threat] = t + layer.report_delay_s
            self.log.add(
                t + layer.report_delay_s,
                "launch_warning",
                force=self.world.forces[layer.force],
                sensor=layer.key,
                threat=threat,
            )

    # ------------------------------------------------------------------ network
    def _share(self, t: float, force: int) -> None:
        """Send the force's confirmed tracks to the partners its policy allows."""
        _share_lanes(t, force, [self])

    def _n_tracks(self, force: int) -> int:
        """How many tracks ``force``'s tracker holds."""
        tr = self.trackers[force]
        return len(tr.tracks) if isinstance(tr, Tracker) else tr.n_tracks

    def _confirmed(self, force: int, min_hits: int) -> tuple[Any, ...]:
        """Ids, states, covariances, times and sensor sets of ``force``'s confirmed tracks
        with at least ``min_hits`` updates (:func:`confirmed_tracks`)."""
        tr = self.trackers[force]
        if isinstance(tr, Tracker):
            return confirmed_tracks(tr.tracks, min_hits)[:5]
        return tr.confirmed(min_hits)  # a lane of a BatchEngine

    def _share_routes(
        self, force: int, ids: frozenset[int]
    ) -> tuple[frozenset[str], tuple[tuple[int, float], ...] | None]:
        """The key set of sensor ids ``ids`` and the ``(recipient index, latency [s])`` of
        every partner a track of ``force`` built from them goes to (``None``: a lossy link)."""
        w = self.world
        origin = w.sensor_names.get(ids)
        if origin is None:
            origin = w.sensor_names[ids] = frozenset(w.sensor_keys[s] for s in ids)
        routes = w.network.routes(w.forces[force], origin)
        if routes is None:
            return origin, None
        return origin, tuple((w.force_index(dst), latency) for dst, latency in routes)

    def _share_lossy(self, name: str, report: Report) -> None:
        """Send one track over links that may lose it (each delivery drawn)."""
        w = self.world
        msg = TrackMessage(
            track_id=report.track_id,
            sender=name,
            time_s=report.time_s,
            origin_sensors=report.origin_sensors,
            payload=report.payload,
        )
        for d in w.network.deliveries(msg, self.rngs["network"])[1:]:
            r = w.force_index(d.recipient)
            if r in self.local:
                self._send(r, d.arrival_time_s, report)
            else:
                self._outbox_track(d.recipient, d.arrival_time_s, name, report)

    def _outbox_track(self, recipient: str, arrival: float, name: str, report: Report) -> None:
        """A shared track for a partner run by another node (sent when the node syncs)."""
        x, P = report.payload
        self.outbox["tracks"].append(
            {
                "recipient": recipient,
                "arrival_s": arrival,
                "track_id": list(report.track_id),
                "sender": name,
                "time_s": report.time_s,
                "origin_sensors": sorted(report.origin_sensors),
                "x": x.tolist(),
                "P": P.tolist(),
            }
        )

    def _shared(self) -> SharedTracks:
        """This trial's shared-track store (a store of its own, unless a command cycle has
        bound it to one of the trials it runs together, see ``_plan_cycle``)."""
        if self.net is None:
            _bind_shared([self])
        return self.net  # type: ignore[return-value]

    def _send(self, recipient: int, arrival_s: float, report: Report) -> None:
        """Put a shared track on its way to ``recipient`` (it arrives at ``arrival_s``)."""
        w = self.world
        net = self._shared()
        sender, tid = report.track_id
        x, P = report.payload
        keys = w.sensor_keys
        ids = frozenset(keys.index(k) for k in report.origin_sensors)
        R = net.rows(
            np.array([report.time_s], dtype=float), x[None], P[None], self.n_commands, [ids]
        )
        R[0, C_ARRIVAL] = arrival_s
        net.send(recipient, R, track_keys(self.lane, w.force_index(sender), int(tid))[None])

    @property
    def remote(self) -> list[dict[tuple[Any, ...], Report]]:
        """What each force holds of its partners' tracks in this trial: track id (sender,
        id) -> :class:`Report` (copies; the shared tracks live in ``self.net``)."""
        w = self.world
        out: list[dict[tuple[Any, ...], Report]] = []
        net = self._shared()
        for f in range(len(w.forces)):
            R, K = net.lane_rows(f, self.lane)
            box = {}
            for row, k in zip(R, K.tolist(), strict=True):
                tid = (w.forces[(k >> SENDER_SHIFT) & 0xFF], k & TRACK_MASK)
                ids = net.origins[int(row[C_ORIGIN])]
                origin = frozenset(w.sensor_keys[i] for i in ids)
                x, P = row[C_X : C_X + 6].copy(), row[C_P:].reshape(6, 6).copy()
                box[tid] = Report(tid, float(row[C_TIME]), origin, (x, P))
            out.append(box)
        return out

    def _receive(self, recipient: int, t: float, kind: EventKind) -> None:
        """Deliver to ``recipient`` what has arrived before an event ``kind`` at ``t``.

        Deliveries are applied in arrival order, as if each were an event of kind
        ``TRACK_DELIVERY`` at its arrival time (simultaneous events run in the order of
        :class:`EventKind`); a delivery that would arrive when the trial has nothing left to
        see or decide is dropped, as the engine drops such events.
        """
        net = self.net
        if net is not None and net.pending[recipient]:
            # (arrival, TRACK_DELIVERY) comes before (t, kind)
            lane = self.lane if net.n_lanes > 1 else None
            net.receive(recipient, t, _DELIVERY < int(kind), lane)

    # ------------------------------------------------------------------ decision
    def _stage_shots(self, stage: int) -> int:
        d = self.doctrine
        if isinstance(d, ShootLookShootSpec):
            return d.first if stage == 0 else (d.second if stage == 1 else 0)
        return d.shots if stage == 0 else 0

    def _assessment_delay(self) -> float:
        d = self.doctrine
        return d.assessment_delay if isinstance(d, ShootLookShootSpec) else 5.0

    def _on_command(self, t: float, force: int) -> None:
        self.queue.push(t + self.world.force_cycle_s[force], EventKind.COMMAND_CYCLE, force=force)
        command_cycle(t, force, [self])

    def _commit(
        self,
        t: float,
        force: int,
        *,
        bats: list[int],
        keys: list[tuple[Any, ...]],
        p: np.ndarray,
        t_launch: np.ndarray,
        t_int: np.ndarray,
        r_pip: np.ndarray,
        earliest_launch: np.ndarray,
        value: np.ndarray,
        stage: np.ndarray,
        is_remote: np.ndarray,
        shots_per_threat: np.ndarray,
        tier: np.ndarray,
    ) -> None:
        """Last step of a command cycle with a shot due: assign the batteries ``bats`` that
        may fire to the picture entries ``keys`` and commit the shots due now.

        ``p``, ``t_launch`` [s], ``t_int`` [s] and ``r_pip`` [m] are per battery and entry
        (0 / NaN where the pair is infeasible); ``earliest_launch`` [s] per battery; the
        entries' threat values, doctrine stages, whether each is a remote track and the
        doctrine's shots at each (int64); the batteries' tiers (int64)."""
        w = self.world
        cycle = w.force_cycle_s[force]
        B = len(bats)
        # (the arrays are built here as the constructor would make them: no checks needed)
        problem = AssignmentProblem.from_arrays(
            p_kill=p,
            threat_value=value,
            inventory=self.inventory[bats],
            feasible=np.isfinite(t_launch),
            launch_time_s=t_launch,
            max_shots_per_pair=np.full(B, max(int(shots_per_threat.max()), 1), dtype=np.int64),
            max_shots_per_threat=shots_per_threat,
            reserve=np.full(B, w.spec.command.reserve, dtype=np.int64),
            tier=tier,
        )
        shots_of = getattr(self.assigner, "shots", None)
        if shots_of is not None:  # (the shot matrix alone: no Assignment to build)
            shots = shots_of(problem)
            cb, tb = np.nonzero(shots)
            rows = zip(cb.tolist(), tb.tolist(), shots[cb, tb].tolist(), cb.tolist(), strict=True)
        else:
            rows = self.assigner.assign(problem).rows()
        eng = self.engagements[force]
        for col, j, n, _ in rows:
            if n <= 0 or not t_launch[col, j] <= earliest_launch[col] + cycle:
                continue  # planned, not yet committed: re-planned next cycle on a newer track
            b = bats[col]
            bat = w.batteries[b]
            key = keys[j]
            st = int(stage[j])
            remote = bool(is_remote[j])
            e = eng.get(key)
            if e is None:
                e = _Engagement(key=key, force=force, stage=st, status="in_flight")
                eng[key] = e
                self._block.engage(force, self._block.code(self.lane, force, key, w.forces))
            e.stage, e.status = st, "in_flight"
            flyout = t_int[col, j] - t_launch[col, j]
            self.log.add(
                t,
                "engage",
                force=w.forces[force],
                battery=bat.key,
                track=str(key),
                detail=f"stage {st}, {n} shot(s)" + (", on remote track" if remote else ""),
            )
            for k in range(n):
                tl = max(t_launch[col, j], self.next_launch[b]) + (
                    k * bat.launch_interval_s
                    if k and self.next_launch[b] <= t_launch[col, j]
                    else 0.0
                )
                self.next_launch[b] = tl + bat.launch_interval_s
                self.inventory[b] -= 1
                shot = _Shot(
                    index=len(self.shots),
                    battery=b,
                    force=force,
                    key=key,
                    launch_s=tl,
                    intercept_s=tl + flyout,
                    r_pip=r_pip[col, j].copy(),
                    stage=st,
                    remote=remote,
                    planned_s=t,
                    command=self.n_commands,
                )
                self.shots.append(shot)
                e.shots.append(shot.index)
                self.queue.push(tl, EventKind.INTERCEPTOR_LAUNCH, shot=shot.index)
                self.queue.push(shot.intercept_s, EventKind.INTERCEPT, shot=shot.index)

    def _on_interceptor_launch(self, t: float, shot: int) -> None:
        s = self.shots[shot]
        bat = self.world.batteries[s.battery]
        self.log.add(
            t,
            "interceptor_launch",
            force=self.world.forces[s.force],
            battery=bat.key,
            shot=shot,
            track=str(s.key),
            detail=bat.interceptor.name + (" (remote track)" if s.remote else ""),
        )

    def _on_intercept(self, t: float, shot: int) -> None:
        s = self.shots[shot]
        w = self.world
        flying = self._flying(t)
        aim = self._updated_aim(t, s)
        s.aim = aim
        la, lo, al = ecef_to_geodetic(aim, WGS84)
        s.aim_lla = (math.degrees(float(la)), math.degrees(float(lo)), float(al))
        if len(flying):
            # (not kept for the dwells: an intercept rarely falls on a frame time)
            states = self._truth_states_uncached(t, flying)
            x = states[:, :3] - aim
            d = np.sqrt(np.add.reduce(x * x, axis=1))  # (what np.linalg.norm(x, axis=1) is)
            j = int(np.argmin(d))
            s.miss_m = float(d[j])  # to the nearest threat, met or not
            if s.miss_m <= ACQUISITION_BASKET_M:
                s.threat = int(flying[j])
        if s.threat >= 0:
            itype = w.batteries[s.battery].interceptor
            s.hit = bool(self.rngs["kill"].random() < itype.p_kill * itype.reliability)
        if s.hit:
            self.killed_s[s.threat] = t
            self.killed_by[s.threat] = s.battery
            if self.link is not None:
                self.outbox["kills"].append(
                    {
                        "threat": s.threat,
                        "time_s": t,
                        "battery": w.batteries[s.battery].key,
                        "force": w.forces[s.force],
                    }
                )
        force = w.forces[s.force]
        self.log.add(
            t,
            "intercept_kill" if s.hit else "intercept_miss",
            force=force,
            battery=w.batteries[s.battery].key,
            shot=shot,
            threat=s.threat if s.threat >= 0 else None,
            track=str(s.key),
            lat_deg=s.aim_lla[0],
            lon_deg=s.aim_lla[1],
            alt_m=s.aim_lla[2],
            detail=f"miss distance {s.miss_m:.0f} m",
        )
        if s.threat >= 0 and np.isnan(self.first_engaged[s.force, s.threat]):
            self.first_engaged[s.force, s.threat] = s.launch_s
        e = self.engagements[s.force].get(s.key)
        if e is not None and e.shots and e.shots[-1] == shot:
            self.queue.push(
                t + self._assessment_delay(), EventKind.KILL_ASSESSMENT, force=s.force, key=s.key
            )

    def _updated_aim(self, t: float, s: _Shot) -> np.ndarray:
        """Aim point after midcourse updates (a belief, never truth).

        The engaged track's latest estimate, extrapolated to ``t``; if that track is gone,
        the force's track (own or delivered) nearest the planned point. The aim moves only
        within the midcourse divert of the planned intercept point.
        """
        self._receive(s.force, t, EventKind.INTERCEPT)
        tracker = self.trackers[s.force]
        # the engaged track, own or delivered (estimates extrapolated as x + v (t - t_x))
        if s.key[0] == "own":
            batch = getattr(tracker, "_batch", None)
            if batch is not None:
                # a lockstep lane: look in the lane's rows of the force's tracks grouped by
                # lane (what its view holds) without building the view
                grouped, bounds = batch._grouped(s.force)
                lo = bounds[self.lane]
                own = grouped.track_id[lo : bounds[self.lane + 1]]
            else:
                grouped, lo = tracker.tracks, 0
                own = grouped.track_id
            hit = np.flatnonzero(own == s.key[2])
            if len(hit):
                i = lo + int(hit[0])
                x = grouped.x[i, :6]
                return self._within_divert(s, x[:3] + x[3:6] * (t - float(grouped.time_s[i])))
        tracks = tracker.tracks
        R, K = self._shared().lane_rows(s.force, self.lane)
        if s.key[0] != "own" and len(K):
            sender = self.world.forces.index(s.key[1])
            hit = np.flatnonzero(
                (((K >> SENDER_SHIFT) & 0xFF) == sender) & ((K & TRACK_MASK) == s.key[2])
            )
            if len(hit):
                x = R[hit[0], C_X : C_X + 6]
                return self._within_divert(s, x[:3] + x[3:6] * (t - float(R[hit[0], C_TIME])))
        if not len(tracks) and not len(K):
            return s.r_pip
        # gone: the nearest estimate to the planned point
        X, tx = tracks.x, tracks.time_s
        pts = np.concatenate(
            [
                X[:, 0:3] + X[:, 3:6] * (t - tx)[:, None],
                R[:, C_X : C_X + 3] + R[:, C_X + 3 : C_X + 6] * (t - R[:, C_TIME])[:, None],
            ]
        )
        return self._within_divert(s, pts[int(np.argmin(np.linalg.norm(pts - s.r_pip, axis=1)))])

    def _within_divert(self, s: _Shot, aim: np.ndarray) -> np.ndarray:
        """``aim`` if the shot can divert to it from its planned point, else the planned
        point."""
        # (|v| as np.linalg.norm computes it for a vector: sqrt(v . v))
        v = s.r_pip - self.world.batteries[s.battery].site_ecef_m
        reach = max(MIDCOURSE_DIVERT_FRACTION * math.sqrt(v.dot(v)), MIDCOURSE_DIVERT_MIN_M)
        v = aim - s.r_pip
        if math.sqrt(v.dot(v)) > reach:
            return s.r_pip
        return aim

    def _on_assessment(self, t: float, force: int, key: tuple[Any, ...]) -> None:
        e = self.engagements[force][key]
        stage_shots = [self.shots[i] for i in e.shots if self.shots[i].stage == e.stage]
        killed = any(s.hit for s in stage_shots)
        e.status = "killed" if killed else "missed"
        self.log.add(
            t,
            "kill_assessment",
            force=self.world.forces[force],
            track=str(key),
            detail="killed" if killed else "missed",
        )

    # ------------------------------------------------------------------ results
    def _result(self) -> RunResult:
        """The trial's :class:`RunResult`; its tables are given as plain columns, made
        into frames when first read (:meth:`RunResult.from_columns`; the frames equal
        those of the rows as dicts, which the tests build as the reference)."""
        w = self.world
        end = w.spec.duration
        pts = _points(w)
        n = len(w.threats)
        intercepted = self.killed_s < np.inf
        leaked = ~intercepted & (self.impact_s <= end)
        outcome = np.where(intercepted, "intercepted", np.where(leaked, "leaked", "in flight"))
        outcome_list = outcome.tolist()
        if n:
            killed_by = [w.batteries[b].key if b >= 0 else None for b in self.killed_by.tolist()]
            data: dict[str, Any] = {
                "threat": list(range(n)),
                "type": [th.type for th in w.threats],
                "kind": [th.kind for th in w.threats],
                "raid": [th.raid for th in w.threats],
                "target": [th.target for th in w.threats],
                "launch_s": np.array(self.launch_s, dtype=float),
                "impact_s": np.where(intercepted, np.nan, self.impact_s),
                "outcome": outcome_list,
                "intercept_s": np.where(intercepted, self.killed_s, np.nan),
                "killed_by": killed_by,
                "impact_lat_deg": np.where(leaked, pts.impact_lat_deg, np.nan),
                "impact_lon_deg": np.where(leaked, pts.impact_lon_deg, np.nan),
            }
            for f, name in enumerate(w.forces):
                data[f"first_detection_s_{name}"] = np.array(self.first_detect[f], dtype=float)
                data[f"launch_warning_s_{name}"] = np.array(self.warned[f], dtype=float)
            threats: dict[str, Any] | None = data
        else:
            threats = None
        fired = [s for s in self.shots if s.launch_s <= end]
        if fired:
            site = [pts.site[s.battery] for s in fired]
            aim = [
                s.aim_lla
                if s.aim_lla is not None
                else _lla_degrees(s.aim if s.aim is not None else s.r_pip)
                for s in fired
            ]
            bats = w.batteries
            shot_battery = [bats[s.battery].key for s in fired]
            shot_force = [w.forces[s.force] for s in fired]
            shot_remote = [s.remote for s in fired]
            shots: dict[str, Any] | None = {
                "shot": [s.index for s in fired],
                "battery": shot_battery,
                "force": shot_force,
                "interceptor": [bats[s.battery].interceptor.name for s in fired],
                "launch_s": [s.launch_s for s in fired],
                "intercept_s": [s.intercept_s for s in fired],
                "track": [str(s.key) for s in fired],
                "remote_track": shot_remote,
                "stage": [s.stage for s in fired],
                "threat": [s.threat for s in fired],
                "miss_distance_m": [s.miss_m for s in fired],
                "hit": [s.hit for s in fired],
                "site_lat_deg": [p[0] for p in site],
                "site_lon_deg": [p[1] for p in site],
                "site_alt_m": [p[2] for p in site],
                "aim_lat_deg": [p[0] for p in aim],
                "aim_lon_deg": [p[1] for p in aim],
                "aim_alt_m": [p[2] for p in aim],
            }
        else:
            shot_battery, shot_force, shot_remote = [], [], []
            shots = None
        # leakers that hit each asset (whether a threat's impact point hits an asset is a
        # property of the world, see _points)
        leakers_hit = (pts.asset_hit & leaked).sum(axis=1).tolist() if n else [0] * len(w.assets)
        survived = [k == 0 for k in leakers_hit]
        asset_columns = ["asset", "owner", "value", "leakers_hit", "survived"]
        assets: dict[str, Any] | None = None
        if w.assets:
            assets = {
                "asset": [a.name for a in w.assets],
                "owner": [a.owner for a in w.assets],
                "value": [a.value for a in w.assets],
                "leakers_hit": leakers_hit,
                "survived": survived,
            }
        fired_by = Counter(shot_battery)
        by_battery = {b.key: fired_by[b.key] for b in w.batteries}
        fired_by_force = Counter(shot_force)
        by_force = {f: fired_by_force[f] for f in w.forces}
        outcomes = Counter(outcome_list)
        lost = [a for a, ok in zip(w.assets, survived, strict=True) if not ok]
        summary = {
            "threats": n,
            "intercepted": outcomes["intercepted"],
            "leakers": outcomes["leaked"],
            "in_flight_at_end": outcomes["in flight"],
            "interceptors_fired": len(fired),
            "interceptors_by_battery": by_battery,
            "interceptors_by_force": by_force,
            "interceptors_on_remote_tracks": sum(1 for r in shot_remote if r),
            "assets_hit": [a.name for a in lost],
            "value_lost": float(sum(a.value for a in lost)),
        }
        log = EventLog()  # (the events so far: the frame is made when first read)
        log.entries = list(self.log.entries)
        return RunResult.from_columns(
            scenario=w.spec.name,
            seed=self.seed,
            tables={
                "events": log.to_frame,
                "threats": functools.partial(frame_from_columns, threats),
                "shots": functools.partial(frame_from_columns, shots, SHOT_COLUMNS),
                "assets": functools.partial(frame_from_columns, assets, asset_columns),
            },
            summary=summary,
            trajectories={
                "threats": {i: th.trajectory for i, th in enumerate(w.threats)},
                "launch_s": self.launch_s.copy(),
            },
            columns={"threats": threats, "shots": shots, "assets": assets},
        )


# ---------------------------------------------------------------------- the command cycle
# One command cycle of one force runs in four steps. The first (what may be engaged) and
# the last (assignment and commitment) are per trial; the middle steps (predictions, threat
# values, predicted intercept points) are the numerical work and run batched over every
# trial given, so that :class:`~hoplon.sim.batch.BatchEngine` pays them once for many
# trials. Each trial's numbers are those it would get alone (every batched calculation is
# row by row).


class _Table:
    """One force's latest prediction of every picture entry of the trials sharing it, and
    what was derived from it, as slot arrays (``slot_of`` maps each entry's code, which
    names its trial, to its slot).

    Per slot: when the prediction was made [s], its grid start [s], positions (a reference
    to the row of the cycle's predictions), impact time [s] and point [m], threat value and,
    per battery of the force (columns in ``World.force_batteries`` order), the intercept
    solution: state (-1 not solved, 0 infeasible, 1 feasible), launch time [s], earliest
    intercept time [s] and intercept point [m]. A slot whose prediction is older than
    ``PREDICTION_REFRESH_S`` would be predicted again before any use, so its key is dropped
    and the slot reused when the table is full.
    """

    def __init__(self, n_cols: int, capacity: int = 64) -> None:
        self.n_cols = n_cols
        self.made = np.full(capacity, -np.inf)
        self.grid0 = np.zeros(capacity)
        self.t_imp = np.full(capacity, np.nan)
        self.r_imp = np.full((capacity, 3), np.nan)
        self.has_value = np.zeros(capacity, dtype=bool)
        self.value = np.zeros(capacity)
        self.state = np.full((capacity, n_cols), -1, dtype=np.int8)
        self.tl = np.full((capacity, n_cols), np.nan)
        self.te = np.full((capacity, n_cols), np.nan)
        self.rp = np.full((capacity, n_cols, 3), np.nan)
        self.path: list[Any] = [None] * capacity
        self.owner: list[Any] = [None] * capacity
        self.slot_of: dict[int, int] = {}
        self.free = list(range(capacity - 1, -1, -1))

    def alloc(self, t: float, code: int) -> int:
        """A slot for entry ``code`` (made at ``t``)."""
        if not self.free:
            self._recycle(t)
        s = self.free.pop()
        self.owner[s] = code
        self.made[s] = t
        self.slot_of[code] = s
        return s

    def _recycle(self, t: float) -> None:
        """Free the slots no cycle can use again (older than the refresh); grow if few."""
        cap = len(self.made)
        old = np.flatnonzero(t - self.made > PREDICTION_REFRESH_S).tolist()
        for s in old:
            del self.slot_of[self.owner[s]]
            self.owner[s] = self.path[s] = None
            self.made[s] = -np.inf
        self.free.extend(reversed(old))
        if len(old) <= cap // 4:  # (a quarter or less reusable: grow)
            grow = cap
            self.made = np.concatenate([self.made, np.full(grow, -np.inf)])
            self.grid0 = np.concatenate([self.grid0, np.zeros(grow)])
            self.t_imp = np.concatenate([self.t_imp, np.full(grow, np.nan)])
            self.r_imp = np.concatenate([self.r_imp, np.full((grow, 3), np.nan)])
            self.has_value = np.concatenate([self.has_value, np.zeros(grow, dtype=bool)])
            self.value = np.concatenate([self.value, np.zeros(grow)])
            nc = self.n_cols
            self.state = np.concatenate([self.state, np.full((grow, nc), -1, dtype=np.int8)])
            self.tl = np.concatenate([self.tl, np.full((grow, nc), np.nan)])
            self.te = np.concatenate([self.te, np.full((grow, nc), np.nan)])
            self.rp = np.concatenate([self.rp, np.full((grow, nc, 3), np.nan)])
            self.path.extend([None] * grow)
            self.owner.extend([None] * grow)
            self.free.extend(range(cap + grow - 1, cap - 1, -1))


class _Block:
    """The command state of trials (engines of one world) that run their command cycles
    together: their batteries' next launch times and inventories as rows of shared
    matrices (each engine's own arrays are views of its row) and one :class:`_Table` of
    predictions per force."""

    def __init__(self, engines: list[Engine]) -> None:
        w = engines[0].world
        self.next_launch = np.stack([e.next_launch for e in engines])
        self.inventory = np.stack([e.inventory for e in engines])
        for k, e in enumerate(engines):
            e.next_launch, e.inventory = self.next_launch[k], self.inventory[k]
            e._block, e._row = self, k
        self.tables = [_Table(len(w.force_batteries[f])) for f in range(len(w.forces))]
        #: per force, per battery column: interceptor reaction [s], p_kill * reliability,
        #: may engage on remote tracks
        self.reaction, self.pk, self.on_remote = [], [], []
        for bats in w.force_batteries:
            types = [w.batteries[b].interceptor for b in bats]
            self.reaction.append(np.array([it.reaction_time_s for it in types]))
            self.pk.append(np.array([it.p_kill * it.reliability for it in types]))
            on_remote = [w.batteries[b].engage_on_remote for b in bats]
            self.on_remote.append(np.array(on_remote, dtype=bool))
        #: per force, per battery column: defence tier (int64)
        self.tier = [
            np.array([w.batteries[b].tier for b in bats], dtype=np.int64)
            for bats in w.force_batteries
        ]
        #: per force: codes of the entries engaged in any trial (see :meth:`engaged`)
        self._engaged: list[set[int]] = [set() for _ in w.forces]
        self._engaged_arr: list[np.ndarray | None] = [None for _ in w.forces]
        #: per force: picture key of each entry code (made once per entry; a force's own
        #: track is a partner's remote one, with the same code)
        self._key_of: list[dict[int, tuple[Any, ...]]] = [{} for _ in w.forces]
        #: the doctrine's shots at an entry by stage (0, 1, later)
        e0 = engines[0]
        self.stage_shots = np.array([e0._stage_shots(0), e0._stage_shots(1), 0], dtype=np.int64)
        #: per force, per interceptor type: its battery columns, sites [m], site
        #: altitudes [m], type and flyout table
        self.types: list[list[tuple[Any, ...]]] = []
        for f, bats in enumerate(w.force_batteries):
            col_of = {b: c for c, b in enumerate(bats)}
            per_type = []
            for type_bats in w.force_types[f].values():
                itype = w.batteries[type_bats[0]].interceptor
                per_type.append(
                    (
                        np.array([col_of[b] for b in type_bats], dtype=np.int64),
                        np.array([w.batteries[b].site_ecef_m for b in type_bats]),
                        np.array([w.batteries[b].site_alt_m for b in type_bats]),
                        itype,
                        _table(itype),
                    )
                )
            self.types.append(per_type)

    def engage(self, force: int, code: int) -> None:
        """Entry ``code`` is engaged by ``force`` (in the trial its code names)."""
        if code not in self._engaged[force]:
            self._engaged[force].add(code)
            self._engaged_arr[force] = None

    def engaged(self, force: int, codes: np.ndarray) -> np.ndarray:
        """Which of entry ``codes`` ``force`` has engaged in their trial (bool)."""
        arr = self._engaged_arr[force]
        if arr is None:
            arr = np.sort(np.fromiter(self._engaged[force], dtype=np.int64))
            self._engaged_arr[force] = arr
        if not len(arr):
            return np.zeros(len(codes), dtype=bool)
        pos = np.minimum(np.searchsorted(arr, codes), len(arr) - 1)
        return arr[pos] == codes

    def keys_of(self, codes: np.ndarray, names: list[str], force: int) -> list[tuple[Any, ...]]:
        """Picture keys of entry codes of ``force``'s picture: ``("own", force, track
        id)`` for its own tracks, ``("remote", sender, track id)`` for partners'."""
        key_of = self._key_of[force]
        lst = codes.tolist()
        out = list(map(key_of.get, lst))
        if None in out:
            for i, code in enumerate(lst):
                if out[i] is None:
                    sender = (code >> SENDER_SHIFT) & 0xFF
                    tid = code & TRACK_MASK
                    own = sender == force
                    key = ("own", force, tid) if own else ("remote", names[sender], tid)
                    out[i] = key_of[code] = key
        return out

    def code(self, lane: int, force: int, key: tuple[Any, ...], names: list[str]) -> int:
        """The code of picture entry ``key`` of ``force`` in the trial of lane ``lane``."""
        sender = force if key[0] == "own" else names.index(key[1])
        return (lane << LANE_SHIFT) | (sender << SENDER_SHIFT) | int(key[2])


@dataclass
class _Cycle:
    """What the trials' command nodes consider in one cycle of ``force``: the eligible
    picture entries of every trial as rows, grouped by trial (``lane_of`` is sorted)."""

    t: float
    force: int
    world: World
    block: _Block
    #: the trials with a picture, their rows in the block's matrices
    lanes: list[Engine]
    brow: np.ndarray
    #: per trial and battery column of the force: may fire (inventory above the reserve)
    usable: np.ndarray
    lane_of: np.ndarray
    #: each row's entry code (trial, sender, track id; see :meth:`_Block.keys_of`)
    codes: np.ndarray
    x: np.ndarray
    P: np.ndarray
    tx: np.ndarray
    remote: np.ndarray
    stage: np.ndarray
    #: each row's slot in the force's table and its row in this cycle's new predictions
    slots: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    fresh: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    value: np.ndarray = field(default_factory=lambda: np.empty(0))
    #: per trial and battery column: earliest launch planned now [s]
    t_min: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))

    def select(self, keep: np.ndarray) -> None:
        """Keep only the rows ``keep`` (a boolean mask)."""
        self.lane_of = self.lane_of[keep]
        self.codes = self.codes[keep]
        self.x, self.P, self.tx = self.x[keep], self.P[keep], self.tx[keep]
        self.remote, self.stage = self.remote[keep], self.stage[keep]
        self.slots, self.fresh = self.slots[keep], self.fresh[keep]

    def bounds(self) -> list[int]:
        """Each trial's rows: ``bounds[g]:bounds[g + 1]``."""
        return np.searchsorted(self.lane_of, np.arange(len(self.lanes) + 1)).tolist()


def command_cycle(t: float, force: int, engines: list[Engine]) -> None:
    """One command cycle of ``force`` at ``t`` in each of ``engines`` (trials of one world)."""
    new = [e for e in engines if e._block is None]
    if new:
        _Block(new)
    block = engines[0]._block
    if all(e._block is block for e in engines):
        _cycle(t, force, engines)
        return
    groups: dict[int, list[Engine]] = {}
    for e in engines:
        groups.setdefault(id(e._block), []).append(e)
    for group in groups.values():
        _cycle(t, force, group)


def _cycle(t: float, force: int, engines: list[Engine]) -> None:
    """One command cycle of trials that share a :class:`_Block`."""
    cyc = _plan_cycle(t, force, engines)
    if not cyc:  # (None or no trial with a picture)
        return
    grid, new = _predict_cycle(cyc)
    if not _value_cycle(cyc, grid, new):
        return
    _pip_cycle(cyc, grid, new)
    _commit_cycle(cyc)


def _bind_shared(engines: list[Engine]) -> SharedTracks:
    """One shared-track store for ``engines`` (trials of one world), lane ``k`` for the
    ``k``-th."""
    net = SharedTracks(len(engines[0].world.forces), len(engines))
    for k, e in enumerate(engines):
        e.net, e.lane = net, k
        net.bind(k, e)
    net.same_local = all(e.local == engines[0].local for e in engines)
    return net


def _confirmed_lanes(
    engines: list[Engine], force: int, min_hits: int, trackers: list[Any] | None = None
) -> tuple[Any, ...]:
    """``Engine._confirmed`` of each of ``engines``, one after another: ids (list), states,
    covariances, times, sensor-id sets (list) and the bounds of each engine's part (list).
    ``trackers``: the engines' trackers of ``force``, if at hand."""
    if len(engines) == 1:
        ids, x, P, ts, sensors = engines[0]._confirmed(force, min_hits)
        return ids, x, P, ts, sensors, [0, len(ids)]
    if trackers is None:
        trackers = [e.trackers[force] for e in engines]
    many = getattr(trackers[0], "confirmed_lanes", None)
    if many is not None:  # lanes of a lockstep engine: cut from one selection
        return many(trackers, min_hits)
    parts = [e._confirmed(force, min_hits) for e in engines]
    bounds = np.concatenate([[0], np.cumsum([len(p[0]) for p in parts])]).tolist()
    return (
        [i for p in parts for i in p[0]],
        np.concatenate([p[1] for p in parts]),
        np.concatenate([p[2] for p in parts]),
        np.concatenate([p[3] for p in parts]),
        [s for p in parts for s in p[4]],
        bounds,
    )


def _share_lanes(
    t: float, force: int, engines: list[Engine], trackers: list[Any] | None = None
) -> None:
    """``force`` sends its confirmed tracks to the partners its policy allows, in each of
    ``engines`` (trials sharing one store; ``trackers``: their trackers of ``force``, if at
    hand): a track's report goes to each recipient of its routes, arriving after the link's
    latency; row by row where a link may lose it or a recipient is run by another node."""
    e0 = engines[0]
    w = e0.world
    net = e0._shared()
    # copies: what was sent does not change with the tracks
    tids, xs, Ps, times, sensors, cut = _confirmed_lanes(engines, force, 0, trackers)
    n = len(tids)
    if not n:
        return
    routes_of = w.share_routes
    hits = []
    distinct = set(sensors)
    for ids in distinct:
        hit = routes_of.get((force, ids))
        if hit is None:
            hit = routes_of[(force, ids)] = e0._share_routes(force, ids)
        hits.append(hit)
    routes = hits[0][1]
    local = e0.local
    if (
        routes is not None
        and all(h[1] == routes for h in hits)
        and all(r in local for r, _ in routes)
        and (net.same_local or all(e.local == local for e in engines))
    ):  # every track goes the same way: all at once
        if not routes:
            return
        if len(engines) == 1:
            lane = np.full(n, e0.lane, dtype=np.int64)
            command = np.full(n, e0.n_commands, dtype=np.int64)
        else:
            counts = np.diff(cut)
            lane = np.repeat(np.array([e.lane for e in engines], dtype=np.int64), counts)
            command = np.repeat(np.array([e.n_commands for e in engines], dtype=np.int64), counts)
        R = net.rows(times, xs, Ps, command, sensors, distinct)
        K = track_keys(lane, force, tids)
        if len(routes) == 1:
            r, latency = routes[0]
            R[:, C_ARRIVAL] = times + latency
            net.send(r, R, K)
            return
        first = net.reserve(n * len(routes))
        for j, (r, latency) in enumerate(routes):
            Rj = R.copy()
            Rj[:, C_ARRIVAL] = times + latency
            net.send(r, Rj, K, first, len(routes), j)
        return
    # row by row (as each track's routes, links and nodes decide)
    name = w.forces[force]
    ts_all = times.tolist()
    for g, e in enumerate(engines):
        for i in range(cut[g], cut[g + 1]):
            origin, routes = routes_of[(force, sensors[i])]
            ts = ts_all[i]
            report = Report((name, tids[i]), ts, origin, (xs[i], Ps[i]))
            if routes is None:  # a lossy link: draw each delivery
                e._share_lossy(name, report)
                continue
            for r, latency in routes:
                if r in e.local:
                    e._send(r, ts + latency, report)
                else:
                    e._outbox_track(w.forces[r], ts + latency, name, report)


def _plan_cycle(t: float, force: int, engines: list[Engine]) -> _Cycle | None:
    """First step of a command cycle in each trial: share the force's tracks, build its
    picture (own confirmed tracks, then partners' tracks of threats it does not track
    itself), pick what may be engaged (by doctrine and fire-control quality) and the
    batteries that may fire. Returns every trial's eligible entries as the rows of one
    :class:`_Cycle` (None: nothing to plan). The bookkeeping is per trial, the arithmetic
    on the pictures is done once for every trial's rows (row by row: a trial's picture is
    its own)."""
    world = engines[0].world
    stale_age = 3 * world.force_cycle_s[force] + 30.0  # no report for 3 command cycles
    for e in engines:
        e.n_commands += 1
    net = engines[0].net
    if net is None:
        net = _bind_shared(engines)
    # the store's lanes in this cycle (in_cycle None: all of them, in order) and their
    # trackers (kept for the next cycle of the same trials)
    cyc = net.cycle
    if cyc is None or cyc[0] != engines:
        if any(e.net is not net for e in engines):
            raise RuntimeError("the trials of a command cycle must share one shared-track store")
        ks = [e.lane for e in engines]
        in_cycle = None
        if ks != list(range(net.n_lanes)):
            in_cycle = np.zeros(net.n_lanes, dtype=bool)
            in_cycle[ks] = True
        cyc = net.cycle = (list(engines), np.array(ks, dtype=np.int64), in_cycle, {})
    ks_arr, in_cycle, trackers_of = cyc[1:]
    trackers = trackers_of.get(force)
    if trackers is None:
        trackers = trackers_of[force] = [e.trackers[force] for e in engines]
    _share_lanes(t, force, engines, trackers)
    if net.pending[force]:  # deliveries due now come before the cycle
        net.receive(force, t, _DELIVERY < int(EventKind.COMMAND_CYCLE), in_cycle)
    tids, X, PP, TT, _, own_cut = _confirmed_lanes(engines, force, MIN_TRACK_UPDATES, trackers)
    # the partners' tracks each trial holds, stale ones dropped (no report for 3 cycles)
    F_rem, K_rem = net.held(force, t, stale_age, in_cycle)
    own_n = np.diff(own_cut)
    if len(K_rem):
        lane_rem = K_rem >> LANE_SHIFT
        if in_cycle is not None:  # rows in the order of ``engines``
            place = np.zeros(net.n_lanes, dtype=np.int64)
            place[ks_arr] = np.arange(len(ks_arr))
            o = np.argsort(place[lane_rem], kind="stable")
            F_rem, K_rem, lane_rem = F_rem[o], K_rem[o], lane_rem[o]
        rem_n = np.bincount(lane_rem, minlength=net.n_lanes)[ks_arr]
    else:
        rem_n = np.zeros(len(engines), dtype=np.int64)
    # the trials with a picture (own rows and remote rows, one trial after another)
    gidx = np.flatnonzero((own_n > 0) | (rem_n > 0))
    if not len(gidx):
        return None
    engines_l = [engines[g] for g in gidx.tolist()]
    G = len(engines_l)
    n_own, n_rem = own_n[gidx], rem_n[gidx]
    own_bounds = np.concatenate([[0], np.cumsum(n_own)])
    rem_bounds = np.concatenate([[0], np.cumsum(n_rem)])
    N_own = int(own_bounds[-1])
    lane_all = np.repeat(np.arange(G), n_own)
    if len(K_rem):
        x_rem = F_rem[:, C_X : C_X + 6]
        P_rem = F_rem[:, C_P:].reshape(-1, 6, 6)
        t_rem = F_rem[:, C_TIME]
        # a partner's track of a threat this force tracks itself is not added: it lies
        # within max(5 km, 4 sigma) of one of the force's own tracks (both extrapolated)
        own_pos = X[:, :3] + X[:, 3:6] * (t - TT)[:, None]
        pos = x_rem[:, :3] + x_rem[:, 3:6] * (t - t_rem)[:, None]
        d = np.empty(len(t_rem))
        _nearest_in_group(own_pos, own_bounds, pos, rem_bounds, d)
        tr = P_rem[:, 0, 0] + P_rem[:, 1, 1] + P_rem[:, 2, 2]
        sig = np.sqrt(np.maximum(tr, 1.0))
        kept = np.flatnonzero(~(d < np.maximum(5_000.0, 4.0 * sig)))
        X = np.concatenate([X, x_rem])
        PP = np.concatenate([PP, P_rem])
        TT = np.concatenate([TT, t_rem])
        # every lane's picture: its own rows, then its kept remote rows
        lane_all = np.concatenate([lane_all, np.repeat(np.arange(G), n_rem)[kept]])
        order = np.argsort(lane_all, kind="stable")
        idx = np.concatenate([np.arange(N_own), N_own + kept])[order]
        lane_all = lane_all[order]
    else:
        idx = np.arange(N_own)
    X, PP, TT = X[idx], PP[idx], TT[idx]
    remote = idx >= N_own
    # fire-control quality: only settled tracks are engaged (a track formed in boost
    # predicts the intercept point badly until its velocity has converged)
    sig_p = np.sqrt(PP[:, 0, 0] + PP[:, 1, 1] + PP[:, 2, 2])
    sig_v = np.sqrt(PP[:, 3, 3] + PP[:, 4, 4] + PP[:, 5, 5])
    eligible = (sig_p <= MAX_POSITION_SIGMA_M) & (sig_v <= MAX_VELOCITY_SIGMA_MPS)
    block = engines_l[0]._block
    brow = np.array([e._row for e in engines_l], dtype=np.int64)
    # the batteries that may fire: inventory above the reserve
    usable = block.inventory[brow][:, world.force_batteries[force]] > world.spec.command.reserve
    eligible &= usable.any(axis=1)[lane_all]
    cand = np.flatnonzero(eligible)
    if not len(cand):
        return None
    # the entries' codes (trial, sender, track id: own tracks with the force as sender)
    lane_ids = np.array([e.lane for e in engines_l], dtype=np.int64) << LANE_SHIFT
    src_rows = idx[cand]
    own_c = src_rows < N_own
    codes = np.empty(len(cand), dtype=np.int64)
    tid_arr = np.asarray(tids, dtype=np.int64)
    codes[own_c] = (
        lane_ids[lane_all[cand[own_c]]] | (force << SENDER_SHIFT) | tid_arr[src_rows[own_c]]
    )
    codes[~own_c] = K_rem[src_rows[~own_c] - N_own]
    stage = np.zeros(len(cand), dtype=int)
    # engaged entries: only a missed one whose doctrine has a next stage stays
    engaged = np.flatnonzero(block.engaged(force, codes))
    if len(engaged):
        ok = np.ones(len(cand), dtype=bool)
        lane_c = lane_all[cand]
        keys = block.keys_of(codes[engaged], world.forces, force)
        for j, key in zip(engaged.tolist(), keys, strict=True):
            e = engines_l[lane_c[j]]
            en = e.engagements[force][key]
            if en.status == "missed" and e._stage_shots(en.stage + 1) > 0:
                stage[j] = en.stage + 1
            else:
                ok[j] = False
        if not ok.all():
            if not ok.any():
                return None
            cand, stage, codes = cand[ok], stage[ok], codes[ok]
    return _Cycle(
        t=t,
        force=force,
        world=world,
        block=block,
        lanes=engines_l,
        brow=brow,
        usable=usable,
        lane_of=lane_all[cand],
        codes=codes,
        x=X[cand],
        P=PP[cand],
        tx=TT[cand],
        remote=remote[cand],
        stage=stage,
    )


@numba.njit(cache=True, nogil=True)
def _nearest_in_group(
    a: np.ndarray, a_bounds: np.ndarray, b: np.ndarray, b_bounds: np.ndarray, out: np.ndarray
) -> None:  # pragma: no cover - compiled
    """``out[i]``: distance from point ``b[i]`` to the nearest point ``a[j]`` of the same
    group (groups ``g``: rows ``bounds[g]:bounds[g + 1]``; inf when the group has none)."""
    for g in range(len(a_bounds) - 1):
        for i in range(b_bounds[g], b_bounds[g + 1]):
            best = np.inf
            for j in range(a_bounds[g], a_bounds[g + 1]):
                dx = a[j, 0] - b[i, 0]
                dy = a[j, 1] - b[i, 1]
                dz = a[j, 2] - b[i, 2]
                dist = math.sqrt(dx * dx + dy * dy + dz * dz)
                if dist < best:
                    best = dist
            out[i] = best


def _predict_cycle(cyc: _Cycle) -> tuple[np.ndarray, np.ndarray]:
    """Predicted paths on the common grid starting at ``t`` rounded up to the step, reusing
    each entry's prediction for ``PREDICTION_REFRESH_S`` (grids are aligned to multiples of
    the step, so older predictions are sliced, not interpolated). Sets the rows' ``slots``
    and ``fresh``; returns the grid and this cycle's new paths (on the grid)."""
    t, force = cyc.t, cyc.force
    tab = cyc.block.tables[force]
    step = PREDICTION_STEP_S
    k = round(PREDICTION_HORIZON_S / step) + 1
    t0 = math.ceil(t / step - 1e-9) * step
    n = len(cyc.codes)
    codes = cyc.codes.tolist()
    slots = np.fromiter(map(tab.slot_of.get, codes, itertools.repeat(-1)), np.int64, n)
    stale = (slots < 0) | (t - tab.made[slots] > PREDICTION_REFRESH_S)
    fresh = np.full(n, -1, dtype=np.int64)
    new = np.empty((0, k, 3))
    sr = np.flatnonzero(stale)
    if len(sr):
        # (marked now: the table may not recycle them while the missing keys get slots)
        known = slots[sr]
        tab.made[known[known >= 0]] = t
        for r in sr[known < 0].tolist():
            slots[r] = tab.alloc(t, codes[r])
        # altitudes only where an intercept solve needs them (most tracks threaten nothing)
        _, new, t_imp, r_imp, _ = predict_paths(t0, cyc.x[sr], cyc.tx[sr], altitudes=False)
        s = slots[sr]
        tab.made[s] = t
        tab.grid0[s] = t0
        tab.t_imp[s] = t_imp
        tab.r_imp[s] = r_imp
        tab.has_value[s] = False
        tab.state[s] = -1
        path = tab.path
        for row, slot in enumerate(s.tolist()):
            path[slot] = new[row]
        fresh[sr] = np.arange(len(sr))
    cyc.slots, cyc.fresh = slots, fresh
    return t0 + step * np.arange(k), new


def _paths_of(cyc: _Cycle, rows: np.ndarray, grid: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Predicted positions (m, k, 3) of rows ``rows`` on the grid (this cycle's new
    predictions ``new`` taken in one go, older ones sliced; NaN after a prediction ends)."""
    fresh = cyc.fresh[rows]
    if len(fresh) == len(new) and np.array_equal(fresh, np.arange(len(new))):
        return new  # (every new prediction in order: no copy)
    if not len(fresh) or fresh.min() >= 0:
        return new[fresh]
    k = grid.size
    out = np.empty((len(rows), k, 3))
    ok = fresh >= 0
    out[ok] = new[fresh[ok]]
    tab = cyc.block.tables[cyc.force]
    for r in np.flatnonzero(~ok).tolist():
        slot = int(cyc.slots[rows[r]])
        off = round((grid[0] - tab.grid0[slot]) / PREDICTION_STEP_S)
        seg = tab.path[slot][off : off + k]
        out[r, : len(seg)] = seg
        out[r, len(seg) :] = np.nan
    return out


def _value_cycle(cyc: _Cycle, grid: np.ndarray, new: np.ndarray) -> bool:
    """Threat values, evaluated once per prediction; keeps only the rows that threaten a
    defended asset (False: none left)."""
    world, tab = cyc.world, cyc.block.tables[cyc.force]
    slots = cyc.slots
    sr = np.flatnonzero(~tab.has_value[slots])
    if len(sr):
        s = slots[sr]
        impacts = impact_predictions(
            world.assets,
            cyc.t,
            cyc.P[sr],
            grid,
            _paths_of(cyc, sr, grid, new),
            tab.t_imp[s],
            tab.r_imp[s],
        )
        tab.value[s] = evaluate_threats(impacts, world.assets, cyc.t).threat_value
        tab.has_value[s] = True
    value = tab.value[slots]
    keep = value > 0
    if not keep.all():
        # only tracks that threaten a defended asset are planned against
        if not keep.any():
            return False
        cyc.select(keep)
        value = value[keep]
    cyc.value = value
    return True


def _pip_cycle(cyc: _Cycle, grid: np.ndarray, new: np.ndarray) -> None:
    """Predicted intercept points of every row by every battery that may fire, kept in the
    force's table. A row is solved again (for all batteries of a type) only when its
    prediction changed or a cached launch time has slipped before the battery's earliest
    launch; all trials' rows of an interceptor type are solved in one call. Sets the
    trials' earliest launches ``t_min``."""
    world, force, block = cyc.world, cyc.force, cyc.block
    tab = block.tables[force]
    fb = world.force_batteries[force]
    # earliest launch of each battery: after the reactions, not before its next launch
    base = cyc.t + world.force_reaction_s[force]
    cyc.t_min = np.maximum(base + block.reaction[force], block.next_launch[cyc.brow][:, fb])
    slots, lane_of = cyc.slots, cyc.lane_of
    for cols, sites, site_alt, itype, flyout in block.types[force]:
        use = cyc.usable[:, cols][lane_of]
        state = tab.state[slots[:, None], cols]
        t_min = cyc.t_min[:, cols][lane_of]
        need = use & ((state < 0) | ((state > 0) & ~(tab.tl[slots[:, None], cols] >= t_min)))
        rows = np.flatnonzero(need.any(axis=1))
        if not len(rows):
            continue
        feasible, t_launch, t_earliest, r_int = _solve_rows(
            cyc, rows, grid, new, sites, flyout, itype.envelope, t_min[rows], site_alt
        )
        # written for the batteries that may fire only (the others stay unsolved)
        w = use[rows]
        at = (slots[rows][:, None], cols)
        tab.state[at] = np.where(w, feasible.astype(np.int8), tab.state[at])
        tab.tl[at] = np.where(w, t_launch, tab.tl[at])
        tab.te[at] = np.where(w, t_earliest, tab.te[at])
        tab.rp[at] = np.where(w[:, :, None], r_int, tab.rp[at])


def _solve_rows(
    cyc: _Cycle,
    rows: np.ndarray,
    grid: np.ndarray,
    new: np.ndarray,
    sites: np.ndarray,
    flyout: Any,
    envelope: Any,
    t_min: np.ndarray,
    site_alt: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """Intercept solutions (feasible, launch time [s], earliest intercept [s], intercept
    point [m]) of rows ``rows`` by the batteries at ``sites``: rows with a new prediction
    are solved on this cycle's predictions in place (no copy), the others on their older
    predictions sliced to the grid (each row is solved on its own: the same numbers)."""

    def solve(paths: np.ndarray, t_min_rows: np.ndarray, idx: np.ndarray | None) -> Any:
        return solve_pip(
            ThreatPath(t_s=grid, r_ecef=paths, altitude_m=None),
            sites,
            flyout,
            envelope,
            t_min_rows,
            site_alt_m=site_alt,
            t_tol_s=PIP_TIME_TOLERANCE_S,
            refine_latest=False,
            rows=idx,
        )

    fresh = cyc.fresh[rows]
    old = fresh < 0
    if not old.any():
        sol = solve(new, t_min, fresh)
        return sol.feasible, sol.t_launch_s, sol.t_earliest_s, sol.r_intercept_ecef
    if old.all():
        sol = solve(_paths_of(cyc, rows, grid, new), t_min, None)
        return sol.feasible, sol.t_launch_s, sol.t_earliest_s, sol.r_intercept_ecef
    a = solve(new, t_min[~old], fresh[~old])
    b = solve(_paths_of(cyc, rows[old], grid, new), t_min[old], None)
    out = []
    for fa, fb_ in (
        (a.feasible, b.feasible),
        (a.t_launch_s, b.t_launch_s),
        (a.t_earliest_s, b.t_earliest_s),
        (a.r_intercept_ecef, b.r_intercept_ecef),
    ):
        both = np.empty((len(rows), *fa.shape[1:]), dtype=fa.dtype)
        both[~old] = fa
        both[old] = fb_
        out.append(both)
    return tuple(out)


def _commit_cycle(cyc: _Cycle) -> None:
    """Last step: in each trial that has a shot due now, assign its batteries and commit."""
    world, force, block = cyc.world, cyc.force, cyc.block
    tab = block.tables[force]
    slots, lane_of = cyc.slots, cyc.lane_of
    feasible = (
        cyc.usable[lane_of]
        & (tab.state[slots] > 0)
        & (block.on_remote[force][None, :] | ~cyc.remote[:, None])
    )
    tl = tab.tl[slots]
    # a shot can be committed only if some launch falls before the next cycle
    due = (feasible & (tl <= (cyc.t_min + world.force_cycle_s[force])[lane_of])).any(axis=1)
    if not due.any():
        return
    bounds = cyc.bounds()
    lanes = np.unique(lane_of[due]).tolist()
    # every row's pairs as the assignment reads them (0 / NaN where infeasible)
    p = np.where(feasible, block.pk[force][None, :], 0.0)
    t_launch = np.where(feasible, tl, np.nan)
    t_int = np.where(feasible, tab.te[slots], np.nan)
    r_pip = np.where(feasible[:, :, None], tab.rp[slots], np.nan)
    spt = block.stage_shots[np.minimum(cyc.stage, 2)]
    fb = world.force_batteries[force]
    for g in lanes:
        lo, hi = bounds[g], bounds[g + 1]
        cols = np.flatnonzero(cyc.usable[g])
        cyc.lanes[g]._commit(
            cyc.t,
            force,
            bats=[fb[c] for c in cols.tolist()],
            keys=block.keys_of(cyc.codes[lo:hi], world.forces, force),
            p=p[lo:hi, cols].T,
            t_launch=t_launch[lo:hi, cols].T,
            t_int=t_int[lo:hi, cols].T,
            r_pip=r_pip[lo:hi, cols].transpose(1, 0, 2),
            earliest_launch=cyc.t_min[g, cols],
            value=cyc.value[lo:hi],
            stage=cyc.stage[lo:hi],
            is_remote=cyc.remote[lo:hi],
            shots_per_threat=spt[lo:hi],
            tier=block.tier[force][cols],
        )


SHOT_COLUMNS = [
    "shot",
    "battery",
    "force",
    "interceptor",
    "launch_s",
    "intercept_s",
    "track",
    "remote_track",
    "stage",
    "threat",
    "miss_distance_m",
    "hit",
    "site_lat_deg",
    "site_lon_deg",
    "site_alt_m",
    "aim_lat_deg",
    "aim_lon_deg",
    "aim_alt_m",
]


class _Points(NamedTuple):
    """Figures of a world's fixed points that the event log and the result tables give
    (computed once per world, see :func:`_points`)."""

    #: per threat: launch point latitude, longitude [deg]
    launch: list[tuple[float, float]]
    #: per threat: impact point latitude, longitude [deg], altitude [m] and the assets it
    #: hits ("a,b", or None)
    impact: list[tuple[float, float, float, str | None]]
    #: per threat: impact point latitude, longitude [deg] (arrays)
    impact_lat_deg: np.ndarray
    impact_lon_deg: np.ndarray
    #: (assets, threats): whether the threat's impact point (as the threats table gives it,
    #: in degrees) is within the asset's radius
    asset_hit: np.ndarray
    #: per battery: site latitude, longitude [deg] and altitude [m]
    site: list[tuple[float, float, float]]


def _points(world: World) -> _Points:
    """The :class:`_Points` of ``world`` (made on first use, then kept on the world)."""
    hit = world.__dict__.get("_engine_points")
    if hit is not None:
        return hit
    launch, impact, lat_deg, lon_deg = [], [], [], []
    for th in world.threats:
        lat, lon, _ = _lla(th.trajectory.y[0, :3])
        launch.append((math.degrees(lat), math.degrees(lon)))
        lat, lon, alt = _lla(th.trajectory.y[-1, :3])
        names = [
            a.name
            for a in world.assets
            if _ground_distance(lat, lon, a.lat_rad, a.lon_rad) <= a.radius_m
        ]
        impact.append((math.degrees(lat), math.degrees(lon), alt, ",".join(names) or None))
        lat_deg.append(math.degrees(lat))
        lon_deg.append(math.degrees(lon))
    asset_hit = np.array(
        [
            [
                _ground_distance(math.radians(la), math.radians(lo), a.lat_rad, a.lon_rad)
                <= a.radius_m
                for la, lo in zip(lat_deg, lon_deg, strict=True)
            ]
            for a in world.assets
        ],
        dtype=bool,
    ).reshape(len(world.assets), len(world.threats))
    site = [_lla_degrees(b.site_ecef_m) for b in world.batteries]
    points = _Points(
        launch,
        impact,
        np.array(lat_deg, dtype=float),
        np.array(lon_deg, dtype=float),
        asset_hit,
        site,
    )
    world.__dict__["_engine_points"] = points
    return points


def _lla_degrees(r_ecef: np.ndarray) -> tuple[float, float, float]:
    """Latitude, longitude [deg] and altitude [m] of one ECEF point (as ``_lla_columns``
    gives them)."""
    lat, lon, alt = _lla(np.asarray(r_ecef, dtype=float))
    return math.degrees(lat), math.degrees(lon), alt


def _lla_columns(prefix: str, r_ecef: np.ndarray) -> dict[str, float]:
    lat, lon, alt = _lla(np.asarray(r_ecef, dtype=float))
    return {
        f"{prefix}_lat_deg": math.degrees(lat),
        f"{prefix}_lon_deg": math.degrees(lon),
        f"{prefix}_alt_m": alt,
    }


def _lla(r_ecef: np.ndarray) -> tuple[float, float, float]:
    """Geodetic latitude, longitude [rad] and altitude [m] of one ECEF point (WGS84)."""
    lat, lon, alt = ecef_to_geodetic(r_ecef, WGS84)
    return float(lat), float(lon), float(alt)


def _approximate_altitude(r: np.ndarray) -> np.ndarray:
    """Height above the WGS84 ellipsoid along the geocentric radius [m] (within ~50 m of
    the geodetic height below 1000 km; used only to skip hopeless radar dwells)."""
    rn = np.linalg.norm(r, axis=1)
    s2 = (r[:, 2] / rn) ** 2
    a, e2 = WGS84.a_m, WGS84.e2
    radius = a * np.sqrt((1.0 - e2) / (1.0 - e2 * (1.0 - s2)))
    return rn - radius


def _may_see(site: Any, r: np.ndarray, alt: np.ndarray) -> bool:
    """Whether any target could be within the radar's range and line of sight (a
    conservative pre-check, see :func:`_may_see_rows`)."""
    return bool(np.any(_may_see_rows(site, r, alt)))


def _may_see_rows(
    site: Any, r: np.ndarray, alt: np.ndarray, horizons: dict[float, np.ndarray] | None = None
) -> np.ndarray:
    """:func:`_may_see_rows_reference` in one compiled loop (the same operations in the
    same order, element by element: the same bits; ``horizons`` is not needed there)."""
    radar = site.radar
    re = R_EARTH_MEAN_M * radar.k_factor
    hs = max(radar.alt_m, 0.0)
    return _may_see_kernel(
        np.asarray(r, dtype=float),
        radar.as_array().site_ecef_m[0],
        np.asarray(alt, dtype=float),
        2.0 * re,
        hs,
        math.sqrt(hs * (2.0 * re + hs)),
        R_EARTH_MEAN_M + hs,
        radar.max_range_m + 1e3,
    )


@numba.njit(cache=True, nogil=True)
def _may_see_kernel(
    r: np.ndarray,
    site: np.ndarray,
    alt: np.ndarray,
    twice_re: float,
    hs: float,
    hs_tangent: float,
    r_hs: float,
    max_d: float,
) -> np.ndarray:  # pragma: no cover - compiled
    """The per-target part of :func:`_may_see_rows_reference` (its expressions, in its
    order; ``max(a, 0.0)`` keeps a NaN and ``-0.0`` as ``np.maximum`` does; the distance's
    squares are summed left to right, as ``np.add.reduce`` sums a row of three)."""
    R = R_EARTH_MEAN_M
    out = np.empty(len(r), dtype=np.bool_)
    s0, s1, s2 = site[0], site[1], site[2]
    for i in range(len(r)):
        x0 = r[i, 0] - s0
        x1 = r[i, 1] - s1
        x2 = r[i, 2] - s2
        d = np.sqrt((x0 * x0 + x1 * x1) + x2 * x2)
        a = alt[i]
        h = a if (a >= 0.0 or a != a) else 0.0
        target = np.sqrt(h * (twice_re + h))
        theta = (target + hs_tangent) / R
        dh = h - hs
        reach = np.sqrt(dh * dh + ((R + h) * r_hs) * (theta * theta))
        out[i] = (d <= max_d) & (d <= reach + 20e3)
    return out


def _may_see_rows_reference(
    site: Any, r: np.ndarray, alt: np.ndarray, horizons: dict[float, np.ndarray] | None = None
) -> np.ndarray:
    """Per target at ECEF ``r`` [m] of approximate altitude ``alt`` [m]: whether it could be
    within the radar's range and above its horizon (False only when it surely is not).

    The radar's line of sight (:func:`hoplon.earth.horizon.los_clear`) keeps the ground
    distance on an effective Earth of radius ``R_e = k R``: a clear line spans at most the
    central angle ``k (acos(R_e/(R_e+h)) + acos(R_e/(R_e+h_s)))``, which is below
    ``theta = (T(h) + T(h_s)) / R`` with the tangent distances ``T(h) = sqrt(h (2 R_e + h))``
    (``atan y <= y``). Two points at radii ``R+h``, ``R+h_s`` and that angle are at most
    ``sqrt((h-h_s)^2 + (R+h)(R+h_s) theta^2)`` apart; 20 km cover the ellipsoid and the
    approximate altitudes. Only square roots: the same bits for a target alone or in a batch.

    ``horizons`` (optional, empty at first) keeps the targets' tangent distances by
    effective Earth radius for other sites looking at the same targets."""
    radar = site.radar
    R = R_EARTH_MEAN_M
    re = R * radar.k_factor
    h = np.maximum(alt, 0.0)
    target = None if horizons is None else horizons.get(re)
    if target is None:
        target = np.sqrt(h * (2.0 * re + h))
        if horizons is not None:
            horizons[re] = target
    hs = max(radar.alt_m, 0.0)
    theta = (target + math.sqrt(hs * (2.0 * re + hs))) / R
    dh = h - hs
    reach = np.sqrt(dh * dh + ((R + h) * (R + hs)) * (theta * theta))
    x = r - radar.as_array().site_ecef_m[0]
    d = np.sqrt(np.add.reduce(x * x, axis=1))  # (what np.linalg.norm(x, axis=1) computes)
    return (d <= radar.max_range_m + 1e3) & (d <= reach + 20e3)


def _ground_distance(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    from hoplon.earth.geodesy import great_circle_distance

    return float(great_circle_distance(lat1, lon1, lat2, lon2))


def _table(itype: Any) -> Any:
    from hoplon.weapons.flyout import flyout_table

    return flyout_table(itype)


def run(scenario: ScenarioSpec | World, seed: int = 0) -> RunResult:
    """Run one trial of a scenario (spec or compiled world) for ``seed``."""
    world = scenario if isinstance(scenario, World) else compile_world(scenario)
    return Engine(world, seed).run()
