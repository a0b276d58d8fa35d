"""``hoplon view RUN_DIR``: replay a run on a 3-D globe in the browser (CesiumJS, offline)."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    """Add ``hoplon view`` to ``app``."""
    app.command("view")(view)


def view(
    run_dir: Path | None = typer.Argument(
        None, help="Run directory written by `hoplon run SCENARIO --out DIR`."
    ),
    port: int = typer.Option(8765, "--port", help="TCP port of the viewer (0: any free port)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to serve on (loopback)."),
    no_browser: bool = typer.Option(False, "--no-browser", help="Do not open a browser tab."),
    setup: bool = typer.Option(
        False,
        "--setup",
        help="Install the Cesium build with npm (into $HOPLON_CESIUM_DIR or "
        "~/.cache/hoplon/cesium) and exit when no RUN_DIR is given.",
    ),
) -> None:
    """Serve a run as CZML on an offline CesiumJS globe, with a timeline and event list."""
    from hoplon.errors import HoplonError, InputError

    try:
        from hoplon.viewer.app import _require_fastapi
        from hoplon.viewer.cesium import find_cesium_build, setup_cesium

        if not 0 <= port <= 65535:
            raise InputError("--port", f"{port} is out of range", "0 to 65535")
        if run_dir is not None:
            _require_fastapi()
            from hoplon.interop.rundir import read_run_tables

            read_run_tables(run_dir)  # fail early, before any npm work
        if setup or find_cesium_build() is None:
            typer.echo("installing Cesium with npm ...", err=True)
            build = setup_cesium()
            typer.echo(f"Cesium build: {build}", err=True)
        if run_dir is None:
            if not setup:
                raise InputError("RUN_DIR", "missing", "a run directory, or --setup alone")
            return
        from hoplon.viewer.server import serve

        serve(run_dir, host=host, port=port, open_browser=not no_browser)
    except HoplonError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
