"""A time-ordered DIS PDU stream from entity tracks and events.

Entity State PDUs are sampled every ``dt`` seconds while each entity exists (and at its
last sample); a ``fire``/``launch`` event gives a Fire PDU, an ``intercept``/``impact``/
``detonation`` event a Detonation PDU. Timestamps are DIS *relative* timestamps of the
simulation time (seconds since the scenario epoch, modulo one hour).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from hoplon.errors import InputError
from hoplon.interop.entities import DEFAULT_DIS_TYPES, EntityTrack, SimEvent
from hoplon.interop.orientation import axes_from_euler, euler_from_velocity
from hoplon.interop.pdu import (
    NO_ENTITY,
    STATUS_CONSTRUCTIVE,
    BurstDescriptor,
    DeadReckoning,
    DetonationPdu,
    EntityId,
    EntityStatePdu,
    EntityType,
    EventId,
    FirePdu,
    Pdu,
    dis_timestamp,
    marking_from_name,
)

#: Detonation results (SISO-REF-010 UID 62) by outcome name.
DETONATION_RESULTS: dict[str, int] = {
    "other": 0,
    "entity_impact": 1,
    "kill": 1,
    "hit": 1,
    "entity_proximate_detonation": 2,
    "proximate": 2,
    "ground_impact": 3,
    "impact": 3,
    "ground_proximate_detonation": 4,
    "detonation": 5,
    "self_destruct": 5,
    "none": 6,
    "miss": 6,
    "dud": 6,
}

#: Detonation result when an event's ``result`` is empty, by event kind.
_DEFAULT_RESULT = {"intercept": 1, "impact": 3, "detonation": 5}

#: Dead-reckoning algorithm used for moving entities: DRM(F,V,W) = 5 (fixed orientation,
#: constant acceleration, world axes); static entities use 1 (Static).
DRM_FVW, DRM_STATIC = 5, 1


@dataclass(frozen=True)
class TimedPdu:
    """A PDU and the simulation time [s] it belongs to."""

    time_s: float
    pdu: Pdu


def detonation_result(event: SimEvent) -> int:
    """DIS detonation result number for an event (see :data:`DETONATION_RESULTS`)."""
    if isinstance(event.result, int | np.integer):
        if not 0 <= int(event.result) <= 255:
            raise InputError("result", f"{event.result} is out of range", "0 to 255")
        return int(event.result)
    key = str(event.result).strip().lower()
    if not key:
        return _DEFAULT_RESULT.get(event.kind, 5)
    if key not in DETONATION_RESULTS:
        allowed = ", ".join(DETONATION_RESULTS)
        raise InputError("result", f"unknown result {event.result!r}", allowed)
    return DETONATION_RESULTS[key]


def _sample_times(track: EntityTrack, dt: float, end_s: float) -> np.ndarray:
    start = track.start_s
    stop = end_s if track.is_static else track.end_s
    n = math.floor((stop - start) / dt + 1e-9)
    t = start + dt * np.arange(n + 1)
    if t[-1] < stop - 1e-9:
        t = np.append(t, stop)
    return t


def _acceleration(track: EntityTrack, t: np.ndarray) -> np.ndarray:
    """Linear acceleration [m/s^2] at ``t`` from finite differences of the sampled velocity."""
    ts = track.t_s
    if ts.size < 2:
        return np.zeros((t.size, 3))
    keep = np.concatenate(([True], np.diff(ts) > 0))
    ts, vs = ts[keep], track.v_ecef_mps[keep]
    if ts.size < 2:
        return np.zeros((t.size, 3))
    a = np.gradient(vs, ts, axis=0)
    return np.stack([np.interp(t, ts, a[:, i]) for i in range(3)], axis=-1)


def entity_state_pdus(
    track: EntityTrack,
    dt: float,
    end_s: float,
    exercise_id: int = 1,
    site: int = 1,
    application: int = 1,
) -> list[TimedPdu]:
    """Entity State PDUs of one track, every ``dt`` [s] from its start to its end
    (a static track: to ``end_s``)."""
    t = _sample_times(track, dt, end_s)
    r, v = track.state_at(t)
    euler = euler_from_velocity(r, v)
    acc = _acceleration(track, t)
    moving = not track.is_static and bool(np.any(track.v_ecef_mps != 0))
    eid = EntityId(site, application, track.entity_id)
    etype = EntityType(*track.dis_type)
    marking = marking_from_name(track.name)
    out = []
    for i, ti in enumerate(t):
        dr = (
            DeadReckoning(DRM_FVW, linear_acceleration=acc[i])
            if moving
            else DeadReckoning(DRM_STATIC)
        )
        out.append(
            TimedPdu(
                float(ti),
                EntityStatePdu(
                    entity_id=eid,
                    entity_type=etype,
                    force_id=track.force_id,
                    location=r[i],
                    linear_velocity=v[i],
                    orientation=euler[i],
                    dead_reckoning=dr,
                    marking=marking,
                    exercise_id=exercise_id,
                    timestamp=dis_timestamp(float(ti)),
                    pdu_status=STATUS_CONSTRUCTIVE,
                ),
            )
        )
    return out


def _track_state(
    tracks: dict[int, EntityTrack], entity: int | None, t: float
) -> tuple[np.ndarray, np.ndarray] | None:
    if entity is None or entity not in tracks:
        return None
    track = tracks[entity]
    tq = min(max(t, track.start_s), track.end_s) if not track.is_static else max(t, track.start_s)
    r, v = track.state_at(tq)
    return r, v


def event_pdu(
    event: SimEvent,
    tracks: dict[int, EntityTrack],
    event_number: int,
    exercise_id: int = 1,
    site: int = 1,
    application: int = 1,
) -> Pdu:
    """The Fire or Detonation PDU of one event (target state taken from ``tracks``)."""

    def ident(entity: int | None) -> EntityId:
        return NO_ENTITY if entity is None else EntityId(site, application, int(entity))

    munition = tracks.get(event.entity_id)
    if munition is not None:
        mtype = munition.dis_type
    else:
        mtype = DEFAULT_DIS_TYPES["threat" if event.kind in ("launch", "impact") else "interceptor"]
    descriptor = BurstDescriptor(EntityType(*mtype), warhead=0, fuse=0, quantity=1, rate=0)
    common = {
        "firing_entity_id": ident(event.shooter_id),
        "target_entity_id": ident(event.target_id),
        "munition_id": ident(event.entity_id),
        "event_id": EventId(site, application, event_number),
        "location": event.r_ecef_m,
        "velocity": event.v_ecef_mps,
        "descriptor": descriptor,
        "exercise_id": exercise_id,
        "timestamp": dis_timestamp(event.time_s),
        "pdu_status": STATUS_CONSTRUCTIVE,
    }
    target = _track_state(tracks, event.target_id, event.time_s)
    if event.kind in ("fire", "launch"):
        range_m = 0.0 if target is None else float(np.linalg.norm(target[0] - event.r_ecef_m))
        return FirePdu(range_m=range_m, **common)
    location_entity = np.zeros(3)
    if target is not None:
        r_t, v_t = target
        axes = axes_from_euler(euler_from_velocity(r_t, v_t))
        location_entity = axes @ (event.r_ecef_m - r_t)
    return DetonationPdu(location_entity=location_entity, result=detonation_result(event), **common)


def pdus_from_entities(
    entities: Sequence[EntityTrack],
    events: Sequence[SimEvent] = (),
    exercise_id: int = 1,
    site: int = 1,
    application: int = 1,
    dt: float = 1.0,
) -> list[TimedPdu]:
    """A time-ordered DIS stream: Entity State PDUs every ``dt`` [s] and Fire/Detonation PDUs.

    Event ids: a fire/launch event gets a new event number (or its own ``event_number``);
    a later intercept/impact/detonation of the same munition reuses it, so receivers can
    pair them. At equal times, PDUs keep the order: entity states, then events.

    Raises
    ------
    InputError
        For a non-positive ``dt``, duplicate entity ids, or ids out of range.
    """
    if not (math.isfinite(dt) and dt > 0):
        raise InputError("dt", f"{dt!r} must be a positive number of seconds")
    for name, value, hi in (
        ("exercise_id", exercise_id, 255),
        ("site", site, 65535),
        ("application", application, 65535),
    ):
        if not 0 <= int(value) <= hi:
            raise InputError(name, f"{value!r} is out of range", f"0 to {hi}")
    tracks: dict[int, EntityTrack] = {}
    for track in entities:
        if track.entity_id in tracks:
            raise InputError("entities", f"duplicate entity id {track.entity_id}")
        tracks[track.entity_id] = track
    ends = [tr.end_s for tr in entities] + [ev.time_s for ev in events]
    end_s = max(ends) if ends else 0.0
    stream: list[tuple[float, int, int, TimedPdu]] = []
    seq = 0
    for track in entities:
        for item in entity_state_pdus(track, dt, end_s, exercise_id, site, application):
            stream.append((item.time_s, 0, seq, item))
            seq += 1
    fired: dict[int, int] = {}
    next_number = 1
    for event in sorted(events, key=lambda e: e.time_s):
        if event.event_number is not None:
            number = int(event.event_number)
        elif event.kind not in ("fire", "launch") and event.entity_id in fired:
            number = fired[event.entity_id]
        else:
            number = next_number
        next_number = max(next_number, number + 1)
        if event.kind in ("fire", "launch"):
            fired[event.entity_id] = number
        pdu = event_pdu(event, tracks, number % 65536, exercise_id, site, application)
        stream.append((event.time_s, 1, seq, TimedPdu(event.time_s, pdu)))
        seq += 1
    stream.sort(key=lambda x: x[:3])
    return [item for *_, item in stream]
