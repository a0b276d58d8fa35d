"""``hoplon node``: run one partner of a scenario as its own process, linked to the other."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    """Add ``hoplon node`` to ``app``."""
    app.command("node")(node)


def node(
    scenario: str = typer.Argument(..., help="Scenario YAML file or packaged example name."),
    partner: str = typer.Option(..., "--partner", help="The force this node runs, e.g. blue."),
    listen: str | None = typer.Option(
        None, "--listen", help="Wait for the other node here, HOST:PORT (loopback by default)."
    ),
    connect: str | None = typer.Option(
        None, "--connect", help="Connect to the other node at HOST:PORT."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed; both nodes must use the same one."),
    period: str = typer.Option("1s", "--period", help="Simulated time between exchanges."),
    timeout: str = typer.Option("60s", "--timeout", help="Wall time to wait for the partner."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    out: Path | None = typer.Option(None, "--out", help="Write this node's run directory."),
) -> None:
    """Run one partner's sensors, tracker, command and batteries; share tracks over TCP.

    Start the two nodes of a two-partner scenario with the same scenario and seed, one with
    ``--listen`` and one with ``--connect``; each sends the other what its sharing policy
    allows, so one partner's radar can cue the other's battery across processes.
    """
    from hoplon.scenario import load
    from hoplon.sim import Engine, compile_world
    from hoplon.sim.partner import PartnerLink, parse_address
    from hoplon.units import parse_quantity

    link = PartnerLink(
        listen=parse_address(listen, "--listen") if listen else None,
        connect=parse_address(connect, "--connect") if connect else None,
        period_s=parse_quantity(period, "time", field="--period", default_unit="s"),
        timeout_s=parse_quantity(timeout, "time", field="--timeout", default_unit="s"),
    )
    spec = load(scenario)
    world = compile_world(spec)
    result = Engine(world, seed, local_forces=[partner], link=link).run()
    summary = {
        "scenario": result.scenario,
        "partner": partner,
        "seed": seed,
        **result.summary,
        "exchanges": link.sent,
    }
    if out is not None:
        result.write(out)
    if as_json:
        from hoplon.cli._output import print_json

        print_json(summary)
        return
    from hoplon.cli._output import print_table

    print_table(
        f"{result.scenario}: node {partner} (seed {seed})",
        [
            ("threats", str(summary["threats"])),
            ("intercepted (by anyone)", str(summary["intercepted"])),
            ("leaked", str(summary["leakers"])),
            (f"interceptors fired by {partner}", str(summary["interceptors_by_force"][partner])),
            ("  on partner tracks", str(summary["interceptors_on_remote_tracks"])),
            ("exchanges with the partner", str(link.sent)),
        ],
    )
