"""LaneTracker: every lane exactly as its own Tracker, fed that lane's reports only."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hoplon.tracking.lanes as lanes_module
from hoplon.errors import InputError
from hoplon.sensors.measurements import MeasurementBatch, MeasurementKind
from hoplon.sensors.radar import Radar
from hoplon.tracking._geo import enu_matrix, enu_matrix_at, geodetic_to_ecef
from hoplon.tracking.association import gnn_assign, gnn_assign_groups
from hoplon.tracking.deletion import Deleter
from hoplon.tracking.initiation import MofN, merge_converted
from hoplon.tracking.lanes import LaneTracker
from hoplon.tracking.models import Ballistic
from hoplon.tracking.state import TrackSet
from hoplon.tracking.tracker import Tracker

DEG = math.pi / 180.0
FRAME_S = 5.0
SITES_DEG = ((38.0, 18.0), (42.0, 19.0), (40.0, 23.0))
SENSOR_IDS = (5, 2, 9)  # not in list order: trackers take sensors in ascending id order


def make_radars(rate: bool = False) -> list[Radar]:
    """Three radars; the second is less sensitive (it often misses) and has SNR-dependent
    noise (a different R per report), the third reports false alarms (0.5 per dwell)."""
    return [
        Radar(
            name=f"r{k}",
            lat_rad=lat * DEG,
            lon_rad=lon * DEG,
            alt_m=0.0,
            snr_constant_m2=10 ** (1.6 if k == 1 else 2.4) * (700e3) ** 4,
            max_range_m=3000e3,
            min_elevation_rad=0.5 * DEG,
            sigma_range_m=30.0,
            sigma_angle_rad=1e-3,
            sigma_range_rate_mps=5.0 if rate else None,
            range_resolution_m=150.0 if k == 1 else None,
            beamwidth_rad=0.02 if k == 1 else None,
            revisit_s=FRAME_S,
            false_alarms=k == 2,
            n_cells=5e5,
            sensor_id=SENSOR_IDS[k],
        )
        for k, (lat, lon) in enumerate(SITES_DEG)
    ]


def options(**kw: object) -> dict[str, object]:
    """The engine's tracker configuration."""
    base: dict[str, object] = dict(
        transition_model=Ballistic(q=50.0**2, rotating=True, max_step_s=5.0),
        filter="ekf",
        gate_probability=0.9999,
        confirmation=MofN(2, 3),
        deleter=Deleter(max_misses=4),
    )
    return base | kw


@dataclasses.dataclass
class Scenario:
    times: np.ndarray  # (k,)
    reports: list[list[list[MeasurementBatch]]]  # [frame][lane] -> one batch per radar
    looking: np.ndarray  # (k, L) bool


def make_scenario(n_lanes: int, n_frames: int, seed: int, rate: bool = False) -> Scenario:
    """Lanes with 0-8 ballistic targets (150-250 km up, climbing) that come and go; lane 0
    never has one; lane 1 has two targets ~240 m apart (overlapping gates); lanes 3 and 5
    do not look for some frames."""
    rng = np.random.default_rng(seed)
    counts = rng.integers(1, 9, n_lanes)
    counts[0] = 0
    counts[1] = max(counts[1], 3)
    n = int(counts.sum())
    lat = (40.0 + rng.uniform(-3.0, 3.0, n)) * DEG
    lon = (20.0 + rng.uniform(-3.0, 3.0, n)) * DEG
    r = geodetic_to_ecef(lat, lon, rng.uniform(150e3, 250e3, n))
    az = rng.uniform(0.0, 2.0 * np.pi, n)
    v_h, v_u = rng.uniform(1.5e3, 3.0e3, n), rng.uniform(1.0e3, 2.0e3, n)
    v_enu = np.stack([v_h * np.sin(az), v_h * np.cos(az), v_u], axis=-1)
    v = np.einsum("nji,nj->ni", enu_matrix(lat, lon), v_enu)
    owner = np.repeat(np.arange(n_lanes), counts)
    first = int(counts[0])  # lane 1's targets 0 and 1: a close pair
    r[first + 1] = r[first] + np.array([150.0, -150.0, 100.0])
    v[first + 1] = v[first] + np.array([1.0, 2.0, -1.0])
    x = np.concatenate([r, v], axis=1)
    truth = Ballistic(rotating=True, max_step_s=1.0)
    states = np.empty((n_frames, n, 6))
    states[0] = x
    for k in range(1, n_frames):
        states[k] = truth.function(states[k - 1], FRAME_S)
    start = rng.integers(0, n_frames // 3, n)
    start[first : first + 2] = 2
    stop = start + rng.integers(n_frames // 4, n_frames, n)
    looking = np.ones((n_frames, n_lanes), dtype=bool)
    looking[20:24, 3 % n_lanes] = False
    looking[::7, 5 % n_lanes] = False
    radars = make_radars(rate)
    streams = [
        [np.random.default_rng([seed, lane, s]) for s in SENSOR_IDS] for lane in range(n_lanes)
    ]
    times = FRAME_S * np.arange(n_frames)
    reports: list[list[list[MeasurementBatch]]] = []
    for k, t in enumerate(times):
        frame = []
        for lane in range(n_lanes):
            flying = np.flatnonzero((owner == lane) & (start <= k) & (k < stop))
            batches = []
            if flying.size:  # as the engine: radars observe only while something flies
                for radar, stream in zip(radars, streams[lane], strict=True):
                    b = radar.observe(
                        float(t),
                        states[k, flying, :3],
                        1.0,
                        stream,
                        truth_id=flying,
                        v_ecef=states[k, flying, 3:],
                    )
                    if len(b):
                        batches.append(b)
            frame.append(batches)
        reports.append(frame)
    return Scenario(times, reports, looking)


def engine_step(tracker: Tracker, batches: list[MeasurementBatch], t: float) -> None:
    """How the engine calls a force's tracker at a dwell."""
    if batches:
        frame = batches[0] if len(batches) == 1 else MeasurementBatch.concatenate(batches)
        tracker.step_frame([frame])
    elif len(tracker.tracks):
        tracker.step_frame([], t_s=t)


def lane_inputs(
    per_lane: list[list[MeasurementBatch]], layout: str, rng: np.random.Generator
) -> tuple[list[MeasurementBatch], list[np.ndarray]]:
    """``scans``/``scan_lanes`` for the LaneTracker: one batch per radar with every lane's
    reports ("radar"), or one batch per lane and radar in random order ("shuffled")."""
    parts = [(lane, b) for lane, batches in enumerate(per_lane) for b in batches]
    if layout == "shuffled":
        parts = [parts[i] for i in rng.permutation(len(parts))]
        return [b for _, b in parts], [np.full(len(b), lane) for lane, b in parts]
    scans, scan_lanes = [], []
    for sid in SENSOR_IDS:
        mine = [(lane, b) for lane, b in parts if b.sensor_id[0] == sid]
        if mine:
            scans.append(MeasurementBatch.concatenate([b for _, b in mine]))
            scan_lanes.append(np.concatenate([np.full(len(b), lane) for lane, b in mine]))
    return scans, scan_lanes


def assert_same(expected: TrackSet, got: TrackSet, where: str) -> None:
    """Identical track sets: every field, floats bit for bit."""
    assert len(got) == len(expected), where
    for name in ("track_id", "status", "history", "hits", "misses", "age", "owner"):
        np.testing.assert_array_equal(
            getattr(got, name), getattr(expected, name), err_msg=f"{where}: {name}"
        )
    for name in ("x", "P", "time_s", "last_update_s"):
        a, b = getattr(got, name), getattr(expected, name)
        assert a.tobytes() == b.tobytes(), f"{where}: {name} differs"
    assert got.sensors == expected.sensors, where
    assert got.partners == expected.partners, where


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return make_scenario(n_lanes=12, n_frames=64, seed=7)


@pytest.mark.parametrize("layout", ["radar", "shuffled"])
def test_every_lane_equals_its_own_tracker(scenario, layout, monkeypatch):
    n_lanes = scenario.looking.shape[1]
    calls = {"gnn": 0, "merged": 0}

    def counting_gnn(cost, row, col, starts, counts, *args, **kw):
        calls["gnn"] += len(starts)
        return gnn_assign_groups(cost, row, col, starts, counts, *args, **kw)

    merge = lanes_module._merge

    def counting_merge(*args, **kw):
        out = merge(*args, **kw)
        calls["merged"] += sum(len(s) > 1 for s in out[2])
        return out

    monkeypatch.setattr(lanes_module, "gnn_assign_groups", counting_gnn)
    monkeypatch.setattr(lanes_module, "_merge", counting_merge)
    rng = np.random.default_rng(3)
    trackers = [Tracker(record=False, **options()) for _ in range(n_lanes)]
    lanes = LaneTracker(n_lanes, **options())
    peak = 0
    for k, t in enumerate(scenario.times):
        look = scenario.looking[k]
        for lane, tracker in enumerate(trackers):
            if look[lane]:
                engine_step(tracker, scenario.reports[k][lane], float(t))
        # lanes that do not look still pass their reports: they must be ignored
        scans, scan_lanes = lane_inputs(scenario.reports[k], layout, rng)
        lanes.step_frame(float(t), scans, scan_lanes, look)
        assert np.all(np.diff(lanes.lane) >= 0)
        peak = max(peak, len(lanes.tracks))
        for lane, tracker in enumerate(trackers):
            assert_same(tracker.tracks, lanes.lane_tracks(lane), f"frame {k} lane {lane}")
    assert len(lanes.tracks) == sum(len(tr.tracks) for tr in trackers)
    # the run went through the paths under test
    assert calls["gnn"] > 0  # lanes with conflicting gates solved by gnn_assign_groups
    assert calls["merged"] > 0  # a new object seen by several radars: converted reports fused
    assert peak > 20
    ids = [lanes.lane_tracks(lane).track_id for lane in range(n_lanes)]
    assert sum(0 in i for i in ids) > 1  # ids count from 0 in each lane


def test_ukf_lanes_equal_their_trackers(scenario):
    trackers = [Tracker(record=False, **options(filter="ukf")) for _ in range(4)]
    lanes = LaneTracker(4, **options(filter="ukf"))
    look = np.ones(4, dtype=bool)
    rng = np.random.default_rng(0)
    for k, t in enumerate(scenario.times[:30]):
        for lane, tracker in enumerate(trackers):
            engine_step(tracker, scenario.reports[k][lane], float(t))
        lanes.step_frame(float(t), *lane_inputs(scenario.reports[k][:4], "radar", rng), look)
        for lane, tracker in enumerate(trackers):
            assert_same(tracker.tracks, lanes.lane_tracks(lane), f"ukf frame {k} lane {lane}")
    assert len(lanes.tracks) > 0


def false_alarm(t: float, sid: int, rho: float, site: np.ndarray) -> MeasurementBatch:
    return MeasurementBatch(
        kind=MeasurementKind.RAE,
        time_s=np.array([t]),
        z=np.array([[rho, 1.0, 0.3]]),
        R=np.diag([900.0, 1e-6, 1e-6])[None],
        sensor_position_ecef_m=site[None],
        sensor_id=np.array([sid]),
        owner=np.array([0]),
    )


def test_lane_with_neither_reports_nor_tracks_is_left_alone():
    """The engine does not call a tracker with no reports and no tracks; the LaneTracker
    leaves such a lane untouched, which is also what calling it would amount to: its
    initiator would only forget stored points that a later frame forgets as well."""
    site = make_radars()[0].position_ecef_m
    not_called = Tracker(record=False, **options())
    called = Tracker(record=False, **options())
    lanes = LaneTracker(2, **options())
    frames = [
        [false_alarm(0.0, 5, 500e3, site)],  # stored point, no track
        [],  # nothing: lane not called by the engine
        [false_alarm(10.0, 5, 600e3, site)],  # too far from the (forgotten) stored point
        [false_alarm(15.0, 5, 600e3 + 4e3, site)],  # pairs with the one before: a track
    ]
    for k, batches in enumerate(frames):
        t = 5.0 * k
        engine_step(not_called, batches, t)
        called.step_frame(batches, t_s=t)
        scans = batches
        lanes.step_frame(t, scans, [np.ones(len(b), dtype=int) for b in scans], np.ones(2, bool))
        assert_same(not_called.tracks, lanes.lane_tracks(1), f"frame {k}")
        assert_same(called.tracks, lanes.lane_tracks(1), f"frame {k} (called)")
        assert len(lanes.lane_tracks(0)) == 0
    assert len(lanes.tracks) == 1


def test_step_frame_without_reports_coasts_tracks(scenario):
    """A looking lane with tracks but no reports coasts them (misses), as
    ``Tracker.step_frame([], t_s)``; a lane that does not look keeps them as they are."""
    tracker = Tracker(record=False, **options())
    lanes = LaneTracker(2, **options())
    rng = np.random.default_rng(0)
    for k in range(8):
        t = float(scenario.times[k])
        engine_step(tracker, scenario.reports[k][2], t)
        lanes.step_frame(
            t, *lane_inputs([[], scenario.reports[k][2]], "radar", rng), np.ones(2, bool)
        )
    assert len(tracker.tracks) > 0
    frozen = lanes.lane_tracks(1)
    # not looking: its reports (of frame 8, t = 40 s) are ignored
    lanes.step_frame(
        40.0, *lane_inputs([[], scenario.reports[8][2]], "radar", rng), np.array([True, False])
    )
    assert_same(frozen, lanes.lane_tracks(1), "not looking")
    assert len(lanes.lane_tracks(0)) == 0
    for t in (45.0, 50.0):
        tracker.step_frame([], t_s=t)
        lanes.step_frame(t, [], [], np.array([False, True]))
        assert_same(tracker.tracks, lanes.lane_tracks(1), f"coasting at {t}")
    assert np.all(lanes.lane_tracks(1).misses == 2)


def as_angles(b: MeasurementBatch) -> MeasurementBatch:
    """The same detections as azimuth / elevation only."""
    return dataclasses.replace(b, kind=MeasurementKind.ANGLES, z=b.z[:, 1:3], R=b.R[:, 1:3, 1:3])


def as_line_of_sight(b: MeasurementBatch) -> MeasurementBatch:
    """The same detections as ECEF unit line-of-sight vectors (1 mrad noise)."""
    az, el = b.z[:, 1], b.z[:, 2]
    d = np.stack([np.cos(el) * np.sin(az), np.cos(el) * np.cos(az), np.sin(el)], axis=-1)
    M = enu_matrix_at(b.sensor_position_ecef_m[0])
    u = d @ M
    R = np.broadcast_to(np.eye(3) * 1e-6, (len(b), 3, 3)).copy()
    return dataclasses.replace(b, kind=MeasurementKind.LOS_ECEF, z=u, R=R)


def moved(b: MeasurementBatch, rng: np.random.Generator) -> MeasurementBatch:
    """Reports whose sensor positions differ within the frame (a moving sensor, metres
    apart), with correlated range / azimuth noise, from sensor 70 instead of 9."""
    pos = b.sensor_position_ecef_m + rng.normal(size=(len(b), 3))
    R = b.R.copy()
    R[:, 0, 1] = R[:, 1, 0] = 0.3 * np.sqrt(R[:, 0, 0] * R[:, 1, 1])
    sid = np.where(b.sensor_id == 9, 70, b.sensor_id)
    return dataclasses.replace(b, sensor_position_ecef_m=pos, R=R, sensor_id=sid)


@pytest.mark.parametrize("variant", ["rae_rate", "angles", "line_of_sight", "moving"])
def test_other_measurements_and_sensors(variant):
    """Range rate; frames of angle-only or line-of-sight reports between radar frames
    (tracks start from RAE only); sensor positions that differ within a frame, correlated
    R and a sensor id beyond the bit mask."""
    sc = make_scenario(n_lanes=6, n_frames=36, seed=11, rate=variant == "rae_rate")
    rng = np.random.default_rng(5)
    n_lanes = sc.looking.shape[1]
    trackers = [Tracker(record=False, **options()) for _ in range(n_lanes)]
    lanes = LaneTracker(n_lanes, **options())
    peak = 0
    for k, t in enumerate(sc.times):
        frame = sc.reports[k]
        if variant == "angles" and k % 3 == 2:
            frame = [[as_angles(b) for b in lane] for lane in frame]
        elif variant == "line_of_sight" and k % 3 == 2:
            frame = [[as_line_of_sight(b) for b in lane] for lane in frame]
        elif variant == "moving":
            frame = [[moved(b, rng) for b in lane] for lane in frame]
        for lane, tracker in enumerate(trackers):
            engine_step(tracker, frame[lane], float(t))
        lanes.step_frame(float(t), *lane_inputs(frame, "shuffled", rng), np.ones(n_lanes, bool))
        for lane, tracker in enumerate(trackers):
            assert_same(tracker.tracks, lanes.lane_tracks(lane), f"{variant} {k} lane {lane}")
        peak = max(peak, len(lanes.tracks))
    assert peak > 10


# ---------------------------------------------------------------------------------- parts


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 100_000), scale=st.floats(0.3, 3.0))
def test_screened_decisions_agree_with_exact_d2(seed, scale):
    """Pairs decided without LAPACK are on the same side of the gate as the exact d²."""
    rng = np.random.default_rng(seed)
    p = 400
    A = rng.normal(size=(p, 3, 3)) * np.array([30.0, 1e-3, 1e-3])[:, None]
    S = A @ np.swapaxes(A, -1, -2) + np.diag([900.0, 1e-6, 1e-6])
    L = np.linalg.cholesky(S)
    nu = np.einsum("pij,pj->pi", L, rng.normal(size=(p, 3))) * scale * rng.uniform(0, 3, (p, 1))
    gate = 21.1
    exact = np.einsum("pi,pij,pj->p", nu, np.linalg.inv(S), nu)
    nu[:5] *= np.sqrt(gate / exact[:5])[:, None]  # a few right on the gate
    exact = np.einsum("pi,pij,pj->p", nu, np.linalg.inv(S), nu)
    d2, sure = lanes_module._screen_d2(nu, S, gate)
    np.testing.assert_array_equal((d2 <= gate)[sure], (exact <= gate)[sure])
    assert sure.mean() > 0.9
    np.testing.assert_allclose(d2[sure & (exact <= gate)], exact[sure & (exact <= gate)], rtol=1e-9)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 100_000), density=st.floats(0.05, 0.6))
def test_disjoint_gated_pairs_are_the_gnn_solution(seed, density):
    """Where no lane has a conflict, taking every gated pair is what gnn_assign does."""
    rng = np.random.default_rng(seed)
    gate = 9.0
    for _ in range(5):
        n, m = rng.integers(1, 7, 2)
        cost = np.where(rng.random((n, m)) < density, rng.uniform(0, 8.9, (n, m)), 50.0)
        row, col = np.nonzero(cost <= gate)
        bad = lanes_module._conflicts(np.zeros(row.size, int), row, col, cost[row, col] == gate)
        rows, cols = gnn_assign(cost, gate)
        if bad.size:  # conflicts: the lane's own assignment
            pick = gnn_assign_groups(cost[row, col], row, col, [0], [row.size], gate)
            assert sorted(zip(row[pick], col[pick], strict=True)) == sorted(
                zip(rows, cols, strict=True)
            )
        else:
            assert sorted(zip(row, col, strict=True)) == sorted(zip(rows, cols, strict=True))
    # a pair exactly on the gate is left to gnn_assign
    assert lanes_module._conflicts(
        np.zeros(1, int), np.zeros(1, int), np.zeros(1, int), np.ones(1, bool)
    ).size


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 100_000))
def test_merge_equals_merge_converted_lane_by_lane(seed):
    """The all-lanes merge of converted measurements equals merge_converted per lane,
    including lanes where points of one sensor compete for one cluster."""
    rng = np.random.default_rng(seed)
    gate = 16.27
    pos, cov, sensor, lane = [], [], [], []
    for ln in range(6):
        objects = rng.normal(size=(rng.integers(1, 4), 3)) * 50.0
        for s in sorted(rng.choice([1, 4, 7], size=rng.integers(1, 4), replace=False)):
            k = rng.integers(1, 4)
            near = objects[rng.integers(0, len(objects), k)] + rng.normal(size=(k, 3)) * 8.0
            pos.append(near)
            c = rng.normal(size=(k, 3, 3))
            cov.append(c @ np.swapaxes(c, -1, -2) * 20.0 + np.eye(3) * 30.0)
            sensor.append(np.full(k, s))
            lane.append(np.full(k, ln))
    pos, cov = np.concatenate(pos), np.concatenate(cov)
    sensor, lane = np.concatenate(sensor), np.concatenate(lane)
    p, c, sets, lanes = lanes_module._merge(pos, cov, sensor, lane, gate)
    for ln in np.unique(lane):
        mine = lane == ln
        p1, c1, s1 = merge_converted(pos[mine], cov[mine], sensor[mine], gate)
        assert p[lanes == ln].tobytes() == p1.tobytes()
        assert c[lanes == ln].tobytes() == c1.tobytes()
        assert [sets[i] for i in np.flatnonzero(lanes == ln)] == s1


def test_merge_with_many_sensors():
    rng = np.random.default_rng(2)
    n = 70
    pos = rng.normal(size=(n, 3)) * 5.0
    cov = np.broadcast_to(np.eye(3) * 100.0, (n, 3, 3)).copy()
    sensor = np.arange(n) * 3  # 70 sensors
    p, c, sets, _ = lanes_module._merge(pos, cov, sensor, np.zeros(n, int), 16.27)
    p1, c1, s1 = merge_converted(pos, cov, sensor, 16.27)
    assert p.tobytes() == p1.tobytes() and c.tobytes() == c1.tobytes() and sets == s1
    assert len(p) < n


def test_merge_of_one_sensor():
    """Points of one sensor are never merged: each lane's points as merge_converted gives."""
    rng = np.random.default_rng(4)
    n = 12
    pos = rng.normal(size=(n, 3)) * 5.0  # close together: would merge across sensors
    B = rng.normal(size=(n, 3, 3))
    cov = B @ np.swapaxes(B, -1, -2) + np.eye(3) * 100.0
    lane = np.sort(rng.integers(0, 4, n))
    sensor = np.full(n, 7)
    p, c, sets, p_lane = lanes_module._merge(pos, cov, sensor, lane, 16.27)
    assert p_lane.tolist() == lane.tolist()
    for ln in np.unique(lane):
        mine = lane == ln
        p1, c1, s1 = merge_converted(pos[mine], cov[mine], sensor[mine], 16.27)
        assert p[mine].tobytes() == p1.tobytes() and c[mine].tobytes() == c1.tobytes()
        assert [sets[i] for i in np.flatnonzero(mine)] == s1


def _numpy_segments(keys):
    edge = np.flatnonzero(keys[1:] != keys[:-1])
    starts = np.concatenate([[0], edge + 1]).astype(np.int64)
    counts = np.diff(np.concatenate([starts, [keys.size]]))
    return keys[starts], starts, counts


def test_segments():
    rng = np.random.default_rng(3)
    for n in [0, 1, 2, 7, 50]:
        keys = np.sort(rng.integers(0, 5, n))
        got = lanes_module._segments(keys)
        expected = _numpy_segments(keys) if n else 3 * [np.empty(0, np.int64)]
        for a, b in zip(got, expected, strict=True):
            assert a.tolist() == b.tolist()


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 100_000), model=st.sampled_from(["rae", "rae_rate", "angles"]))
def test_gate_pairs_kernel_equals_numpy(seed, model):
    """The one-kernel pairs, residuals, S and screen equal the numpy formulation
    (_candidate_pairs, wrap_residual, HPHᵀ + R, _screen_d2) bit for bit."""
    from hoplon.tracking.filters import wrap_residual
    from hoplon.tracking.models import AnglesAE, RadarRAE

    rng = np.random.default_rng(seed)
    mdl = {"rae": RadarRAE(), "rae_rate": RadarRAE(with_rate=True), "angles": AnglesAE()}[model]
    k = mdl.dim
    n_lanes = int(rng.integers(1, 6))
    r_count = rng.integers(1, 6, n_lanes)
    r_start = np.cumsum(r_count) - r_count
    m = int(r_count.sum())
    t_li = np.sort(rng.integers(0, n_lanes, int(rng.integers(1, 15))))
    n = t_li.size
    scale = np.array([1e3, 0.01, 0.01, 5.0])[:k] if k != 2 else np.array([0.01, 0.01])
    offset = np.array([5e4, 0, 0, 0])[:k] if k != 2 else np.zeros(2)
    truth = rng.uniform(-3, 3, (n, k)) * scale + offset
    zhat = truth + rng.normal(size=(n, k)) * scale * 0.01
    A = rng.normal(size=(n, k, k)) * (scale * 0.01)[:, None]
    HPHt = A @ np.swapaxes(A, -1, -2)
    z = np.empty((m, k))
    for r in range(m):  # near a track of the lane, or anywhere
        lane_tracks = np.flatnonzero(t_li == np.searchsorted(r_start, r, "right") - 1)
        base = (
            truth[rng.choice(lane_tracks)] if lane_tracks.size and rng.random() < 0.8 else truth[0]
        )
        z[r] = base + rng.normal(size=k) * scale * 0.01 * rng.uniform(0.1, 8.0)
    a = mdl.angle_indices[0]
    z[rng.random(m) < 0.2, a] += 2 * np.pi  # residuals to wrap
    B = rng.normal(size=(m, k, k)) * (scale * 0.005)[:, None]
    R_all = B @ np.swapaxes(B, -1, -2) + np.diag((scale * 0.002) ** 2)
    if rng.random() < 0.3:
        R_all[rng.integers(0, m)] = np.nan  # NaN: every same-lane pair, screened as unsure
    order = rng.permutation(m)
    R_sorted = np.empty_like(R_all)
    R_sorted[order] = R_all  # R[i] = R_sorted[order[i]]
    R = lanes_module._Rows(R_sorted, order)
    gate = 16.27 if k == 3 else 13.3
    tp, rp, nu, S, d2, sure = lanes_module._gate_pairs(
        zhat, HPHt, z, R, t_li, r_start, r_count, gate, mdl
    )
    r00 = R_sorted[order, 0, 0]
    etp, erp = lanes_module._candidate_pairs(zhat, HPHt, z, r00, t_li, r_start, r_count, gate, mdl)
    key = lambda a, b: a * (m + 1) + b  # noqa: E731
    assert sorted(key(tp, rp).tolist()) == sorted(key(etp, erp).tolist())
    o, eo = np.argsort(key(tp, rp)), np.argsort(key(etp, erp))
    tp, rp, nu, S, d2, sure = tp[o], rp[o], nu[o], S[o], d2[o], sure[o]
    etp, erp = etp[eo], erp[eo]
    enu = wrap_residual(z[erp] - zhat[etp], mdl.angle_indices)
    eS = HPHt[etp] + R_sorted[order[erp]]
    ed2, esure = lanes_module._screen_d2(enu, eS, gate)
    assert nu.tobytes() == enu.tobytes() and S.tobytes() == eS.tobytes()
    assert d2.tobytes() == ed2.tobytes() and sure.tolist() == esure.tolist()


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 100_000))
def test_clean_pairs_as_conflicts(seed):
    """The one-kernel gated pairs and conflict lanes equal the numpy formulation."""
    rng = np.random.default_rng(seed)
    n_lanes, gate = 6, 9.0
    tp, rp, lane = [], [], []
    n_t = n_r = 0
    for ln in range(n_lanes):
        nt, nr = rng.integers(0, 4, 2)
        for a in range(nt):
            for b in range(nr):
                if rng.random() < 0.6:
                    tp.append(n_t + a)
                    rp.append(n_r + b)
                    lane.append(ln)
        n_t, n_r = n_t + nt, n_r + nr
    tp, rp, lane = np.array(tp, int), np.array(rp, int), np.array(lane, int)
    d2 = np.where(rng.random(tp.size) < 0.5, rng.uniform(0, 12, tp.size), np.inf)
    d2[rng.random(tp.size) < 0.05] = gate
    chosen, bad = lanes_module._clean_pairs(tp, rp, lane, d2, gate, n_t, n_r, n_lanes)
    gated = np.flatnonzero(d2 <= gate)
    exp_bad = lanes_module._conflicts(lane[gated], tp[gated], rp[gated], d2[gated] == gate)
    assert np.flatnonzero(bad).tolist() == exp_bad.tolist()
    assert chosen.tolist() == gated[~np.isin(lane[gated], exp_bad)].tolist()


def test_lane_pairs():
    rng = np.random.default_rng(2)
    for _ in range(20):
        st_lane = rng.integers(0, 5, rng.integers(0, 12))
        p_lane = np.sort(rng.integers(0, 5, rng.integers(1, 9)))
        ci, rank, si, col = lanes_module._lane_pairs(st_lane, p_lane, 5)
        expected = [
            (j, r, s, j - int(np.argmax(p_lane == p_lane[j])))
            for j in range(p_lane.size)
            for r, s in enumerate(np.flatnonzero(st_lane == p_lane[j]).tolist())
        ]
        got = zip(ci.tolist(), rank.tolist(), si.tolist(), col.tolist(), strict=True)
        assert list(got) == expected


def _spd(rng, n, scale):
    a = rng.standard_normal((n, 3, 3)) * scale[:, None, None]
    return a @ np.swapaxes(a, -1, -2) + np.eye(3) * scale[:, None, None] ** 2


@pytest.mark.parametrize("seed", range(4))
def test_pair_cost_and_states_equal_numpy(seed):
    """The pair cost and state kernels give the numpy code they replace bit for bit."""
    rng = np.random.default_rng(seed)
    n_st, n_new, n = 40, 30, 500
    scale = 10.0 ** rng.uniform(-2, 4, n_st + n_new)
    st_pos = rng.standard_normal((n_st, 3)) * 1e5
    pos = st_pos[rng.integers(0, n_st, n_new)] + rng.standard_normal((n_new, 3)) * 1e4
    st_cov, cov = _spd(rng, n_st, scale[:n_st]), _spd(rng, n_new, scale[n_st:])
    st_time = rng.uniform(0.0, 10.0, n_st)
    t, max_speed = 10.5, 3000.0
    ci, si = rng.integers(0, n_new, n), rng.integers(0, n_st, n)
    T, cost = lanes_module._pair_cost(t, st_time, st_pos, st_cov, pos, cov, ci, si, max_speed)
    eT = t - st_time[si]
    dist = np.linalg.norm(pos[ci] - st_pos[si], axis=-1)
    sig = np.sqrt(np.trace(st_cov[si], axis1=1, axis2=2)) + np.sqrt(
        np.trace(cov[ci], axis1=1, axis2=2)
    )
    excess = dist - max_speed * eT - 3.0 * sig
    ecost = np.where(excess <= 0.0, dist / eT, np.inf)
    assert 0 < np.isfinite(ecost).sum() < n
    assert T.tobytes() == eT.tobytes() and cost.tobytes() == ecost.tobytes()
    for d in (6, 8):
        rows, cols = si[:50], ci[:50]
        xs, Ps = lanes_module._pair_states(pos, cov, st_pos, st_cov, rows, cols, T[:50], d)
        Tp = eT[:50][:, None]
        R1, R2 = st_cov[rows], cov[cols]
        ex = np.zeros((50, d))
        ex[:, :3] = pos[cols]
        ex[:, 3:6] = (pos[cols] - st_pos[rows]) / Tp
        eP = np.zeros((50, d, d))
        eP[:, :3, :3] = R2
        eP[:, :3, 3:6] = eP[:, 3:6, :3] = R2 / Tp[..., None]
        eP[:, 3:6, 3:6] = (R1 + R2) / Tp[..., None] ** 2
        assert xs.tobytes() == ex.tobytes() and Ps.tobytes() == eP.tobytes()


def test_check_R_raises_as_the_lanes_would():
    """The one-pass R check accepts exactly what check_covariance accepts lane by lane."""
    from hoplon.tracking.filters import check_covariance

    rng = np.random.default_rng(5)
    lanes = LaneTracker(3, **options())
    for case in range(60):
        m = int(rng.integers(1, 8))
        R = np.tile(np.diag([100.0, 1e-6, 1e-6]), (m, 1, 1))
        i = int(rng.integers(0, m))
        kind = case % 6
        if kind == 1:  # full, positive definite
            B = rng.normal(size=(3, 3))
            R[i] = B @ B.T + np.eye(3)
        elif kind == 2:  # full, indefinite
            R[i] = np.array([[1.0, 2.0, 0.0], [2.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
        elif kind == 3:  # not exactly symmetric (within check_covariance's tolerance)
            R[i, 0, 1] = 1e-14
        elif kind == 4:
            R[i, 1, 1] = -R[i, 1, 1] if rng.random() < 0.5 else np.nan
        elif kind == 5:
            R[i, 2, 2] = 0.0
        lane = rng.integers(0, 3, m)
        rep = lanes_module._Reports(
            MeasurementKind.RAE, np.zeros((m, 3)), R, np.zeros((m, 3)), np.zeros(m, int), lane
        )
        expected = None
        for ln in np.unique(lane):
            try:
                check_covariance(R[lane == ln], "R")
            except InputError as e:
                expected = str(e)
                break
        if expected is None:
            lanes._check_R(rep)
        else:
            with pytest.raises(InputError) as err:
                lanes._check_R(rep)
            assert str(err.value) == expected


def test_site_means_as_numpy():
    rng = np.random.default_rng(1)
    site = make_radars()[1].position_ecef_m
    counts = rng.integers(1, 60, 40)
    lanes = LaneTracker(1, **options())
    pos = np.broadcast_to(site, (int(counts.sum()), 3)).copy()
    starts = np.cumsum(counts) - counts
    means, groups = lanes._sites(pos, starts, counts)
    for i, c in enumerate(counts):
        expected = pos[starts[i] : starts[i] + c].mean(axis=0)
        assert means[i].tobytes() == expected.tobytes()
    for g in np.unique(groups):
        assert np.all(means[groups == g] == means[groups == g][0])
    moving = pos + rng.normal(size=pos.shape)  # positions that differ
    means, _ = lanes._sites(moving, starts, counts)
    for i, c in enumerate(counts):
        assert means[i].tobytes() == moving[starts[i] : starts[i] + c].mean(axis=0).tobytes()


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 100_000))
def test_site_groups_as_numpy(seed):
    """_site_groups: np.unique of the tracks' lane groups, each group's first lane and each
    track's index (as np.unique, np.argmax and np.searchsorted give them)."""
    rng = np.random.default_rng(seed)
    lane_group = rng.integers(0, int(rng.integers(1, 5)), int(rng.integers(1, 9)))
    t_li = np.sort(rng.integers(0, lane_group.size, int(rng.integers(1, 12))))
    first, t_site = lanes_module._site_groups(lane_group, t_li)
    groups = np.unique(lane_group[t_li])
    assert first.tolist() == [int(np.argmax(lane_group == g)) for g in groups]
    assert t_site.tolist() == np.searchsorted(groups, lane_group[t_li]).tolist()


def _random_tracks(rng, n, d, sites):
    """States around the sites (positions within ~800 km, some right above or far off)
    and random covariances."""
    base = sites[rng.integers(0, len(sites), n)]
    x = np.zeros((n, d))
    x[:, :3] = base + rng.normal(0, 4e5, (n, 3)) * rng.uniform(0.01, 2.0, (n, 1))
    x[:, 3:6] = rng.normal(0, 3e3, (n, 3))
    if d > 6:
        x[:, 6:] = rng.uniform(1e3, 1e5, (n, d - 6))
    A = rng.normal(size=(n, d, d)) * rng.uniform(1.0, 3e3, (n, 1, d))
    P = A @ np.swapaxes(A, -1, -2) + np.eye(d)
    return x, 0.5 * (P + np.swapaxes(P, -1, -2))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 100_000), d=st.sampled_from([6, 7]))
def test_rae_innovation_equals_numpy(seed, d):
    """The one-kernel h(x), H and sym(H P Hᵀ) of RadarRAE equal the numpy formulation
    (RadarRAE.function, .jacobian, filters.innovation) bit for bit, per site value."""
    from hoplon.tracking.filters import innovation
    from hoplon.tracking.models import RadarRAE

    rng = np.random.default_rng(seed)
    radars = make_radars()
    sites = np.array([r.position_ecef_m for r in radars])
    sites[1:] += rng.normal(0, 1.0, (2, 3)) * (rng.random() < 0.5)  # rounding-level moves
    N = int(rng.integers(1, 40))
    x, P = _random_tracks(rng, N, d, sites)
    rows = np.sort(rng.choice(N, int(rng.integers(1, N + 1)), replace=False))
    n_sites = int(rng.integers(1, 4))
    t_site = rng.integers(0, n_sites, rows.size)
    zhat, H, HPHt = lanes_module._rae_innovation(x, P, rows, t_site, sites[:n_sites])
    for g in range(n_sites):
        mine = np.flatnonzero(t_site == g)
        if not mine.size:
            continue
        ez, eH, eS = innovation(x[rows[mine]], P[rows[mine]], RadarRAE(), sites[g])
        np.testing.assert_array_equal(zhat[mine], ez)
        np.testing.assert_array_equal(H[mine], eH)
        np.testing.assert_array_equal(HPHt[mine], eS)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 100_000), k=st.sampled_from([3, 4]))
def test_rae_to_ecef_rows_equals_rae_to_ecef(seed, k):
    """The one-kernel converted measurements equal rae_to_ecef of each block bit for bit
    (one site for a block, or a site per row)."""
    from hoplon.tracking.models import _site_rotation, rae_to_ecef

    rng = np.random.default_rng(seed)
    sites = np.array([r.position_ecef_m for r in make_radars()])
    m = int(rng.integers(1, 30))
    z = np.empty((m, k))
    z[:, 0] = rng.uniform(1e3, 3e6, m)
    z[:, 1] = rng.uniform(-np.pi, np.pi, m)
    z[:, 2] = rng.uniform(-0.1, 1.5, m)
    if k == 4:
        z[:, 3] = rng.normal(0, 3e3, m)
    B = rng.normal(size=(m, k, k)) * np.array([30.0, 1e-3, 1e-3, 5.0])[:k]
    R = B @ np.swapaxes(B, -1, -2)
    if rng.random() < 0.5:
        R = np.broadcast_to(np.diag(np.array([30.0, 1e-3, 1e-3, 5.0])[:k] ** 2), (m, k, k)).copy()
    block = np.sort(rng.integers(0, 4, m))  # blocks of rows
    site = sites[block % 3].copy()
    moving = block == 3
    site[moving] += rng.normal(0, 10.0, (int(moving.sum()), 3))  # a site per row
    M = np.empty((m, 3, 3))
    blocks = [np.flatnonzero(block == b) for b in np.unique(block)]
    for b in blocks:
        M[b] = _site_rotation(site[b], b.size)
    pos, cov = lanes_module._rae_to_ecef_rows(z[:, :3], R, M, site)
    for b in blocks:
        ep, ec = rae_to_ecef(z[b][:, :3], R[b][:, :3, :3], site[b])
        np.testing.assert_array_equal(pos[b], ep)
        np.testing.assert_array_equal(cov[b], ec)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 100_000))
def test_join_tracks_equals_concatenate_and_select(seed):
    """Joining new tracks in one kernel equals TrackSet.concatenate(...).select(pick) (every
    field bit for bit, the dtypes and lists included); so does a plain selection."""
    rng = np.random.default_rng(seed)
    d, n_old, k = 6, int(rng.integers(0, 12)), int(rng.integers(0, 6))
    old = TrackSet.from_states(
        rng.normal(size=(n_old, d)), rng.normal(size=(n_old, d, d)), rng.normal(size=n_old),
        rng.integers(0, 99, n_old), owner=3, sensors=[frozenset({int(i)}) for i in range(n_old)],
    )  # fmt: skip
    for name in ("status", "history", "hits", "misses", "age"):
        getattr(old, name)[:] = rng.integers(0, 9, n_old)
    old.last_update_s[:] = rng.normal(size=n_old)
    new = lanes_module._NewTracks(
        rng.normal(size=(k, d)), rng.normal(size=(k, d, d)), float(rng.normal()),
        rng.integers(0, 99, k), int(rng.integers(0, 2)), 3,
        [frozenset({7, int(i)}) for i in range(k)],
    )  # fmt: skip
    pick = rng.permutation(n_old + k)[: int(rng.integers(0, n_old + k + 1))]
    expected = TrackSet.concatenate([old, new.track_set()]).select(pick)
    assert_same(expected, lanes_module._join_tracks(old, pick, new), "join")
    keep = np.flatnonzero(rng.random(n_old) < 0.7)
    assert_same(old.select(keep), lanes_module._join_tracks(old, keep), "select")
    for field in dataclasses.fields(TrackSet):
        a, b = (
            getattr(expected, field.name),
            getattr(lanes_module._join_tracks(old, pick, new), field.name),
        )
        if isinstance(a, np.ndarray):
            assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b), field.name
        else:
            assert a == b, field.name


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 100_000), m=st.integers(1, 5), n=st.integers(1, 7))
def test_life_cycle_kernel_equals_mofn_and_deleter(seed, m, n):
    """The one-kernel counters, confirmation and deletion equal the numpy lines with
    MofN.confirmed and Deleter.to_delete (stepped rows only)."""
    m = min(m, n)
    rng = np.random.default_rng(seed)
    N = int(rng.integers(1, 30))
    tr = TrackSet.from_states(rng.normal(size=(N, 6)), np.zeros((N, 6, 6)), 0.0)
    tr.P[:, :3, :3] = rng.choice([0.0, 1e4, 4e6, np.inf, np.nan], (N, 3, 3))
    tr.status[:] = rng.integers(0, 3, N)
    tr.history[:] = rng.integers(0, 1 << 20, N)
    tr.misses[:] = rng.integers(0, 8, N)
    tr.age[:] = rng.integers(1, 9, N)
    tr.hits[:] = rng.integers(1, 9, N)
    rows = np.flatnonzero(rng.random(N) < 0.6)
    hit = rng.random(N) < 0.5
    conf = MofN(m, n)
    dele = Deleter(max_misses=int(rng.integers(1, 6)), max_position_sigma_m=3e3)
    a = TrackSet.concatenate([tr])  # copies
    gone = np.zeros(N, dtype=bool)
    lanes_module._life_cycle_kernel(
        rows, hit, a.history, a.hits, a.misses, a.age, a.last_update_s, 7.0, a.status, a.P,
        conf.m, conf.n, dele.max_misses, dele.max_position_sigma_m, gone,
    )  # fmt: skip
    b = TrackSet.concatenate([tr])
    h = hit[rows]
    b.history[rows] = ((b.history[rows] << 1) | h).astype(np.int64) & lanes_module._HISTORY_MASK
    b.hits[rows] += h
    b.misses[rows] = np.where(h, 0, b.misses[rows] + 1)
    b.age[rows] += 1
    b.last_update_s[rows] = np.where(h, 7.0, b.last_update_s[rows])
    newly = (b.status[rows] == 0) & conf.confirmed(b.history[rows])
    b.status[rows[newly]] = 1
    expected = dele.to_delete(b, conf)
    stepped = np.zeros(N, dtype=bool)
    stepped[rows] = True
    for name in ("history", "hits", "misses", "age", "last_update_s", "status"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    np.testing.assert_array_equal(gone, expected & stepped)


def test_common_step_and_rows_equal():
    t = np.array([1.0, 2.0, 1.0, np.nan, 1.0])
    assert lanes_module._common_step(t, np.array([0, 2, 4]), 6.0) == 5.0
    assert lanes_module._common_step(t, np.array([0, 1]), 6.0) is None
    assert lanes_module._common_step(t, np.array([3]), 6.0) is None  # NaN: not one step
    pos = np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [1.0, 2.0, 4.0], [np.nan, 0.0, 0.0]])
    assert lanes_module._rows_equal(pos, np.array([1, 0]))
    assert not lanes_module._rows_equal(pos, np.array([0, 2]))
    assert not lanes_module._rows_equal(pos, np.array([3, 3]))


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 100_000))
def test_convert_with_cached_rotations_as_without(seed):
    """_convert with its rotation cache (one site a sensor) equals the per-block rotations
    of rae_to_ecef bit for bit, blocks of one row included; moving sites fall back."""
    rng = np.random.default_rng(seed)
    sites = np.array([r.position_ecef_m for r in make_radars()])
    m = int(rng.integers(1, 20))
    sensor = rng.integers(0, 3, m)
    site = sites[sensor].copy()
    if rng.random() < 0.3:
        site[0] += 1.0  # sensor 0's rows at two sites: the per-lane path
    z = np.stack(
        [rng.uniform(1e3, 3e6, m), rng.uniform(-np.pi, np.pi, m), rng.uniform(0, 1.5, m)], -1
    )
    R = np.broadcast_to(np.diag([900.0, 1e-6, 1e-6]), (m, 3, 3)).copy()
    lane = np.sort(rng.integers(0, 4, m))
    rep = lanes_module._Reports(MeasurementKind.RAE, z, R, site, sensor, lane)
    idx = rng.permutation(m)[: int(rng.integers(1, m + 1))]
    cache: dict = {}
    expected = lanes_module._convert(rep, idx)
    for _ in range(2):  # filling the cache, then from it
        got = lanes_module._convert(rep, idx, cache)
        np.testing.assert_array_equal(got[0], expected[0])
        np.testing.assert_array_equal(got[1], expected[1])


# --------------------------------------------------------------------------------- errors


def test_bad_arguments_name_the_field(scenario):
    with pytest.raises(InputError, match="n_lanes"):
        LaneTracker(0, **options())
    with pytest.raises(InputError, match="n_lanes"):
        LaneTracker(2.5, **options())  # type: ignore[arg-type]
    with pytest.raises(InputError, match="filter"):
        LaneTracker(2, **options(filter="imm"))
    with pytest.raises(InputError, match="gate_probability"):
        LaneTracker(2, **options(gate_probability=1.5))
    lanes = LaneTracker(3, **options())
    batch = next(b for f in scenario.reports for lane in f for b in lane)
    t = float(batch.time_s[0])
    look = np.ones(3, dtype=bool)
    lane_of = np.zeros(len(batch), dtype=int)
    with pytest.raises(InputError, match="scan_lanes: 0 lane arrays for 1 scans"):
        lanes.step_frame(t, [batch], [], look)
    with pytest.raises(InputError, match=r"scan_lanes\[0\]"):
        lanes.step_frame(t, [batch], [lane_of[:-1]], look)
    with pytest.raises(InputError, match=r"scan_lanes\[0\].*0\.\.2"):
        lanes.step_frame(t, [batch], [lane_of + 3], look)
    with pytest.raises(InputError, match="looking"):
        lanes.step_frame(t, [batch], [lane_of], np.ones(4, dtype=bool))
    with pytest.raises(InputError, match="looking"):
        lanes.step_frame(t, [batch], [lane_of], np.ones(3))
    with pytest.raises(InputError, match="frame time"):
        lanes.step_frame(t + 1.0, [batch], [lane_of], look)
    angles = MeasurementBatch(
        kind=MeasurementKind.ANGLES,
        time_s=batch.time_s,
        z=batch.z[:, 1:],
        R=batch.R[:, 1:, 1:],
        sensor_position_ecef_m=batch.sensor_position_ecef_m,
        sensor_id=batch.sensor_id,
        owner=batch.owner,
    )
    with pytest.raises(InputError, match="kind"):
        lanes.step_frame(t, [batch, angles], [lane_of, lane_of], look)
    bad_R = dataclasses.replace(batch, R=-batch.R)
    with pytest.raises(InputError, match="R"):
        lanes.step_frame(t, [bad_R], [lane_of], look)
    with pytest.raises(InputError, match="lane"):
        lanes.lane_tracks(3)
    assert len(lanes.tracks) == 0 and len(lanes.lane) == 0
