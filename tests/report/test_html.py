"""The HTML report is self-contained and carries the headline figures."""

from __future__ import annotations

import re

import pytest

from hoplon.analysis.stats import summarize
from hoplon.errors import InputError
from hoplon.report.html import CampaignData, comparison_from, detect, write_report


def assert_self_contained(text: str) -> None:
    assert "<script" not in text.lower()
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:)""", text, re.I)
    assert "http://" not in text and "https://" not in text
    assert "<link" not in text.lower() and "@import" not in text
    imgs = re.findall(r'<img src="([^"]+)"', text)
    assert imgs
    assert all(s.startswith("data:image/png;base64,") for s in imgs)


def test_run_report(tmp_path, run_data) -> None:  # type: ignore[no-untyped-def]
    files = write_report(tmp_path / "r" / "report.html", run=run_data)
    text = files.html.read_text()
    assert_self_contained(text)
    assert run_data.scenario in text
    s = run_data.summary
    for label, key in (
        ("threats", "threats"),
        ("leaked", "leakers"),
        ("interceptors fired", "interceptors_fired"),
    ):
        assert re.search(rf'<div class="v">{s[key]}</div><div class="l">{label}</div>', text)
    assert "green_city" in text and "blue_upper" in text
    assert {p.name for p in files.pngs} == {"map.png", "map_coverage.png", "timeline.png"}
    assert all(p.parent == files.html.parent and p.stat().st_size > 0 for p in files.pngs)
    assert files.headline["leakers"] == s["leakers"]


def test_campaign_report_shows_statistics_with_intervals(
    tmp_path, run_data, trials_df, make_trials_fn
) -> None:  # type: ignore[no-untyped-def]
    from hoplon.analysis.compare import paired_differences

    stats = summarize(trials_df)
    base = make_trials_fn(seed=1)
    cmp_ = comparison_from("national", summarize(base), paired_differences(trials_df, base))
    data = CampaignData(
        name="demo", trials=trials_df, stats=stats, example=run_data, comparison=cmp_
    )
    files = write_report(tmp_path / "c.html", campaign=data)
    text = files.html.read_text()
    assert_self_contained(text)
    lo, hi = stats["p_no_leak_ci"]
    assert f"{stats['p_no_leak']:.3f}" in text
    assert f"[{lo:.3f}, {hi:.3f}]" in text
    assert f"{stats['mean_leakers']:.2f}" in text
    assert "Cooperation value" in text and "national" in text
    assert "upper-tier" in text  # interceptors by type
    assert "blue_capital" in text  # asset survival
    names = {p.name for p in files.pngs}
    assert {"hist_leakers.png", "hist_interceptors.png", "map.png"} <= names
    assert files.headline["trials"] == len(trials_df)
    v, lo2, hi2 = cmp_["leakers_reduction"]
    assert lo2 <= v <= hi2


def test_detect_rejects_other_directories(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError):
        detect(tmp_path)
    with pytest.raises(InputError):
        detect(tmp_path / "missing")
    (tmp_path / "summary.json").write_text("{}")
    assert detect(tmp_path) == "run"
