"""A small synthetic run (no simulation) of the packaged two_partner scenario's sites."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hoplon.report.html import RunData
from hoplon.scenario import load


def make_run(seed: int = 3) -> RunData:
    spec = load("two_partner")
    threats = pd.DataFrame(
        {
            "threat": [0, 1],
            "type": ["mrbm-1300", "srbm-300"],
            "kind": ["ballistic", "ballistic"],
            "raid": [0, 2],
            "target": ["blue_capital", "green_city"],
            "launch_s": [60.0, 30.0],
            "impact_s": [np.nan, 400.0],
            "outcome": ["intercepted", "leaked"],
            "intercept_s": [530.0, np.nan],
            "killed_by": ["blue_upper", None],
            "impact_lat_deg": [np.nan, 5.0],
            "impact_lon_deg": [np.nan, 154.0],
            "first_detection_s_blue": [170.0, np.nan],
            "first_detection_s_green": [110.0, 60.0],
        }
    )
    shots = pd.DataFrame(
        {
            "shot": [0, 1],
            "battery": ["blue_upper", "green_area"],
            "force": ["blue", "green"],
            "interceptor": ["upper-tier", "area-long-range"],
            "launch_s": [430.0, 300.0],
            "intercept_s": [530.0, 380.0],
            "remote_track": [False, False],
            "threat": [0, 1],
            "hit": [True, False],
            "site_lat_deg": [7.8, 5.05],
            "site_lon_deg": [157.7, 154.05],
            "aim_lat_deg": [7.07, 4.9],
            "aim_lon_deg": [156.67, 153.9],
        }
    )
    assets = pd.DataFrame(
        {
            "asset": ["blue_capital", "blue_port", "green_city"],
            "owner": ["blue", "blue", "green"],
            "value": [10.0, 5.0, 8.0],
            "leakers_hit": [0, 0, 1],
            "survived": [True, True, False],
        }
    )
    t = np.linspace(0.0, 1.0, 20)
    traj = pd.concat(
        [
            pd.DataFrame(
                {
                    "threat": 0,
                    "time_s": 60 + 470 * t,
                    "lat_deg": 3.0 + 4.07 * t,
                    "lon_deg": 151.0 + 5.67 * t,
                    "alt_m": 4e5 * np.sin(np.pi * t * 0.9),
                }
            ),
            pd.DataFrame(
                {
                    "threat": 1,
                    "time_s": 30 + 370 * t,
                    "lat_deg": 3.5 + 1.5 * t,
                    "lon_deg": 152.0 + 2.0 * t,
                    "alt_m": 1e5 * np.sin(np.pi * t),
                }
            ),
        ],
        ignore_index=True,
    )
    summary = {
        "threats": 2,
        "intercepted": 1,
        "leakers": 1,
        "in_flight_at_end": 0,
        "interceptors_fired": 2,
        "interceptors_by_battery": {"blue_upper": 1, "green_area": 1},
        "interceptors_by_force": {"blue": 1, "green": 1},
        "interceptors_on_remote_tracks": 0,
        "assets_hit": ["green_city"],
        "value_lost": 8.0,
    }
    return RunData(
        scenario=spec.name,
        seed=seed,
        events=pd.DataFrame(),
        threats=threats,
        shots=shots,
        assets=assets,
        summary=summary,
        trajectories=traj,
        spec=spec,
    )


def make_trials(n: int = 40, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    leakers = rng.poisson(1.0, n)
    return pd.DataFrame(
        {
            "trial": np.arange(n),
            "seed": np.arange(n),
            "threats": 24,
            "intercepted": 24 - leakers,
            "leakers": leakers,
            "interceptors_fired": rng.integers(18, 30, n),
            "interceptors_remote": rng.integers(0, 3, n),
            "interceptors_battery_blue_upper": rng.integers(8, 14, n),
            "interceptors_force_blue": rng.integers(10, 20, n),
            "interceptors_type_upper-tier": rng.integers(8, 14, n),
            "value_lost": 5.0 * leakers,
            "asset_blue_capital_survived": leakers < 2,
        }
    )


@pytest.fixture
def run_data() -> RunData:
    return make_run()


@pytest.fixture
def trials_df() -> pd.DataFrame:
    return make_trials()


@pytest.fixture
def make_trials_fn():  # type: ignore[no-untyped-def]
    return make_trials
