"""Many trials of one world in lockstep: the campaign engine.

:class:`BatchEngine` runs ``L`` trials ("lanes") of a compiled :class:`~hoplon.sim.World`
together. Every lane is an :class:`~hoplon.sim.engine.Engine` with its own seed, random
streams, truth, tracks, engagements and log; what the lanes share is the clock and the
numerical work. Radar dwells and command cycles fall on the same times in every trial
(the frame and command clocks are fixed by the scenario), so each is handled once for all
lanes: the truth of every lane's threats is interpolated in one call, each radar's geometry
is computed once for all of them, one :class:`~hoplon.tracking.lanes.LaneTracker` per force
updates every lane's tracks, and a command cycle predicts, evaluates and solves intercepts
for every lane's tracks in one batch (:func:`~hoplon.sim.engine.command_cycle`). The rare
per-trial events (launches, impacts, interceptor launches, intercepts, kill assessments) run
in each lane's own event queue, interleaved with the shared dwells and command cycles in the
order the single-trial engine would run them (shared tracks reach a lane's command node as
in the single-trial engine: applied in arrival order when the node next looks).

Each lane draws from its own streams exactly as the single-trial engine does, and every
batched calculation is row by row, so a lane's result is the result of ``Engine(world,
seed).run()`` for its seed: a trial does not depend on which other trials share its batch
(the tests compare them). Partner nodes (a ``link``) run one trial per process and use
:class:`~hoplon.sim.engine.Engine` directly.
"""

from __future__ import annotations

import functools
import gc
import heapq
import math
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from hoplon.errors import InputError
from hoplon.sensors.infrared import observe_infrared_lanes
from hoplon.sensors.lane_draws import lane_states
from hoplon.sensors.radar import observe_radar_lanes
from hoplon.sim.engine import (
    _CONFIRMED,
    Engine,
    _approximate_altitude,
    _may_see_rows,
    command_cycle,
    confirmed_part,
    track_rows,
    tracker_options,
    truth_states,
)
from hoplon.sim.events import Event, EventKind, EventQueue
from hoplon.sim.result import RunResult
from hoplon.sim.world import World
from hoplon.tracking.lanes import LaneTracker
from hoplon.tracking.state import TrackSet

#: Lanes per batch by default: large enough to spread the per-event work (most of a command
#: cycle is now a few array operations for all lanes), small enough to keep a batch's memory
#: and latency modest. two_partner, 2-core machine, 2 workers, steady: 64 lanes 47.5-48.8,
#: 128 lanes 50.9-54.0 trials/s; a 128-lane block peaks at ~0.72 GB (64: ~0.5 GB), so a
#: campaign needs about that much memory per worker (``--lanes`` lowers it).
DEFAULT_LANES = 128

_T = TypeVar("_T")


def _gc_paused(run: Callable[..., _T]) -> Callable[..., _T]:
    """``run`` with Python's automatic garbage collection paused (the previous state is
    restored on the way out).

    A block of lanes allocates many tracked containers (tracks, plans, event payloads) and
    so sets off collections whose number grows faster than the lanes: measured on the
    two-partner example, about 150 young and 1-2 full ones per 32 lanes (0.3-0.55 s of a
    ~8.5 s block) and about 1,840 young and 13 full ones per 128 lanes (3-4.6 s of ~30 s), a
    full one walking every long-lived object of the process (the world, numpy, scipy,
    numba). The run itself leaves no reference cycles behind (a collection at its end finds
    none), so pausing does not raise peak memory; the lanes' own cycles become garbage when
    the caller drops the engine, and a campaign breaks them after each block
    (:meth:`BatchEngine.close`), so that the block is freed without a collection.
    """

    @functools.wraps(run)
    def paused(*args: Any, **kwargs: Any) -> _T:
        was = gc.isenabled()
        gc.disable()
        try:
            return run(*args, **kwargs)
        finally:
            if was:
                gc.enable()

    return paused


class _LaneTracks:
    """A lane's view of its force's :class:`LaneTracker` (what the engine reads)."""

    def __init__(self, batch: BatchEngine, force: int, lane: int) -> None:
        self._batch = batch
        self._force = force
        self._lane = lane

    @property
    def tracks(self) -> TrackSet:
        return self._batch._lane_tracks(self._force, self._lane)

    @property
    def n_tracks(self) -> int:
        return self._batch._lane_count(self._force, self._lane)

    def confirmed(self, min_hits: int) -> tuple[Any, ...]:
        """The lane's confirmed tracks with at least ``min_hits`` updates (see
        :func:`hoplon.sim.engine.confirmed_tracks`), cut from one selection for all lanes."""
        return self._batch._lane_confirmed(self._force, self._lane, min_hits)

    def confirmed_lanes(self, trackers: list[_LaneTracks], min_hits: int) -> tuple[Any, ...]:
        """:meth:`confirmed` of each of ``trackers`` (views of this force in this batch),
        one after another, and the bounds of each one's part (list)."""
        batch, force = self._batch, self._force
        if trackers == batch._every_view[force]:  # (by identity: every lane, in order)
            return batch._lanes_confirmed(force, batch._all_lanes, min_hits)
        return batch._lanes_confirmed(force, [tr._lane for tr in trackers], min_hits)


class BatchEngine:
    """Runs one trial per seed of a compiled :class:`World`, all trials in lockstep.

    Parameters
    ----------
    world : World
        The compiled scenario (shared by every lane).
    seeds : sequence of int
        One seed per lane; lane ``k`` gives the trial ``Engine(world, seeds[k])`` gives.
    """

    def __init__(self, world: World, seeds: list[int] | tuple[int, ...] | np.ndarray) -> None:
        seeds = [int(s) for s in seeds]
        if not seeds:
            raise InputError("seeds", "no seeds given", "one seed per trial (at least one)")
        self.world = world
        self.seeds = seeds

    # ----------------------------------------------------------------------------- run
    @_gc_paused
    def run(self) -> list[RunResult]:
        """Run every lane to the scenario's end; one :class:`RunResult` per seed."""
        w = self.world
        lanes = [Engine(w, s) for s in self.seeds]
        for e in lanes:
            e._setup(trackers=False)
        self.lanes = lanes
        L, n = len(lanes), len(w.threats)
        # the lanes' truth arrays become rows of shared matrices (views), so that the
        # dwells can read every lane at once while each lane's own code writes its row
        self.launch = np.stack([e.launch_s for e in lanes]) if n else np.empty((L, 0))
        self.impact = np.stack([e.impact_s for e in lanes]) if n else np.empty((L, 0))
        self.killed = np.stack([e.killed_s for e in lanes]) if n else np.empty((L, 0))
        self.first_detect = np.stack([e.first_detect for e in lanes])
        for k, e in enumerate(lanes):
            e.launch_s, e.impact_s = self.launch[k], self.impact[k]
            e.killed_s, e.first_detect = self.killed[k], self.first_detect[k]
        self.rcs = np.array([th.rcs_m2 for th in w.threats], dtype=float)
        self.burnout = np.array([th.burnout_s for th in w.threats], dtype=float)
        #: per sensor: each lane's random stream of it
        self._sensor_rngs = [
            [e.rngs["sensors"][sid] for e in lanes] for sid in range(len(lanes[0].rngs["sensors"]))
        ]
        #: per sensor: the lanes' streams as an object array, and their states for the
        #: compiled draws (None where they cannot be drawn so: see lane_states)
        self._sensor_rng_array = []
        for rngs in self._sensor_rngs:
            arr = np.empty(len(rngs), dtype=object)
            arr[:] = rngs
            self._sensor_rng_array.append(arr)
        self._sensor_states = [lane_states(rngs) for rngs in self._sensor_rngs]
        self._truth_memo: tuple[Any, np.ndarray, np.ndarray, np.ndarray] | None = None
        self.trackers = [
            LaneTracker(L, **tracker_options(w.spec), owner=f) for f in range(len(w.forces))
        ]
        self._views: list[dict[Any, Any]] = [{} for _ in w.forces]
        for k, e in enumerate(lanes):
            e.trackers = [_LaneTracks(self, f, k) for f in range(len(w.forces))]
        self.frame_index = [0 for _ in w.forces]

        common = EventQueue()
        alive: dict[tuple[str, int], np.ndarray] = {}
        for f in range(len(w.forces)):
            if math.isfinite(w.frame_period_s[f]):
                common.push(0.0, EventKind.SENSOR_DWELL, force=f)
                alive[("dwell", f)] = np.ones(L, dtype=bool)
            common.push(w.force_cycle_s[f], EventKind.COMMAND_CYCLE, force=f)
            alive[("command", f)] = np.ones(L, dtype=bool)
        for k in range(len(w.infrared)):
            common.push(0.0, EventKind.SENSOR_DWELL, infrared=k)
            alive[("infrared", k)] = np.ones(L, dtype=bool)

        end = w.spec.duration
        due = _DueLanes(lanes)
        # a lane's last_activity (its last impact) is set by _setup and not changed after:
        # only lanes past it can be retired, and before the earliest of them none can
        # (instead of a Python loop over every live lane before every shared event)
        last = np.array([e.last_activity for e in lanes], dtype=float)
        first_last = float(last.min()) if L else math.inf
        while True:
            head = common._heap[0] if common._heap else None
            if head is None or head.time_s > end:
                due.drain((math.inf, 0), end)
                break
            due.drain((head.time_s, head.priority), end)
            ev = common.pop()
            t = ev.time_s
            if ev.kind == EventKind.COMMAND_CYCLE:
                stream = ("command", ev.data["force"])
            elif "infrared" in ev.data:
                stream = ("infrared", ev.data["infrared"])
            else:
                stream = ("dwell", ev.data["force"])
            mask = alive[stream]
            if t > first_last:
                for k in np.nonzero(mask & (t > last))[0]:
                    e = lanes[k]
                    if t > e.last_activity and not e._pending_shots(t):
                        mask[k] = False  # nothing left to see or decide in this trial
            act = np.nonzero(mask)[0]
            if not len(act):
                continue
            if stream[0] == "command":
                f = stream[1]
                common.push(t + w.force_cycle_s[f], EventKind.COMMAND_CYCLE, force=f)
                command_cycle(t, f, [lanes[k] for k in act])
            elif stream[0] == "infrared":
                k_ir = stream[1]
                revisit = w.infrared[k_ir].constellation.revisit_s
                common.push(t + revisit, EventKind.SENSOR_DWELL, infrared=k_ir)
                self._infrared_dwell(t, k_ir, act)
            else:
                f = stream[1]
                common.push(t + w.frame_period_s[f], EventKind.SENSOR_DWELL, force=f)
                self._dwell(t, f, act)
        return [e._result() for e in lanes]

    def close(self) -> None:
        """Free a finished block now, by reference counting (the results stay valid).

        The lanes hold reference cycles (each engine and its command block, its trackers'
        views of the batch, bound methods kept as handlers), which only a collection would
        free: a full one walks every object of the process (~70 ms a block in a user's
        process, ~10 ms in a campaign worker, where the world is frozen). Dropping the
        engines' and the batch's attributes (the results hold none of them) breaks them all
        but a few hundred small ctypes objects of the random generators, which the
        automatic collection frees (peak memory over many blocks as with a full collection
        after each; measured). The engine cannot be run again after this.
        """
        for lane in getattr(self, "lanes", []):
            lane.__dict__.clear()
        self.__dict__.clear()

    # --------------------------------------------------------------------------- views
    @functools.cached_property
    def _all_lanes(self) -> list[int]:
        """Every lane, in order."""
        return list(range(len(self.lanes)))

    @functools.cached_property
    def _lane_edges(self) -> np.ndarray:
        """``0 .. L``: the lanes' first rows are where these go in rows sorted by lane."""
        return np.arange(len(self.lanes) + 1)

    @functools.cached_property
    def _every_view(self) -> list[list[Any]]:
        """Per force: every lane's view of its tracker (:class:`_LaneTracks`), in order."""
        return [[e.trackers[f] for e in self.lanes] for f in range(len(self.world.forces))]

    def _grouped(self, force: int) -> tuple[TrackSet, list[int]]:
        """The force's tracks grouped by lane and each lane's bounds in them (made once per
        frame). The tracker keeps its rows by lane, so these are its own arrays (read only,
        until its next frame); a copy sorted by lane only if they were not."""
        views = self._views[force]
        hit = views.get("grouped")
        if hit is None:
            tracker = self.trackers[force]
            grouped, lane = tracker.tracks, tracker.lane
            if lane.size > 1 and (lane[1:] < lane[:-1]).any():
                order = np.argsort(lane, kind="stable")
                grouped, lane = grouped.select(order), lane[order]
            bounds = lane.searchsorted(self._lane_edges).tolist()
            hit = views["grouped"] = (grouped, bounds)
        return hit

    def _lane_count(self, force: int, lane: int) -> int:
        """How many tracks of ``force`` lane ``lane`` holds."""
        bounds = self._grouped(force)[1]
        return bounds[lane + 1] - bounds[lane]

    def _lane_tracks(self, force: int, lane: int) -> TrackSet:
        """Lane ``lane``'s tracks of ``force`` (as its own tracker holds them): a slice of
        the force's tracks grouped by lane (read only), made once per frame."""
        views = self._views[force]
        view = views.get(lane)
        if view is None:
            grouped, bounds = self._grouped(force)
            lo, hi = bounds[lane], bounds[lane + 1]
            view = views[lane] = grouped.select(slice(lo, hi))
        return view

    def _confirmed_every(self, force: int, min_hits: int) -> tuple[Any, ...]:
        """:func:`~hoplon.sim.engine.confirmed_tracks` of all lanes' tracks of ``force``
        grouped by lane (ids, x, P, times, sensor sets, each lane's bounds), made once per
        frame and ``min_hits``: the confirmed tracks from the tracks, those with at least
        ``min_hits`` updates as a part of them (the same objects when that is all of them;
        what is returned is not to be changed in place)."""
        views = self._views[force]
        min_hits = max(int(min_hits), 0)  # (none below 0: all the confirmed tracks)
        every = views.get(("confirmed", min_hits))
        if every is not None:
            return every
        if not min_hits:
            grouped, bounds = self._grouped(force)
            idx = np.flatnonzero(grouped.status == _CONFIRMED)
            every = track_rows(grouped, idx, bounds)
            views["confirmed_hits"] = grouped.hits[idx]
        else:
            every = self._confirmed_every(force, 0)
            keep = views["confirmed_hits"] >= min_hits
            if not keep.all():
                every = confirmed_part(every, np.flatnonzero(keep))
        views[("confirmed", min_hits)] = every
        return every

    def _lane_confirmed(self, force: int, lane: int, min_hits: int) -> tuple[Any, ...]:
        """Lane ``lane``'s part of :func:`~hoplon.sim.engine.confirmed_tracks` of all lanes'
        tracks of ``force`` (selected once per frame and ``min_hits``)."""
        ids, x, P, ts, sensors, cut = self._confirmed_every(force, min_hits)
        lo, hi = cut[lane], cut[lane + 1]
        return ids[lo:hi], x[lo:hi], P[lo:hi], ts[lo:hi], sensors[lo:hi]

    def _lanes_confirmed(self, force: int, lanes: list[int], min_hits: int) -> tuple[Any, ...]:
        """Lanes ``lanes``' parts of :func:`~hoplon.sim.engine.confirmed_tracks` of all
        lanes' tracks of ``force``, one after another, and the bounds of each lane's part."""
        every = self._confirmed_every(force, min_hits)
        if lanes == self._all_lanes:
            return every
        ids, x, P, ts, sensors, cut = every
        rows = [i for k in lanes for i in range(cut[k], cut[k + 1])]
        bounds = np.cumsum([0] + [cut[k + 1] - cut[k] for k in lanes]).tolist()
        idx = np.array(rows, dtype=np.int64)
        return [ids[i] for i in rows], x[idx], P[idx], ts[idx], [sensors[i] for i in rows], bounds

    # -------------------------------------------------------------------------- dwells
    def _flying(self, t: float, act: np.ndarray) -> np.ndarray:
        """(A, n): whether each threat is in flight and alive at ``t`` in lanes ``act``."""
        if len(act) == len(self.lanes):  # every lane (act is sorted): no copies
            return (self.launch <= t) & (t < self.impact) & (self.killed > t)
        return (self.launch[act] <= t) & (t < self.impact[act]) & (self.killed[act] > t)

    def _truth(self, t: float, lane: np.ndarray, threat: np.ndarray) -> np.ndarray:
        """True states (m, 7) of ``threat[j]`` in ``lane[j]`` at ``t``."""
        return truth_states(self.world, t, self.launch[lane, threat], threat)

    def _dwell(self, t: float, force: int, act: np.ndarray) -> None:
        """One frame of ``force``'s radars in the lanes ``act`` (see Engine._on_dwell)."""
        w = self.world
        lanes = self.lanes
        period = w.frame_period_s[force]
        frame = self.frame_index[force]
        self.frame_index[force] += 1
        flying = self._flying(t, act)  # (A, n)
        row_lane, row_threat = np.nonzero(flying)  # lane-major: each lane's flying order
        counts = flying.sum(axis=1)
        scans = []
        scan_lanes = []
        if row_lane.size:
            # forces whose frames fall at the same time see the same truth: kept for them
            key = (t, act.tobytes(), flying.tobytes())
            memo = self._truth_memo
            if memo is not None and memo[0] == key:
                r, near_alt, alt_cache = memo[1], memo[2], memo[3]
            else:
                r = self._truth(t, act[row_lane], row_threat)[:, :3]
                near_alt = _approximate_altitude(r)
                # the rows' geodetic altitudes, worked out by the first radar that needs
                # one and kept for the others (NaN: not yet)
                alt_cache = np.full(len(r), np.nan)
                self._truth_memo = (key, r, near_alt, alt_cache)
            horizons: dict[float, np.ndarray] = {}
            for site in w.radars:
                if site.force != force:
                    continue
                every = max(1, round(site.radar.revisit_s / period))
                if frame % every:
                    continue
                if site.radar.false_alarms:
                    look = counts > 0
                else:
                    seen = _may_see_rows(site, r, near_alt, horizons)
                    look = np.bincount(row_lane, weights=seen, minlength=len(act)) > 0
                sel = np.nonzero(look)[0]
                if not len(sel):
                    continue  # nothing within range and above the horizon: skip the dwell
                rows = np.flatnonzero(look[row_lane])
                sid = site.radar.sensor_id
                lanes_sel = act[sel]
                states = self._sensor_states[sid]
                batch, lane_det = observe_radar_lanes(
                    site.radar,
                    t,
                    r[rows],
                    self.rcs[row_threat[rows]],
                    np.concatenate([[0], np.cumsum(counts[sel])]),
                    self._sensor_rng_array[sid][lanes_sel].tolist(),
                    row_threat[rows],
                    None if states is None else states[lanes_sel],
                    (alt_cache, rows),
                )
                if not len(batch):
                    continue
                lane_abs = lanes_sel[lane_det]
                scans.append(batch)
                scan_lanes.append(lane_abs)
                real = batch.truth_id >= 0
                seen_lane, seen_threat = lane_abs[real], batch.truth_id[real]
                new = np.isnan(self.first_detect[seen_lane, force, seen_threat])
                for k, i in zip(seen_lane[new], seen_threat[new], strict=True):
                    self.first_detect[k, force, i] = t
                    lanes[k].log.add(
                        t, "first_detection", force=w.forces[force], sensor=site.key, threat=int(i)
                    )
        looking = np.zeros(len(lanes), dtype=bool)
        looking[act] = True
        self.trackers[force].step_frame(t, scans, scan_lanes, looking)
        self._views[force] = {}

    def _infrared_dwell(self, t: float, k_ir: int, act: np.ndarray) -> None:
        """One look of infrared layer ``k_ir`` in the lanes ``act`` (see
        Engine._infrared_dwell): only lanes with a threat in boost look; each draws from its
        own ``infrared`` stream for all its flying threats."""
        w = self.world
        layer = w.infrared[k_ir]
        flying = self._flying(t, act)  # (A, n)
        launch = self.launch if len(act) == len(self.lanes) else self.launch[act]
        boosting = flying & (t - launch < self.burnout)
        look = np.nonzero(boosting.any(axis=1))[0]
        if not len(look):
            return
        flying = flying[look]
        row_lane, row_threat = np.nonzero(flying)  # lane-major: each lane's flying order
        lanes = act[look]
        states = self._truth(t, lanes[row_lane], row_threat)
        batch, lane_det = observe_infrared_lanes(
            layer.constellation,
            t,
            states[:, :3],
            boosting[look][row_lane, row_threat],
            np.concatenate([[0], np.cumsum(flying.sum(axis=1))]),
            [self.lanes[k].rngs["infrared"] for k in lanes],
            row_threat,
        )
        if not len(batch):
            return
        n = len(w.threats)
        for key in np.unique(lanes[lane_det] * n + batch.truth_id):  # by lane, then threat
            self.lanes[int(key) // n]._warn(t, layer, int(key) % n)


def _drain(e: Engine, key: tuple[float, int], end: float) -> None:
    """Run lane ``e``'s own events that come before ``key`` (time, priority)."""
    heap = e.queue._heap
    handlers = e.handlers
    pop = heapq.heappop
    # (an Event is a tuple (time, priority, seq, ...): it is before the pair ``key`` exactly
    # when its (time, priority) is)
    while heap and heap[0] < key and heap[0][0] <= end:
        ev = pop(heap)
        handlers[ev.kind](ev.time_s, **ev.data)


class _LaneQueue(EventQueue):
    """A lane's event queue that tells :class:`_DueLanes` when a push makes a new earliest
    event (the engine's handlers and the shared command cycles push into lanes' queues)."""

    def __init__(self, queue: EventQueue, due: _DueLanes, lane: int) -> None:
        super().__init__()
        self._heap = queue._heap
        self._counter = queue._counter  # the same sequence numbers as the lane would use
        self._due = due
        self._lane = lane

    def push(self, time_s: float, kind: EventKind, **data: Any) -> None:
        t, p = float(time_s), int(kind)  # the event's (time, priority)
        heapq.heappush(self._heap, Event(t, p, next(self._counter), kind, data))  # (as pushed)
        due = self._due
        k = self._lane
        if (t, p) < due.head[k]:
            due.head[k] = (t, p)
            heapq.heappush(due.heap, (t, p, k))


class _DueLanes:
    """Which lanes have an own event due: a heap of each lane's earliest (time, priority),
    so that before a shared event only the lanes with an earlier event of their own are
    drained (instead of looking at every lane before every shared event).

    ``head[k]`` is the key of lane ``k``'s entry in ``heap`` (``(inf, 0)`` when it has none);
    an entry whose key is no longer ``head[k]`` is stale and skipped. Each lane's events
    still run in its own queue's order, and lanes do not touch each other's state, so
    draining the due lanes in any order gives what draining every lane gives.
    """

    def __init__(self, lanes: list[Engine]) -> None:
        self.lanes = lanes
        self.head: list[tuple[float, int]] = [(math.inf, 0)] * len(lanes)
        self.heap: list[tuple[float, int, int]] = []
        for k, e in enumerate(lanes):
            e.queue = _LaneQueue(e.queue, self, k)
            self._reset(k)

    def _reset(self, k: int) -> None:
        """Enter lane ``k``'s earliest event (after its queue was drained)."""
        heap = self.lanes[k].queue._heap
        if heap:
            key = (heap[0].time_s, heap[0].priority)
            self.head[k] = key
            heapq.heappush(self.heap, (key[0], key[1], k))
        else:
            self.head[k] = (math.inf, 0)

    def drain(self, key: tuple[float, int], end: float) -> None:
        """Run every lane's own events that come before ``key`` (and not after ``end``)."""
        heap = self.heap
        head = self.head
        lanes = self.lanes
        while heap and heap[0] < key and heap[0][0] <= end:  # ((t, p, k) < key: (t, p) is)
            t, p, k = heapq.heappop(heap)
            if head[k] != (t, p):
                continue  # stale: the lane's earliest event changed since
            head[k] = _DRAINING  # pushes while draining need no entry: _reset reads it
            _drain(lanes[k], key, end)
            self._reset(k)


#: ``_DueLanes.head`` of a lane being drained (no push comes before it).
_DRAINING = (-math.inf, -1)


def run_batch(world: World, seeds: list[int]) -> list[RunResult]:
    """Run one trial per seed of ``world`` in lockstep (see :class:`BatchEngine`)."""
    return BatchEngine(world, seeds).run()


__all__ = ["DEFAULT_LANES", "BatchEngine", "run_batch"]
