"""``hoplon coverage``: where the sensors of a file detect a target at a given altitude.

``FILE`` is a sensor file (a ``sensors:`` list or mapping name -> sensor, a bare list, or one
sensor with a ``type:`` key; schema :mod:`hoplon.sensors.specs`) or a scenario file (one with
a ``forces:`` section, or a packaged example name; schema :mod:`hoplon.scenario.schema`),
whose sensors are built as :mod:`hoplon.sim.world` builds them. Prints, per sensor, the
detection range against the reference RCS (``--rcs``, else each radar's ``rcs`` or
``reference_rcs_m2``) and the area covered at the altitude; ``--plot`` writes a map.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import typer


def register(app: typer.Typer) -> None:
    """Add ``hoplon coverage`` to ``app``."""
    app.command("coverage")(coverage)


def load_sensor_specs(path: str | Path) -> list[Any]:
    """Read and validate the sensors of a sensor or scenario file.

    Raises
    ------
    hoplon.scenario.yamlfile.FileProblems
        One ``file:line: field: reason`` line per problem.
    """
    from pydantic import TypeAdapter, ValidationError

    from hoplon.scenario.yamlfile import FileProblems, format_validation_error, read_yaml
    from hoplon.sensors.specs import SensorSpec

    doc = read_yaml(path)
    data = doc.data
    prefix: tuple[str | int, ...] = ()
    if isinstance(data, dict) and "sensors" in data:
        data, prefix = data["sensors"], ("sensors",)
    elif isinstance(data, dict) and "type" in data:
        data = [data]
        doc.data = [doc.data]
        doc.lines = {(0, *k): v for k, v in doc.lines.items()}
    if isinstance(data, dict):
        items = [
            ((*prefix, str(k)), {"name": str(k), **v} if isinstance(v, dict) else v)
            for k, v in data.items()
        ]
    elif isinstance(data, list):
        items = [((*prefix, i), v) for i, v in enumerate(data)]
    else:
        where = ".".join(map(str, prefix)) or "(top level)"
        raise FileProblems(
            [
                f"{doc.source}: {where}: expected a list of sensors or a mapping "
                "name -> sensor, each with a type: key (radar, infrared)"
            ]
        )
    if not items:
        raise FileProblems(
            [f"{doc.source}: {'.'.join(map(str, prefix)) or '(top level)'}: no sensors"]
        )
    adapter: TypeAdapter[Any] = TypeAdapter(SensorSpec)
    specs, problems = [], []
    for item_path, item in items:
        try:
            specs.append(adapter.validate_python(item))
        except ValidationError as exc:
            problems += format_validation_error(exc, doc, item_path)
    if problems:
        raise FileProblems(problems)
    return specs


def load_scenario_sensors(path: str | Path) -> tuple[list[Any], list[float | None], list[str]]:
    """Runtime sensors of a scenario file, their default coverage RCS and type names.

    Mirrors the sensor part of :func:`hoplon.sim.world.compile` (sensor ids in file order,
    owners by force index); the IR satellites of one spec form one constellation.
    """
    from hoplon.scenario.loader import load
    from hoplon.scenario.schema import RadarSpec as ScnRadar
    from hoplon.sim.world import build_infrared, build_radar

    spec = load(path)
    fidx = {name: i for i, name in enumerate(spec.forces)}
    sensors: list[Any] = []
    rcs: list[float | None] = []
    types: list[str] = []
    for sid, (key, s) in enumerate(spec.sensors.items()):
        owner = fidx.get(s.owner, 0)
        if isinstance(s, ScnRadar):
            sensors.append(build_radar(key, s, sid, owner))
            rcs.append(s.reference_rcs_m2)
            types.append("radar")
        else:
            sensors.append(build_infrared(key, s, sid, owner))
            rcs.append(None)
            types.append("infrared")
    return sensors, rcs, types


def _is_scenario(path: Path) -> bool:
    from hoplon.scenario.loader import resolve
    from hoplon.scenario.yamlfile import read_yaml

    p = resolve(path)
    data = read_yaml(p).data
    return isinstance(data, dict) and "forces" in data


def coverage(
    file: Path = typer.Argument(..., help="Sensor file or scenario file with a sensors: section."),
    altitude: str = typer.Option(..., "--altitude", help="Target altitude, e.g. 100km."),
    rcs: str | None = typer.Option(
        None, "--rcs", help="Target RCS, e.g. 0.1m2 (default: each radar's rcs field)."
    ),
    time: str = typer.Option("0s", "--time", help="Time after the epoch for satellites."),
    plot: Path | None = typer.Option(None, "--plot", help="Write the coverage map to this PNG."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Coverage map and detection range of each sensor against a target at an altitude."""
    from hoplon.errors import InputError
    from hoplon.sensors.coverage import coverage as coverage_map
    from hoplon.sensors.radar import Radar
    from hoplon.sensors.specs import build_sensors
    from hoplon.units import parse_quantity

    alt_m = parse_quantity(altitude, "length", field="--altitude")
    if alt_m < 0.0:
        raise InputError("--altitude", f"{altitude!r} is below the ellipsoid", ">= 0 m")
    rcs_m2 = None if rcs is None else parse_quantity(rcs, "area", field="--rcs", default_unit="m2")
    if rcs_m2 is not None and rcs_m2 <= 0.0:
        raise InputError("--rcs", f"{rcs!r} is not positive", "an area > 0, e.g. 0.1m2")
    t_s = parse_quantity(time, "time", field="--time", default_unit="s")
    if _is_scenario(file):
        sensors, default_rcs, types = load_scenario_sensors(file)
    else:
        specs = load_sensor_specs(file)
        sensors = build_sensors(specs)
        default_rcs = [getattr(sp, "rcs", None) for sp in specs]
        types = [sp.type for sp in specs]
    maps, rows = [], []
    for sensor, spec_rcs, type_ in zip(sensors, default_rcs, types, strict=True):
        warnings: list[str] = []
        reason = sensor.blind_reason()
        if reason:
            warnings.append(f"sensor {sensor.name!r} can never see anything: {reason}")
        is_radar = isinstance(sensor, Radar)
        target_rcs = (rcs_m2 if rcs_m2 is not None else spec_rcs) if is_radar else None
        cmap = coverage_map(sensor, alt_m, target_rcs, t_s)
        if not reason and cmap.area_m2 == 0.0:
            warnings.append(f"sensor {sensor.name!r} sees nothing at altitude {alt_m / 1e3:g} km")
        for w in warnings:
            typer.echo(f"warning: {w}", err=True)
        maps.append(cmap)
        row: dict[str, Any] = {
            "name": sensor.name,
            "type": type_,
            "altitude_m": alt_m,
            "area_m2": cmap.area_m2,
            "area_km2": cmap.area_m2 / 1e6,
            "warnings": warnings,
        }
        if is_radar:
            row.update(
                rcs_m2=target_rcs,
                detection_range_m=cmap.detection_range_m,
                required_snr_db=sensor.required_snr_db(),
                pd_required=sensor.pd_required,
                max_range_m=sensor.max_range_m,
            )
        else:
            row.update(satellites=len(sensor), time_s=t_s, cloud_top_m=sensor.cloud_top_m)
        rows.append(row)
    if plot is not None:
        from hoplon.report.coverage import plot_coverage

        plot_coverage(maps, plot)
    if as_json:
        from hoplon.cli._output import print_json

        print_json(
            {
                "file": str(file),
                "altitude_m": alt_m,
                "sensors": rows,
                "plot": None if plot is None else str(plot),
            }
        )
        return
    from hoplon.cli._output import print_table

    table: list[tuple[str, str]] = [("target altitude", f"{alt_m / 1e3:,.1f} km")]
    for row in rows:
        n = row["name"]
        if row["type"] == "radar":
            table += [
                (
                    f"{n}: detection range",
                    f"{row['detection_range_m'] / 1e3:,.1f} km "
                    f"(RCS {row['rcs_m2']:g} m², Pd {row['pd_required']:g})",
                ),
                (f"{n}: required SNR", f"{row['required_snr_db']:.2f} dB"),
            ]
        else:
            table.append((f"{n}: satellites", str(row["satellites"])))
        area = row["area_km2"]
        table.append((f"{n}: area covered", f"{area:,.0f} km²" if math.isfinite(area) else "-"))
    if plot is not None:
        table.append(("plot", str(plot)))
    print_table("coverage", table)
