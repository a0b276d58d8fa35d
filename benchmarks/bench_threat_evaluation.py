"""Threat evaluation: probability that a predicted impact falls in a defended disc.

Baseline (same process, same inputs): the angular Gauss-Legendre quadrature
``p_impact_in_disc`` with 256 nodes, which handles any covariance. Measured: the closed form
for circular (isotropic) impact errors ``p_impact_in_disc_isotropic`` that
``evaluate_threats`` uses for such rows, on an engine-like batch (T impacts x A assets,
variances log-uniform 300-1e8 m^2, a quarter of the rows at 1e18 m^2, i.e. no prediction,
misses of 0.3-30 km), and the whole ``evaluate_threats`` call. Prints times, the ratio and
the largest difference between the two probabilities.

Run: ``python benchmarks/bench_threat_evaluation.py [--rows 40] [--assets 3] [--repeat 200]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from hoplon.command.threat_evaluation import (
    DefendedAsset,
    ImpactPredictions,
    evaluate_threats,
    p_impact_in_disc,
    p_impact_in_disc_isotropic,
)


def best_of(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=40)
    ap.add_argument("--assets", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=200)
    args = ap.parse_args()
    rng = np.random.default_rng(7)
    T, A = args.rows, args.assets
    var = 10 ** rng.uniform(np.log10(300.0), 8.0, T)
    var[rng.random(T) < 0.25] = 1e18
    radius = rng.uniform(5e3, 20e3, A)
    miss = rng.uniform(300.0, 30e3, (T, A))
    angle = rng.uniform(0, 2 * np.pi, (T, A))
    d = np.stack([miss * np.cos(angle), miss * np.sin(angle)], axis=-1)  # (T, A, 2)
    P = var[:, None, None, None] * np.eye(2)  # (T, 1, 2, 2)
    P = np.broadcast_to(P, (T, A, 2, 2))

    quad = p_impact_in_disc(d, P, radius[None, :])
    closed = p_impact_in_disc_isotropic(d, var[:, None], radius[None, :])
    t_quad = best_of(lambda: p_impact_in_disc(d, P, radius[None, :]), args.repeat)
    t_closed = best_of(
        lambda: p_impact_in_disc_isotropic(d, var[:, None], radius[None, :]),
        args.repeat,
    )
    assets = [
        DefendedAsset(f"a{j}", np.radians(8.0 + 0.3 * j), np.radians(158.0), radius[j], 1.0, "b")
        for j in range(A)
    ]
    impacts = ImpactPredictions(
        track_id=np.arange(T),
        lat_rad=np.radians(8.0 + rng.uniform(-0.3, 0.3, T)),
        lon_rad=np.radians(158.0 + rng.uniform(-0.3, 0.3, T)),
        cov_en_m2=var[:, None, None] * np.eye(2),
        impact_time_s=np.full(T, 600.0),
    )
    t_eval = best_of(lambda: evaluate_threats(impacts, assets, 0.0), args.repeat)
    print(f"{T} impacts x {A} assets, best of {args.repeat}")
    print(f"baseline, 256-node quadrature:        {t_quad * 1e6:8.1f} us")
    ratio = t_quad / t_closed
    print(f"closed form (isotropic):              {t_closed * 1e6:8.1f} us  ({ratio:.1f} x)")
    print(f"evaluate_threats (whole call):        {t_eval * 1e6:8.1f} us")
    print(f"largest |difference| of probabilities: {np.max(np.abs(quad - closed)):.2e}")


if __name__ == "__main__":
    main()
