"""Benchmark: trajectory shaping cost, batched scans against one-flight-at-a-time scans.

Baseline: the same 48-point kick-angle scan of the catalogue ICBM flown as 48 separate
``fly_ballistic_batch`` calls (one object each). Also times ``plan_trajectory`` for a
minimum-energy ICBM shot (North Korea -> New York) on the rotating WGS84 Earth.

Run: ``.venv/bin/python benchmarks/bench_threats.py``
"""

from __future__ import annotations

import math
import time

import numpy as np

from hoplon.flight.model import EarthModel
from hoplon.threats import catalogue
from hoplon.threats.ballistic import fly_ballistic_batch
from hoplon.threats.shaping import plan_trajectory


def main() -> None:
    model = EarthModel()
    icbm = catalogue.ICBM_10000
    kicks = np.radians(np.linspace(0.5, 85.0, 48))
    fly_ballistic_batch(icbm, 0.5, 2.0, 0.3, kick_angle_rad=kicks[:2], model=model)  # warm-up

    t0 = time.perf_counter()
    batch = fly_ballistic_batch(icbm, 0.5, 2.0, 0.3, kick_angle_rad=kicks, model=model)
    t_batch = time.perf_counter() - t0

    t0 = time.perf_counter()
    single = [
        fly_ballistic_batch(icbm, 0.5, 2.0, 0.3, kick_angle_rad=k, model=model).impact_y[0]
        for k in kicks
    ]
    t_single = time.perf_counter() - t0
    assert np.allclose(np.array(single), batch.impact_y, atol=1e-3, equal_nan=True)

    t0 = time.perf_counter()
    traj = plan_trajectory(
        missile="icbm-10000", launch_lat_rad=math.radians(39.0),
        launch_lon_rad=math.radians(125.75), target_lat_rad=math.radians(40.71),
        target_lon_rad=math.radians(-74.0), shape="min-energy", model=model,
    )  # fmt: skip
    t_plan = time.perf_counter() - t0

    print(f"kick scan, 48 ICBM flights batched : {t_batch * 1e3:8.1f} ms")
    print(f"kick scan, 48 single flights (base): {t_single * 1e3:8.1f} ms")
    print(f"ratio single / batched             : {t_single / t_batch:8.2f}x")
    print(f"plan_trajectory ICBM min-energy    : {t_plan * 1e3:8.1f} ms "
          f"(miss {traj.metadata['miss_distance_m']:.1f} m, "
          f"{traj.summary()['flight_time_s'] / 60:.2f} min)")  # fmt: skip


if __name__ == "__main__":
    main()
