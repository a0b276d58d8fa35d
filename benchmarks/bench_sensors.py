"""Radar visibility + SNR + Pd over (objects x sensors x times): time per evaluation.

Batched ``RadarArray.evaluate`` over all (object, sensor, time) triples against the baseline
of the same model called once per (object, time, sensor) point through the single-radar
methods in a Python loop (same process, same inputs, a subset of points), plus the IR
constellation's visibility over (objects x times x satellites).

Scenario (notional): ``S`` radars scattered within 1000 km of 40 N 30 E with 120 deg fields of
regard, ``N`` objects on random straight paths at 50-600 km altitude, sampled at ``T`` times.
Run: ``python benchmarks/bench_sensors.py [--objects 200 --sensors 8 --times 500]``.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from hoplon.earth.frames import geodetic_to_ecef
from hoplon.sensors.infrared import InfraredConstellation
from hoplon.sensors.orbits import KeplerElements, geo_elements, molniya_elements
from hoplon.sensors.radar import Radar, RadarArray

D = math.pi / 180


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--objects", type=int, default=200)
    ap.add_argument("--sensors", type=int, default=8)
    ap.add_argument("--times", type=int, default=500)
    ap.add_argument("--baseline-points", type=int, default=2000)
    a = ap.parse_args()
    rng = np.random.default_rng(0)
    radars = [
        Radar(
            f"r{i}",
            (40 + rng.uniform(-8, 8)) * D,
            (30 + rng.uniform(-10, 10)) * D,
            100.0,
            snr_constant_m2=1e2 * (1e6) ** 4,
            max_range_m=3e6,
            boresight_az_rad=rng.uniform(0, 2 * math.pi),
            azimuth_span_rad=120 * D,
            min_elevation_rad=0.5 * D,
            swerling=int(rng.integers(0, 5)),
        )
        for i in range(a.sensors)
    ]
    arr = RadarArray.stack(radars)
    n, t = a.objects, a.times
    lat0 = (40 + rng.uniform(-15, 15, n)) * D
    lon0 = (30 + rng.uniform(-15, 15, n)) * D
    s = np.linspace(0, 1, t)
    lat = lat0[:, None] + rng.uniform(-0.1, 0.1, n)[:, None] * s
    lon = lon0[:, None] + rng.uniform(-0.1, 0.1, n)[:, None] * s
    alt = rng.uniform(50e3, 600e3, n)[:, None] * np.sin(math.pi * (0.1 + 0.8 * s))
    X = geodetic_to_ecef(lat, lon, alt)
    rcs = rng.uniform(0.01, 3.0, n)

    arr.evaluate(X[:2, :2], rcs[:2])  # warm the Pd tables
    t0 = time.perf_counter()
    vis, _snr, pd = arr.evaluate(X, rcs)
    batched = time.perf_counter() - t0
    points = n * t * len(radars)

    flat = X.reshape(-1, 3)
    idx = rng.choice(flat.shape[0], size=min(a.baseline_points, flat.shape[0]), replace=False)
    obj = idx // t
    t0 = time.perf_counter()
    for k, i in enumerate(idx):
        for r in radars:
            r.visible(flat[i])
            r.snr_db(flat[i], rcs[obj[k]])
            r.pd(flat[i], rcs[obj[k]])
    loop = (time.perf_counter() - t0) / (idx.size * len(radars))

    print(f"radars: {n} objects x {len(radars)} sensors x {t} times = {points:,} points")
    print(f"  batched evaluate : {batched:.3f} s  ({points / batched:,.0f} points/s)")
    print(f"  baseline (scalar loop over points, Radar methods): {1 / loop:,.0f} points/s")
    print(
        f"  ratio: {loop * points / batched:,.0f} x;  "
        f"visible {vis.mean():.3f}, mean Pd {pd.mean():.3f}"
    )

    sats = KeplerElements.concatenate(
        [
            geo_elements(np.radians([0.0, 90.0, 180.0, -90.0])),
            molniya_elements(np.radians([0.0, 180.0]), np.radians([0.0, 180.0])),
        ]
    )
    ir = InfraredConstellation("ir", sats)
    times = np.linspace(0.0, 600.0, t)
    t0 = time.perf_counter()
    v_ir = ir.visible(times, X, True)
    dt = time.perf_counter() - t0
    pts = n * t * len(ir)
    print(
        f"infrared: {n} objects x {t} times x {len(ir)} satellites = {pts:,} points: "
        f"{dt:.3f} s ({pts / dt:,.0f} points/s), visible fraction {v_ir.mean():.3f}"
    )


if __name__ == "__main__":
    main()
