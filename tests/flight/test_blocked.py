"""The blocked SIMD fast path (``hoplon.flight.blocked``) equals the generic RK4 kernel
(without and with recorded samples)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hoplon.flight import EarthModel, initial_state, make_params, propagate
from hoplon.flight import blocked as blocked_mod
from hoplon.flight import integrators as ig
from hoplon.flight.blocked import (
    CHUNK,
    integrate_batch_blocked,
    integrate_batch_blocked_paths,
    integrate_batch_blocked_record,
)
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


def _both_recorded(y0, p, model, t0, t_end, stop, dt=1.0, max_steps=10_000_000, cap=None):
    """Outputs (ts, ys, nsamp, yf, tf, status, t_imp, y_imp, t_apo, y_apo, nsteps) of the
    generic kernel and of the recording blocked kernel, sample arrays NaN-initialised and
    sized as ``propagate`` sizes them (or ``cap`` samples)."""
    n = len(y0)
    env = model.to_array()
    atm = np.ascontiguousarray(model.atmosphere_tables())
    cdt = validate_cd_table(None)
    t0 = np.ascontiguousarray(np.broadcast_to(t0, (n,)), dtype=float)
    te = np.ascontiguousarray(np.broadcast_to(t_end, (n,)), dtype=float)
    S = math.floor(float(np.max(te - t0)) / dt + 1e-9) + 2 if cap is None else cap
    use = stop is not None
    outs = []
    for blocked in (False, True):
        o = [np.full((n, S), np.nan), np.full((n, S, 7), np.nan), np.zeros(n, np.int64),
             np.empty((n, 7)), np.empty(n), np.empty(n, np.int64), np.empty(n),
             np.empty((n, 7)), np.empty(n), np.empty((n, 7)), np.zeros(n, np.int64)]  # fmt: skip
        if blocked:
            integrate_batch_blocked_record(y0, p, env, atm, cdt, t0, te, dt, stop or 0.0, use,
                                           np.int64(max_steps), *o)  # fmt: skip
        else:
            ig.integrate_batch(
                np.int64(ig.METHOD_RK4), y0, p, env, atm, cdt, t0, te, dt, 1e-9, 1e-6,
                math.inf, stop or 0.0, use, True, np.int64(max_steps), *o,
            )  # fmt: skip
        outs.append(o)
    return outs


def _assert_same(generic, blocked) -> None:
    for a, b in zip(generic, blocked, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", list(MODELS))
def test_blocked_recorded_equals_generic_bit_for_bit(name: str) -> None:
    model = MODELS[name]
    rng = np.random.default_rng(11)
    n = 100
    y0, p = _batch(n, model, rng)
    t0 = rng.uniform(-5.0, 5.0, n)
    t_end = t0 + rng.uniform(0.0, 400.0, n)
    t_end[::11] = t0[::11]  # objects that do not move: one sample
    for stop in (0.0, 50e3, None):
        generic, blocked = _both_recorded(y0, p, model, t0, t_end, stop, dt=0.7)
        _assert_same(generic, blocked)
    assert np.all(blocked[2][::11] == 1)


@pytest.mark.parametrize("n", [1, 31, 32, 33, 100, CHUNK + 476])
def test_blocked_recorded_batch_sizes(n: int) -> None:
    """Lanes partly filled, exactly filled, refilled; more objects than one chunk."""
    model = EarthModel()
    rng = np.random.default_rng(n)
    y0, p = _batch(n, model, rng)
    t0 = rng.uniform(-3.0, 3.0, n)
    t_end = t0 + rng.uniform(0.0, 900.0, n)
    t_end[::13] = t0[::13]
    generic, blocked = _both_recorded(y0, p, model, t0, t_end, 0.0, dt=4.0)
    _assert_same(generic, blocked)


def test_blocked_recorded_impact_mid_step_and_grid() -> None:
    """The prediction's use: common t0, a 4-s grid over 1200 s, most objects impacting
    within a step (located event state as the last sample), some not before the end;
    drag on and off."""
    model = EarthModel()
    rng = np.random.default_rng(2)
    n = 200
    y0, p = _batch(n, model, rng)
    generic, blocked = _both_recorded(y0, p, model, 17.0, 17.0 + 1200.0, 0.0, dt=4.0)
    _assert_same(generic, blocked)
    status, nsamp, ts = blocked[5], blocked[2], blocked[0]
    hit = status == ig.STATUS_IMPACT
    assert hit.sum() > n // 2 and (~hit).sum() > 0
    # the last sample of an impacting object is its impact, off the grid
    last = ts[np.arange(n), nsamp - 1]
    np.testing.assert_array_equal(last[hit], blocked[6][hit])
    assert np.all(
        np.isnan(ts[np.arange(n), np.minimum(nsamp, ts.shape[1] - 1)][nsamp < ts.shape[1]])
    )


def test_blocked_recorded_step_limit_error_and_capacity() -> None:
    model = EarthModel()
    y0, p = _batch(40, model, np.random.default_rng(3))
    y0[5, 3] = 1e200  # overflows: error status at the first steps (the failed step unrecorded)
    generic, blocked = _both_recorded(y0, p, model, 0.0, 300.0, 0.0, max_steps=50)
    _assert_same(generic, blocked)
    assert blocked[5][5] == ig.STATUS_ERROR
    assert np.any(blocked[5] == ig.STATUS_STEP_LIMIT)
    # fewer sample slots than steps: the first ``cap`` samples are kept
    generic, blocked = _both_recorded(y0, p, model, 0.0, 300.0, 0.0, cap=7)
    _assert_same(generic, blocked)
    assert np.all(blocked[2] <= 7)


@pytest.mark.parametrize(("name", "cap"), [("wgs84", None), ("sphere", None), ("wgs84", 9)])
def test_blocked_paths_equals_recorded(name: str, cap: int | None) -> None:
    """``integrate_batch_blocked_paths`` (the prediction's grid run) records the recording
    kernel's positions, times and counts bit for bit, into the rows ``rowmap`` of a larger
    path array (entries outside the samples untouched), with the same other outputs."""
    model = MODELS[name]
    rng = np.random.default_rng(17)
    n = 90
    y0, p = _batch(n, model, rng)
    y0[4, 3] = 1e200  # an error (no sample after the first)
    t0 = rng.uniform(-3.0, 3.0, n)
    t_end = t0 + rng.uniform(0.0, 1200.0, n)
    t_end[::13] = t0[::13]
    generic, rec = _both_recorded(y0, p, model, t0, t_end, 0.0, dt=4.0, cap=cap)
    _assert_same(generic, rec)
    S = rec[0].shape[1]
    env = model.to_array()
    atm = np.ascontiguousarray(model.atmosphere_tables())
    cdt = validate_cd_table(None)
    rowmap = rng.permutation(n + 20)[:n]
    ts = np.full((n, S), np.nan)
    paths = np.full((n + 20, S + 3, 3), -1.0)
    o = [np.empty((n, 7)), np.empty(n), np.empty(n, np.int64), np.empty(n), np.empty((n, 7)),
         np.empty(n), np.empty((n, 7)), np.zeros(n, np.int64)]  # fmt: skip
    nsamp = np.zeros(n, np.int64)
    integrate_batch_blocked_paths(y0, p, env, atm, cdt, t0, t_end, 4.0, 0.0, True,
                                  np.int64(10_000_000), rowmap, ts, paths, nsamp, *o)  # fmt: skip
    np.testing.assert_array_equal(ts, rec[0])
    np.testing.assert_array_equal(nsamp, rec[2])
    _assert_same(rec[3:], o)
    want = np.full_like(paths, -1.0)
    want[rowmap, :S] = np.where(np.isnan(rec[0])[..., None], -1.0, rec[1][:, :, :3])
    np.testing.assert_array_equal(paths, want)
    assert rec[5][4] == ig.STATUS_ERROR and nsamp[4] == 1
    assert cap is None or np.all(nsamp <= cap)


def test_propagate_recorded_fast_path_equals_generic(monkeypatch: pytest.MonkeyPatch) -> None:
    """``propagate(record=True)`` of ballistic RK4 runs the recording blocked kernel and
    gives the generic kernel's samples; dopri5 stays on the generic kernel."""
    model = EarthModel()
    n = 70
    y0, p = _batch(n, model, np.random.default_rng(8))
    t0 = np.linspace(0.0, 3.0, n)
    fast = propagate(y0, p, model=model, t0=t0, t_end=500.0, dt=2.0, record=True)
    got = [fast.t, fast.y, fast.n_samples, fast.y_final, fast.t_final, fast.status,
           fast.impact_t, fast.impact_y, fast.apogee_t, fast.apogee_y, fast.n_steps]  # fmt: skip
    generic, _ = _both_recorded(y0, p, model, t0, 500.0, 0.0, dt=2.0)
    _assert_same(generic, got)
    calls = []
    monkeypatch.setattr(blocked_mod, "integrate_batch_blocked_record", lambda *a: calls.append(1))
    propagate(y0, p, model=model, t0=t0, t_end=500.0, dt=2.0, record=True)
    assert calls == [1]
    propagate(y0[:3], p[:3], model=model, t_end=50.0, method="dopri5", record=True)
    assert calls == [1]
