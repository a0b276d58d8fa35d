"""Predicted intercept points for many threats x batteries: time per solve.

Vectorised ``solve_pip`` over all (threat, battery) pairs against the baseline of the same
solver called once per pair in a Python loop (same process, same inputs, a subset of pairs).
Also times the flyout table (simulation of the fan and tabulation), built once per type.

Scenario (notional): ``T`` diving threats (straight dives at 2-4 km/s, 25-60 deg, from
100-250 km altitude, aimed within 100 km of a point at 35 N 128 E), predicted at 1 s steps
over 200 s; ``B`` upper-tier batteries scattered within 150 km of that point.

Engine-like batch: what a command cycle of :mod:`hoplon.sim.engine` solves, ``m`` predicted
ballistic paths (arcs from 300-1200 km away, 150-600 s to impact, NaN after impact, altitudes
given) on the engine's grid (4 s steps over 1200 s, k = 301) against ``b`` upper-tier
batteries, ``refine_latest=False``, ``t_tol_s=0.05``, launch minima ``(m, b)``. Compiled
per-pair kernel (``solve_pip``) against the array formulation (``_solve_pip_numpy``, the
previous implementation), same process, same inputs; also the largest differences.
Run: ``python benchmarks/bench_pip.py [--threats 200 --batteries 20 --engine-rows 200]``.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from hoplon.earth.frames import ecef_to_geodetic, enu_to_ecef, geodetic_to_ecef
from hoplon.weapons.catalogue import get_interceptor
from hoplon.weapons.flyout import build_flyout_table, flyout_table
from hoplon.weapons.pip import ThreatPath, _solve_pip_numpy, solve_pip

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


def ballistic_paths(
    rng: np.random.Generator, n: int, t: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Notional ballistic arcs (flat-Earth parabolas in ENU) aimed within 100 km of the point,
    NaN from the first sample below the ground on; positions (n, k, 3) and altitudes (n, k)."""
    g = 9.81
    dist = rng.uniform(300e3, 1200e3, n)
    t_f = rng.uniform(150.0, 600.0, n)
    h0 = rng.uniform(50e3, 300e3, n)
    az = rng.uniform(0.0, 2 * math.pi, n)
    aim = rng.uniform(-100e3, 100e3, (n, 2))
    start = np.stack([aim[:, 0] - dist * np.sin(az), aim[:, 1] - dist * np.cos(az), h0], axis=-1)
    vh = dist / t_f
    vz = (0.5 * g * t_f**2 - h0) / t_f
    vel = np.stack([vh * np.sin(az), vh * np.cos(az), vz], axis=-1)
    tau = (t - t[0])[None, :, None]
    enu = start[:, None, :] + tau * vel[:, None, :]
    enu[..., 2] -= 0.5 * g * tau[..., 0] ** 2
    r = enu_to_ecef(enu, LAT0, LON0, 0.0)
    alt = ecef_to_geodetic(r)[2]
    gone = np.cumsum(alt < 0.0, axis=1) > 0
    r[gone] = np.nan
    alt = np.where(gone, np.nan, alt)
    return r, alt


def engine_like(rows: int, batteries: int = 2, reps: int = 20) -> None:
    """Compiled kernel vs the array formulation on an engine-like batch (see the notes)."""
    it = get_interceptor("upper-tier")
    tab = flyout_table(it)
    rng = np.random.default_rng(7)
    t = 1000.0 + np.arange(0.0, 1200.0 + 1e-9, 4.0)
    r, alt = ballistic_paths(rng, rows, t)
    path = ThreatPath(t_s=t, r_ecef=r, altitude_m=alt)
    lat = LAT0 + rng.uniform(-1.0, 1.0, batteries) * math.radians(1.0)
    lon = LON0 + rng.uniform(-1.0, 1.0, batteries) * math.radians(1.0)
    sites = geodetic_to_ecef(lat, lon, 0.0)
    t_min = 1000.0 + rng.uniform(0.0, 60.0, (rows, batteries))
    t_min[rng.random((rows, batteries)) < 0.05] = np.inf
    kw = {"site_alt_m": np.zeros(batteries), "t_tol_s": 0.05, "refine_latest": False}
    timings = {}
    sols = {}
    for name, fn in (("numpy", _solve_pip_numpy), ("kernel", solve_pip)):
        sols[name] = fn(path, sites, tab, it.envelope, t_min, **kw)  # warm-up (JIT)
        t0 = time.perf_counter()
        for _ in range(reps):
            fn(path, sites, tab, it.envelope, t_min, **kw)
        timings[name] = (time.perf_counter() - t0) / reps
    a, b = sols["numpy"], sols["kernel"]
    assert np.array_equal(a.feasible, b.feasible)
    f = a.feasible
    dt = max(
        float(np.max(np.abs(getattr(a, n)[f] - getattr(b, n)[f]), initial=0.0))
        for n in ("t_earliest_s", "t_latest_s", "t_launch_s", "flyout_s", "t_launch_latest_s")
    )
    dr = float(np.max(np.abs(a.r_intercept_ecef[f] - b.r_intercept_ecef[f]), initial=0.0))
    print(f"engine-like batch: {rows} paths x {batteries} batteries x {t.size} samples, "
          f"{f.mean() * 100:.0f} % feasible, refine_latest=False, t_tol 0.05 s")  # fmt: skip
    print(f"  array formulation (_solve_pip_numpy): {timings['numpy'] * 1e3:.2f} ms per call")
    print(f"  compiled kernel (solve_pip):          {timings['kernel'] * 1e3:.2f} ms per call")
    print(f"  ratio: kernel is {timings['numpy'] / timings['kernel']:.1f} x faster; "
          f"max |dt| {dt:.2e} s, max |dr| {dr:.2e} m, feasibility identical")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threats", type=int, default=200)
    ap.add_argument("--batteries", type=int, default=20)
    ap.add_argument("--loop-pairs", type=int, default=200)
    ap.add_argument("--engine-rows", type=int, default=200)
    args = ap.parse_args()
    engine_like(args.engine_rows)
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
