"""EKF benchmark: ballistic prediction with the numba kernel vs the numpy reference.

A batch of ``--tracks`` ballistic tracks (150-250 km up, 1.5-3 km/s, random directions) is
predicted by 5 s with the engine's model ``Ballistic(q=50², rotating, max_step_s=5)`` and
updated with one radar range / azimuth / elevation measurement each.

Baseline: the numpy implementations the kernels replaced (``Ballistic._transition_numpy``,
then ``P⁻ = F P Fᵀ + Q`` as ``ekf_predict`` computes it; ``_kf_update_numpy``). Candidate:
``ekf_predict`` and ``ekf_update`` (numba kernels, one track at a time). Both run in this
process on the same inputs; the script prints the best-of-repeats wall time per call, the
ratio and the largest relative differences of the states and covariances.

Run: .venv/bin/python benchmarks/bench_ekf.py [--tracks 500] [--repeat 200]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from hoplon.tracking._geo import geodetic_to_ecef
from hoplon.tracking.filters import (
    _kf_update_numpy,
    ekf_predict,
    ekf_update,
    symmetrise,
    wrap_residual,
)
from hoplon.tracking.models import Ballistic, RadarRAE

DEG = np.pi / 180.0


def make_tracks(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """States (n, 6) [m, m/s] and covariances (n, 6, 6)."""
    r = geodetic_to_ecef(
        rng.uniform(37.0, 43.0, n) * DEG,
        rng.uniform(17.0, 23.0, n) * DEG,
        rng.uniform(150e3, 250e3, n),
    )
    v = rng.normal(size=(n, 3))
    v *= rng.uniform(1.5e3, 3e3, (n, 1)) / np.linalg.norm(v, axis=1, keepdims=True)
    A = rng.normal(size=(n, 6, 6)) * 0.2 + np.eye(6)
    S = np.diag([300.0] * 3 + [30.0] * 3)
    return np.concatenate([r, v], axis=1), S @ A @ np.swapaxes(A, -1, -2) @ S


def predict_numpy(
    x: np.ndarray, P: np.ndarray, model: Ballistic, dt: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The former ``ekf_predict`` path: numpy transition, then ``F P Fᵀ + Q``."""
    x_pred, F = model._transition_numpy(x, dt)
    return x_pred, symmetrise(F @ P @ np.swapaxes(F, -1, -2) + model.covar(dt, x))


def update_numpy(
    x: np.ndarray,
    P: np.ndarray,
    z: np.ndarray,
    R: np.ndarray,
    meas: RadarRAE,
    site: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The former ``ekf_update`` path: numpy ``kf_update``."""
    nu = wrap_residual(z - meas.function(x, site), meas.angle_indices)
    x_new, P_new, _ = _kf_update_numpy(x, P, nu, meas.jacobian(x, site), R)
    return x_new, P_new


def best_time(f: Callable[[], object], repeat: int) -> float:
    f()
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    n = args.tracks
    x, P = make_tracks(n, rng)
    model = Ballistic(q=50.0**2, rotating=True, max_step_s=5.0)
    dt = np.full(n, 5.0)
    site = geodetic_to_ecef(np.array(40.0 * DEG), np.array(20.0 * DEG), np.array(0.0))
    meas = RadarRAE()
    R = np.broadcast_to(np.diag([30.0**2, 1e-3**2, 1e-3**2]), (n, 3, 3))
    z = meas.function(model.function(x, dt), site) + rng.normal(size=(n, 3)) * [30.0, 1e-3, 1e-3]

    x_old, P_old = predict_numpy(x, P, model, dt)
    x_new, P_new = ekf_predict(x, P, model, dt)
    dx = np.max(np.abs(x_new - x_old) / np.abs(x_old))
    dP = np.max(np.abs(P_new - P_old) / np.abs(P_old).max(axis=(1, 2), keepdims=True))
    print(f"{n} ballistic tracks, dt 5 s: max relative difference x {dx:.1e}, P {dP:.1e}")
    xu_old, Pu_old = update_numpy(x_old, P_old, z, R, meas, site)
    xu_new, Pu_new = ekf_update(x_new, P_new, z, R, meas, site)
    dx = np.max(np.abs(xu_new - xu_old) / np.abs(xu_old))
    dP = np.max(np.abs(Pu_new - Pu_old) / np.abs(Pu_old).max(axis=(1, 2), keepdims=True))
    print(f"after the RAE update: max relative difference x {dx:.1e}, P {dP:.1e}")

    rows = [
        ("transition", lambda: model._transition_numpy(x, dt), lambda: model.transition(x, dt)),
        (
            "ekf_predict",
            lambda: predict_numpy(x, P, model, dt),
            lambda: ekf_predict(x, P, model, dt),
        ),
        (
            "ekf_update (RAE)",
            lambda: update_numpy(x_old, P_old, z, R, meas, site),
            lambda: ekf_update(x_new, P_new, z, R, meas, site),
        ),
        (
            "predict + RAE update",
            lambda: update_numpy(*predict_numpy(x, P, model, dt), z, R, meas, site),
            lambda: ekf_update(*ekf_predict(x, P, model, dt), z, R, meas, site),
        ),
    ]
    print(f"{'':>22} {'numpy ms':>9} {'numba ms':>9} {'ratio':>6}")
    for name, old, new in rows:
        t_old, t_new = best_time(old, args.repeat), best_time(new, args.repeat)
        print(f"{name:>22} {1e3 * t_old:9.3f} {1e3 * t_new:9.3f} {t_old / t_new:6.1f}")


if __name__ == "__main__":
    main()
