"""How others see a run: IEEE 1278.1 DIS PDUs over UDP, CZML for Cesium, KML for Google Earth.

Inputs are engine-independent: :class:`EntityTrack` (states over time) and
:class:`SimEvent` (fire, launch, intercept, impact, detonation).
"""

from hoplon.interop.czml import czml_document, write_czml
from hoplon.interop.entities import EntityTrack, SimEvent, entity_from_trajectory, force_id_for
from hoplon.interop.kml import kml_tree, write_kml
from hoplon.interop.net import DisListener, ListenReport, listen, parse_address, send_pdus
from hoplon.interop.pcap import Packet, read_pcap, write_pcap
from hoplon.interop.pdu import (
    DetonationPdu,
    EntityStatePdu,
    FirePdu,
    MalformedPdu,
    classify_datagram,
    decode_pdu,
    dis_timestamp,
    encode_pdu,
    safe_decode,
)
from hoplon.interop.stream import TimedPdu, pdus_from_entities

__all__ = [
    "DetonationPdu",
    "DisListener",
    "EntityStatePdu",
    "EntityTrack",
    "FirePdu",
    "ListenReport",
    "MalformedPdu",
    "Packet",
    "SimEvent",
    "TimedPdu",
    "classify_datagram",
    "czml_document",
    "decode_pdu",
    "dis_timestamp",
    "encode_pdu",
    "entity_from_trajectory",
    "force_id_for",
    "kml_tree",
    "listen",
    "parse_address",
    "pdus_from_entities",
    "read_pcap",
    "safe_decode",
    "send_pdus",
    "write_czml",
    "write_kml",
    "write_pcap",
]
