"""Campaign rows from a result's plain columns against rows from its tables (the reference:
``trial_row`` as it read the DataFrames)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from hoplon.analysis.campaign import trial_row, trial_seed
from hoplon.scenario import load
from hoplon.sim import Engine, compile_world
from hoplon.sim.batch import BatchEngine


def _reference_row(result: Any, index: int, seed: int, world: Any) -> dict[str, Any]:
    """``trial_row`` as it was, reading the result's DataFrames."""
    s = result.summary
    row: dict[str, Any] = {
        "trial": int(index),
        "seed": int(seed),
        "threats": int(s["threats"]),
        "intercepted": int(s["intercepted"]),
        "leakers": int(s["leakers"]),
        "in_flight_at_end": int(s.get("in_flight_at_end", 0)),
        "interceptors_fired": int(s["interceptors_fired"]),
        "interceptors_remote": int(s.get("interceptors_on_remote_tracks", 0)),
    }
    for key, n in s["interceptors_by_battery"].items():
        row[f"interceptors_battery_{key}"] = int(n)
    for key, n in s["interceptors_by_force"].items():
        row[f"interceptors_force_{key}"] = int(n)
    shots = result.shots
    types = sorted({b.interceptor.name for b in world.batteries} if world else set())
    by_type = shots["interceptor"].value_counts().to_dict() if len(shots) else {}
    for name in sorted(set(types) | set(by_type)):
        row[f"interceptors_type_{name}"] = int(by_type.get(name, 0))
    row["value_lost"] = float(s["value_lost"])
    row["assets_hit"] = len(s["assets_hit"])
    for a in result.assets.itertuples():
        row[f"asset_{a.asset}_survived"] = bool(a.survived)
    th = result.threats
    cols = [c for c in th.columns if c.startswith("first_detection_s")]
    if not cols or not len(th):
        row["first_detection_s"] = math.nan
    else:
        v = th[cols].to_numpy(dtype=float)
        row["first_detection_s"] = float(np.nanmin(v)) if np.isfinite(v).any() else math.nan
    row["first_launch_s"] = float(shots["launch_s"].min()) if len(shots) else math.nan
    hit = th[th["outcome"] == "intercepted"] if len(th) else th
    row["first_intercept_s"] = float(hit["intercept_s"].min()) if len(hit) else math.nan
    return row


def _assert_same_row(got: dict[str, Any], want: dict[str, Any]) -> None:
    assert list(got) == list(want)  # the same columns in the same order
    for key in want:
        a, b = got[key], want[key]
        assert type(a) is type(b), key
        assert a == b or (isinstance(b, float) and math.isnan(a) and math.isnan(b)), key
        if isinstance(b, float):
            assert math.copysign(1.0, a) == math.copysign(1.0, b), key


def _check_results(results: list[Any], seeds: list[int], world: Any) -> list[dict[str, Any]]:
    rows = []
    for i, (result, seed) in enumerate(zip(results, seeds, strict=True)):
        assert result.plain_columns() is not None  # (the row from the plain columns)
        got = trial_row(result, i, seed, world)
        want = _reference_row(result, i, seed, world)  # (makes the frames)
        _assert_same_row(got, want)
        assert result.plain_columns() is None
        _assert_same_row(trial_row(result, i, seed, world), want)  # (the frames now)
        rows.append(got)
    return rows


@pytest.mark.parametrize("name", ["two_partner", "single_battery", "two_partner_national"])
def test_rows_from_plain_columns_equal_rows_from_tables(name: str) -> None:
    world = compile_world(load(name))
    seeds = [trial_seed(0, i) for i in range(4)] + [0, 1, 7]
    rows = _check_results(BatchEngine(world, seeds).run(), seeds, world)
    # (the comparison saw the interesting values: shots, intercepts, detections)
    assert any(r["interceptors_fired"] for r in rows)
    assert any(math.isfinite(r["first_intercept_s"]) for r in rows)
    assert any(math.isfinite(r["first_detection_s"]) for r in rows)


def test_rows_before_anything_happened() -> None:
    # no shots, no detections, no intercepts: the NaN and empty-table paths
    world = compile_world(load("two_partner"))
    e = Engine(world, 0)
    e._setup()
    (row,) = _check_results([e._result()], [0], world)
    assert math.isnan(row["first_detection_s"]) and math.isnan(row["first_launch_s"])
    assert math.isnan(row["first_intercept_s"])


def test_rows_of_a_world_without_threats_or_assets() -> None:
    from types import SimpleNamespace

    from hoplon.sim import RunResult
    from hoplon.sim.engine import SHOT_COLUMNS
    from hoplon.sim.result import frame_from_columns

    summary = {
        "threats": 0,
        "intercepted": 0,
        "leakers": 0,
        "in_flight_at_end": 0,
        "interceptors_fired": 0,
        "interceptors_by_battery": {},
        "interceptors_by_force": {},
        "interceptors_on_remote_tracks": 0,
        "assets_hit": [],
        "value_lost": 0.0,
    }
    assets = ["asset", "owner", "value", "leakers_hit", "survived"]
    tables = {
        "events": lambda: None,
        "threats": lambda: frame_from_columns(None),
        "shots": lambda: frame_from_columns(None, SHOT_COLUMNS),
        "assets": lambda: frame_from_columns(None, assets),
    }
    columns = {"threats": None, "shots": None, "assets": None}
    result = RunResult.from_columns("empty", 0, tables, summary, {}, columns)
    _check_results([result], [0], SimpleNamespace(batteries=[]))


def test_a_block_is_freed_without_a_collection(small_spec) -> None:
    import gc

    from hoplon.analysis.campaign import run_trials, spec_json
    from hoplon.sim.batch import BatchEngine

    text = spec_json(small_spec)
    run_trials(text, [0, 1], [trial_seed(0, 0), trial_seed(0, 1)])  # (world cached, warm)
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        rows = run_trials(text, [2, 3], [trial_seed(0, 2), trial_seed(0, 3)])
        alive = [o for o in gc.get_objects() if isinstance(o, Engine | BatchEngine)]
    finally:
        if was:
            gc.enable()
    assert len(rows) == 2
    assert not alive  # freed by reference counting as run_trials returned
