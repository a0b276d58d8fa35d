"""Batch flight throughput: ``hoplon.flight.propagate`` vs scipy ``solve_ivp`` one at a time.

Physics for both: rotating WGS84 Earth, J2 gravity, Coriolis and centrifugal terms, drag with
a ballistic coefficient in the U.S. Standard Atmosphere 1976 (ln rho interpolated on a 100 m
table), geodetic altitude. Objects start at 100 km altitude with 3-7 km/s and 20-45 deg
flight-path angle, random positions and headings, and fly until impact or ``--duration``.

- Hoplon fast path: RK4, dt = 1 s, ``propagate(record=False)``, all objects in one call, which
  runs the blocked SIMD kernel ``hoplon.flight.blocked`` (blocks of 32 objects per thread).
  Throughput = integration steps actually taken / wall time, steady state: warm-up (compile
  or cache load) excluded and printed, ``--reps`` repetitions, best and median reported.
- Hoplon generic path: the per-object kernel ``hoplon.flight.integrators.integrate_batch``
  (what ``propagate`` runs with thrust, lift, a Cd table or dopri5), same
  RK4 on the first ``--generic-n`` objects; its final states must equal the fast path's.
- Also hoplon dopri5 (rtol 1e-9) in the baseline's units: simulated object-seconds per wall
  second, a like-for-like comparison with the adaptive baseline.
- Baseline: scipy ``solve_ivp(method="DOP853", rtol=1e-9)`` with a plain numpy/python
  right-hand side, one trajectory at a time, on a few of the same objects. Its throughput is
  simulated object-seconds per wall second, i.e. the equivalent number of 1-s steps.

Usage: ``python benchmarks/bench_flight.py [--n 50000] [--duration 450] [--baseline 5]
[--threads 2] [--reps 5] [--generic-n 10000]``
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
from scipy.integrate import solve_ivp

from hoplon.earth.constants import J2_EARTH, MU_EARTH_M3_S2, OMEGA_EARTH_RAD_S, WGS84_A_M, WGS84_E2
from hoplon.flight import EarthModel, initial_state, make_params, propagate
from hoplon.flight import integrators as ig
from hoplon.flight.params import validate_cd_table


def make_batch(
    n: int, rng: np.random.Generator, model: EarthModel
) -> tuple[np.ndarray, np.ndarray]:
    lat = np.arcsin(rng.uniform(-0.95, 0.95, n))
    lon = rng.uniform(-math.pi, math.pi, n)
    speed = rng.uniform(3000.0, 7000.0, n)
    gamma = np.radians(rng.uniform(20.0, 45.0, n))
    az = rng.uniform(0.0, 2 * math.pi, n)
    y0 = initial_state(lat, lon, 100e3, speed, gamma, az, mass_kg=500.0, model=model)
    params = make_params(n, beta_kg_m2=rng.uniform(2000.0, 20000.0, n))
    return y0, params


def scipy_rhs_factory(beta: float, alt_grid: np.ndarray, ln_rho: np.ndarray):
    """The same equations of motion as hoplon.flight.forces.deriv, in plain numpy/python."""
    a = WGS84_A_M
    e2 = WGS84_E2
    b = a * math.sqrt(1 - e2)
    ep2 = e2 / (1 - e2)
    w = OMEGA_EARTH_RAD_S
    top = alt_grid[-1]

    def rhs(t: float, s: np.ndarray) -> np.ndarray:
        x, y, z, vx, vy, vz = s
        r2 = x * x + y * y + z * z
        r = math.sqrt(r2)
        k = -MU_EARTH_M3_S2 / (r2 * r)
        f = 1.5 * J2_EARTH * a * a / r2
        q = 5 * z * z / r2
        ax = k * x * (1 + f * (1 - q)) + 2 * w * vy + w * w * x
        ay = k * y * (1 + f * (1 - q)) - 2 * w * vx + w * w * y
        az = k * z * (1 + f * (3 - q))
        p = math.hypot(x, y)
        su, cu = a * z, b * p
        nrm = math.hypot(su, cu)
        su, cu = su / nrm, cu / nrm
        num = z + ep2 * b * su**3
        den = p - e2 * a * cu**3
        nrm = math.hypot(num, den)
        sl, cl = num / nrm, den / nrm
        h = p * cl + z * sl - a * math.sqrt(1 - e2 * sl * sl)
        if h < top:
            rho = math.exp(np.interp(h, alt_grid, ln_rho))
            v = math.sqrt(vx * vx + vy * vy + vz * vz)
            kd = 0.5 * rho * v / beta
            ax -= kd * vx
            ay -= kd * vy
            az -= kd * vz
        return np.array([vx, vy, vz, ax, ay, az])

    def ground(t: float, s: np.ndarray) -> float:
        x, y, z = s[:3]
        p = math.hypot(x, y)
        return math.hypot(p, z / math.sqrt(1 - e2)) - a  # ~altitude, zero on the ellipsoid

    ground.terminal = True
    ground.direction = -1
    return rhs, ground


def generic_rk4(y0: np.ndarray, params: np.ndarray, model: EarthModel, t_end: float):
    """RK4, record=False, through the generic per-object kernel (as ``propagate`` calls it)."""
    n = len(y0)
    out = [np.empty((n, 7)), np.empty(n), np.empty(n, np.int64), np.empty(n),
           np.empty((n, 7)), np.empty(n), np.empty((n, 7)), np.zeros(n, np.int64)]  # fmt: skip
    ig.integrate_batch(
        np.int64(ig.METHOD_RK4), y0, params, model.to_array(),
        np.ascontiguousarray(model.atmosphere_tables()), validate_cd_table(None), np.zeros(n),
        np.full(n, t_end), 1.0, 1e-9, 1e-6, math.inf, 0.0, True, False, np.int64(10_000_000),
        np.empty((n, 1)), np.empty((n, 1, 7)), np.zeros(n, np.int64), *out,
    )  # fmt: skip
    return out[0], out[7]  # final states, steps


def timed(fn, reps: int) -> tuple[list[float], object]:
    walls = []
    res = None
    for _ in range(reps):
        t = time.perf_counter()
        res = fn()
        walls.append(time.perf_counter() - t)
    return walls, res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=50_000)
    ap.add_argument("--duration", type=float, default=450.0)
    ap.add_argument("--baseline", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2, help="numba threads (0: numba default)")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--generic-n", type=int, default=10_000)
    args = ap.parse_args()
    import numba

    if args.threads:
        numba.set_num_threads(args.threads)
    model = EarthModel()
    rng = np.random.default_rng(2026)
    y0, params = make_batch(args.n, rng, model)

    t = time.perf_counter()
    propagate(y0[:64], params[:64], model=model, t_end=5.0, record=False)
    warm = time.perf_counter() - t
    t = time.perf_counter()
    generic_rk4(y0[:4], params[:4], model, 5.0)
    warm_g = time.perf_counter() - t
    print(
        f"numba {numba.__version__}, threading layer {numba.threading_layer()}, "
        f"{numba.get_num_threads()} threads; warm-up (compile or cache load): fast path "
        f"{warm:.2f} s, generic {warm_g:.2f} s"
    )

    walls, res = timed(
        lambda: propagate(y0, params, model=model, t_end=args.duration, dt=1.0, record=False),
        args.reps,
    )
    steps = int(res.n_steps.sum())
    rate = steps / min(walls)
    rate_med = steps / float(np.median(walls))
    print(
        f"hoplon RK4 dt=1 s, fast path (blocked SIMD): {args.n} objects, {steps} object-steps, "
        f"best {min(walls):.3f} s / median {float(np.median(walls)):.3f} s of {args.reps} -> "
        f"{rate:.3e} (median {rate_med:.3e}) object-steps/s; impacted {int(res.impacted.sum())}"
    )

    ng = min(args.generic_n, args.n)
    walls_g, (yf_g, st_g) = timed(
        lambda: generic_rk4(y0[:ng], params[:ng], model, args.duration), max(2, args.reps // 2)
    )
    rate_g = int(st_g.sum()) / min(walls_g)
    rate_g_med = int(st_g.sum()) / float(np.median(walls_g))
    same = np.array_equal(yf_g, res.y_final[:ng]) and np.array_equal(st_g, res.n_steps[:ng])
    print(
        f"hoplon RK4 dt=1 s, generic per-object kernel: {ng} objects -> {rate_g:.3e} "
        f"(median {rate_g_med:.3e}) object-steps/s; final states equal to the fast path: {same}"
    )

    # same adaptive accuracy class as the baseline: dopri5, rtol 1e-9, simulated s per wall s
    propagate(y0[:4], params[:4], model=model, t_end=5.0, method="dopri5", record=False)
    t = time.perf_counter()
    res5 = propagate(
        y0, params, model=model, t_end=args.duration, method="dopri5", rtol=1e-9, record=False
    )
    wall5 = time.perf_counter() - t
    sim5 = float(np.sum(res5.t_final))
    rate5 = sim5 / wall5
    print(
        f"hoplon dopri5 rtol=1e-9: {sim5:.3e} simulated object-s in {wall5:.2f} s "
        f"-> {rate5:.3e} object-steps/s (1-s equiv.), "
        f"{res5.n_steps.sum() / args.n:.0f} steps/object"
    )

    from hoplon.earth.atmosphere import log_density_table

    alt_grid, ln_rho = log_density_table(100.0)
    sim = 0.0
    t = time.perf_counter()
    for i in range(args.baseline):
        rhs, ground = scipy_rhs_factory(float(params[i, 0]), alt_grid, ln_rho)
        sol = solve_ivp(
            rhs, (0.0, args.duration), y0[i, :6], method="DOP853", rtol=1e-9, atol=1e-6,
            events=ground,
        )  # fmt: skip
        sim += float(sol.t[-1])
        # same flight as hoplon to within integration error
        end = res.y_final[i, :3]
        if abs(sol.t[-1] - res.t_final[i]) > 0.05 or np.linalg.norm(sol.y[:3, -1] - end) > 100.0:
            print(f"  warning: object {i} differs: t {sol.t[-1]:.2f} vs {res.t_final[i]:.2f}")
    base_wall = time.perf_counter() - t
    base_rate = sim / base_wall
    print(
        f"baseline scipy solve_ivp DOP853 rtol=1e-9, one at a time: {args.baseline} objects, "
        f"{sim:.0f} simulated s in {base_wall:.2f} s -> {base_rate:.3e} object-steps/s (1-s equiv.)"
    )
    print(
        f"ratio hoplon RK4 fast path / baseline: {rate / base_rate:.0f}x "
        f"(median {rate_med / base_rate:.0f}x); target >= 300x and >= 3e7 object-steps/s"
    )
    print(f"ratio hoplon RK4 generic / baseline: {rate_g / base_rate:.0f}x")
    print(f"ratio fast path / generic: {rate / rate_g:.1f}x")
    print(f"ratio hoplon dopri5 / baseline (same tolerance): {rate5 / base_rate:.0f}x")


if __name__ == "__main__":
    main()
