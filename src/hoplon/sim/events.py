"""The event queue of the discrete-event engine and the log of what happened.

Events are ordered by time, then by a priority that makes simultaneous events resolve in a
fixed, documented order (truth before perception before decision), then by insertion order,
so that a run is deterministic for a seed.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any


class EventKind(IntEnum):
    """Kinds of scheduled events; the value is the priority among simultaneous events."""

    THREAT_LAUNCH = 0
    INTERCEPT = 1
    IMPACT = 2
    SENSOR_DWELL = 3
    TRACK_DELIVERY = 4
    KILL_ASSESSMENT = 5
    COMMAND_CYCLE = 6
    INTERCEPTOR_LAUNCH = 7


@dataclass(order=True)
class Event:
    """One scheduled event."""

    time_s: float
    priority: int
    seq: int
    kind: EventKind = field(compare=False)
    data: dict[str, Any] = field(compare=False, default_factory=dict)


class EventQueue:
    """A time-ordered queue of :class:`Event` (binary heap)."""

    def __init__(self) -> None:
        self._heap: list[Event] = []
        self._counter = itertools.count()

    def push(self, time_s: float, kind: EventKind, **data: Any) -> None:
        """Schedule ``kind`` at ``time_s`` with keyword payload ``data``."""
        heapq.heappush(self._heap, Event(float(time_s), int(kind), next(self._counter), kind, data))

    def pop(self) -> Event:
        """Remove and return the earliest event."""
        return heapq.heappop(self._heap)

    def peek_time(self) -> float:
        """Time of the earliest event (``inf`` when empty)."""
        return self._heap[0].time_s if self._heap else float("inf")

    def __len__(self) -> int:
        return len(self._heap)


class EventLog:
    """Append-only record of what happened, turned into a tidy table at the end.

    Each row has ``time_s``, ``event`` and optional columns (``force``, ``battery``,
    ``threat``, ``track``, ``shot``, ``sensor``, ``lat_deg``, ``lon_deg``, ``alt_m``,
    ``detail``); missing values are ``None``.
    """

    COLUMNS = (
        "time_s",
        "event",
        "force",
        "battery",
        "sensor",
        "threat",
        "track",
        "shot",
        "lat_deg",
        "lon_deg",
        "alt_m",
        "detail",
    )

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(self, time_s: float, event: str, **cols: Any) -> None:
        """Record one event row."""
        unknown = set(cols) - set(self.COLUMNS)
        if unknown:
            raise KeyError(f"unknown event-log columns {sorted(unknown)}")
        self.rows.append({"time_s": float(time_s), "event": event, **cols})

    def to_frame(self) -> Any:
        """The log as a pandas DataFrame sorted by time (stable)."""
        import pandas as pd

        frame = pd.DataFrame(self.rows, columns=list(self.COLUMNS))
        return frame.sort_values("time_s", kind="stable").reset_index(drop=True)
