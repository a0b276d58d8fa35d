"""DIS codec: wire layout, exact round trips, timestamps and classification of bad input."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoplon.errors import InputError
from hoplon.interop.pdu import (
    REASONS,
    BurstDescriptor,
    DeadReckoning,
    DetonationPdu,
    EntityId,
    EntityStatePdu,
    EntityType,
    EventId,
    FirePdu,
    MalformedPdu,
    classify_datagram,
    decode_pdu,
    dis_timestamp,
    encode_pdu,
    safe_decode,
    timestamp_seconds,
)

u8 = st.integers(0, 255)
u16 = st.integers(0, 65535)
u32 = st.integers(0, 2**32 - 1)
f64 = st.floats(allow_nan=False, allow_infinity=False)
f32 = st.floats(allow_nan=False, allow_infinity=False, width=32)
vec64 = st.tuples(f64, f64, f64)
vec32 = st.tuples(f32, f32, f32)
ids = st.builds(EntityId, u16, u16, u16)
types = st.builds(EntityType, u8, u8, u16, u8, u8, u8, u8)
vps = st.lists(st.binary(min_size=16, max_size=16), max_size=3).map(tuple)
marking = st.text(st.characters(min_codepoint=1, max_codepoint=255), max_size=11)
common = {"exercise_id": u8, "timestamp": u32, "pdu_status": u8}
descriptors = st.builds(BurstDescriptor, types, u16, u16, u16, u16)

es_pdus = st.builds(
    EntityStatePdu,
    entity_id=ids,
    entity_type=types,
    force_id=u8,
    location=vec64,
    linear_velocity=vec32,
    orientation=vec32,
    alternative_entity_type=types,
    appearance=u32,
    dead_reckoning=st.builds(DeadReckoning, u8, st.binary(min_size=15, max_size=15), vec32, vec32),
    marking=marking,
    marking_charset=u8,
    capabilities=u32,
    variable_parameters=vps,
    **common,
)
fire_pdus = st.builds(
    FirePdu,
    firing_entity_id=ids,
    target_entity_id=ids,
    munition_id=ids,
    event_id=st.builds(EventId, u16, u16, u16),
    fire_mission_index=u32,
    location=vec64,
    descriptor=descriptors,
    velocity=vec32,
    range_m=f32,
    **common,
)
det_pdus = st.builds(
    DetonationPdu,
    firing_entity_id=ids,
    target_entity_id=ids,
    munition_id=ids,
    event_id=st.builds(EventId, u16, u16, u16),
    velocity=vec32,
    location=vec64,
    descriptor=descriptors,
    location_entity=vec32,
    result=u8,
    variable_parameters=vps,
    **common,
)
any_pdu = st.one_of(es_pdus, fire_pdus, det_pdus)


@settings(max_examples=150, deadline=None)
@given(any_pdu)
def test_round_trip_exact(pdu) -> None:
    data = encode_pdu(pdu)
    assert len(data) == pdu.length
    back = decode_pdu(data)
    assert back == pdu
    assert encode_pdu(back) == data
    outcome = classify_datagram(data)
    assert len(outcome) == 1 and outcome[0].pdu == pdu


def test_sizes_and_header_layout() -> None:
    es = EntityStatePdu(EntityId(1, 2, 3), exercise_id=9, timestamp=0xDEADBEEF, pdu_status=6)
    fire = FirePdu(EntityId(1, 2, 3))
    det = DetonationPdu(EntityId(1, 2, 3), variable_parameters=(bytes(16),))
    for pdu, size, ptype, fam in ((es, 144, 1, 1), (fire, 96, 2, 2), (det, 120, 3, 2)):
        data = encode_pdu(pdu)
        assert len(data) == size
        version, ex, t, f, ts, length, status, pad = struct.unpack(">BBBBIHBB", data[:12])
        assert (version, t, f, length, pad) == (7, ptype, fam, size, 0)
        assert ex == pdu.exercise_id and ts == pdu.timestamp and status == pdu.pdu_status


def test_entity_state_field_offsets() -> None:
    """Offsets from IEEE 1278.1-2012 §7.2.2 (Entity State PDU), read independently."""
    pdu = EntityStatePdu(
        EntityId(11, 22, 33),
        entity_type=EntityType(2, 1, 0, 1, 0, 0, 0),
        force_id=2,
        location=(4e6, -5e5, 4.5e6),
        linear_velocity=(100.0, -200.0, 300.0),
        orientation=(0.5, -0.25, 0.125),
        dead_reckoning=DeadReckoning(5, linear_acceleration=(1.0, 2.0, -9.75)),
        marking="TBM-1",
        capabilities=7,
    )
    b = encode_pdu(pdu)
    assert struct.unpack(">HHH", b[12:18]) == (11, 22, 33)
    assert b[18] == 2 and b[19] == 0
    assert struct.unpack(">BBHBBBB", b[20:28]) == (2, 1, 0, 1, 0, 0, 0)
    assert struct.unpack(">3f", b[36:48]) == (100.0, -200.0, 300.0)
    assert struct.unpack(">3d", b[48:72]) == (4e6, -5e5, 4.5e6)
    assert struct.unpack(">3f", b[72:84]) == (0.5, -0.25, 0.125)
    assert b[88] == 5
    assert struct.unpack(">3f", b[104:116]) == (1.0, 2.0, -9.75)
    assert b[128] == 1 and b[129:140] == b"TBM-1" + bytes(6)
    assert struct.unpack(">I", b[140:144]) == (7,)


def test_fire_and_detonation_offsets() -> None:
    fire = FirePdu(
        EntityId(1, 1, 20),
        EntityId(1, 1, 1),
        EntityId(1, 1, 10),
        EventId(1, 1, 7),
        location=(1.0, 2.0, 3.0),
        velocity=(4.0, 5.0, 6.0),
        range_m=1234.5,
    )
    b = encode_pdu(fire)
    assert struct.unpack(">12H", b[12:36]) == (1, 1, 20, 1, 1, 1, 1, 1, 10, 1, 1, 7)
    assert struct.unpack(">3d", b[40:64]) == (1.0, 2.0, 3.0)
    assert struct.unpack(">3f", b[80:92]) == (4.0, 5.0, 6.0)
    assert struct.unpack(">f", b[92:96]) == (1234.5,)
    det = DetonationPdu(
        EntityId(1, 1, 10),
        location=(7.0, 8.0, 9.0),
        location_entity=(0.5, 0.0, -0.5),
        result=1,
    )
    b = encode_pdu(det)
    assert struct.unpack(">3d", b[48:72]) == (7.0, 8.0, 9.0)
    assert struct.unpack(">3f", b[88:100]) == (0.5, 0.0, -0.5)
    assert b[100] == 1 and b[101] == 0


def test_timestamp() -> None:
    assert dis_timestamp(0.0) == 0
    assert dis_timestamp(0.0, absolute=True) == 1
    ts = dis_timestamp(1800.0)
    assert ts == 2**31  # half an hour: 2**30 units, shifted left by one
    seconds, absolute = timestamp_seconds(dis_timestamp(3725.5))
    assert not absolute and seconds == pytest.approx(125.5, abs=2e-6)
    assert dis_timestamp(3599.9999999) <= 2**32 - 2


@settings(max_examples=200, deadline=None)
@given(st.floats(0, 1e6))
def test_timestamp_resolution(t: float) -> None:
    seconds, _ = timestamp_seconds(dis_timestamp(t))
    assert 0 <= (t % 3600.0) - seconds < 3600 / 2**31 + 1e-9


def test_field_out_of_range_is_input_error() -> None:
    with pytest.raises(InputError):
        encode_pdu(EntityStatePdu(EntityId(1, 1, 70000)))
    with pytest.raises(InputError):
        EntityStatePdu(EntityId(1, 1, 1), marking="far too long a marking")
    with pytest.raises(InputError):
        EntityStatePdu(EntityId(1, 1, 1), variable_parameters=(b"short",))


def _valid() -> bytes:
    return encode_pdu(EntityStatePdu(EntityId(1, 1, 1), marking="X"))


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda b: b[:5], "short"),
        (lambda b: b[:100], "truncated"),
        (lambda b: bytes([6]) + b[1:], "bad_version"),
        (lambda b: bytes([99]) + b[1:], "garbage"),
        (lambda b: b[:8] + struct.pack(">H", 140) + b[10:140], "bad_length"),
        (lambda b: b[:8] + struct.pack(">H", 8) + b[10:], "bad_length"),
        (lambda b: b[:2] + bytes([21]) + b[3:], "unsupported"),
        (lambda b: b[:2] + bytes([0]) + b[3:], "garbage"),
        (lambda b: b[:3] + bytes([2]) + b[4:], "garbage"),
        (lambda b: b[:19] + bytes([1]) + b[20:], "bad_length"),  # claims a VP record
    ],
)
def test_classification(mutate, reason: str) -> None:
    data = mutate(_valid())
    with pytest.raises(MalformedPdu) as info:
        decode_pdu(data)
    assert info.value.reason == reason
    assert safe_decode(data).reason == reason
    assert classify_datagram(data)[0].reason == reason


def test_bundle_of_pdus_and_trailing_bytes() -> None:
    a = _valid()
    b = encode_pdu(FirePdu(EntityId(1, 1, 2)))
    out = classify_datagram(a + b + bytes(4))
    assert [o.ok for o in out] == [True, True]
    out = classify_datagram(a + b"\x07\x01\x01")
    assert [o.reason for o in out] == [None, "bad_length"]


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=400))
def test_fuzz_random_bytes_never_raise(data: bytes) -> None:
    for outcome in classify_datagram(data):
        assert outcome.ok or outcome.reason in REASONS
    outcome = safe_decode(data)
    assert outcome.ok or outcome.reason in REASONS


@settings(max_examples=400, deadline=None)
@given(
    any_pdu,
    st.lists(st.tuples(st.integers(0, 300), st.integers(0, 255)), min_size=1, max_size=6),
    st.integers(0, 300),
)
def test_fuzz_mutated_pdus_never_raise(pdu, flips, cut: int) -> None:
    data = bytearray(encode_pdu(pdu))
    for pos, value in flips:
        if pos < len(data):
            data[pos] = value
    for candidate in (bytes(data), bytes(data[:cut]), bytes(data) + bytes(data[:cut])):
        outcomes = classify_datagram(candidate)
        assert outcomes
        for outcome in outcomes:
            assert outcome.ok or outcome.reason in REASONS
            if outcome.ok:  # whatever decodes re-encodes to a valid PDU of the same size
                again = encode_pdu(outcome.pdu)
                assert len(again) == outcome.pdu.length
                assert classify_datagram(again)[0].ok
