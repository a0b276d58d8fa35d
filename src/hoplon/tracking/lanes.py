"""Lockstep tracking of many independent Monte Carlo trials ("lanes") in one tracker.

A :class:`LaneTracker` holds the tracks of ``L`` lanes. Each lane's tracks are, bit for bit,
what its own :class:`~hoplon.tracking.tracker.Tracker` (EKF or UKF, ``cost="d2"``, χ² gate
from the gate probability, two-point initiation, ``record=False``) holds when fed only that
lane's reports; tracks and reports of different lanes never meet. The per-frame Python
overhead is paid once for all lanes:

- prediction of every stepped track in row blocks, one per distinct time step (a lane's
  tracks share one; the ballistic integrator's sub-step count follows the largest step of
  a call, so steps are never mixed);
- per sensor, in ascending id order as each tracker takes them: ``h(x)``, ``H`` and
  ``H P Hᵀ`` of the tracks of the lanes with reports, one call per distinct site value (a
  lane's tracker uses the mean of its reports' sensor positions, which for different
  report counts can differ by a rounding); for radar range/azimuth/elevation, one numba
  kernel for every site value (:func:`_rae_innovation`, equal bit for bit to the model's
  numpy functions);
- same-lane (track, report) pairs only: reports within ``ρ̂ ± √(4 γ S_ρρ)`` in range
  (outside, ``d² ≥ 4 γ`` since one component's Mahalanobis distance never exceeds the
  whole); ``d² ≤ γ`` decided in closed form where that is certain (1e-6 relative margin),
  otherwise computed as the lane's ``mahalanobis_matrix`` computes it (one inverse per
  track when the lane's reports share one ``R``, else one solve per pair). The pairs, their
  residuals, ``S`` and the closed-form decision come from one numba kernel
  (:func:`_gate_pairs`; :func:`_candidate_pairs` and :func:`_screen_d2` are its numpy
  reference, equal bit for bit);
- global nearest neighbour per lane: where the gated pairs of a lane are disjoint and none
  lies exactly on the gate, :func:`~hoplon.tracking.association.gnn_assign`'s optimum is
  all of them (each costs less than leaving its track and report unassigned), taken for all
  such lanes at once; lanes with conflicts solve their own cost matrices, all at once, with
  :func:`~hoplon.tracking.association.gnn_assign_groups` (``gnn_assign``'s result);
- one batched Kalman update (``kf_update`` with the ``h(x)`` and ``H`` already computed) of
  every assigned pair of the sensor;
- initiation: converted measurements of all leftovers at once (one kernel,
  :func:`_rae_to_ecef_rows`, equal bit for bit to ``rae_to_ecef``), ``merge_converted`` replayed
  for all lanes sensor by sensor, two-point pairing against one flat store of the lanes'
  stored points, with the same per-lane assignment shortcut.

Exactness rests on numpy computing each row of a batched call as it would in a call with
other rows (true of the kernels used here; the tests compare every field of every lane
with per-lane trackers bit for bit; the numba kernels here work row by row, with numpy's
operations in numpy's order, and without fastmath), with one exception handled as the
trackers do: the UKF's sums over sigma points round differently for a batch of one row, so
a lane's only row is passed on its own.
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass

import numba
import numpy as np
from numpy.typing import NDArray

from hoplon.errors import InputError
from hoplon.sensors.measurements import MeasurementBatch, MeasurementKind
from hoplon.tracking.association import gnn_assign_groups
from hoplon.tracking.deletion import Deleter
from hoplon.tracking.filters import (
    MerweSigmaPoints,
    check_covariance,
    ekf_predict,
    ekf_update,
    kf_update,
    kf_update_rows,
    symmetrise,
    ukf_predict,
    ukf_update,
    unscented_innovation,
)
from hoplon.tracking.gating import chi2_gate
from hoplon.tracking.initiation import MofN, TwoPointInitiator
from hoplon.tracking.models import (
    Ballistic,
    LineOfSight,
    MeasurementModel,
    RadarRAE,
    TransitionModel,
    _fma,
    _site_rotation,
    measurement_model_for,
)
from hoplon.tracking.state import TrackSet, TrackStatus

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

#: Reports farther in range than √(PREGATE_FACTOR γ S_ρρ) from a track are not paired.
PREGATE_FACTOR = 4.0
#: Relative distance from the gate within which d² is always computed exactly.
_BAND = 1e-6
#: Sensor ids below this are tracked in a per-track bit mask as well as the sensor sets.
_MASK_BITS = 63
#: χ² probability of the converted-measurement merge gate (as :class:`Tracker`).
MERGE_GATE_PROBABILITY = 0.999
#: History bits kept (as :class:`Tracker`).
_HISTORY_MASK = (1 << 62) - 1
_RAE_KINDS = (MeasurementKind.RAE, MeasurementKind.RAE_RATE)
_EMPTY = np.empty(0, dtype=np.int64)


@dataclass
class _Reports:
    """The reports of the looking lanes of one frame, in concatenation order."""

    kind: MeasurementKind | None
    z: FloatArray  # (m, k)
    R: FloatArray  # (m, k, k)
    pos: FloatArray  # (m, 3) sensor positions [m, ECEF]
    sensor: IntArray  # (m,)
    lane: IntArray  # (m,)

    def __len__(self) -> int:
        return len(self.lane)


def _segments(sorted_keys: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Distinct keys of a sorted array, their first positions and counts."""
    keys = np.empty(sorted_keys.size, dtype=sorted_keys.dtype)
    starts = np.empty(sorted_keys.size, dtype=np.int64)
    counts = np.empty(sorted_keys.size, dtype=np.int64)
    k = _segments_kernel(sorted_keys, keys, starts, counts)
    return keys[:k], starts[:k], counts[:k]


@numba.njit(cache=True)
def _segments_kernel(
    sorted_keys: IntArray, keys: IntArray, starts: IntArray, counts: IntArray
) -> int:
    k = 0
    for i in range(sorted_keys.size):
        if i == 0 or sorted_keys[i] != sorted_keys[i - 1]:
            keys[k] = sorted_keys[i]
            starts[k] = i
            if k:
                counts[k - 1] = i - starts[k - 1]
            k += 1
    if k:
        counts[k - 1] = sorted_keys.size - starts[k - 1]
    return k


def _scan_rows(
    rep_lane: IntArray, track_lane: IntArray
) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray]:
    """For reports sorted by lane (``rep_lane``) and tracks sorted by lane (``track_lane``):
    the distinct lanes of the reports, each one's first report and count (:func:`_segments`),
    the rows of the tracks of those lanes and each row's index into the lanes."""
    lanes = np.empty(rep_lane.size, dtype=np.int64)
    r_start = np.empty(rep_lane.size, dtype=np.int64)
    r_count = np.empty(rep_lane.size, dtype=np.int64)
    trows = np.empty(track_lane.size, dtype=np.int64)
    t_li = np.empty(track_lane.size, dtype=np.int64)
    k, n = _scan_rows_kernel(rep_lane, track_lane, lanes, r_start, r_count, trows, t_li)
    return lanes[:k], r_start[:k], r_count[:k], trows[:n], t_li[:n]


@numba.njit(cache=True)
def _scan_rows_kernel(
    rep_lane: IntArray,
    track_lane: IntArray,
    lanes: IntArray,
    r_start: IntArray,
    r_count: IntArray,
    trows: IntArray,
    t_li: IntArray,
) -> tuple[int, int]:
    k = _segments_kernel(rep_lane, lanes, r_start, r_count)
    n = 0
    g = 0
    for i in range(track_lane.size):
        while g < k and lanes[g] < track_lane[i]:
            g += 1
        if g == k:
            break
        if lanes[g] == track_lane[i]:
            trows[n] = i
            t_li[n] = g
            n += 1
    return k, n


@numba.njit(cache=True)
def _in_range(a: IntArray, n: int) -> bool:  # pragma: no cover - compiled
    """``0 <= a.min()`` and ``a.max() < n`` (``a`` not empty)."""
    for v in a:
        if v < 0 or v >= n:
            return False
    return True


@numba.njit(cache=True)
def _check_R_kernel(R: FloatArray, full: BoolArray) -> int:
    """2 where an ``R`` is not finite or not symmetric, or diagonal with a diagonal element
    not > 0; else 1 where some are not diagonal (marked in ``full``: their eigenvalues decide),
    else 0."""
    n, k, _ = R.shape
    for i in range(n):
        for a in range(k):
            for b in range(k):
                if not np.isfinite(R[i, a, b]) or R[i, a, b] != R[i, b, a]:
                    return 2
    status = 0
    for i in range(n):
        full[i] = False
        for a in range(k):
            for b in range(k):
                if a != b and R[i, a, b] != 0.0:
                    full[i] = True
        if full[i]:
            status = 1
        else:
            for a in range(k):
                if not R[i, a, a] > 0.0:
                    return 2
    return status


def _segment_means(pos: FloatArray, starts: IntArray, counts: IntArray) -> FloatArray:
    """``pos[s:s+c].mean(axis=0)`` of each segment."""
    return np.stack([pos[s : s + c].mean(axis=0) for s, c in zip(starts, counts, strict=True)])


def _site_groups(lane_group: IntArray, t_li: IntArray) -> tuple[IntArray, IntArray]:
    """The distinct groups ``g`` of the tracks' lanes (``lane_group[t_li]``), ascending as
    ``np.unique`` gives them: the first lane of each (``np.argmax(lane_group == g)``, over
    every lane) and each track's index into them."""
    first = np.empty(t_li.size, dtype=np.int64)
    t_site = np.empty(t_li.size, dtype=np.int64)
    n = _site_groups_kernel(lane_group, t_li, first, t_site)
    return first[:n], t_site


@numba.njit(cache=True)
def _site_groups_kernel(
    lane_group: IntArray, t_li: IntArray, first: IntArray, t_site: IntArray
) -> int:  # pragma: no cover - compiled
    """See :func:`_site_groups`; returns the number of groups (group numbers >= 0)."""
    top = 0
    for li in range(lane_group.size):
        top = max(top, lane_group[li] + 1)
    used = np.zeros(top, dtype=np.bool_)
    for t in range(t_li.size):
        used[lane_group[t_li[t]]] = True
    first_lane = np.full(top, -1, dtype=np.int64)
    for li in range(lane_group.size):
        if first_lane[lane_group[li]] < 0:
            first_lane[lane_group[li]] = li
    rank = np.empty(top, dtype=np.int64)
    n = 0
    for g in range(top):
        if used[g]:
            rank[g] = n
            first[n] = first_lane[g]
            n += 1
    for t in range(t_li.size):
        t_site[t] = rank[lane_group[t_li[t]]]
    return n


@numba.njit(cache=True)
def _rows_equal(pos: FloatArray, order: IntArray) -> bool:  # pragma: no cover - compiled
    """``np.all(pos[order] == pos[order[0]])`` (False where a NaN is met)."""
    first = order[0]
    for i in order:
        for a in range(pos.shape[1]):
            if not pos[i, a] == pos[first, a]:
                return False
    return True


def _value_groups(values: FloatArray) -> list[IntArray]:
    """Indices of the rows of ``values`` (n, k) grouped by equal rows (first-seen order)."""
    rest = np.arange(len(values))
    groups = []
    while rest.size:
        same = np.all(values[rest] == values[rest[0]], axis=1)
        same[0] = True  # a row with NaN is a group of its own
        groups.append(rest[same])
        rest = rest[~same]
    return groups


class LaneTracker:
    """GNN multi-target trackers of ``n_lanes`` independent lanes, stepped together.

    Equivalent, lane by lane, to ``Tracker(transition_model, filter=filter,
    gate_probability=gate_probability, confirmation=confirmation, deleter=deleter,
    owner=owner, validate_R=validate_R, record=False)`` fed only that lane's reports.

    Parameters
    ----------
    n_lanes : number of lanes ``L`` (>= 1).
    transition_model : motion model (e.g. :class:`~hoplon.tracking.models.Ballistic`).
    filter : ``"ekf"`` or ``"ukf"``.
    gate_probability : χ² gate probability of the squared Mahalanobis distance.
    confirmation, deleter : life-cycle rules (as :class:`Tracker`).
    owner : partner id stamped on the tracks.
    validate_R : check that each report's ``R`` is symmetric positive definite.

    Attributes
    ----------
    tracks : TrackSet
        The tracks of all lanes, flat, sorted by lane; within a lane, rows are in the order
        that lane's :class:`Tracker` holds them. Owned by the tracker: read it, do not
        replace or reorder it.
    lane : (len(tracks),) int
        The lane of each row of ``tracks`` (non-decreasing).
    """

    def __init__(
        self,
        n_lanes: int,
        transition_model: TransitionModel,
        *,
        filter: str = "ekf",
        gate_probability: float = 0.9999,
        confirmation: MofN = MofN(),
        deleter: Deleter = Deleter(),
        owner: int = 0,
        validate_R: bool = True,
    ) -> None:
        if isinstance(n_lanes, bool) or not isinstance(n_lanes, int | np.integer):
            raise InputError("n_lanes", f"must be an integer, got {n_lanes!r}", ">= 1")
        if n_lanes < 1:
            raise InputError("n_lanes", f"must be >= 1, got {n_lanes}", ">= 1")
        if filter not in ("ekf", "ukf"):
            raise InputError("filter", f"unknown filter {filter!r}", "ekf, ukf")
        chi2_gate(gate_probability, 1)  # validates the probability
        d = transition_model.dim
        self.n_lanes = int(n_lanes)
        self.transition_model = transition_model
        self.filter = filter
        self.gate_probability = float(gate_probability)
        self.confirmation = confirmation
        self.deleter = deleter
        self.owner = int(owner)
        self.validate_R = bool(validate_R)
        self.sigma_points = MerweSigmaPoints()
        self.tracks = TrackSet.empty(d)
        self.lane: IntArray = np.empty(0, dtype=np.int64)
        self._next_id = np.zeros(self.n_lanes, dtype=np.int64)
        proto = TwoPointInitiator(state_dim=d)  # each lane's initiator: its parameters
        self._max_speed = proto.max_speed_mps
        self._max_age = proto.max_age_s
        self._extra_mean = proto.extra_mean
        self._extra_var = proto.extra_var
        # the points stored by the lanes' initiators, flat (within a lane in their order)
        self._st_pos = np.empty((0, 3))
        self._st_cov = np.empty((0, 3, 3))
        self._st_time = np.empty(0)
        self._st_lane = _EMPTY
        self._st_sensors: list[frozenset[int]] = []
        self._smask: IntArray = _EMPTY  # bit s set: sensor s is in the track's sensor set
        self._merge_gate = chi2_gate(MERGE_GATE_PROBABILITY, 3)
        self._gates: dict[int, float] = {}
        self._site_tables: dict[bytes, tuple[FloatArray, IntArray]] = {}
        self._rotations: dict[bytes, FloatArray] = {}
        self._status_new: int | None = None
        self._conv_rotations: dict[tuple[bytes, bool], FloatArray] = {}

    # ------------------------------------------------------------------------------
    def lane_tracks(self, lane: int) -> TrackSet:
        """The tracks of one lane (a copy), rows in the order its :class:`Tracker` holds them."""
        if not 0 <= int(lane) < self.n_lanes:
            raise InputError("lane", f"no lane {lane}", f"0..{self.n_lanes - 1}")
        return self.tracks.select(self.lane == int(lane))

    def step_frame(
        self,
        t_s: float,
        scans: Sequence[MeasurementBatch],
        scan_lanes: Sequence[NDArray[np.integer]],
        looking: NDArray[np.bool_],
    ) -> None:
        """Process one frame time ``t_s`` [s] of every lane that looks.

        Parameters
        ----------
        t_s : frame time [s]; every report's ``time_s`` must equal it.
        scans : report batches (any sensors and lanes, one measurement kind for all).
        scan_lanes : ``scan_lanes[k]`` (len(scans[k]),) int, the lane of each report.
        looking : (n_lanes,) bool. Lane ``l`` with ``looking[l]`` False is left untouched
            (its reports, if any, are ignored). Lane ``l`` that looks is stepped exactly as
            its :class:`Tracker` would be by ``step_frame([reports of lane l])`` when it has
            reports, by ``step_frame([], t_s=t_s)`` when it has tracks but no reports, and
            not at all when it has neither.
        """
        t = float(t_s)
        looking = self._check_looking(looking)
        if not len(scans) and not len(scan_lanes) and not looking[self.lane].any():
            return  # no reports, and no tracks in the lanes that look: nothing to step
        rep = self._gather(t, scans, scan_lanes, looking)
        has_reports = np.bincount(rep.lane, minlength=self.n_lanes) > 0
        has_tracks = np.bincount(self.lane, minlength=self.n_lanes) > 0
        called = looking & (has_reports | has_tracks)
        if not called.any():
            return
        if self.validate_R and len(rep):
            self._check_R(rep)
        rows = np.flatnonzero(called[self.lane])
        self._predict(t, rows)
        hit = np.zeros(len(self.tracks), dtype=bool)
        unassigned = np.ones(len(rep), dtype=bool)
        if len(rep):
            assert rep.kind is not None
            model = measurement_model_for(rep.kind)
            by_sensor = np.lexsort((rep.lane, rep.sensor))  # by sensor, lane, report order
            sids, s_start, s_count = _segments(rep.sensor[by_sensor])
            for sid, a, c in zip(sids.tolist(), s_start.tolist(), s_count.tolist(), strict=True):
                self._update_sensor(rep, sid, by_sensor[a : a + c], model, hit, unassigned)
        keep = self._life_cycle(t, rows, hit)
        leftover = unassigned if rep.kind in _RAE_KINDS else np.zeros(len(rep), dtype=bool)
        self._initiate(t, called, rep, leftover, keep)

    # ------------------------------------------------------------------------------
    def _check_looking(self, looking: NDArray[np.bool_]) -> BoolArray:
        looking = np.asarray(looking)
        if looking.shape != (self.n_lanes,) or looking.dtype != np.bool_:
            raise InputError(
                "looking",
                f"must be a bool array of shape ({self.n_lanes},), "
                f"got {looking.dtype} {looking.shape}",
                "one bool per lane",
            )
        return looking

    def _gather(
        self,
        t: float,
        scans: Sequence[MeasurementBatch],
        scan_lanes: Sequence[NDArray[np.integer]],
        looking: BoolArray,
    ) -> _Reports:
        if len(scans) != len(scan_lanes):
            raise InputError(
                "scan_lanes",
                f"{len(scan_lanes)} lane arrays for {len(scans)} scans",
                "one lane array per scan",
            )
        kind: MeasurementKind | None = None
        parts = []
        for k, (scan, lanes) in enumerate(zip(scans, scan_lanes, strict=True)):
            lanes = np.asarray(lanes)
            if lanes.shape != (len(scan),) or not (
                lanes.dtype.kind in "iu" or (lanes.size == 0 and lanes.dtype.kind == "f")
            ):
                raise InputError(
                    f"scan_lanes[{k}]",
                    f"must be an int array of shape ({len(scan)},), "
                    f"got {lanes.dtype} {lanes.shape}",
                    "the lane of each report",
                )
            if not len(scan):
                continue
            lanes = lanes.astype(np.int64, copy=False)
            if not _in_range(lanes, self.n_lanes):
                raise InputError(
                    f"scan_lanes[{k}]",
                    f"lanes must be in 0..{self.n_lanes - 1}, got {lanes.min()}..{lanes.max()}",
                    f"0..{self.n_lanes - 1}",
                )
            if kind is None:
                kind = scan.kind
            elif scan.kind != kind:
                raise InputError(
                    f"scans[{k}]",
                    f"measurement kind {scan.kind.value} differs from {kind.value}",
                    "one measurement kind per frame",
                )
            keep = looking[lanes]
            if not keep.all():
                if not keep.any():
                    continue
                scan, lanes = scan.select(keep), lanes[keep]
            if np.any(scan.time_s != t):
                raise InputError(
                    f"scans[{k}]",
                    f"report times must equal the frame time {t} s",
                    "all reports of a frame at t_s",
                )
            parts.append((scan, lanes))
        if not parts:
            return _Reports(
                kind, np.empty((0, 3)), np.empty((0, 3, 3)), np.empty((0, 3)), *(2 * [_EMPTY])
            )
        if len(parts) == 1:
            scan, lanes = parts[0]
            return _Reports(
                kind, scan.z, scan.R, scan.sensor_position_ecef_m, scan.sensor_id, lanes
            )
        return _Reports(
            kind,
            np.concatenate([s.z for s, _ in parts]),
            np.concatenate([s.R for s, _ in parts]),
            np.concatenate([s.sensor_position_ecef_m for s, _ in parts]),
            np.concatenate([s.sensor_id for s, _ in parts]),
            np.concatenate([lanes for _, lanes in parts]),
        )

    def _check_R(self, rep: _Reports) -> None:
        """Raise as the lanes' trackers would when a report's ``R`` is not valid."""
        R = rep.R
        # finite, symmetric, and positive definite: diagonal ones by their diagonal
        full = np.empty(len(R), dtype=np.bool_)
        status = _check_R_kernel(R, full)
        if status == 0:
            return
        if status == 1 and np.all(np.linalg.eigvalsh(R[full])[..., 0] > 0.0):
            return
        for lane in np.unique(rep.lane):  # something is wrong: find it as the lanes would
            check_covariance(R[rep.lane == lane], "R")

    def _sites(
        self, pos: FloatArray, starts: IntArray, counts: IntArray, order: IntArray | None = None
    ) -> tuple[FloatArray, IntArray]:
        """Each lane's sensor site (the mean of the positions ``pos[s:s+c]`` of its reports,
        as numpy computes it) and a group number per lane (equal sites, equal numbers).
        ``order``: the positions are ``pos[order]`` (gathered only where they differ)."""
        if order is None:
            order = np.arange(len(pos))
        p0 = pos[order[0]]
        if not _rows_equal(pos, order):  # positions differ within the frame (moving sensor)
            site = _segment_means(pos[order], starts, counts)
            group = np.empty(len(counts), dtype=np.int64)
            for g, members in enumerate(_value_groups(site)):
                group[members] = g
            return site, group
        # one position: the mean depends on the count only; numpy sums rows in order, so
        # the running sums give the mean of every count (cached per position)
        key = p0.tobytes()
        table = self._site_tables.get(key)
        cmax = int(counts.max())
        if table is None or len(table[0]) < cmax:
            n = max(cmax, 2 * len(table[0]) if table is not None else 64)
            means = np.cumsum(np.broadcast_to(p0, (n, 3)), axis=0) / np.arange(1, n + 1)[:, None]
            group = np.empty(n, dtype=np.int64)
            for g, members in enumerate(_value_groups(means)):
                group[members] = g
            if len(self._site_tables) > 256:
                self._site_tables.clear()
            table = self._site_tables[key] = (means, group)
        return table[0][counts - 1], table[1][counts - 1]

    def _rotation(self, site: FloatArray) -> FloatArray:
        """The ECEF->ENU rotation (3, 3) at one site [m, ECEF] as
        :meth:`RadarRAE.function` takes it (cached per site value)."""
        key = site.tobytes()
        M = self._rotations.get(key)
        if M is None:
            if len(self._rotations) > 256:
                self._rotations.clear()
            M = self._rotations[key] = _site_rotation(site, 1)
        return M

    def _gate(self, k: int) -> float:
        if k not in self._gates:
            self._gates[k] = chi2_gate(self.gate_probability, k)
        return self._gates[k]

    # ------------------------------------------------------------------------------
    def _predict(self, t: float, rows: IntArray) -> None:
        """Predict the tracks ``rows`` to ``t``: one call per distinct step (a lane's tracks
        share one; the ballistic integrator's step count depends on the largest step)."""
        if not rows.size:
            return
        tr = self.tracks
        step0 = _common_step(tr.time_s, rows, t) if tr.time_s.dtype == np.float64 else None
        if step0 is not None:  # one step for all (the usual case): np.unique(dt) is [step0]
            dt, steps = None, np.array([step0])
        else:
            dt = t - tr.time_s[rows]
            steps = np.unique(dt)
        everything = steps.size == 1 and rows.size == len(tr)  # rows are 0..n-1: slices
        for step in steps:
            same = rows if dt is None or steps.size == 1 else rows[dt == step]
            if self.filter == "ukf":
                for b in _ukf_blocks(self.lane[same]):
                    sel = same[b]
                    tr.x[sel], tr.P[sel], _ = ukf_predict(
                        tr.x[sel],
                        tr.P[sel],
                        self.transition_model,
                        np.full(sel.size, step),
                        self.sigma_points,
                    )
                continue
            model = self.transition_model
            if (
                isinstance(model, Ballistic)
                and model._kernel_fits(tr.x)
                and _c_float(tr.x)
                and _c_float(tr.P)
            ):  # as ekf_predict, in place (one kernel; the step count follows `step`)
                model.predict_into(tr.x, tr.P, same, step, tr.x, tr.P)
                continue
            for c in _chunks(same.size):
                sel = c if everything else same[c]
                dts = np.full(c.stop - c.start, step)
                tr.x[sel], tr.P[sel] = ekf_predict(tr.x[sel], tr.P[sel], model, dts)
        tr.time_s[rows] = t

    def _update_sensor(
        self,
        rep: _Reports,
        sid: int,
        order: IntArray,
        model: MeasurementModel,
        hit: BoolArray,
        unassigned: BoolArray,
    ) -> None:
        """Gate, assign and update with the reports ``order`` of sensor ``sid`` (sorted by
        lane, report order kept), every lane at once."""
        tr = self.tracks
        # the lanes with reports, their reports, the rows of their tracks and each row's lane
        # index (into `lanes`)
        lanes, r_start, r_count, trows, t_li = _scan_rows(rep.lane[order], self.lane)
        if not trows.size:
            return
        z = rep.z[order]
        R = _Rows(rep.R, order)  # R[i] = rep.R[order[i]], gathered only where needed
        # (rows are sorted by lane; all of them: use the arrays themselves; the kernels
        # below read the rows themselves, the others take copies)
        fused = (
            self.filter == "ekf"
            and isinstance(model, RadarRAE)
            and not model.with_rate
            and _c_float(tr.x)
            and _c_float(tr.P)
        )
        x, P = (tr.x, tr.P) if fused or trows.size == len(tr) else (tr.x[trows], tr.P[trows])
        # each lane's tracker uses the mean of its reports' sensor positions as the site
        site, lane_group = self._sites(rep.pos, r_start, r_count, order)
        # the site values of the lanes with tracks (ascending group numbers), each from the
        # first lane of its group, and each track's index into them
        first, t_site = _site_groups(lane_group, t_li)
        groups, t_group, sites = lane_group[first], lane_group[t_li], site[first]
        n, k = len(trows), model.dim
        t_sets: list[slice | IntArray] = []
        if fused:  # as filters.innovation (per site value), in one kernel
            M = (
                self._rotation(sites[0])[None]
                if len(sites) == 1
                else np.stack([self._rotation(s) for s in sites])
            )
            zhat, H, HPHt = _rae_innovation(tr.x, tr.P, trows, t_site, sites, M)
        elif self.filter == "ekf" and len(groups) == 1:  # as filters.innovation
            zhat, H = model.function(x, sites[0]), model.jacobian(x, sites[0])
            HPHt = symmetrise(H @ P @ np.swapaxes(H, -1, -2))
        else:
            zhat = np.empty((n, k))
            H = np.empty((n, k, x.shape[1]))
            t_sets = (
                [slice(None)]
                if len(groups) == 1
                else [np.flatnonzero(t_group == g) for g in groups]
            )
        if not fused and self.filter == "ekf" and len(groups) > 1:  # ... per site value
            for s, ti in zip(sites, t_sets, strict=True):
                xs = x[ti]
                zhat[ti] = model.function(xs, s)
                H[ti] = model.jacobian(xs, s)
            HPHt = symmetrise(H @ P @ np.swapaxes(H, -1, -2))
        elif self.filter == "ukf":
            HPHt = np.empty((n, k, k))
            for s, ti in zip(sites, t_sets, strict=True):
                rows_g = np.arange(n)[ti]
                for b in _ukf_blocks(t_li[rows_g]):
                    tb = rows_g[b]
                    zhat[tb], HPHt[tb] = unscented_innovation(
                        x[tb], P[tb], model, s, self.sigma_points
                    )
        gate = self._gate(k)
        # candidate pairs, then their d² (exact where the decision or the value matters)
        tp, rp, nu, S, d2, sure = _gate_pairs(zhat, HPHt, z, R, t_li, r_start, r_count, gate, model)
        exact = _ExactD2(nu, S, R, t_li[tp], r_start, r_count)
        if not sure.all():
            d2[~sure] = exact(np.flatnonzero(~sure))
        # GNN per lane: disjoint gated pairs are the optimum; conflicts solve their lane
        p_li = t_li[tp]
        chosen, bad = _clean_pairs(tp, rp, p_li, d2, gate, n, len(z), len(lanes))
        if bad.any():  # pairs are sorted by lane: the conflict lanes' pairs, lane by lane
            mine = np.flatnonzero(bad[p_li])
            # cost: d² exact where not sure (as computed), inf where surely outside the gate
            # (gnn_assign makes such a pair infeasible whatever its value), and computed
            # exactly where surely inside
            cost = d2[mine]
            inside = np.flatnonzero(sure[mine] & (cost <= gate))
            cost[inside] = exact(mine[inside])
            m_li = p_li[mine]
            _, g_start, g_count = _segments(m_li)
            t_start = np.searchsorted(t_li, np.arange(len(lanes)))
            row, col = tp[mine] - t_start[m_li], rp[mine] - r_start[m_li]
            pick = gnn_assign_groups(cost, row, col, g_start, g_count, gate, gate)
            chosen = np.concatenate([chosen, mine[pick]])
        at, ar = tp[chosen], rp[chosen]
        if not at.size:
            return
        if self.filter == "ekf" and not isinstance(model, LineOfSight):
            # as filters.ekf_update (h(x) and H of the same x are already known)
            nu_a = nu[chosen]
            if _c_float(tr.x) and _c_float(tr.P):  # in place (x, P are tr's rows trows)
                kf_update_rows(tr.x, tr.P, trows[at], nu_a, H[at], R.R_all, R.order[ar])
            else:
                for c in _chunks(at.size):
                    ti, rows = at[c], trows[at[c]]
                    tr.x[rows], tr.P[rows], _ = kf_update(x[ti], P[ti], nu_a[c], H[ti], R[ar[c]])
        else:
            a_sets = (
                [np.arange(at.size)]
                if len(groups) == 1
                else [np.flatnonzero(t_group[at] == g) for g in groups]
            )
            for s, mine in zip(sites, a_sets, strict=True):
                if not mine.size:
                    continue
                ti, ri = at[mine], ar[mine]
                if self.filter == "ekf":
                    xn, Pn = ekf_update(x[ti], P[ti], z[ri], R[ri], model, s)
                    tr.x[trows[ti]], tr.P[trows[ti]] = xn, Pn
                    continue
                for b in _ukf_blocks(t_li[ti]):
                    tb, rb = ti[b], ri[b]
                    xn, Pn = ukf_update(x[tb], P[tb], z[rb], R[rb], model, s, self.sigma_points)
                    tr.x[trows[tb]], tr.P[trows[tb]] = xn, Pn
        upd = trows[at]
        hit[upd] = True
        self._add_sensor(upd, sid)
        unassigned[order[ar]] = False

    def _add_sensor(self, rows: IntArray, sid: int) -> None:
        """Add sensor ``sid`` to the sensor sets of ``rows`` (a bit mask skips the rows that
        have it already)."""
        if 0 <= sid < _MASK_BITS:
            bit = 1 << sid
            rows = rows[(self._smask[rows] & bit) == 0]
            self._smask[rows] |= bit
        sensors = self.tracks.sensors
        one = frozenset({sid})
        for r in rows.tolist():
            if sid not in sensors[r]:
                sensors[r] = sensors[r] | one

    def _life_cycle(self, t: float, rows: IntArray, hit: BoolArray) -> IntArray | None:
        """Hit history, counters, confirmation and deletion of the stepped tracks. Returns the
        rows to keep (None: all), for :meth:`_initiate` to apply."""
        if not rows.size:
            return None
        tr = self.tracks
        every = rows.size == len(tr)
        sel: slice | IntArray = slice(None) if every else rows
        arrays = (tr.history, tr.hits, tr.misses, tr.age, tr.last_update_s)
        ints = (*arrays[:4], tr.status)
        if (
            type(self.confirmation) is MofN
            and type(self.deleter) is Deleter
            and all(a.dtype == np.int64 and a.flags.c_contiguous for a in ints)
            and tr.last_update_s.dtype == np.float64
            and _c_float(tr.P)
            and tr.P.shape[1] >= 3
        ):  # the lines below (MofN, Deleter.to_delete) row by row, in one kernel
            gone = np.zeros(len(tr), dtype=np.bool_)
            n_gone = _life_cycle_kernel(
                rows, hit, *arrays, t, tr.status, tr.P,
                self.confirmation.m, self.confirmation.n,
                self.deleter.max_misses, float(self.deleter.max_position_sigma_m), gone,
            )  # fmt: skip
            return np.flatnonzero(~gone) if n_gone else None
        if all(a.dtype == np.int64 and a.flags.c_contiguous for a in arrays[:4]):
            _counters_kernel(rows, hit, *arrays, t)  # the numpy lines below, row by row
        else:
            h = hit[sel]
            tr.history[sel] = ((tr.history[sel] << 1) | h).astype(np.int64) & _HISTORY_MASK
            tr.hits[sel] += h
            tr.misses[sel] = np.where(h, 0, tr.misses[sel] + 1)
            tr.age[sel] += 1
            tr.last_update_s[sel] = np.where(h, t, tr.last_update_s[sel])
        newly = (tr.status[sel] == TrackStatus.TENTATIVE) & self.confirmation.confirmed(
            tr.history[sel]
        )
        tr.status[rows[newly]] = TrackStatus.CONFIRMED
        gone = self.deleter.to_delete(tr, self.confirmation)  # row by row: keep stepped rows
        if not every:
            stepped = np.zeros(len(tr), dtype=bool)
            stepped[rows] = True
            gone &= stepped
        return np.flatnonzero(~gone) if gone.any() else None

    # ------------------------------------------------------------------------------
    def _initiate(
        self,
        t: float,
        called: BoolArray,
        rep: _Reports,
        leftover: BoolArray,
        keep: IntArray | None = None,
    ) -> None:
        """Two-point initiation from the unassigned reports, as each lane's tracker does:
        converted measurements, merged across sensors, paired with stored points. The track
        rows ``keep`` (None: all) are kept (deletion), the new tracks added after them."""
        idx = np.flatnonzero(leftover)
        if idx.size:
            idx = idx[np.lexsort((rep.sensor[idx], rep.lane[idx]))]  # by lane, then sensor
            pos, cov = _convert(rep, idx, self._conv_rotations)
            p, c, sensors, p_lane = _merge(
                pos, cov, rep.sensor[idx], rep.lane[idx], self._merge_gate
            )
        else:
            p, c, sensors, p_lane = np.empty((0, 3)), np.empty((0, 3, 3)), [], _EMPTY
        self._prune(t, called)
        x, P, new_sensors, x_lane = self._pair(t, p, c, sensors, p_lane)
        if not len(x):
            if keep is not None:
                self.tracks = _join_tracks(self.tracks, keep)
                self.lane = self.lane[keep]
                self._smask = self._smask[keep]
            return
        lanes, starts, counts = _segments(x_lane)
        ids = self._next_id[x_lane] + np.arange(len(x)) - np.repeat(starts, counts)
        self._next_id[lanes] += counts
        mask = [sum(1 << s for s in f if 0 <= s < _MASK_BITS) for f in new_sensors]
        # keep the rows sorted by lane: the new tracks go after their lane's (kept) tracks
        n_old = len(self.tracks)
        if keep is None:
            lane = np.concatenate([self.lane, x_lane])
            pick = np.argsort(lane, kind="stable")
        else:
            lane = np.concatenate([self.lane[keep], x_lane])
            order = np.argsort(lane, kind="stable")
            pick = np.concatenate([keep, np.arange(n_old, n_old + len(x))])[order]
        new = _NewTracks(x, P, t, ids, self._new_status(), self.owner, new_sensors)
        self.tracks = _join_tracks(self.tracks, pick, new)
        self.lane = np.concatenate([self.lane, x_lane])[pick]
        self._smask = np.concatenate([self._smask, np.array(mask, dtype=np.int64)])[pick]

    def _new_status(self) -> int:
        """The status of a new track (history 0b11: both points of its pair were hits;
        the confirmation rule is row by row, so one row decides it for all)."""
        if self._status_new is None:
            history = np.array([0b11], dtype=np.int64)
            confirmed = bool(self.confirmation.confirmed(history)[0])
            self._status_new = int(TrackStatus.CONFIRMED if confirmed else TrackStatus.TENTATIVE)
        return self._status_new

    def _prune(self, t: float, called: BoolArray) -> None:
        """Forget stored points as TwoPointInitiator.initiate does (stepped lanes only)."""
        if not self._st_time.size:
            return
        stale = called[self._st_lane] & ~(
            (t - self._st_time <= self._max_age) & (self._st_time < t)
        )
        if stale.any():
            self._drop_stored(stale)

    def _drop_stored(self, drop: BoolArray) -> None:
        keep = ~drop
        self._st_pos, self._st_cov = self._st_pos[keep], self._st_cov[keep]
        self._st_time, self._st_lane = self._st_time[keep], self._st_lane[keep]
        self._st_sensors = [s for s, k in zip(self._st_sensors, keep.tolist(), strict=True) if k]

    def _pair(
        self,
        t: float,
        pos: FloatArray,
        cov: FloatArray,
        sensors: list[frozenset[int]],
        p_lane: IntArray,
    ) -> tuple[FloatArray, FloatArray, list[frozenset[int]], IntArray]:
        """TwoPointInitiator.initiate of every lane: pair new points (lane-major order) with
        the lane's stored points; return the new states (lane-major, by stored point within
        a lane) and store the unpaired new points."""
        d = self.transition_model.dim
        none = (np.empty((0, d)), np.empty((0, d, d)), [], _EMPTY)
        if not len(pos):
            return none
        paired_new = np.zeros(len(pos), dtype=bool)
        out = none
        if self._st_time.size:
            # each new point with each stored point of its lane (in the lane's order): the
            # new point, the stored point's rank in the lane, the stored point, and the new
            # point's rank among the lane's new points
            ci, rank, si, col = _lane_pairs(self._st_lane, p_lane, self.n_lanes)
            if ci.size:
                T, cost = _pair_cost(
                    t, self._st_time, self._st_pos, self._st_cov, pos, cov, ci, si, self._max_speed
                )
                gate = self._max_speed * 10.0
                # lane-local indices: stored rank (row) and new point rank (column)
                g = p_lane[ci]
                n_st = self._st_time.size
                sel, bad = _clean_pairs(si, ci, g, cost, gate, n_st, len(pos), self.n_lanes)
                if bad.any():  # pairs are sorted by lane
                    mine = np.flatnonzero(bad[g])
                    _, g_start, g_count = _segments(g[mine])
                    pick = gnn_assign_groups(
                        cost[mine], rank[mine], col[mine], g_start, g_count, gate, gate
                    )
                    sel = np.concatenate([sel, mine[pick]])
                # order: lane-major, then stored point (as gnn_assign's sorted rows)
                sel = sel[np.lexsort((rank[sel], p_lane[ci[sel]]))]
                rows, cols = si[sel], ci[sel]
                if rows.size:
                    xs, Ps = _pair_states(
                        pos, cov, self._st_pos, self._st_cov, rows, cols, T[sel], d
                    )
                    if d > 6:
                        xs[:, 6:] = self._extra_mean
                        extra = np.arange(6, d)
                        Ps[:, extra, extra] = self._extra_var
                    new_sensors = [
                        self._st_sensors[r] | sensors[c]
                        for r, c in zip(rows.tolist(), cols.tolist(), strict=True)
                    ]
                    out = (xs, Ps, new_sensors, p_lane[cols])
                    paired_new[cols] = True
                    used = np.zeros(self._st_time.size, dtype=bool)
                    used[rows] = True
                    self._drop_stored(used)
        rest = ~paired_new
        self._st_pos = np.concatenate([self._st_pos, pos[rest]])
        self._st_cov = np.concatenate([self._st_cov, cov[rest]])
        self._st_time = np.concatenate([self._st_time, np.full(int(rest.sum()), t)])
        self._st_lane = np.concatenate([self._st_lane, p_lane[rest]])
        self._st_sensors += [s for s, r in zip(sensors, rest.tolist(), strict=True) if r]
        return out


# ----------------------------------------------------------------------------------
# helpers


@dataclass
class _NewTracks:
    """New tracks to join to a :class:`TrackSet`: states ``x`` (k, d), ``P`` (k, d, d) at
    ``time_s``, ids, one status and owner, sensor sets; as ``TrackSet.from_states`` with
    ``history = 0b11`` and ``hits = 2`` (the two points of an initiation pair)."""

    x: FloatArray
    P: FloatArray
    time_s: float
    track_id: IntArray
    status: int
    owner: int
    sensors: list[frozenset[int]]

    def track_set(self) -> TrackSet:
        new = TrackSet.from_states(
            self.x, self.P, self.time_s, self.track_id, TrackStatus.TENTATIVE, self.owner,
            self.sensors,
        )  # fmt: skip
        new.history[:] = 0b11
        new.hits[:] = 2
        new.status[:] = self.status
        return new


_INT_FIELDS = ("track_id", "status", "history", "hits", "misses", "age", "owner")


def _join_tracks(tracks: TrackSet, pick: IntArray, new: _NewTracks | None = None) -> TrackSet:
    """``TrackSet.concatenate([tracks, new.track_set()]).select(pick)`` (``new`` None: no new
    rows): row ``j`` is ``tracks``' row ``pick[j]``, or new row ``pick[j] - len(tracks)``.
    One kernel copies the rows of every array field (copies: the same values bit for bit)."""
    n_old = len(tracks)
    k = 0 if new is None else len(new.x)
    d = tracks.x.shape[1]
    fits = (
        all(getattr(tracks, f).dtype == np.int64 for f in _INT_FIELDS)
        and all(getattr(tracks, f).dtype == np.float64 for f in ("x", "P", "time_s"))
        and tracks.last_update_s.dtype == np.float64
        and (new is None or (new.x.shape[1:] == (d,) and new.P.shape[1:] == (d, d)))
    )
    if not fits:  # the numpy formulation
        if new is None:
            return tracks.select(pick)
        return TrackSet.concatenate([tracks, new.track_set()]).select(pick)
    pick = np.ascontiguousarray(pick, dtype=np.int64)
    m = pick.size
    if new is None:
        new_x, new_P, new_ids = np.empty((0, d)), np.empty((0, d, d)), _EMPTY
        t_new, status, owner = 0.0, 0, 0
    else:
        new_x = np.ascontiguousarray(new.x, dtype=np.float64)
        new_P = np.ascontiguousarray(new.P, dtype=np.float64)
        new_ids = np.ascontiguousarray(new.track_id, dtype=np.int64)
        t_new, status, owner = float(new.time_s), int(new.status), int(new.owner)
    x, P = np.empty((m, d)), np.empty((m, d, d))
    time_s, last = np.empty(m), np.empty(m)
    ints = np.empty((len(_INT_FIELDS), m), dtype=np.int64)
    _join_kernel(
        pick, n_old, tracks.x, tracks.P, tracks.time_s, tracks.last_update_s,
        tracks.track_id, tracks.status, tracks.history, tracks.hits, tracks.misses,
        tracks.age, tracks.owner, new_x, new_P, new_ids, t_new, status, owner,
        x, P, time_s, last, ints,
    )  # fmt: skip
    if k:
        sensors_all = tracks.sensors + new.sensors
        partners_all = tracks.partners + [frozenset({owner})] * k
    else:
        sensors_all, partners_all = tracks.sensors, tracks.partners
    if m > 1:
        take = operator.itemgetter(*pick.tolist())
        sensors, partners = list(take(sensors_all)), list(take(partners_all))
    elif m == 1:
        sensors, partners = [sensors_all[pick[0]]], [partners_all[pick[0]]]
    else:
        sensors, partners = [], []
    fields = dict(zip(_INT_FIELDS, ints, strict=True))
    return TrackSet(
        x=x, P=P, time_s=time_s, last_update_s=last, **fields, sensors=sensors, partners=partners
    )


@numba.njit(cache=True)
def _join_kernel(
    pick: IntArray,
    n_old: int,
    x0: FloatArray,
    P0: FloatArray,
    time0: FloatArray,
    last0: FloatArray,
    track_id0: IntArray,
    status0: IntArray,
    history0: IntArray,
    hits0: IntArray,
    misses0: IntArray,
    age0: IntArray,
    owner0: IntArray,
    new_x: FloatArray,
    new_P: FloatArray,
    new_ids: IntArray,
    t_new: float,
    status: int,
    owner: int,
    x: FloatArray,
    P: FloatArray,
    time_s: FloatArray,
    last: FloatArray,
    ints: IntArray,
) -> None:  # pragma: no cover - compiled
    """See :func:`_join_tracks` (``ints``: the rows of the int fields in ``_INT_FIELDS``
    order)."""
    d = x.shape[1]
    for j in range(pick.size):
        i = pick[j]
        if i < n_old:
            for a in range(d):
                x[j, a] = x0[i, a]
                for b in range(d):
                    P[j, a, b] = P0[i, a, b]
            time_s[j], last[j] = time0[i], last0[i]
            ints[0, j], ints[1, j], ints[2, j] = track_id0[i], status0[i], history0[i]
            ints[3, j], ints[4, j], ints[5, j] = hits0[i], misses0[i], age0[i]
            ints[6, j] = owner0[i]
        else:
            i -= n_old
            for a in range(d):
                x[j, a] = new_x[i, a]
                for b in range(d):
                    P[j, a, b] = new_P[i, a, b]
            time_s[j], last[j] = t_new, t_new
            ints[0, j], ints[1, j], ints[2, j] = new_ids[i], status, 0b11
            ints[3, j], ints[4, j], ints[5, j] = 2, 0, 1
            ints[6, j] = owner


def _common_step(time_s: FloatArray, rows: IntArray, t: float) -> float | None:
    """``t - time_s[rows]`` when it is one value for all ``rows`` (compared with ``==``, so
    not NaN), else None."""
    ok, step = _common_step_kernel(time_s, rows, t)
    return step if ok else None


@numba.njit(cache=True)
def _common_step_kernel(
    time_s: FloatArray, rows: IntArray, t: float
) -> tuple[bool, float]:  # pragma: no cover - compiled
    step = t - time_s[rows[0]]
    for i in rows:
        if not t - time_s[i] == step:
            return False, step
    return True, step


def _ukf_blocks(lane: IntArray) -> list[IntArray]:
    """Row blocks for the UKF functions, given the lane of each row: a lane's only row on
    its own, the other rows together (their sums over sigma points round differently when
    the batch axis has length 1, as a lane's tracker with one track computes them)."""
    single = np.bincount(lane)[lane] == 1
    blocks = [np.flatnonzero(~single)] if not single.all() else []
    return blocks + [np.array([i]) for i in np.flatnonzero(single).tolist()]


def _c_float(a: FloatArray) -> bool:
    return a.dtype == np.float64 and a.flags.c_contiguous and a.flags.writeable


def _chunks(n: int, size: int = 512) -> list[slice]:
    """Row blocks for the batched filters (row results do not depend on the blocking;
    blocks keep the temporaries small, which is faster than one large batch)."""
    return [slice(i, min(i + size, n)) for i in range(0, n, size)]


def _rae_innovation(
    x: FloatArray,
    P: FloatArray,
    rows: IntArray,
    t_site: IntArray,
    sites: FloatArray,
    M: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Predicted radar measurements ``ẑ = h(x)`` (n, 3) [m, rad, rad], Jacobians ``H``
    (n, 3, d) and ``sym(H P Hᵀ)`` (n, 3, 3) of the tracks ``rows`` of ``x`` (N, d), ``P``
    (N, d, d) (C-contiguous float) for :class:`RadarRAE` (no range rate), row ``j`` seen
    from ``sites[t_site[j]]`` [m, ECEF]; ``M``: the sites' ECEF->ENU rotations as
    :meth:`RadarRAE.function` computes them (None: computed here).

    Bit for bit what ``RadarRAE().function``, ``RadarRAE().jacobian`` and
    ``symmetrise(H @ P @ Hᵀ)`` (:func:`~hoplon.tracking.filters.innovation`) give for
    ``x[rows]``, ``P[rows]`` and each row's site: one numba kernel computes the ENU offset
    ``d = M (r - s)`` (summed as numpy's ``einsum`` sums three products: ``(p₀ + p₂) + p₁``),
    ``ρ = |d|``, ``√(e² + n²)``, ``H`` and ``H P Hᵀ`` (the products as numpy's ``@``:
    fused multiply-add chains); the two ``atan2`` stay numpy calls on the same strided
    columns as :meth:`RadarRAE.function` (numpy's SIMD ``arctan2`` differs from libm).
    """
    n, d = rows.size, x.shape[1]
    sites_a = np.ascontiguousarray(sites, dtype=float).reshape(-1, 3)
    if M is None:
        M = np.stack([_site_rotation(s, 1) for s in sites_a])
    zhat = np.empty((n, 3))
    enu = np.empty((n, 3))
    hyp = np.empty(n)
    H = np.empty((n, 3, d))
    HPHt = np.empty((n, 3, 3))
    _rae_innovation_kernel(
        x, P, np.ascontiguousarray(rows, dtype=np.int64), t_site, sites_a, M,
        zhat, enu, hyp, H, HPHt,
    )  # fmt: skip
    zhat[:, 1] = np.arctan2(enu[:, 0], enu[:, 1])
    zhat[:, 2] = np.arctan2(enu[:, 2], hyp)
    return zhat, H, HPHt


@numba.njit(cache=True, error_model="numpy")
def _rae_innovation_kernel(
    x: FloatArray,
    P: FloatArray,
    rows: IntArray,
    site_idx: IntArray,
    sites: FloatArray,
    M: FloatArray,
    zhat: FloatArray,
    enu: FloatArray,
    hyp: FloatArray,
    H: FloatArray,
    HPHt: FloatArray,
) -> None:  # pragma: no cover - compiled
    """See :func:`_rae_innovation`: ``zhat[:, 0] = ρ``, ``enu = d``, ``hyp = √(e² + n²)``
    (``np.hypot``), ``H`` and ``H P Hᵀ``, row by row, each as numpy computes it."""
    d = x.shape[1]
    rel = np.empty(3)
    J = np.empty((3, 3))
    A = np.empty((3, d))
    B = np.empty((3, 3))
    for j in range(rows.size):
        i, g = rows[j], site_idx[j]
        for a in range(3):  # r - s
            rel[a] = x[i, a] - sites[g, a]
        for a in range(3):  # M (r - s) as einsum sums it
            enu[j, a] = (M[g, a, 0] * rel[0] + M[g, a, 2] * rel[2]) + M[g, a, 1] * rel[1]
        e, no, u = enu[j, 0], enu[j, 1], enu[j, 2]
        zhat[j, 0] = np.sqrt((e * e + no * no) + u * u)  # np.linalg.norm
        hyp[j] = math.hypot(e, no)
        # RadarRAE.jacobian
        h2 = e * e + no * no
        h = np.sqrt(h2)
        r2 = h2 + u * u
        rng = np.sqrt(r2)
        J[0, 0], J[0, 1], J[0, 2] = e / rng, no / rng, u / rng
        J[1, 0], J[1, 1], J[1, 2] = no / h2, -e / h2, 0.0
        J[2, 0], J[2, 1], J[2, 2] = -e * u / (r2 * h), -no * u / (r2 * h), h / r2
        for a in range(3):  # H = [J M, 0]
            for b in range(3):
                s = 0.0
                for c in range(3):
                    s = _fma(J[a, c], M[g, c, b], s)
                H[j, a, b] = s
            for b in range(3, d):
                H[j, a, b] = 0.0
        for a in range(3):  # H P
            for b in range(d):
                s = 0.0
                for c in range(d):
                    s = _fma(H[j, a, c], P[i, c, b], s)
                A[a, b] = s
        for a in range(3):  # (H P) Hᵀ
            for b in range(3):
                s = 0.0
                for c in range(d):
                    s = _fma(A[a, c], H[j, b, c], s)
                B[a, b] = s
        for a in range(3):
            for b in range(3):
                HPHt[j, a, b] = 0.5 * (B[a, b] + B[b, a])


def _candidate_pairs(
    zhat: FloatArray,
    HPHt: FloatArray,
    z: FloatArray,
    r00: FloatArray,
    t_li: IntArray,
    r_start: IntArray,
    r_count: IntArray,
    gate: float,
    model: MeasurementModel,
) -> tuple[IntArray, IntArray]:
    """Same-lane (track, report) pairs that may be within the gate.

    Parameters
    ----------
    zhat : (n, k) predicted measurements; HPHt : (n, k, k) their covariances.
    z : (m, k) reports, sorted by lane; r00 : (m,) their range variances [m²].
    t_li : (n,) lane index of each track; r_start, r_count : each lane's reports.
    gate : ``γ``; model : the measurement model.

    Returns
    -------
    tp, rp : track and report index of each pair. For range measurements, only reports with
        ``|ρ - ρ̂| ≤ w = √(4 γ (HPHᵀ_ρρ + max R_ρρ))`` [m] are paired (outside,
        ``d² ≥ ν_ρ² / S_ρρ > 4 γ``), found by binary search in reports sorted by range within
        each lane; otherwise every same-lane pair.
    """
    n = len(t_li)
    if isinstance(model, RadarRAE):
        w = np.sqrt(PREGATE_FACTOR * gate * (HPHt[:, 0, 0] + r00.max()))
        rho, rho_hat = z[:, 0], zhat[:, 0]
        span = 2.0 * (np.abs(rho).max() + np.abs(rho_hat).max() + w.max()) + 1.0
        if np.isfinite(span):  # (NaN anywhere makes it NaN)
            rep_li = np.repeat(np.arange(len(r_count)), r_count)
            keys = rep_li * span + rho  # by lane, then range
            perm = np.argsort(keys)
            keys = keys[perm]
            base = t_li * span + rho_hat
            lo = np.searchsorted(keys, base - w, "left")
            cnt = np.searchsorted(keys, base + w, "right") - lo
            tp = np.repeat(np.arange(n), cnt)
            return tp, perm[np.repeat(lo - np.cumsum(cnt) + cnt, cnt) + np.arange(tp.size)]
    m_t = r_count[t_li]
    tp = np.repeat(np.arange(n), m_t)
    first = np.cumsum(m_t) - m_t
    return tp, np.repeat(r_start[t_li] - first, m_t) + np.arange(tp.size)


def _screen_d2(nu: FloatArray, S: FloatArray, gate: float) -> tuple[FloatArray, BoolArray]:
    """Decide ``d² = νᵀ S⁻¹ ν ≤ γ`` without LAPACK where the decision is certain.

    For k = 3, the closed form ``νᵀ adj(S) ν / det S`` (cofactors), accurate to ~1e-12
    relative where the correlation matrix of ``S`` is well conditioned (its determinant
    ``det S / (S₀₀ S₁₁ S₂₂) > 10⁻³``): a pair is decided (``sure``) when it is more than
    ``_BAND`` (relative) away from the gate. Elsewhere, the lower bound ``maxᵢ νᵢ² / Sᵢᵢ``
    (one component's d² never exceeds the whole) decides pairs beyond twice the gate.

    Parameters
    ----------
    nu : (p, k) residuals (angles wrapped); S : (p, k, k) ``H P Hᵀ + R``; gate : ``γ``.

    Returns
    -------
    d2 : (p,) the estimate where inside the gate, ``inf`` elsewhere (undecided pairs are left
        to the exact computation).
    sure : (p,) bool, decided.
    """
    p, k = nu.shape
    d2 = np.full(p, np.inf)
    sure = np.zeros(p, dtype=bool)
    if k != 3 or not p:
        return d2, sure
    v0, v1, v2 = S[:, 0, 0], S[:, 1, 1], S[:, 2, 2]
    s01, s02, s12 = S[:, 0, 1], S[:, 0, 2], S[:, 1, 2]
    n0, n1, n2 = nu[:, 0], nu[:, 1], nu[:, 2]
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        # cofactors of S: S⁻¹ = C / det
        c00, c11, c22 = v1 * v2 - s12 * s12, v0 * v2 - s02 * s02, v0 * v1 - s01 * s01
        c01, c02, c12 = s02 * s12 - s01 * v2, s01 * s12 - s02 * v1, s01 * s02 - v0 * s12
        det = v0 * c00 + s01 * c01 + s02 * c02
        est = (
            n0 * (n0 * c00 + 2.0 * (n1 * c01 + n2 * c02))
            + n1 * (n1 * c11 + 2.0 * n2 * c12)
            + n2 * n2 * c22
        ) / det
        # det / (v0 v1 v2) is the determinant of the correlation matrix
        good = np.isfinite(est) & (v0 > 0.0) & (v1 > 0.0) & (v2 > 0.0)
        good &= det > 1e-3 * (v0 * v1 * v2)
    inside = good & (est < gate * (1.0 - _BAND))
    outside = good & (est > gate * (1.0 + _BAND))
    rest = np.flatnonzero(~good)
    if rest.size:  # lower bound: one component's d² never exceeds the whole
        with np.errstate(invalid="ignore", divide="ignore"):
            q = nu[rest] ** 2 / np.stack([v0[rest], v1[rest], v2[rest]], axis=-1)
        positive = (v0[rest] > 0.0) & (v1[rest] > 0.0) & (v2[rest] > 0.0)
        outside[rest] = positive & (np.max(q, axis=1) > 2.0 * gate)  # wide margin: S may be
        # ill conditioned here, and so less accurate in LAPACK
    d2[inside] = est[inside]
    sure[inside | outside] = True
    return d2, sure


def _gate_pairs(
    zhat: FloatArray,
    HPHt: FloatArray,
    z: FloatArray,
    R: _Rows,
    t_li: IntArray,
    r_start: IntArray,
    r_count: IntArray,
    gate: float,
    model: MeasurementModel,
) -> tuple[IntArray, IntArray, FloatArray, FloatArray, FloatArray, BoolArray]:
    """:func:`_candidate_pairs`, then per pair ``ν = wrap(z[rp] - ẑ[tp])``,
    ``S = HPHᵀ[tp] + R[rp]`` and :func:`_screen_d2`, in one kernel.

    The pairs are those of :func:`_candidate_pairs` (each track's by report index rather
    than by range: the order of a track's pairs decides nothing), and ν, S, d², sure are
    the numpy formulation's, bit for bit (the same operations, element by element).

    Returns tp, rp, nu, S, d2, sure.
    """
    k = zhat.shape[1]
    angle = _angle_mask(k, tuple(model.angle_indices))
    cap = int(r_count[t_li].sum())
    tp, rp = np.empty(cap, dtype=np.int64), np.empty(cap, dtype=np.int64)
    nu, S = np.empty((cap, k)), np.empty((cap, k, k))
    d2, sure = np.empty(cap), np.empty(cap, dtype=np.bool_)
    p = _gate_pairs_kernel(
        zhat,
        HPHt,
        z,
        R.R_all,
        R.order,
        t_li,
        r_start,
        r_count,
        gate,
        angle,
        isinstance(model, RadarRAE),
        tp,
        rp,
        nu,
        S,
        d2,
        sure,
    )
    return tp[:p], rp[:p], nu[:p], S[:p], d2[:p], sure[:p]


@functools.lru_cache(maxsize=64)
def _angle_mask(k: int, angle_indices: tuple[int, ...]) -> BoolArray:
    """(k,) bool, True at the angle components (shared: not to be written)."""
    angle = np.zeros(k, dtype=np.bool_)
    angle[list(angle_indices)] = True
    return angle


@numba.njit(cache=True)
def _max_nan(a: FloatArray) -> float:
    """``a.max()`` as numpy computes it (NaN if any is NaN; a non-empty)."""
    out = a[0]
    for v in a:
        if np.isnan(v):
            return np.nan
        if v > out:
            out = v
    return out


@numba.njit(cache=True, error_model="numpy")
def _gate_pairs_kernel(
    zhat: FloatArray,
    HPHt: FloatArray,
    z: FloatArray,
    R_all: FloatArray,
    order: IntArray,
    t_li: IntArray,
    r_start: IntArray,
    r_count: IntArray,
    gate: float,
    angle: BoolArray,
    pregate: bool,
    tp: IntArray,
    rp: IntArray,
    nu: FloatArray,
    S: FloatArray,
    d2: FloatArray,
    sure: BoolArray,
) -> int:
    """See :func:`_gate_pairs`; returns the number of pairs written."""
    n, k = zhat.shape
    m = z.shape[0]
    # the range window of _candidate_pairs (same expressions)
    use_keys = False
    span = 0.0
    w = np.empty(n)
    if pregate:
        r00 = np.empty(m)
        for i in range(m):
            r00[i] = R_all[order[i], 0, 0]
        r00_max = _max_nan(r00)
        for t in range(n):
            w[t] = np.sqrt(PREGATE_FACTOR * gate * (HPHt[t, 0, 0] + r00_max))
        span = 2.0 * (_max_nan(np.abs(z[:, 0])) + _max_nan(np.abs(zhat[:, 0])) + _max_nan(w))
        span = span + 1.0
        use_keys = np.isfinite(span)
    two_pi = 2.0 * np.pi
    lo_gate, hi_gate = gate * (1.0 - _BAND), gate * (1.0 + _BAND)
    q = 0
    for t in range(n):
        li = t_li[t]
        lo = hi = 0.0
        if use_keys:
            base = li * span + zhat[t, 0]
            lo, hi = base - w[t], base + w[t]
        for r in range(r_start[li], r_start[li] + r_count[li]):
            if use_keys:
                key = li * span + z[r, 0]
                if key < lo or key > hi:
                    continue
            tp[q] = t
            rp[q] = r
            ro = order[r]
            for i in range(k):
                v = z[r, i] - zhat[t, i]
                if angle[i]:
                    v = (v + np.pi) % two_pi - np.pi
                nu[q, i] = v
                for j in range(k):
                    S[q, i, j] = HPHt[t, i, j] + R_all[ro, i, j]
            d2[q] = np.inf
            sure[q] = False
            if k == 3:  # _screen_d2
                v0, v1, v2 = S[q, 0, 0], S[q, 1, 1], S[q, 2, 2]
                s01, s02, s12 = S[q, 0, 1], S[q, 0, 2], S[q, 1, 2]
                n0, n1, n2 = nu[q, 0], nu[q, 1], nu[q, 2]
                c00, c11, c22 = v1 * v2 - s12 * s12, v0 * v2 - s02 * s02, v0 * v1 - s01 * s01
                c01, c02, c12 = s02 * s12 - s01 * v2, s01 * s12 - s02 * v1, s01 * s02 - v0 * s12
                det = v0 * c00 + s01 * c01 + s02 * c02
                est = (
                    n0 * (n0 * c00 + 2.0 * (n1 * c01 + n2 * c02))
                    + n1 * (n1 * c11 + 2.0 * n2 * c12)
                    + n2 * n2 * c22
                ) / det
                positive = v0 > 0.0 and v1 > 0.0 and v2 > 0.0
                if np.isfinite(est) and positive and det > 1e-3 * (v0 * v1 * v2):
                    if est < lo_gate:
                        d2[q] = est
                        sure[q] = True
                    elif est > hi_gate:
                        sure[q] = True
                elif positive:  # lower bound: one component's d² never exceeds the whole
                    q0, q1, q2 = n0 * n0 / v0, n1 * n1 / v1, n2 * n2 / v2
                    if not (np.isnan(q0) or np.isnan(q1) or np.isnan(q2)):
                        sure[q] = max(q0, q1, q2) > 2.0 * gate
            q += 1
    return q


class _Rows:
    """``R[i] = R_all[order[i]]`` without gathering all of them."""

    def __init__(self, R_all: FloatArray, order: IntArray) -> None:
        self.R_all, self.order = R_all, order

    def __getitem__(self, idx: IntArray) -> FloatArray:
        return self.R_all[self.order[idx]]


class _ExactD2:
    """``d²`` of chosen pairs exactly as each lane's ``mahalanobis_matrix`` computes it: with
    one inverse ``(H P Hᵀ + R)⁻¹`` per track where all of the lane's reports of the sensor have
    the same ``R``, otherwise one solve per pair."""

    def __init__(
        self,
        nu: FloatArray,
        S: FloatArray,
        R: _Rows,
        p_li: IntArray,
        r_start: IntArray,
        r_count: IntArray,
    ) -> None:
        self.nu, self.S, self.R, self.p_li = nu, S, R, p_li
        self.r_start, self.r_count = r_start, r_count
        self._lane_same_R: BoolArray | None = None

    def __call__(self, idx: IntArray) -> FloatArray:
        out = np.empty(idx.size)
        if not idx.size:
            return out
        if self._lane_same_R is None:
            self._lane_same_R = np.empty(len(self.r_count), dtype=np.bool_)
            _same_R_kernel(
                self.R.R_all, self.R.order, self.r_start, self.r_count, self._lane_same_R
            )
        use_inv = self._lane_same_R[self.p_li[idx]]
        nu, S = self.nu[idx], self.S[idx]
        if use_inv.all():
            return np.einsum("pi,pij,pj->p", nu, np.linalg.inv(S), nu)
        if use_inv.any():
            a = use_inv
            out[a] = np.einsum("pi,pij,pj->p", nu[a], np.linalg.inv(S[a]), nu[a])
        if not use_inv.all():
            b = ~use_inv
            out[b] = np.einsum("pi,pi->p", nu[b], np.linalg.solve(S[b], nu[b][..., None])[..., 0])
        return out


@numba.njit(cache=True)
def _same_R_kernel(
    R_all: FloatArray, order: IntArray, r_start: IntArray, r_count: IntArray, same: BoolArray
) -> None:
    """``same[g]``: the reports ``order[r_start[g] : r_start[g] + r_count[g]]`` all have the
    ``R`` of the first (element by element, ``==``)."""
    k = R_all.shape[1]
    for g in range(r_start.size):
        same[g] = True
        first = order[r_start[g]]
        for r in range(r_start[g], r_start[g] + r_count[g]):
            o = order[r]
            for a in range(k):
                for b in range(k):
                    if not R_all[o, a, b] == R_all[first, a, b]:
                        same[g] = False


@numba.njit(cache=True)
def _counters_kernel(
    rows: IntArray,
    hit: BoolArray,
    history: IntArray,
    hits: IntArray,
    misses: IntArray,
    age: IntArray,
    last_update_s: FloatArray,
    t: float,
) -> None:
    """Hit history and counters of the stepped tracks ``rows`` (see _life_cycle)."""
    for i in rows:
        if hit[i]:
            history[i] = ((history[i] << 1) | 1) & _HISTORY_MASK
            hits[i] += 1
            misses[i] = 0
            last_update_s[i] = t
        else:
            history[i] = (history[i] << 1) & _HISTORY_MASK
            misses[i] += 1
        age[i] += 1


@numba.njit(cache=True)
def _life_cycle_kernel(
    rows: IntArray,
    hit: BoolArray,
    history: IntArray,
    hits: IntArray,
    misses: IntArray,
    age: IntArray,
    last_update_s: FloatArray,
    t: float,
    status: IntArray,
    P: FloatArray,
    m: int,
    n: int,
    max_misses: int,
    max_sigma: float,
    gone: BoolArray,
) -> int:  # pragma: no cover - compiled
    """:func:`_counters_kernel`, then ``MofN(m, n)`` confirmation and
    ``Deleter(max_misses, max_sigma).to_delete`` of the stepped tracks ``rows``, row by row
    (``√trace`` as numpy sums the diagonal: in order). Marks ``gone``; returns their count."""
    _counters_kernel(rows, hit, history, hits, misses, age, last_update_s, t)
    window = (1 << n) - 1
    count = 0
    for i in rows:
        v = history[i] & window
        in_window = 0
        while v:
            in_window += v & 1
            v >>= 1
        tentative = status[i] == 0  # TrackStatus.TENTATIVE
        if tentative and in_window >= m:
            status[i] = 1  # TrackStatus.CONFIRMED
            tentative = False
        sigma = np.sqrt((P[i, 0, 0] + P[i, 1, 1]) + P[i, 2, 2])
        out = misses[i] >= max_misses or sigma > max_sigma
        if tentative and not out:
            out = in_window + max(n - age[i], 0) < m
        if out:
            gone[i] = True
            count += 1
    return count


def _pair_cost(
    t: float,
    st_time: FloatArray,
    st_pos: FloatArray,
    st_cov: FloatArray,
    pos: FloatArray,
    cov: FloatArray,
    ci: IntArray,
    si: IntArray,
    max_speed: float,
) -> tuple[FloatArray, FloatArray]:
    """TwoPointInitiator's pair test of new points ``ci`` with stored points ``si``: the time
    ``T`` between them and the cost ``|Δp| / T`` where ``|Δp| - v_max T - 3 σ ≤ 0`` (``σ``:
    the root traces of both covariances), else inf. One numba kernel, with numpy's order of
    operations (``norm`` and ``trace`` sum their terms in order)."""
    T, cost = np.empty(ci.size), np.empty(ci.size)
    _pair_cost_kernel(t, st_time, st_pos, st_cov, pos, cov, ci, si, float(max_speed), T, cost)
    return T, cost


@numba.njit(cache=True, error_model="numpy")
def _pair_cost_kernel(
    t: float,
    st_time: FloatArray,
    st_pos: FloatArray,
    st_cov: FloatArray,
    pos: FloatArray,
    cov: FloatArray,
    ci: IntArray,
    si: IntArray,
    max_speed: float,
    T: FloatArray,
    cost: FloatArray,
) -> None:  # pragma: no cover - compiled
    k = pos.shape[1]
    for q in range(ci.size):
        c, s = ci[q], si[q]
        Tq = t - st_time[s]
        d = pos[c, 0] - st_pos[s, 0]
        ss = d * d
        tr_s = st_cov[s, 0, 0]
        tr_c = cov[c, 0, 0]
        for j in range(1, k):
            d = pos[c, j] - st_pos[s, j]
            ss = ss + d * d
            tr_s = tr_s + st_cov[s, j, j]
            tr_c = tr_c + cov[c, j, j]
        dist = np.sqrt(ss)
        sig = np.sqrt(tr_s) + np.sqrt(tr_c)
        excess = dist - max_speed * Tq - 3.0 * sig
        T[q] = Tq
        cost[q] = dist / Tq if excess <= 0.0 else np.inf


def _pair_states(
    pos: FloatArray,
    cov: FloatArray,
    st_pos: FloatArray,
    st_cov: FloatArray,
    rows: IntArray,
    cols: IntArray,
    T: FloatArray,
    d: int,
) -> tuple[FloatArray, FloatArray]:
    """TwoPointInitiator's state of each pair (stored point ``rows``, new point ``cols``,
    ``T`` apart): position and velocity with their covariance (``R2``, ``R2 / T``,
    ``(R1 + R2) / T²``); the columns past 6 are left zero."""
    xs, Ps = np.zeros((rows.size, d)), np.zeros((rows.size, d, d))
    _pair_states_kernel(pos, cov, st_pos, st_cov, rows, cols, T, xs, Ps)
    return xs, Ps


@numba.njit(cache=True, error_model="numpy")
def _pair_states_kernel(
    pos: FloatArray,
    cov: FloatArray,
    st_pos: FloatArray,
    st_cov: FloatArray,
    rows: IntArray,
    cols: IntArray,
    T: FloatArray,
    xs: FloatArray,
    Ps: FloatArray,
) -> None:  # pragma: no cover - compiled
    for q in range(rows.size):
        r, c, Tq = rows[q], cols[q], T[q]
        T2 = Tq * Tq
        for i in range(3):
            xs[q, i] = pos[c, i]
            xs[q, 3 + i] = (pos[c, i] - st_pos[r, i]) / Tq
            for j in range(3):
                R2 = cov[c, i, j]
                Ps[q, i, j] = R2
                Ps[q, i, 3 + j] = R2 / Tq
                Ps[q, 3 + i, j] = R2 / Tq
                Ps[q, 3 + i, 3 + j] = (st_cov[r, i, j] + R2) / T2


def _lane_pairs(
    st_lane: IntArray, p_lane: IntArray, n_lanes: int
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Each new point (lanes ``p_lane``, sorted) with each stored point of its lane
    (``st_lane``, any order; a lane's in their order), new point by new point: the new
    point, the stored point's rank in its lane, the stored point and the new point's rank
    among its lane's new points."""
    n_st = np.bincount(st_lane, minlength=n_lanes)
    total = int(n_st[p_lane].sum())
    ci, rank, si, col = (np.empty(total, dtype=np.int64) for _ in range(4))
    _lane_pairs_kernel(st_lane, p_lane, n_st, ci, rank, si, col)
    return ci, rank, si, col


@numba.njit(cache=True)
def _lane_pairs_kernel(
    st_lane: IntArray,
    p_lane: IntArray,
    n_st: IntArray,
    ci: IntArray,
    rank: IntArray,
    si: IntArray,
    col: IntArray,
) -> None:
    n_lanes = n_st.size
    offset = np.zeros(n_lanes + 1, dtype=np.int64)
    for lane in range(n_lanes):
        offset[lane + 1] = offset[lane] + n_st[lane]
    fill = offset[:-1].copy()
    stored = np.empty(st_lane.size, dtype=np.int64)  # by lane, in order within a lane
    for i in range(st_lane.size):
        stored[fill[st_lane[i]]] = i
        fill[st_lane[i]] += 1
    q = 0
    first = 0  # the first new point of the current lane
    for j in range(p_lane.size):
        lane = p_lane[j]
        if j and lane != p_lane[j - 1]:
            first = j
        for r in range(n_st[lane]):
            ci[q] = j
            rank[q] = r
            si[q] = stored[offset[lane] + r]
            col[q] = j - first
            q += 1


def _conflicts(group: IntArray, row: IntArray, col: IntArray, tie: BoolArray) -> IntArray:
    """Groups (lanes) whose gated pairs are not disjoint (a row or a column in two pairs)
    or have a pair exactly on the gate: there the optimal assignment is not simply all pairs.
    Elsewhere each pair is a component of its own that costs less than leaving its row and
    column unassigned, so :func:`gnn_assign` takes every one of them."""
    if not group.size:
        return _EMPTY
    key_r = group * (int(row.max()) + 1) + row
    key_c = group * (int(col.max()) + 1) + col
    clash = (np.bincount(key_r)[key_r] > 1) | (np.bincount(key_c)[key_c] > 1) | tie
    return np.unique(group[clash])


def _clean_pairs(
    tp: IntArray,
    rp: IntArray,
    p_li: IntArray,
    d2: FloatArray,
    gate: float,
    n_tracks: int,
    n_reports: int,
    n_groups: int,
) -> tuple[IntArray, BoolArray]:
    """The gated pairs (``d² ≤ γ``) of the groups (lanes) without conflicts, and the groups
    with conflicts (see :func:`_conflicts`: a track or a report in two gated pairs, or a pair
    exactly on the gate). ``tp``, ``rp``: track and report of each pair (global indices);
    ``p_li``: its group."""
    chosen = np.empty(tp.size, dtype=np.int64)
    bad = np.zeros(n_groups, dtype=np.bool_)
    c = _clean_pairs_kernel(tp, rp, p_li, d2, gate, n_tracks, n_reports, chosen, bad)
    return chosen[:c], bad


@numba.njit(cache=True)
def _clean_pairs_kernel(
    tp: IntArray,
    rp: IntArray,
    p_li: IntArray,
    d2: FloatArray,
    gate: float,
    n_tracks: int,
    n_reports: int,
    chosen: IntArray,
    bad: BoolArray,
) -> int:
    n_t = np.zeros(n_tracks, dtype=np.int64)
    n_r = np.zeros(n_reports, dtype=np.int64)
    for q in range(tp.size):
        if d2[q] <= gate:
            n_t[tp[q]] += 1
            n_r[rp[q]] += 1
    for q in range(tp.size):
        if d2[q] <= gate and (n_t[tp[q]] > 1 or n_r[rp[q]] > 1 or d2[q] == gate):
            bad[p_li[q]] = True
    c = 0
    for q in range(tp.size):
        if d2[q] <= gate and not bad[p_li[q]]:
            chosen[c] = q
            c += 1
    return c


def _convert(
    rep: _Reports, idx: IntArray, cache: dict[tuple[bytes, bool], FloatArray] | None = None
) -> tuple[FloatArray, FloatArray]:
    """Converted measurements (ECEF position, covariance) of the reports ``idx``, as each
    lane's tracker converts its batch of one sensor's leftovers with :func:`rae_to_ecef`
    (rows do not depend on each other for one site): the rotation of each block as
    ``rae_to_ecef`` takes it, then every row at once (:func:`_rae_to_ecef_rows`).
    ``cache``: rotations kept between calls, by site value and block of one row or more
    (used where every sensor has one site in ``idx``)."""
    sens, lane, site = rep.sensor[idx], rep.lane[idx], rep.pos[idx]
    if cache is not None:  # each sensor at one site (the usual case): one rotation each
        block = np.empty(idx.size, dtype=np.int64)
        first = np.empty(idx.size, dtype=np.int64)
        size = np.zeros(idx.size, dtype=np.int64)
        nb = _sensor_blocks_kernel(sens, site, block, first, size)
        if nb >= 0:
            Mb = np.empty((nb, 3, 3))
            for q, (j, single) in enumerate(
                zip(first[:nb].tolist(), (size[:nb] == 1).tolist(), strict=True)
            ):
                key = (site[j].tobytes(), single)
                Mq = cache.get(key)
                if Mq is None:  # as below: a block of one row passes its site as (1, 3)
                    if len(cache) > 256:
                        cache.clear()
                    Mq = cache[key] = _site_rotation(site[j : j + 1] if single else site[j], 1)
                Mb[q] = Mq
            return _rae_to_ecef_rows(rep.z[idx][:, :3], rep.R[idx], Mb[block], site)
    M = np.empty((idx.size, 3, 3))
    for s in np.unique(sens).tolist():
        rows = np.flatnonzero(sens == s)
        if np.all(site[rows] == site[rows[0]]):
            blocks = [rows]
        else:  # the sensor moved within the frame: convert lane by lane, as the trackers do
            blocks = [rows[lane[rows] == v] for v in np.unique(lane[rows]).tolist()]
        for b in blocks:
            M[b] = _site_rotation(site[b], b.size)
    return _rae_to_ecef_rows(rep.z[idx][:, :3], rep.R[idx], M, site)


@numba.njit(cache=True)
def _sensor_blocks_kernel(
    sens: IntArray, site: FloatArray, block: IntArray, first: IntArray, size: IntArray
) -> int:  # pragma: no cover - compiled
    """Group rows by sensor (first-seen order): each row's group, each group's first row and
    size; returns the number of groups, or -1 where a sensor's sites differ (or are NaN)."""
    nb = 0
    for j in range(sens.size):
        b = -1
        for q in range(nb):
            if sens[first[q]] == sens[j]:
                b = q
                break
        if b < 0:
            b = nb
            first[b] = j
            nb += 1
        else:
            f = first[b]
            for a in range(3):
                if not site[j, a] == site[f, a]:
                    return -1
        if not (site[j, 0] == site[j, 0] and site[j, 1] == site[j, 1] and site[j, 2] == site[j, 2]):
            return -1
        block[j] = b
        size[b] += 1
    return nb


def _rae_to_ecef_rows(
    z: FloatArray, R: FloatArray, M: FloatArray, site: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """:func:`rae_to_ecef` of each row on its own: ``z`` (m, 3) [m, rad, rad], ``R``
    (m, k, k) (its leading 3 x 3 block), ``M`` (m, 3, 3) the ECEF->ENU rotation of each
    row's site ``site`` (m, 3) [m, ECEF] as ``rae_to_ecef`` computes it.

    Bit for bit ``rae_to_ecef(z[b], R[b, :3, :3], site[b])`` of any block ``b`` whose
    rotation is ``M[b]``: the sines and cosines are the same numpy calls on the same
    (strided) columns, the rest one numba kernel with numpy's order of operations (``Mᵀ d``
    summed as ``einsum`` sums a transposed operand, in index order; the products as
    numpy's ``@``: fused multiply-add chains).

    Returns the ECEF positions (m, 3) [m] and covariances (m, 3, 3) [m²].
    """
    rho, az, el = z[:, 0], z[:, 1], z[:, 2]
    ce, se, ca, sa = np.cos(el), np.sin(el), np.cos(az), np.sin(az)
    m = z.shape[0]
    r, cov = np.empty((m, 3)), np.empty((m, 3, 3))
    _rae_to_ecef_kernel(rho, ce, se, ca, sa, R, M, site, r, cov)
    return r, cov


@numba.njit(cache=True, error_model="numpy")
def _rae_to_ecef_kernel(
    rho: FloatArray,
    ce: FloatArray,
    se: FloatArray,
    ca: FloatArray,
    sa: FloatArray,
    R: FloatArray,
    M: FloatArray,
    site: FloatArray,
    r: FloatArray,
    cov: FloatArray,
) -> None:  # pragma: no cover - compiled
    """See :func:`_rae_to_ecef_rows` (``rae_to_ecef``'s lines, row by row)."""
    d = np.empty(3)
    Jd = np.empty((3, 3))
    J = np.empty((3, 3))
    JR = np.empty((3, 3))
    for j in range(rho.shape[0]):
        rh = rho[j]
        d[0] = rh * ce[j] * sa[j]
        d[1] = rh * ce[j] * ca[j]
        d[2] = rh * se[j]
        Jd[0, 0], Jd[1, 0], Jd[2, 0] = ce[j] * sa[j], ce[j] * ca[j], se[j]
        Jd[0, 1], Jd[1, 1], Jd[2, 1] = rh * ce[j] * ca[j], -rh * ce[j] * sa[j], 0.0
        Jd[0, 2], Jd[1, 2], Jd[2, 2] = -rh * se[j] * sa[j], -rh * se[j] * ca[j], rh * ce[j]
        for a in range(3):  # s + Mᵀ d
            r[j, a] = site[j, a] + ((M[j, 0, a] * d[0] + M[j, 1, a] * d[1]) + M[j, 2, a] * d[2])
        for a in range(3):  # J = Mᵀ Jd
            for b in range(3):
                s = 0.0
                for c in range(3):
                    s = _fma(M[j, c, a], Jd[c, b], s)
                J[a, b] = s
        for a in range(3):  # J R
            for b in range(3):
                s = 0.0
                for c in range(3):
                    s = _fma(J[a, c], R[j, c, b], s)
                JR[a, b] = s
        for a in range(3):  # (J R) Jᵀ
            for b in range(3):
                s = 0.0
                for c in range(3):
                    s = _fma(JR[a, c], J[b, c], s)
                cov[j, a, b] = s


def _merge(
    pos: FloatArray, cov: FloatArray, sensor: IntArray, lane: IntArray, gate: float
) -> tuple[FloatArray, FloatArray, list[frozenset[int]], IntArray]:
    """:func:`merge_converted` of each lane's points, all lanes at once.

    Points are grouped by lane and, within a lane, ordered by sensor (as each lane's tracker
    concatenates its leftovers). merge_converted takes a lane's points one by one: a point
    joins the compatible cluster (different sensors, ``d² ≤ γ``) with the lowest ``d²``, or
    starts a cluster. A cluster that takes a point of sensor ``s`` (or is started by one) is
    closed to the other points of ``s``, so the points of one sensor only compete for the
    clusters that existed before them, whose states they do not change: each sensor's points
    are taken as one block, all lanes at once; a lane where two of them prefer the same
    cluster replays its block point by point.

    Returns the fused points (lane-major, each lane's clusters in their order), their
    covariances, sensor sets and lanes.
    """
    info = np.linalg.inv(cov)  # inv(cov[j]) of every point
    if np.all(sensor == sensor[0]):  # one sensor: each point is a cluster of its own
        P = np.linalg.inv(info)
        one = frozenset({int(sensor[0])})
        return pos.copy(), 0.5 * (P + np.swapaxes(P, -1, -2)), [one] * len(pos), lane.copy()
    lanes, _, counts = _segments(lane)
    k, J = len(lanes), int(counts.max())
    li = np.repeat(np.arange(k), counts)  # lane index of each point
    info_pos = np.matmul(info, pos[..., None])[..., 0]  # inv(cov[j]) @ pos[j]
    uniq, s_idx = np.unique(sensor, return_inverse=True)
    s_idx = s_idx.reshape(-1)
    p_cl = np.zeros((k, J, 3))
    I_cl = np.zeros((k, J, 3, 3))
    Ip_cl = np.zeros((k, J, 3))
    member = np.zeros((k, J, len(uniq)), dtype=bool)
    n_cl = np.zeros(k, dtype=np.int64)
    for s in range(len(uniq)):
        blk = np.flatnonzero(s_idx == s)  # lane-major, in order within a lane
        bl = li[blk]
        choice = np.full(blk.size, -1)
        nc = n_cl[bl]  # clusters before the block
        if nc.any():
            pk = np.repeat(np.arange(blk.size), nc)
            pc = np.arange(pk.size) - np.repeat(np.cumsum(nc) - nc, nc)
            lk, rk = bl[pk], blk[pk]
            P_c = np.linalg.inv(I_cl[lk, pc])
            dd = p_cl[lk, pc] - pos[rk]
            S = P_c + cov[rk]
            d2 = np.einsum("ni,ni->n", dd, np.linalg.solve(S, dd[..., None])[..., 0])
            ok = np.flatnonzero(~member[lk, pc, s] & (d2 <= gate))
            if ok.size:
                o = ok[np.lexsort((pc[ok], d2[ok], pk[ok]))]  # by point, d², cluster
                _, first, _ = _segments(pk[o])
                best = o[first]  # each point's preferred cluster
                key = lk[best] * J + pc[best]
                dup = np.bincount(key)[key] > 1
                clean = best[~np.isin(lk[best], lk[best[dup]])] if dup.any() else best
                choice[pk[clean]] = pc[clean]
                for lane_k in np.unique(lk[best[dup]]).tolist():  # replay point by point
                    taken: set[int] = set()
                    mine = o[lk[o] == lane_k]
                    for point in np.unique(pk[mine]).tolist():
                        for q in mine[pk[mine] == point].tolist():
                            if int(pc[q]) not in taken:
                                choice[point] = pc[q]
                                taken.add(int(pc[q]))
                                break
        m = np.flatnonzero(choice >= 0)
        if m.size:
            lm, cm, rm = bl[m], choice[m], blk[m]
            I_cl[lm, cm] = I_cl[lm, cm] + info[rm]
            Ip_cl[lm, cm] = Ip_cl[lm, cm] + info_pos[rm]
            p_cl[lm, cm] = np.linalg.solve(I_cl[lm, cm], Ip_cl[lm, cm][..., None])[..., 0]
            member[lm, cm, s] = True
        f = np.flatnonzero(choice < 0)
        lf, rf = bl[f], blk[f]
        _, f_start, f_count = _segments(lf)
        cf = n_cl[lf] + np.arange(f.size) - np.repeat(f_start, f_count)
        I_cl[lf, cf] = info[rf]
        Ip_cl[lf, cf] = info_pos[rf]
        p_cl[lf, cf] = pos[rf]
        member[lf, cf, s] = True
        n_cl += np.bincount(lf, minlength=k)
    kk = np.repeat(np.arange(k), n_cl)
    cc = np.arange(kk.size) - np.repeat(np.cumsum(n_cl) - n_cl, n_cl)
    P = np.linalg.inv(I_cl[kk, cc])
    if len(uniq) < _MASK_BITS:  # sensor sets via bit codes (few distinct ones)
        codes = (member[kk, cc] @ (1 << np.arange(len(uniq), dtype=np.int64))).tolist()
        cache = {c: frozenset(int(u) for j, u in enumerate(uniq) if c >> j & 1) for c in set(codes)}
        sets = [cache[c] for c in codes]
    else:
        sets = [frozenset(int(u) for u in uniq[row]) for row in member[kk, cc]]
    return p_cl[kk, cc], 0.5 * (P + np.swapaxes(P, -1, -2)), sets, lanes[kk]
