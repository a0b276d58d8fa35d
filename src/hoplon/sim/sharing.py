"""Shared tracks of one or many trials of a world, as arrays.

Partners share their confirmed tracks every command cycle (see :mod:`hoplon.sim.engine`). A
:class:`SharedTracks` holds, for every trial ("lane") of a world whose command cycles run
together (one for a single run, all of a :class:`~hoplon.sim.batch.BatchEngine`'s lanes
otherwise) and every recipient force:

* the shared tracks on their way (*pending*), in sending order;
* the *box*: the newest delivered report of every track (a later delivery replaces the one
  held when its state time is not older), in the order the tracks were first delivered
  (a track dropped from the box and delivered again counts as new).

Both are rows of one float array (columns ``C_*``: arrival time, sending order -- in the box:
order of first delivery --, the sender's command count at sending, the sensor-id set it was
built from, state time, state (6), covariance (6 x 6)) and an int64 key per row (lane, sender
force, track id; see :func:`track_keys`). A command cycle's sending and delivery are a few
array operations for all lanes at once; every lane's rows are its own (no result depends on
another lane's rows). The numbers of the sending order and the order of first delivery are
counted over all lanes: each lane's are in its own order.
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np

# columns of a row
C_ARRIVAL, C_ORDER, C_COMMAND, C_ORIGIN, C_TIME = range(5)
C_X = 5  # state, 6 columns
C_P = 11  # covariance, 36 columns (row major)
WIDTH = C_P + 36

#: A row's key: lane << LANE_SHIFT | sender force << SENDER_SHIFT | track id.
LANE_SHIFT = 48
SENDER_SHIFT = 40
TRACK_MASK = (1 << SENDER_SHIFT) - 1

_NO_ROWS = np.empty((0, WIDTH))
_NO_KEYS = np.empty(0, dtype=np.int64)


def track_keys(lane: Any, sender: int, track_id: Any) -> Any:
    """Keys of the reports of track ids ``track_id`` of force ``sender`` in ``lane``."""
    return (np.asarray(lane, dtype=np.int64) << LANE_SHIFT) | (
        (sender << SENDER_SHIFT) | np.asarray(track_id, dtype=np.int64)
    )


class SharedTracks:
    """What is on its way to each force and what each force holds, for lanes
    ``0 .. n_lanes - 1`` (see the module docstring)."""

    def __init__(self, n_forces: int, n_lanes: int) -> None:
        if n_forces > 1 << (LANE_SHIFT - SENDER_SHIFT):
            raise ValueError("too many forces for a report key")
        self.n_lanes = n_lanes
        #: each lane's engine (its shots decide whether a late delivery still counts)
        self.engines: list[Any] = [None] * n_lanes
        #: each lane's last activity (a delivery after it may be dropped)
        self.last = np.full(n_lanes, np.inf)
        self._lanes = np.ones(n_lanes, dtype=bool)
        #: per recipient: chunks (rows, keys) on their way, in sending order
        self.pending: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in range(n_forces)]
        #: per recipient: the box (rows, keys), by lane, then order of first delivery
        self.box: list[tuple[np.ndarray, np.ndarray]] = [(_NO_ROWS, _NO_KEYS)] * n_forces
        #: the sensor-id sets of the rows (column C_ORIGIN: an index into this list)
        self.origins: list[frozenset[int]] = []
        self.origin_index: dict[frozenset[int], int] = {}
        self.n_sent = 0
        self.n_boxed = 0
        #: whether every lane's engine runs the same forces (see ``Engine.local``)
        self.same_local = True
        #: the engines of the last command cycle and what was derived from them (engine's)
        self.cycle: tuple[Any, ...] | None = None
        #: a row's key -> the picture key ("remote", sender, track id) (engine's)
        self.key_of: dict[int, tuple[Any, ...]] = {}

    def bind(self, lane: int, engine: Any) -> None:
        self.engines[lane] = engine
        self.last[lane] = engine.last_activity

    # ------------------------------------------------------------------ sending
    def origin_of(self, sensors: frozenset[int]) -> int:
        k = self.origin_index.get(sensors)
        if k is None:
            k = self.origin_index[sensors] = len(self.origins)
            self.origins.append(sensors)
        return k

    def rows(
        self,
        times: np.ndarray,
        x: np.ndarray,
        P: np.ndarray,
        command: Any,
        sensors: list[frozenset[int]],
        distinct: set[frozenset[int]] | None = None,
    ) -> np.ndarray:
        """Rows of reports: states ``x`` (n, 6) and covariances ``P`` (n, 6, 6) at
        ``times``, sent at command counts ``command``, built from sensor-id sets ``sensors``
        (``distinct``: the set of them, if known); arrival and sending order to be set."""
        n = len(times)
        R = np.empty((n, WIDTH))
        R[:, C_COMMAND] = command
        if distinct is None:
            distinct = set(sensors)
        if len(distinct) == 1:
            R[:, C_ORIGIN] = self.origin_of(sensors[0])
        else:
            for ids in distinct:
                self.origin_of(ids)
            R[:, C_ORIGIN] = list(map(self.origin_index.__getitem__, sensors))
        R[:, C_TIME] = times
        R[:, C_X : C_X + 6] = x
        R[:, C_P:] = P.reshape(n, 36)
        return R

    def send(
        self,
        recipient: int,
        R: np.ndarray,
        K: np.ndarray,
        first: int | None = None,
        stride: int = 1,
        offset: int = 0,
    ) -> None:
        """Put rows ``R`` (:meth:`rows`, arrival set; kept as they are) with keys ``K`` on
        their way to ``recipient``. Their sending order is the order of the rows; with
        ``first``: numbers ``first + offset + stride * i`` (from :meth:`reserve`, where
        rows are sent to several recipients in turn)."""
        n = len(K)
        if not n:
            return
        if first is None:
            first = self.reserve(n)
        R[:, C_ORDER] = np.arange(first + offset, first + offset + stride * n, stride)
        self.pending[recipient].append((R, K))

    def reserve(self, n: int) -> int:
        """The first of ``n`` numbers of the sending order."""
        first = self.n_sent
        self.n_sent += n
        return first

    # ------------------------------------------------------------------ delivery
    def receive(self, recipient: int, t: float, inclusive: bool, lanes: Any) -> None:
        """Deliver to ``recipient`` in ``lanes`` (a mask over the lanes, one lane, or
        ``None``: all) what has arrived by ``t`` (at ``t`` too if ``inclusive``), in
        arrival order, then sending order. A delivery arriving after its lane's last
        activity is dropped unless a shot of the lane existing when it arrives still
        counts (as the engine drops events then)."""
        chunks = self.pending[recipient]
        if not chunks:
            return
        if len(chunks) > 1:
            R = np.concatenate([c[0] for c in chunks])
            K = np.concatenate([c[1] for c in chunks])
        else:
            R, K = chunks[0]
        if lanes is None:
            ok = self._lanes
        elif isinstance(lanes, np.ndarray):
            ok = lanes
        else:
            ok = np.zeros(self.n_lanes, dtype=bool)
            ok[lanes] = True
        idx, rest, n_late = _due(R[:, C_ARRIVAL], K, t, inclusive, ok, self.last)
        if not len(idx):
            if len(chunks) > 1:
                chunks[:] = [(R, K)]
            return
        chunks[:] = [(R[rest], K[rest])] if len(rest) else []
        if n_late:
            keep = np.ones(len(idx), dtype=bool)
            for j, i in enumerate(idx.tolist()):
                a = float(R[i, C_ARRIVAL])
                lane = int(K[i]) >> LANE_SHIFT
                if a > self.last[lane]:
                    sent_in = int(R[i, C_COMMAND])
                    # the shots existing when it arrives are the ones that count
                    keep[j] = any(
                        s.intercept_s >= a and (s.command <= sent_in or s.planned_s < a)
                        for s in self.engines[lane].shots
                    )
            idx = idx[keep]
            if not len(idx):
                return
        if isinstance(lanes, int) and self.n_lanes > 1:
            # one lane's deliveries change only its rows of the box (its rows are one run
            # of it, and _merge keeps the other lanes' rows as they are): merge them alone
            bR, bK = self.box[recipient]
            lo, hi = _lane_bounds(bK, lanes)
            sR, sK = _merge(bR[lo:hi], bK[lo:hi], R, K, idx, self.n_boxed)
            self.n_boxed += len(idx)
            if lo == 0 and hi == len(bK):
                self.box[recipient] = (sR, sK)
            else:
                self.box[recipient] = (
                    np.concatenate((bR[:lo], sR, bR[hi:])),
                    np.concatenate((bK[:lo], sK, bK[hi:])),
                )
            return
        self.deliver(recipient, R, K, idx)

    def deliver(self, recipient: int, R: np.ndarray, K: np.ndarray, idx: np.ndarray) -> None:
        """Apply the deliveries of rows ``idx`` of ``R`` (in that order) to ``recipient``'s
        box: a report replaces the one held of its track when its state time is not older;
        a track not held is added after the ones held."""
        bR, bK = self.box[recipient]
        self.box[recipient] = _merge(bR, bK, R, K, idx, self.n_boxed)
        self.n_boxed += len(idx)

    # ------------------------------------------------------------------ reading
    def held(
        self, recipient: int, t: float, stale_age: float, lanes: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``recipient``'s box in ``lanes`` (a mask, or ``None``: all lanes) once the
        reports older than ``stale_age`` at ``t`` are dropped there: its rows and keys (by
        lane, then order of first delivery)."""
        bR, bK = self.box[recipient]
        if not len(bK):
            return bR, bK
        stale = (t - bR[:, C_TIME]) > stale_age
        if lanes is not None:
            inside = lanes[bK >> LANE_SHIFT]
            stale &= inside
        if stale.any():
            fresh = ~stale
            bR, bK = bR[fresh], bK[fresh]
            self.box[recipient] = (bR, bK)
            if lanes is not None:
                inside = inside[fresh]
        if lanes is None:
            return bR, bK
        return bR[inside], bK[inside]

    def lane_rows(self, recipient: int, lane: int) -> tuple[np.ndarray, np.ndarray]:
        """Rows and keys of ``recipient``'s box in lane ``lane``."""
        bR, bK = self.box[recipient]
        if self.n_lanes == 1:
            return bR, bK
        lo, hi = _lane_bounds(bK, lane)
        return bR[lo:hi], bK[lo:hi]  # (views: the box's arrays are replaced, never changed)


def _lane_bounds(keys: np.ndarray, lane: int) -> tuple[int, int]:
    """Where lane ``lane``'s rows are in a box's ``keys`` (sorted by lane: the lane is the
    key's top bits, so a binary search on the keys finds the lane's bounds)."""
    lo, hi = keys.searchsorted((lane << LANE_SHIFT, (lane + 1) << LANE_SHIFT)).tolist()
    return lo, hi


@numba.njit(cache=True, nogil=True)
def _due(
    arrival: np.ndarray,
    keys: np.ndarray,
    t: float,
    inclusive: bool,
    lanes: np.ndarray,
    last: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, int]:  # pragma: no cover - compiled
    """The rows due by ``t`` in ``lanes`` in arrival order, then row order (stable), the
    other rows (in order) and how many of the due ones arrive after their lane's last
    activity."""
    n = len(arrival)
    due = np.zeros(n, dtype=np.bool_)
    m = 0
    for i in range(n):
        a = arrival[i]
        if (a <= t if inclusive else a < t) and lanes[keys[i] >> LANE_SHIFT]:
            due[i] = True
            m += 1
    idx = np.empty(m, dtype=np.int64)
    rest = np.empty(n - m, dtype=np.int64)
    j = 0
    k = 0
    for i in range(n):
        if due[i]:
            idx[j] = i
            j += 1
        else:
            rest[k] = i
            k += 1
    idx = idx[np.argsort(arrival[idx], kind="mergesort")]
    n_late = 0
    for i in idx:
        if arrival[i] > last[keys[i] >> LANE_SHIFT]:
            n_late += 1
    return idx, rest, n_late


@numba.njit(cache=True, nogil=True)
def _merge(
    bR: np.ndarray, bK: np.ndarray, R: np.ndarray, K: np.ndarray, idx: np.ndarray, n_boxed: int
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """The box ``bR, bK`` after the deliveries of rows ``idx`` of ``R, K`` in that order
    (see :meth:`SharedTracks.deliver`); new tracks' order of first delivery counts on from
    ``n_boxed``."""
    nb = len(bK)
    n = nb + len(idx)
    allK = np.empty(n, dtype=np.int64)
    allK[:nb] = bK
    for j in range(len(idx)):
        allK[nb + j] = K[idx[j]]
    # by key; within a key, the held report first, then the deliveries in order
    o = np.argsort(allK, kind="mergesort")
    win = np.empty(n, dtype=np.int64)
    first = np.empty(n, dtype=np.int64)
    g = 0
    i = 0
    while i < n:
        j0 = o[i]
        w = j0
        tw = bR[j0, C_TIME] if j0 < nb else R[idx[j0 - nb], C_TIME]
        first[g] = np.int64(bR[j0, C_ORDER]) if j0 < nb else n_boxed + (j0 - nb)
        i += 1
        while i < n and allK[o[i]] == allK[j0]:
            j = o[i]
            tj = bR[j, C_TIME] if j < nb else R[idx[j - nb], C_TIME]
            if tj >= tw:  # a report not older replaces the one held
                w = j
                tw = tj
            i += 1
        win[g] = w
        g += 1
    # by lane, then order of first delivery
    place = np.empty(g, dtype=np.int64)
    for q in range(g):
        place[q] = ((allK[win[q]] >> LANE_SHIFT) << LANE_SHIFT) | first[q]
    o2 = np.argsort(place)
    outR = np.empty((g, R.shape[1]))
    outK = np.empty(g, dtype=np.int64)
    for q in range(g):
        s = win[o2[q]]
        if s < nb:
            outR[q] = bR[s]
        else:
            outR[q] = R[idx[s - nb]]
        outR[q, C_ORDER] = first[o2[q]]
        outK[q] = allK[s]
    return outR, outK
