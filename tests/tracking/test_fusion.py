from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoplon.errors import InputError
from hoplon.tracking.fusion import (
    all_of,
    confirmed_only,
    covariance_intersection,
    fuse_tracks,
    only_to,
    share,
    withhold_sensors,
)
from hoplon.tracking.state import TrackSet, TrackStatus


def _spd(rng, d, scale=1.0):
    A = rng.normal(size=(d, d))
    return scale * (A @ A.T + 0.05 * np.eye(d))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 100_000), criterion=st.sampled_from(["trace", "det"]))
def test_ci_is_no_worse_than_either_input_and_consistent(seed, criterion):
    rng = np.random.default_rng(seed)
    d = 4
    Pa, Pb = _spd(rng, d), _spd(rng, d, rng.uniform(0.1, 10))
    xa, xb = rng.normal(size=d), rng.normal(size=d)
    _x, P, w = covariance_intersection(xa, Pa, xb, Pb, criterion)
    assert 0.0 <= w <= 1.0
    f = np.trace if criterion == "trace" else np.linalg.det
    assert f(P) <= min(f(Pa), f(Pb)) * (1 + 1e-9)
    assert np.all(np.linalg.eigvalsh(P) > 0)
    # consistency for any cross-correlation: P^-1 <= w Pa^-1 + (1-w) Pb^-1 holds by
    # construction; check the fused bound covers the worst case of fully correlated
    # errors of the convex combination: P >= (its exact covariance with correlation 0)
    K = np.linalg.inv(P)
    Ka, Kb = w * np.linalg.inv(Pa) @ P, (1 - w) * np.linalg.inv(Pb) @ P
    exact_uncorrelated = Ka.T @ Pa @ Ka + Kb.T @ Pb @ Kb
    assert np.all(np.linalg.eigvalsh(P - exact_uncorrelated) > -1e-9 * np.trace(P))
    assert K.shape == (d, d)


def test_ci_of_identical_estimates_is_the_estimate():
    P = np.diag([1.0, 4.0])
    x, Pf, _ = covariance_intersection(np.ones(2), P, np.ones(2), P)
    np.testing.assert_allclose(Pf, P, rtol=1e-9)
    np.testing.assert_allclose(x, np.ones(2))
    with pytest.raises(InputError, match="criterion"):
        covariance_intersection(np.ones(2), P, np.ones(2), P, "max")


def _tracks(x, owner, sensors, status=TrackStatus.CONFIRMED):
    x = np.asarray(x, float)
    n = len(x)
    return TrackSet.from_states(
        x,
        np.broadcast_to(np.eye(6) * 100.0, (n, 6, 6)),
        0.0,
        track_id=np.arange(n) + 100 * owner,
        status=status,
        owner=owner,
        sensors=[frozenset(s) for s in sensors],
    )


def test_fusion_keeps_provenance_and_withheld_tracks_are_never_fused():
    a = _tracks([[0, 0, 0, 1, 0, 0], [1e5, 0, 0, 0, 1, 0]], owner=0, sensors=[{1}, {2}])
    # partner 1 tracks the same two objects; its second track uses a restricted sensor 9
    b = _tracks(
        [[5, 0, 0, 1, 0, 0], [1e5 + 5, 0, 0, 0, 1, 0], [5e5, 0, 0, 0, 0, 0]],
        owner=1,
        sensors=[{5}, {9}, {6}],
    )
    sent = share(b, recipient=0, policy=withhold_sensors([9]))
    assert len(sent) == 2 and all(9 not in s for s in sent.sensors)
    fused = fuse_tracks(a, sent, owner=0)
    assert len(fused) == 3  # two local tracks, one remote-only
    assert fused.partners[0] == frozenset({0, 1}) and fused.sensors[0] == frozenset({1, 5})
    assert fused.partners[1] == frozenset({0}) and fused.sensors[1] == frozenset({2})
    assert all(9 not in s for s in fused.sensors)
    assert fused.owner[2] == 1 and fused.sensors[2] == frozenset({6})
    # fused track sits between the two and is tighter than either along x
    assert 0 < fused.x[0, 0] < 5 and fused.P[0, 0, 0] <= 100.0


def test_sharing_policies():
    b = _tracks(np.zeros((3, 6)), owner=1, sensors=[{1}, {2}, {3}])
    b.status[2] = TrackStatus.TENTATIVE
    pol = all_of(confirmed_only, only_to([0, 2]), withhold_sensors([1]))
    assert len(share(b, 0, pol)) == 1
    assert len(share(b, 3, pol)) == 0
    assert len(share(b, 3)) == 3
    with pytest.raises(InputError, match="policy"):
        share(b, 0, lambda t, r: np.ones(1, bool))
