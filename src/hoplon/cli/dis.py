"""``hoplon dis``: DIS (IEEE 1278.1) network tools. ``listen``: what is on the wire;
``stream``: send a run (or a scenario, run first) as DIS PDUs."""

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


def parse_rate(text: str) -> str | float:
    """``realtime``, ``asap`` or a speed-up ``xN`` / ``Nx`` / ``N`` (N > 0) for ``send_pdus``."""
    from hoplon.errors import InputError

    key = text.strip().lower()
    if key in ("realtime", "asap"):
        return key
    number = key.removeprefix("x").removesuffix("x")
    allowed = "realtime, asap or xN (N simulated seconds per second, e.g. x10)"
    try:
        factor = float(number)
    except ValueError:
        raise InputError("--rate", f"cannot read {text!r}", allowed) from None
    if not (factor > 0 and factor < float("inf")):
        raise InputError("--rate", f"{text!r} is not a positive speed-up", allowed)
    return factor


@dis_app.command("stream")
def stream_command(
    source: str = typer.Argument(
        ...,
        metavar="SCENARIO_OR_RUN_DIR",
        help="A run directory (hoplon run --out DIR), or a scenario file / example name to run.",
    ),
    seed: int = typer.Option(0, "--seed", help="Seed when a scenario is run first."),
    address: str = typer.Option(
        "127.0.0.1:3000", "--address", help="HOST:PORT to send to (loopback by default)."
    ),
    rate: str = typer.Option(
        "realtime", "--rate", help="realtime, asap, or xN (N simulated seconds per second)."
    ),
    multicast: bool = typer.Option(
        False, "--multicast", help="Allow a multicast group address (TTL 1)."
    ),
    interval: str = typer.Option(
        "1s", "--interval", help="Entity State PDU interval in simulated time."
    ),
    exercise: int = typer.Option(1, "--exercise", help="DIS exercise id (1-255)."),
    json_out: bool = typer.Option(False, "--json", help="Print a JSON summary."),
) -> None:
    """Send a run as DIS PDUs: Entity State for every entity, Fire and Detonation events."""
    from hoplon.errors import HoplonError

    try:
        _stream(source, seed, address, rate, multicast, interval, exercise, json_out)
    except HoplonError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def _stream(
    source: str,
    seed: int,
    address: str,
    rate: str,
    multicast: bool,
    interval: str,
    exercise: int,
    json_out: bool,
) -> None:
    import ipaddress
    import time
    from pathlib import Path

    from hoplon.errors import InputError
    from hoplon.interop.net import parse_address, send_pdus
    from hoplon.interop.rundir import load_result, load_run
    from hoplon.interop.stream import pdus_from_entities
    from hoplon.units import parse_quantity

    if seed < 0:
        raise InputError("--seed", f"{seed} is negative", "an integer >= 0")
    host_port = parse_address(address, "--address")
    pace = parse_rate(rate)
    dt_s = parse_quantity(interval, "time", field="--interval", default_unit="s")
    if not dt_s > 0:
        raise InputError("--interval", f"{interval!r} is not positive", "a duration > 0")
    if not 1 <= exercise <= 255:
        raise InputError("--exercise", f"{exercise} is out of range", "1 to 255")

    if ipaddress.IPv4Address(host_port[0]).is_multicast and not multicast:
        raise InputError(
            "--address", f"{host_port[0]} is a multicast group", "add --multicast to send to it"
        )
    if multicast and not ipaddress.IPv4Address(host_port[0]).is_multicast:
        raise InputError(
            "--address", f"{host_port[0]} is not a multicast group", "224.0.0.0 to 239.255.255.255"
        )

    path = Path(source)
    if path.is_dir():
        entities, events, _epoch = load_run(path)
        origin = str(path)
    else:
        from hoplon.scenario import load
        from hoplon.sim import run as run_scenario

        spec = load(source)
        if not json_out:
            typer.echo(f"running {spec.name} (seed {seed}) ...", err=True)
        entities, events = load_result(run_scenario(spec, seed=seed), spec)
        origin = f"{source} (seed {seed})"
    pdus = pdus_from_entities(entities, events, exercise_id=exercise, dt=dt_s)
    if not json_out:
        span = (pdus[-1].time_s - pdus[0].time_s) if pdus else 0.0
        typer.echo(
            f"streaming {len(pdus)} PDUs ({span:,.0f} s simulated) of {origin} "
            f"to {host_port[0]}:{host_port[1]} at {rate}",
            err=True,
        )
    t0 = time.monotonic()
    try:
        sent = send_pdus(pdus, host_port, rate=pace, multicast=multicast)
    except KeyboardInterrupt:  # pragma: no cover - interactive
        raise typer.Exit(130) from None
    except OSError as exc:
        raise InputError("--address", f"cannot send to {address}: {exc}") from None
    wall = time.monotonic() - t0
    summary = {
        "source": origin,
        "address": f"{host_port[0]}:{host_port[1]}",
        "rate": rate,
        "entities": len(entities),
        "events": len(events),
        "pdus": len(pdus),
        "sent": sent,
        "wall_s": wall,
    }
    if json_out:
        from hoplon.cli._output import print_json

        print_json(summary)
        return
    typer.echo(
        f"sent {sent} datagrams ({len(entities)} entities, {len(events)} events) in {wall:.1f} s"
    )


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
