"""``hoplon campaign``, ``hoplon sweep`` and ``hoplon compare``."""

from __future__ import annotations

import json

import pytest

from hoplon.cli import main as cli_main
from hoplon.cli.campaign import register

if "campaign" not in cli_main.COMMAND_MODULES:  # until the lead lists the module in main.py
    register(cli_main.app)

#: single_battery cut to one threat and 400 s (about 0.3 s a trial).
SMALL = ["single_battery", "--set", "threats.0.count=1", "--set", "duration=400 s"]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        cli_main.main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_campaign_json_and_resume(capsys, tmp_path) -> None:
    out = tmp_path / "camp"
    code, text, err = run(
        capsys,
        "campaign",
        *SMALL,
        "--trials",
        "3",
        "--seed",
        "5",
        "--workers",
        "1",
        "--out",
        str(out),
        "--json",
        "--no-progress",
    )
    assert code == 0, err
    data = json.loads(text)
    for key in ("trials", "p_no_leak", "p_no_leak_ci", "mean_leakers", "mean_interceptors"):
        assert key in data, key
    assert data["trials"] == 3 and data["ran_this_call"] == 3
    lo, hi = data["p_no_leak_ci"]
    assert 0 <= lo <= data["p_no_leak"] <= hi <= 1
    assert data["interceptors_by_battery"]["blue_battery"]["mean"] == data["mean_interceptors"]
    assert "airbase" in data["asset_survival"]
    assert len(list((out / "trials").glob("part-*.parquet"))) >= 1
    # more trials into the same directory: only the new ones run, numbers unchanged
    code, text, err = run(
        capsys,
        "campaign",
        *SMALL,
        "--trials",
        "4",
        "--seed",
        "5",
        "--workers",
        "1",
        "--out",
        str(out),
        "--resume",
        "--json",
        "--no-progress",
    )
    assert code == 0, err
    again = json.loads(text)
    assert again["trials"] == 4 and again["ran_this_call"] == 1
    # a different seed on the same directory is refused
    code, _, err = run(
        capsys,
        "campaign",
        *SMALL,
        "--trials",
        "4",
        "--seed",
        "6",
        "--workers",
        "1",
        "--out",
        str(out),
        "--resume",
        "--no-progress",
    )
    assert code == 2 and err.startswith("error: --resume:")


def test_campaign_table(capsys) -> None:
    code, text, err = run(
        capsys, "campaign", *SMALL, "--trials", "2", "--workers", "1", "--no-progress"
    )
    assert code == 0, err
    assert "P(no leaker)" in text and "trials/s" in text and "battery blue_battery" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--trials", "0"], "error: --trials:"),
        (["--set", "threats.0.cnt=3"], "error: threats.0.cnt: no such parameter"),
        (["--set", "threats.0.count"], "error: --set:"),
        (["--set", "threats.0.count=-1"], "error: threats.0.count: invalid value"),
        (["--confidence", "2"], "error: --confidence:"),
        (["--scheduler", "tcp://127.0.0.1:1"], "error: --scheduler:"),
    ],
)
def test_campaign_errors(capsys, monkeypatch, args, message) -> None:
    from hoplon.analysis import campaign

    monkeypatch.setattr(campaign, "DASK_CONNECT_TIMEOUT_S", 1.0)
    code, _, err = run(capsys, "campaign", "single_battery", "--no-progress", *args)
    assert code == 2
    assert err.startswith(message), err
    assert "Traceback" not in err


def test_sweep_json_and_plot(capsys, tmp_path) -> None:
    plot = tmp_path / "sweep.png"
    code, text, err = run(
        capsys,
        "sweep",
        *SMALL,
        "--param",
        "batteries.blue_battery.missiles_per_launcher",
        "--values",
        "0,8",
        "--trials",
        "2",
        "--workers",
        "1",
        "--json",
        "--plot",
        str(plot),
        "--no-progress",
    )
    assert code == 0, err
    data = json.loads(text)
    assert data["param"] == "batteries.blue_battery.missiles_per_launcher"
    assert [p["value"] for p in data["points"]] == [0, 8]
    empty, full = data["points"]
    assert empty["mean_interceptors"] == 0 and empty["p_no_leak"] == 0.0  # nothing to fire
    assert full["mean_interceptors"] > 0
    assert plot.stat().st_size > 1000


def test_sweep_bad_path(capsys) -> None:
    code, _, err = run(
        capsys,
        "sweep",
        "single_battery",
        "--param",
        "batteries.nope.launchers",
        "--values",
        "1,2",
        "--trials",
        "1",
        "--no-progress",
    )
    assert code == 2 and err.startswith("error: batteries.nope: no such parameter")


def test_compare_json(capsys) -> None:
    code, text, err = run(
        capsys, "compare", *SMALL, "--trials", "2", "--workers", "1", "--json", "--no-progress"
    )
    assert code == 0, err
    data = json.loads(text)
    assert set(data["variants"]) == {"shared", "national"}
    diff = data["difference"]
    assert diff["of"] == "shared - national"
    for key in ("p_no_leak", "mean_leakers", "mean_interceptors", "mean_value_lost"):
        assert len(diff[key]["ci"]) == 2
    code, text, err = run(
        capsys, "compare", *SMALL, "--trials", "2", "--workers", "1", "--no-progress"
    )
    assert code == 0 and "cooperation value" in text


def test_compare_argument_errors(capsys) -> None:
    code, _, err = run(capsys, "compare", "single_battery", "--variant", "shared", "--no-progress")
    assert code == 2 and err.startswith("error: --variant:")
    code, _, err = run(
        capsys, "compare", "single_battery", "two_partner", "--variant", "shared", "--no-progress"
    )
    assert code == 2 and err.startswith("error: --variant:")
