"""``hoplon export czml|kml RUN_DIR``: a run directory as CZML (Cesium) or KML (Google Earth)."""

from __future__ import annotations

from pathlib import Path

import typer

export_app = typer.Typer(
    name="export",
    help="Export a run directory (hoplon run --out DIR) for other tools.",
    no_args_is_help=True,
    add_completion=False,
)

_RUN_DIR_HELP = "Run directory written by `hoplon run SCENARIO --out DIR`."


def _export(run_dir: Path, out: Path | None, fmt: str, as_json: bool) -> None:
    from hoplon.errors import HoplonError

    try:
        _write(run_dir, out, fmt, as_json)
    except HoplonError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def _write(run_dir: Path, out: Path | None, fmt: str, as_json: bool) -> None:
    from hoplon.interop.rundir import load_run

    entities, events, epoch = load_run(run_dir)
    path = out if out is not None else run_dir / f"run.{fmt}"
    name = f"Hoplon run {run_dir.name}"
    try:
        import yaml

        name = yaml.safe_load((run_dir / "scenario.yaml").read_text()).get("name", name)
    except Exception:  # pragma: no cover - the name is cosmetic
        pass
    if fmt == "czml":
        from hoplon.interop.czml import write_czml

        write_czml(entities, events, path, epoch, name=name)
    else:
        from hoplon.interop.kml import write_kml

        write_kml(entities, events, path, epoch, name=name)
    if as_json:
        from hoplon.cli._output import print_json

        print_json(
            {"file": str(path), "format": fmt, "entities": len(entities), "events": len(events)}
        )
        return
    typer.echo(f"wrote {path} ({len(entities)} entities, {len(events)} events)")


@export_app.command("czml")
def czml_command(
    run_dir: Path = typer.Argument(..., help=_RUN_DIR_HELP),
    out: Path | None = typer.Option(None, "--out", help="Output file (default RUN_DIR/run.czml)."),
    as_json: bool = typer.Option(False, "--json", help="Print what was written as JSON."),
) -> None:
    """Write the run as a CZML document for CesiumJS (entities with paths, events)."""
    _export(run_dir, out, "czml", as_json)


@export_app.command("kml")
def kml_command(
    run_dir: Path = typer.Argument(..., help=_RUN_DIR_HELP),
    out: Path | None = typer.Option(None, "--out", help="Output file (default RUN_DIR/run.kml)."),
    as_json: bool = typer.Option(False, "--json", help="Print what was written as JSON."),
) -> None:
    """Write the run as KML 2.2 for Google Earth (gx:Track per entity, events as points)."""
    _export(run_dir, out, "kml", as_json)


def register(app: typer.Typer) -> None:
    """Add the ``export`` command group to ``app``."""
    app.add_typer(export_app, name="export")
