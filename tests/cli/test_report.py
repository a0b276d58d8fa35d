"""``hoplon report DIR``: run directories (and errors) on the command line."""

from __future__ import annotations

import json
import math
import shutil

import numpy as np
import pandas as pd
import pytest

from hoplon.cli import main as cli_main
from hoplon.scenario.loader import resolve

pytest.importorskip("pyarrow")


def _app() -> None:
    # until hoplon.cli.main lists "report" in COMMAND_MODULES
    names = {c.name for c in cli_main.app.registered_commands}
    if "report" not in names:
        from hoplon.cli.report import register

        register(cli_main.app)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    _app()
    try:
        cli_main.main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _write_run_dir(d) -> dict:  # type: ignore[no-untyped-def]
    d.mkdir(parents=True)
    summary = {
        "scenario": "Two-partner coalition, shared tracks",
        "seed": 7,
        "threats": 3,
        "intercepted": 2,
        "leakers": 1,
        "in_flight_at_end": 0,
        "interceptors_fired": 4,
        "interceptors_by_battery": {"blue_upper": 4},
        "interceptors_by_force": {"blue": 4},
        "interceptors_on_remote_tracks": 1,
        "assets_hit": ["blue_port"],
        "value_lost": 5.0,
    }
    (d / "summary.json").write_text(json.dumps(summary))
    shutil.copyfile(resolve("two_partner"), d / "scenario.yaml")
    pd.DataFrame(
        {
            "threat": [0, 1, 2],
            "type": ["mrbm-1300"] * 3,
            "target": ["blue_port"] * 3,
            "launch_s": [10.0, 20.0, 30.0],
            "impact_s": [math.nan, math.nan, 500.0],
            "outcome": ["intercepted", "intercepted", "leaked"],
            "intercept_s": [400.0, 420.0, math.nan],
            "killed_by": ["blue_upper", "blue_upper", None],
            "impact_lat_deg": [math.nan, math.nan, 7.0],
            "impact_lon_deg": [math.nan, math.nan, 156.5],
        }
    ).to_parquet(d / "threats.parquet")
    pd.DataFrame(
        {
            "shot": range(4),
            "battery": ["blue_upper"] * 4,
            "force": ["blue"] * 4,
            "interceptor": ["upper-tier"] * 4,
            "launch_s": [300.0, 320.0, 340.0, 360.0],
            "intercept_s": [400.0, 420.0, 440.0, 460.0],
            "remote_track": [True, False, False, False],
            "threat": [0, 1, 2, 2],
            "hit": [True, True, False, False],
            "site_lat_deg": [7.8] * 4,
            "site_lon_deg": [157.7] * 4,
            "aim_lat_deg": [7.1] * 4,
            "aim_lon_deg": [156.7] * 4,
        }
    ).to_parquet(d / "shots.parquet")
    pd.DataFrame(
        {
            "asset": ["blue_capital", "blue_port", "green_city"],
            "owner": ["blue", "blue", "green"],
            "value": [10.0, 5.0, 8.0],
            "leakers_hit": [0, 1, 0],
            "survived": [True, False, True],
        }
    ).to_parquet(d / "assets.parquet")
    pd.DataFrame(columns=["time_s", "event"]).to_parquet(d / "events.parquet")
    t = np.linspace(0, 1, 10)
    pd.DataFrame(
        {
            "threat": np.repeat([0, 1, 2], 10),
            "time_s": np.tile(10 + 400 * t, 3),
            "lat_deg": np.tile(3.0 + 4 * t, 3),
            "lon_deg": np.tile(151.0 + 5.5 * t, 3),
            "alt_m": np.tile(1e5 * np.sin(np.pi * t), 3),
        }
    ).to_parquet(d / "trajectories.parquet")
    return summary


def test_report_of_a_run_dir_json(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    summary = _write_run_dir(tmp_path / "run")
    out_html = tmp_path / "out" / "r.html"
    code, out, err = run(capsys, "report", str(tmp_path / "run"), "--out", str(out_html), "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["kind"] == "run"
    assert doc["html"] == str(out_html) and out_html.is_file()
    assert doc["leakers"] == summary["leakers"]
    assert doc["interceptors_fired"] == summary["interceptors_fired"]
    text = out_html.read_text()
    assert "<script" not in text and "https://" not in text
    assert (tmp_path / "out" / "map.png").is_file()


def test_report_default_location_and_table(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    _write_run_dir(tmp_path / "run")
    code, out, err = run(capsys, "report", str(tmp_path / "run"), "--coverage-alt", "20 km")
    assert code == 0, err
    assert (tmp_path / "run" / "report.html").is_file()
    assert "interceptors fired" in out and "report.html" in out


def test_report_rejects_a_plain_directory(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(capsys, "report", str(tmp_path))
    assert code == 2
    assert err.startswith("error:") and "summary.json" in err


def test_report_rejects_bad_rcs(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    _write_run_dir(tmp_path / "run")
    code, _, err = run(capsys, "report", str(tmp_path / "run"), "--coverage-rcs", "-1")
    assert code == 2 and "--coverage-rcs" in err
