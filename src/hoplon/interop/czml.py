"""CZML (Cesium) documents from entity tracks and events.

One document packet (clock over the run), one packet per entity (sampled ``position`` with
an epoch and Lagrange interpolation, a ``path`` trail, a ``point`` coloured by force, an
``availability`` interval) and one packet per event (a point shown for ``event_linger_s``).
Positions are ECEF (``cartesian``, reference frame FIXED) or geodetic
(``cartographicDegrees``: longitude, latitude [deg], height [m] on WGS84).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from hoplon.earth.frames import ecef_to_geodetic
from hoplon.errors import InputError
from hoplon.interop._epoch import iso, parse_epoch
from hoplon.interop._style import EVENT_RGBA, force_rgba
from hoplon.interop.entities import EntityTrack, SimEvent

_POINT_SIZE = {"threat": 9, "interceptor": 7, "sensor": 11, "battery": 11, "asset": 13}


def _strictly_increasing(track: EntityTrack) -> tuple[np.ndarray, np.ndarray]:
    """Samples with repeated times (phase boundaries) reduced to the first of each."""
    keep = np.concatenate(([True], np.diff(track.t_s) > 0))
    return track.t_s[keep], track.r_ecef_m[keep]


def _coords(r: np.ndarray, position: str) -> np.ndarray:
    if position == "cartesian":
        return np.round(r, 3)
    lat, lon, alt = ecef_to_geodetic(r)
    return np.stack((np.degrees(lon).round(9), np.degrees(lat).round(9), alt.round(3)), axis=-1)


def _interval(epoch: dt.datetime, a: float, b: float) -> str:
    return f"{iso(epoch, a)}/{iso(epoch, b)}"


def _rgba(c: tuple[int, int, int, int]) -> dict[str, list[int]]:
    return {"rgba": list(c)}


def _time_span(entities: Sequence[EntityTrack], events: Sequence[SimEvent]) -> tuple[float, float]:
    times = [tr.start_s for tr in entities] + [tr.end_s for tr in entities]
    times += [ev.time_s for ev in events]
    if not times:
        raise InputError("entities", "nothing to write: no entities and no events")
    start, end = min(times), max(times)
    return start, end if end > start else start + 1.0


def czml_document(
    entities: Sequence[EntityTrack],
    events: Sequence[SimEvent] = (),
    epoch: dt.datetime | str = "2030-01-01T00:00:00Z",
    *,
    name: str = "Hoplon run",
    multiplier: float = 10.0,
    position: str = "cartesian",
    interpolation_degree: int = 5,
    event_linger_s: float = 30.0,
) -> list[dict[str, Any]]:
    """The CZML packets (a JSON-ready list) for ``entities`` and ``events``.

    Parameters
    ----------
    epoch : datetime or ISO 8601 text
        Calendar time of simulation time 0 (naive datetimes are UTC).
    multiplier : float
        Clock multiplier (simulated seconds per wall second) of the viewer.
    position : {"cartesian", "cartographicDegrees"}
        How positions are written.
    interpolation_degree : int
        Lagrange degree (lowered to samples - 1 for short tracks).
    event_linger_s : float
        How long an event marker stays visible [s].
    """
    if position not in ("cartesian", "cartographicDegrees"):
        raise InputError("position", f"{position!r}", "cartesian, cartographicDegrees")
    if interpolation_degree < 1:
        raise InputError("interpolation_degree", f"{interpolation_degree} < 1", ">= 1")
    ids = [tr.entity_id for tr in entities]
    if len(set(ids)) != len(ids):
        raise InputError("entities", "entity ids must be unique")
    ep = parse_epoch(epoch)
    start, end = _time_span(entities, events)
    packets: list[dict[str, Any]] = [
        {
            "id": "document",
            "name": name,
            "version": "1.0",
            "clock": {
                "interval": _interval(ep, start, end),
                "currentTime": iso(ep, start),
                "multiplier": float(multiplier),
                "range": "LOOP_STOP",
                "step": "SYSTEM_CLOCK_MULTIPLIER",
            },
        }
    ]
    for tr in entities:
        colour = force_rgba(tr.force)
        t, r = _strictly_increasing(tr)
        c = _coords(r, position)
        static = t.size == 1
        stop = end if static else tr.end_s
        packet: dict[str, Any] = {
            "id": f"entity/{tr.entity_id}",
            "name": tr.name,
            "description": (f"{tr.kind} of {tr.force}; DIS type {':'.join(map(str, tr.dis_type))}"),
            "availability": _interval(ep, tr.start_s, stop),
            "properties": {"entity_id": tr.entity_id, "kind": tr.kind, "force": tr.force},
            "point": {
                "pixelSize": _POINT_SIZE.get(tr.kind, 8),
                "color": _rgba(colour),
                "outlineColor": _rgba((0, 0, 0, 255)),
                "outlineWidth": 1,
            },
            "label": {
                "text": tr.name,
                "font": "11pt sans-serif",
                "fillColor": _rgba(colour),
                "pixelOffset": {"cartesian2": [12, -12]},
                "show": tr.kind in ("sensor", "battery", "asset"),
            },
        }
        if static:
            packet["position"] = {position: [float(x) for x in c[0]]}
        else:
            flat = np.column_stack((np.round(t - tr.start_s, 6), c)).ravel()
            packet["position"] = {
                "epoch": iso(ep, tr.start_s),
                position: [float(x) for x in flat],
                "interpolationAlgorithm": "LAGRANGE",
                "interpolationDegree": int(min(interpolation_degree, t.size - 1)),
                "forwardExtrapolationType": "HOLD",
                "backwardExtrapolationType": "HOLD",
            }
            if position == "cartesian":
                packet["position"]["referenceFrame"] = "FIXED"
            packet["path"] = {
                "show": True,
                "width": 2,
                "leadTime": 0,
                "trailTime": float(tr.end_s - tr.start_s),
                "resolution": 1,
                "material": {"solidColor": {"color": _rgba(colour)}},
            }
        packets.append(packet)
    for i, ev in enumerate(sorted(events, key=lambda e: e.time_s)):
        c = _coords(ev.r_ecef_m[None, :], position)[0]
        who = f"entity {ev.entity_id}" + (f" on {ev.target_id}" if ev.target_id else "")
        packets.append(
            {
                "id": f"event/{i}",
                "name": ev.name or f"{ev.kind} ({who})",
                "description": f"{ev.kind} at t = {ev.time_s:.3f} s: {who}"
                + (f", {ev.result}" if ev.result != "" else ""),
                "availability": _interval(ep, ev.time_s, ev.time_s + event_linger_s),
                "properties": {"kind": ev.kind, "entity_id": ev.entity_id, "time_s": ev.time_s},
                "position": {position: [float(x) for x in c]},
                "point": {
                    "pixelSize": 14,
                    "color": _rgba(EVENT_RGBA[ev.kind]),
                    "outlineColor": _rgba((0, 0, 0, 255)),
                    "outlineWidth": 2,
                },
            }
        )
    return packets


def write_czml(
    entities: Sequence[EntityTrack],
    events: Sequence[SimEvent],
    path: str | Path,
    epoch: dt.datetime | str,
    **options: Any,
) -> Path:
    """Write a CZML document (see :func:`czml_document` for ``options``); returns the path."""
    path = Path(path)
    doc = czml_document(entities, events, epoch, **options)
    path.write_text(json.dumps(doc, separators=(",", ":"), allow_nan=False))
    return path
