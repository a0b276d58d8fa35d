"""``hoplon coverage``."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from hoplon.cli.main import main

RADAR_YAML = """\
sensors:
  - type: radar
    name: fbr
    site: {lat: 40.0, lon: 30.0, alt: 100 m}
    boresight_azimuth: 90 deg
    azimuth_span: 120 deg
    max_range: 1500 km
    sensitivity: {form: reference, snr_db: 20, range: 1000 km, rcs: 1 m2}
    detection: {swerling: 0, pd_required: 0.9}
    rcs: 0.1 m2
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> str:
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def test_radar_json_and_plot(tmp_path, capsys) -> None:
    f = write(tmp_path, RADAR_YAML)
    png = tmp_path / "map.png"
    code, out, err = run(capsys, "coverage", f, "--altitude", "100km", "--plot", str(png), "--json")
    assert code == 0, err
    data = json.loads(out)
    (s,) = data["sensors"]
    assert s["name"] == "fbr" and s["rcs_m2"] == pytest.approx(0.1)
    # reference SNR 20 dB at 1000 km for 1 m^2; 0.1 m^2 needs 13.18 dB (Swerling 0, Pd 0.9)
    expected = 1000e3 * (10 ** ((20 - 10 - 13.183490056794499) / 10)) ** 0.25
    assert s["detection_range_m"] == pytest.approx(expected, rel=1e-6)
    assert s["area_km2"] > 0
    assert png.stat().st_size > 10_000 and png.read_bytes()[:4] == b"\x89PNG"


def test_rcs_option_overrides(tmp_path, capsys) -> None:
    f = write(tmp_path, RADAR_YAML)
    _, out1, _ = run(capsys, "coverage", f, "--altitude", "100km", "--json")
    _, out2, _ = run(capsys, "coverage", f, "--altitude", "100km", "--rcs", "1m2", "--json")
    r1 = json.loads(out1)["sensors"][0]["detection_range_m"]
    r2 = json.loads(out2)["sensors"][0]["detection_range_m"]
    assert r2 == pytest.approx(r1 * 10**0.25, rel=1e-9)


def test_table_output(tmp_path, capsys) -> None:
    code, out, _ = run(capsys, "coverage", write(tmp_path, RADAR_YAML), "--altitude", "50km")
    assert code == 0 and "fbr: detection range" in out and "area covered" in out


def test_sensor_file_mapping_form(tmp_path, capsys) -> None:
    text = """\
name: demo
sensors:
  green_radar:
    type: radar
    site: {lat: 10, lon: 10}
    max_range: 800 km
    sensitivity: {form: reference, snr_db: 25, range: 500 km}
"""
    code, out, err = run(capsys, "coverage", write(tmp_path, text), "--altitude", "80km", "--json")
    assert code == 0, err
    assert json.loads(out)["sensors"][0]["name"] == "green_radar"


def test_packaged_ir_file(capsys) -> None:
    path = resources.files("hoplon.data").joinpath("sensors/ir_constellation.yaml")
    code, out, err = run(capsys, "coverage", str(path), "--altitude", "50km", "--json")
    assert code == 0, err
    (s,) = json.loads(out)["sensors"]
    assert s["type"] == "infrared" and s["satellites"] == 6 and s["area_km2"] > 4e8


def test_bad_field_names_file_line_and_field(tmp_path, capsys) -> None:
    f = write(tmp_path, RADAR_YAML.replace("max_range: 1500 km", "max_range: 1500 parsec"))
    code, out, err = run(capsys, "coverage", f, "--altitude", "100km")
    assert code == 2 and out == ""
    assert err.startswith(f"error: {f}:7: sensors.0.max_range:")
    assert err.count("\n") == 1


def test_unknown_type(tmp_path, capsys) -> None:
    f = write(tmp_path, RADAR_YAML.replace("type: radar", "type: sonar"))
    code, _, err = run(capsys, "coverage", f, "--altitude", "100km")
    assert code == 2 and "sensors.0" in err and "sonar" in err


def test_missing_file(tmp_path, capsys) -> None:
    code, _, err = run(capsys, "coverage", str(tmp_path / "nope.yaml"), "--altitude", "1km")
    assert code == 2 and "not found" in err


def test_bad_altitude(tmp_path, capsys) -> None:
    code, _, err = run(capsys, "coverage", write(tmp_path, RADAR_YAML), "--altitude", "high")
    assert code == 2 and err.startswith("error: --altitude:")


def test_blind_sensor_warns(tmp_path, capsys) -> None:
    f = write(tmp_path, RADAR_YAML.replace("azimuth_span: 120 deg", "azimuth_span: 0 deg"))
    code, out, err = run(capsys, "coverage", f, "--altitude", "100km", "--json")
    assert code == 0
    assert "warning: sensor 'fbr' can never see anything" in err
    assert json.loads(out)["sensors"][0]["area_km2"] == 0


def test_sensor_that_sees_nothing_at_altitude_warns(tmp_path, capsys) -> None:
    # a mast radar with a 20 km instrumented range cannot reach 100 km altitude
    f = write(tmp_path, RADAR_YAML.replace("max_range: 1500 km", "max_range: 20 km"))
    code, _, err = run(capsys, "coverage", f, "--altitude", "100km")
    assert code == 0 and "warning: sensor 'fbr' sees nothing at altitude 100 km" in err


def test_scenario_file(tmp_path, capsys) -> None:
    """A scenario file (with forces:) is read with the scenario schema."""
    from hoplon.scenario.loader import list_examples

    if "two_partner" not in list_examples():
        pytest.skip("packaged example scenario two_partner is not available")
    code, out, err = run(capsys, "coverage", "two_partner", "--altitude", "100km", "--json")
    assert code == 0, err
    rows = json.loads(out)["sensors"]
    radars = [r for r in rows if r["type"] == "radar"]
    assert radars and all(r["detection_range_m"] > 0 for r in radars)
    assert len({r["name"] for r in rows}) == len(rows)
