"""Engine benchmark: wall and CPU time of one run of the two-partner example, and a profile.

Usage: ``python benchmarks/bench_engine.py [--runs 5] [--scenario two_partner]``

Compiling the world (flying the nominal threat trajectories, building flyout tables) is done
once and reported separately: campaigns share it across trials. The baseline named in the
issue is the target itself (2 s per run on this 2-core machine).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import time

from hoplon.scenario import load
from hoplon.sim import compile_world, run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scenario", default="two_partner")
    args = parser.parse_args()

    spec = load(args.scenario)
    t0 = time.perf_counter()
    world = compile_world(spec)
    compile_s = time.perf_counter() - t0
    run(world, seed=0)  # warm-up: numba kernels, flyout tables

    walls, cpus = [], []
    for seed in range(1, args.runs + 1):
        w0, c0 = time.perf_counter(), time.process_time()
        result = run(world, seed=seed)
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    s = result.summary
    print(
        f"scenario: {spec.name}: {s['threats']} threats, {len(spec.sensors)} sensors, "
        f"{len(spec.batteries)} batteries"
    )
    print(f"compile world (once per campaign): {compile_s:.2f} s")
    print(
        f"one run, wall: median {statistics.median(walls):.2f} s, best {min(walls):.2f} s "
        f"over {args.runs} seeds"
    )
    print(f"one run, CPU:  median {statistics.median(cpus):.2f} s, best {min(cpus):.2f} s")
    print(f"target 2.0 s: ratio to target (best wall) {min(walls) / 2.0:.2f}")

    prof = cProfile.Profile()
    prof.enable()
    run(world, seed=99)
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(25)
    print("\nprofile of one run (cumulative time):")
    print(buf.getvalue())


if __name__ == "__main__":
    main()
