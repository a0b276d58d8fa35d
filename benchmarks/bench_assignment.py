"""Weapon-target assignment: greedy vs optimal (MILP outer approximation), time and gap.

Baseline: ``Greedy`` on the same problems in the same process. Problems: ``T`` threats x
``B`` batteries, random single-shot kill probabilities U(0.3, 0.9), threat values U(1, 10),
inventory U{2..8} per battery, 50 % of pairs feasible, at most 2 shots per pair and 4 fire
channels per battery (notional, generic numbers). Run: ``python benchmarks/bench_assignment.py``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from hoplon.command.assignment import AssignmentProblem, Greedy, Layered, Optimal


def problem(rng: np.random.Generator, B: int, T: int) -> AssignmentProblem:
    return AssignmentProblem(
        p_kill=rng.uniform(0.3, 0.9, (B, T)),
        threat_value=rng.uniform(1.0, 10.0, T),
        inventory=rng.integers(2, 9, B),
        feasible=rng.random((B, T)) < 0.5,
        max_shots_per_pair=2,
        fire_channels=np.full(B, 4),
        tier=(np.arange(B) >= B // 3).astype(np.int64),  # first third upper tier
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threats", type=int, default=50)
    ap.add_argument("--batteries", type=int, default=12)
    ap.add_argument("--problems", type=int, default=5)
    args = ap.parse_args()
    rng = np.random.default_rng(2024)
    rows = []
    for _ in range(args.problems):
        pr = problem(rng, args.batteries, args.threats)
        t0 = time.perf_counter()
        g = Greedy().assign(pr)
        tg = time.perf_counter() - t0
        t0 = time.perf_counter()
        o = Optimal().assign(pr)
        to = time.perf_counter() - t0
        t0 = time.perf_counter()
        lay = Layered(Greedy()).assign(pr)
        tl = time.perf_counter() - t0
        rows.append((tg, to, tl, g.objective, o.objective, o.upper_bound, lay.objective, o.info))
    print(f"WTA {args.threats} threats x {args.batteries} batteries, {args.problems} problems")
    print(
        f"{'greedy ms':>10} {'optimal ms':>11} {'ratio':>7} {'J greedy':>9} {'J optimal':>10} "
        f"{'gap %':>7} {'bound-J':>9} {'layered J':>10} {'rounds':>6}"
    )
    for tg, to, _tl, jg, jo, ub, jl, info in rows:
        print(
            f"{tg * 1e3:10.2f} {to * 1e3:11.1f} {to / tg:7.0f} {jg:9.3f} {jo:10.3f} "
            f"{100 * (jo - jg) / jo:7.2f} {ub - jo:9.2e} {jl:10.3f} {info['rounds']:>6}"
        )
    tg = np.median([r[0] for r in rows])
    to = np.median([r[1] for r in rows])
    gap = np.mean([100 * (r[4] - r[3]) / r[4] for r in rows])
    print(
        f"median greedy {tg * 1e3:.2f} ms, median optimal {to * 1e3:.0f} ms "
        f"(x{to / tg:.0f} greedy); mean greedy optimality gap {gap:.2f} %"
    )


if __name__ == "__main__":
    main()
