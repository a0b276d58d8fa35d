"""The dwell pre-check's compiled loop against its numpy reference, bit for bit."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hoplon.scenario import load
from hoplon.sim.engine import _approximate_altitude, _may_see_rows, _may_see_rows_reference
from hoplon.sim.world import compile_world

EXAMPLES = Path(__file__).parents[2] / "src" / "hoplon" / "scenario" / "examples"


def test_may_see_rows_equals_the_numpy_reference() -> None:
    w = compile_world(load(EXAMPLES / "two_partner.yaml"))
    rng = np.random.default_rng(3)
    site0 = w.radars[0].radar.as_array().site_ecef_m[0]
    # (a strided view, as the dwells pass the truth's positions)
    r = np.zeros((20000, 7))
    r[:, :3] = site0 * rng.uniform(0.9, 1.3, (20000, 1)) + rng.normal(0.0, 1.5e6, (20000, 3))
    r = r[:, :3]
    alt = _approximate_altitude(r)
    alt[::97] = np.nan
    alt[::101] = -0.0
    alt[::103] = -5.0
    for site in w.radars:
        got = _may_see_rows(site, r, alt)
        assert got.any() and not got.all()  # not a degenerate check
        np.testing.assert_array_equal(got, _may_see_rows_reference(site, r, alt))


def test_numpy_sums_a_row_of_three_left_to_right() -> None:
    # the premise of the compiled distance in _may_see_kernel: np.add.reduce(x * x, axis=1)
    # (np.linalg.norm's sum) adds a row's three squares as (x0^2 + x1^2) + x2^2
    rng = np.random.default_rng(4)
    for n in (1, 3, 17, 1000, 50000):
        x = rng.normal(0.0, 1e6, (n, 7))[:, :3] * rng.uniform(0.0, 3.0, (n, 1))
        s = x * x
        np.testing.assert_array_equal(np.add.reduce(s, axis=1), (s[:, 0] + s[:, 1]) + s[:, 2])
