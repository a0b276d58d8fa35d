"""libpcap files of UDP datagrams (Ethernet/IPv4/UDP headers built here), e.g. DIS on port 3000.

Enough to hand PDUs to an independent decoder (Wireshark/tshark) and to record what a
listener received. Format: classic libpcap (magic ``0xa1b2c3d4``, little-endian, microsecond
timestamps, link type 1 Ethernet); IPv4 header and UDP checksums are computed.
"""

from __future__ import annotations

import ipaddress
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from hoplon.errors import InputError

_GLOBAL = struct.Struct("<IHHiIII")
_RECORD = struct.Struct("<IIII")
_ETH = struct.Struct(">6s6sH")
_IP = struct.Struct(">BBHHHBBH4s4s")
_UDP = struct.Struct(">HHHH")
_SRC_MAC = bytes.fromhex("020000000001")  # locally administered
_DST_MAC = bytes.fromhex("020000000002")
MAX_PAYLOAD = 65535 - 20 - 8


@dataclass(frozen=True)
class Packet:
    """One UDP datagram: capture time [s since 1970], payload and endpoints."""

    time_s: float
    payload: bytes
    src: tuple[str, int] = ("127.0.0.1", 3000)
    dst: tuple[str, int] = ("127.0.0.1", 3000)


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f">{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def _ip4(host: str) -> bytes:
    try:
        return ipaddress.IPv4Address(host).packed
    except ValueError:
        raise InputError("address", f"{host!r} is not an IPv4 address") from None


def frame(packet: Packet, ident: int = 0) -> bytes:
    """Ethernet + IPv4 + UDP frame carrying ``packet.payload``."""
    payload = bytes(packet.payload)
    if len(payload) > MAX_PAYLOAD:
        raise InputError("payload", f"{len(payload)} bytes do not fit one UDP datagram")
    src_ip, dst_ip = _ip4(packet.src[0]), _ip4(packet.dst[0])
    udp_len = 8 + len(payload)
    pseudo = src_ip + dst_ip + struct.pack(">BBH", 0, 17, udp_len)
    udp0 = _UDP.pack(packet.src[1], packet.dst[1], udp_len, 0)
    csum = _checksum(pseudo + udp0 + payload) or 0xFFFF
    udp = _UDP.pack(packet.src[1], packet.dst[1], udp_len, csum)
    ip0 = _IP.pack(0x45, 0, 20 + udp_len, ident & 0xFFFF, 0x4000, 64, 17, 0, src_ip, dst_ip)
    ip = _IP.pack(
        0x45, 0, 20 + udp_len, ident & 0xFFFF, 0x4000, 64, 17, _checksum(ip0), src_ip, dst_ip
    )
    return _ETH.pack(_DST_MAC, _SRC_MAC, 0x0800) + ip + udp + payload


class PcapWriter:
    """Append UDP datagrams to a libpcap file as they come (used by the listener)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._fh: BinaryIO = self.path.open("wb")
        self._fh.write(_GLOBAL.pack(0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        self._count = 0

    def write(self, packet: Packet) -> None:
        data = frame(packet, self._count)
        sec = int(packet.time_s)
        usec = min(round((packet.time_s - sec) * 1e6), 999_999)
        self._fh.write(_RECORD.pack(sec, usec, len(data), len(data)) + data)
        self._count += 1

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> PcapWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_pcap(path: str | Path, packets: Iterable[Packet]) -> Path:
    """Write ``packets`` to a libpcap file; returns the path."""
    with PcapWriter(path) as writer:
        for packet in packets:
            writer.write(packet)
    return Path(path)


def read_pcap(path: str | Path) -> list[Packet]:
    """UDP datagrams of a libpcap file written by :func:`write_pcap` (Ethernet/IPv4/UDP)."""
    data = Path(path).read_bytes()
    if len(data) < _GLOBAL.size:
        raise InputError("pcap", f"{path}: too short for a pcap file")
    magic = struct.unpack_from("<I", data)[0]
    if magic != 0xA1B2C3D4:
        raise InputError("pcap", f"{path}: not a little-endian microsecond pcap file")
    out = []
    o = _GLOBAL.size
    while o + _RECORD.size <= len(data):
        sec, usec, incl, _orig = _RECORD.unpack_from(data, o)
        o += _RECORD.size
        buf = data[o : o + incl]
        o += incl
        if len(buf) < 42 or _ETH.unpack_from(buf)[2] != 0x0800:
            continue
        ip = _IP.unpack_from(buf, 14)
        ihl = (ip[0] & 0x0F) * 4
        if ip[6] != 17:
            continue
        sport, dport, ulen, _ = _UDP.unpack_from(buf, 14 + ihl)
        payload = buf[14 + ihl + 8 : 14 + ihl + ulen]
        src = (str(ipaddress.IPv4Address(ip[8])), sport)
        dst = (str(ipaddress.IPv4Address(ip[9])), dport)
        out.append(Packet(sec + usec * 1e-6, payload, src, dst))
    return out
