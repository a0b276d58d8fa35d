"""What the interop writers consume: entity tracks over time and a list of discrete events.

These are small, explicit, engine-independent structures: the engine (or anything else) fills
them, and the DIS, CZML and KML writers read them. Arrays are batch-first, SI units, ECEF
WGS84 positions (m) and Earth-relative ECEF velocities (m/s), time in seconds since the
scenario epoch.

A track with a single sample is a *static* entity (a radar, a battery, a defended asset):
it exists from that time to the end of whatever is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

from hoplon.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from hoplon.flight.trajectory import Trajectory

EntityKind = Literal["threat", "interceptor", "sensor", "battery", "asset"]
EventKind = Literal["fire", "detonation", "impact", "intercept", "launch"]

ENTITY_KINDS: tuple[str, ...] = ("threat", "interceptor", "sensor", "battery", "asset")
EVENT_KINDS: tuple[str, ...] = ("fire", "detonation", "impact", "intercept", "launch")

#: Default DIS entity types (kind, domain, country, category, subcategory, specific, extra)
#: by Hoplon entity kind. Enumerations from SISO-REF-010 (DIS enumerations), generic and
#: notional: country 0 "Other".
#:
#: - threat: kind 2 Munition, munition domain 11 Tactical, category 1 Guided.
#: - interceptor: kind 2 Munition, munition domain 1 Anti-Air, category 1 Guided.
#:   (For kind 2 the domain field is the *munition* domain, SISO-REF-010 UID 14:
#:   1 Anti-Air, 2 Anti-Armor, 3 Anti-Guided Weapon, ..., 10 Strategic, 11 Tactical.)
#: - sensor, battery: kind 1 Platform, domain 1 Land.
#: - asset: kind 9 Cultural feature, domain 1 Land.
DEFAULT_DIS_TYPES: dict[str, tuple[int, int, int, int, int, int, int]] = {
    "threat": (2, 11, 0, 1, 0, 0, 0),
    "interceptor": (2, 1, 0, 1, 0, 0, 0),
    "sensor": (1, 1, 0, 0, 0, 0, 0),
    "battery": (1, 1, 0, 0, 0, 0, 0),
    "asset": (9, 1, 0, 0, 0, 0, 0),
}

#: DIS force ids (SISO-REF-010 UID 6): 0 Other, 1 Friendly, 2 Opposing, 3 Neutral.
FORCE_OTHER, FORCE_FRIENDLY, FORCE_OPPOSING, FORCE_NEUTRAL = 0, 1, 2, 3
_OPPOSING_NAMES = {"red", "opposing", "enemy", "attack", "attacker", "hostile", "threat"}
_NEUTRAL_NAMES = {"neutral", "white", "grey", "gray"}
_OTHER_NAMES = {"other", "unknown", ""}

_DIS_TYPE_LIMITS = (255, 255, 65535, 255, 255, 255, 255)


def force_id_for(force: str) -> int:
    """DIS force id for a force name: red/opposing/attack... -> 2, neutral -> 3, else 1.

    Every defending partner (blue, green, ...) is *friendly* (1); the lead's run mapping
    may set :attr:`EntityTrack.force_id` explicitly instead (e.g. from a force's role).
    """
    key = force.strip().lower()
    if key in _OPPOSING_NAMES:
        return FORCE_OPPOSING
    if key in _NEUTRAL_NAMES:
        return FORCE_NEUTRAL
    if key in _OTHER_NAMES:
        return FORCE_OTHER
    return FORCE_FRIENDLY


def _frozen_array(value: object, name: str, shape_tail: tuple[int, ...]) -> np.ndarray:
    arr = np.array(value, dtype=np.float64, copy=True)
    if arr.ndim != 1 + len(shape_tail) or arr.shape[1:] != shape_tail:
        want = "(k" + "".join(f", {n}" for n in shape_tail) + ")"
        raise InputError(name, f"must have shape {want}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise InputError(name, "must be finite")
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class EntityTrack:
    """One entity's states over time.

    Parameters
    ----------
    entity_id : int
        Identifier, unique in a run, 1..65534 (it becomes the DIS entity number).
    name : str
        Label; the first 11 ASCII characters become the DIS marking.
    force : str
        Owning force ("blue", "green", "red", ...).
    kind : {"threat", "interceptor", "sensor", "battery", "asset"}
        What the entity is.
    t_s : (k,) array
        Sample times [s since the scenario epoch], non-decreasing (a repeated time marks a
        phase boundary).
    r_ecef_m : (k, 3) array
        ECEF WGS84 positions [m].
    v_ecef_mps : (k, 3) array, optional
        Earth-relative ECEF velocities [m/s]; zeros when omitted.
    dis_type : tuple of 7 int, optional
        DIS entity type; :data:`DEFAULT_DIS_TYPES` for ``kind`` when omitted.
    force_id : int, optional
        DIS force id; :func:`force_id_for` of ``force`` when omitted.
    """

    entity_id: int
    name: str
    force: str
    kind: str
    t_s: np.ndarray
    r_ecef_m: np.ndarray
    v_ecef_mps: np.ndarray | None = None
    dis_type: tuple[int, int, int, int, int, int, int] | None = None
    force_id: int | None = None
    metadata: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.entity_id, int | np.integer) or not 1 <= self.entity_id <= 65534:
            raise InputError("entity_id", f"{self.entity_id!r} is not valid", "1 to 65534")
        if self.kind not in ENTITY_KINDS:
            raise InputError("kind", f"unknown entity kind {self.kind!r}", ", ".join(ENTITY_KINDS))
        t = _frozen_array(self.t_s, "t_s", ())
        if t.size == 0:
            raise InputError("t_s", "a track needs at least one sample")
        if np.any(np.diff(t) < 0):
            raise InputError("t_s", "must be non-decreasing")
        r = _frozen_array(self.r_ecef_m, "r_ecef_m", (3,))
        v = (
            np.zeros_like(r)
            if self.v_ecef_mps is None
            else _frozen_array(self.v_ecef_mps, "v_ecef_mps", (3,))
        )
        if r.shape[0] != t.size or v.shape[0] != t.size:
            raise InputError("r_ecef_m", f"needs {t.size} rows like t_s, got {r.shape[0]}")
        v.setflags(write=False)
        dis_type = DEFAULT_DIS_TYPES[self.kind] if self.dis_type is None else self.dis_type
        dis_type = tuple(int(x) for x in dis_type)
        if len(dis_type) != 7 or any(
            not 0 <= x <= hi for x, hi in zip(dis_type, _DIS_TYPE_LIMITS, strict=True)
        ):
            raise InputError(
                "dis_type", f"{dis_type!r} is not a DIS entity type", "7 unsigned integers"
            )
        force_id = force_id_for(self.force) if self.force_id is None else int(self.force_id)
        if not 0 <= force_id <= 255:
            raise InputError("force_id", f"{force_id} is out of range", "0 to 255")
        object.__setattr__(self, "entity_id", int(self.entity_id))
        object.__setattr__(self, "t_s", t)
        object.__setattr__(self, "r_ecef_m", r)
        object.__setattr__(self, "v_ecef_mps", v)
        object.__setattr__(self, "dis_type", dis_type)
        object.__setattr__(self, "force_id", force_id)

    @property
    def start_s(self) -> float:
        """First sample time [s]."""
        return float(self.t_s[0])

    @property
    def end_s(self) -> float:
        """Last sample time [s]."""
        return float(self.t_s[-1])

    @property
    def is_static(self) -> bool:
        """A single-sample track: a fixed entity that exists from its time onwards."""
        return self.t_s.size == 1

    def state_at(self, t: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Position and velocity at times ``t`` [s] (cubic Hermite on each interval).

        Position: ``r(s) = h00 r0 + h10 h v0 + h01 r1 + h11 h v1`` with ``s = (t - t0)/h``;
        velocity: linear between samples. Outside [start, end] the result is NaN, except
        for a static track, whose position holds for every ``t >= start``.

        Returns
        -------
        r : (..., 3) array [m], v : (..., 3) array [m/s]
        """
        tq = np.asarray(t, dtype=np.float64)
        flat = tq.reshape(-1)
        r_out = np.full((flat.size, 3), np.nan)
        v_out = np.full((flat.size, 3), np.nan)
        ts = self.t_s
        if ts.size == 1:
            ok = flat >= ts[0]
            r_out[ok] = self.r_ecef_m[0]
            v_out[ok] = self.v_ecef_mps[0]
        else:
            ok = (flat >= ts[0]) & (flat <= ts[-1])
            tt = flat[ok]
            k = np.clip(np.searchsorted(ts, tt, side="right") - 1, 0, ts.size - 2)
            zero = ts[k + 1] <= ts[k]
            k = np.where(zero, np.maximum(k - 1, 0), k)
            h = ts[k + 1] - ts[k]
            hs = np.where(h > 0, h, 1.0)
            s = np.where(h > 0, (tt - ts[k]) / hs, 1.0)[:, None]
            h = h[:, None]
            r0, r1 = self.r_ecef_m[k], self.r_ecef_m[k + 1]
            v0, v1 = self.v_ecef_mps[k], self.v_ecef_mps[k + 1]
            h00 = (1 + 2 * s) * (1 - s) ** 2
            h10 = s * (1 - s) ** 2
            h01 = s * s * (3 - 2 * s)
            h11 = s * s * (s - 1)
            r_out[ok] = h00 * r0 + h10 * h * v0 + h01 * r1 + h11 * h * v1
            v_out[ok] = (1 - s) * v0 + s * v1
        return r_out.reshape((*tq.shape, 3)), v_out.reshape((*tq.shape, 3))


@dataclass(frozen=True, eq=False)
class SimEvent:
    """Something that happened at one instant.

    Parameters
    ----------
    time_s : float
        When [s since the scenario epoch].
    kind : {"fire", "detonation", "impact", "intercept", "launch"}
        ``launch``/``fire``: a munition leaves its launcher (DIS Fire PDU).
        ``intercept``/``impact``/``detonation``: a munition ends (DIS Detonation PDU).
    entity_id : int
        The munition concerned (the interceptor for fire/intercept, the threat for launch
        and impact).
    r_ecef_m : (3,) array
        Where [m, ECEF].
    target_id : int, optional
        The entity aimed at / hit (the threat for an intercept).
    shooter_id : int, optional
        The firing entity (the battery), when known.
    v_ecef_mps : (3,) array, optional
        Velocity of the munition at the event [m/s]; zeros when omitted.
    result : str or int
        Outcome: ``"kill"``/``"hit"``, ``"miss"``, ``"ground_impact"``, ... or a DIS
        detonation-result number (see ``hoplon.interop.stream.DETONATION_RESULTS``).
    event_number : int, optional
        Links a detonation to its fire (same DIS event id); assigned when omitted.
    """

    time_s: float
    kind: str
    entity_id: int
    r_ecef_m: np.ndarray
    target_id: int | None = None
    shooter_id: int | None = None
    v_ecef_mps: np.ndarray | None = None
    result: str | int = ""
    event_number: int | None = None
    name: str = ""

    def __post_init__(self) -> None:
        if self.kind not in EVENT_KINDS:
            raise InputError("kind", f"unknown event kind {self.kind!r}", ", ".join(EVENT_KINDS))
        if not np.isfinite(self.time_s):
            raise InputError("time_s", "must be finite")
        r = np.array(self.r_ecef_m, dtype=np.float64).reshape(-1)
        v = np.zeros(3) if self.v_ecef_mps is None else np.array(self.v_ecef_mps, float).ravel()
        if r.shape != (3,) or v.shape != (3,):
            raise InputError("r_ecef_m", "position and velocity must have 3 components")
        if not (np.all(np.isfinite(r)) and np.all(np.isfinite(v))):
            raise InputError("r_ecef_m", "must be finite")
        for name in ("entity_id", "target_id", "shooter_id"):
            value = getattr(self, name)
            if value is not None and not 0 <= int(value) <= 65535:
                raise InputError(name, f"{value!r} is out of range", "0 to 65535")
        r.setflags(write=False)
        v.setflags(write=False)
        object.__setattr__(self, "time_s", float(self.time_s))
        object.__setattr__(self, "r_ecef_m", r)
        object.__setattr__(self, "v_ecef_mps", v)


def entity_from_trajectory(
    traj: Trajectory,
    entity_id: int,
    name: str | None = None,
    force: str = "red",
    kind: str = "threat",
    dis_type: tuple[int, int, int, int, int, int, int] | None = None,
    force_id: int | None = None,
) -> EntityTrack:
    """An :class:`EntityTrack` from a ``hoplon.flight.Trajectory`` (its samples, not resampled).

    ``traj.y[:, 0:3]`` are the ECEF positions, ``traj.y[:, 3:6]`` the Earth-relative
    velocities; the mass column is dropped. ``name`` defaults to the trajectory's name.
    """
    return EntityTrack(
        entity_id=entity_id,
        name=traj.name if name is None else name,
        force=force,
        kind=kind,
        t_s=traj.t_s,
        r_ecef_m=traj.y[:, 0:3],
        v_ecef_mps=traj.y[:, 3:6],
        dis_type=dis_type,
        force_id=force_id,
        metadata={"source": "trajectory", **traj.metadata},
    )
