"""The blocked SIMD fast path (``hoplon.flight.blocked``) equals the generic RK4 kernel."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hoplon.flight import EarthModel, initial_state, make_params, propagate
from hoplon.flight import integrators as ig
from hoplon.flight.blocked import integrate_batch_blocked
from hoplon.flight.params import validate_cd_table

MODELS = {
    "wgs84": EarthModel(),
    "sphere": EarthModel(shape="sphere", rotating=False),
    "vacuum": EarthModel(atmosphere=False, gravity="point"),
    "no_gravity": EarthModel(gravity="none", rotating=False),
}


def _batch(n: int, model: EarthModel, rng: np.random.Generator):
    lat = np.arcsin(rng.uniform(-0.99, 0.99, n))
    lon = rng.uniform(-math.pi, math.pi, n)
    y0 = initial_state(
        lat, lon, rng.uniform(0.0, 200e3, n), rng.uniform(500.0, 7500.0, n),
        np.radians(rng.uniform(-30.0, 85.0, n)), rng.uniform(0.0, 2 * math.pi, n),
        mass_kg=rng.uniform(10.0, 1000.0, n), model=model,
    )  # fmt: skip
    beta = rng.uniform(500.0, 20000.0, n)
    beta[::7] = np.inf
    return y0, make_params(n, beta_kg_m2=beta)


def _both(y0, p, model, t0, t_end, stop, dt=1.0, max_steps=10_000_000):
    n = len(y0)
    env = model.to_array()
    atm = np.ascontiguousarray(model.atmosphere_tables())
    cdt = validate_cd_table(None)
    t0 = np.ascontiguousarray(np.broadcast_to(t0, (n,)), dtype=float)
    te = np.ascontiguousarray(np.broadcast_to(t_end, (n,)), dtype=float)
    use = stop is not None
    outs = []
    for blocked in (False, True):
        o = [np.empty((n, 7)), np.empty(n), np.empty(n, np.int64), np.empty(n),
             np.empty((n, 7)), np.empty(n), np.empty((n, 7)), np.zeros(n, np.int64)]  # fmt: skip
        if blocked:
            integrate_batch_blocked(y0, p, env, atm, cdt, t0, te, dt, stop or 0.0, use,
                                    np.int64(max_steps), *o)  # fmt: skip
        else:
            ig.integrate_batch(
                np.int64(ig.METHOD_RK4), y0, p, env, atm, cdt, t0, te, dt, 1e-9, 1e-6,
                math.inf, stop or 0.0, use, False, np.int64(max_steps),
                np.empty((n, 1)), np.empty((n, 1, 7)), np.zeros(n, np.int64), *o,
            )  # fmt: skip
        outs.append(o)
    return outs


@pytest.mark.parametrize("name", list(MODELS))
def test_blocked_equals_generic_bit_for_bit(name: str) -> None:
    model = MODELS[name]
    rng = np.random.default_rng(7)
    n = 300  # several chunks of lanes, lanes refilled many times
    y0, p = _batch(n, model, rng)
    t0 = rng.uniform(-5.0, 5.0, n)
    t_end = t0 + rng.uniform(0.0, 400.0, n)
    t_end[::11] = t0[::11]  # objects that do not move
    for stop in (0.0, 50e3, None):
        generic, blocked = _both(y0, p, model, t0, t_end, stop, dt=0.7)
        for a, b in zip(generic, blocked, strict=True):
            np.testing.assert_array_equal(a, b)


def test_blocked_step_limit_and_error() -> None:
    model = EarthModel()
    y0, p = _batch(40, model, np.random.default_rng(3))
    y0[5, 3] = 1e200  # overflows: error status at the first steps
    generic, blocked = _both(y0, p, model, 0.0, 300.0, 0.0, max_steps=50)
    for a, b in zip(generic, blocked, strict=True):
        np.testing.assert_array_equal(a, b)
    assert blocked[2][5] == ig.STATUS_ERROR
    assert np.any(blocked[2] == ig.STATUS_STEP_LIMIT)


def test_propagate_uses_fast_path_with_same_results() -> None:
    model = EarthModel()
    y0, p = _batch(100, model, np.random.default_rng(5))
    fast = propagate(y0, p, model=model, t_end=300.0, record=False)
    slow = propagate(y0, p, model=model, t_end=300.0, record=True)
    np.testing.assert_array_equal(fast.y_final, slow.y_final)
    np.testing.assert_array_equal(fast.apogee_y, slow.apogee_y)
    np.testing.assert_array_equal(fast.impact_t, slow.impact_t)
    np.testing.assert_array_equal(fast.n_steps, slow.n_steps)
