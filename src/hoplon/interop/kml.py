"""KML 2.2 (Google Earth) from entity tracks and events.

A ``Style`` per force and per event kind; a folder of entities, each a ``Placemark`` with a
``gx:Track`` (``when`` / ``gx:coord`` longitude latitude height, altitude mode absolute) or,
for a static entity, a ``Point`` with a ``TimeSpan``; a folder of events, each a
``Placemark`` with a ``TimeStamp`` and a ``Point``. Built with :mod:`xml.etree`, so the
output is well-formed XML by construction.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from hoplon.earth.frames import ecef_to_geodetic
from hoplon.interop._epoch import iso, parse_epoch
from hoplon.interop._style import EVENT_RGBA, force_rgba, kml_color
from hoplon.interop.czml import _strictly_increasing, _time_span
from hoplon.interop.entities import EntityTrack, SimEvent

KML_NS = "http://www.opengis.net/kml/2.2"
GX_NS = "http://www.google.com/kml/ext/2.2"
ET.register_namespace("", KML_NS)
ET.register_namespace("gx", GX_NS)


def _k(tag: str) -> str:
    return f"{{{KML_NS}}}{tag}"


def _gx(tag: str) -> str:
    return f"{{{GX_NS}}}{tag}"


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, tag)
    if text is not None:
        el.text = text
    return el


def _style_id(force: str) -> str:
    return "force-" + "".join(ch if ch.isalnum() else "_" for ch in force.lower())


def _lla_deg(r: np.ndarray) -> np.ndarray:
    lat, lon, alt = ecef_to_geodetic(np.atleast_2d(r))
    return np.stack((np.degrees(lon), np.degrees(lat), alt), axis=-1)


def _style(doc: ET.Element, sid: str, rgba: tuple[int, int, int, int], scale: float) -> None:
    style = _sub(doc, _k("Style"))
    style.set("id", sid)
    icon_style = _sub(style, _k("IconStyle"))
    _sub(icon_style, _k("color"), kml_color(rgba))
    _sub(icon_style, _k("scale"), f"{scale:g}")
    icon = _sub(icon_style, _k("Icon"))
    _sub(icon, _k("href"), "http://maps.google.com/mapfiles/kml/shapes/shaded_dot.png")
    line = _sub(style, _k("LineStyle"))
    _sub(line, _k("color"), kml_color(rgba))
    _sub(line, _k("width"), "2")


def kml_tree(
    entities: Sequence[EntityTrack],
    events: Sequence[SimEvent] = (),
    epoch: dt.datetime | str = "2030-01-01T00:00:00Z",
    *,
    name: str = "Hoplon run",
) -> ET.ElementTree:
    """The KML document as an element tree."""
    ep = parse_epoch(epoch)
    _start, end = _time_span(entities, events)
    root = ET.Element(_k("kml"))
    doc = _sub(root, _k("Document"))
    _sub(doc, _k("name"), name)
    for force in sorted({tr.force for tr in entities}):
        _style(doc, _style_id(force), force_rgba(force), 0.8)
    for kind in sorted({ev.kind for ev in events}):
        _style(doc, f"event-{kind}", EVENT_RGBA[kind], 1.2)

    folder = _sub(doc, _k("Folder"))
    _sub(folder, _k("name"), "Entities")
    for tr in entities:
        pm = _sub(folder, _k("Placemark"))
        pm.set("id", f"entity-{tr.entity_id}")
        _sub(pm, _k("name"), tr.name)
        _sub(pm, _k("description"), f"{tr.kind} of {tr.force} (entity {tr.entity_id})")
        _sub(pm, _k("styleUrl"), f"#{_style_id(tr.force)}")
        t, r = _strictly_increasing(tr)
        lla = _lla_deg(r)
        if t.size == 1:
            span = _sub(pm, _k("TimeSpan"))
            _sub(span, _k("begin"), iso(ep, tr.start_s))
            _sub(span, _k("end"), iso(ep, end))
            point = _sub(pm, _k("Point"))
            _sub(point, _k("altitudeMode"), "absolute")
            _sub(point, _k("coordinates"), "{:.8f},{:.8f},{:.2f}".format(*lla[0]))
            continue
        track = _sub(pm, _gx("Track"))
        _sub(track, _k("altitudeMode"), "absolute")
        for ti in t:
            _sub(track, _k("when"), iso(ep, float(ti)))
        for lon, lat, alt in lla:
            _sub(track, _gx("coord"), f"{lon:.8f} {lat:.8f} {alt:.2f}")

    folder = _sub(doc, _k("Folder"))
    _sub(folder, _k("name"), "Events")
    for i, ev in enumerate(sorted(events, key=lambda e: e.time_s)):
        pm = _sub(folder, _k("Placemark"))
        pm.set("id", f"event-{i}")
        _sub(pm, _k("name"), ev.name or f"{ev.kind} {ev.entity_id}")
        detail = f"{ev.kind} of entity {ev.entity_id} at t = {ev.time_s:.3f} s"
        if ev.target_id is not None:
            detail += f" on entity {ev.target_id}"
        if ev.result != "":
            detail += f": {ev.result}"
        _sub(pm, _k("description"), detail)
        stamp = _sub(pm, _k("TimeStamp"))
        _sub(stamp, _k("when"), iso(ep, ev.time_s))
        _sub(pm, _k("styleUrl"), f"#event-{ev.kind}")
        point = _sub(pm, _k("Point"))
        _sub(point, _k("altitudeMode"), "absolute")
        _sub(point, _k("coordinates"), "{:.8f},{:.8f},{:.2f}".format(*_lla_deg(ev.r_ecef_m)[0]))
    ET.indent(root, space=" ")
    return ET.ElementTree(root)


def write_kml(
    entities: Sequence[EntityTrack],
    events: Sequence[SimEvent],
    path: str | Path,
    epoch: dt.datetime | str,
    *,
    name: str = "Hoplon run",
) -> Path:
    """Write a KML 2.2 file of ``entities`` and ``events``; returns the path."""
    path = Path(path)
    kml_tree(entities, events, epoch, name=name).write(path, encoding="UTF-8", xml_declaration=True)
    return path
