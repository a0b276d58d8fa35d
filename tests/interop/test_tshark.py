"""Our PDUs through an independent decoder: Wireshark's DIS dissector (tshark).

Install on Debian/Ubuntu: ``apt-get install -y --no-install-recommends tshark``.
"""

from __future__ import annotations

import shutil
import struct
import subprocess

import numpy as np
import pytest

from hoplon.interop.pcap import Packet, write_pcap
from hoplon.interop.pdu import (
    DetonationPdu,
    EntityId,
    EntityStatePdu,
    EntityType,
    FirePdu,
    encode_pdu,
    timestamp_seconds,
)
from hoplon.interop.stream import pdus_from_entities

TSHARK = shutil.which("tshark")
pytestmark = pytest.mark.skipif(
    TSHARK is None,
    reason="tshark (Wireshark's CLI) is not on PATH: apt-get install -y tshark to run this check",
)

FIELDS = (
    "frame.number",
    "dis.proto_ver",
    "dis.pdu_type",
    "dis.pdu_length",
    "dis.proto_fam",
    "dis.timestamp",
    "dis.entity_id_site",
    "dis.entity_id_application",
    "dis.entity_id_entity",
    "dis.event_number",
    "dis.entity_location.x",
    "dis.entity_location.y",
    "dis.entity_location.z",
    "dis.fire.location.x",
    "dis.fire.location.y",
    "dis.fire.location.z",
    "dis.detonation.location.x",
    "dis.detonation.location.y",
    "dis.detonation.location.z",
    "dis.entity_linear_velocity.x",
    "dis.entity_linear_velocity.y",
    "dis.entity_linear_velocity.z",
    "dis.entity_orientation.psi",
    "dis.entity_orientation.theta",
    "dis.entity_orientation.phi",
    "dis.entity_marking",
    "dis.force_id",
    "dis.detonation.result",
    "_ws.malformed",
    "_ws.expert",
)


def _tshark(*args: str) -> str:
    result = subprocess.run(
        [TSHARK, "-n", *args], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _fields(path) -> list[dict[str, str]]:
    cmd = ["-r", str(path), "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a"]
    for f in FIELDS:
        cmd += ["-e", f]
    rows = [line.split("\t") for line in _tshark(*cmd).splitlines()]
    return [dict(zip(FIELDS, row, strict=True)) for row in rows]


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",")] if text else []


def _floats(row: dict[str, str], prefix: str) -> np.ndarray:
    return np.array([float(row[f"{prefix}.{axis}"]) for axis in "xyz"])


def _check_no_errors(path) -> None:
    verbose = _tshark("-r", str(path), "-V")
    assert "Distributed Interactive Simulation" in verbose
    assert "Malformed" not in verbose
    assert "Expert Info" not in verbose


def test_stream_decodes_identically_in_wireshark(engagement, tmp_path) -> None:
    entities, events = engagement
    stream = pdus_from_entities(entities, events, exercise_id=4, site=12, application=34, dt=10.0)
    path = write_pcap(
        tmp_path / "stream.pcap",
        (Packet(1.7e9 + s.time_s, encode_pdu(s.pdu)) for s in stream),
    )
    _check_no_errors(path)
    rows = _fields(path)
    assert len(rows) == len(stream)
    for row, item in zip(rows, stream, strict=True):
        p = item.pdu
        assert not row["_ws.malformed"] and not row["_ws.expert"]
        assert int(row["dis.proto_ver"]) == 7
        assert int(row["dis.pdu_type"]) == p.pdu_type
        assert int(row["dis.pdu_length"]) == len(encode_pdu(p))
        assert int(row["dis.proto_fam"]) == (1 if p.pdu_type == 1 else 2)
        assert float(row["dis.timestamp"]) == pytest.approx(
            timestamp_seconds(p.timestamp)[0], abs=1e-6
        )
        sites = _ints(row["dis.entity_id_site"])
        apps = _ints(row["dis.entity_id_application"])
        nums = _ints(row["dis.entity_id_entity"])
        if isinstance(p, EntityStatePdu):
            assert (sites, apps, nums) == ([12], [34], [p.entity_id.entity])
            np.testing.assert_allclose(_floats(row, "dis.entity_location"), p.location, rtol=1e-14)
            np.testing.assert_allclose(
                _floats(row, "dis.entity_linear_velocity"), p.linear_velocity, rtol=1e-5, atol=1e-4
            )
            psi_theta_phi = [
                float(row[f"dis.entity_orientation.{a}"]) for a in ("psi", "theta", "phi")
            ]
            np.testing.assert_allclose(psi_theta_phi, p.orientation, rtol=1e-5, atol=1e-6)
            assert row["dis.entity_marking"] == p.marking
            assert int(row["dis.force_id"]) == p.force_id
        else:
            ids = [p.firing_entity_id, p.target_entity_id, p.munition_id]
            assert nums == [i.entity for i in ids]
            assert _ints(row["dis.event_number"]) == [p.event_id.event_number]
            prefix = "dis.fire.location" if isinstance(p, FirePdu) else "dis.detonation.location"
            np.testing.assert_allclose(_floats(row, prefix), p.location, rtol=1e-14)
            if isinstance(p, DetonationPdu):
                assert int(row["dis.detonation.result"]) == p.result


def test_random_pdus_with_variable_parameters(tmp_path) -> None:
    rng = np.random.default_rng(7)
    pdus = []
    for i in range(30):
        loc = rng.uniform(-7e6, 7e6, 3)
        vel = rng.uniform(-8e3, 8e3, 3)
        # articulated-part records (type 0): change indicator, attached-to id, parameter type,
        # value (float32 as 8 bytes with padding)
        vp = tuple(
            struct.pack(">BBHIf4x", 0, 0, 0, 4096 + 11, float(rng.uniform(-1, 1)))
            for _ in range(i % 3)
        )
        eid = EntityId(1, 2, 1 + i)
        if i % 3 == 0:
            pdus.append(
                EntityStatePdu(
                    eid,
                    EntityType(2, 1, 0, 1, 0, 0, 0),
                    force_id=1 + i % 3,
                    location=loc,
                    linear_velocity=vel,
                    orientation=rng.uniform(-3, 3, 3),
                    marking=f"R{i}",
                    variable_parameters=vp,
                )
            )
        elif i % 3 == 1:
            pdus.append(
                FirePdu(eid, EntityId(1, 2, 99), EntityId(1, 2, 100 + i), (1, 2, i), 0, loc)
            )
        else:
            pdus.append(DetonationPdu(eid, location=loc, velocity=vel, variable_parameters=vp))
    path = write_pcap(
        tmp_path / "random.pcap", (Packet(float(i), encode_pdu(p)) for i, p in enumerate(pdus))
    )
    _check_no_errors(path)
    rows = _fields(path)
    assert [int(r["dis.pdu_length"]) for r in rows] == [p.length for p in pdus]
    assert [int(r["dis.pdu_type"]) for r in rows] == [p.pdu_type for p in pdus]
    for row, p in zip(rows, pdus, strict=True):
        prefix = {1: "dis.entity_location", 2: "dis.fire.location", 3: "dis.detonation.location"}
        np.testing.assert_allclose(_floats(row, prefix[p.pdu_type]), p.location, rtol=1e-14)
