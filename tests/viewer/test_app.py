"""The viewer's routes (FastAPI test client), Cesium discovery, and ``hoplon view`` errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

pytest.importorskip("fastapi", reason="the viewer needs the 'viewer' extra (fastapi, uvicorn)")
pytest.importorskip("httpx", reason="fastapi.testclient needs httpx")

from fastapi.testclient import TestClient

from hoplon.cli import view as view_cli
from hoplon.interop.rundir import load_run
from hoplon.viewer import cesium
from hoplon.viewer.app import create_app
from hoplon.viewer.server import ViewerServer


def test_routes(viewer_run_dir: Path, fake_cesium: Path) -> None:
    client = TestClient(create_app(viewer_run_dir, fake_cesium))
    page = client.get("/")
    assert page.status_code == 200
    for needle in ("/cesium/Cesium.js", "cesiumContainer", "/static/viewer.js", "hoplon-status"):
        assert needle in page.text
    script = client.get("/static/viewer.js").text
    for needle in ("NaturalEarthII", "TileMapServiceImageryProvider", "baseLayerPicker: false"):
        assert needle in script
    assert "Ion.defaultAccessToken" not in script
    assert client.get("/cesium/Cesium.js").status_code == 200
    entities, events, _ = load_run(viewer_run_dir)
    czml = client.get("/run.czml").json()
    assert czml[0]["id"] == "document" and len(czml) == 1 + len(entities) + len(events)
    ev = client.get("/api/events").json()
    assert len(ev) == len(events)
    assert [e["time_s"] for e in ev] == sorted(e["time_s"] for e in ev)
    assert {e["kind"] for e in ev} == {"launch", "fire", "intercept"}
    assert all(e["time"].startswith("2026-01-01T") for e in ev)
    info = client.get("/api/run").json()
    assert info["name"] == "Single battery, small raid"
    w, s, e, n = info["view_deg"]
    assert w < 159.0 < 160.0 < e and s < 8.0 < 10.0 < n
    assert info["summary"]["threats"] == 4
    assert client.get("/nothing").status_code == 404


def test_threaded_server_answers(viewer_run_dir: Path, fake_cesium: Path) -> None:
    import urllib.request

    with ViewerServer(create_app(viewer_run_dir, fake_cesium)) as server:
        with urllib.request.urlopen(server.url + "api/events", timeout=5) as resp:
            assert json.loads(resp.read())[0]["kind"] == "launch"


def test_cesium_discovery(
    tmp_path: Path, fake_cesium: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOPLON_CESIUM_DIR", str(tmp_path / "empty"))
    assert cesium.find_cesium_build() is None
    with pytest.raises(Exception, match="hoplon view --setup"):
        cesium.require_cesium_build()
    monkeypatch.setenv("HOPLON_CESIUM_DIR", str(fake_cesium))
    assert cesium.find_cesium_build() == fake_cesium
    npm_root = tmp_path / "npm"
    build = npm_root / "node_modules" / "cesium" / "Build"
    build.mkdir(parents=True)
    (fake_cesium.parent).rename(build / "x")
    (build / "x" / "Cesium").rename(build / "Cesium")
    monkeypatch.setenv("HOPLON_CESIUM_DIR", str(npm_root))
    assert cesium.find_cesium_build() == build / "Cesium"


def test_setup_without_npm(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOPLON_CESIUM_DIR", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(Exception, match="npm"):
        cesium.setup_cesium()


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Test root."""

    view_cli.register(app)
    return app


def test_view_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(_app(), ["view", str(tmp_path), "--no-browser"])
    assert result.exit_code == 2 and "scenario.yaml" in result.stderr
    result = runner.invoke(_app(), ["view", str(tmp_path), "--port", "70000"])
    assert result.exit_code == 2 and "--port" in result.stderr


def test_missing_fastapi_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    from hoplon.viewer import app as viewer_app

    real_import = builtins.__import__

    def fake_import(name: str, *args: object, **kwargs: object) -> object:
        if name == "fastapi":
            raise ImportError("no fastapi")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(Exception, match=r"hoplon\[viewer\]"):
        viewer_app._require_fastapi()
