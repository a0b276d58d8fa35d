"""The draws of many lanes' random streams in one compiled loop, bit for bit numpy's.

A lane-batched dwell (:func:`hoplon.sensors.radar.observe_radar_lanes`) draws, for each
lane, uniforms for its targets from the lane's own :class:`numpy.random.Generator`, then
standard normals for its detections. Called lane by lane from Python that is two
``Generator`` calls per lane and dwell; here one compiled loop makes every lane's draws
from the lanes' own bit generators, through numpy's ctypes interface of them
(:attr:`numpy.random.BitGenerator.ctypes`: the C functions ``next_uint64`` /
``next_double`` and the state they advance), so each stream is left exactly where the
``Generator`` calls would leave it and gives exactly their numbers:

- ``Generator.random`` is ``next_double`` per number (``random_standard_uniform_fill``);
- ``Generator.standard_normal`` is numpy's ziggurat (``random_standard_normal`` in
  ``numpy/random/src/distributions/distributions.c``), reproduced in :func:`_normal`
  with numpy's tables (as numba's own ``Generator`` support has them).

Only PCG64 streams (what ``numpy.random.default_rng`` makes, and so every engine stream)
whose C functions are those of this process's numpy are drawn here; :func:`lane_states`
says ``None`` otherwise and the caller draws through the ``Generator`` methods.
``tests/sensors/test_lane_draws.py`` compares the two (tails of the ziggurat included).
"""

from __future__ import annotations

import ctypes
from typing import Any

import numba
import numpy as np
from llvmlite import ir
from numba.core import types
from numba.extending import intrinsic
from numba.np.random._constants import (
    fi_double,
    ki_double,
    wi_double,
    ziggurat_nor_inv_r,
    ziggurat_nor_r,
)
from numpy.typing import NDArray

_FI = np.asarray(fi_double, dtype=np.float64)
_KI = np.asarray(ki_double, dtype=np.uint64)
_WI = np.asarray(wi_double, dtype=np.float64)
_NOR_R = float(ziggurat_nor_r)
_NOR_INV_R = float(ziggurat_nor_inv_r)


def _address(fn: Any) -> int:
    return int(ctypes.cast(fn, ctypes.c_void_p).value or 0)


def _pcg64_functions() -> tuple[int, int]:
    iface = np.random.PCG64(0).ctypes
    return _address(iface.next_uint64), _address(iface.next_double)


#: addresses of numpy's PCG64 ``next_uint64`` and ``next_double`` (the same for every
#: PCG64 of the process)
_NEXT_UINT64, _NEXT_DOUBLE = _pcg64_functions()


def lane_states(rngs: list[np.random.Generator]) -> NDArray[np.int64] | None:
    """The addresses of ``rngs``' PCG64 states (for :func:`draw_lanes`), or ``None`` when
    one of them is not a PCG64 of numpy's (or two lanes share one)."""
    states = []
    for g in rngs:
        bg = g.bit_generator
        if type(bg) is not np.random.PCG64:
            return None
        iface = bg.ctypes
        if _address(iface.next_uint64) != _NEXT_UINT64:
            return None
        if _address(iface.next_double) != _NEXT_DOUBLE:
            return None
        states.append(int(iface.state_address))
    if len(set(states)) < len(states):
        return None
    return np.array(states, dtype=np.int64)


@intrinsic
def _call_u64(typingctx: Any, fn: Any, state: Any) -> Any:  # pragma: no cover - compiled
    """``fn(state)``: a C ``uint64_t (*)(void *)`` at address ``fn``."""
    if not (isinstance(fn, types.Integer) and isinstance(state, types.Integer)):
        return None

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        i8p = ir.IntType(8).as_pointer()
        fnty = ir.FunctionType(ir.IntType(64), [i8p])
        f = builder.inttoptr(args[0], fnty.as_pointer())
        return builder.call(f, [builder.inttoptr(args[1], i8p)])

    return types.uint64(fn, state), codegen


@intrinsic
def _call_f64(typingctx: Any, fn: Any, state: Any) -> Any:  # pragma: no cover - compiled
    """``fn(state)``: a C ``double (*)(void *)`` at address ``fn``."""
    if not (isinstance(fn, types.Integer) and isinstance(state, types.Integer)):
        return None

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        i8p = ir.IntType(8).as_pointer()
        fnty = ir.FunctionType(ir.DoubleType(), [i8p])
        f = builder.inttoptr(args[0], fnty.as_pointer())
        return builder.call(f, [builder.inttoptr(args[1], i8p)])

    return types.float64(fn, state), codegen


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _normal(u64: int, dbl: int, st: int) -> float:  # pragma: no cover - compiled
    """numpy's ``random_standard_normal`` (ziggurat) on the stream at ``st``."""
    while True:
        r = _call_u64(u64, st)
        idx = np.intp(r & np.uint64(0xFF))
        r = r >> np.uint64(8)
        sign = r & np.uint64(1)
        rabs = (r >> np.uint64(1)) & np.uint64(0x000FFFFFFFFFFFFF)
        x = np.float64(rabs) * _WI[idx]
        if sign:
            x = -x
        if rabs < _KI[idx]:
            return x  # 99.3 % of the time
        if idx == 0:
            while True:
                xx = -_NOR_INV_R * np.log1p(-_call_f64(dbl, st))
                yy = -np.log1p(-_call_f64(dbl, st))
                if yy + yy > xx * xx:
                    if (rabs >> np.uint64(8)) & np.uint64(1):
                        return -(_NOR_R + xx)
                    return _NOR_R + xx
        else:
            if (_FI[idx - 1] - _FI[idx]) * _call_f64(dbl, st) + _FI[idx] < np.exp(-0.5 * x * x):
                return x


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _detect_kernel(
    u64: int,
    dbl: int,
    states: NDArray[np.int64],
    bounds: NDArray[np.int64],
    pd: NDArray[np.float64],
    idx: NDArray[np.int64],
    noise: NDArray[np.float64],
    counts: NDArray[np.int64],
) -> int:  # pragma: no cover - compiled
    """Per lane ``k`` (rows ``bounds[k]:bounds[k+1]``, stream ``states[k]``): a uniform
    per row, the rows whose uniform is below ``pd`` into ``idx`` (in order), then three
    standard normals per such row into ``noise``; ``counts[k]`` of them. Returns the
    number of detections of all lanes."""
    m = 0
    for k in range(states.shape[0]):
        st = states[k]
        m0 = m
        for i in range(bounds[k], bounds[k + 1]):
            if _call_f64(dbl, st) < pd[i]:
                idx[m] = i
                m += 1
        for j in range(m0, m):
            for c in range(noise.shape[1]):
                noise[j, c] = _normal(u64, dbl, st)
        counts[k] = m - m0
    return m


def detect_lanes(
    states: NDArray[np.int64], bounds: NDArray[np.int64], pd: NDArray[np.float64], n_noise: int
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.int64]]:
    """Each lane's detections and their noise, drawn from the lane's stream as
    ``rng.random(n) < pd`` then ``rng.standard_normal((m, n_noise))`` (``states`` from
    :func:`lane_states`; lane ``k``'s rows are ``bounds[k]:bounds[k+1]``).

    Returns the detected rows (lane by lane), their noise (m, n_noise) and the number of
    detections of each lane."""
    n = int(bounds[-1]) if len(bounds) else 0
    idx = np.empty(n, dtype=np.int64)
    noise = np.empty((n, n_noise))
    counts = np.empty(len(states), dtype=np.int64)
    m = _detect_kernel(
        _NEXT_UINT64,
        _NEXT_DOUBLE,
        states,
        np.ascontiguousarray(bounds, dtype=np.int64),
        np.ascontiguousarray(pd, dtype=np.float64),
        idx,
        noise,
        counts,
    )
    return idx[:m], noise[:m], counts


__all__ = ["detect_lanes", "lane_states"]
