"""CZML and KML writers: structure, times, positions, validity."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import xml.etree.ElementTree as ET

import numpy as np
import pymap3d
import pytest

from hoplon.errors import InputError
from hoplon.interop.czml import czml_document, write_czml
from hoplon.interop.kml import GX_NS, KML_NS, write_kml

EPOCH = "2030-06-01T12:00:00Z"
NS = {"k": KML_NS, "gx": GX_NS}


def _parse(text: str) -> dt.datetime:
    assert text.endswith("Z")
    return dt.datetime.fromisoformat(text)


@pytest.mark.parametrize("position", ["cartesian", "cartographicDegrees"])
def test_czml_structure(engagement, tmp_path, position: str) -> None:
    entities, events = engagement
    path = write_czml(entities, events, tmp_path / "run.czml", EPOCH, position=position)
    doc = json.loads(path.read_text())
    assert isinstance(doc, list) and doc[0]["id"] == "document" and doc[0]["version"] == "1.0"
    ids = [p["id"] for p in doc]
    assert len(ids) == len(set(ids))
    assert len(doc) == 1 + len(entities) + len(events)
    clock = doc[0]["clock"]
    start, end = (_parse(x) for x in clock["interval"].split("/"))
    assert start == _parse(EPOCH) and _parse(clock["currentTime"]) == start and end > start
    assert clock["multiplier"] > 0
    by_id = {p["id"]: p for p in doc}
    for tr in entities:
        packet = by_id[f"entity/{tr.entity_id}"]
        a, b = (_parse(x) for x in packet["availability"].split("/"))
        assert a == start + dt.timedelta(seconds=tr.start_s) and b <= end and b >= a
        pos = packet["position"]
        assert "point" in packet and packet["point"]["color"]["rgba"][3] == 255
        if tr.is_static:
            assert len(pos[position]) == 3
            continue
        assert _parse(pos["epoch"]) == a
        assert pos["interpolationAlgorithm"] == "LAGRANGE"
        samples = np.array(pos[position]).reshape(-1, 4)
        times = samples[:, 0]
        assert np.all(np.diff(times) > 0) and times[0] == 0.0
        assert len(samples) == len(np.unique(tr.t_s))
        assert "path" in packet
        # positions match the track
        r = tr.r_ecef_m[np.concatenate(([True], np.diff(tr.t_s) > 0))]
        if position == "cartesian":
            np.testing.assert_allclose(samples[:, 1:], r, atol=1e-3)
        else:
            lat, lon, alt = pymap3d.ecef2geodetic(r[:, 0], r[:, 1], r[:, 2])
            np.testing.assert_allclose(samples[:, 1], lon, atol=1e-8)
            np.testing.assert_allclose(samples[:, 2], lat, atol=1e-8)
            np.testing.assert_allclose(samples[:, 3], alt, atol=1e-2)
    events_packets = [p for p in doc if p["id"].startswith("event/")]
    for p in events_packets:
        a, b = (_parse(x) for x in p["availability"].split("/"))
        assert b > a and "point" in p and len(p["position"][position]) == 3
    # force colours: blue and red entities differ
    rgba = {
        tr.force: tuple(by_id[f"entity/{tr.entity_id}"]["point"]["color"]["rgba"])
        for tr in entities
    }
    assert len(set(rgba.values())) == len(rgba)


def test_czml_bad_inputs(engagement) -> None:
    entities, events = engagement
    with pytest.raises(InputError):
        czml_document(entities, events, "yesterday")
    with pytest.raises(InputError):
        czml_document(entities, events, EPOCH, position="ecef")
    with pytest.raises(InputError):
        czml_document([entities[0], entities[0]], [], EPOCH)
    with pytest.raises(InputError):
        czml_document([], [], EPOCH)
    naive = czml_document(entities, events, dt.datetime(2030, 6, 1, 12))
    assert naive[0]["clock"]["currentTime"] == "2030-06-01T12:00:00Z"


def test_kml_valid_and_complete(engagement, tmp_path) -> None:
    entities, events = engagement
    path = write_kml(entities, events, tmp_path / "run.kml", EPOCH)
    assert path.read_bytes().startswith(b"<?xml")
    root = ET.parse(path).getroot()
    assert root.tag == f"{{{KML_NS}}}kml"
    doc = root.find("k:Document", NS)
    styles = {s.get("id") for s in doc.findall("k:Style", NS)}
    assert {"force-red", "force-blue", "force-green"} <= styles
    folders = doc.findall("k:Folder", NS)
    assert [f.findtext("k:name", namespaces=NS) for f in folders] == ["Entities", "Events"]
    placemarks = folders[0].findall("k:Placemark", NS)
    assert len(placemarks) == len(entities)
    for pm, tr in zip(placemarks, entities, strict=True):
        assert pm.findtext("k:name", namespaces=NS) == tr.name
        assert pm.findtext("k:styleUrl", namespaces=NS).lstrip("#") in styles
        track = pm.find("gx:Track", NS)
        if tr.is_static:
            assert track is None and pm.find("k:Point/k:coordinates", NS) is not None
            continue
        whens = [_parse(w.text) for w in track.findall("k:when", NS)]
        coords = [c.text.split() for c in track.findall("gx:coord", NS)]
        assert len(whens) == len(coords) == len(np.unique(tr.t_s))
        assert all(b > a for a, b in itertools.pairwise(whens))
        lon, lat, alt = (float(x) for x in coords[-1])
        r = tr.r_ecef_m[-1]
        lat0, lon0, alt0 = pymap3d.ecef2geodetic(*r)
        assert (lat, lon) == pytest.approx((lat0, lon0), abs=1e-7) and alt == pytest.approx(
            alt0, abs=0.01
        )
        assert track.findtext("k:altitudeMode", namespaces=NS) == "absolute"
    event_pms = folders[1].findall("k:Placemark", NS)
    assert len(event_pms) == len(events)
    for pm in event_pms:
        when = _parse(pm.findtext("k:TimeStamp/k:when", namespaces=NS))
        assert when >= _parse(EPOCH)
        lon, lat, _alt = (
            float(x) for x in pm.findtext("k:Point/k:coordinates", namespaces=NS).split(",")
        )
        assert -180 <= lon <= 180 and -90 <= lat <= 90
    assert math.isfinite(lat)
