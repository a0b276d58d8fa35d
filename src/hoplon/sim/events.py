"""The event queue of the discrete-event engine and the log of what happened.

Events are ordered by time, then by a priority that makes simultaneous events resolve in a
fixed, documented order (truth before perception before decision), then by insertion order,
so that a run is deterministic for a seed.
"""

from __future__ import annotations

import heapq
import itertools
import math
from enum import IntEnum
from typing import Any, NamedTuple


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


class Event(NamedTuple):
    """One scheduled event; events order by ``(time_s, priority, seq)`` (a tuple, so that
    the queues' heaps compare in C; ``seq`` is unique within a queue, so ``kind`` and
    ``data`` are never compared)."""

    time_s: float
    priority: int
    seq: int
    kind: EventKind
    data: dict[str, Any]


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
        #: one ``(time_s, event, {column: value})`` per row, in the order added
        self.entries: list[tuple[float, str, dict[str, Any]]] = []

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The rows as dicts (``time_s``, ``event`` and the columns given), in the order added."""
        return [{"time_s": t, "event": ev, **cols} for t, ev, cols in self.entries]

    def add(self, time_s: float, event: str, **cols: Any) -> None:
        """Record one event row."""
        if not _OPTIONAL.issuperset(cols):
            unknown = set(cols) - set(self.COLUMNS)
            raise KeyError(f"unknown event-log columns {sorted(unknown)}")
        self.entries.append((float(time_s), event, cols))

    def to_frame(self) -> Any:
        """The log as a pandas DataFrame sorted by time (stable).

        Built column by column (a column missing from a row is NaN, as in a frame of the
        rows as dicts; see :func:`_reference_frame`, which the tests compare it with)."""
        import numpy as np
        import pandas as pd

        entries = self.entries
        if not entries:
            return _reference_frame(self)
        times = np.array([e[0] for e in entries], dtype=float)
        order = np.argsort(times, kind="stable").tolist()
        entries = [entries[i] for i in order]
        nan = math.nan
        data: dict[str, Any] = {"time_s": times[order], "event": [e[1] for e in entries]}
        for name in self.COLUMNS[2:]:
            data[name] = [e[2].get(name, nan) for e in entries]
        return pd.DataFrame(data)


#: the columns an event row may give besides ``time_s`` and ``event``
_OPTIONAL = frozenset(EventLog.COLUMNS[2:])


def _reference_frame(log: EventLog) -> Any:
    """:meth:`EventLog.to_frame` the plain way (a frame of the rows as dicts, sorted by
    time): what it must equal (tests), and what it gives for an empty log."""
    import pandas as pd

    frame = pd.DataFrame(log.rows, columns=list(log.COLUMNS))
    return frame.sort_values("time_s", kind="stable").reset_index(drop=True)
