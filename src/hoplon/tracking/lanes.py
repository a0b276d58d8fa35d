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
  report counts can differ by a rounding);
- same-lane (track, report) pairs only: reports within ``ρ̂ ± √(4 γ S_ρρ)`` in range, by
  binary search in reports sorted by lane and range (outside, ``d² ≥ 4 γ`` since one
  component's Mahalanobis distance never exceeds the whole); ``d² ≤ γ`` decided in closed
  form where that is certain (1e-6 relative margin), otherwise computed as the lane's
  ``mahalanobis_matrix`` computes it (one inverse per track when the lane's reports share
  one ``R``, else one solve per pair);
- global nearest neighbour per lane: where the gated pairs of a lane are disjoint and none
  lies exactly on the gate, :func:`~hoplon.tracking.association.gnn_assign`'s optimum is
  all of them (each costs less than leaving its track and report unassigned), taken for all
  such lanes at once; lanes with conflicts solve their own cost matrix with ``gnn_assign``;
- one batched Kalman update (``kf_update`` with the ``h(x)`` and ``H`` already computed) of
  every assigned pair of the sensor;
- initiation: converted measurements of all leftovers at once, ``merge_converted`` replayed
  for all lanes sensor by sensor, two-point pairing against one flat store of the lanes'
  stored points, with the same per-lane assignment shortcut.

Exactness rests on numpy computing each row of a batched call as it would in a call with
other rows (true of the kernels used here; the tests compare every field of every lane
with per-lane trackers bit for bit), with one exception handled as the trackers do: the
UKF's sums over sigma points round differently for a batch of one row, so a lane's only
row is passed on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hoplon.errors import InputError
from hoplon.sensors.measurements import MeasurementBatch, MeasurementKind
from hoplon.tracking.association import gnn_assign
from hoplon.tracking.deletion import Deleter
from hoplon.tracking.filters import (
    MerweSigmaPoints,
    check_covariance,
    ekf_predict,
    ekf_update,
    kf_update,
    symmetrise,
    ukf_predict,
    ukf_update,
    unscented_innovation,
    wrap_residual,
)
from hoplon.tracking.gating import chi2_gate
from hoplon.tracking.initiation import MofN, TwoPointInitiator
from hoplon.tracking.models import (
    LineOfSight,
    MeasurementModel,
    RadarRAE,
    TransitionModel,
    measurement_model_for,
    rae_to_ecef,
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
    if not sorted_keys.size:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty
    edge = np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1])
    starts = np.empty(edge.size + 1, dtype=np.int64)
    starts[0] = 0
    starts[1:] = edge + 1
    counts = np.empty_like(starts)
    counts[:-1] = edge + 1 - starts[:-1]
    counts[-1] = sorted_keys.size - starts[-1]
    return sorted_keys[starts], starts, counts


def _segment_means(pos: FloatArray, starts: IntArray, counts: IntArray) -> FloatArray:
    """``pos[s:s+c].mean(axis=0)`` of each segment."""
    return np.stack([pos[s : s + c].mean(axis=0) for s, c in zip(starts, counts, strict=True)])


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
        self._life_cycle(t, rows, hit)
        leftover = unassigned if rep.kind in _RAE_KINDS else np.zeros(len(rep), dtype=bool)
        self._initiate(t, called, rep, leftover)

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
            if lanes.min() < 0 or lanes.max() >= self.n_lanes:
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
        k = R.shape[-1]
        off = ~np.eye(k, dtype=bool)
        diag = R[:, np.arange(k), np.arange(k)]
        ok = bool(np.all(np.isfinite(R))) and bool(np.all(R == np.swapaxes(R, -1, -2)))
        if ok:
            plain = ~np.any(R[:, off] != 0.0, axis=1)  # diagonal: eigenvalues = diagonal
            ok = bool(np.all(diag[plain] > 0.0))
            if ok and not plain.all():
                ok = bool(np.all(np.linalg.eigvalsh(R[~plain])[..., 0] > 0.0))
        if ok:
            return
        for lane in np.unique(rep.lane):  # something is wrong: find it as the lanes would
            check_covariance(R[rep.lane == lane], "R")

    def _sites(
        self, pos: FloatArray, starts: IntArray, counts: IntArray
    ) -> tuple[FloatArray, IntArray]:
        """Each lane's sensor site (the mean of the positions ``pos[s:s+c]`` of its reports,
        as numpy computes it) and a group number per lane (equal sites, equal numbers)."""
        p0 = pos[0]
        if not np.all(pos == p0):  # positions differ within the frame (moving sensor)
            site = _segment_means(pos, starts, counts)
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
        dt = t - tr.time_s[rows]
        steps = np.unique(dt)
        everything = steps.size == 1 and rows.size == len(tr)  # rows are 0..n-1: slices
        for step in steps:
            same = rows if steps.size == 1 else rows[dt == step]
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
            for c in _chunks(same.size):
                sel = c if everything else same[c]
                dts = np.full(c.stop - c.start, step)
                tr.x[sel], tr.P[sel] = ekf_predict(tr.x[sel], tr.P[sel], self.transition_model, dts)
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
        lanes, r_start, r_count = _segments(rep.lane[order])
        in_scan = np.zeros(self.n_lanes, dtype=bool)
        in_scan[lanes] = True
        trows = np.flatnonzero(in_scan[self.lane])
        if not trows.size:
            return
        t_li = np.searchsorted(lanes, self.lane[trows])  # lane index (into `lanes`) of each
        z = rep.z[order]
        R = _Rows(rep.R, order)  # R[i] = rep.R[order[i]], gathered only where needed
        # (rows are sorted by lane; all of them: use the arrays themselves)
        x, P = (tr.x, tr.P) if trows.size == len(tr) else (tr.x[trows], tr.P[trows])
        # each lane's tracker uses the mean of its reports' sensor positions as the site
        site, lane_group = self._sites(rep.pos[order], r_start, r_count)
        t_group = lane_group[t_li]
        groups = np.unique(t_group)  # the site values of the lanes with tracks
        sites = [site[np.argmax(lane_group == g)] for g in groups.tolist()]
        t_sets: list[slice | IntArray] = (
            [slice(None)] if len(groups) == 1 else [np.flatnonzero(t_group == g) for g in groups]
        )
        n, k = len(trows), model.dim
        zhat: FloatArray = np.empty((n, k))
        H: FloatArray = np.empty((n, k, x.shape[1]))
        if self.filter == "ekf" and len(groups) == 1:  # as filters.innovation
            zhat, H = model.function(x, sites[0]), model.jacobian(x, sites[0])
            HPHt = symmetrise(H @ P @ np.swapaxes(H, -1, -2))
        elif self.filter == "ekf":  # ... per site value
            for s, ti in zip(sites, t_sets, strict=True):
                zhat[ti] = model.function(x[ti], s)
                H[ti] = model.jacobian(x[ti], s)
            HPHt = symmetrise(H @ P @ np.swapaxes(H, -1, -2))
        else:
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
        tp, rp = _candidate_pairs(zhat, HPHt, z, R.diag0(), t_li, r_start, r_count, gate, model)
        nu = wrap_residual(z[rp] - zhat[tp], model.angle_indices)
        S = HPHt[tp] + R[rp]
        d2, sure = _screen_d2(nu, S, gate)
        exact = _ExactD2(nu, S, R, t_li[tp], r_start, r_count)
        d2[~sure] = exact(np.flatnonzero(~sure))
        # GNN per lane: disjoint gated pairs are the optimum; conflicts solve their lane
        gated = np.flatnonzero(d2 <= gate)
        p_li = t_li[tp]
        t_start = np.searchsorted(t_li, np.arange(len(lanes)))
        row, col = tp - t_start[p_li], rp - r_start[p_li]
        bad = _conflicts(p_li[gated], row[gated], col[gated], d2[gated] == gate)
        chosen = gated[~np.isin(p_li[gated], bad)] if bad.size else gated
        if bad.size:
            parts = [chosen]
            for lane in bad.tolist():
                mine = np.flatnonzero(p_li == lane)
                d2_lane = np.where(sure[mine], exact(mine), d2[mine])
                parts.append(mine[_gnn_pairs(d2_lane, row[mine], col[mine], gate)])
            chosen = np.concatenate(parts)
        at, ar = tp[chosen], rp[chosen]
        if not at.size:
            return
        if self.filter == "ekf" and not isinstance(model, LineOfSight):
            # as filters.ekf_update (h(x) and H of the same x are already known)
            nu_a = nu[chosen]
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

    def _life_cycle(self, t: float, rows: IntArray, hit: BoolArray) -> None:
        """Hit history, counters, confirmation and deletion of the stepped tracks."""
        if not rows.size:
            return
        tr = self.tracks
        sel: slice | IntArray = slice(None) if rows.size == len(tr) else rows
        h = hit[sel]
        tr.history[sel] = ((tr.history[sel] << 1) | h).astype(np.int64) & ((1 << 62) - 1)
        tr.hits[sel] += h
        tr.misses[sel] = np.where(h, 0, tr.misses[sel] + 1)
        tr.age[sel] += 1
        tr.last_update_s[sel] = np.where(h, t, tr.last_update_s[sel])
        newly = (tr.status[sel] == TrackStatus.TENTATIVE) & self.confirmation.confirmed(
            tr.history[sel]
        )
        tr.status[rows[newly]] = TrackStatus.CONFIRMED
        gone = self.deleter.to_delete(tr, self.confirmation)  # row by row: keep stepped rows
        if rows.size < len(tr):
            gone &= np.isin(np.arange(len(tr)), rows)
        if gone.any():
            keep = np.flatnonzero(~gone)
            self.tracks = tr.select(keep)
            self.lane = self.lane[keep]
            self._smask = self._smask[keep]

    # ------------------------------------------------------------------------------
    def _initiate(self, t: float, called: BoolArray, rep: _Reports, leftover: BoolArray) -> None:
        """Two-point initiation from the unassigned reports, as each lane's tracker does:
        converted measurements, merged across sensors, paired with stored points."""
        idx = np.flatnonzero(leftover)
        if idx.size:
            idx = idx[np.lexsort((rep.sensor[idx], rep.lane[idx]))]  # by lane, then sensor
            pos, cov = _convert(rep, idx)
            p, c, sensors, p_lane = _merge(
                pos, cov, rep.sensor[idx], rep.lane[idx], self._merge_gate
            )
        else:
            p, c, sensors, p_lane = np.empty((0, 3)), np.empty((0, 3, 3)), [], _EMPTY
        self._prune(t, called)
        x, P, new_sensors, x_lane = self._pair(t, p, c, sensors, p_lane)
        if not len(x):
            return
        lanes, starts, counts = _segments(x_lane)
        ids = self._next_id[x_lane] + np.arange(len(x)) - np.repeat(starts, counts)
        self._next_id[lanes] += counts
        new = TrackSet.from_states(x, P, t, ids, TrackStatus.TENTATIVE, self.owner, new_sensors)
        new.history[:] = 0b11  # both points of the pair were hits
        new.hits[:] = 2
        new.status[self.confirmation.confirmed(new.history)] = TrackStatus.CONFIRMED
        mask = [sum(1 << s for s in f if 0 <= s < _MASK_BITS) for f in new_sensors]
        # keep the rows sorted by lane: the new tracks go after their lane's tracks
        lane = np.concatenate([self.lane, x_lane])
        order = np.argsort(lane, kind="stable")
        self.tracks = TrackSet.concatenate([self.tracks, new]).select(order)
        self.lane = lane[order]
        self._smask = np.concatenate([self._smask, np.array(mask, dtype=np.int64)])[order]

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
            # stored points of each new point's lane, in the lane's order
            st_order = np.argsort(self._st_lane, kind="stable")
            st_lanes, st_start, st_count = _segments(self._st_lane[st_order])
            li = np.searchsorted(st_lanes, p_lane)
            li_ok = li < len(st_lanes)
            has = np.zeros(len(pos), dtype=bool)
            has[li_ok] = st_lanes[li[li_ok]] == p_lane[li_ok]
            cnt = np.where(has, st_count[np.minimum(li, len(st_lanes) - 1)], 0)
            ci = np.repeat(np.arange(len(pos)), cnt)
            first = np.cumsum(cnt) - cnt
            rank = np.arange(ci.size) - np.repeat(first, cnt)  # stored point's rank in lane
            si = st_order[
                np.repeat(np.where(has, st_start[np.minimum(li, len(st_lanes) - 1)], 0), cnt) + rank
            ]
            if ci.size:
                T = t - self._st_time[si]
                dist = np.linalg.norm(pos[ci] - self._st_pos[si], axis=-1)
                sig = np.sqrt(np.trace(self._st_cov[si], axis1=1, axis2=2)) + np.sqrt(
                    np.trace(cov[ci], axis1=1, axis2=2)
                )
                excess = dist - self._max_speed * T - 3.0 * sig
                cost = np.where(excess <= 0.0, dist / T, np.inf)
                gate = self._max_speed * 10.0
                # lane-local indices: stored rank (row) and new point rank (column)
                lanes_p, p_start, _ = _segments(p_lane)
                col = ci - p_start[np.searchsorted(lanes_p, p_lane[ci])]
                g = p_lane[ci]
                feasible = np.flatnonzero(cost <= gate)
                bad = _conflicts(g[feasible], rank[feasible], col[feasible], cost[feasible] == gate)
                sel = feasible[~np.isin(g[feasible], bad)] if bad.size else feasible
                if bad.size:
                    parts = [sel]
                    for lane in bad.tolist():
                        mine = np.flatnonzero(g == lane)
                        parts.append(mine[_gnn_pairs(cost[mine], rank[mine], col[mine], gate)])
                    sel = np.concatenate(parts)
                # order: lane-major, then stored point (as gnn_assign's sorted rows)
                sel = sel[np.lexsort((rank[sel], p_lane[ci[sel]]))]
                rows, cols = si[sel], ci[sel]
                if rows.size:
                    Tp = T[sel][:, None]
                    R1, R2 = self._st_cov[rows], cov[cols]
                    k = rows.size
                    xs = np.zeros((k, d))
                    xs[:, :3] = pos[cols]
                    xs[:, 3:6] = (pos[cols] - self._st_pos[rows]) / Tp
                    xs[:, 6:] = self._extra_mean
                    Ps = np.zeros((k, d, d))
                    Ps[:, :3, :3] = R2
                    Ps[:, :3, 3:6] = Ps[:, 3:6, :3] = R2 / Tp[..., None]
                    Ps[:, 3:6, 3:6] = (R1 + R2) / Tp[..., None] ** 2
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


def _ukf_blocks(lane: IntArray) -> list[IntArray]:
    """Row blocks for the UKF functions, given the lane of each row: a lane's only row on
    its own, the other rows together (their sums over sigma points round differently when
    the batch axis has length 1, as a lane's tracker with one track computes them)."""
    single = np.bincount(lane)[lane] == 1
    blocks = [np.flatnonzero(~single)] if not single.all() else []
    return blocks + [np.array([i]) for i in np.flatnonzero(single).tolist()]


def _chunks(n: int, size: int = 512) -> list[slice]:
    """Row blocks for the batched filters (row results do not depend on the blocking;
    blocks keep the temporaries small, which is faster than one large batch)."""
    return [slice(i, min(i + size, n)) for i in range(0, n, size)]


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


class _Rows:
    """``R[i] = R_all[order[i]]`` without gathering all of them."""

    def __init__(self, R_all: FloatArray, order: IntArray) -> None:
        self.R_all, self.order = R_all, order

    def __getitem__(self, idx: IntArray) -> FloatArray:
        return self.R_all[self.order[idx]]

    def diag0(self) -> FloatArray:
        return self.R_all[self.order, 0, 0]

    def all(self) -> FloatArray:
        return self.R_all[self.order]


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
            rep_li = np.repeat(np.arange(len(self.r_count)), self.r_count)
            R = self.R.all()
            same = np.all(R == R[self.r_start[rep_li]], axis=(1, 2))
            self._lane_same_R = np.bincount(rep_li[~same], minlength=len(self.r_count)) == 0
        use_inv = self._lane_same_R[self.p_li[idx]]
        nu, S = self.nu[idx], self.S[idx]
        if use_inv.any():
            a = use_inv
            out[a] = np.einsum("pi,pij,pj->p", nu[a], np.linalg.inv(S[a]), nu[a])
        if not use_inv.all():
            b = ~use_inv
            out[b] = np.einsum("pi,pi->p", nu[b], np.linalg.solve(S[b], nu[b][..., None])[..., 0])
        return out


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


def _gnn_pairs(cost: FloatArray, row: IntArray, col: IntArray, gate: float) -> IntArray:
    """Indices of the pairs (``row``, ``col``, ``cost``) of one lane that :func:`gnn_assign`
    picks on the lane's cost matrix (pairs not given are infeasible; miss cost ``gate``)."""
    shape = (int(row.max()) + 1, int(col.max()) + 1)
    matrix = np.full(shape, np.inf)
    matrix[row, col] = cost
    rows, cols = gnn_assign(matrix, gate, miss_cost=gate)
    where = np.full(shape, -1, dtype=np.int64)
    where[row, col] = np.arange(row.size)
    return where[rows, cols]


def _convert(rep: _Reports, idx: IntArray) -> tuple[FloatArray, FloatArray]:
    """Converted measurements (ECEF position, covariance) of the reports ``idx``, as each
    lane's tracker converts its batch of one sensor's leftovers with :func:`rae_to_ecef`
    (rows do not depend on each other for one site)."""
    sens, lane, site = rep.sensor[idx], rep.lane[idx], rep.pos[idx]
    pos, cov = np.empty((idx.size, 3)), np.empty((idx.size, 3, 3))
    for s in np.unique(sens).tolist():
        rows = np.flatnonzero(sens == s)
        if np.all(site[rows] == site[rows[0]]):
            blocks = [rows]
        else:  # the sensor moved within the frame: convert lane by lane, as the trackers do
            blocks = [rows[lane[rows] == v] for v in np.unique(lane[rows]).tolist()]
        for b in blocks:
            zb, Rb = rep.z[idx[b]], rep.R[idx[b]]
            pos[b], cov[b] = rae_to_ecef(zb[:, :3], Rb[:, :3, :3], site[b])
    return pos, cov


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
    lanes, _, counts = _segments(lane)
    k, J = len(lanes), int(counts.max())
    li = np.repeat(np.arange(k), counts)  # lane index of each point
    info = np.linalg.inv(cov)  # inv(cov[j]) of every point
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
