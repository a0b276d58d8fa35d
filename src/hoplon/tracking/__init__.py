"""What do we believe: motion/measurement models, filters, association, fusion, metrics.

Roles (Stone Soup vocabulary): transition and measurement models (:mod:`.models`),
Predictor/Updater (:mod:`.filters`: KF, EKF, UKF, IMM), Hypothesiser (:mod:`.gating`),
Associator (:mod:`.association`), Initiator (:mod:`.initiation`), Deleter
(:mod:`.deletion`), Tracker (:mod:`.tracker`; :mod:`.lanes` for many independent trials at
once), track-to-track fusion and sharing rules
(:mod:`.fusion`), impact and launch points (:mod:`.impact`), metrics (:mod:`.metrics`).
"""

from hoplon.tracking.lanes import LaneTracker
from hoplon.tracking.state import GaussianState, TrackSet, TrackStatus
from hoplon.tracking.tracker import Tracker, TrackHistory

__all__ = [
    "GaussianState",
    "LaneTracker",
    "TrackHistory",
    "TrackSet",
    "TrackStatus",
    "Tracker",
]
