"""Loopback UDP: send a stream, listen in a thread, count hostile datagrams, record a pcap."""

from __future__ import annotations

import socket
import threading
import time

import numpy as np
import pytest

from hoplon.errors import InputError
from hoplon.interop.net import DisListener, listen, parse_address, send_pdus
from hoplon.interop.pcap import read_pcap
from hoplon.interop.pdu import EntityId, EntityStatePdu, classify_datagram, encode_pdu
from hoplon.interop.stream import pdus_from_entities


def _listen_in_thread(listener: DisListener, **kw) -> tuple[threading.Thread, dict]:
    out: dict = {}

    def run() -> None:
        out["report"] = listener.run(**kw)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


def test_send_and_listen_loopback(engagement, tmp_path) -> None:
    entities, events = engagement
    stream = pdus_from_entities(entities, events, dt=20.0)
    pcap = tmp_path / "rx.pcap"
    with DisListener(("127.0.0.1", 0), record=pcap) as listener:
        thread, out = _listen_in_thread(listener, duration_s=5.0, max_packets=len(stream))
        sent = send_pdus(stream, listener.address, rate="asap")
        thread.join(6.0)
    report = out["report"]
    assert sent == len(stream) == report.datagrams
    assert report.malformed_total == 0
    assert report.pdus["fire"] == 3 and report.pdus["detonation"] == 2
    assert set(report.entities) == {(1, 1, tr.entity_id) for tr in entities}
    for tr in entities:  # last known position = the last state sent
        last = [s.pdu for s in stream if getattr(s.pdu, "entity_id", None) == (1, 1, tr.entity_id)]
        np.testing.assert_array_equal(
            report.entities[(1, 1, tr.entity_id)].location, last[-1].location
        )
    data = report.to_dict()
    assert data["malformed_total"] == 0 and len(data["entities"]) == len(entities)
    recorded = read_pcap(pcap)
    assert [p.payload for p in recorded] == [encode_pdu(s.pdu) for s in stream]


def test_hostile_datagrams_are_counted_not_raised() -> None:
    good = encode_pdu(EntityStatePdu(EntityId(1, 1, 1), marking="OK"))
    hostile = {
        "short": b"\x07\x01",
        "truncated": good[:100],
        "bad_version": bytes([5]) + good[1:],
        "bad_length": good + b"\xff" * 3,
        "unsupported": good[:2] + bytes([26]) + good[3:],
        "garbage": bytes(range(200, 256)) * 3,
    }
    datagrams = [good, *hostile.values(), b"", bytes(65000)]
    with DisListener(("127.0.0.1", 0)) as listener:
        thread, out = _listen_in_thread(listener, duration_s=5.0, max_packets=len(datagrams))
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            for d in datagrams:
                sock.sendto(d, listener.address)
        thread.join(6.0)
    report = out["report"]
    assert report.datagrams == len(datagrams)
    assert report.pdus["entity_state"] == 2  # the good one, and the one before trailing bytes
    for reason in hostile:
        assert report.malformed[reason] >= 1, reason
    assert report.malformed["short"] == 2  # b"\x07\x01" and the empty datagram
    assert report.malformed_total == sum(
        sum(not o.ok for o in classify_datagram(d)) for d in datagrams
    )


def test_realtime_pacing_and_stop() -> None:
    from hoplon.interop.stream import TimedPdu

    pdu = EntityStatePdu(EntityId(1, 1, 1))
    stream = [TimedPdu(t, pdu) for t in (0.0, 1.0, 2.0)]
    with DisListener(("127.0.0.1", 0)) as listener:
        t0 = time.monotonic()
        assert send_pdus(stream, listener.address, rate=10.0) == 3
        elapsed = time.monotonic() - t0
        assert 0.18 < elapsed < 1.5  # 2 simulated seconds at 10x
        stop = threading.Event()
        stop.set()
        assert send_pdus(stream, listener.address, stop=stop) == 0


def test_address_rules() -> None:
    assert parse_address("127.0.0.1:3000") == ("127.0.0.1", 3000)
    for bad in ("localhost", "127.0.0.1", "1.2.3:4", "127.0.0.1:70000", "x:1"):
        with pytest.raises(InputError):
            parse_address(bad)
    with pytest.raises(InputError):
        send_pdus([], ("239.1.2.3", 3000))  # multicast only when asked
    with pytest.raises(InputError):
        send_pdus([], ("127.0.0.1", 3000), multicast=True)
    with pytest.raises(InputError):
        send_pdus([], ("127.0.0.1", 3000), rate="fast")
    with pytest.raises(InputError):
        listen(("127.0.0.1", 0), duration_s=-1.0)


def test_listen_returns_after_duration() -> None:
    t0 = time.monotonic()
    report = listen(("127.0.0.1", 0), duration_s=0.3)
    assert 0.25 < time.monotonic() - t0 < 2.0
    assert report.datagrams == 0 and report.duration_s >= 0.29
