from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoplon.errors import InputError
from hoplon.tracking.metrics import gospa, ospa, rmse, track_continuity


def test_rmse():
    assert rmse(np.array([[3.0, 4.0], [0.0, 0.0]]), np.zeros((2, 2))) == pytest.approx(
        np.sqrt(12.5)
    )


@settings(max_examples=40, deadline=None)
@given(
    m=st.integers(0, 5),
    n=st.integers(0, 5),
    seed=st.integers(0, 1000),
    p=st.sampled_from([1.0, 2.0, np.inf]),
)
def test_ospa_is_a_bounded_symmetric_metric(m, n, seed, p):
    rng = np.random.default_rng(seed)
    X, Y = rng.uniform(0, 20, (m, 2)), rng.uniform(0, 20, (n, 2))
    d = ospa(X, Y, c=5.0, p=p)
    assert 0.0 <= d <= 5.0 + 1e-12
    assert d == pytest.approx(ospa(Y, X, c=5.0, p=p))
    assert ospa(X, X, c=5.0, p=p) == pytest.approx(0.0, abs=1e-12)
    if p != np.inf:
        g = gospa(X, Y, c=5.0, p=p)
        assert g.distance >= 0 and g.n_missed + (min(m, n) - (n - g.n_false)) >= 0


def test_ospa_inf_bottleneck():
    assert ospa(np.array([0.0, 10.0]), np.array([1.0, 13.0]), c=100, p=np.inf) == 3.0


def test_bad_metric_parameters():
    with pytest.raises(InputError, match="c"):
        ospa(np.zeros(1), np.zeros(1), c=-1)
    with pytest.raises(InputError, match="p"):
        gospa(np.zeros(1), np.zeros(1), c=1, p=0.5)


def test_track_continuity_counts_breaks_and_swaps():
    # two truths on parallel lines; track 10 follows truth 0, track 11 truth 1, then they
    # swap at t = 3; at t = 5 truth 1 has no track
    times = np.arange(6.0)
    truth_t = np.repeat(times, 2)
    truth_id = np.tile([0, 1], 6)
    truth_pos = np.stack([np.repeat(times, 2), np.tile([0.0, 100.0], 6)], axis=1)
    est_t, est_id, est_pos = [], [], []
    for t in times:
        a, b = (10, 11) if t < 3 else (11, 10)
        est_t += [t, t]
        est_id += [a, b]
        est_pos += [[t, 1.0], [t, 101.0] if t < 5 else [t, 500.0]]
    res = track_continuity(
        truth_t,
        truth_id,
        truth_pos,
        np.array(est_t),
        np.array(est_id),
        np.array(est_pos),
        max_distance_m=10.0,
    )
    assert res.swaps == 2
    assert res.breaks == 3  # both truths switch track at t=3, truth 1 lost at t=5
    assert res.coverage[0] == 1.0 and res.coverage[1] == pytest.approx(5 / 6)
    assert res.tracks_per_truth == {0: 2, 1: 2}
