"""``hoplon demo``: end to end with a couple of trials."""

from __future__ import annotations

import json
import re

import pytest

from hoplon.cli import main as cli_main


def _app() -> None:
    # until hoplon.cli.main lists "demo" and "report" in COMMAND_MODULES
    names = {c.name for c in cli_main.app.registered_commands}
    for name in ("report", "demo"):
        if name not in names:
            import importlib

            importlib.import_module(f"hoplon.cli.{name}").register(cli_main.app)


@pytest.mark.slow
def test_demo_two_trials(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    _app()
    out_dir = tmp_path / "demo"
    try:
        cli_main.main(["demo", "--trials", "2", "--workers", "1", "--out", str(out_dir), "--json"])
    except SystemExit as exc:
        assert not exc.code
    out, err = capsys.readouterr()
    doc = json.loads(out)
    assert doc["kind"] == "campaign" and doc["trials"] == 2
    assert 0.0 <= doc["p_no_leak"] <= 1.0
    lo, hi = doc["p_no_leak_ci"]
    assert 0.0 <= lo <= doc["p_no_leak"] <= hi <= 1.0
    assert "comparison" in doc
    html = (out_dir / "report.html").read_text()
    assert "<script" not in html and "http://" not in html and "https://" not in html
    assert all(s.startswith("data:image/png;base64,") for s in re.findall(r'src="([^"]+)"', html))
    assert f"{doc['mean_leakers']:.2f}" in html
    for png in ("map.png", "map_coverage.png", "timeline.png", "hist_leakers.png"):
        assert (out_dir / png).stat().st_size > 0


def test_demo_rejects_zero_trials(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    _app()
    with pytest.raises(SystemExit) as exc:
        cli_main.main(["demo", "--trials", "0", "--out", str(tmp_path)])
    assert exc.value.code == 2
    assert "--trials" in capsys.readouterr().err
