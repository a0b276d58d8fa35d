"""``hoplon dis listen``: JSON and table output against a loopback sender; bad options."""

from __future__ import annotations

import json
import socket
import threading

import pytest
import typer
from typer.testing import CliRunner

from hoplon.cli.dis import register
from hoplon.interop.pdu import EntityId, EntityStatePdu, encode_pdu

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Test root."""

    register(app)
    return app


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _spray(port: int, stop: threading.Event) -> None:
    good = encode_pdu(EntityStatePdu(EntityId(1, 1, 42), marking="TBM-42", location=(6.4e6, 0, 0)))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        i = 0
        while not stop.is_set() and i < 400:
            sock.sendto(good if i % 2 == 0 else b"junk", ("127.0.0.1", port))
            i += 1
            stop.wait(0.01)


@pytest.mark.parametrize("json_out", [True, False])
def test_listen_output(json_out: bool, tmp_path) -> None:
    port = _free_port()
    stop = threading.Event()
    thread = threading.Thread(target=_spray, args=(port, stop), daemon=True)
    thread.start()
    args = ["dis", "listen", "--address", f"127.0.0.1:{port}", "--duration", "4s"]
    args += ["--max-packets", "6", "--record", str(tmp_path / "rx.pcap")]
    try:
        result = runner.invoke(_app(), [*args, "--json"] if json_out else args)
    finally:
        stop.set()
        thread.join(2.0)
    assert result.exit_code == 0, result.output
    if json_out:
        data = json.loads(result.stdout)
        assert data["datagrams"] == 6
        assert data["pdus"]["entity_state"] + data["malformed_total"] == 6
        assert data["malformed"]["short"] == data["malformed_total"] >= 1
        assert data["entities"][0]["entity_id"] == "1:1:42"
        assert data["entities"][0]["marking"] == "TBM-42"
        assert (tmp_path / "rx.pcap").stat().st_size > 24
    else:
        for word in ("TBM-42", "1:1:42", "datagrams", "malformed: short"):
            assert word in result.stdout


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--address", "localhost", "--duration", "0s"], "--address"),
        (["--address", "127.0.0.1:99999", "--duration", "0s"], "--address"),
        (["--duration", "3kg"], "--duration"),
        (["--duration", "0s", "--max-packets", "0"], "--max-packets"),
    ],
)
def test_bad_options_one_line_exit_2(args: list[str], option: str) -> None:
    result = runner.invoke(_app(), ["dis", "listen", *args])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {option}")
