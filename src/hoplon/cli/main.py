"""Entry point of the ``hoplon`` command.

Each command lives in its own module under ``hoplon.cli`` and exposes ``register(app)``.
Errors a user can cause (:class:`hoplon.errors.InputError`) become one line on stderr and
exit code 2; they never show a traceback.
"""

from __future__ import annotations

import importlib
import sys

import typer
from typer.core import TyperGroup

from hoplon.errors import HoplonError


class _HoplonGroup(TyperGroup):
    """Turns Hoplon's own errors into ``error: ...`` lines and exit status 2, for every
    command, whether run from the console script or from ``typer.testing.CliRunner``."""

    def invoke(self, ctx):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except HoplonError as exc:
            for line in str(exc).splitlines() or [type(exc).__name__]:
                typer.echo(f"error: {line}", err=True)
            raise typer.Exit(2) from None


app = typer.Typer(
    cls=_HoplonGroup,
    name="hoplon",
    help="Hoplon: open simulation and analysis of cooperative missile defence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: Modules of ``hoplon.cli`` that each register one or more commands.
COMMAND_MODULES = (
    "trajectory",
    "atmosphere",
    "detect",
    "coverage",
    "validate",
    "run",
    "node",
    "campaign",
    "footprint",
    "report",
    "demo",
    "export",
    "view",
    "dis",
)

for _name in COMMAND_MODULES:
    importlib.import_module(f"hoplon.cli.{_name}").register(app)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
) -> None:
    """Hoplon: open simulation and analysis of cooperative missile defence."""
    if version:
        from hoplon import __version__

        typer.echo(__version__)
        raise typer.Exit(0)


def fail(message: str) -> None:
    """Print ``error: message`` on stderr and exit with status 2."""
    typer.echo(f"error: {message}", err=True)
    raise SystemExit(2)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; turn Hoplon's own errors into one-line messages with exit code 2."""
    try:
        app(args=argv, prog_name="hoplon", standalone_mode=True)
    except HoplonError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main()
