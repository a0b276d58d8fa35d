"""``hoplon atmosphere``: the U.S. Standard Atmosphere 1976 at one altitude."""

from __future__ import annotations

import typer


def atmosphere(
    alt: str = typer.Argument(
        ...,
        metavar="ALT",
        help='Geometric altitude with a unit ("30km", "100000m", "-2km"); bare number: metres.',
    ),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Temperature, pressure, density and speed of sound of the 1976 standard atmosphere."""
    from hoplon.cli._output import print_json, print_table
    from hoplon.earth.atmosphere import ALT_MAX_M, ALT_MIN_M, us76
    from hoplon.errors import InputError
    from hoplon.units import parse_quantity

    try:
        alt_m = parse_quantity(alt, "length", field="ALT", default_unit="m")
        if not ALT_MIN_M <= alt_m <= ALT_MAX_M:
            raise InputError(
                "ALT",
                f"altitude {alt_m:g} m is outside the standard atmosphere",
                f"{ALT_MIN_M / 1e3:g} km to {ALT_MAX_M / 1e3:g} km",
            )
    except InputError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None

    state = us76(alt_m)
    data = {
        "altitude_m": alt_m,
        "temperature_k": float(state.temperature_k),
        "pressure_pa": float(state.pressure_pa),
        "density_kg_m3": float(state.density_kg_m3),
        "speed_of_sound_mps": float(state.speed_of_sound_mps),
    }
    if json_out:
        print_json(data)
        return
    print_table(
        "U.S. Standard Atmosphere 1976",
        [
            ("altitude", f"{alt_m / 1e3:,.3f} km"),
            ("temperature", f"{data['temperature_k']:.3f} K"),
            ("pressure", f"{data['pressure_pa']:.5e} Pa"),
            ("density", f"{data['density_kg_m3']:.5e} kg/m^3"),
            ("speed of sound", f"{data['speed_of_sound_mps']:.2f} m/s"),
        ],
    )


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    # ignore_unknown_options lets a negative altitude ("-2km") be read as ALT, not an option.
    app.command("atmosphere", context_settings={"ignore_unknown_options": True})(atmosphere)
