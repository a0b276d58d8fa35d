"""Engagement outcome on truth: draw kills from single-shot kill probability and reliability.

An interceptor that reaches its intercept kills the (true) threat with probability

    p = p_kill * reliability * g,

``p_kill`` the single-shot kill probability of a reliable round, ``reliability`` the chance
that the round launches and flies as designed, and ``g`` an optional geometry factor in
[0, 1] (e.g. for a poor crossing angle or a large predicted miss distance). Shots are
independent: a salvo of ``n`` kills with ``1 - (1 - p)^n`` (``hoplon.command.effectiveness``
holds the closed forms). Draws use only the ``numpy.random.Generator`` passed in.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hoplon.errors import InputError


def _prob(name: str, value: ArrayLike) -> NDArray[np.float64]:
    p = np.asarray(value, dtype=np.float64)
    if np.any(~np.isfinite(p)) or np.any(p < 0.0) or np.any(p > 1.0):
        raise InputError(name, "must lie in [0, 1]", "[0, 1]")
    return p


def kill_probability(
    p_kill: ArrayLike, reliability: ArrayLike = 1.0, geometry_factor: ArrayLike = 1.0
) -> NDArray[np.float64]:
    """Per-shot kill probability ``p = p_kill * reliability * geometry_factor`` (broadcast)."""
    return (
        _prob("p_kill", p_kill)
        * _prob("reliability", reliability)
        * _prob("geometry_factor", geometry_factor)
    )


def draw_kills(
    rng: np.random.Generator,
    p_kill: ArrayLike,
    reliability: ArrayLike = 1.0,
    geometry_factor: ArrayLike = 1.0,
) -> NDArray[np.bool_]:
    """Draw independent shot outcomes: True where the shot kills its threat.

    Parameters
    ----------
    rng : numpy.random.Generator
        The run's generator (never the global one).
    p_kill, reliability, geometry_factor : array_like
        Broadcast to the shape of the result.

    Returns
    -------
    bool array
        ``u < p`` with ``u ~ U[0, 1)`` drawn from ``rng``, one per shot.
    """
    if not isinstance(rng, np.random.Generator):
        raise InputError("rng", "must be a numpy.random.Generator")
    p = kill_probability(p_kill, reliability, geometry_factor)
    return rng.random(p.shape) < p
