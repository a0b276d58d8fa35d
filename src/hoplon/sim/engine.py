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
    path_altitudes,
    predict_paths,
)
from hoplon.sim.result import RunResult
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
    idx = np.flatnonzero(mask)
    sensors = tracks.sensors
    cut = None
    if bounds is not None:
        cut = np.concatenate([[0], np.cumsum(mask)])[bounds].tolist()
    return (
        tracks.track_id[idx].tolist(),
        tracks.x[idx, :6],
        tracks.P[idx, :6, :6],
        tracks.time_s[idx],
        [sensors[i] for i in idx.tolist()],
        cut,
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
        self.remote: list[dict[Any, Report]] = [{} for _ in w.forces]
        #: Shared tracks on their way to each force: (arrival, seq, command no., report).
        self.pending: list[list[tuple[float, int, int, Report]]] = [[] for _ in w.forces]
        self.n_sent = 0
        self.n_commands = 0
        #: per force: picture entry -> its latest prediction and what was derived from it
        #: (see ``_Plan.entries``)
        self.predictions: list[dict[tuple[Any, ...], list[Any]]] = [{} for _ in w.forces]
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
        th = self.world.threats[threat]
        lat, lon, _ = _lla(th.trajectory.y[0, :3])
        self.log.add(
            t,
            "threat_launch",
            threat=threat,
            lat_deg=math.degrees(lat),
            lon_deg=math.degrees(lon),
            alt_m=0.0,
            detail=th.type,
        )

    def _on_impact(self, t: float, threat: int) -> None:
        if self.killed_s[threat] <= t:
            return
        th = self.world.threats[threat]
        lat, lon, alt = _lla(th.trajectory.y[-1, :3])
        hit = [
            a.name
            for a in self.world.assets
            if _ground_distance(lat, lon, a.lat_rad, a.lon_rad) <= a.radius_m
        ]
        self.log.add(
            t,
            "impact",
            threat=threat,
            lat_deg=math.degrees(lat),
            lon_deg=math.degrees(lon),
            alt_m=alt,
            detail=",".join(hit) or None,
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
        w = self.world
        # copies: what was sent does not change with the tracks
        tids, xs, Ps, times, sensors = self._confirmed(force, 0)
        if not tids:
            return
        name = w.forces[force]
        routes_of = w.share_routes
        pending, local = self.pending, self.local
        n_sent, n_commands = self.n_sent, self.n_commands
        for tid, ts, ids, x, P in zip(
            tids, times.tolist(), sensors, list(xs), list(Ps), strict=True
        ):
            hit = routes_of.get((force, ids))
            if hit is None:
                hit = routes_of[(force, ids)] = self._share_routes(force, ids)
            origin, routes = hit
            report = Report((name, tid), ts, origin, (x, P))
            if routes is None:  # a lossy link: draw each delivery
                self.n_sent = n_sent
                self._share_lossy(name, report)
                n_sent = self.n_sent
                continue
            for r, latency in routes:
                if r in local:
                    pending[r].append((ts + latency, n_sent, n_commands, report))
                    n_sent += 1
                else:
                    self._outbox_track(w.forces[r], ts + latency, name, report)
        self.n_sent = n_sent

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

    def _send(self, recipient: int, arrival_s: float, report: Report) -> None:
        """Put a shared track on its way to ``recipient`` (it arrives at ``arrival_s``)."""
        self.pending[recipient].append((arrival_s, self.n_sent, self.n_commands, report))
        self.n_sent += 1

    def _receive(self, recipient: int, t: float, kind: EventKind) -> None:
        """Deliver to ``recipient`` what has arrived before an event ``kind`` at ``t``.

        Deliveries are applied in arrival order, as if each were an event of kind
        ``TRACK_DELIVERY`` at its arrival time (simultaneous events run in the order of
        :class:`EventKind`); a delivery that would arrive when the trial has nothing left to
        see or decide is dropped, as the engine drops such events.
        """
        pending = self.pending[recipient]
        if not pending:
            return
        # (arrival, TRACK_DELIVERY) comes before (t, kind)
        if _DELIVERY < int(kind):
            due = [p for p in pending if p[0] <= t]
            if not due:
                return
            rest = [p for p in pending if not p[0] <= t] if len(due) < len(pending) else []
        else:
            due = [p for p in pending if p[0] < t]
            if not due:
                return
            rest = [p for p in pending if not p[0] < t] if len(due) < len(pending) else []
        self.pending[recipient] = rest
        # arrival order, then sending order ((arrival, n_sent) is unique: the reports
        # themselves are never compared)
        due.sort()
        last = self.last_activity
        deliver = self._deliver
        for arrival, _, sent_in, report in due:
            if arrival > last and not any(
                s.intercept_s >= arrival and (s.command <= sent_in or s.planned_s < arrival)
                for s in self.shots
            ):
                continue  # the shots existing when it arrives are the ones that count
            deliver(recipient, report)

    def _deliver(self, recipient: int, report: Report) -> None:
        box = self.remote[recipient]
        old = box.get(report.track_id)
        if old is None or report.time_s >= old.time_s:
            box[report.track_id] = report

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

    def _commit(self, t: float, force: int, plan: _Plan) -> None:
        """Last step of a command cycle: assign batteries and commit the shots due now."""
        w = self.world
        bats, keys_e = plan.bats, plan.keys
        T, B = len(keys_e), len(bats)
        cycle = w.force_cycle_s[force]
        remote_entry = plan.remote.tolist()
        earliest = [self._t_min(t, force, b) for b in bats]
        feasible = []  # (col, j, launch, intercept, point) of the pairs that may fire
        due = False
        on_remote = [w.batteries[b].engage_on_remote for b in bats]
        latest_due = [tm + cycle for tm in earliest]
        for j, entry in enumerate(plan.entries):
            by_battery = entry[_E_PIP]
            remote_j = remote_entry[j]
            for col, b in enumerate(bats):
                ok, tl, ti, rp = by_battery[b]
                if ok and (on_remote[col] or not remote_j):
                    feasible.append((col, j, tl, ti, rp))
                    due = due or tl <= latest_due[col]
        if not due:
            return  # no shot could be committed this cycle, whatever the assignment
        p = np.zeros((B, T))
        t_launch = np.full((B, T), np.nan)
        t_int = np.full((B, T), np.nan)
        r_pip = np.full((B, T, 3), np.nan)
        earliest_launch = np.array(earliest)
        pk = [
            w.batteries[b].interceptor.p_kill * w.batteries[b].interceptor.reliability for b in bats
        ]
        for col, j, tl, ti, rp in feasible:
            p[col, j] = pk[col]
            t_launch[col, j], t_int[col, j] = tl, ti
            r_pip[col, j] = rp
        shots_per_threat = np.array([self._stage_shots(s) for s in plan.stage])
        problem = AssignmentProblem(
            p_kill=p,
            threat_value=plan.value,
            inventory=self.inventory[bats],
            feasible=np.isfinite(t_launch),
            launch_time_s=t_launch,
            max_shots_per_pair=int(max(shots_per_threat.max(), 1)),
            max_shots_per_threat=shots_per_threat,
            reserve=w.spec.command.reserve,
            tier=np.array([w.batteries[b].tier for b in bats]),
        )
        assignment = self.assigner.assign(problem)
        eng = self.engagements[force]
        for col, j, n, _ in assignment.rows():
            if n <= 0 or not t_launch[col, j] <= earliest_launch[col] + w.force_cycle_s[force]:
                continue  # planned, not yet committed: re-planned next cycle on a newer track
            b = bats[col]
            bat = w.batteries[b]
            key = keys_e[j]
            st = int(plan.stage[j])
            remote = bool(plan.remote[j])
            e = eng.get(key)
            if e is None:
                e = _Engagement(key=key, force=force, stage=st, status="in_flight")
                eng[key] = e
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

    def _t_min(self, t: float, force: int, b: int) -> float:
        """Earliest launch of battery ``b`` planned at ``t`` [s]."""
        w = self.world
        itype = w.batteries[b].interceptor
        return max(t + w.force_reaction_s[force] + itype.reaction_time_s, self.next_launch[b])

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
        if len(flying):
            states = self._truth_states(t, flying)
            d = np.linalg.norm(states[:, :3] - aim, axis=1)
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
            lat_deg=math.degrees(float(la)),
            lon_deg=math.degrees(float(lo)),
            alt_m=float(al),
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
        tracks = self.trackers[s.force].tracks
        estimates: list[tuple[bool, np.ndarray]] = []
        for j in range(len(tracks)):
            x = tracks.x[j, :6]
            mine = s.key[0] == "own" and int(tracks.track_id[j]) == s.key[2]
            estimates.append((mine, x[:3] + x[3:6] * (t - float(tracks.time_s[j]))))
        for tid, msg in self.remote[s.force].items():
            x = msg.payload[0]
            mine = s.key[0] == "remote" and tuple(s.key[1:]) == tuple(tid)
            estimates.append((mine, x[:3] + x[3:6] * (t - msg.time_s)))
        own = [p for mine, p in estimates if mine]
        if own:
            aim = own[0]
        elif estimates:
            pts = np.array([p for _, p in estimates])
            aim = pts[int(np.argmin(np.linalg.norm(pts - s.r_pip, axis=1)))]
        else:
            return s.r_pip
        site = self.world.batteries[s.battery].site_ecef_m
        reach = max(
            MIDCOURSE_DIVERT_FRACTION * np.linalg.norm(s.r_pip - site), MIDCOURSE_DIVERT_MIN_M
        )
        if np.linalg.norm(aim - s.r_pip) > reach:
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
        import pandas as pd

        w = self.world
        end = w.spec.duration
        rows = []
        for i, th in enumerate(w.threats):
            lat, lon, _ = _lla(th.trajectory.y[-1, :3])
            if self.killed_s[i] < np.inf:
                outcome = "intercepted"
            elif self.impact_s[i] <= end:
                outcome = "leaked"
            else:
                outcome = "in flight"
            row = {
                "threat": i,
                "type": th.type,
                "kind": th.kind,
                "raid": th.raid,
                "target": th.target,
                "launch_s": self.launch_s[i],
                "impact_s": self.impact_s[i] if outcome != "intercepted" else np.nan,
                "outcome": outcome,
                "intercept_s": self.killed_s[i] if outcome == "intercepted" else np.nan,
                "killed_by": w.batteries[self.killed_by[i]].key if self.killed_by[i] >= 0 else None,
                "impact_lat_deg": math.degrees(lat) if outcome == "leaked" else np.nan,
                "impact_lon_deg": math.degrees(lon) if outcome == "leaked" else np.nan,
            }
            for f, name in enumerate(w.forces):
                row[f"first_detection_s_{name}"] = self.first_detect[f, i]
                row[f"launch_warning_s_{name}"] = self.warned[f, i]
            rows.append(row)
        threats = pd.DataFrame(rows)
        shot_rows = [
            {
                "shot": s.index,
                "battery": w.batteries[s.battery].key,
                "force": w.forces[s.force],
                "interceptor": w.batteries[s.battery].interceptor.name,
                "launch_s": s.launch_s,
                "intercept_s": s.intercept_s,
                "track": str(s.key),
                "remote_track": s.remote,
                "stage": s.stage,
                "threat": s.threat,
                "miss_distance_m": s.miss_m,
                "hit": s.hit,
                **_lla_columns("site", w.batteries[s.battery].site_ecef_m),
                **_lla_columns("aim", s.aim if s.aim is not None else s.r_pip),
            }
            for s in self.shots
            if s.launch_s <= end
        ]
        shots = pd.DataFrame(shot_rows, columns=SHOT_COLUMNS)
        leaked = [r for r in rows if r["outcome"] == "leaked"]
        asset_rows = []
        for a in w.assets:
            n_hit = 0
            for r in leaked:
                if (
                    _ground_distance(
                        math.radians(r["impact_lat_deg"]),
                        math.radians(r["impact_lon_deg"]),
                        a.lat_rad,
                        a.lon_rad,
                    )
                    <= a.radius_m
                ):
                    n_hit += 1
            asset_rows.append(
                {
                    "asset": a.name,
                    "owner": a.owner,
                    "value": a.value,
                    "leakers_hit": n_hit,
                    "survived": n_hit == 0,
                }
            )
        assets = pd.DataFrame(
            asset_rows, columns=["asset", "owner", "value", "leakers_hit", "survived"]
        )
        fired_by = Counter(r["battery"] for r in shot_rows)
        by_battery = {b.key: fired_by[b.key] for b in w.batteries}
        fired_by_force = Counter(r["force"] for r in shot_rows)
        by_force = {f: fired_by_force[f] for f in w.forces}
        outcomes = Counter(r["outcome"] for r in rows)
        summary = {
            "threats": len(w.threats),
            "intercepted": outcomes["intercepted"],
            "leakers": outcomes["leaked"],
            "in_flight_at_end": outcomes["in flight"],
            "interceptors_fired": len(shots),
            "interceptors_by_battery": by_battery,
            "interceptors_by_force": by_force,
            "interceptors_on_remote_tracks": sum(1 for r in shot_rows if r["remote_track"]),
            "assets_hit": [a["asset"] for a in asset_rows if not a["survived"]],
            "value_lost": float(sum(a["value"] for a in asset_rows if not a["survived"])),
        }
        return RunResult(
            scenario=w.spec.name,
            seed=self.seed,
            events=self.log.to_frame(),
            threats=threats,
            shots=shots,
            assets=assets,
            summary=summary,
            trajectories={
                "threats": {i: th.trajectory for i, th in enumerate(w.threats)},
                "launch_s": self.launch_s.copy(),
            },
        )


# ---------------------------------------------------------------------- the command cycle
# One command cycle of one force runs in four steps. The first (what may be engaged) and
# the last (assignment and commitment) are per trial; the middle steps (predictions, threat
# values, predicted intercept points) are the numerical work and run batched over every
# trial given, so that :class:`~hoplon.sim.batch.BatchEngine` pays them once for many
# trials. Each trial's numbers are those it would get alone (every batched calculation is
# row by row).


@dataclass
class _Plan:
    """What one trial's command node considers in one cycle (eligible entries only)."""

    engine: Engine
    keys: list[tuple[Any, ...]]
    x: np.ndarray
    P: np.ndarray
    tx: np.ndarray
    remote: np.ndarray
    stage: np.ndarray
    bats: list[int]
    #: each entry's prediction ``[made at, grid start, positions, impact time, impact point,
    #: altitudes, threat value, intercept solutions]`` (shared with the trial's cache; the
    #: altitudes and value are None until needed, the solutions map battery -> (feasible,
    #: launch time, earliest intercept time, intercept point); indices ``_E_*``)
    entries: list[list[Any]] = field(default_factory=list)
    #: each entry's row in this cycle's new predictions (-1: an older prediction)
    fresh: list[int] = field(default_factory=list)
    value: np.ndarray = field(default_factory=lambda: np.empty(0))

    def path(self, j: int, grid: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Entry ``j``'s predicted positions (k, 3) and altitudes (k,) on ``grid`` (NaN
        after the prediction ends; altitudes ``None`` if not yet computed)."""
        entry = self.entries[j]
        c0, path, alt = entry[_E_GRID0], entry[_E_PATH], entry[_E_ALT]
        k = grid.size
        off = round((grid[0] - c0) / PREDICTION_STEP_S)
        seg = path[off : off + k]
        if len(seg) == k:
            return seg, None if alt is None else alt[off : off + k]
        out = np.full((k, 3), np.nan)
        out[: len(seg)] = seg
        if alt is None:
            return out, None
        out_alt = np.full(k, np.nan)
        out_alt[: len(seg)] = alt[off : off + k]
        return out, out_alt


def command_cycle(t: float, force: int, engines: list[Engine]) -> None:
    """One command cycle of ``force`` at ``t`` in each of ``engines`` (trials of one world)."""
    plans = _plan_cycle(t, force, engines)
    if not plans:
        return
    world = plans[0].engine.world
    grid, new = _predict_plans(world, t, force, plans)
    plans = _value_plans(world, t, force, grid, new, plans)
    if not plans:
        return
    _pip_plans(world, t, force, grid, new, plans)
    for plan in plans:
        plan.engine._commit(t, force, plan)


# fields of a prediction entry (``_Plan.entries``)
_E_MADE, _E_GRID0, _E_PATH, _E_T_IMPACT, _E_R_IMPACT, _E_ALT, _E_VALUE, _E_PIP = range(8)


def _plan_cycle(t: float, force: int, engines: list[Engine]) -> list[_Plan]:
    """First step of a command cycle in each trial: share the force's tracks, build its
    picture (own confirmed tracks, then partners' tracks of threats it does not track
    itself), pick what may be engaged (by doctrine and fire-control quality) and the
    batteries that may fire. Returns the trials' plans (trials with nothing to plan have
    none). The bookkeeping is per trial, the arithmetic on the pictures is done once for
    every trial's rows (row by row: a trial's picture is its own)."""
    world = engines[0].world
    stale_age = 3 * world.force_cycle_s[force] + 30.0  # no report for 3 command cycles
    lanes = []
    for e in engines:
        e.n_commands += 1
        if not e.remote[force] and not e.pending[force] and not e._n_tracks(force):
            continue  # nothing to share, nothing known
        e._share(t, force)
        e._receive(force, t, EventKind.COMMAND_CYCLE)
        tids, x_own, P_own, t_own, _ = e._confirmed(force, MIN_TRACK_UPDATES)
        box = e.remote[force]
        msgs = []
        if box:
            for tid, msg in list(box.items()):
                if t - msg.time_s > stale_age:
                    del box[tid]  # a stale remote track is dropped
                else:
                    msgs.append(msg)
        if tids or msgs:
            lanes.append((e, tids, x_own, P_own, t_own, msgs))
    if not lanes:
        return []
    n_own = [len(lane[1]) for lane in lanes]
    n_rem = [len(lane[5]) for lane in lanes]
    own_bounds = np.concatenate([[0], np.cumsum(n_own)])
    rem_bounds = np.concatenate([[0], np.cumsum(n_rem)])
    N_own = int(own_bounds[-1])
    X = np.concatenate([lane[2] for lane in lanes])
    PP = np.concatenate([lane[3] for lane in lanes])
    TT = np.concatenate([lane[4] for lane in lanes])
    keep = []
    if rem_bounds[-1]:
        msgs_all = [m for lane in lanes for m in lane[5]]
        x_rem = np.array([m.payload[0] for m in msgs_all])
        P_rem = np.array([m.payload[1] for m in msgs_all])
        t_rem = np.array([m.time_s for m in msgs_all])
        # a partner's track of a threat this force tracks itself is not added: it lies
        # within max(5 km, 4 sigma) of one of the force's own tracks (both extrapolated)
        own_pos = X[:, :3] + X[:, 3:6] * (t - TT)[:, None]
        pos = x_rem[:, :3] + x_rem[:, 3:6] * (t - t_rem)[:, None]
        d = np.empty(len(msgs_all))
        _nearest_in_group(own_pos, own_bounds, pos, rem_bounds, d)
        tr = P_rem[:, 0, 0] + P_rem[:, 1, 1] + P_rem[:, 2, 2]
        sig = np.sqrt(np.maximum(tr, 1.0))
        keep = (~(d < np.maximum(5_000.0, 4.0 * sig))).tolist()
        X = np.concatenate([X, x_rem])
        PP = np.concatenate([PP, P_rem])
        TT = np.concatenate([TT, t_rem])
    # every lane's picture: its own rows, then its kept remote rows
    order: list[int] = []
    keys: list[list[tuple[Any, ...]]] = []
    for g, lane in enumerate(lanes):
        lane_keys: list[tuple[Any, ...]] = [("own", force, i) for i in lane[1]]
        order.extend(range(int(own_bounds[g]), int(own_bounds[g + 1])))
        r0 = int(rem_bounds[g])
        for r, msg in enumerate(lane[5], start=r0):
            if keep[r]:
                lane_keys.append(("remote", *msg.track_id))
                order.append(N_own + r)
        keys.append(lane_keys)
    idx = np.array(order, dtype=np.int64)
    X, PP, TT = X[idx], PP[idx], TT[idx]
    remote = idx >= N_own
    # fire-control quality: only settled tracks are engaged (a track formed in boost
    # predicts the intercept point badly until its velocity has converged)
    sig_p = np.sqrt(PP[:, 0, 0] + PP[:, 1, 1] + PP[:, 2, 2])
    sig_v = np.sqrt(PP[:, 3, 3] + PP[:, 4, 4] + PP[:, 5, 5])
    eligible = (sig_p <= MAX_POSITION_SIGMA_M) & (sig_v <= MAX_VELOCITY_SIGMA_MPS)
    stage = np.zeros(len(idx), dtype=int)
    reserve = world.spec.command.reserve
    bats_of = []
    lo = 0
    for (e, *_), lane_keys in zip(lanes, keys, strict=True):
        hi = lo + len(lane_keys)
        bats = [b for b in world.force_batteries[force] if e.inventory[b] > reserve]
        bats_of.append(bats)
        if not bats:
            eligible[lo:hi] = False
        else:
            eng = e.engagements[force]
            for i, key in enumerate(lane_keys, start=lo):
                en = eng.get(key)
                if en is None:
                    continue
                if en.status == "missed" and e._stage_shots(en.stage + 1) > 0:
                    stage[i] = en.stage + 1
                else:
                    eligible[i] = False
        lo = hi
    sel = np.flatnonzero(eligible)
    cut = np.concatenate([[0], np.cumsum(eligible)])
    X, PP, TT, remote, stage = X[sel], PP[sel], TT[sel], remote[sel], stage[sel]
    sel_list = sel.tolist()
    plans = []
    lo = 0
    for (e, *_), lane_keys, bats in zip(lanes, keys, bats_of, strict=True):
        hi = lo + len(lane_keys)
        a, b = int(cut[lo]), int(cut[hi])
        if b > a:
            plans.append(
                _Plan(
                    engine=e,
                    keys=[lane_keys[i - lo] for i in sel_list[a:b]],
                    x=X[a:b],
                    P=PP[a:b],
                    tx=TT[a:b],
                    remote=remote[a:b],
                    stage=stage[a:b],
                    bats=bats,
                )
            )
        lo = hi
    return plans


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


def _predict_plans(
    world: World, t: float, force: int, plans: list[_Plan]
) -> tuple[np.ndarray, np.ndarray]:
    """Predicted paths on the common grid starting at ``t`` rounded up to the step, reusing
    each track's prediction for ``PREDICTION_REFRESH_S`` (grids are aligned to multiples of
    the step, so older predictions are sliced, not interpolated). Sets ``entries`` (the
    predictions) and ``fresh`` of every plan; returns the grid and this cycle's
    new paths (on the grid)."""
    step = PREDICTION_STEP_S
    k = round(PREDICTION_HORIZON_S / step) + 1
    t0 = math.ceil(t / step - 1e-9) * step
    stale: list[tuple[_Plan, int]] = []
    new = np.empty((0, k, 3))
    for plan in plans:
        cache = plan.engine.predictions[force]
        plan.fresh = [-1] * len(plan.keys)
        stale.extend(
            (plan, i)
            for i, key in enumerate(plan.keys)
            if key not in cache or t - cache[key][0] > PREDICTION_REFRESH_S
        )
    if stale:
        x = np.array([plan.x[i] for plan, i in stale])
        tx = np.array([plan.tx[i] for plan, i in stale])
        # altitudes only where an intercept solve needs them (most tracks threaten nothing)
        _, paths_new, ti_new, ri_new, _ = predict_paths(t0, x, tx, altitudes=False)
        new = paths_new
        for row, (plan, i) in enumerate(stale):
            plan.fresh[i] = row
            plan.engine.predictions[force][plan.keys[i]] = [
                t,
                t0,
                paths_new[row],
                ti_new[row],
                ri_new[row].copy(),
                None,
                None,
                {},
            ]
    for plan in plans:
        cache = plan.engine.predictions[force]
        plan.entries = [cache[key] for key in plan.keys]
    return t0 + step * np.arange(k), new


def _paths_of(
    rows: list[tuple[_Plan, int]], grid: np.ndarray, new: np.ndarray, altitudes: bool = False
) -> tuple[np.ndarray, np.ndarray | None]:
    """Predicted positions (m, k, 3) of entries ``(plan, j)`` on the grid (this cycle's new
    predictions ``new`` taken in one go, older ones sliced) and, if asked, their altitudes
    (m, k) (computed once per prediction, when first asked for)."""
    fresh = [plan.fresh[j] for plan, j in rows]
    if min(fresh, default=0) >= 0:
        out = new[np.array(fresh, dtype=np.int64)]
    else:
        f = np.array(fresh, dtype=np.int64)
        ok = f >= 0
        out = np.empty((len(rows), grid.size, 3))
        out[ok] = new[f[ok]]
        for r in np.flatnonzero(~ok).tolist():
            plan, j = rows[r]
            out[r] = plan.path(j, grid)[0]
    if not altitudes:
        return out, None
    missing = [plan.entries[j] for plan, j in rows if plan.entries[j][_E_ALT] is None]
    if missing:
        alt_new = path_altitudes(np.array([entry[_E_PATH] for entry in missing]))
        for entry, alt in zip(missing, alt_new, strict=True):
            entry[_E_ALT] = alt
    return out, np.array([plan.path(j, grid)[1] for plan, j in rows])


def _value_plans(
    world: World,
    t: float,
    force: int,
    grid: np.ndarray,
    new: np.ndarray,
    plans: list[_Plan],
) -> list[_Plan]:
    """Threat values, re-evaluated only for tracks whose prediction changed; keeps only the
    entries that threaten a defended asset (the plans left with some)."""
    stale = [(plan, j) for plan in plans for j, e in enumerate(plan.entries) if e[_E_VALUE] is None]
    if stale:
        impacts = impact_predictions(
            world.assets,
            t,
            np.array([plan.P[j] for plan, j in stale]),
            grid,
            _paths_of(stale, grid, new)[0],
            np.array([plan.entries[j][_E_T_IMPACT] for plan, j in stale]),
            np.array([plan.entries[j][_E_R_IMPACT] for plan, j in stale]),
        )
        assessment = evaluate_threats(impacts, world.assets, t)
        for (plan, j), value in zip(stale, assessment.threat_value.tolist(), strict=True):
            plan.entries[j][_E_VALUE] = value
    kept = []
    every = np.array([e[_E_VALUE] for plan in plans for e in plan.entries])
    positive = (every > 0).tolist()
    hi = 0
    for plan in plans:
        lo, hi = hi, hi + len(plan.keys)
        value = every[lo:hi]
        if all(positive[lo:hi]):
            plan.value = value
            kept.append(plan)
            continue
        if not any(positive[lo:hi]):
            continue
        keep = np.array(positive[lo:hi])
        # only tracks that threaten a defended asset are planned against
        plan.keys = [k for k, ok in zip(plan.keys, keep, strict=True) if ok]
        plan.x, plan.P, plan.tx = plan.x[keep], plan.P[keep], plan.tx[keep]
        plan.remote, plan.stage = plan.remote[keep], plan.stage[keep]
        plan.value = value[keep]
        plan.entries = [e for e, ok in zip(plan.entries, keep, strict=True) if ok]
        plan.fresh = [f for f, ok in zip(plan.fresh, keep, strict=True) if ok]
        kept.append(plan)
    return kept


def _pip_plans(
    world: World,
    t: float,
    force: int,
    grid: np.ndarray,
    new: np.ndarray,
    plans: list[_Plan],
) -> None:
    """Predicted intercept points of every entry by every battery that may fire, kept with
    the entry's prediction. An entry is solved again (for all batteries of a type) only when its
    prediction changed or a cached launch time has slipped before the battery's earliest
    launch; all trials' entries of an interceptor type are solved in one call."""
    for type_name, type_bats in world.force_types[force].items():
        rows: list[tuple[_Plan, int, list[int]]] = []
        t_min_rows: list[list[float]] = []
        for plan in plans:
            cols = [b for b in plan.bats if world.batteries[b].interceptor.name == type_name]
            if not cols:
                continue
            t_min_type = [plan.engine._t_min(t, force, b) for b in type_bats]
            t_min = dict(zip(type_bats, t_min_type, strict=True))
            for j, entry in enumerate(plan.entries):
                by_battery = entry[_E_PIP]
                for b in cols:
                    hit = by_battery.get(b)
                    if hit is None or (hit[0] and not hit[1] >= t_min[b]):
                        rows.append((plan, j, cols))
                        t_min_rows.append(t_min_type)
                        break
        if not rows:
            continue
        itype = world.batteries[type_bats[0]].interceptor
        t_min = np.array(t_min_rows)
        r_ecef = _paths_of([(plan, j) for plan, j, _ in rows], grid, new, altitudes=False)[0]
        sol = solve_pip(
            ThreatPath(t_s=grid, r_ecef=r_ecef, altitude_m=None),
            np.array([world.batteries[b].site_ecef_m for b in type_bats]),
            _table(itype),
            itype.envelope,
            t_min,
            site_alt_m=np.array([world.batteries[b].site_alt_m for b in type_bats]),
            t_tol_s=PIP_TIME_TOLERANCE_S,
            refine_latest=False,
        )
        # (the cached intercept points are rows of this solve's own array, never written)
        feasible, t_launch = sol.feasible.tolist(), sol.t_launch_s.tolist()
        t_earliest, r_int = sol.t_earliest_s.tolist(), sol.r_intercept_ecef
        for row, (plan, j, cols) in enumerate(rows):
            by_battery = plan.entries[j][_E_PIP]
            for m, b in enumerate(type_bats):
                if b in cols:
                    by_battery[b] = (
                        feasible[row][m],
                        t_launch[row][m],
                        t_earliest[row][m],
                        r_int[row, m],
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
    """Whether any target could be within the radar's range and above its 4/3-Earth
    horizon (a conservative pre-check, with a 20 km margin)."""
    return bool(np.any(_may_see_rows(site, r, alt)))


def _may_see_rows(site: Any, r: np.ndarray, alt: np.ndarray) -> np.ndarray:
    """Per target: :func:`_may_see` of that target alone."""
    radar = site.radar
    re = R_EARTH_MEAN_M * radar.k_factor
    horizon = np.sqrt(2.0 * re * max(radar.alt_m, 0.0)) + np.sqrt(2.0 * re * np.maximum(alt, 0.0))
    d = np.linalg.norm(r - radar.as_array().site_ecef_m[0], axis=1)
    return (d <= radar.max_range_m + 1e3) & (d <= horizon + 20e3)


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
