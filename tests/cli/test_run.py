"""``hoplon run`` and ``hoplon validate`` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from hoplon.cli.main import app

runner = CliRunner()
DATA = Path(__file__).parents[1] / "sim" / "data"


def test_run_json_has_the_headline_keys(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = runner.invoke(
        app, ["run", str(DATA / "salvo.yaml"), "--seed", "2", "--json", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for key in ("threats", "intercepted", "leakers", "interceptors_fired"):
        assert key in data
    assert data["threats"] == 3
    assert (out / "timeline.png").stat().st_size > 10_000
    assert (out / "scenario.yaml").read_text() == (DATA / "salvo.yaml").read_text()


def test_run_table_output() -> None:
    result = runner.invoke(app, ["run", str(DATA / "salvo.yaml"), "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert "intercepted" in result.stdout and "timeline" in result.stdout


def test_bad_inputs_give_one_line_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text((DATA / "salvo.yaml").read_text().replace("radius: 5 km", "radius: 5 parsecs"))
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    assert "assets.base.radius" in result.output and "parsecs" in result.output
    result = runner.invoke(app, ["run", "no_such_example"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_an_unreachable_target_names_the_raid(tmp_path: Path) -> None:
    far = tmp_path / "far.yaml"
    far.write_text(
        (DATA / "salvo.yaml")
        .read_text()
        .replace("{lat: 8.0, lon: 159.0}", "{lat: 0.0, lon: 150.0}")
    )
    result = runner.invoke(app, ["run", str(far)])
    assert result.exit_code == 2
    assert "threats[0]" in result.output and "beyond" in result.output
    assert "Traceback" not in result.output
