"""Shared fixtures: a fast variant of the single-battery example (one threat, 400 s)."""

from __future__ import annotations

import pytest

from hoplon.analysis.sweep import with_overrides
from hoplon.scenario import ScenarioSpec, load


@pytest.fixture(scope="session")
def small_spec() -> ScenarioSpec:
    """single_battery with one threat and a 400 s duration (about 0.3 s a trial)."""
    return with_overrides(load("single_battery"), {"threats.0.count": 1, "duration": "400 s"})
