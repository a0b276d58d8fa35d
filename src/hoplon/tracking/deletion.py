"""Track deletion (Deleter role): coasting limits.

A confirmed track coasts (is predicted without updates) and is deleted after
``max_misses`` consecutive frames without an update, or once its position uncertainty
``√trace(P_pos)`` exceeds ``max_position_sigma_m``. A tentative track is deleted when the
M-of-N rule can no longer confirm it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hoplon.errors import InputError
from hoplon.tracking.initiation import MofN
from hoplon.tracking.state import TrackSet, TrackStatus


@dataclass(frozen=True)
class Deleter:
    """Deletion after ``max_misses`` consecutive misses or covariance growth."""

    max_misses: int = 5
    max_position_sigma_m: float = np.inf

    def __post_init__(self) -> None:
        if self.max_misses < 1:
            raise InputError("max_misses", f"must be >= 1, got {self.max_misses}", ">= 1")
        if not self.max_position_sigma_m > 0:
            raise InputError(
                "max_position_sigma_m", f"must be > 0, got {self.max_position_sigma_m}", "> 0 m"
            )

    def to_delete(self, tracks: TrackSet, confirmation: MofN) -> NDArray[np.bool_]:
        """Mask of tracks to delete now."""
        tentative = tracks.status == TrackStatus.TENTATIVE
        sigma = np.sqrt(np.trace(tracks.P[:, :3, :3], axis1=1, axis2=2))
        confirmed_gone = (tracks.misses >= self.max_misses) | (sigma > self.max_position_sigma_m)
        tentative_gone = confirmation.hopeless(tracks.history, tracks.age)
        return np.where(tentative, tentative_gone | confirmed_gone, confirmed_gone)
