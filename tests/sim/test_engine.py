"""The engine end to end: determinism, ENG formulas, sharing rules, truth kept apart."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from hoplon.command.effectiveness import salvo_kill_probability
from hoplon.scenario import load
from hoplon.scenario.schema import ScenarioSpec
from hoplon.sim import Engine, compile_world, run
from hoplon.sim.sharing import C_ORIGIN, SharedTracks
from hoplon.weapons.catalogue import get_interceptor

DATA = Path(__file__).with_name("data")


def _variant(spec: ScenarioSpec, **sharing: dict) -> ScenarioSpec:
    data = spec.model_dump(by_alias=True)
    data["network"]["sharing"] = sharing
    return ScenarioSpec.model_validate(data)


@pytest.fixture(scope="module")
def salvo_world():
    return compile_world(load(DATA / "salvo.yaml"))


@pytest.fixture(scope="module")
def remote_spec() -> ScenarioSpec:
    return load(DATA / "remote_only.yaml")


def test_same_seed_same_result(salvo_world) -> None:
    a = run(salvo_world, seed=7)
    b = run(salvo_world, seed=7)
    assert a.summary == b.summary
    assert a.events.equals(b.events)
    assert a.shots.equals(b.shots)


def test_result_tables_are_consistent(salvo_world) -> None:
    r = run(salvo_world, seed=3)
    s = r.summary
    assert s["threats"] == len(r.threats) == 3
    assert s["intercepted"] + s["leakers"] + s["in_flight_at_end"] == s["threats"]
    assert s["interceptors_fired"] == len(r.shots)
    # every kill is a shot that hit, and every intercepted threat has exactly one killing shot
    kills = r.shots[r.shots.hit]
    assert sorted(kills.threat) == sorted(r.threats[r.threats.outcome == "intercepted"].threat)
    assert (r.events.time_s.diff().dropna() >= 0).all()


@pytest.mark.slow
def test_ENG_salvo_matches_formula_in_the_engine(salvo_world) -> None:
    """ENG-1-style check inside the engine: near-perfect sensing, salvo of 2 at each
    threat; the kill fraction matches 1 - (1 - p)^2 with p = p_kill * reliability, within
    four standard errors, and each engaged threat costs exactly 2 interceptors."""
    itype = get_interceptor("lower-tier")
    p = itype.p_kill * itype.reliability
    expected = float(salvo_kill_probability(p, 2))
    killed = engaged = fired = 0
    for seed in range(60):
        r = run(salvo_world, seed=seed)
        killed += r.summary["intercepted"]
        engaged += r.summary["threats"]
        fired += r.summary["interceptors_fired"]
    frac = killed / engaged
    se = math.sqrt(expected * (1 - expected) / engaged)
    assert abs(frac - expected) < 4 * se, (frac, expected, se)
    assert fired == 2 * engaged


def test_sharing_lets_a_partner_engage_what_only_the_other_sees(remote_spec) -> None:
    shared = run(remote_spec, seed=1)
    assert shared.summary["interceptors_by_force"]["blue"] > 0
    assert shared.summary["interceptors_on_remote_tracks"] == shared.summary["interceptors_fired"]
    assert shared.summary["intercepted"] > 0


def test_without_sharing_the_partner_cannot_engage(remote_spec) -> None:
    national = _variant(remote_spec, blue={"policy": "none"}, green={"policy": "none"})
    engine = Engine(compile_world(national), seed=1)
    result = engine.run()
    assert result.summary["interceptors_fired"] == 0
    assert result.summary["leakers"] == result.summary["threats"]
    assert all(len(box) == 0 for box in engine.remote)  # nothing was ever delivered


def test_a_withholding_policy_is_never_violated(remote_spec, monkeypatch) -> None:
    """Green shares only tracks built from green_radar_2 (which sees nothing of the raid):
    Blue must never receive or use a track built from green_radar."""
    spec = _variant(
        remote_spec, blue={"policy": "all"}, green={"policy": "all", "sensors": ["green_radar_2"]}
    )
    engine = Engine(compile_world(spec), seed=2)
    delivered = []
    original = SharedTracks.deliver

    def spy(self, recipient, rows, keys, idx):
        for i in idx.tolist():
            delivered.append((recipient, self.origins[int(rows[i, C_ORIGIN])]))
        original(self, recipient, rows, keys, idx)

    monkeypatch.setattr(SharedTracks, "deliver", spy)
    result = engine.run()
    w = engine.world
    blue, green_radar = w.force_index("blue"), w.sensor_keys.index("green_radar")
    assert not [ids for r, ids in delivered if r == blue and green_radar in ids]
    assert result.summary["interceptors_by_force"]["blue"] == 0


def test_command_never_reads_truth(salvo_world, monkeypatch) -> None:
    """Decisions are made on beliefs only: reading truth during a command cycle fails."""
    engine = Engine(salvo_world, seed=5)
    inside = {"command": False}
    original_command = engine._on_command
    original_truth = engine._truth_states

    def command(t, force):
        inside["command"] = True
        try:
            original_command(t, force)
        finally:
            inside["command"] = False

    def truth(t, ids):
        assert not inside["command"], "command read truth"
        return original_truth(t, ids)

    engine._on_command = command  # type: ignore[method-assign]
    engine._truth_states = truth  # type: ignore[method-assign]
    result = engine.run()
    assert result.summary["interceptors_fired"] > 0


def test_run_directory_is_written(salvo_world, tmp_path: Path) -> None:
    r = run(salvo_world, seed=1)
    paths = {p.name for p in r.write(tmp_path)}
    assert {
        "events.parquet",
        "threats.parquet",
        "shots.parquet",
        "assets.parquet",
        "trajectories.parquet",
        "summary.json",
    } <= paths
    import pandas as pd

    traj = pd.read_parquet(tmp_path / "trajectories.parquet")
    assert set(traj.threat) == {0, 1, 2}
    assert np.all(np.isfinite(traj[["lat_deg", "lon_deg", "alt_m"]].to_numpy()))


@pytest.mark.parametrize("assigner", ["optimal", "layered"])
def test_other_assigners_run(assigner: str) -> None:
    data = load(DATA / "salvo.yaml").model_dump(by_alias=True)
    data["command"]["assigner"] = assigner
    result = run(ScenarioSpec.model_validate(data), seed=4)
    assert result.summary["interceptors_fired"] > 0


@pytest.mark.slow
def test_ENG_shoot_look_shoot_matches_formula_in_the_engine() -> None:
    """ENG-2-style check inside the engine: shoot-look-shoot 1 + 1 with an upper-tier
    battery against MRBMs; P_k = 1 - (1 - p)^2 and E[interceptors] = 1 + (1 - p) per threat,
    within four standard errors."""
    world = compile_world(load(DATA / "sls.yaml"))
    itype = get_interceptor("upper-tier")
    p = itype.p_kill * itype.reliability
    pk = float(salvo_kill_probability(p, 2))
    shots = 1 + (1 - p)
    killed = engaged = fired = 0
    for seed in range(40):
        r = run(world, seed=seed)
        killed += r.summary["intercepted"]
        engaged += r.summary["threats"]
        fired += r.summary["interceptors_fired"]
    se_k = math.sqrt(pk * (1 - pk) / engaged)
    se_n = math.sqrt(p * (1 - p) / engaged)  # the second shot is a Bernoulli(1 - p) draw
    assert abs(killed / engaged - pk) < 4 * se_k, (killed / engaged, pk)
    assert abs(fired / engaged - shots) < 4 * se_n, (fired / engaged, shots)
