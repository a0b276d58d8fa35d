"""``hoplon trajectory``: fly a threat and summarise its trajectory.

An analyst's tool: every option takes units ("300km", "7.2km/s", "45deg"). The vehicle is a
catalogue missile (``--missile``) or a burnout state (``--burnout-speed``); the shape is a
named trajectory shape or constraints (``--range``, ``--apogee``); the geometry is a launch
point with a target or an azimuth; the model switches Earth rotation, atmosphere and shape.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import typer

from hoplon.errors import InputError

_SHAPES = ("min-energy", "max-range", "lofted", "depressed")

#: Keys of the JSON summary, in display order, with the table label and formatter.
_ROWS: tuple[tuple[str, str, Any], ...] = (
    ("ground_range_m", "ground range", lambda v: f"{v / 1e3:,.1f} km"),
    ("apogee_altitude_m", "apogee altitude", lambda v: f"{v / 1e3:,.1f} km"),
    ("apogee_time_s", "time of apogee", lambda v: f"{v:,.1f} s"),
    ("flight_time_s", "flight time", lambda v: f"{v:,.1f} s ({v / 60:.2f} min)"),
    ("burnout_speed_mps", "burnout speed", lambda v: f"{v / 1e3:.3f} km/s"),
    ("burnout_flight_path_angle_deg", "burnout flight-path angle", lambda v: f"{v:.2f} deg"),
    ("burnout_altitude_m", "burnout altitude", lambda v: f"{v / 1e3:,.1f} km"),
    ("launch_lat_deg", "launch latitude", lambda v: f"{v:.4f} deg"),
    ("launch_lon_deg", "launch longitude", lambda v: f"{v:.4f} deg"),
    ("impact_lat_deg", "impact latitude", lambda v: f"{v:.4f} deg"),
    ("impact_lon_deg", "impact longitude", lambda v: f"{v:.4f} deg"),
    ("impact_speed_mps", "impact speed", lambda v: f"{v / 1e3:.3f} km/s"),
)


def register(app: typer.Typer) -> None:
    """Add ``hoplon trajectory`` to ``app``."""
    app.command("trajectory")(trajectory)


def trajectory(
    missile: str | None = typer.Option(
        None, "--missile", help="Catalogue missile type (see --list-missiles)."
    ),
    burnout_speed: str | None = typer.Option(
        None, "--burnout-speed", help="Burnout speed instead of a missile, e.g. 7.2km/s."
    ),
    burnout_altitude: str = typer.Option(
        "0km", "--burnout-altitude", help="Burnout altitude with --burnout-speed, e.g. 80km."
    ),
    shape: str | None = typer.Option(
        None, "--shape", help="Trajectory shape: min-energy, max-range, lofted or depressed."
    ),
    range_: str | None = typer.Option(
        None, "--range", help="Ground range to fly, e.g. 1000km (instead of --to)."
    ),
    apogee: str | None = typer.Option(
        None, "--apogee", help="Apogee altitude, e.g. 450km (lofted shots; with --range)."
    ),
    launch: str = typer.Option("0,0", "--from", help="Launch point LAT,LON in degrees."),
    target: str | None = typer.Option(None, "--to", help="Target point LAT,LON in degrees."),
    azimuth: str | None = typer.Option(
        None, "--azimuth", help="Launch azimuth clockwise from north, e.g. 45deg (default 90deg)."
    ),
    no_rotation: bool = typer.Option(False, "--no-rotation", help="Non-rotating Earth."),
    no_atmosphere: bool = typer.Option(False, "--no-atmosphere", help="Vacuum: no drag."),
    earth: str = typer.Option("wgs84", "--earth", help="Earth shape: wgs84 or sphere."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    plot: Path | None = typer.Option(
        None, "--plot", help="Write a plot (altitude vs range and map track) to this PNG."
    ),
    csv: Path | None = typer.Option(None, "--csv", help="Write the sampled states to CSV."),
    parquet: Path | None = typer.Option(
        None, "--parquet", help="Write the sampled states to Parquet (extra 'parquet')."
    ),
    list_missiles: bool = typer.Option(
        False, "--list-missiles", help="List the catalogue missile types and exit."
    ),
) -> None:
    """Fly a ballistic missile or a burnout state and summarise the trajectory."""
    from hoplon.units import parse_lat_lon, parse_quantity

    if list_missiles:
        _print_catalogue(as_json)
        return

    if missile is not None and burnout_speed is not None:
        raise InputError("--missile", "give either --missile or --burnout-speed, not both")
    if shape is not None and shape not in _SHAPES:
        raise InputError("--shape", f"unknown shape {shape!r}", ", ".join(_SHAPES))
    if earth not in ("wgs84", "sphere"):
        raise InputError("--earth", f"unknown Earth model {earth!r}", "wgs84, sphere")
    if target is not None and (azimuth is not None or range_ is not None):
        raise InputError(
            "--to", "give a target (--to) or an azimuth/range (--azimuth, --range), not both"
        )
    for option, suffix in ((plot, ".png"), (csv, ".csv"), (parquet, ".parquet")):
        if option is not None and option.suffix.lower() != suffix:
            raise InputError(
                {".png": "--plot", ".csv": "--csv", ".parquet": "--parquet"}[suffix],
                f"{str(option)!r} does not end in {suffix}",
                f"a file name ending in {suffix}",
            )

    lat0, lon0 = parse_lat_lon(launch, field="--from")
    lat1 = lon1 = None
    if target is not None:
        lat1, lon1 = parse_lat_lon(target, field="--to")
    az = None
    if target is None:
        az = parse_quantity(azimuth or "90deg", "angle", field="--azimuth", default_unit="deg")
    v_bo = None
    if burnout_speed is not None:
        v_bo = parse_quantity(burnout_speed, "speed", field="--burnout-speed")
        if v_bo <= 0:
            raise InputError("--burnout-speed", f"{burnout_speed!r} is not positive", "> 0")
    h_bo = parse_quantity(burnout_altitude, "length", field="--burnout-altitude")
    if not 0.0 <= h_bo <= 2.0e6:
        raise InputError("--burnout-altitude", f"{burnout_altitude!r} out of range", "0-2000 km")
    rng_m = None
    if range_ is not None:
        rng_m = parse_quantity(range_, "length", field="--range")
        if rng_m <= 0:
            raise InputError("--range", f"{range_!r} is not positive", "> 0")
    apo_m = None
    if apogee is not None:
        apo_m = parse_quantity(apogee, "length", field="--apogee")
        if apo_m <= 0:
            raise InputError("--apogee", f"{apogee!r} is not positive", "> 0")
    if missile is None and v_bo is None and rng_m is None and target is None:
        raise InputError(
            "--missile",
            "nothing to fly",
            "--missile TYPE, --burnout-speed V, or a range/target to solve for",
        )

    from hoplon.flight import EarthModel
    from hoplon.threats.shaping import plan_trajectory

    model = EarthModel(rotating=not no_rotation, shape=earth, atmosphere=not no_atmosphere)
    traj = plan_trajectory(
        missile=missile,
        burnout_speed_mps=v_bo,
        burnout_altitude_m=h_bo,
        launch_lat_rad=lat0,
        launch_lon_rad=lon0,
        target_lat_rad=lat1,
        target_lon_rad=lon1,
        azimuth_rad=az,
        shape=shape,
        ground_range_m=rng_m,
        apogee_altitude_m=apo_m,
        model=model,
    )
    summary = dict(traj.summary())
    summary.update(
        {
            "vehicle": missile or "burnout-state",
            "shape": shape,
            "earth": earth,
            "rotating_earth": not no_rotation,
            "atmosphere": not no_atmosphere,
        }
    )

    if plot is not None:
        from hoplon.report.trajectory import plot_trajectory

        plot_trajectory(traj, plot)
        summary["plot"] = str(plot)
    if csv is not None:
        traj.to_csv(csv)
        summary["csv"] = str(csv)
    if parquet is not None:
        traj.to_parquet(parquet)
        summary["parquet"] = str(parquet)

    if as_json:
        from hoplon.cli._output import print_json

        print_json(summary)
        return
    from hoplon.cli._output import print_table

    rows = [
        (label, fmt(summary[key]))
        for key, label, fmt in _ROWS
        if summary.get(key) is not None and math.isfinite(summary[key])
    ]
    model_text = (
        f"{earth}, {'rotating' if not no_rotation else 'non-rotating'}, "
        f"{'atmosphere' if not no_atmosphere else 'vacuum'}"
    )
    print_table(f"Trajectory: {summary['vehicle']} ({model_text})", rows)
    for key in ("plot", "csv", "parquet"):
        if key in summary:
            typer.echo(f"wrote {summary[key]}")


def _print_catalogue(as_json: bool) -> None:
    from hoplon.threats.catalogue import list_missiles

    names = list(list_missiles())
    if as_json:
        from hoplon.cli._output import print_json

        print_json({"missiles": names})
    else:
        for name in names:
            typer.echo(name)
