"""``hoplon validate FILE``: report every problem in a scenario file at once."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    """Add ``hoplon validate`` to ``app``."""
    app.command("validate")(validate)


def validate(
    scenario: Path = typer.Argument(..., help="Scenario YAML file (or a packaged example name)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Check a scenario file: schema, units and cross references, all problems at once."""
    from hoplon.scenario import FileProblems, load

    try:
        spec = load(scenario)
    except FileProblems as exc:
        if as_json:
            from hoplon.cli._output import print_json

            print_json({"file": str(scenario), "valid": False, "problems": exc.problems})
        else:
            for problem in exc.problems:
                typer.echo(problem, err=True)
            typer.echo(f"{len(exc.problems)} problem(s) in {scenario}", err=True)
        raise typer.Exit(2) from None
    summary = {
        "file": str(scenario),
        "valid": True,
        "name": spec.name,
        "forces": len(spec.forces),
        "assets": len(spec.assets),
        "sensors": len(spec.sensors),
        "batteries": len(spec.batteries),
        "threats": sum(r.count for r in spec.threats),
    }
    if as_json:
        from hoplon.cli._output import print_json

        print_json(summary)
    else:
        typer.echo(
            f"{scenario}: valid ({summary['forces']} forces, {summary['sensors']} sensors, "
            f"{summary['batteries']} batteries, {summary['threats']} threats)"
        )
