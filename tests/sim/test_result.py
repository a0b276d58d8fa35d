"""The run's result tables against the plain row-by-row construction (the reference)."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hoplon.scenario import load
from hoplon.sim import Engine, RunResult, compile_world
from hoplon.sim.engine import SHOT_COLUMNS, _ground_distance, _lla, _lla_columns, _may_see_rows
from hoplon.sim.events import _reference_frame

EXAMPLES = Path(__file__).parents[2] / "src" / "hoplon" / "scenario" / "examples"
DATA = Path(__file__).with_name("data")


def _reference(e: Engine) -> dict:
    """The tables and summary of ``e`` built row by row, as the engine first did."""
    w = e.world
    end = w.spec.duration
    rows = []
    for i, th in enumerate(w.threats):
        lat, lon, _ = _lla(th.trajectory.y[-1, :3])
        if e.killed_s[i] < np.inf:
            outcome = "intercepted"
        elif e.impact_s[i] <= end:
            outcome = "leaked"
        else:
            outcome = "in flight"
        row = {
            "threat": i,
            "type": th.type,
            "kind": th.kind,
            "raid": th.raid,
            "target": th.target,
            "launch_s": e.launch_s[i],
            "impact_s": e.impact_s[i] if outcome != "intercepted" else np.nan,
            "outcome": outcome,
            "intercept_s": e.killed_s[i] if outcome == "intercepted" else np.nan,
            "killed_by": w.batteries[e.killed_by[i]].key if e.killed_by[i] >= 0 else None,
            "impact_lat_deg": math.degrees(lat) if outcome == "leaked" else np.nan,
            "impact_lon_deg": math.degrees(lon) if outcome == "leaked" else np.nan,
        }
        for f, name in enumerate(w.forces):
            row[f"first_detection_s_{name}"] = e.first_detect[f, i]
            row[f"launch_warning_s_{name}"] = e.warned[f, i]
        rows.append(row)
    shot_rows = [
        {
            "shot": s.index,
            "battery": w.batteries[s.battery].key,
            "force": w.forces[s.force],
            "interceptor": w.batteries[s.battery].interceptor.name,
            "launch_s": s.launch_s,
            "intercept_s": s.intercept_s,
            "track": str(s.key),
            "remote_track": s.remote,
            "stage": s.stage,
            "threat": s.threat,
            "miss_distance_m": s.miss_m,
            "hit": s.hit,
            **_lla_columns("site", w.batteries[s.battery].site_ecef_m),
            **_lla_columns("aim", s.aim if s.aim is not None else s.r_pip),
        }
        for s in e.shots
        if s.launch_s <= end
    ]
    leaked = [r for r in rows if r["outcome"] == "leaked"]
    asset_rows = []
    for a in w.assets:
        n_hit = sum(
            _ground_distance(
                math.radians(r["impact_lat_deg"]),
                math.radians(r["impact_lon_deg"]),
                a.lat_rad,
                a.lon_rad,
            )
            <= a.radius_m
            for r in leaked
        )
        asset_rows.append(
            {
                "asset": a.name,
                "owner": a.owner,
                "value": a.value,
                "leakers_hit": n_hit,
                "survived": n_hit == 0,
            }
        )
    fired_by = Counter(r["battery"] for r in shot_rows)
    fired_by_force = Counter(r["force"] for r in shot_rows)
    outcomes = Counter(r["outcome"] for r in rows)
    summary = {
        "threats": len(w.threats),
        "intercepted": outcomes["intercepted"],
        "leakers": outcomes["leaked"],
        "in_flight_at_end": outcomes["in flight"],
        "interceptors_fired": len(shot_rows),
        "interceptors_by_battery": {b.key: fired_by[b.key] for b in w.batteries},
        "interceptors_by_force": {f: fired_by_force[f] for f in w.forces},
        "interceptors_on_remote_tracks": sum(1 for r in shot_rows if r["remote_track"]),
        "assets_hit": [a["asset"] for a in asset_rows if not a["survived"]],
        "value_lost": float(sum(a["value"] for a in asset_rows if not a["survived"])),
    }
    return {
        "events": _reference_frame(e.log),
        "threats": pd.DataFrame(rows),
        "shots": pd.DataFrame(shot_rows, columns=SHOT_COLUMNS),
        "assets": pd.DataFrame(
            asset_rows, columns=["asset", "owner", "value", "leakers_hit", "survived"]
        ),
        "summary": summary,
    }


def _assert_result_is_reference(e: Engine) -> None:
    got, want = e._result(), _reference(e)
    assert got.summary == want["summary"]
    for name in ("events", "threats", "shots", "assets"):
        a, b = getattr(got, name), want[name]
        pd.testing.assert_frame_equal(a, b, check_exact=True, obj=name)
        for col in a.columns:  # (None and NaN alike, element by element)
            assert [type(v) for v in a[col]] == [type(v) for v in b[col]], (name, col)


@pytest.mark.parametrize(
    ("path", "seed"),
    [
        (EXAMPLES / "two_partner.yaml", 3),
        (EXAMPLES / "single_battery.yaml", 1),
        (DATA / "salvo.yaml", 7),
    ],
)
def test_result_tables_equal_the_row_by_row_reference(path: Path, seed: int) -> None:
    e = Engine(compile_world(load(path)), seed)
    e.run()
    _assert_result_is_reference(e)


def test_result_before_anything_happened_equals_the_reference() -> None:
    # no events, no shots, no kills: the empty-table paths
    e = Engine(compile_world(load(EXAMPLES / "two_partner.yaml")), 0)
    e._setup()
    _assert_result_is_reference(e)


def test_may_see_rows_with_kept_horizons_equals_without() -> None:
    w = compile_world(load(EXAMPLES / "two_partner.yaml"))
    rng = np.random.default_rng(5)
    site0 = w.radars[0].radar.as_array().site_ecef_m[0]
    r = site0 * rng.uniform(0.97, 1.15, (2000, 1)) + rng.normal(0.0, 6e5, (2000, 3))
    alt = np.linalg.norm(r, axis=1) - 6.371e6
    kept: dict = {}
    for site in w.radars:
        np.testing.assert_array_equal(
            _may_see_rows(site, r, alt, kept), _may_see_rows(site, r, alt)
        )


@pytest.mark.parametrize("k", [0, 1])
def test_the_dwell_pre_check_never_skips_a_visible_target(k: int) -> None:
    """The pre-check that skips hopeless dwells is conservative: a target the radar's own
    line of sight can see (long range, high targets, looking down) is never skipped."""
    import dataclasses
    from types import SimpleNamespace

    from hoplon.sim.engine import _approximate_altitude

    w = compile_world(load(EXAMPLES / "two_partner.yaml"))
    radar = dataclasses.replace(
        w.radars[k].radar,
        max_range_m=6.0e6,
        min_elevation_rad=-0.2,
        azimuth_span_rad=2 * np.pi,
    )
    rng = np.random.default_rng(11 + k)
    site = radar.position_ecef_m
    up = site / np.linalg.norm(site)
    # targets at 0-1500 km altitude, 500-6000 km away in every direction
    d = rng.normal(size=(20000, 3))
    d -= (d @ up)[:, None] * up
    d /= np.linalg.norm(d, axis=1)[:, None]
    ang = rng.uniform(500e3, 6000e3, 20000) / 6.371e6
    h = rng.uniform(0.0, 1.5e6, 20000)
    r = (np.cos(ang)[:, None] * up + np.sin(ang)[:, None] * d) * (6.371e6 + h)[:, None]
    seen = radar.visible(r)
    assert seen.sum() > 1000 and (~seen).sum() > 1000  # not a degenerate check
    may = _may_see_rows(SimpleNamespace(radar=radar), r, _approximate_altitude(r))
    assert not np.any(seen & ~may)


# ------------------------------------------------------------- tables made when first read


def _eager(r) -> RunResult:
    """The same result built from its frames (as a user or an older version builds one)."""
    return RunResult(
        r.scenario, r.seed, r.events, r.threats, r.shots, r.assets, r.summary, r.trajectories
    )


def _assert_same_result(a, b) -> None:
    assert (a.scenario, a.seed, a.summary) == (b.scenario, b.seed, b.summary)
    for name in ("events", "threats", "shots", "assets"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)
    assert a.trajectories.keys() == b.trajectories.keys()
    np.testing.assert_array_equal(a.trajectories["launch_s"], b.trajectories["launch_s"])


@pytest.fixture(scope="module")
def two_partner_run() -> Engine:
    e = Engine(compile_world(load(EXAMPLES / "two_partner.yaml")), 3)
    e.run()
    return e


def test_tables_are_made_on_first_read_and_kept(two_partner_run: Engine) -> None:
    r = two_partner_run._result()
    assert not {"events", "threats", "shots", "assets"} & set(vars(r))
    cols = r.plain_columns()
    assert cols is not None and set(cols) == {"threats", "shots", "assets"}
    shots = r.shots
    assert r.shots is shots  # made once
    assert r.plain_columns() is None  # a frame was handed out: only the frames count now
    assert "events" not in vars(r) and len(r.events) and "events" in vars(r)
    with pytest.raises(AttributeError):
        r.no_such_attribute


def test_a_result_given_later_events_keeps_its_own() -> None:
    e = Engine(compile_world(load(EXAMPLES / "two_partner.yaml")), 0)
    e._setup()
    r = e._result()
    e.log.add(1.0, "late")  # (the log goes on; the result is of the moment it was made)
    assert len(r.events) == 0


def test_pickled_and_copied_results_are_the_eager_ones(two_partner_run: Engine) -> None:
    import copy
    import dataclasses
    import pickle

    r = two_partner_run._result()
    back = pickle.loads(pickle.dumps(r))
    assert set(vars(back)) == {f.name for f in dataclasses.fields(RunResult)}
    assert back.plain_columns() is None
    _assert_same_result(back, two_partner_run._result())
    eager = _eager(two_partner_run._result())
    _assert_same_result(pickle.loads(pickle.dumps(eager)), back)
    _assert_same_result(copy.deepcopy(two_partner_run._result()), eager)
    _assert_same_result(dataclasses.replace(two_partner_run._result()), eager)
    assert repr(two_partner_run._result()) == repr(eager)
    # an attribute of the user's own goes along, as with the eager result
    r = two_partner_run._result()
    r.note = "mine"
    assert pickle.loads(pickle.dumps(r)).note == "mine"


def test_a_result_writes_the_files_of_its_eager_twin(two_partner_run: Engine, tmp_path) -> None:
    pytest.importorskip("pyarrow")
    lazy = two_partner_run._result().write(tmp_path / "lazy")
    eager = _eager(two_partner_run._result()).write(tmp_path / "eager")
    assert [p.name for p in lazy] == [p.name for p in eager]
    for a, b in zip(lazy, eager, strict=True):
        if a.suffix == ".parquet":
            pd.testing.assert_frame_equal(pd.read_parquet(a), pd.read_parquet(b))
        else:
            assert a.read_text() == b.read_text()
