"""Hoplon: open simulation and analysis of cooperative missile defence.

The numerical core works in SI units (metres, seconds, kilograms, radians) on arrays
with the batch axis first. Units are parsed only at the edges (CLI, scenario files).

Quick start::

    import hoplon
    scenario = hoplon.load("two_partner")        # a file path or a packaged example
    result = hoplon.run(scenario, seed=1)        # a RunResult with pandas tables
    print(result.summary)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hoplon.errors import HoplonError, InputError

if TYPE_CHECKING:
    from hoplon.scenario.schema import ScenarioSpec
    from hoplon.sim.result import RunResult

__version__ = "0.1.0"

__all__ = ["HoplonError", "InputError", "__version__", "load", "run", "run_campaign"]


def load(path: Any) -> ScenarioSpec:
    """Load and validate a scenario file (or a packaged example by name)."""
    from hoplon.scenario import load as _load

    return _load(path)


def run(scenario: Any, seed: int = 0) -> RunResult:
    """Run one trial of a scenario (a spec, a compiled world or a path) for ``seed``."""
    from hoplon.sim import run as _run

    if not hasattr(scenario, "forces") and not hasattr(scenario, "spec"):
        scenario = load(scenario)
    return _run(scenario, seed=seed)


def run_campaign(scenario: Any, trials: int, **kwargs: Any) -> Any:
    """Monte Carlo campaign of ``trials`` runs (see :func:`hoplon.analysis.run_campaign`)."""
    from hoplon.analysis.campaign import run_campaign as _run_campaign

    return _run_campaign(scenario, trials, **kwargs)
