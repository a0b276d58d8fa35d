"""``RunResult``: what happened in one run, as tidy tables and summary figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


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
    """

    scenario: str
    seed: int
    events: Any
    threats: Any
    shots: Any
    assets: Any
    summary: dict[str, Any]
    trajectories: dict[str, Any] = field(default_factory=dict, repr=False)

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
