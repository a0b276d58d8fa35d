"""Predicted intercept points for many threats x batteries: time per solve.

Vectorised ``solve_pip`` over all (threat, battery) pairs against the baseline of the same
solver called once per pair in a Python loop (same process, same inputs, a subset of pairs).
Also times the flyout table (simulation of the fan and tabulation), built once per type.

Scenario (notional): ``T`` diving threats (straight dives at 2-4 km/s, 25-60 deg, from
100-250 km altitude, aimed within 100 km of a point at 35 N 128 E), predicted at 1 s steps
over 200 s; ``B`` upper-tier batteries scattered within 150 km of that point.
Run: ``python benchmarks/bench_pip.py [--threats 200 --batteries 20]``.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from hoplon.earth.frames import enu_to_ecef, geodetic_to_ecef
from hoplon.weapons.catalogue import get_interceptor
from hoplon.weapons.flyout import build_flyout_table, flyout_table
from hoplon.weapons.pip import ThreatPath, solve_pip

LAT0, LON0 = math.radians(35.0), math.radians(128.0)


def threats(rng: np.random.Generator, n: int, t: np.ndarray) -> np.ndarray:
    speed = rng.uniform(2000.0, 4000.0, n)
    dive = np.radians(rng.uniform(25.0, 60.0, n))
    az = rng.uniform(0.0, 2 * math.pi, n)
    h0 = rng.uniform(100e3, 250e3, n)
    aim = rng.uniform(-100e3, 100e3, (n, 2))
    horiz = h0 / np.tan(dive)
    start = np.stack([aim[:, 0] - horiz * np.sin(az), aim[:, 1] - horiz * np.cos(az), h0], axis=-1)
    vel = speed[:, None] * np.stack(
        [np.cos(dive) * np.sin(az), np.cos(dive) * np.cos(az), -np.sin(dive)], axis=-1
    )
    enu = start[:, None, :] + t[None, :, None] * vel[:, None, :]
    return enu_to_ecef(enu, LAT0, LON0, 0.0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threats", type=int, default=200)
    ap.add_argument("--batteries", type=int, default=20)
    ap.add_argument("--loop-pairs", type=int, default=200)
    args = ap.parse_args()
    it = get_interceptor("upper-tier")

    t0 = time.perf_counter()
    tab = flyout_table(it)
    t_first = time.perf_counter() - t0
    t0 = time.perf_counter()
    reps = 5
    for _ in range(reps):
        build_flyout_table(it)
    t_build = (time.perf_counter() - t0) / reps
    print(f"flyout table upper-tier: first build {t_first:.2f} s (incl. JIT), "
          f"rebuild {t_build * 1e3:.1f} ms (64 elevations, 241 x 161 grid)")  # fmt: skip

    rng = np.random.default_rng(2024)
    t = np.arange(0.0, 200.0, 1.0)
    path = ThreatPath(t, threats(rng, args.threats, t))
    lat = LAT0 + rng.uniform(-1.3, 1.3, args.batteries) * 1e-2 * 100 / 111
    lon = LON0 + rng.uniform(-1.6, 1.6, args.batteries) * 1e-2 * 100 / 111
    sites = geodetic_to_ecef(lat, lon, 0.0)
    t_min = rng.uniform(0.0, 30.0, args.batteries)

    solve_pip(path, sites, tab, it.envelope, t_min)  # warm-up
    reps = 3
    t0 = time.perf_counter()
    for _ in range(reps):
        sol = solve_pip(path, sites, tab, it.envelope, t_min)
    t_vec = (time.perf_counter() - t0) / reps
    pairs = args.threats * args.batteries
    print(f"vectorised: {args.threats} threats x {args.batteries} batteries x {t.size} samples: "
          f"{t_vec * 1e3:.1f} ms, {t_vec / pairs * 1e6:.2f} us per pair, "
          f"{sol.feasible.mean() * 100:.0f} % feasible")  # fmt: skip

    idx = rng.choice(pairs, size=min(args.loop_pairs, pairs), replace=False)
    t0 = time.perf_counter()
    for p in idx:
        i, j = divmod(int(p), args.batteries)
        one = solve_pip(ThreatPath(t, path.r_ecef[i : i + 1]), sites[j], tab, it.envelope, t_min[j])
        assert np.allclose(one.t_earliest_s[0, 0], sol.t_earliest_s[i, j], equal_nan=True)
    t_loop = (time.perf_counter() - t0) / idx.size
    print(f"baseline (per-pair loop of the same solver): {t_loop * 1e6:.0f} us per pair")
    print(f"ratio: vectorised is {t_loop / (t_vec / pairs):.0f} x faster per pair")


if __name__ == "__main__":
    main()
