"""``hoplon.analysis.campaign``: seeds, backends, Parquet parts and resume."""

from __future__ import annotations

import json
import multiprocessing as mp

import numpy as np
import pandas as pd
import pytest

from hoplon.analysis.campaign import Campaign, run_campaign, trial_seed, trial_seeds
from hoplon.errors import InputError

#: Columns that depend on the machine, not on the seed.
VOLATILE = ["wall_s"]


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(
        a.drop(columns=VOLATILE).reset_index(drop=True),
        b.drop(columns=VOLATILE).reset_index(drop=True),
        check_dtype=False,
    )


def test_trial_seeds_follow_seed_sequence_spawn() -> None:
    children = np.random.SeedSequence(7).spawn(5)
    expected = [int(c.generate_state(1, np.uint64)[0]) for c in children]
    assert trial_seeds(7, 5) == expected
    assert [trial_seed(7, i) for i in range(5)] == expected
    assert len(set(trial_seeds(7, 200))) == 200
    assert trial_seeds(8, 3) != trial_seeds(7, 3)


@pytest.fixture(scope="module")
def serial(small_spec) -> Campaign:
    return run_campaign(small_spec, 4, seed=11, workers=1, progress=False)


def test_serial_table(serial, small_spec) -> None:
    t = serial.trials
    assert list(t.trial) == [0, 1, 2, 3]
    assert [int(s) for s in t.seed] == trial_seeds(11, 4)
    assert serial.backend == "serial"
    assert serial.complete and serial.ran_this_call == 4
    for col in (
        "threats",
        "intercepted",
        "leakers",
        "interceptors_fired",
        "value_lost",
        "interceptors_battery_blue_battery",
        "interceptors_force_blue",
        "interceptors_type_lower-tier",
        "asset_airbase_survived",
        "first_intercept_s",
        "first_launch_s",
        "first_detection_s",
        "wall_s",
    ):
        assert col in t, col
    assert (t.threats == 1).all()
    assert (t.intercepted + t.leakers + t.in_flight_at_end == t.threats).all()
    assert (t.interceptors_battery_blue_battery == t.interceptors_fired).all()
    assert (t["interceptors_type_lower-tier"] == t.interceptors_fired).all()
    # trial rows equal single runs with the documented seeds
    from hoplon.sim import run

    r = run(small_spec, trial_seed(11, 2))
    assert t.loc[2, "interceptors_fired"] == r.summary["interceptors_fired"]
    assert t.loc[2, "leakers"] == r.summary["leakers"]
    first = r.threats.intercept_s[r.threats.outcome == "intercepted"].min()
    assert t.loc[2, "first_intercept_s"] == pytest.approx(first) or np.isnan(first)
    s = serial.summary()
    assert s["trials"] == 4
    lo, hi = s["p_no_leak_ci"]
    assert 0 <= lo <= s["p_no_leak"] <= hi <= 1


@pytest.mark.slow
def test_processes_match_serial(serial, small_spec) -> None:
    par = run_campaign(small_spec, 4, seed=11, workers=2, progress=False)
    assert par.backend == "processes" and par.workers == 2
    _same(serial.trials, par.trials)


@pytest.mark.slow
def test_dask_matches_serial(serial, small_spec) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        camp = run_campaign(
            small_spec, 4, seed=11, scheduler=cluster.scheduler_address, progress=False
        )
    assert camp.backend == "dask" and camp.workers == 2
    _same(serial.trials, camp.trials)


class _Stop(Exception):
    pass


def test_resume_after_interrupt(tmp_path, serial, small_spec) -> None:
    out = tmp_path / "camp"
    seen: list[int] = []

    def stop_after_two(row: dict) -> None:
        seen.append(row["trial"])
        if len(seen) == 2:
            raise _Stop

    with pytest.raises(_Stop):
        run_campaign(
            small_spec, 4, seed=11, workers=1, out_dir=out, progress=False, on_trial=stop_after_two
        )
    meta = json.loads((out / "campaign.json").read_text())
    assert meta["seed"] == 11 and meta["trials"] == 4
    stored = Campaign.load(out)
    assert list(stored.trials.trial) == [0, 1]  # finished trials were written, not lost
    assert not stored.complete
    with pytest.raises(InputError, match="already holds a campaign"):
        run_campaign(small_spec, 4, seed=11, workers=1, out_dir=out, progress=False)
    with pytest.raises(InputError, match="another scenario or seed"):
        run_campaign(small_spec, 4, seed=12, workers=1, out_dir=out, resume=True, progress=False)

    again: list[int] = []
    camp = run_campaign(
        small_spec,
        4,
        seed=11,
        workers=1,
        out_dir=out,
        resume=True,
        progress=False,
        on_trial=lambda r: again.append(r["trial"]),
    )
    assert sorted(again) == [2, 3]  # nothing redone
    assert camp.ran_this_call == 2 and camp.complete
    _same(serial.trials, camp.trials)
    _same(serial.trials, Campaign.load(out).trials)
    # resuming a finished campaign runs nothing
    done = run_campaign(
        small_spec,
        4,
        seed=11,
        workers=1,
        out_dir=out,
        resume=True,
        progress=False,
        on_trial=lambda r: pytest.fail("redone"),
    )
    assert done.ran_this_call == 0
    _same(serial.trials, done.trials)


def test_resume_ignores_half_written_part(tmp_path, serial, small_spec) -> None:
    """A kill while a part was being written leaves a .tmp file: it is dropped, not read."""
    out = tmp_path / "camp"
    run_campaign(small_spec, 1, seed=11, workers=1, out_dir=out, progress=False)
    (out / "trials" / "part-0001.parquet.tmp").write_bytes(b"PAR1 truncated")
    camp = run_campaign(small_spec, 3, seed=11, workers=1, out_dir=out, resume=True, progress=False)
    assert not list((out / "trials").glob("*.tmp"))
    assert camp.ran_this_call == 2
    _same(serial.trials.iloc[:3], camp.trials)
    assert json.loads((out / "campaign.json").read_text())["trials"] == 3


def _killed_campaign(spec_json: str, out: str) -> None:  # runs in a child process
    import os
    import signal

    from hoplon.analysis import campaign
    from hoplon.scenario import ScenarioSpec

    campaign.FLUSH_INTERVAL_S = 1e9
    campaign.CHUNK_ROWS = 2  # trials 0 and 1 go to part 0; trial 2 waits in the buffer

    def kill(row: dict) -> None:
        if row["trial"] == 2:
            os.kill(os.getpid(), signal.SIGKILL)

    spec = ScenarioSpec.model_validate_json(spec_json)
    campaign.run_campaign(spec, 3, seed=11, workers=1, out_dir=out, progress=False, on_trial=kill)


@pytest.mark.slow
def test_resume_after_sigkill(tmp_path, serial, small_spec) -> None:
    out = tmp_path / "camp"
    proc = mp.get_context("spawn").Process(
        target=_killed_campaign, args=(small_spec.model_dump_json(by_alias=True), str(out))
    )
    proc.start()
    proc.join(120)
    assert proc.exitcode == -9
    assert list(Campaign.load(out).trials.trial) == [0, 1]
    camp = run_campaign(small_spec, 3, seed=11, workers=1, out_dir=out, resume=True, progress=False)
    assert camp.ran_this_call == 1
    _same(serial.trials.iloc[:3], camp.trials)


def test_bad_arguments(small_spec, tmp_path) -> None:
    with pytest.raises(InputError, match="--trials"):
        run_campaign(small_spec, 0, progress=False)
    with pytest.raises(InputError, match="--seed"):
        run_campaign(small_spec, 1, seed=-1, progress=False)
    with pytest.raises(InputError, match="--resume"):
        run_campaign(small_spec, 1, resume=True, progress=False)
    with pytest.raises(InputError, match="no campaign"):
        Campaign.load(tmp_path)


def test_rows_do_not_depend_on_lanes(small_spec, serial) -> None:
    """Trials run in lockstep blocks (lanes) give the rows they give one at a time."""
    one = run_campaign(small_spec, 4, seed=11, workers=1, progress=False, lanes=1)
    three = run_campaign(small_spec, 4, seed=11, workers=1, progress=False, lanes=3)
    _same(one.trials, serial.trials)
    _same(three.trials, serial.trials)


def test_lanes_must_be_positive(small_spec) -> None:
    with pytest.raises(InputError, match="--lanes"):
        run_campaign(small_spec, 2, workers=1, progress=False, lanes=0)
