"""``RunResult``: what happened in one run, as tidy tables and summary figures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

#: the tables of a run (attributes of :class:`RunResult`)
TABLES = ("events", "threats", "shots", "assets")


@dataclass
class RunResult:
    """The outcome of one run of a scenario.

    Attributes
    ----------
    scenario : str
        Scenario name.
    seed : int
        The run's seed.
    events : pandas.DataFrame
        Every event in time order (``time_s``, ``event``, ``force``, ``battery``, ``sensor``,
        ``threat``, ``track``, ``shot``, ``lat_deg``, ``lon_deg``, ``alt_m``, ``detail``).
    threats : pandas.DataFrame
        One row per threat: type, raid, launch and impact times, outcome
        (``intercepted``, ``leaked``, ``in flight``), who killed it, first detection and
        first engagement per force.
    shots : pandas.DataFrame
        One row per interceptor: battery, force, interceptor type, launch and intercept
        times, the track it was fired at, the threat it met (if any), miss distance, hit.
    assets : pandas.DataFrame
        One row per defended asset: owner, value, leakers that hit it, survived.
    summary : dict
        Headline figures: ``threats``, ``intercepted``, ``leakers``, ``interceptors_fired``,
        ``interceptors_by_battery``, ``interceptors_by_force``, ``assets_hit``, ...
    trajectories : dict
        Truth trajectories of the threats (by threat index) and interceptor flyouts, for
        plots and exports; not part of the tables.

    Notes
    -----
    The engine gives its results with the tables still as plain columns
    (:meth:`from_columns`): each DataFrame is made on first access to its attribute, then
    kept, so that a campaign, which reads only a few figures of each trial, builds none
    (:func:`hoplon.analysis.campaign.trial_row`). Pickling, copying, comparing or writing a
    result builds its tables first.
    """

    scenario: str
    seed: int
    events: Any
    threats: Any
    shots: Any
    assets: Any
    summary: dict[str, Any]
    trajectories: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_columns(
        cls,
        scenario: str,
        seed: int,
        tables: dict[str, Callable[[], Any]],
        summary: dict[str, Any],
        trajectories: dict[str, Any],
        columns: dict[str, dict[str, Any] | None],
    ) -> RunResult:
        """A result whose tables are made when first read: ``tables`` maps each name of
        :data:`TABLES` to a function making its DataFrame; ``columns`` holds the plain
        columns of ``threats``, ``shots`` and ``assets`` (``None``: the table is empty)
        the frames are made of (see :meth:`plain_columns`)."""
        self = cls.__new__(cls)
        d = self.__dict__
        d["scenario"] = scenario
        d["seed"] = seed
        d["summary"] = summary
        d["trajectories"] = trajectories
        d["_pending"] = {name: tables[name] for name in TABLES}
        d["_columns"] = columns
        return self

    def __getattr__(self, name: str) -> Any:
        # called only for attributes not in the instance dict: a table not made yet
        pending = self.__dict__.get("_pending")
        if pending is None or name not in pending:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        value = pending[name]()
        self.__dict__[name] = value
        del pending[name]
        return value

    def plain_columns(self) -> dict[str, dict[str, Any] | None] | None:
        """The plain columns (lists and arrays by column name, ``None`` for an empty
        table) of ``threats``, ``shots`` and ``assets`` while none of these frames has
        been made (then they are exactly what the frames would hold), else ``None``."""
        d = self.__dict__
        columns = d.get("_columns")
        if columns is None or "threats" in d or "shots" in d or "assets" in d:
            return None
        return columns

    def __getstate__(self) -> dict[str, Any]:
        # the fields (every table made) and any other attribute, as a result built from
        # frames pickles
        state = {f.name: getattr(self, f.name) for f in fields(self)}
        for key, value in self.__dict__.items():
            if key not in state and key not in ("_pending", "_columns"):
                state[key] = value
        return state

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write the tables (Parquet) and the summary (JSON) into ``out_dir``.

        Returns the paths written. Parquet needs the ``parquet`` extra (pyarrow).
        """
        import json

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            from hoplon.errors import InputError

            raise InputError(
                "--out", "writing Parquet needs pyarrow", "pip install 'hoplon[parquet]'"
            ) from None
        paths = []
        for name in ("events", "threats", "shots", "assets"):
            path = out / f"{name}.parquet"
            getattr(self, name).to_parquet(path, index=False)
            paths.append(path)
        samples = self.trajectory_samples()
        if samples is not None:
            path = out / "trajectories.parquet"
            samples.to_parquet(path, index=False)
            paths.append(path)
        path = out / "summary.json"
        path.write_text(
            json.dumps(
                {"scenario": self.scenario, "seed": self.seed, **self.summary},
                indent=2,
                default=float,
            )
        )
        paths.append(path)
        return paths

    def trajectory_samples(self, step_s: float = 2.0) -> Any:
        """Truth samples of every threat on absolute time (pandas), or ``None``.

        Columns: ``threat``, ``time_s`` (since the scenario epoch), ``x_m``, ``y_m``,
        ``z_m`` (ECEF), ``vx_mps``, ``vy_mps``, ``vz_mps``, ``lat_deg``, ``lon_deg``,
        ``alt_m``. A threat's samples end at its impact or at its intercept.
        """
        import numpy as np
        import pandas as pd

        from hoplon.earth.frames import WGS84, ecef_to_geodetic

        trajs = self.trajectories.get("threats")
        if not trajs:
            return None
        launch = self.trajectories["launch_s"]
        end_s = {int(r.threat): r.intercept_s for r in self.threats.itertuples()}
        frames = []
        for i, traj in trajs.items():
            t_rel = np.arange(traj.t_s[0], traj.t_s[-1], step_s)
            t_rel = np.append(t_rel, traj.t_s[-1])
            t_abs = launch[i] + t_rel - traj.t_s[0]
            stop = end_s.get(int(i))
            if stop is not None and np.isfinite(stop):
                keep = t_abs <= stop
                t_rel, t_abs = t_rel[keep], t_abs[keep]
            y = traj.state_at(t_rel)
            lat, lon, alt = ecef_to_geodetic(y[:, :3], WGS84)
            frames.append(
                pd.DataFrame(
                    {
                        "threat": int(i),
                        "time_s": t_abs,
                        "x_m": y[:, 0],
                        "y_m": y[:, 1],
                        "z_m": y[:, 2],
                        "vx_mps": y[:, 3],
                        "vy_mps": y[:, 4],
                        "vz_mps": y[:, 5],
                        "lat_deg": np.degrees(lat),
                        "lon_deg": np.degrees(lon),
                        "alt_m": alt,
                    }
                )
            )
        return pd.concat(frames, ignore_index=True)


def frame_from_columns(data: dict[str, Any] | None, columns: list[str] | None = None) -> Any:
    """A table of :class:`RunResult` from its plain columns: ``pandas.DataFrame(data)``, or
    an empty frame with ``columns`` when ``data`` is ``None``."""
    import pandas as pd

    if data is None:
        return pd.DataFrame([], columns=columns)
    return pd.DataFrame(data)
