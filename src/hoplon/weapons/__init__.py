"""What can shoot it: interceptor types, flyout tables, predicted intercept points, batteries.

Public API::

    from hoplon.weapons import (
        InterceptorType, Stage, Envelope,               # specs (interceptor.py)
        get_interceptor, list_interceptors,             # notional catalogue (catalogue.py)
        flyout_table, flyout_time, FlyoutTable,         # flyout tables (flyout.py)
        ThreatPath, PipSolution, solve_pip, predicted_intercept,   # PIP (pip.py)
        BatterySpec, Battery, Shot,                     # batteries (battery.py)
        kill_probability, draw_kills,                   # outcome draws (kill.py)
    )

Submodules are imported lazily so that ``import hoplon.weapons`` stays cheap (no numba
compilation until a flyout table is built).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "interceptor": ("InterceptorType", "Stage", "Envelope"),
    "catalogue": ("get_interceptor", "list_interceptors", "PUBLIC_SPEED_MPS"),
    "flyout": (
        "FlyoutTable",
        "FlyoutFan",
        "build_flyout_table",
        "flyout_table",
        "flyout_time",
        "flyout_speed",
        "simulate_fan",
        "tabulate_fan",
    ),
    "pip": ("ThreatPath", "PipSolution", "solve_pip", "predicted_intercept", "ground_range_m"),
    "battery": ("BatterySpec", "Battery", "Shot"),
    "kill": ("kill_probability", "draw_kills"),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'hoplon.weapons' has no attribute {name!r}")
    return getattr(importlib.import_module(f"hoplon.weapons.{module}"), name)
