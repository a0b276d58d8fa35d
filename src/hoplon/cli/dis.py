"""``hoplon dis``: DIS (IEEE 1278.1) network tools. ``listen``: what is on the wire."""

from __future__ import annotations

import typer

dis_app = typer.Typer(
    name="dis",
    help="DIS (IEEE 1278.1-2012) network tools.",
    no_args_is_help=True,
    add_completion=False,
)


@dis_app.command("listen")
def listen_command(
    address: str = typer.Option(
        "127.0.0.1:3000",
        "--address",
        help="HOST:PORT to listen on (a multicast group address is joined).",
    ),
    duration: str = typer.Option(
        "10s", "--duration", help='How long to listen ("10s", "2min"); bare number: seconds.'
    ),
    max_packets: int | None = typer.Option(
        None, "--max-packets", help="Stop after this many datagrams."
    ),
    record: str | None = typer.Option(
        None, "--record", help="Also write every received datagram to this pcap file."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
) -> None:
    """Listen for DIS PDUs; print the entities seen and counters (malformed by reason)."""
    from hoplon.errors import InputError
    from hoplon.interop.net import listen, parse_address
    from hoplon.units import parse_quantity

    try:
        host_port = parse_address(address, "--address")
        duration_s = parse_quantity(duration, "time", field="--duration", default_unit="s")
        if duration_s < 0:
            raise InputError("--duration", f"{duration!r} is negative", "a duration >= 0")
        if max_packets is not None and max_packets < 1:
            raise InputError("--max-packets", f"{max_packets} is below 1", "an integer >= 1")
        report = listen(host_port, duration_s, max_packets, record=record)
    except InputError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:  # pragma: no cover - interactive
        raise typer.Exit(130) from None

    data = report.to_dict()
    if json_out:
        from hoplon.cli._output import print_json

        print_json(data)
        return
    _print_tables(data)


def _print_tables(data: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    from hoplon.cli._output import print_table
    from hoplon.earth.frames import ecef_to_geodetic

    console = Console()
    table = Table(title=f"DIS entities on {data['address']}", header_style="bold")
    for col in ("entity", "marking", "force", "type", "lat", "lon", "alt", "speed", "updates"):
        table.add_column(col, justify="left" if col in ("entity", "marking", "type") else "right")
    for e in data["entities"]:
        lat, lon, alt = (float(v) for v in ecef_to_geodetic([e["x_m"], e["y_m"], e["z_m"]]))
        table.add_row(
            e["entity_id"],
            e["marking"],
            str(e["force_id"]),
            e["entity_type"],
            f"{lat * 57.29577951308232:.4f}°",
            f"{lon * 57.29577951308232:.4f}°",
            f"{alt / 1e3:,.2f} km",
            f"{e['speed_mps']:,.0f} m/s",
            str(e["updates"]),
        )
    console.print(table)
    rows = [
        ("listened", f"{data['duration_s']:.2f} s"),
        ("datagrams", str(data["datagrams"])),
        ("bytes", f"{data['bytes']:,}"),
    ]
    rows += [(f"PDUs: {name}", str(n)) for name, n in sorted(data["pdus"].items())]
    rows += [(f"malformed: {reason}", str(n)) for reason, n in data["malformed"].items()]
    if data["recorded"]:
        rows.append(("recorded to", data["recorded"]))
    print_table("DIS counters", rows)


def register(app: typer.Typer) -> None:
    """Add the ``dis`` command group to ``app``."""
    app.add_typer(dis_app, name="dis")
