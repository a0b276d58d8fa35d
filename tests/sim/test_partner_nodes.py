"""Two partner nodes as two processes on loopback: one partner's radar cues the other's
battery across the network, and only what the sharing policy allows crosses."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from hoplon.errors import InputError
from hoplon.sim.partner import PartnerLink, parse_address

DATA = Path(__file__).with_name("data")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_pair(scenario: Path, seed: int = 1) -> tuple[dict, dict]:
    port = _free_port()
    cmd = [sys.executable, "-m", "hoplon.cli.main", "node", str(scenario), "--seed", str(seed),
           "--json", "--timeout", "120s"]  # fmt: skip
    blue = subprocess.Popen(
        [*cmd, "--partner", "blue", "--listen", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    green = subprocess.Popen(
        [*cmd, "--partner", "green", "--connect", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    out_b, err_b = blue.communicate(timeout=300)
    out_g, err_g = green.communicate(timeout=300)
    assert blue.returncode == 0, err_b
    assert green.returncode == 0, err_g
    return json.loads(out_b), json.loads(out_g)


@pytest.mark.slow
def test_a_partners_radar_cues_the_other_partners_battery_across_processes() -> None:
    blue, green = _run_pair(DATA / "remote_only.yaml")
    # blue has no radar that sees the raid: every shot it fires is on a green track
    assert blue["interceptors_by_force"]["blue"] > 0
    assert blue["interceptors_on_remote_tracks"] == blue["interceptors_fired"]
    # both nodes agree on truth: the kills blue made are known to green's node
    assert green["intercepted"] == blue["intercepted"] > 0
    assert blue["exchanges"] == green["exchanges"] > 0


@pytest.mark.slow
def test_nothing_crosses_when_the_policy_withholds(tmp_path: Path) -> None:
    text = (DATA / "remote_only.yaml").read_text()
    text = text.replace("green: {policy: all}", "green: {policy: none}")
    scenario = tmp_path / "withheld.yaml"
    scenario.write_text(text)
    blue, green = _run_pair(scenario)
    assert blue["interceptors_fired"] == 0
    assert blue["leakers"] == blue["threats"] == green["leakers"]


def test_link_arguments_are_checked() -> None:
    with pytest.raises(InputError, match="exactly one"):
        PartnerLink()
    with pytest.raises(InputError, match="HOST:PORT"):
        parse_address("localhost", "--listen")
    assert parse_address("127.0.0.1:4100", "--listen") == ("127.0.0.1", 4100)
