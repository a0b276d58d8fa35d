"""``hoplon report DIR``: one self-contained HTML report (and PNGs) of a run or campaign."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    """Add ``hoplon report`` to ``app``."""
    app.command("report")(report)


def report(
    directory: Path = typer.Argument(
        ..., help="Run directory (hoplon run --out), campaign directory, or hoplon demo's."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="HTML file to write (default: DIR/report.html); PNGs go beside it."
    ),
    coverage_alt: str = typer.Option(
        "100km", "--coverage-alt", help="Target altitude of the radar coverage drawn on the map."
    ),
    coverage_rcs: float = typer.Option(
        0.1, "--coverage-rcs", help="Target RCS [m²] of the radar coverage drawn on the map."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the files and headline as JSON."),
) -> None:
    """Write an offline HTML report: map, timeline, tables, campaign statistics with CIs."""
    from hoplon.errors import InputError
    from hoplon.report.html import report_dir
    from hoplon.units import parse_quantity

    alt_m = parse_quantity(coverage_alt, "length", field="--coverage-alt", default_unit="m")
    if not coverage_rcs > 0:
        raise InputError("--coverage-rcs", f"{coverage_rcs:g} is not positive", "an RCS > 0 m²")
    files = report_dir(
        directory, out, coverage_altitude_m=alt_m, coverage_rcs_m2=float(coverage_rcs)
    )
    if as_json:
        from hoplon.cli._output import print_json

        print_json(
            {
                "html": str(files.html),
                "pngs": [str(p) for p in files.pngs],
                **files.headline,
            }
        )
        return
    print_headline(files.headline)
    typer.echo(f"wrote {files.html}")
    for p in files.pngs:
        typer.echo(f"wrote {p}")


def _ci(ci: object, digits: int) -> str:
    if isinstance(ci, list | tuple) and len(ci) == 2 and None not in ci:
        return f" [{ci[0]:.{digits}f}, {ci[1]:.{digits}f}]"
    return ""


def print_headline(h: dict) -> None:
    """Print the headline figures of a report as a rich table."""
    from hoplon.cli._output import print_table

    rows: list[tuple[str, str]] = []
    if h.get("kind") == "campaign":
        rows.append(("trials", str(h.get("trials"))))
        if h.get("p_no_leak") is not None:
            rows.append(
                ("p(no leaker), 95% CI", f"{h['p_no_leak']:.3f}{_ci(h.get('p_no_leak_ci'), 3)}")
            )
        if h.get("mean_leakers") is not None:
            rows.append(
                (
                    "expected leakers, 95% CI",
                    f"{h['mean_leakers']:.2f}{_ci(h.get('mean_leakers_ci'), 2)}",
                )
            )
        if h.get("mean_interceptors") is not None:
            rows.append(
                (
                    "interceptors per raid, 95% CI",
                    f"{h['mean_interceptors']:.1f}{_ci(h.get('mean_interceptors_ci'), 1)}",
                )
            )
        cmp_ = h.get("comparison") or {}
        base = cmp_.get("baseline", "baseline")
        if cmp_.get("p_no_leak_gain"):
            v, lo, hi = cmp_["p_no_leak_gain"]
            rows.append((f"p(no leaker) gain vs {base}", f"{v:+.3f} [{lo:+.3f}, {hi:+.3f}]"))
        if cmp_.get("leakers_reduction"):
            v, lo, hi = cmp_["leakers_reduction"]
            rows.append((f"leakers avoided vs {base}", f"{v:+.2f} [{lo:+.2f}, {hi:+.2f}]"))
    else:
        for key in ("threats", "intercepted", "leakers", "interceptors_fired", "value_lost"):
            if h.get(key) is not None:
                rows.append((key.replace("_", " "), f"{h[key]:g}"))
    title = str(h.get("scenario", "report"))
    if h.get("kind") == "run":
        title += f" (seed {h.get('seed')})"
    print_table(title, rows)
