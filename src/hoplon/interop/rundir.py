"""A run directory (``hoplon run ... --out DIR``) as entity tracks and events for the writers.

What comes from where:

- threats: their truth samples (``trajectories.parquet``); force = the owner of the threat's
  raid in ``scenario.yaml`` (``red`` by default); an attack-role force is DIS *opposing*.
- interceptors: one per row of ``shots.parquet``, a *drawn* flyout from the battery site to
  the aim point between ``launch_s`` and ``intercept_s`` (see
  :mod:`hoplon.interop.flyout_sketch`: boost then coast along the great circle; a display
  aid, not a flyout model). Shots without an intercept time or aim point get no track.
- sensors (radars at their sites; GEO infrared satellites fixed above their sub-satellite
  point; HEO satellites are left out), batteries and defended assets: fixed entities from
  ``scenario.yaml``, present from the start of the run.
- events (``events.parquet``): ``threat_launch`` -> launch, ``interceptor_launch`` -> fire,
  ``intercept_kill``/``intercept_miss`` -> intercept with result ``kill``/``miss``,
  ``impact`` -> impact with result ``ground_impact``.

Entity ids are given in this order: sensors, batteries, assets (scenario order), threats
(by index), interceptors (by shot number); each track's ``metadata`` says what it is.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hoplon.earth.frames import geodetic_to_ecef
from hoplon.errors import InputError
from hoplon.interop.entities import FORCE_OPPOSING, EntityTrack, SimEvent
from hoplon.interop.flyout_sketch import sketch_flyout

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from hoplon.scenario.schema import ScenarioSpec

#: Files a run directory must hold, with the columns read from each.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "events.parquet": ("time_s", "event", "threat", "shot", "lat_deg", "lon_deg", "alt_m"),
    "threats.parquet": ("threat", "type", "raid", "launch_s"),
    "shots.parquet": (
        "shot",
        "battery",
        "force",
        "interceptor",
        "launch_s",
        "intercept_s",
        "threat",
        "site_lat_deg",
        "site_lon_deg",
        "site_alt_m",
        "aim_lat_deg",
        "aim_lon_deg",
        "aim_alt_m",
    ),
    "trajectories.parquet": (
        "threat",
        "time_s",
        "x_m",
        "y_m",
        "z_m",
        "vx_mps",
        "vy_mps",
        "vz_mps",
    ),
}
#: Geostationary altitude above the equator [m] (r_GEO 42,164 km - a 6,378 km).
GEO_ALTITUDE_M = 35_786_000.0
_MAX_ID = 65534


@dataclass
class RunTables:
    """The tables of one run and its scenario (what :func:`load_run` converts)."""

    spec: ScenarioSpec
    events: pd.DataFrame
    threats: pd.DataFrame
    shots: pd.DataFrame
    trajectories: pd.DataFrame | None


def is_run_dir(path: str | Path) -> bool:
    """Whether ``path`` looks like a run directory (a folder with ``scenario.yaml`` and
    ``events.parquet``)."""
    p = Path(path)
    return p.is_dir() and (p / "scenario.yaml").is_file() and (p / "events.parquet").is_file()


def read_run_tables(run_dir: str | Path) -> RunTables:
    """Read and check the files of a run directory.

    Raises
    ------
    InputError
        Naming the file, when the folder, a file or a column is missing or unreadable.
    """
    import pandas as pd

    from hoplon.scenario import load

    root = Path(run_dir)
    if not root.is_dir():
        raise InputError(
            "RUN_DIR", f"{root} is not a folder", "a folder written by `hoplon run --out DIR`"
        )
    scenario_path = root / "scenario.yaml"
    if not scenario_path.is_file():
        raise InputError(
            str(scenario_path), "missing: not a complete run directory", "hoplon run --out DIR"
        )
    tables: dict[str, Any] = {}
    for name, columns in REQUIRED_COLUMNS.items():
        path = root / name
        if not path.is_file():
            if name == "trajectories.parquet":
                tables[name] = None
                continue
            raise InputError(
                str(path), "missing: not a complete run directory", "hoplon run --out DIR"
            )
        try:
            frame = pd.read_parquet(path)
        except ImportError:
            raise InputError(
                str(path), "reading Parquet needs pyarrow", "pip install 'hoplon[parquet]'"
            ) from None
        except Exception as exc:  # pyarrow raises many kinds for a damaged file
            raise InputError(str(path), f"cannot read it: {exc}".splitlines()[0]) from None
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise InputError(str(path), f"missing columns {', '.join(missing)}")
        tables[name] = frame
    spec = load(scenario_path)
    threats = tables["threats.parquet"]
    if tables["trajectories.parquet"] is None and len(threats):
        raise InputError(
            str(root / "trajectories.parquet"),
            f"missing, but the run has {len(threats)} threat(s)",
            "hoplon run --out DIR",
        )
    return RunTables(
        spec=spec,
        events=tables["events.parquet"],
        threats=threats,
        shots=tables["shots.parquet"],
        trajectories=tables["trajectories.parquet"],
    )


def load_run(run_dir: str | Path) -> tuple[list[EntityTrack], list[SimEvent], dt.datetime]:
    """Entity tracks, events and the scenario epoch (aware UTC) of a run directory.

    See the module docstring for what each entity and event is made from.
    """
    tables = read_run_tables(run_dir)
    entities, events = entities_from_tables(tables)
    return entities, events, tables.spec.epoch


def load_result(result: Any, spec: ScenarioSpec) -> tuple[list[EntityTrack], list[SimEvent]]:
    """Entity tracks and events of an in-memory ``hoplon.sim.RunResult`` (no files)."""
    tables = RunTables(
        spec=spec,
        events=result.events,
        threats=result.threats,
        shots=result.shots,
        trajectories=result.trajectory_samples(),
    )
    return entities_from_tables(tables)


def _finite(*values: Any) -> bool:
    try:
        return all(math.isfinite(float(v)) for v in values)
    except (TypeError, ValueError):
        return False


def _int_or_none(value: Any) -> int | None:
    return int(value) if _finite(value) and int(value) >= 0 else None


def _site_ecef(site: Any) -> np.ndarray:
    return geodetic_to_ecef(site.lat, site.lon, site.alt)[None, :]


def entities_from_tables(tables: RunTables) -> tuple[list[EntityTrack], list[SimEvent]]:
    """Entity tracks and events from the tables of a run (see the module docstring)."""
    spec = tables.spec
    ids = iter(range(1, _MAX_ID + 2))
    entities: list[EntityTrack] = []

    def next_id(what: str) -> int:
        eid = next(ids)
        if eid > _MAX_ID:
            raise InputError("run", f"too many entities for DIS ids at {what}", "65534 at most")
        return eid

    launches = [float(x) for x in tables.threats["launch_s"] if _finite(x)]
    t_start = min([0.0, *launches])

    def fixed(name: str, force: str, kind: str, r: np.ndarray, **meta: Any) -> EntityTrack:
        track = EntityTrack(
            next_id(name),
            name,
            force,
            kind,
            [t_start],
            r,
            force_id=_force_id(spec, force),
            metadata={"source": "scenario", "key": name, **meta},
        )
        entities.append(track)
        return track

    for key, sensor in spec.sensors.items():
        if getattr(sensor, "type", "radar") == "infrared":
            for k, lon in enumerate(sensor.geo_longitudes):
                r = geodetic_to_ecef(0.0, lon, GEO_ALTITUDE_M)[None, :]
                fixed(f"{key}/geo{k}", sensor.owner, "sensor", r, sensor=key, orbit="geo")
        else:
            fixed(key, sensor.owner, "sensor", _site_ecef(sensor.site), sensor=key)
    battery_ids: dict[str, int] = {}
    for key, battery in spec.batteries.items():
        track = fixed(key, battery.owner, "battery", _site_ecef(battery.site), battery=key)
        battery_ids[key] = track.entity_id
    for key, asset in spec.assets.items():
        fixed(key, asset.owner, "asset", _site_ecef(asset.site), asset=key)

    threat_ids: dict[int, int] = {}
    threat_tracks: dict[int, EntityTrack] = {}
    samples = tables.trajectories
    groups = {} if samples is None else dict(iter(samples.groupby("threat", sort=True)))
    for row in tables.threats.sort_values("threat").itertuples(index=False):
        i = int(row.threat)
        raid = int(row.raid)
        owner = spec.threats[raid].owner if 0 <= raid < len(spec.threats) else "red"
        threat_ids[i] = next_id(f"threat {i}")
        group = groups.get(i)
        if group is None or len(group) == 0:
            continue
        group = group.sort_values("time_s", kind="stable")
        track = EntityTrack(
            threat_ids[i],
            f"T{i} {row.type}",
            owner,
            "threat",
            group["time_s"].to_numpy(float),
            group[["x_m", "y_m", "z_m"]].to_numpy(float),
            group[["vx_mps", "vy_mps", "vz_mps"]].to_numpy(float),
            force_id=_force_id(spec, owner),
            metadata={"source": "trajectories", "threat": i, "type": str(row.type)},
        )
        threat_tracks[i] = track
        entities.append(track)

    shot_ids: dict[int, int] = {}
    shot_tracks: dict[int, EntityTrack] = {}
    shot_rows: dict[int, Any] = {}
    for row in tables.shots.sort_values("shot").itertuples(index=False):
        j = int(row.shot)
        shot_rows[j] = row
        shot_ids[j] = next_id(f"shot {j}")
        values = (
            row.site_lat_deg,
            row.site_lon_deg,
            row.site_alt_m,
            row.aim_lat_deg,
            row.aim_lon_deg,
            row.aim_alt_m,
            row.launch_s,
            row.intercept_s,
        )
        if not _finite(*values) or not float(row.intercept_s) > float(row.launch_s):
            continue
        t, r, v = sketch_flyout(
            math.radians(row.site_lat_deg),
            math.radians(row.site_lon_deg),
            float(row.site_alt_m),
            math.radians(row.aim_lat_deg),
            math.radians(row.aim_lon_deg),
            float(row.aim_alt_m),
            float(row.launch_s),
            float(row.intercept_s),
        )
        track = EntityTrack(
            shot_ids[j],
            f"I{j} {row.interceptor}",
            str(row.force),
            "interceptor",
            t,
            r,
            v,
            force_id=_force_id(spec, str(row.force)),
            metadata={
                "source": "shots (drawn flyout)",
                "shot": j,
                "battery": str(row.battery),
                "interceptor": str(row.interceptor),
            },
        )
        shot_tracks[j] = track
        entities.append(track)

    events: list[SimEvent] = []
    for row in tables.events.itertuples(index=False):
        kind = str(row.event)
        time_s = float(row.time_s)
        where = (
            geodetic_to_ecef(math.radians(row.lat_deg), math.radians(row.lon_deg), row.alt_m)
            if _finite(row.lat_deg, row.lon_deg, row.alt_m)
            else None
        )
        detail = getattr(row, "detail", None)
        detail = detail if isinstance(detail, str) else ""
        if kind in ("threat_launch", "impact"):
            i = _int_or_none(row.threat)
            if i is None or i not in threat_ids:
                continue
            track = threat_tracks.get(i)
            r, v = _end_state(track, first=kind == "threat_launch")
            if where is None:
                where = r
            if where is None:
                continue
            if kind == "threat_launch":
                name = f"launch T{i}" + (f" ({detail})" if detail else "")
                events.append(
                    SimEvent(time_s, "launch", threat_ids[i], where, v_ecef_mps=v, name=name)
                )
            else:
                name = f"impact T{i}" + (f" at {detail}" if detail else "")
                events.append(
                    SimEvent(
                        time_s,
                        "impact",
                        threat_ids[i],
                        where,
                        v_ecef_mps=v,
                        result="ground_impact",
                        name=name,
                    )
                )
        elif kind in ("interceptor_launch", "intercept_kill", "intercept_miss"):
            j = _int_or_none(row.shot)
            if j is None or j not in shot_ids:
                continue
            shot = shot_rows[j]
            track = shot_tracks.get(j)
            target = _int_or_none(shot.threat)
            target_id = threat_ids.get(target) if target is not None else None
            shooter = battery_ids.get(str(shot.battery))
            on = f" on T{target}" if target_id is not None else ""
            if kind == "interceptor_launch":
                r, v = _end_state(track, first=True)
                if r is None and _finite(shot.site_lat_deg, shot.site_lon_deg, shot.site_alt_m):
                    r = geodetic_to_ecef(
                        math.radians(shot.site_lat_deg),
                        math.radians(shot.site_lon_deg),
                        shot.site_alt_m,
                    )
                if r is None:
                    continue
                events.append(
                    SimEvent(
                        time_s,
                        "fire",
                        shot_ids[j],
                        r,
                        target_id=target_id,
                        shooter_id=shooter,
                        v_ecef_mps=v,
                        name=f"fire I{j} from {shot.battery}{on}",
                    )
                )
            else:
                r, v = _end_state(track, first=False)
                where = where if where is not None else r
                if where is None:
                    continue
                result = "kill" if kind == "intercept_kill" else "miss"
                events.append(
                    SimEvent(
                        time_s,
                        "intercept",
                        shot_ids[j],
                        where,
                        target_id=target_id,
                        shooter_id=shooter,
                        v_ecef_mps=v,
                        result=result,
                        name=f"intercept I{j}{on}: {result}",
                    )
                )
    events.sort(key=lambda e: e.time_s)
    return entities, events


def _end_state(
    track: EntityTrack | None, first: bool
) -> tuple[np.ndarray | None, np.ndarray | None]:
    if track is None:
        return None, None
    k = 0 if first else -1
    return track.r_ecef_m[k], track.v_ecef_mps[k]


def _force_id(spec: ScenarioSpec, force: str) -> int | None:
    """DIS force id: opposing for an attack-role force, else the default for the name."""
    f = spec.forces.get(force)
    if f is not None and f.role == "attack":
        return FORCE_OPPOSING
    return None
