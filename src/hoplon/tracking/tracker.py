"""Multi-target tracker (Tracker role) for one partner's own sensors (central fusion).

The tracker consumes :class:`~hoplon.sensors.measurements.MeasurementBatch` reports in time
order. Reports with the same time form one *frame*. For each frame, all tracks are predicted
to the frame time (batched), then the reports of each sensor in the frame are gated
(Mahalanobis, χ² gate), assigned by global nearest neighbour and used to update the
assigned tracks (batched EKF or UKF), one sensor after another (sequential central fusion).
A track updated by any sensor in a frame scores a hit for M-of-N confirmation; tracks that
miss coast. Unassigned RAE reports start tentative tracks by two-point initiation.

The tracker never reads ``truth_id``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    innovation,
    ukf_predict,
    ukf_update,
    unscented_innovation,
)
from hoplon.tracking.gating import chi2_gate, mahalanobis_matrix
from hoplon.tracking.initiation import MofN, TwoPointInitiator, merge_converted
from hoplon.tracking.models import TransitionModel, measurement_model_for, rae_to_ecef
from hoplon.tracking.state import TrackSet, TrackStatus

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass
class TrackHistory:
    """Tidy record of track estimates: one row per (frame time, track).

    ``time_s`` (k,), ``track_id`` (k,), ``status`` (k,), ``x`` (k, d), ``P`` (k, d, d),
    ``owner`` (k,).
    """

    time_s: FloatArray
    track_id: IntArray
    status: IntArray
    x: FloatArray
    P: FloatArray
    owner: IntArray

    def __len__(self) -> int:
        return len(self.time_s)

    def confirmed(self) -> TrackHistory:
        """Only the rows of confirmed tracks."""
        sel = self.status == TrackStatus.CONFIRMED
        return TrackHistory(
            self.time_s[sel],
            self.track_id[sel],
            self.status[sel],
            self.x[sel],
            self.P[sel],
            self.owner[sel],
        )


@dataclass
class Tracker:
    """GNN multi-target tracker with M-of-N initiation and coasting.

    Parameters
    ----------
    transition_model : motion model (e.g. :class:`~hoplon.tracking.models.Ballistic`).
    filter : ``"ekf"`` or ``"ukf"``.
    gate_probability : χ² gate probability (ignored where ``gate`` is given).
    gate : explicit gate on the assignment cost (``d²``, or ``d`` with ``cost="d"``).
    cost : ``"d2"`` (squared Mahalanobis, default) or ``"d"`` (Mahalanobis, as Stone Soup's
        ``Mahalanobis`` measure).
    confirmation, deleter, initiator : life-cycle rules.
    owner : partner id stamped on the tracks.
    initial_tracks : tracks known at the start (e.g. a cue), kept with their status.
    record : keep a :class:`TrackHistory` of every frame.
    initiate : start new tracks from unassigned reports (False: maintain given tracks only).
    """

    transition_model: TransitionModel
    filter: str = "ekf"
    gate_probability: float = 0.9999
    gate: float | None = None
    cost: str = "d2"
    confirmation: MofN = field(default_factory=MofN)
    deleter: Deleter = field(default_factory=Deleter)
    initiator: TwoPointInitiator | None = None
    owner: int = 0
    initial_tracks: TrackSet | None = None
    record: bool = True
    sigma_points: MerweSigmaPoints = field(default_factory=MerweSigmaPoints)
    merge_gate_probability: float = 0.999
    validate_R: bool = True
    initiate: bool = True

    def __post_init__(self) -> None:
        if self.filter not in ("ekf", "ukf"):
            raise InputError("filter", f"unknown filter {self.filter!r}", "ekf, ukf")
        if self.cost not in ("d2", "d"):
            raise InputError("cost", f"unknown cost {self.cost!r}", "d2, d")
        if self.gate is not None and not self.gate > 0:
            raise InputError("gate", f"must be > 0, got {self.gate}", "> 0")
        d = self.transition_model.dim
        if self.initiator is None:
            self.initiator = TwoPointInitiator(state_dim=d)
        self.tracks = (
            self.initial_tracks.select(slice(None))
            if self.initial_tracks is not None
            else TrackSet.empty(d)
        )
        self._next_id = int(self.tracks.track_id.max() + 1) if len(self.tracks) else 0
        self._rows: list[tuple[FloatArray, ...]] = []
        self._merge_gate = chi2_gate(self.merge_gate_probability, 3)

    # ------------------------------------------------------------------------------
    def _gate_for(self, k: int) -> float:
        if self.gate is not None:
            return float(self.gate)
        g = chi2_gate(self.gate_probability, k)
        return float(np.sqrt(g)) if self.cost == "d" else g

    def _predict(self, t: float) -> None:
        tr = self.tracks
        if not len(tr):
            return
        dt = t - tr.time_s
        if self.filter == "ekf":
            tr.x, tr.P = ekf_predict(tr.x, tr.P, self.transition_model, dt)
        else:
            tr.x, tr.P, _ = ukf_predict(tr.x, tr.P, self.transition_model, dt, self.sigma_points)
        tr.time_s = np.full(len(tr), t)

    def _update_sensor(self, scan: MeasurementBatch, hit: NDArray[np.bool_]) -> NDArray[np.bool_]:
        """Associate and update with one sensor's reports; returns the unassigned mask."""
        tr = self.tracks
        m = len(scan)
        model = measurement_model_for(scan.kind)
        site = scan.sensor_position_ecef_m.mean(axis=0)
        unassigned = np.ones(m, dtype=bool)
        if not len(tr) or not m:
            return unassigned
        if self.filter == "ekf":
            zhat, _, HPHt = innovation(tr.x, tr.P, model, site)
        else:
            zhat, HPHt = unscented_innovation(tr.x, tr.P, model, site, self.sigma_points)
        d2 = mahalanobis_matrix(zhat, HPHt, scan.z, scan.R, model.angle_indices)
        cost = np.sqrt(d2) if self.cost == "d" else d2
        rows, cols = gnn_assign(cost, self._gate_for(model.dim))
        if rows.size:
            if self.filter == "ekf":
                tr.x[rows], tr.P[rows] = ekf_update(
                    tr.x[rows], tr.P[rows], scan.z[cols], scan.R[cols], model, site
                )
            else:
                tr.x[rows], tr.P[rows] = ukf_update(
                    tr.x[rows],
                    tr.P[rows],
                    scan.z[cols],
                    scan.R[cols],
                    model,
                    site,
                    self.sigma_points,
                )
            hit[rows] = True
            for r, c in zip(rows, cols, strict=True):
                tr.sensors[r] = tr.sensors[r] | {int(scan.sensor_id[c])}
            unassigned[cols] = False
        return unassigned

    def step(self, frame: MeasurementBatch) -> None:
        """Process one frame: reports sharing one time (any sensors, one kind or several
        calls for several kinds are merged by :meth:`process`)."""
        self.step_frame([frame])

    def step_frame(self, scans: list[MeasurementBatch], t_s: float | None = None) -> None:
        """Process the reports of one frame time, given as batches (one kind each).

        A frame with no reports is still a look when its time ``t_s`` is given: every track
        coasts to ``t_s`` and scores a miss (so tracks of objects that are gone get deleted).
        Without reports and without ``t_s`` nothing happens.
        """
        scans = [s for s in scans if len(s)]
        if not scans and t_s is None:
            return
        t = float(scans[0].time_s[0]) if scans else float(t_s)
        if self.validate_R:
            for s in scans:
                check_covariance(s.R, "R")
        self._predict(t)
        hit = np.zeros(len(self.tracks), dtype=bool)
        leftovers: list[MeasurementBatch] = []
        for batch in scans:
            for sid in np.unique(batch.sensor_id):
                scan = batch.select(batch.sensor_id == sid)
                unassigned = self._update_sensor(scan, hit)
                if batch.kind in (MeasurementKind.RAE, MeasurementKind.RAE_RATE):
                    leftovers.append(scan.select(unassigned))
        tr = self.tracks
        tr.history = ((tr.history << 1) | hit).astype(np.int64) & ((1 << 62) - 1)
        tr.hits = tr.hits + hit
        tr.misses = np.where(hit, 0, tr.misses + 1)
        tr.age = tr.age + 1
        tr.last_update_s = np.where(hit, t, tr.last_update_s)
        newly = (tr.status == TrackStatus.TENTATIVE) & self.confirmation.confirmed(tr.history)
        tr.status[newly] = TrackStatus.CONFIRMED
        gone = self.deleter.to_delete(tr, self.confirmation)
        if gone.any():
            self.tracks = tr.select(~gone)
        if self.initiate:
            self._initiate(t, leftovers)
        if self.record:
            self._record(t)

    def _initiate(self, t: float, leftovers: list[MeasurementBatch]) -> None:
        leftovers = [b for b in leftovers if len(b)]
        assert self.initiator is not None
        if leftovers:
            pos = []
            cov = []
            sid = []
            for b in leftovers:
                p, c = rae_to_ecef(b.z[:, :3], b.R[:, :3, :3], b.sensor_position_ecef_m)
                pos.append(p)
                cov.append(c)
                sid.append(b.sensor_id)
            p, c, sensors = merge_converted(
                np.concatenate(pos), np.concatenate(cov), np.concatenate(sid), self._merge_gate
            )
        else:
            p, c, sensors = np.empty((0, 3)), np.empty((0, 3, 3)), []
        x, P, new_sensors = self.initiator.initiate(t, p, c, sensors)
        if len(x):
            ids = np.arange(self._next_id, self._next_id + len(x))
            self._next_id += len(x)
            new = TrackSet.from_states(x, P, t, ids, TrackStatus.TENTATIVE, self.owner, new_sensors)
            new.history[:] = 0b11  # both points of the pair were hits
            new.hits[:] = 2
            new.status[self.confirmation.confirmed(new.history)] = TrackStatus.CONFIRMED
            self.tracks = TrackSet.concatenate([self.tracks, new])

    def _record(self, t: float) -> None:
        tr = self.tracks
        self._rows.append(
            (
                np.full(len(tr), t),
                tr.track_id.copy(),
                tr.status.copy(),
                tr.x.copy(),
                tr.P.copy(),
                tr.owner.copy(),
            )
        )

    # ------------------------------------------------------------------------------
    def process(self, batches: MeasurementBatch | list[MeasurementBatch]) -> TrackSet:
        """Run over reports (any number of batches, any kinds) in time order.

        Returns the active tracks at the end.
        """
        if isinstance(batches, MeasurementBatch):
            batches = [batches]
        times = np.unique(np.concatenate([b.time_s for b in batches])) if batches else []
        # index each batch by time once
        orders = [np.argsort(b.time_s, kind="stable") for b in batches]
        bounds = [
            np.searchsorted(b.time_s[o], times, side="left")
            for b, o in zip(batches, orders, strict=True)
        ]
        ends = [
            np.searchsorted(b.time_s[o], times, side="right")
            for b, o in zip(batches, orders, strict=True)
        ]
        for k in range(len(times)):
            frame = [
                b.select(o[lo[k] : hi[k]])
                for b, o, lo, hi in zip(batches, orders, bounds, ends, strict=True)
                if hi[k] > lo[k]
            ]
            self.step_frame(frame)
        return self.tracks

    def history(self) -> TrackHistory:
        """All recorded rows."""
        d = self.transition_model.dim
        if not self._rows:
            return TrackHistory(
                np.empty(0),
                np.empty(0, np.int64),
                np.empty(0, np.int64),
                np.empty((0, d)),
                np.empty((0, d, d)),
                np.empty(0, np.int64),
            )
        cols = list(zip(*self._rows, strict=True))
        return TrackHistory(*(np.concatenate(c) for c in cols))
