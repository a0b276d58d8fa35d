"""Monte Carlo campaign throughput: trials per second with 1 and K local workers.

Baseline (same process, same seeds): a bare loop of ``hoplon.sim.run(world, seed)`` over a
world compiled once; its rate is what the engine alone gives, so ``campaign / baseline`` is
the campaign machinery's overhead (rows, Parquet, progress) and ``K workers / 1 worker`` the
parallel speed-up. Worker start-up (interpreter, imports, world compile) is reported apart
from the steady-state rate. A cProfile of one trial shows where the engine's time goes.

Run: ``python benchmarks/bench_campaign.py [--scenario two_partner] [--trials 8]
[--workers 1,2] [--profile]``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import tempfile
import time

from hoplon.analysis.campaign import run_campaign, trial_seed
from hoplon.scenario import load
from hoplon.sim import compile_world, run


def steady_rate(times: list[float], workers: int) -> float:
    """Trials/s between the ``workers``-th completion and the last (start-up excluded)."""
    if len(times) <= workers:
        return float("nan")
    return (len(times) - workers) / (times[-1] - times[workers - 1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="two_partner")
    ap.add_argument("--trials", type=int, default=8)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--profile", action="store_true", help="profile one trial (cProfile)")
    args = ap.parse_args()
    spec = load(args.scenario)

    t0 = time.perf_counter()
    world = compile_world(spec)
    compile_s = time.perf_counter() - t0
    run(world, trial_seed(0, 0))  # warm numba/JIT paths
    t0 = time.perf_counter()
    for i in range(args.trials):
        run(world, trial_seed(0, i))
    base = args.trials / (time.perf_counter() - t0)
    print(f"scenario {args.scenario}: world compile {compile_s:.2f} s (once per worker)")
    print(f"baseline, bare engine loop:        {base:7.3f} trials/s ({1 / base:.2f} s a trial)")

    rates: dict[int, float] = {}
    for k in [int(w) for w in args.workers.split(",")]:
        stamps: list[float] = []
        with tempfile.TemporaryDirectory() as out:
            t0 = time.perf_counter()
            camp = run_campaign(
                spec,
                args.trials,
                seed=0,
                workers=k,
                out_dir=out,
                progress=False,
                on_trial=lambda _row, s=stamps, t=t0: s.append(time.perf_counter() - t),
            )
        total = args.trials / camp.wall_s
        steady = total if k <= 1 else steady_rate(stamps, k)
        rates[k] = steady
        first = stamps[0] if stamps else float("nan")
        print(
            f"campaign, {k} worker(s) ({camp.backend:9s}): {steady:7.3f} trials/s steady, "
            f"{total:.3f} overall (first trial after {first:.1f} s), "
            f"{steady / base:.2f} x baseline"
        )
    if 1 in rates:
        for k, r in rates.items():
            if k > 1:
                print(f"speed-up {k} workers / 1 worker: {r / rates[1]:.2f} x (ideal {k} x)")

    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        run(world, trial_seed(0, 1))
        prof.disable()
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(15)
        print(buf.getvalue())


if __name__ == "__main__":
    main()
