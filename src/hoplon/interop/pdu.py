"""A compact IEEE 1278.1-2012 (DIS version 7) codec: Entity State, Fire and Detonation PDUs.

Big-endian (network byte order) records built with :mod:`struct`. Sizes without variable
parameter records: header 12 bytes, Entity State 144, Fire 96, Detonation 104; each
variable parameter record adds 16 bytes.

Header (12 bytes)::

    protocol version u8 (7) | exercise id u8 | PDU type u8 | protocol family u8
    timestamp u32 | length u16 | PDU status u8 | padding u8

Timestamps (IEEE 1278.1 §6.2.88): the 31 most significant bits count units of
``3600 s / 2**31`` (about 1.676 us) since the start of the current hour; the least
significant bit is 0 for relative time and 1 for absolute (UTC-synchronised) time.

Decoding has two entry points: :func:`decode_pdu` (strict: raises :class:`MalformedPdu`
with a :attr:`~MalformedPdu.reason`) and :func:`classify_datagram` (never raises: splits a
datagram into PDUs and classifies each as decoded or malformed for one of the reasons in
:data:`REASONS`).
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from hoplon.errors import InputError

PROTOCOL_VERSION = 7
ENTITY_STATE, FIRE, DETONATION = 1, 2, 3
FAMILY_ENTITY_INFORMATION, FAMILY_WARFARE = 1, 2
PDU_NAMES = {ENTITY_STATE: "entity_state", FIRE: "fire", DETONATION: "detonation"}
PDU_FAMILY = {ENTITY_STATE: FAMILY_ENTITY_INFORMATION, FIRE: FAMILY_WARFARE, DETONATION: 2}

#: PDU status byte with LVC = 3 (constructive simulation), bits 1-2 (IEEE 1278.1-2012 §6.2.67).
STATUS_CONSTRUCTIVE = 0b0000_0110

#: Reasons a datagram (or part of one) is not a PDU we decode.
REASONS = ("short", "truncated", "bad_version", "bad_length", "unsupported", "garbage")

HEADER = struct.Struct(">BBBBIHBB")
_ES = struct.Struct(">HHHBB BBHBBBB BBHBBBB 3f 3d 3f I B15s3f3f B11s I".replace(" ", ""))
_FIRE = struct.Struct(">HHH HHH HHH HHH I 3d BBHBBBB HHHH 3f f".replace(" ", ""))
_DET = struct.Struct(">HHH HHH HHH HHH 3f 3d BBHBBBB HHHH 3f BBH".replace(" ", ""))
ES_SIZE = HEADER.size + _ES.size  # 144
FIRE_SIZE = HEADER.size + _FIRE.size  # 96
DETONATION_SIZE = HEADER.size + _DET.size  # 104
VP_SIZE = 16
assert (ES_SIZE, FIRE_SIZE, DETONATION_SIZE) == (144, 96, 104)

TIME_UNITS_PER_S = 2**31 / 3600.0


class EntityId(NamedTuple):
    """DIS entity identifier (site, application, entity), each u16."""

    site: int
    application: int
    entity: int


class EventId(NamedTuple):
    """DIS event identifier (site, application, event number), each u16."""

    site: int
    application: int
    event_number: int


class EntityType(NamedTuple):
    """DIS entity type (SISO-REF-010): kind, domain, country (u16), category, ..., extra."""

    kind: int = 0
    domain: int = 0
    country: int = 0
    category: int = 0
    subcategory: int = 0
    specific: int = 0
    extra: int = 0


NO_ENTITY = EntityId(0, 0, 0)
NO_TYPE = EntityType()
NO_EVENT = EventId(0, 0, 0)


def _f32(values: tuple[float, ...] | list[float] | np.ndarray) -> tuple[float, ...]:
    """Round to float32 precision (what the wire carries), as Python floats."""
    return tuple(float(x) for x in np.asarray(values, dtype=np.float32).reshape(-1))


def _f64(values: tuple[float, ...] | list[float] | np.ndarray) -> tuple[float, ...]:
    return tuple(float(x) for x in np.asarray(values, dtype=np.float64).reshape(-1))


@dataclass(frozen=True)
class DeadReckoning:
    """Dead-reckoning parameters (40 bytes): algorithm, 15 bytes of other parameters,
    linear acceleration (float32, m/s^2, world axes for the *W algorithms) and angular
    velocity (float32, rad/s, body axes).

    Algorithms (SISO-REF-010 UID 44): 1 Static, 2 DRM(F,P,W), 3 DRM(R,P,W), 4 DRM(R,V,W),
    5 DRM(F,V,W), 6-9 the same in body axes.
    """

    algorithm: int = 2
    other: bytes = bytes(15)
    linear_acceleration: tuple[float, float, float] = (0.0, 0.0, 0.0)
    angular_velocity: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def __post_init__(self) -> None:
        object.__setattr__(self, "linear_acceleration", _f32(self.linear_acceleration))
        object.__setattr__(self, "angular_velocity", _f32(self.angular_velocity))
        object.__setattr__(self, "other", bytes(self.other).ljust(15, b"\0")[:15])


@dataclass(frozen=True)
class BurstDescriptor:
    """Munition descriptor (16 bytes): munition type, warhead, fuse, quantity, rate."""

    munition: EntityType = NO_TYPE
    warhead: int = 0
    fuse: int = 0
    quantity: int = 1
    rate: int = 0


def _check_vp(records: tuple[bytes, ...]) -> tuple[bytes, ...]:
    out = tuple(bytes(r) for r in records)
    if any(len(r) != VP_SIZE for r in out):
        raise InputError("variable_parameters", "each record must be 16 bytes")
    if len(out) > 255:
        raise InputError("variable_parameters", "at most 255 records")
    return out


@dataclass(frozen=True)
class EntityStatePdu:
    """Entity State PDU (type 1, family 1 Entity Information/Interaction).

    ``location`` is ECEF [m] (float64), ``linear_velocity`` ECEF [m/s] (float32),
    ``orientation`` DIS Euler angles (psi, theta, phi) [rad] (float32); float32 fields are
    rounded on construction, so ``decode(encode(p)) == p`` exactly.
    """

    entity_id: EntityId
    entity_type: EntityType = NO_TYPE
    force_id: int = 0
    location: tuple[float, float, float] = (0.0, 0.0, 0.0)
    linear_velocity: tuple[float, float, float] = (0.0, 0.0, 0.0)
    orientation: tuple[float, float, float] = (0.0, 0.0, 0.0)
    alternative_entity_type: EntityType = NO_TYPE
    appearance: int = 0
    dead_reckoning: DeadReckoning = field(default_factory=DeadReckoning)
    marking: str = ""
    marking_charset: int = 1
    capabilities: int = 0
    variable_parameters: tuple[bytes, ...] = ()
    exercise_id: int = 1
    timestamp: int = 0
    pdu_status: int = 0

    pdu_type = ENTITY_STATE

    def __post_init__(self) -> None:
        object.__setattr__(self, "entity_id", EntityId(*self.entity_id))
        object.__setattr__(self, "entity_type", EntityType(*self.entity_type))
        alt = EntityType(*self.alternative_entity_type)
        object.__setattr__(self, "alternative_entity_type", alt)
        object.__setattr__(self, "location", _f64(self.location))
        object.__setattr__(self, "linear_velocity", _f32(self.linear_velocity))
        object.__setattr__(self, "orientation", _f32(self.orientation))
        object.__setattr__(self, "variable_parameters", _check_vp(self.variable_parameters))
        _marking_bytes(self.marking)

    @property
    def length(self) -> int:
        return ES_SIZE + VP_SIZE * len(self.variable_parameters)


@dataclass(frozen=True)
class FirePdu:
    """Fire PDU (type 2, family 2 Warfare). ``location`` ECEF [m], ``velocity`` [m/s],
    ``range_m`` the fire-control range [m] (0 when unknown)."""

    firing_entity_id: EntityId
    target_entity_id: EntityId = NO_ENTITY
    munition_id: EntityId = NO_ENTITY
    event_id: EventId = NO_EVENT
    fire_mission_index: int = 0
    location: tuple[float, float, float] = (0.0, 0.0, 0.0)
    descriptor: BurstDescriptor = BurstDescriptor()
    velocity: tuple[float, float, float] = (0.0, 0.0, 0.0)
    range_m: float = 0.0
    exercise_id: int = 1
    timestamp: int = 0
    pdu_status: int = 0

    pdu_type = FIRE

    def __post_init__(self) -> None:
        for name in ("firing_entity_id", "target_entity_id", "munition_id"):
            object.__setattr__(self, name, EntityId(*getattr(self, name)))
        object.__setattr__(self, "event_id", EventId(*self.event_id))
        object.__setattr__(self, "location", _f64(self.location))
        object.__setattr__(self, "velocity", _f32(self.velocity))
        object.__setattr__(self, "range_m", _f32([self.range_m])[0])
        d = self.descriptor
        object.__setattr__(
            self,
            "descriptor",
            BurstDescriptor(EntityType(*d.munition), d.warhead, d.fuse, d.quantity, d.rate),
        )

    @property
    def length(self) -> int:
        return FIRE_SIZE


@dataclass(frozen=True)
class DetonationPdu:
    """Detonation PDU (type 3, family 2 Warfare).

    ``location`` ECEF [m] (float64); ``location_entity`` the detonation point in the
    target's body axes relative to its centre [m] (float32); ``result`` the detonation
    result (SISO-REF-010 UID 62: 0 Other, 1 Entity Impact, 2 Entity Proximate Detonation,
    3 Ground Impact, 4 Ground Proximate Detonation, 5 Detonation, 6 None or No Detonation).
    """

    firing_entity_id: EntityId
    target_entity_id: EntityId = NO_ENTITY
    munition_id: EntityId = NO_ENTITY
    event_id: EventId = NO_EVENT
    velocity: tuple[float, float, float] = (0.0, 0.0, 0.0)
    location: tuple[float, float, float] = (0.0, 0.0, 0.0)
    descriptor: BurstDescriptor = BurstDescriptor()
    location_entity: tuple[float, float, float] = (0.0, 0.0, 0.0)
    result: int = 5
    variable_parameters: tuple[bytes, ...] = ()
    exercise_id: int = 1
    timestamp: int = 0
    pdu_status: int = 0

    pdu_type = DETONATION

    def __post_init__(self) -> None:
        for name in ("firing_entity_id", "target_entity_id", "munition_id"):
            object.__setattr__(self, name, EntityId(*getattr(self, name)))
        object.__setattr__(self, "event_id", EventId(*self.event_id))
        object.__setattr__(self, "location", _f64(self.location))
        object.__setattr__(self, "velocity", _f32(self.velocity))
        object.__setattr__(self, "location_entity", _f32(self.location_entity))
        object.__setattr__(self, "variable_parameters", _check_vp(self.variable_parameters))
        d = self.descriptor
        object.__setattr__(
            self,
            "descriptor",
            BurstDescriptor(EntityType(*d.munition), d.warhead, d.fuse, d.quantity, d.rate),
        )

    @property
    def length(self) -> int:
        return DETONATION_SIZE + VP_SIZE * len(self.variable_parameters)


Pdu = EntityStatePdu | FirePdu | DetonationPdu


# ------------------------------------------------------------------------------ time


def dis_timestamp(t_s: float, absolute: bool = False) -> int:
    """DIS timestamp of ``t_s`` seconds (taken modulo one hour).

    ``units = floor((t mod 3600) * 2**31 / 3600)``, ``timestamp = units << 1 | absolute``.
    """
    if not math.isfinite(t_s):
        raise InputError("t_s", "must be finite")
    units = min(math.floor((t_s % 3600.0) * TIME_UNITS_PER_S), 2**31 - 1)
    return (units << 1) | int(bool(absolute))


def timestamp_seconds(timestamp: int) -> tuple[float, bool]:
    """Seconds past the hour and the absolute flag of a DIS timestamp."""
    return (timestamp >> 1) / TIME_UNITS_PER_S, bool(timestamp & 1)


# ------------------------------------------------------------------------------ encode


def _marking_bytes(marking: str) -> bytes:
    try:
        raw = marking.encode("latin-1")
    except UnicodeEncodeError:
        raise InputError("marking", f"{marking!r} is not 8-bit text", "ASCII") from None
    if len(raw) > 11:
        raise InputError("marking", f"{marking!r} is longer than 11 characters")
    return raw.ljust(11, b"\0")


def marking_from_name(name: str) -> str:
    """An 11-character ASCII DIS marking from any label (non-ASCII becomes ``?``)."""
    return name.encode("ascii", "replace").decode("ascii")[:11]


def _header(p: Pdu) -> bytes:
    return HEADER.pack(
        PROTOCOL_VERSION,
        p.exercise_id,
        p.pdu_type,
        PDU_FAMILY[p.pdu_type],
        p.timestamp,
        p.length,
        p.pdu_status,
        0,
    )


def _body(p: Pdu) -> bytes:
    if isinstance(p, EntityStatePdu):
        dr = p.dead_reckoning
        return _ES.pack(
            *p.entity_id,
            p.force_id,
            len(p.variable_parameters),
            *p.entity_type,
            *p.alternative_entity_type,
            *p.linear_velocity,
            *p.location,
            *p.orientation,
            p.appearance,
            dr.algorithm,
            dr.other,
            *dr.linear_acceleration,
            *dr.angular_velocity,
            p.marking_charset,
            _marking_bytes(p.marking),
            p.capabilities,
        ) + b"".join(p.variable_parameters)
    if isinstance(p, FirePdu):
        d = p.descriptor
        return _FIRE.pack(
            *p.firing_entity_id,
            *p.target_entity_id,
            *p.munition_id,
            *p.event_id,
            p.fire_mission_index,
            *p.location,
            *d.munition,
            d.warhead,
            d.fuse,
            d.quantity,
            d.rate,
            *p.velocity,
            p.range_m,
        )
    if isinstance(p, DetonationPdu):
        d = p.descriptor
        return _DET.pack(
            *p.firing_entity_id,
            *p.target_entity_id,
            *p.munition_id,
            *p.event_id,
            *p.velocity,
            *p.location,
            *d.munition,
            d.warhead,
            d.fuse,
            d.quantity,
            d.rate,
            *p.location_entity,
            p.result,
            len(p.variable_parameters),
            0,
        ) + b"".join(p.variable_parameters)
    raise InputError("pdu", f"cannot encode {type(p).__name__}", "EntityStatePdu, FirePdu, ...")


def encode_pdu(p: Pdu) -> bytes:
    """Bytes of one PDU (header + body), big-endian.

    Raises
    ------
    InputError
        If a field does not fit its wire type (e.g. an entity number above 65535).
    """
    try:
        data = _header(p) + _body(p)
    except struct.error as exc:
        raise InputError("pdu", f"a field is out of range for its DIS type: {exc}") from None
    assert len(data) == p.length
    return data


# ------------------------------------------------------------------------------ decode


class MalformedPdu(ValueError):
    """Bytes that are not a PDU this codec decodes; ``reason`` is one of :data:`REASONS`."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


def _check_header(data: bytes) -> tuple[int, int, int, int, int, int]:
    """Validate the header of the PDU at the start of ``data``; returns its fields."""
    if len(data) < HEADER.size:
        raise MalformedPdu("short", f"{len(data)} bytes, a header needs 12")
    version, exercise, ptype, family, ts, length, status, _pad = HEADER.unpack_from(data)
    if version == 0 or version > PROTOCOL_VERSION:
        raise MalformedPdu("garbage", f"protocol version byte {version}")
    if version != PROTOCOL_VERSION:
        raise MalformedPdu("bad_version", f"DIS version {version}, expected 7")
    if ptype == 0:
        raise MalformedPdu("garbage", "PDU type 0")
    if length < HEADER.size:
        raise MalformedPdu("bad_length", f"length field {length} < 12")
    if length > len(data):
        raise MalformedPdu("truncated", f"length field {length} > {len(data)} bytes received")
    return exercise, ptype, family, ts, length, status


def decode_pdu(data: bytes) -> Pdu:
    """Decode exactly one PDU occupying all of ``data``.

    Raises
    ------
    MalformedPdu
        With ``reason`` ``short``, ``truncated``, ``bad_version``, ``bad_length``
        (length field inconsistent with the datagram or the PDU's content),
        ``unsupported`` (a well-formed header of a PDU type other than 1, 2, 3) or
        ``garbage`` (not a DIS header, or a family that does not match the type).
    """
    data = bytes(data)
    exercise, ptype, family, ts, length, status = _check_header(data)
    if length != len(data):
        raise MalformedPdu("bad_length", f"length field {length} != {len(data)} bytes")
    if ptype not in PDU_NAMES:
        raise MalformedPdu("unsupported", f"PDU type {ptype}")
    if family != PDU_FAMILY[ptype]:
        raise MalformedPdu("garbage", f"family {family} for PDU type {ptype}")
    common = {"exercise_id": exercise, "timestamp": ts, "pdu_status": status}
    o = HEADER.size
    if ptype == ENTITY_STATE:
        if length < ES_SIZE:
            raise MalformedPdu("bad_length", f"Entity State needs >= 144 bytes, got {length}")
        f = _ES.unpack_from(data, o)
        n_vp = f[4]
        if length != ES_SIZE + VP_SIZE * n_vp:
            raise MalformedPdu("bad_length", f"{n_vp} variable parameters but length {length}")
        vps = tuple(data[ES_SIZE + VP_SIZE * i : ES_SIZE + VP_SIZE * (i + 1)] for i in range(n_vp))
        marking = f[38].decode("latin-1").rstrip("\0")
        return EntityStatePdu(
            entity_id=EntityId(*f[0:3]),
            force_id=f[3],
            entity_type=EntityType(*f[5:12]),
            alternative_entity_type=EntityType(*f[12:19]),
            linear_velocity=f[19:22],
            location=f[22:25],
            orientation=f[25:28],
            appearance=f[28],
            dead_reckoning=DeadReckoning(f[29], f[30], f[31:34], f[34:37]),
            marking_charset=f[37],
            marking=marking,
            capabilities=f[39],
            variable_parameters=vps,
            **common,
        )
    if ptype == FIRE:
        if length != FIRE_SIZE:
            raise MalformedPdu("bad_length", f"Fire PDU is 96 bytes, got {length}")
        f = _FIRE.unpack_from(data, o)
        return FirePdu(
            firing_entity_id=EntityId(*f[0:3]),
            target_entity_id=EntityId(*f[3:6]),
            munition_id=EntityId(*f[6:9]),
            event_id=EventId(*f[9:12]),
            fire_mission_index=f[12],
            location=f[13:16],
            descriptor=BurstDescriptor(EntityType(*f[16:23]), *f[23:27]),
            velocity=f[27:30],
            range_m=f[30],
            **common,
        )
    if length < DETONATION_SIZE:
        raise MalformedPdu("bad_length", f"Detonation needs >= 104 bytes, got {length}")
    f = _DET.unpack_from(data, o)
    n_vp = f[33]
    if length != DETONATION_SIZE + VP_SIZE * n_vp:
        raise MalformedPdu("bad_length", f"{n_vp} variable parameters but length {length}")
    vps = tuple(
        data[DETONATION_SIZE + VP_SIZE * i : DETONATION_SIZE + VP_SIZE * (i + 1)]
        for i in range(n_vp)
    )
    return DetonationPdu(
        firing_entity_id=EntityId(*f[0:3]),
        target_entity_id=EntityId(*f[3:6]),
        munition_id=EntityId(*f[6:9]),
        event_id=EventId(*f[9:12]),
        velocity=f[12:15],
        location=f[15:18],
        descriptor=BurstDescriptor(EntityType(*f[18:25]), *f[25:29]),
        location_entity=f[29:32],
        result=f[32],
        variable_parameters=vps,
        **common,
    )


@dataclass(frozen=True)
class Decoded:
    """Outcome for one PDU of a datagram: ``pdu`` when decoded, else ``reason`` (and the
    PDU type from the header when it could be read)."""

    pdu: Pdu | None
    reason: str | None = None
    pdu_type: int | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.pdu is not None


def classify_datagram(data: bytes) -> list[Decoded]:
    """Split a datagram into PDUs and decode each; never raises.

    DIS 7 allows several PDUs in one datagram (bundling): PDUs are taken one after the
    other by their length fields; zero padding after the last one is ignored. The first
    problem that makes the rest unreadable ends the split.
    """
    try:
        data = bytes(data)
        out: list[Decoded] = []
        offset = 0
        while offset < len(data) or not out:
            rest = data[offset:]
            if out and len(rest) < 8 and not any(rest):
                break  # alignment padding after a bundle
            if out and len(rest) < HEADER.size:
                out.append(Decoded(None, "bad_length", None, f"{len(rest)} trailing bytes"))
                break
            try:
                _, ptype, _, _, length, _ = _check_header(rest)
            except MalformedPdu as exc:
                ptype = rest[2] if len(rest) > 2 else None
                out.append(Decoded(None, exc.reason, ptype, exc.detail))
                break
            try:
                out.append(Decoded(decode_pdu(rest[:length]), None, ptype))
            except MalformedPdu as exc:
                out.append(Decoded(None, exc.reason, ptype, exc.detail))
            offset += length
        return out
    except Exception as exc:  # last line of defence: a listener must never crash
        return [Decoded(None, "garbage", None, f"{type(exc).__name__}: {exc}")]


def safe_decode(data: bytes) -> Decoded:
    """Decode one PDU occupying all of ``data``; never raises (see :func:`decode_pdu`)."""
    try:
        return Decoded(decode_pdu(data), None, data[2] if len(data) > 2 else None)
    except MalformedPdu as exc:
        return Decoded(None, exc.reason, data[2] if len(data) > 2 else None, exc.detail)
    except Exception as exc:
        return Decoded(None, "garbage", None, f"{type(exc).__name__}: {exc}")
