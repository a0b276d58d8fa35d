"""``hoplon detect``."""

from __future__ import annotations

import json

import pytest

from hoplon.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_exact(capsys) -> None:
    code, out, _ = run(
        capsys,
        "detect",
        "--pd",
        "0.9",
        "--pfa",
        "1e-6",
        "--pulses",
        "1",
        "--swerling",
        "0",
        "--method",
        "exact",
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["snr_db"] == pytest.approx(13.183490056794499, abs=1e-6)
    assert data["pd"] == 0.9 and data["pfa"] == 1e-6 and data["pulses"] == 1
    assert data["swerling"] == 0 and data["method"] == "exact"


@pytest.mark.parametrize(
    ("method", "swerling", "n", "expected"),
    [
        ("albersheim", 0, 10, 3.556291380845494),
        ("shnidman", 3, 10, None),
    ],
)
def test_methods(capsys, method, swerling, n, expected) -> None:
    code, out, _ = run(
        capsys,
        "detect",
        "--pd",
        "0.5" if expected else "0.9",
        "--pfa",
        "1e-6",
        "--pulses",
        str(n),
        "--swerling",
        str(swerling),
        "--method",
        method,
        "--json",
    )
    assert code == 0
    snr = json.loads(out)["snr_db"]
    if expected:
        assert snr == pytest.approx(expected, abs=1e-9)
    else:
        assert snr == pytest.approx(9.457, abs=1e-3)  # DET-S5


def test_table_by_default(capsys) -> None:
    code, out, _ = run(capsys, "detect", "--pd", "0.9", "--swerling", "1")
    assert code == 0 and "21.14" in out and "SNR per pulse" in out


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--pd", "1.5"], "--pd"),
        (["--pd", "0.9", "--pfa", "0"], "--pfa"),
        (["--pd", "0.9", "--pulses", "0"], "--pulses"),
        (["--pd", "0.9", "--swerling", "9"], "--swerling"),
        (["--pd", "0.9", "--method", "guess"], "--method"),
        (["--pd", "0.9", "--method", "albersheim", "--swerling", "1"], "--swerling"),
    ],
)
def test_bad_input(capsys, args, field) -> None:
    code, out, err = run(capsys, "detect", *args)
    assert code == 2
    assert err.startswith(f"error: {field}:") and err.count("\n") == 1
    assert out == ""
