"""DIS over UDP: a paced sender and a listener that survives any datagram.

Loopback (127.0.0.1:3000) by default; a multicast group is joined or sent to only when the
caller asks (``multicast=True`` / a group address given to the listener), with TTL 1.
"""

from __future__ import annotations

import ipaddress
import math
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hoplon.errors import InputError
from hoplon.interop.pcap import Packet, PcapWriter
from hoplon.interop.pdu import (
    PDU_NAMES,
    REASONS,
    DetonationPdu,
    EntityStatePdu,
    FirePdu,
    Pdu,
    classify_datagram,
    encode_pdu,
)
from hoplon.interop.stream import TimedPdu

DEFAULT_ADDRESS = ("127.0.0.1", 3000)
MAX_DATAGRAM = 65535


def parse_address(text: str, field_name: str = "--address") -> tuple[str, int]:
    """``"HOST:PORT"`` (IPv4) -> (host, port); raises :class:`InputError`."""
    host, sep, port_text = text.strip().rpartition(":")
    allowed = "HOST:PORT with an IPv4 host, e.g. 127.0.0.1:3000"
    if not sep:
        raise InputError(field_name, f"{text!r} has no port", allowed)
    try:
        ipaddress.IPv4Address(host)
        port = int(port_text)
    except ValueError:
        raise InputError(field_name, f"cannot read {text!r}", allowed) from None
    if not 0 <= port <= 65535:
        raise InputError(field_name, f"port {port} is out of range", "0 to 65535")
    return host, port


def _is_multicast(host: str) -> bool:
    return ipaddress.IPv4Address(host).is_multicast


def _pace(rate: str | float) -> float | None:
    """Wall seconds per simulated second (None: as fast as possible)."""
    if rate == "asap":
        return None
    if rate == "realtime":
        return 1.0
    if isinstance(rate, str):
        try:
            rate = float(rate)
        except ValueError:
            raise InputError("rate", f"{rate!r}", '"realtime", "asap" or a factor > 0') from None
    if not (math.isfinite(rate) and rate > 0):
        raise InputError("rate", f"{rate!r}", '"realtime", "asap" or a factor > 0')
    return 1.0 / float(rate)


def send_pdus(
    pdus: Iterable[TimedPdu | Pdu | bytes],
    address: tuple[str, int] = DEFAULT_ADDRESS,
    rate: str | float = "realtime",
    multicast: bool = False,
    stop: threading.Event | None = None,
) -> int:
    """Send PDUs as UDP datagrams, paced by their simulation times.

    Parameters
    ----------
    pdus : iterable of TimedPdu, Pdu or bytes
        Time-ordered stream (from ``pdus_from_entities``); bare PDUs/bytes are sent as
        fast as possible.
    address : (host, port)
        Destination; loopback by default. A multicast group needs ``multicast=True``.
    rate : "realtime", "asap" or float
        ``"realtime"``: one simulated second per wall second; a factor ``f``: ``f``
        simulated seconds per wall second; ``"asap"``: no pacing.
    multicast : bool
        Send to a multicast group (TTL 1, looped back to this host).
    stop : threading.Event, optional
        Set it to stop early.

    Returns
    -------
    int
        Number of datagrams sent.
    """
    host, port = address
    try:
        group = _is_multicast(host)
    except ValueError:
        raise InputError("address", f"{host!r} is not an IPv4 address") from None
    if group and not multicast:
        raise InputError("address", f"{host} is a multicast group", "pass multicast=True")
    if multicast and not group:
        raise InputError("address", f"{host} is not a multicast group", "224.0.0.0/4")
    pace = _pace(rate)
    sent = 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        if multicast:
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
        wall0: float | None = None
        sim0 = 0.0
        for item in pdus:
            if stop is not None and stop.is_set():
                break
            if isinstance(item, TimedPdu):
                if pace is not None:
                    if wall0 is None:
                        wall0, sim0 = time.monotonic(), item.time_s
                    delay = wall0 + (item.time_s - sim0) * pace - time.monotonic()
                    if delay > 0:
                        if stop is not None:
                            if stop.wait(delay):
                                break
                        else:
                            time.sleep(delay)
                data = encode_pdu(item.pdu)
            elif isinstance(item, bytes | bytearray):
                data = bytes(item)
            else:
                data = encode_pdu(item)
            sock.sendto(data, (host, port))
            sent += 1
    return sent


@dataclass
class EntitySeen:
    """What a listener knows of one remote entity (from its latest Entity State PDU)."""

    entity_id: tuple[int, int, int]
    marking: str
    force_id: int
    entity_type: tuple[int, ...]
    location: tuple[float, float, float]
    linear_velocity: tuple[float, float, float]
    updates: int = 0
    last_seen_s: float = 0.0


@dataclass
class ListenReport:
    """Counters and entities from a listening session."""

    address: tuple[str, int]
    duration_s: float = 0.0
    datagrams: int = 0
    bytes: int = 0
    pdus: Counter = field(default_factory=Counter)
    malformed: Counter = field(default_factory=Counter)
    entities: dict[tuple[int, int, int], EntitySeen] = field(default_factory=dict)
    fires: int = 0
    detonations: int = 0
    recorded: str | None = None

    @property
    def malformed_total(self) -> int:
        return sum(self.malformed.values())

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "address": f"{self.address[0]}:{self.address[1]}",
            "duration_s": self.duration_s,
            "datagrams": self.datagrams,
            "bytes": self.bytes,
            "pdus": dict(self.pdus),
            "malformed": {r: self.malformed.get(r, 0) for r in REASONS},
            "malformed_total": self.malformed_total,
            "fires": self.fires,
            "detonations": self.detonations,
            "recorded": self.recorded,
            "entities": [
                {
                    "entity_id": "{}:{}:{}".format(*e.entity_id),
                    "marking": e.marking,
                    "force_id": e.force_id,
                    "entity_type": ":".join(str(x) for x in e.entity_type),
                    "x_m": e.location[0],
                    "y_m": e.location[1],
                    "z_m": e.location[2],
                    "speed_mps": math.hypot(*e.linear_velocity),
                    "updates": e.updates,
                    "last_seen_s": e.last_seen_s,
                }
                for e in sorted(self.entities.values(), key=lambda e: e.entity_id)
            ],
        }

    def add(self, data: bytes, now_s: float) -> None:
        """Account for one received datagram (never raises)."""
        self.datagrams += 1
        self.bytes += len(data)
        for outcome in classify_datagram(data):
            if outcome.pdu is None:
                self.malformed[outcome.reason or "garbage"] += 1
                continue
            self._account(outcome.pdu, now_s)

    def _account(self, pdu: Pdu, now_s: float) -> None:
        self.pdus[PDU_NAMES[pdu.pdu_type]] += 1
        if isinstance(pdu, EntityStatePdu):
            key = tuple(pdu.entity_id)
            seen = self.entities.get(key)
            if seen is None:
                seen = EntitySeen(
                    key, pdu.marking, pdu.force_id, tuple(pdu.entity_type), pdu.location, (0, 0, 0)
                )
                self.entities[key] = seen
            seen.marking = pdu.marking
            seen.force_id = pdu.force_id
            seen.entity_type = tuple(pdu.entity_type)
            seen.location = pdu.location
            seen.linear_velocity = pdu.linear_velocity
            seen.updates += 1
            seen.last_seen_s = now_s
        elif isinstance(pdu, FirePdu):
            self.fires += 1
        elif isinstance(pdu, DetonationPdu):
            self.detonations += 1


class DisListener:
    """A bound UDP socket that collects DIS traffic into a :class:`ListenReport`.

    Binding happens in the constructor, so ``listener.address`` (with the real port when
    port 0 was asked for) is known before anything is sent. A multicast group address is
    joined (on all interfaces); anything else binds that unicast address.
    """

    def __init__(
        self, address: tuple[str, int] = DEFAULT_ADDRESS, record: str | Path | None = None
    ) -> None:
        host, port = address
        try:
            group = _is_multicast(host)
        except ValueError:
            raise InputError("address", f"{host!r} is not an IPv4 address") from None
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if group:
                self._sock.bind(("", port))
                mreq = struct.pack("4s4s", socket.inet_aton(host), socket.inet_aton("0.0.0.0"))
                self._sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
            else:
                self._sock.bind((host, port))
        except OSError as exc:
            self._sock.close()
            raise InputError("address", f"cannot listen on {host}:{port}: {exc}") from None
        self.address = (host, self._sock.getsockname()[1])
        self._record = PcapWriter(record) if record is not None else None
        self.report = ListenReport(self.address, recorded=str(record) if record else None)

    def run(
        self,
        duration_s: float = 10.0,
        max_packets: int | None = None,
        stop: threading.Event | None = None,
    ) -> ListenReport:
        """Receive until ``duration_s`` [s] has passed, ``max_packets`` datagrams arrived,
        or ``stop`` is set; returns the report (also kept as ``self.report``)."""
        t0 = time.monotonic()
        deadline = t0 + max(0.0, duration_s)
        report = self.report
        while True:
            if max_packets is not None and report.datagrams >= max_packets:
                break
            if stop is not None and stop.is_set():
                break
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self._sock.settimeout(min(left, 0.1))
            try:
                data, src = self._sock.recvfrom(MAX_DATAGRAM)
            except (TimeoutError, BlockingIOError):
                continue
            except OSError:  # e.g. an ICMP error surfaced on the socket: keep listening
                continue
            now = time.monotonic() - t0
            report.add(data, now)
            if self._record is not None:
                self._record.write(Packet(time.time(), data, (src[0], src[1]), self.address))
        report.duration_s = time.monotonic() - t0
        return report

    def close(self) -> None:
        self._sock.close()
        if self._record is not None:
            self._record.close()
            self._record = None

    def __enter__(self) -> DisListener:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def listen(
    address: tuple[str, int] = DEFAULT_ADDRESS,
    duration_s: float = 10.0,
    max_packets: int | None = None,
    record: str | Path | None = None,
    stop: threading.Event | None = None,
) -> ListenReport:
    """Listen for DIS PDUs on ``address`` and report what was seen.

    Malformed datagrams are counted by reason (``short``, ``truncated``, ``bad_version``,
    ``bad_length``, ``unsupported``, ``garbage``), never raised. ``record`` writes every
    received datagram to a pcap file.
    """
    if not (math.isfinite(duration_s) and duration_s >= 0):
        raise InputError("duration", f"{duration_s!r} must be a non-negative number of seconds")
    if max_packets is not None and max_packets < 1:
        raise InputError("max_packets", f"{max_packets} must be at least 1")
    with DisListener(address, record) as listener:
        return listener.run(duration_s, max_packets, stop)
