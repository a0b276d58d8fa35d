"""Run directory -> entity tracks and events -> CZML / KML; the drawn interceptor flyout."""

from __future__ import annotations

import json
import math
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hoplon.earth.frames import ecef_to_geodetic, geodetic_to_ecef
from hoplon.errors import InputError
from hoplon.interop.czml import write_czml
from hoplon.interop.flyout_sketch import progress, sketch_flyout
from hoplon.interop.kml import KML_NS, write_kml
from hoplon.interop.rundir import load_result, load_run


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``hoplon run single_battery --seed 1 --out DIR`` (tables and scenario only)."""
    from hoplon.scenario import load
    from hoplon.scenario.loader import example_path
    from hoplon.sim import run

    out = tmp_path_factory.mktemp("run")
    spec = load("single_battery")
    result = run(spec, seed=1)
    result.write(out)
    shutil.copyfile(example_path("single_battery"), out / "scenario.yaml")
    (out / "result.pkl").write_bytes(b"")  # stray files are ignored
    return out


def test_entities_match_tables(run_dir: Path) -> None:
    entities, events, epoch = load_run(run_dir)
    threats = pd.read_parquet(run_dir / "threats.parquet")
    shots = pd.read_parquet(run_dir / "shots.parquet")
    raw = pd.read_parquet(run_dir / "events.parquet")
    kinds = [e.kind for e in entities]
    assert kinds.count("threat") == len(threats) > 0
    assert kinds.count("interceptor") == int(np.isfinite(shots.intercept_s).sum()) > 0
    assert (kinds.count("sensor"), kinds.count("battery"), kinds.count("asset")) == (1, 1, 1)
    ids = [e.entity_id for e in entities]
    assert len(set(ids)) == len(ids) and min(ids) >= 1
    assert epoch.isoformat() == "2026-01-01T00:00:00+00:00"
    for e in entities:
        if e.kind == "threat":
            assert (e.force, e.force_id) == ("red", 2)
        else:
            assert (e.force, e.force_id) == ("blue", 1)
    counts = raw.event.value_counts()
    ev_kinds = [e.kind for e in events]
    assert ev_kinds.count("launch") == counts["threat_launch"]
    assert ev_kinds.count("fire") == counts["interceptor_launch"]
    results = [e.result for e in events if e.kind == "intercept"]
    assert results.count("kill") == counts.get("intercept_kill", 0)
    assert results.count("miss") == counts.get("intercept_miss", 0)
    assert [e.time_s for e in events] == sorted(e.time_s for e in events)
    battery = next(e for e in entities if e.kind == "battery")
    by_id = {e.entity_id: e for e in entities}
    for ev in events:
        if ev.kind in ("fire", "intercept"):
            assert ev.shooter_id == battery.entity_id
            assert by_id[ev.entity_id].kind == "interceptor"
        if ev.kind == "intercept" and ev.result == "kill":
            assert by_id[ev.target_id].kind == "threat"


def test_threat_tracks_are_the_truth_samples(run_dir: Path) -> None:
    entities, _, _ = load_run(run_dir)
    samples = pd.read_parquet(run_dir / "trajectories.parquet")
    for e in entities:
        if e.kind != "threat":
            continue
        mine = samples[samples.threat == e.metadata["threat"]]
        np.testing.assert_allclose(e.t_s, mine.time_s)
        np.testing.assert_allclose(e.r_ecef_m, mine[["x_m", "y_m", "z_m"]].to_numpy())


def test_interceptors_fly_from_site_to_aim_point(run_dir: Path) -> None:
    entities, _, _ = load_run(run_dir)
    shots = pd.read_parquet(run_dir / "shots.parquet").set_index("shot")
    for e in entities:
        if e.kind != "interceptor":
            continue
        s = shots.loc[e.metadata["shot"]]
        site = geodetic_to_ecef(
            math.radians(s.site_lat_deg), math.radians(s.site_lon_deg), s.site_alt_m
        )
        aim = geodetic_to_ecef(
            math.radians(s.aim_lat_deg), math.radians(s.aim_lon_deg), s.aim_alt_m
        )
        assert np.linalg.norm(e.r_ecef_m[0] - site) < 1e-3
        assert np.linalg.norm(e.r_ecef_m[-1] - aim) < 1e-3
        assert e.start_s == pytest.approx(s.launch_s) and e.end_s == pytest.approx(s.intercept_s)
        _, _, alt = ecef_to_geodetic(e.r_ecef_m)
        assert np.all(np.diff(alt) > -1.0)  # climbs (or holds) all the way
        assert alt.max() <= s.aim_alt_m + 1.0


def test_in_memory_result_gives_the_same_entities(run_dir: Path) -> None:
    from hoplon.scenario import load
    from hoplon.sim import run

    spec = load(run_dir / "scenario.yaml")
    entities, events = load_result(run(spec, seed=1), spec)
    from_files, file_events, _ = load_run(run_dir)
    assert [(e.entity_id, e.name, e.kind) for e in entities] == [
        (e.entity_id, e.name, e.kind) for e in from_files
    ]
    assert [(e.kind, e.entity_id, e.name) for e in events] == [
        (e.kind, e.entity_id, e.name) for e in file_events
    ]


def test_czml_and_kml_round_trip(run_dir: Path, tmp_path: Path) -> None:
    entities, events, epoch = load_run(run_dir)
    doc = json.loads(write_czml(entities, events, tmp_path / "run.czml", epoch).read_text())
    assert doc[0]["id"] == "document"
    start, stop = doc[0]["clock"]["interval"].split("/")
    assert start == "2026-01-01T00:00:00Z"
    assert stop > "2026-01-01T00:05:00Z"
    packets = {p["id"]: p for p in doc[1:]}
    assert {f"entity/{e.entity_id}" for e in entities} <= set(packets)
    assert sum(k.startswith("event/") for k in packets) == len(events)
    shots = pd.read_parquet(run_dir / "shots.parquet").set_index("shot")
    for e in entities:
        p = packets[f"entity/{e.entity_id}"]
        assert p["name"] == e.name
        if e.kind == "interceptor":
            s = shots.loc[e.metadata["shot"]]
            a, b = p["availability"].split("/")
            assert a.startswith("2026-01-01T00:0") and a[:19] == _iso(s.launch_s)[:19]
            assert b[:19] == _iso(s.intercept_s)[:19]
            assert "path" in p and p["position"]["referenceFrame"] == "FIXED"
    root = ET.parse(write_kml(entities, events, tmp_path / "run.kml", epoch)).getroot()
    marks = root.findall(f".//{{{KML_NS}}}Placemark")
    assert len(marks) == len(entities) + len(events)


def _iso(t_s: float) -> str:
    import datetime as dt

    when = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=float(t_s))
    return when.strftime("%Y-%m-%dT%H:%M:%S")


@pytest.mark.parametrize(
    ("damage", "named"),
    [
        ("no_dir", "RUN_DIR"),
        ("scenario.yaml", "scenario.yaml"),
        ("events.parquet", "events.parquet"),
        ("shots.parquet", "shots.parquet"),
        ("trajectories.parquet", "trajectories.parquet"),
        ("column", "shots.parquet"),
        ("garbage", "threats.parquet"),
    ],
)
def test_incomplete_run_dir_names_the_file(
    run_dir: Path, tmp_path: Path, damage: str, named: str
) -> None:
    bad = tmp_path / "bad"
    if damage != "no_dir":
        shutil.copytree(run_dir, bad)
    if damage == "column":
        pd.read_parquet(bad / "shots.parquet").drop(columns="aim_alt_m").to_parquet(
            bad / "shots.parquet"
        )
    elif damage == "garbage":
        (bad / "threats.parquet").write_bytes(b"not parquet")
    elif damage != "no_dir":
        (bad / damage).unlink()
    with pytest.raises(InputError) as info:
        load_run(bad)
    assert named in str(info.value)
    if damage == "column":
        assert "aim_alt_m" in str(info.value)


@given(st.floats(0.05, 0.6), st.lists(st.floats(0.0, 1.0), min_size=2, max_size=30))
def test_progress_is_monotone_from_0_to_1(b: float, taus: list[float]) -> None:
    tau = np.sort(np.array(taus))
    p = progress(tau, b)
    assert np.all(np.diff(p) >= -1e-12)
    assert progress(np.array([0.0, 1.0]), b) == pytest.approx([0.0, 1.0])
    eps = 1e-9
    assert progress(np.array([b - eps]), b)[0] == pytest.approx(progress(np.array([b + eps]), b)[0])


def test_sketch_degenerate_and_vertical() -> None:
    lat, lon = math.radians(10.0), math.radians(160.0)
    t, r, _v = sketch_flyout(lat, lon, 0.0, lat, lon, 20e3, 100.0, 130.0)
    _, _, alt = ecef_to_geodetic(r)
    assert t[0] == 100.0 and t[-1] == 130.0
    assert alt[-1] == pytest.approx(20e3, abs=1e-3)
    assert np.all(np.diff(alt) >= -1e-6)
    with pytest.raises(ValueError, match="after launch"):
        sketch_flyout(lat, lon, 0.0, lat, lon, 20e3, 10.0, 10.0)
