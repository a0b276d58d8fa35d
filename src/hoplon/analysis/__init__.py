"""What happens on average: campaigns, statistics, footprints, sweeps, cooperation value.

``run_campaign`` runs many seeded trials of a scenario (local processes or a Dask cluster),
``summarize`` turns its trials into estimates with confidence intervals,
``hoplon.analysis.sweep.sweep`` varies one dotted scenario path and
``hoplon.analysis.compare.compare`` measures what sharing tracks is worth (those two are
reached through their modules: the names ``sweep`` and ``compare`` are the submodules).
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "Campaign": "hoplon.analysis.campaign",
    "run_campaign": "hoplon.analysis.campaign",
    "trial_seed": "hoplon.analysis.campaign",
    "trial_seeds": "hoplon.analysis.campaign",
    "Estimate": "hoplon.analysis.stats",
    "summarize": "hoplon.analysis.stats",
    "wilson_interval": "hoplon.analysis.stats",
    "SweepResult": "hoplon.analysis.sweep",
    "raid_saturation": "hoplon.analysis.sweep",
    "inventory_sensitivity": "hoplon.analysis.sweep",
    "with_overrides": "hoplon.analysis.sweep",
    "Comparison": "hoplon.analysis.compare",
    "variant_spec": "hoplon.analysis.compare",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Import the campaign API lazily (keeps ``import hoplon.analysis.footprint`` light)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'hoplon.analysis' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
