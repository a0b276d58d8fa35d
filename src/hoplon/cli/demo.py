"""``hoplon demo``: the packaged coalition scenario as a campaign, with an HTML report.

Runs ``two_partner`` (Blue and Green sharing tracks against a mixed Red raid) for
``--trials`` seeded trials, and the same architecture without sharing on the same seeds to
show what cooperation is worth; writes one example run, the campaigns (when pyarrow is
installed) and ``report.html`` into ``--out``; prints the headline figures.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import typer

#: Trials per variant by default: 2 x 32 trials run in lockstep blocks take ~23 s on 2 cores
#: once numba's cache is warm (the first run after installing also compiles, ~1 min).
DEFAULT_TRIALS = 32
SCENARIO = "two_partner"


def register(app: typer.Typer) -> None:
    """Add ``hoplon demo`` to ``app``."""
    app.command("demo")(demo)


def _has_pyarrow() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def demo(
    trials: int = typer.Option(
        DEFAULT_TRIALS, "--trials", help="Monte Carlo trials per variant (shared, national)."
    ),
    workers: int | None = typer.Option(
        None, "--workers", help="Worker processes (default: every CPU; 1 runs in this process)."
    ),
    out: Path = typer.Option(Path("hoplon-demo"), "--out", help="Directory for the report."),
    seed: int = typer.Option(0, "--seed", help="Root seed of the campaign."),
    compare: bool = typer.Option(
        True, "--compare/--no-compare", help="Also run without track sharing (same seeds)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the headline figures as JSON."),
) -> None:
    """Run the two-partner coalition scenario as a campaign and write an HTML report."""
    from hoplon.errors import InputError

    if trials < 1:
        raise InputError("--trials", f"{trials} is not positive", "an integer >= 1")
    if workers is not None and workers < 0:
        raise InputError("--workers", f"{workers} is negative", "an integer >= 0")
    if seed < 0:
        raise InputError("--seed", f"{seed} is negative", "an integer >= 0")

    from hoplon.analysis.campaign import run_campaign
    from hoplon.report.html import CampaignData, RunData, comparison_from, write_report
    from hoplon.scenario import load
    from hoplon.scenario.loader import resolve
    from hoplon.sim import run as run_scenario

    t0 = time.perf_counter()
    path = resolve(SCENARIO)
    spec = load(path)
    out.mkdir(parents=True, exist_ok=True)
    parquet = _has_pyarrow()
    progress = not as_json

    def say(msg: str) -> None:
        if not as_json:
            typer.echo(msg)

    say(f"hoplon demo: {spec.name}, {trials} trials per variant")
    say("  example run (seed 0) for the map and timeline ...")
    result = run_scenario(spec, seed=seed)
    example = RunData.from_result(result, spec)
    if parquet:
        ex_dir = out / "example"
        result.write(ex_dir)
        shutil.copyfile(path, ex_dir / "scenario.yaml")

    comparison = None
    if compare:
        from hoplon.analysis.compare import compare as run_compare

        say("  campaigns: shared tracks, then national (no sharing), on the same seeds ...")
        cmp_ = run_compare(
            spec,
            ("shared", "national"),
            trials=trials,
            seed=seed,
            workers=workers,
            out_dir=(out / "campaign") if parquet else None,
            progress=progress,
        )
        camp, stats = cmp_.campaigns[0], cmp_.summaries[0]
        comparison = comparison_from("national (no sharing)", cmp_.summaries[1], cmp_.differences)
    else:
        say("  campaign ...")
        camp = run_campaign(
            spec,
            trials,
            seed=seed,
            workers=workers,
            out_dir=(out / "campaign" / "shared") if parquet else None,
            progress=progress,
        )
        stats = camp.summary()
    data = CampaignData(
        name=spec.name,
        trials=camp.trials,
        stats=stats,
        meta={"scenario file": SCENARIO, "root seed": seed, "trials": trials},
        example=example,
        comparison=comparison,
        spec=spec,
    )
    files = write_report(out / "report.html", campaign=data)
    wall = time.perf_counter() - t0
    if as_json:
        from hoplon.cli._output import print_json

        print_json(
            {
                "html": str(files.html),
                "pngs": [str(p) for p in files.pngs],
                "wall_s": wall,
                **files.headline,
            }
        )
        return
    from hoplon.cli.report import print_headline

    print_headline(files.headline)
    typer.echo(f"report: {files.html.resolve()}  ({wall:.0f} s)")
    typer.echo("open it in a browser; it works offline. PNGs for papers are beside it.")
