"""Monte Carlo campaign throughput: trials per second with 1 and K local workers.

Baseline (same process, same seeds): a bare loop of ``hoplon.sim.run(world, seed)``, one
trial at a time, over a world compiled once. Then the lockstep engine in this process
(:class:`hoplon.sim.batch.BatchEngine`, ``--lanes`` trials together), checked to give the
baseline's results for the baseline's seeds; then full campaigns (``run_campaign``: worker
processes, Parquet rows, seeds from the root SeedSequence) of ``--trials`` per worker on 1 and
K workers. "Overall" rates include everything (spawning the workers, imports, compiling the
world in each worker); "steady" rates count the trials after each worker's first block.

Run: ``python benchmarks/bench_campaign.py [--scenario two_partner] [--trials 256]
[--lanes 128] [--workers 1,2] [--baseline-trials 4] [--profile]``.
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
from hoplon.sim.batch import BatchEngine


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="two_partner")
    ap.add_argument("--trials", type=int, default=256, help="trials per worker in campaigns")
    ap.add_argument("--lanes", type=int, default=128)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--baseline-trials", type=int, default=4)
    ap.add_argument("--profile", action="store_true", help="profile one block (cProfile)")
    args = ap.parse_args()
    spec = load(args.scenario)

    t0 = time.perf_counter()
    world = compile_world(spec)
    compile_s = time.perf_counter() - t0
    run(world, trial_seed(0, 0))  # warm numba/JIT paths
    seeds = [trial_seed(0, i) for i in range(args.lanes)]
    t0 = time.perf_counter()
    base_results = [run(world, s) for s in seeds[: args.baseline_trials]]
    base = args.baseline_trials / (time.perf_counter() - t0)
    print(f"scenario {args.scenario}: world compile {compile_s:.2f} s (once per worker)")
    print(
        f"baseline, one trial at a time (Engine):  {base:7.3f} trials/s ({1 / base:.2f} s a trial)"
    )

    t0 = time.perf_counter()
    lanes = BatchEngine(world, seeds).run()
    rate = args.lanes / (time.perf_counter() - t0)
    same = all(
        a.summary == b.summary and a.shots.equals(b.shots)
        for a, b in zip(base_results, lanes, strict=False)
    )
    print(
        f"lockstep, {args.lanes} lanes (BatchEngine): {rate:7.3f} trials/s "
        f"({rate / base:.2f} x baseline; same results as the baseline: {same})"
    )

    rates: dict[int, float] = {}
    overall: dict[int, float] = {}
    for k in [int(w) for w in args.workers.split(",")]:
        n = args.trials * k
        stamps: list[float] = []
        with tempfile.TemporaryDirectory() as out:
            t0 = time.perf_counter()
            camp = run_campaign(
                spec,
                n,
                seed=0,
                workers=k,
                out_dir=out,
                progress=False,
                lanes=args.lanes,
                on_trial=lambda _row, s=stamps, t=t0: s.append(time.perf_counter() - t),
            )
        overall[k] = n / camp.wall_s
        # steady state: after every worker's first block (start-up, imports, world compile)
        first = k * args.lanes
        rates[k] = (n - first) / (stamps[-1] - stamps[first - 1]) if n > first else float("nan")
        print(
            f"campaign, {k} worker(s) ({camp.backend:9s}), {n} trials: "
            f"{rates[k]:7.3f} trials/s steady ({rates[k] / base:.2f} x baseline), "
            f"{overall[k]:.3f} overall ({camp.wall_s:.1f} s, start-up included)"
        )
    if 1 in rates:
        for k, r in rates.items():
            if k > 1:
                print(
                    f"speed-up {k} workers / 1 worker: {r / rates[1]:.2f} x steady, "
                    f"{overall[k] / overall[1]:.2f} x overall (ideal {k} x)"
                )

    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        BatchEngine(world, seeds).run()
        prof.disable()
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("cumtime").print_stats(25)
        print(buf.getvalue())


if __name__ == "__main__":
    main()
