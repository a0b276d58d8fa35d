"""Track data: Gaussian states and track sets as structures of arrays.

A :class:`TrackSet` holds ``n`` tracks as arrays with the track axis first (``x`` is
``(n, d)``, ``P`` is ``(n, d, d)``) plus per-track metadata: identity, status, the M-of-N hit
history, and the *origin* of the track (the owning partner and the sensors and partners whose
data went into it), so that sharing rules can be enforced on it.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


class TrackStatus(IntEnum):
    """Life-cycle state of a track."""

    TENTATIVE = 0
    CONFIRMED = 1
    DELETED = 2


@dataclass
class GaussianState:
    """``n`` Gaussian states: mean ``x`` (n, d), covariance ``P`` (n, d, d), time [s] (n,)."""

    x: FloatArray
    P: FloatArray
    time_s: FloatArray

    def __len__(self) -> int:
        return self.x.shape[0]


#: The per-track array fields of a :class:`TrackSet` (the track axis first).
_ARRAY_FIELDS = (
    "x",
    "P",
    "time_s",
    "track_id",
    "status",
    "history",
    "hits",
    "misses",
    "age",
    "last_update_s",
    "owner",
)


def _empty_frozensets(n: int) -> list[frozenset[int]]:
    return [frozenset() for _ in range(n)]


@dataclass
class TrackSet:
    """Tracks of one tracker (or one fused picture), structure of arrays.

    Attributes
    ----------
    x : (n, d) float
        State estimates (SI units of the motion model, e.g. ECEF position [m] and velocity).
    P : (n, d, d) float
        State covariances.
    time_s : (n,) float
        Time of validity of each estimate [s].
    track_id : (n,) int
        Identity, unique within the producing tracker.
    status : (n,) int
        :class:`TrackStatus` value.
    history : (n,) int
        Bit ``k`` set if the track was updated ``k`` scans ago (bit 0: latest scan); used
        for M-of-N confirmation.
    hits, misses : (n,) int
        Number of updates in total, and consecutive scans without an update.
    age : (n,) int
        Number of scans (tracker frames) since the track was started, the first included.
    last_update_s : (n,) float
        Time of the last measurement update [s].
    owner : (n,) int
        Partner that owns (produced) the track.
    sensors : list of frozenset[int]
        Sensor ids whose measurements went into each track.
    partners : list of frozenset[int]
        Partner ids whose data went into each track (the owner included).
    """

    x: FloatArray
    P: FloatArray
    time_s: FloatArray
    track_id: IntArray
    status: IntArray
    history: IntArray
    hits: IntArray
    misses: IntArray
    age: IntArray
    last_update_s: FloatArray
    owner: IntArray
    sensors: list[frozenset[int]] = field(default_factory=list)
    partners: list[frozenset[int]] = field(default_factory=list)

    @staticmethod
    def empty(d: int) -> TrackSet:
        """A set with no tracks and state dimension ``d``."""
        return TrackSet.from_states(np.empty((0, d)), np.empty((0, d, d)), np.empty(0))

    @staticmethod
    def from_states(
        x: FloatArray,
        P: FloatArray,
        time_s: FloatArray | float,
        track_id: IntArray | None = None,
        status: TrackStatus = TrackStatus.TENTATIVE,
        owner: int = 0,
        sensors: list[frozenset[int]] | None = None,
    ) -> TrackSet:
        """Build a set of new tracks from states (one hit each when ``status`` is confirmed)."""
        x = np.asarray(x, dtype=float)
        n = x.shape[0]
        t = np.broadcast_to(np.asarray(time_s, dtype=float), (n,)).copy()
        return TrackSet(
            x=x.copy(),
            P=np.asarray(P, dtype=float).copy(),
            time_s=t,
            track_id=np.arange(n, dtype=np.int64) if track_id is None else np.asarray(track_id),
            status=np.full(n, int(status), dtype=np.int64),
            history=np.ones(n, dtype=np.int64),
            hits=np.ones(n, dtype=np.int64),
            misses=np.zeros(n, dtype=np.int64),
            age=np.ones(n, dtype=np.int64),
            last_update_s=t.copy(),
            owner=np.full(n, owner, dtype=np.int64),
            sensors=list(sensors) if sensors is not None else _empty_frozensets(n),
            partners=[frozenset({owner}) for _ in range(n)],
        )

    def __len__(self) -> int:
        return self.x.shape[0]

    @property
    def dim(self) -> int:
        """State dimension ``d``."""
        return self.x.shape[1]

    def select(self, index: NDArray[np.bool_] | IntArray | slice) -> TrackSet:
        """A new set holding the tracks picked by a boolean mask, an index array or a slice
        (a slice gives views of the arrays, the others copies)."""
        if isinstance(index, slice):
            arrays = {name: getattr(self, name)[index] for name in _ARRAY_FIELDS}
            return TrackSet(**arrays, sensors=self.sensors[index], partners=self.partners[index])
        idx = np.arange(len(self))[index]
        arrays = {name: getattr(self, name)[idx] for name in _ARRAY_FIELDS}
        if idx.size == 1:
            sensors, partners = [self.sensors[idx[0]]], [self.partners[idx[0]]]
        elif idx.size:
            pick = operator.itemgetter(*idx.tolist())
            sensors, partners = list(pick(self.sensors)), list(pick(self.partners))
        else:
            sensors, partners = [], []
        return TrackSet(**arrays, sensors=sensors, partners=partners)

    @staticmethod
    def concatenate(sets: list[TrackSet]) -> TrackSet:
        """Join several track sets (same state dimension)."""
        sets = [s for s in sets if len(s) > 0] or sets[:1]
        arrays = {name: np.concatenate([getattr(s, name) for s in sets]) for name in _ARRAY_FIELDS}
        return TrackSet(
            **arrays,
            sensors=[f for s in sets for f in s.sensors],
            partners=[f for s in sets for f in s.partners],
        )

    def state(self) -> GaussianState:
        """The Gaussian part (copies)."""
        return GaussianState(self.x.copy(), self.P.copy(), self.time_s.copy())
