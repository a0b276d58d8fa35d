"""The viewer's web app: the page, the Cesium build, the run as CZML and its events."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from hoplon.errors import InputError

STATIC_DIR = Path(__file__).with_name("static")


def _require_fastapi() -> None:
    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        raise InputError(
            "viewer", "needs fastapi and uvicorn", "pip install 'hoplon[viewer]'"
        ) from None


def run_payload(run_dir: str | Path) -> dict[str, Any]:
    """The run as the page needs it: CZML packets, events, and a summary with a view box."""
    from hoplon.earth.frames import ecef_to_geodetic
    from hoplon.interop._epoch import iso
    from hoplon.interop.czml import czml_document
    from hoplon.interop.rundir import entities_from_tables, read_run_tables

    tables = read_run_tables(run_dir)
    entities, events = entities_from_tables(tables)
    epoch = tables.spec.epoch
    czml = czml_document(entities, events, epoch, name=tables.spec.name, multiplier=10.0)
    points = [tr.r_ecef_m for tr in entities if not tr.metadata.get("orbit")]
    points += [ev.r_ecef_m[None, :] for ev in events]
    if points:
        lat, lon, _ = ecef_to_geodetic(np.concatenate(points))
        lat_d, lon_d = np.degrees(lat), np.degrees(lon)
        pad = 1.0
        view = [
            float(lon_d.min() - pad),
            float(max(lat_d.min() - pad, -89.0)),
            float(lon_d.max() + pad),
            float(min(lat_d.max() + pad, 89.0)),
        ]
    else:  # pragma: no cover - an empty run
        view = [-180.0, -60.0, 180.0, 60.0]
    names = {tr.entity_id: tr.name for tr in entities}
    event_rows = [
        {
            "index": i,
            "time_s": ev.time_s,
            "time": iso(epoch, ev.time_s),
            "kind": ev.kind,
            "name": ev.name or ev.kind,
            "entity_id": ev.entity_id,
            "entity": names.get(ev.entity_id, ""),
            "target": names.get(ev.target_id, "") if ev.target_id is not None else "",
            "result": str(ev.result),
            "czml_id": f"event/{i}",
        }
        for i, ev in enumerate(sorted(events, key=lambda e: e.time_s))
    ]
    summary = (
        json.loads((Path(run_dir) / "summary.json").read_text())
        if (Path(run_dir) / "summary.json").is_file()
        else {}
    )
    info = {
        "name": tables.spec.name,
        "epoch": iso(epoch, 0.0),
        "start": czml[0]["clock"]["interval"].split("/")[0],
        "stop": czml[0]["clock"]["interval"].split("/")[1],
        "entities": len(entities),
        "events": len(events),
        "view_deg": view,
        "summary": summary,
    }
    return {"czml": czml, "events": event_rows, "info": info}


def create_app(run_dir: str | Path, cesium_dir: str | Path) -> Any:
    """A FastAPI app serving one run directory.

    Routes: ``/`` (the page), ``/static/*`` (its script and style), ``/cesium/*`` (the
    Cesium build), ``/run.czml``, ``/api/events``, ``/api/run`` (name, times, counts).
    """
    _require_fastapi()
    from fastapi import FastAPI
    from fastapi.responses import FileResponse, JSONResponse, Response
    from fastapi.staticfiles import StaticFiles

    payload = run_payload(run_dir)
    czml_bytes = json.dumps(payload["czml"], separators=(",", ":"), allow_nan=False).encode()
    app = FastAPI(title="Hoplon replay viewer", docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-store"})

    @app.get("/run.czml")
    def run_czml() -> Response:
        return Response(czml_bytes, media_type="application/json")

    @app.get("/api/events")
    def api_events() -> JSONResponse:
        return JSONResponse(payload["events"])

    @app.get("/api/run")
    def api_run() -> JSONResponse:
        return JSONResponse(payload["info"])

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.mount("/cesium", StaticFiles(directory=Path(cesium_dir)), name="cesium")
    return app
