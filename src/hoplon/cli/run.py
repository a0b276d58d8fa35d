"""``hoplon run SCENARIO --seed N``: one run of a scenario, summarised."""

from __future__ import annotations

import shutil
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    """Add ``hoplon run`` to ``app``."""
    app.command("run")(run)


#: Events shown in the printed timeline.
_TIMELINE_EVENTS = (
    "threat_launch",
    "launch_warning",
    "first_detection",
    "interceptor_launch",
    "intercept_kill",
    "intercept_miss",
    "impact",
)


def run(
    scenario: str = typer.Argument(..., help="Scenario YAML file or packaged example name."),
    seed: int = typer.Option(0, "--seed", help="Seed of the run (same seed, same result)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    out: Path | None = typer.Option(
        None, "--out", help="Write the event tables (Parquet), summary and timeline plot here."
    ),
    timeline: bool = typer.Option(True, "--timeline/--no-timeline", help="Print the timeline."),
) -> None:
    """Run a scenario once: threats, intercepts, leakers, interceptors fired, assets."""
    if seed < 0:
        from hoplon.errors import InputError

        raise InputError("--seed", f"{seed} is negative", "an integer >= 0")
    from hoplon.scenario import load
    from hoplon.scenario.loader import resolve
    from hoplon.sim import run as run_scenario

    path = resolve(scenario)
    spec = load(path)
    result = run_scenario(spec, seed=seed)
    written: list[str] = []
    if out is not None:
        from hoplon.report.timeline import plot_timeline

        written = [str(p) for p in result.write(out)]
        shutil.copyfile(path, out / "scenario.yaml")
        written.append(str(out / "scenario.yaml"))
        written.append(str(plot_timeline(result, out / "timeline.png")))
    if as_json:
        from hoplon.cli._output import print_json

        print_json(
            {
                "scenario": result.scenario,
                "seed": seed,
                **result.summary,
                "assets": result.assets.to_dict(orient="records"),
                **({"files": written} if written else {}),
            }
        )
        return
    _print_summary(result)
    if timeline:
        _print_timeline(result)
    for p in written:
        typer.echo(f"wrote {p}")


def _print_summary(result: object) -> None:
    from rich.console import Console
    from rich.table import Table

    s = result.summary  # type: ignore[attr-defined]
    console = Console()
    table = Table(title=f"{result.scenario} (seed {result.seed})")  # type: ignore[attr-defined]
    table.add_column("quantity")
    table.add_column("value", justify="right")
    table.add_row("threats", str(s["threats"]))
    table.add_row("intercepted", str(s["intercepted"]))
    table.add_row("leaked", str(s["leakers"]))
    if s.get("in_flight_at_end"):
        table.add_row("still in flight at the end", str(s["in_flight_at_end"]))
    table.add_row("interceptors fired", str(s["interceptors_fired"]))
    for name, n in s["interceptors_by_force"].items():
        table.add_row(f"  by {name}", str(n))
    for name, n in s["interceptors_by_battery"].items():
        table.add_row(f"  by battery {name}", str(n))
    table.add_row("  on partner (remote) tracks", str(s["interceptors_on_remote_tracks"]))
    console.print(table)
    assets = Table(title="defended assets")
    for col in ("asset", "owner", "value", "leakers hitting it", "outcome"):
        assets.add_column(col)
    for a in result.assets.itertuples():  # type: ignore[attr-defined]
        assets.add_row(
            a.asset,
            a.owner,
            f"{a.value:g}",
            str(a.leakers_hit),
            "survived" if a.survived else "[red]hit[/red]",
        )
    console.print(assets)


def _print_timeline(result: object) -> None:
    from rich.console import Console
    from rich.table import Table

    ev = result.events  # type: ignore[attr-defined]
    ev = ev[ev.event.isin(_TIMELINE_EVENTS)]
    table = Table(title="timeline")
    for col in ("time", "event", "force", "battery / sensor", "threat", "detail"):
        table.add_column(col)
    for r in ev.itertuples():
        minutes, seconds = divmod(r.time_s, 60.0)
        who = (
            r.battery
            if isinstance(r.battery, str)
            else (r.sensor if isinstance(r.sensor, str) else "")
        )
        threat = "" if r.threat != r.threat or r.threat is None else str(int(r.threat))
        table.add_row(
            f"{int(minutes):02d}:{seconds:04.1f}",
            r.event.replace("_", " "),
            r.force if isinstance(r.force, str) else "",
            who,
            threat,
            r.detail if isinstance(r.detail, str) else "",
        )
    Console().print(table)
