"""The compiled draws of many lanes' streams are the ``Generator`` calls' numbers, bit for
bit, and leave every stream where the calls leave it."""

from __future__ import annotations

import numpy as np
import pytest

from hoplon.sensors.lane_draws import detect_lanes, lane_states


def _reference(rngs, bounds, pd, n_noise):
    idx, noise, counts = [], [], []
    for g, lo, hi in zip(rngs, bounds[:-1], bounds[1:], strict=True):
        hit = lo + np.flatnonzero(g.random(hi - lo) < pd[lo:hi])
        idx.append(hit)
        noise.append(g.standard_normal((hit.size, n_noise)))
        counts.append(hit.size)
    return np.concatenate(idx), np.concatenate(noise), np.array(counts)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_detect_lanes_equals_generator_calls(seed: int) -> None:
    rs = np.random.default_rng(seed)
    counts = rs.integers(0, 40, 50)
    counts[:3] = 0
    bounds = np.concatenate([[0], np.cumsum(counts)])
    pd = rs.random(int(bounds[-1])) * 1.2
    pd[::7] = 0.0
    seeds = rs.integers(0, 2**63, len(counts))
    got_rngs = [np.random.default_rng(s) for s in seeds]
    ref_rngs = [np.random.default_rng(s) for s in seeds]
    states = lane_states(got_rngs)
    assert states is not None
    idx, noise, n = detect_lanes(states, bounds, pd, 3)
    ref = _reference(ref_rngs, bounds, pd, 3)
    np.testing.assert_array_equal(idx, ref[0], strict=True)
    np.testing.assert_array_equal(noise, ref[1], strict=True)
    np.testing.assert_array_equal(n, ref[2])
    for g, h in zip(got_rngs, ref_rngs, strict=True):
        assert g.bit_generator.state == h.bit_generator.state


def test_normals_with_ziggurat_tails() -> None:
    """Enough normals that the ziggurat's wedges and tail (exp, log1p) are exercised."""
    n = 400_000
    g, h = np.random.default_rng(9), np.random.default_rng(9)
    idx, noise, _ = detect_lanes(lane_states([g]), np.array([0, n]), np.full(n, 2.0), 3)
    h.random(n)
    ref = h.standard_normal((n, 3))
    assert (np.abs(ref) > 3.6541528853610088).sum() > 50  # beyond the ziggurat's base
    np.testing.assert_array_equal(idx, np.arange(n))
    np.testing.assert_array_equal(noise, ref, strict=True)
    assert g.bit_generator.state == h.bit_generator.state


def test_lane_states_only_for_own_pcg64_streams() -> None:
    a = np.random.default_rng(1)
    assert lane_states([a, np.random.default_rng(2)]) is not None
    assert lane_states([a, a]) is None  # a shared stream is drawn lane by lane
    assert lane_states([a, np.random.Generator(np.random.Philox(3))]) is None
    assert lane_states([]) is not None
