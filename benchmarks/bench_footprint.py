"""Defended-area footprint: grid cells per second, batch vs a naive per-cell loop.

Batch (hoplon.analysis.footprint): the packaged ``two_partner`` scenario, an mrbm-1300 from
3 N 151 E, a 40 x 40 aim grid; all 1,600 minimum-energy paths flown in one batch (Kepler
burnout states, 4 aim corrections), detection by the 3 radars, PIP for the 4 batteries,
footprints with sharing off and on.

Baseline (same process): the naive way, one cell at a time: shape the missile's trajectory
to the cell with :func:`hoplon.threats.shaping.plan_trajectory` (as the engine's world does
for each raid: staged boost, early thrust cut-off, azimuth iteration), sample it at 1 s, then
detection, track time and PIP for that single path. Run on ``--cells`` cells (default 6)
and compared per cell; the defended flags of the two methods are compared too (the batch
method uses one nominal boost and Kepler burnout states, the baseline the real staged boost).

Run: ``python benchmarks/bench_footprint.py [--grid 40 --cells 6]``.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from hoplon.analysis.footprint import (
    ThreatFan,
    defended_paths,
    first_detection_s,
    prepare_footprint,
    track_time_s,
)
from hoplon.flight import EarthModel
from hoplon.scenario import load
from hoplon.sensors.rcs import rcs_for
from hoplon.threats.shaping import plan_trajectory

LAUNCH = (math.radians(3.0), math.radians(151.0))


def naive_cell(study, lat: float, lon: float, dt_s: float = 1.0) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Defended flags (b,) of one aim point, the slow way (sharing on)."""
    traj = plan_trajectory(
        missile=study.threat, launch_lat_rad=LAUNCH[0], launch_lon_rad=LAUNCH[1],
        target_lat_rad=lat, target_lon_rad=lon, shape="min-energy", model=EarthModel(),
    )  # fmt: skip
    t_b = float(traj.burnout_time_s or 0.0)
    t = np.arange(traj.t_s[0], traj.t_s[-1], dt_s)
    r = traj.state_at(t)[:, :3][None]
    k0 = int(np.searchsorted(t, t_b))
    fan = ThreatFan(
        t_s=t - t_b, r_ecef=r, free_flight_start=k0, reachable=np.array([True]),
        launch_index=np.zeros(1, dtype=np.int64), aim_lat_rad=np.array([lat]),
        aim_lon_rad=np.array([lon]), miss_m=np.zeros(1), burnout_speed_mps=np.zeros(1),
    )  # fmt: skip
    arch = study.architecture
    radars = [x.radar for x in arch.radars]
    td = first_detection_s(fan.t_s, fan.r_ecef, radars, rcs_for("rv"))
    rev = np.array([x.revisit_s for x in radars])
    tt = track_time_s(td, rev, arch.n_revisits, arch.latency_s(True))
    delay = np.array([b.decision_delay_s + b.interceptor.reaction_time_s for b in arch.batteries])
    return defended_paths(fan, arch.batteries, tt + delay[None, :])[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--grid", type=int, default=40)
    ap.add_argument("--cells", type=int, default=6)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    spec = load("two_partner")
    # warm-up (numba kernels, flyout tables) on a tiny grid
    prepare_footprint(spec, "mrbm-1300", [LAUNCH], grid_n=3).footprint()

    n_cells = args.grid**2
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        study = prepare_footprint(spec, "mrbm-1300", [LAUNCH], grid_n=args.grid)
        t1 = time.perf_counter()
        off = study.footprint(sharing=False)
        on = study.footprint(sharing=True)
        t2 = time.perf_counter()
        times.append((t2 - t0, t1 - t0, t2 - t1))
    times.sort()
    total, prep, fps = times[len(times) // 2]
    print(f"batch: {args.grid} x {args.grid} = {n_cells} cells, 4 batteries, 3 radars")
    print(f"  paths + detection {prep:.2f} s, two footprints (off, on) {fps:.2f} s")
    print(f"  total {total:.2f} s (median of {args.repeat}): {n_cells / total:,.0f} cells/s")
    print(f"  area off {off.area_km2:,.0f} km2, on {on.area_km2:,.0f} km2")
    print(f"  max aim miss {np.nanmax(study.fan.miss_m):.1f} m")

    # Baseline on a few reachable cells: some defended, some not.
    rng = np.random.default_rng(0)
    ok, _ = study.defended_paths(sharing=True)
    reach = np.nonzero(study.fan.reachable)[0]
    dfd = reach[ok[reach].any(axis=1)]
    und = reach[~ok[reach].any(axis=1)]
    k = args.cells // 2
    pick = np.concatenate([rng.choice(dfd, k, replace=False), rng.choice(und, args.cells - k)])
    lat, lon = study.fan.aim_lat_rad, study.fan.aim_lon_rad
    agree = 0
    t0 = time.perf_counter()
    flags = [naive_cell(study, float(lat[i]), float(lon[i])) for i in pick]
    naive = (time.perf_counter() - t0) / len(pick)
    for i, f in zip(pick, flags, strict=True):
        agree += int(np.array_equal(f, ok[i]))
    print(f"baseline (plan_trajectory + detection + PIP per cell): {naive:.2f} s per cell")
    print(f"  {1 / naive:.2f} cells/s; batch is {naive / (total / n_cells):,.0f} x faster")
    print(f"  batch and baseline agree on all batteries' flags in {agree}/{len(pick)} cells")


if __name__ == "__main__":
    main()
