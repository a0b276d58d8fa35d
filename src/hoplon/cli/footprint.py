"""``hoplon footprint``: the ground area a scenario's batteries defend against a threat type
launched from a point (or several), with or without track sharing.

Method: :mod:`hoplon.analysis.footprint`. ``--sharing both`` prints both areas and the gain,
the cooperation value of sharing in km^2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer


def register(app: typer.Typer) -> None:
    """Add ``hoplon footprint`` to ``app``."""
    app.command("footprint")(footprint)


def footprint(
    scenario: str = typer.Argument(..., help="Scenario YAML file or packaged example name."),
    threat: str = typer.Option(..., "--threat", help="Ballistic missile type (catalogue)."),
    launch: list[str] = typer.Option(
        ..., "--from", help="Launch point LAT,LON in degrees (repeat for a launch region)."
    ),
    battery: str | None = typer.Option(None, "--battery", help="Only this battery."),
    grid: int = typer.Option(40, "--grid", help="Aim points per side of the grid."),
    sharing: str = typer.Option("on", "--sharing", help="Track sharing: on, off or both."),
    extent: str | None = typer.Option(
        None, "--extent", help="Half-width of the box, e.g. 600km (default from the ranges)."
    ),
    center: str | None = typer.Option(
        None, "--center", help="Centre of the box LAT,LON (default: the batteries)."
    ),
    pd_min: float = typer.Option(0.5, "--pd", help="Single-dwell Pd that counts as detection."),
    dt: str = typer.Option("1s", "--dt", help="Sample interval of the threat paths."),
    plot: Path | None = typer.Option(None, "--plot", help="Write a PNG map."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
) -> None:
    """Defended-area footprint (map and km²) against a threat from a launch region."""
    from hoplon.errors import InputError
    from hoplon.units import parse_lat_lon, parse_quantity

    modes = {"on": (True,), "off": (False,), "both": (False, True)}
    key = sharing.strip().lower()
    if key not in modes:
        raise InputError("--sharing", f"unknown value {sharing!r}", "on, off, both")
    if grid < 2 or grid > 400:
        raise InputError("--grid", f"{grid} is out of range", "2-400")
    if not (0.0 < pd_min <= 1.0):
        raise InputError("--pd", f"{pd_min} is out of range", "(0, 1]")
    points = [parse_lat_lon(p, field="--from") for p in launch]
    half = None
    if extent is not None:
        half = parse_quantity(extent, "length", field="--extent")
        if not half > 0:
            raise InputError("--extent", f"{extent!r} is not positive", "> 0")
    ctr = None if center is None else parse_lat_lon(center, field="--center")
    dt_s = parse_quantity(dt, "time", field="--dt", default_unit="s")
    if not 0.05 <= dt_s <= 10.0:
        raise InputError("--dt", f"{dt!r} is out of range", "0.05-10 s")

    from hoplon.analysis.footprint import default_box, prepare_footprint
    from hoplon.scenario import load

    spec = load(scenario)
    if battery is not None and battery not in spec.batteries:
        raise InputError("--battery", f"unknown battery {battery!r}", ", ".join(spec.batteries))
    if ctr is not None and half is None:
        from hoplon.analysis.footprint import architecture_from_scenario

        arch = architecture_from_scenario(spec)
        chosen = [b for b in arch.batteries if battery is None or b.name == battery]
        half = default_box(chosen)[2]
    study = prepare_footprint(
        spec, threat, points, battery=battery, grid_n=grid, center=ctr, half_extent_m=half,
        dt_s=dt_s, pd_min=pd_min,
    )  # fmt: skip
    names = None if battery is None else [battery]
    fps = [study.footprint(sharing=s, batteries=names) for s in modes[key]]

    out: dict[str, Any] = dict(fps[-1].summary())
    out["scenario"] = spec.name
    if battery is not None:
        out["battery"] = battery
    if key == "both":
        off, on = fps
        out["sharing"] = "both"
        out["area_km2"] = {"off": off.area_km2, "on": on.area_km2}
        out["battery_area_km2"] = {"off": off.battery_area_km2, "on": on.battery_area_km2}
        out["gain_km2"] = on.area_km2 - off.area_km2
        out["battery_gain_km2"] = {
            n: on.battery_area_km2[n] - off.battery_area_km2[n] for n in on.battery_names
        }
        out["touches_edge"] = off.touches_edge or on.touches_edge
    else:
        out["sharing"] = key
    if plot is not None:
        from hoplon.report.footprint import plot_footprint

        plot_footprint(fps, plot)
        out["plot"] = str(plot)

    if as_json:
        from hoplon.cli._output import print_json

        print_json(out)
        return
    _print(out, key, fps)


def _print(out: dict[str, Any], key: str, fps: list[Any]) -> None:
    from hoplon.cli._output import print_table

    g = out["grid"]
    launch = "; ".join(f"{p['lat_deg']:.3f}, {p['lon_deg']:.3f}" for p in out["launch"])
    rows = [
        ("threat", str(out["threat"])),
        ("launch (deg)", launch),
        ("grid", f"{g['ny']} x {g['nx']}"),
        ("box lat (deg)", f"{g['lat_deg'][0]:.2f} .. {g['lat_deg'][1]:.2f}"),
        ("box lon (deg)", f"{g['lon_deg'][0]:.2f} .. {g['lon_deg'][1]:.2f}"),
        ("threatened area", f"{out['threatened_area_km2']:,.0f} km²"),
    ]
    if key == "both":
        off, on = fps
        for name in on.battery_names:
            a0, a1 = off.battery_area_km2[name], on.battery_area_km2[name]
            rows.append((f"{name} (off / on)", f"{a0:,.0f} / {a1:,.0f} km²"))
        rows.append(("all batteries, sharing off", f"{off.area_km2:,.0f} km²"))
        rows.append(("all batteries, sharing on", f"{on.area_km2:,.0f} km²"))
        rows.append(("gain from sharing", f"{on.area_km2 - off.area_km2:,.0f} km²"))
    else:
        fp = fps[0]
        for name, area in fp.battery_area_km2.items():
            rows.append((name, f"{area:,.0f} km²"))
        rows.append((f"all batteries, sharing {key}", f"{fp.area_km2:,.0f} km²"))
    print_table(f"Footprint: {out['scenario']}", rows)
    if out.get("touches_edge"):
        typer.echo("note: the defended area reaches the edge of the box; widen it with --extent")
    if "plot" in out:
        typer.echo(f"wrote {out['plot']}")
