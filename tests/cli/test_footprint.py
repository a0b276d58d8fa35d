"""``hoplon footprint``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from hoplon.cli import footprint as cmd
from hoplon.cli import main as cli_main


def _app() -> typer.Typer:
    """The hoplon app, with ``footprint`` registered (until main.py lists it)."""
    if "footprint" in cli_main.COMMAND_MODULES:
        return cli_main.app
    app = typer.Typer(cls=cli_main._HoplonGroup, add_completion=False)

    @app.callback()
    def _root() -> None:
        """hoplon (test app)."""

    cmd.register(app)
    return app


def run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(_app(), list(args))
    return res.exit_code, res.stdout, res.stderr


BASE = ("footprint", "two_partner", "--threat", "mrbm-1300", "--from", "3,151")


def test_sharing_both_json_and_plot(tmp_path: Path) -> None:
    png = tmp_path / "fp.png"
    code, out, err = run(*BASE, "--grid", "10", "--sharing", "both", "--json", "--plot", str(png))
    assert code == 0, err
    data = json.loads(out)
    assert data["threat"] == "mrbm-1300" and data["sharing"] == "both"
    assert data["grid"]["ny"] == 10 and data["grid"]["nx"] == 10
    assert data["launch"] == [{"lat_deg": pytest.approx(3.0), "lon_deg": pytest.approx(151.0)}]
    off, on = data["area_km2"]["off"], data["area_km2"]["on"]
    assert on > 0 and data["gain_km2"] == pytest.approx(on - off) and on >= off
    per_off, per_on = data["battery_area_km2"]["off"], data["battery_area_km2"]["on"]
    assert set(per_on) == {"blue_upper", "blue_lower", "blue_port_lower", "blue_ship", "green_area"}
    assert all(per_on[k] >= per_off[k] for k in per_on)
    assert png.read_bytes()[:4] == b"\x89PNG" and png.stat().st_size > 10_000


def test_one_battery_table() -> None:
    code, out, err = run(
        *BASE, "--grid", "6", "--battery", "blue_lower", "--sharing", "off", "--extent", "80km"
    )
    assert code == 0, err
    assert "blue_lower" in out and "km²" in out and "green_area" not in out
    assert "6 x 6" in out


def test_json_single_mode() -> None:
    code, out, err = run(*BASE, "--grid", "4", "--sharing", "on", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["sharing"] == "on"
    assert data["area_km2"] <= sum(data["battery_area_km2"].values()) + 1e-6
    assert data["area_km2"] >= max(data["battery_area_km2"].values())


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("--sharing", "maybe"), "--sharing"),
        (("--battery", "nope"), "--battery"),
        (("--grid", "1"), "--grid"),
        (("--extent", "-3km"), "--extent"),
    ],
)
def test_bad_options(args: tuple[str, ...], field: str) -> None:
    code, _, err = run(*BASE, *args)
    assert code == 2
    assert err.startswith("error: ") and field in err


def test_bad_threat_and_launch() -> None:
    code, _, err = run(
        "footprint", "two_partner", "--threat", "cruise-subsonic", "--from", "3,151", "--grid", "4"
    )
    assert code == 2 and "ballistic" in err
    code, _, err = run("footprint", "two_partner", "--threat", "mrbm-1300", "--from", "3;151")
    assert code == 2 and "--from" in err
