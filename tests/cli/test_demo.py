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


def call(*args: str) -> int:
    try:
        cli_main.main(list(args))
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.mark.slow
def test_demo_two_trials(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    _app()
    out_dir = tmp_path / "demo"
    assert call("demo", "--trials", "2", "--workers", "1", "--out", str(out_dir), "--json") == 0
    out, _ = capsys.readouterr()
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
    if (out_dir / "campaign").is_dir():  # written when pyarrow is installed
        # the demo directory can be reported again, comparison included
        assert call("report", str(out_dir), "--out", str(tmp_path / "again.html"), "--json") == 0
        again = json.loads(capsys.readouterr().out)
        assert again["p_no_leak"] == doc["p_no_leak"]
        assert again["mean_leakers"] == pytest.approx(doc["mean_leakers"])
        assert again["comparison"]["p_no_leak_gain"] == pytest.approx(
            doc["comparison"]["p_no_leak_gain"]
        )


@pytest.mark.slow
def test_demo_without_pyarrow(tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A fresh install has no pyarrow: the demo keeps everything in memory."""
    import hoplon.cli.demo as demo

    _app()
    monkeypatch.setattr(demo, "_has_pyarrow", lambda: False)
    out_dir = tmp_path / "demo"
    code = call("demo", "--trials", "1", "--workers", "1", "--no-compare", "--out", str(out_dir))
    assert code == 0
    out, _ = capsys.readouterr()
    assert "report:" in out and "p(no leaker)" in out
    assert (out_dir / "report.html").is_file()
    assert not (out_dir / "campaign").exists() and not (out_dir / "example").exists()


def test_demo_rejects_zero_trials(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    _app()
    assert call("demo", "--trials", "0", "--out", str(tmp_path)) == 2
    assert "--trials" in capsys.readouterr().err
