"""Who decides: threat evaluation, weapon-target assignment, doctrines, the coalition network.

The decision layer works on beliefs only (tracks delivered to a partner, predicted impact
points), never on truth. Everything here is engine-independent: the engine calls
:func:`evaluate_threats`, an :class:`Assigner` and the :class:`Network` with plain arrays.
Submodules are imported lazily so that ``import hoplon.command`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "effectiveness": (
        "salvo_kill_probability",
        "raid_no_leaker_probability",
        "expected_leakers",
        "staged_engagement",
        "sls_kill_probability",
        "sls_expected_interceptors",
        "max_threats_engaged",
    ),
    "doctrine": (
        "Doctrine",
        "Salvo",
        "ShootLookShoot",
        "Reserve",
        "simulate_engagements",
        "EngagementOutcomes",
    ),
    "threat_evaluation": (
        "DefendedAsset",
        "ImpactPredictions",
        "ThreatAssessment",
        "evaluate_threats",
        "p_impact_in_disc",
    ),
    "assignment": (
        "Assigner",
        "AssignmentProblem",
        "Assignment",
        "Greedy",
        "Optimal",
        "Layered",
        "expected_protected_value",
    ),
    "network": (
        "Force",
        "Link",
        "ShareRule",
        "SharingPolicy",
        "TrackMessage",
        "Delivery",
        "Network",
        "SharingViolationError",
    ),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'hoplon.command' has no attribute {name!r}")
    return getattr(importlib.import_module(f"hoplon.command.{module}"), name)
