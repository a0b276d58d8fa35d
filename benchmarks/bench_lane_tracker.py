"""Lane tracker benchmark: L Monte Carlo lanes in lockstep vs L separate trackers.

Notional scenario: every lane (one Monte Carlo trial) has its own ``--targets`` ballistic
objects (rotating Earth, point-mass gravity; 150-250 km up, climbing) that appear and
disappear at random frames, seen every 5 s by three ground radars (Swerling 1, about
85-95 % single-look Pd, one radar with false alarms), each lane with its own random
streams. The trackers use the engine's configuration: EKF, ``Ballistic(q=50², rotating,
max_step_s=5)``, χ² gate 0.9999, 2-of-3 confirmation, deletion after 5 misses.

Baseline: one :class:`hoplon.tracking.tracker.Tracker` per lane, called as the engine calls
it (``step_frame([frame_batch])``, or ``step_frame([], t_s=t)`` when the lane has tracks
but no reports). Candidate: one :class:`hoplon.tracking.lanes.LaneTracker` for all lanes.
Both run in this process on the same reports; the script checks that every lane's tracks
agree (ids, status, counters, sensors exactly; x and P bit for bit) and prints the wall
times of the tracking calls alone (building the reports is not timed) and the ratio.

Run: .venv/bin/python benchmarks/bench_lane_tracker.py [--lanes 64] [--frames 100]
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np

from hoplon.sensors.measurements import MeasurementBatch
from hoplon.sensors.radar import Radar
from hoplon.tracking._geo import enu_matrix, geodetic_to_ecef
from hoplon.tracking.deletion import Deleter
from hoplon.tracking.initiation import MofN
from hoplon.tracking.lanes import LaneTracker
from hoplon.tracking.models import Ballistic
from hoplon.tracking.state import TrackSet
from hoplon.tracking.tracker import Tracker

DEG = np.pi / 180.0
FRAME_S = 5.0
#: (lat, lon) of the radars [deg] and their sensor ids (deliberately not in list order).
SITES_DEG = ((38.0, 18.0), (42.0, 19.0), (40.0, 23.0))
SENSOR_IDS = (4, 1, 7)


def make_radars(false_alarm_cells: float = 1e5) -> list[Radar]:
    """Three radars; the last one reports false alarms (Poisson(1e-6 n_cells) per dwell)."""
    return [
        Radar(
            name=f"r{k}",
            lat_rad=lat * DEG,
            lon_rad=lon * DEG,
            alt_m=0.0,
            snr_constant_m2=10**2.4 * (700e3) ** 4,  # 24 dB on 1 m² at 700 km
            max_range_m=3000e3,
            min_elevation_rad=0.5 * DEG,
            sigma_range_m=30.0,
            sigma_angle_rad=1e-3,
            revisit_s=FRAME_S,
            false_alarms=k == 2,
            n_cells=false_alarm_cells,
            sensor_id=SENSOR_IDS[k],
        )
        for k, (lat, lon) in enumerate(SITES_DEG)
    ]


def make_truth(
    n_lanes: int, n_targets: int, n_frames: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Frame times (k,), true states (k, L, N, 6) [m, m/s] and presence (k, L, N) bool."""
    n = n_lanes * n_targets
    lat = (40.0 + rng.uniform(-3.0, 3.0, n)) * DEG
    lon = (20.0 + rng.uniform(-3.0, 3.0, n)) * DEG
    r = geodetic_to_ecef(lat, lon, rng.uniform(150e3, 250e3, n))
    az = rng.uniform(0.0, 2.0 * np.pi, n)
    v_h, v_u = rng.uniform(1.5e3, 3.0e3, n), rng.uniform(1.0e3, 2.0e3, n)
    v_enu = np.stack([v_h * np.sin(az), v_h * np.cos(az), v_u], axis=-1)
    v = np.einsum("nji,nj->ni", enu_matrix(lat, lon), v_enu)
    x = np.concatenate([r, v], axis=1)
    model = Ballistic(rotating=True, max_step_s=1.0)
    times = FRAME_S * np.arange(n_frames)
    states = np.empty((n_frames, n, 6))
    states[0] = x
    for k in range(1, n_frames):
        states[k] = model.function(states[k - 1], FRAME_S)
    first = rng.integers(0, max(1, n_frames // 3), n)
    last = first + rng.integers(max(2, n_frames // 3), n_frames + 1, n)
    frame = np.arange(n_frames)[:, None]
    present = (frame >= first) & (frame < last)
    return (
        times,
        states.reshape(n_frames, n_lanes, n_targets, 6),
        present.reshape(n_frames, n_lanes, n_targets),
    )


def make_reports(
    radars: list[Radar],
    times: np.ndarray,
    states: np.ndarray,
    present: np.ndarray,
    seed: int,
) -> list[list[MeasurementBatch | None]]:
    """``frames[k][l]``: lane ``l``'s reports of frame ``k`` (radars concatenated, as the
    engine builds them), or None when no radar reported anything."""
    n_lanes = states.shape[1]
    streams = [
        [np.random.default_rng([seed, lane, r.sensor_id]) for r in radars]
        for lane in range(n_lanes)
    ]
    frames: list[list[MeasurementBatch | None]] = []
    for k, t in enumerate(times):
        lanes: list[MeasurementBatch | None] = []
        for lane in range(n_lanes):
            flying = np.flatnonzero(present[k, lane])
            batches = []
            if flying.size:  # the engine observes only while something flies
                for radar, rng in zip(radars, streams[lane], strict=True):
                    b = radar.observe(
                        float(t), states[k, lane, flying, :3], 1.0, rng, truth_id=flying
                    )
                    if len(b):
                        batches.append(b)
            lanes.append(
                None
                if not batches
                else (batches[0] if len(batches) == 1 else MeasurementBatch.concatenate(batches))
            )
        frames.append(lanes)
    return frames


def tracker_options() -> dict[str, object]:
    """The engine's tracker configuration (scenario defaults)."""
    return dict(
        transition_model=Ballistic(q=50.0**2, rotating=True, max_step_s=5.0),
        filter="ekf",
        gate_probability=0.9999,
        confirmation=MofN(2, 3),
        deleter=Deleter(max_misses=5),
    )


def lane_inputs(
    frame: list[MeasurementBatch | None],
) -> tuple[list[MeasurementBatch], list[np.ndarray]]:
    """The LaneTracker's ``scans`` and ``scan_lanes`` of one frame: one batch for all lanes."""
    parts = [(lane, b) for lane, b in enumerate(frame) if b is not None]
    if not parts:
        return [], []
    batch = MeasurementBatch.concatenate([b for _, b in parts])
    lanes = np.concatenate([np.full(len(b), lane, dtype=np.int64) for lane, b in parts])
    return [batch], [lanes]


def same_tracks(a: TrackSet, b: TrackSet) -> bool:
    """Whether two track sets are identical (floats bit for bit)."""
    ints = ("track_id", "status", "history", "hits", "misses", "age", "owner")
    floats = ("x", "P", "time_s", "last_update_s")
    return (
        len(a) == len(b)
        and all(np.array_equal(getattr(a, f), getattr(b, f)) for f in ints + floats)
        and a.sensors == b.sensors
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lanes", type=int, default=64, help="Monte Carlo lanes (trials)")
    parser.add_argument("--targets", type=int, default=24, help="targets per lane")
    parser.add_argument("--frames", type=int, default=100, help="frames (5 s apart)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()
    times, states, present = make_truth(args.lanes, args.targets, args.frames, rng)
    frames = make_reports(make_radars(), times, states, present, args.seed)
    inputs = [lane_inputs(f) for f in frames]
    n_reports = sum(len(b) for f in frames for b in f if b is not None)
    print(
        f"{args.lanes} lanes x {args.targets} targets x 3 radars x {args.frames} frames: "
        f"{n_reports} reports (built in {time.perf_counter() - t0:.1f} s)"
    )
    # warm-up (first calls load and cache things), then both run frame by frame,
    # interleaved so that both see the same machine; only the tracking calls are timed
    k_busy = int(np.argmax([len(s[0][0]) if s[0] else 0 for s in inputs]))
    warm = LaneTracker(args.lanes, **tracker_options())
    warm.step_frame(float(times[k_busy]), *inputs[k_busy], np.ones(args.lanes, dtype=bool))
    Tracker(record=False, **tracker_options()).step_frame(
        [next(b for b in frames[k_busy] if b is not None)]
    )
    trackers = [Tracker(record=False, **tracker_options()) for _ in range(args.lanes)]
    lanes = LaneTracker(args.lanes, **tracker_options())
    looking = np.ones(args.lanes, dtype=bool)
    wall_loop = np.zeros(args.frames)
    wall_lanes = np.zeros(args.frames)
    n_tracks = np.zeros(args.frames, dtype=int)
    agree = True
    for k, (t, frame, (scans, scan_lanes)) in enumerate(zip(times, frames, inputs, strict=True)):
        t0 = time.perf_counter()
        for tr, batch in zip(trackers, frame, strict=True):  # (a) baseline, as the engine
            if batch is not None:
                tr.step_frame([batch])
            elif len(tr.tracks):
                tr.step_frame([], t_s=float(t))
        t1 = time.perf_counter()
        lanes.step_frame(float(t), scans, scan_lanes, looking)  # (b) all lanes at once
        t2 = time.perf_counter()
        wall_loop[k], wall_lanes[k] = t1 - t0, t2 - t1
        n_tracks[k] = len(lanes.tracks)
        agree &= all(same_tracks(tr.tracks, lanes.lane_tracks(i)) for i, tr in enumerate(trackers))

    print(f"every lane identical to its Tracker at every frame (bit for bit): {agree}")
    print(f"tracks: peak {n_tracks.max()}, mean {n_tracks.mean():.0f}")
    print(f"{'frames':>14} {'tracks':>7} {'baseline ms':>12} {'LaneTracker ms':>15} {'ratio':>6}")
    edges = np.linspace(0, args.frames, 6).astype(int)
    for a, b in itertools.pairwise(edges):
        base, cand = wall_loop[a:b].mean(), wall_lanes[a:b].mean()
        print(
            f"{a:>6} - {b - 1:<5} {n_tracks[a:b].mean():7.0f} {1e3 * base:12.1f} "
            f"{1e3 * cand:15.2f} {base / cand:6.1f}"
        )
    total_loop, total_lanes = wall_loop.sum(), wall_lanes.sum()
    print(
        f"total: baseline (loop of {args.lanes} Trackers) {total_loop:.3f} s, "
        f"LaneTracker {total_lanes:.3f} s, speed-up {total_loop / total_lanes:.1f} x"
    )
    if not agree:
        raise SystemExit("LaneTracker disagrees with the per-lane Trackers")


if __name__ == "__main__":
    main()
