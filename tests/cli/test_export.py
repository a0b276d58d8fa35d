"""``hoplon export czml|kml RUN_DIR`` and ``hoplon dis stream`` against a loopback listener."""

from __future__ import annotations

import json
import shutil
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from hoplon.cli import dis, export
from hoplon.interop.net import DisListener
from hoplon.interop.pdu import marking_from_name
from hoplon.interop.rundir import load_run

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Test root."""

    export.register(app)
    dis.register(app)
    return app


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from hoplon.scenario import load
    from hoplon.scenario.loader import example_path
    from hoplon.sim import run

    out = tmp_path_factory.mktemp("run")
    run(load("single_battery"), seed=1).write(out)
    shutil.copyfile(example_path("single_battery"), out / "scenario.yaml")
    return out


def test_export_czml_default_path(run_dir: Path) -> None:
    result = runner.invoke(_app(), ["export", "czml", str(run_dir)])
    assert result.exit_code == 0, result.output
    path = run_dir / "run.czml"
    assert str(path) in result.stdout
    doc = json.loads(path.read_text())
    assert doc[0]["id"] == "document" and doc[0]["name"] == "Single battery, small raid"
    entities, events, _ = load_run(run_dir)
    ids = {p["id"] for p in doc}
    assert {f"entity/{e.entity_id}" for e in entities} <= ids
    assert len(doc) == 1 + len(entities) + len(events)


def test_export_kml_out_and_json(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.kml"
    result = runner.invoke(_app(), ["export", "kml", str(run_dir), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["file"] == str(out) and data["format"] == "kml"
    assert data["entities"] > 0 and data["events"] > 0
    root = ET.parse(out).getroot()
    assert root.tag.endswith("kml")


@pytest.mark.parametrize("fmt", ["czml", "kml"])
def test_export_bad_run_dir(tmp_path: Path, fmt: str) -> None:
    result = runner.invoke(_app(), ["export", fmt, str(tmp_path)])
    assert result.exit_code == 2
    assert "scenario.yaml" in result.stderr and "missing" in result.stderr


def _stream_into_listener(args: list[str], max_packets: int) -> tuple[object, object]:
    with DisListener(("127.0.0.1", 0)) as listener:
        port = listener.address[1]
        stop = threading.Event()
        thread = threading.Thread(
            target=listener.run,
            kwargs={"duration_s": 30.0, "max_packets": max_packets, "stop": stop},
        )
        thread.start()
        try:
            result = runner.invoke(_app(), [*args, "--address", f"127.0.0.1:{port}", "--json"])
        finally:
            stop_after = threading.Timer(2.0, stop.set)
            stop_after.start()
            thread.join(10.0)
            stop_after.cancel()
        return result, listener.report


def test_stream_run_dir_reaches_a_listener(run_dir: Path) -> None:
    entities, _, _ = load_run(run_dir)
    args = ["dis", "stream", str(run_dir), "--rate", "x2000", "--interval", "5s"]
    result, report = _stream_into_listener(args, max_packets=100_000)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["entities"] == len(entities) and data["sent"] == data["pdus"] > 0
    assert report.malformed_total == 0
    assert 0.9 * data["sent"] <= report.datagrams <= data["sent"]
    seen = {e.marking for e in report.entities.values()}
    assert seen == {marking_from_name(e.name) for e in entities}
    forces = {e.marking: e.force_id for e in report.entities.values()}
    assert forces[marking_from_name("T0 srbm-300")] == 2
    assert report.fires >= 1 and report.detonations >= 1


def test_stream_scenario_runs_first() -> None:
    args = ["dis", "stream", "single_battery", "--seed", "1", "--rate", "asap"]
    args += ["--interval", "20s"]
    result, report = _stream_into_listener(args, max_packets=40)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["source"] == "single_battery (seed 1)" and data["sent"] >= 40
    assert report.datagrams == 40 and len(report.entities) >= 3


@pytest.mark.parametrize(
    ("extra", "option"),
    [
        (["--rate", "fast"], "--rate"),
        (["--rate", "x0"], "--rate"),
        (["--address", "239.1.2.3:3000"], "--multicast"),
        (["--address", "127.0.0.1:3000", "--multicast"], "--address"),
        (["--interval", "0s"], "--interval"),
        (["--seed", "-1"], "--seed"),
    ],
)
def test_stream_bad_options(run_dir: Path, extra: list[str], option: str) -> None:
    result = runner.invoke(_app(), ["dis", "stream", str(run_dir), *extra])
    assert result.exit_code == 2
    assert option in result.stderr


def test_stream_missing_source(tmp_path: Path) -> None:
    result = runner.invoke(_app(), ["dis", "stream", str(tmp_path / "nothing.yaml")])
    assert result.exit_code == 2
    assert "nothing.yaml" in result.stderr
