"""``hoplon atmosphere``: table, JSON, units, errors, and the installed command."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from hoplon.cli.main import app
from hoplon.earth.atmosphere import us76

runner = CliRunner()
KEYS = {"altitude_m", "temperature_k", "pressure_pa", "density_kg_m3", "speed_of_sound_mps"}


def test_json_keys_and_values() -> None:
    result = runner.invoke(app, ["atmosphere", "30km", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == KEYS
    assert data["altitude_m"] == 30000.0
    assert data["density_kg_m3"] == pytest.approx(float(us76(30000.0).density_kg_m3), rel=1e-12)


@pytest.mark.parametrize(
    ("text", "alt_m"),
    [("100000m", 1e5), ("11000", 11e3), ("-2km", -2e3), ("36kft", 36000 * 0.3048)],
)
def test_units(text: str, alt_m: float) -> None:
    result = runner.invoke(app, ["atmosphere", text, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["altitude_m"] == pytest.approx(alt_m)


def test_table() -> None:
    result = runner.invoke(app, ["atmosphere", "11km"])
    assert result.exit_code == 0
    for word in ("temperature", "pressure", "density", "speed of sound", "km"):
        assert word in result.stdout


@pytest.mark.parametrize("text", ["-6km", "1001km", "3kg", "abc"])
def test_bad_altitude_is_one_line_exit_2(text: str) -> None:
    result = runner.invoke(app, ["atmosphere", text])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ALT")


def test_range_message_names_allowed_range() -> None:
    result = runner.invoke(app, ["atmosphere", "2000km"])
    assert "-5 km to 1000 km" in result.stderr


def test_subprocess_console_command() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "hoplon.cli.main", "atmosphere", "11km", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["temperature_k"] == pytest.approx(216.77, abs=0.01)
