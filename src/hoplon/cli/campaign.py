"""``hoplon campaign``, ``hoplon sweep`` and ``hoplon compare``: Monte Carlo analysis.

``campaign`` runs N seeded trials (local processes, or a Dask cluster with ``--scheduler``)
and prints the statistics with confidence intervals; ``sweep`` repeats that for each value
of one dotted scenario path; ``compare`` measures the cooperation value (shared versus
national tracks, or any two scenario files) with paired confidence intervals.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer


def register(app: typer.Typer) -> None:
    """Add ``campaign``, ``sweep`` and ``compare`` to ``app``."""
    app.command("campaign")(campaign)
    app.command("sweep")(sweep)
    app.command("compare")(compare)


_SCENARIO = typer.Argument(..., help="Scenario YAML file or packaged example name.")
_TRIALS = typer.Option(100, "--trials", "-n", help="Monte Carlo trials.")
_SEED = typer.Option(0, "--seed", help="Root seed (trial seeds come from its SeedSequence).")
_WORKERS = typer.Option(
    None, "--workers", help="Local worker processes (default: every CPU; 1: this process)."
)
_SCHEDULER = typer.Option(
    None, "--scheduler", help="Run on this Dask scheduler (tcp://HOST:PORT); needs hoplon[dask]."
)
_SET = typer.Option(
    None, "--set", help="Override a scenario value: PATH=VALUE (dotted path), repeatable."
)
_CONFIDENCE = typer.Option(0.95, "--confidence", help="Confidence level of the intervals.")
_PROGRESS = typer.Option(True, "--progress/--no-progress", help="Show a progress bar.")


def _load(scenario: str, sets: list[str] | None) -> Any:
    from hoplon.analysis.sweep import with_overrides
    from hoplon.scenario import load

    spec = load(scenario)
    return with_overrides(spec, _overrides(sets)) if sets else spec


def _overrides(sets: list[str] | None) -> dict[str, Any]:
    from hoplon.analysis.sweep import parse_assignment

    return dict(parse_assignment(s) for s in sets or [])


def _check(trials: int, confidence: float) -> None:
    from hoplon.errors import InputError

    if trials < 1:
        raise InputError("--trials", f"{trials} is not positive", "an integer >= 1")
    if not 0.0 < confidence < 1.0:
        raise InputError("--confidence", f"{confidence} is not in (0, 1)", "e.g. 0.95")


def _ci(value: float, ci: list[float], fmt: str = "{:.3f}") -> str:
    import math

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    lo, hi = ci
    if lo is None or (isinstance(lo, float) and math.isnan(lo)):
        return fmt.format(value)
    return f"{fmt.format(value)}  [{fmt.format(lo)}, {fmt.format(hi)}]"


# ----------------------------------------------------------------------------- campaign


def campaign(
    scenario: str = _SCENARIO,
    trials: int = _TRIALS,
    seed: int = _SEED,
    workers: int | None = _WORKERS,
    scheduler: str | None = _SCHEDULER,
    out: Path | None = typer.Option(
        None, "--out", help="Write campaign.json and the finished trials (Parquet) here."
    ),
    resume: bool = typer.Option(
        False, "--resume", help="Continue the campaign in --out without redoing trials."
    ),
    sets: list[str] | None = _SET,
    confidence: float = _CONFIDENCE,
    as_json: bool = typer.Option(False, "--json", help="Print the statistics as JSON."),
    progress: bool = _PROGRESS,
    lanes: int | None = typer.Option(
        None,
        "--lanes",
        help=(
            "Trials a worker runs together in lockstep (default 128, about 0.7 GB a worker;"
            " fewer use less memory; same numbers for any)."
        ),
    ),
) -> None:
    """Run N Monte Carlo trials of a scenario: leakers, interceptors, survival, with CIs."""
    from hoplon.analysis.campaign import run_campaign

    _check(trials, confidence)
    spec = _load(scenario, sets)
    camp = run_campaign(
        spec,
        trials,
        seed=seed,
        workers=workers,
        scheduler=scheduler,
        out_dir=out,
        resume=resume,
        progress=progress,
        lanes=lanes,
    )
    summary = camp.summary(confidence)
    info = {
        "scenario": spec.name,
        "seed": seed,
        "backend": camp.backend,
        "workers": camp.workers,
        "ran_this_call": camp.ran_this_call,
        "wall_s": camp.wall_s,
        "trials_per_s": camp.trials_per_s,
        **({"out": str(out)} if out is not None else {}),
    }
    if as_json:
        from hoplon.cli._output import print_json

        print_json({**summary, **info})
        return
    _print_summary(f"{spec.name}: {summary['trials']} trials (seed {seed})", summary)
    typer.echo(
        f"{camp.ran_this_call} trials run now on {camp.backend} ({camp.workers} workers) in "
        f"{camp.wall_s:.1f} s ({camp.trials_per_s:.2f} trials/s)"
    )
    if out is not None:
        typer.echo(f"wrote {out}")


def _print_summary(title: str, s: dict[str, Any]) -> None:
    from hoplon.cli._output import print_table

    pct = round(100 * s["confidence"])
    rows = [
        ("trials", str(s["trials"])),
        (f"P(no leaker)  [{pct}% CI]", _ci(s["p_no_leak"], s["p_no_leak_ci"])),
    ]
    for label, key in (
        ("mean leakers", "mean_leakers"),
        ("mean intercepted", "mean_intercepted"),
        ("mean interceptors fired", "mean_interceptors"),
        ("  on partner tracks", "mean_interceptors_on_remote_tracks"),
        ("mean value lost", "mean_value_lost"),
    ):
        if key in s:
            rows.append((label, _ci(s[key], s[f"{key}_ci"], "{:.2f}")))
    for group, label in (
        ("interceptors_by_type", "  type"),
        ("interceptors_by_force", "  force"),
        ("interceptors_by_battery", "  battery"),
    ):
        for name, est in s.get(group, {}).items():
            rows.append((f"{label} {name}", _ci(est["mean"], est["ci"], "{:.2f}")))
    for name, est in s.get("asset_survival", {}).items():
        rows.append((f"P({name} survives)", _ci(est["p"], est["ci"])))
    for name, est in s.get("timing", {}).items():
        label = name.removesuffix("_s").replace("_", " ")
        rows.append((f"{label} time, s (n={est['n']})", _ci(est["mean"], est["ci"], "{:.1f}")))
    print_table(title, rows)


# ----------------------------------------------------------------------------- sweep


def sweep(
    scenario: str = _SCENARIO,
    param: str = typer.Option(..., "--param", help="Dotted scenario path, e.g. threats.0.count."),
    values: str = typer.Option(..., "--values", help="Comma-separated values, e.g. 2,4,8."),
    trials: int = _TRIALS,
    seed: int = _SEED,
    workers: int | None = _WORKERS,
    scheduler: str | None = _SCHEDULER,
    sets: list[str] | None = _SET,
    confidence: float = _CONFIDENCE,
    as_json: bool = typer.Option(False, "--json", help="Print every point as JSON."),
    plot: Path | None = typer.Option(None, "--plot", help="Save a plot (PNG) of the sweep."),
    progress: bool = _PROGRESS,
) -> None:
    """Effectiveness against one parameter: a campaign per value (same seeds each)."""
    from hoplon.analysis.sweep import parse_value
    from hoplon.analysis.sweep import sweep as run_sweep
    from hoplon.errors import InputError

    _check(trials, confidence)
    items = [v.strip() for v in values.split(",") if v.strip()]
    if not items:
        raise InputError("--values", f"{values!r} holds no value", "e.g. 2,4,8")
    spec = _load(scenario, sets)
    res = run_sweep(
        spec,
        param,
        [parse_value(v) for v in items],
        trials,
        seed=seed,
        workers=workers,
        scheduler=scheduler,
        confidence=confidence,
        progress=progress,
    )
    written = str(_plot_sweep(res, plot)) if plot is not None else None
    if as_json:
        from hoplon.cli._output import print_json

        print_json(
            {
                "scenario": spec.name,
                "seed": seed,
                "trials": trials,
                **res.to_dict(),
                **({"plot": written} if written else {}),
            }
        )
        return
    from rich.console import Console
    from rich.table import Table

    pct = round(100 * confidence)
    table = Table(title=f"{spec.name}: sweep of {param} ({trials} trials each, {pct}% CI)")
    for col in (param, "P(no leaker)", "mean leakers", "mean interceptors", "mean value lost"):
        table.add_column(col, justify="right")
    for r in res.table.itertuples():
        table.add_row(
            str(r.value),
            _ci(r.p_no_leak, [r.p_no_leak_lo, r.p_no_leak_hi]),
            _ci(r.mean_leakers, [r.mean_leakers_lo, r.mean_leakers_hi], "{:.2f}"),
            _ci(r.mean_interceptors, [r.mean_interceptors_lo, r.mean_interceptors_hi], "{:.2f}"),
            _ci(r.mean_value_lost, [r.mean_value_lost_lo, r.mean_value_lost_hi], "{:.2f}"),
        )
    Console().print(table)
    if written:
        typer.echo(f"wrote {written}")


def _plot_sweep(res: Any, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    t = res.table
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in res.values)
    x = np.asarray(res.values, dtype=float) if numeric else np.arange(len(res.values))
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    for ax, key, label in (
        (axes[0], "p_no_leak", "P(no leaker)"),
        (axes[1], "mean_interceptors", "interceptors fired (mean)"),
    ):
        y = t[key].to_numpy(dtype=float)
        lo = t[f"{key}_lo"].to_numpy(dtype=float)
        hi = t[f"{key}_hi"].to_numpy(dtype=float)
        err = np.nan_to_num(np.vstack([y - lo, hi - y]), nan=0.0)
        ax.errorbar(x, y, yerr=err, marker="o", capsize=4)
        ax.set_xlabel(res.param)
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        if not numeric:
            ax.set_xticks(x, [str(v) for v in res.values])
    axes[0].set_ylim(-0.02, 1.02)
    axes[1].plot(x, t["mean_leakers"], marker="s", ls="--", label="leakers (mean)")
    axes[1].legend()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


# ----------------------------------------------------------------------------- compare


def compare(
    scenarios: list[str] = typer.Argument(
        ..., help="A scenario (with --variant) or two scenario files to compare."
    ),
    variants: list[str] | None = typer.Option(
        None,
        "--variant",
        help="shared (every force shares all tracks), national (none), or a scenario file; "
        "give two (default: shared and national).",
    ),
    trials: int = _TRIALS,
    seed: int = _SEED,
    workers: int | None = _WORKERS,
    scheduler: str | None = _SCHEDULER,
    out: Path | None = typer.Option(
        None, "--out", help="Store each variant's campaign in DIR/<variant>."
    ),
    resume: bool = typer.Option(False, "--resume", help="Continue the campaigns in --out."),
    sets: list[str] | None = _SET,
    confidence: float = _CONFIDENCE,
    as_json: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
    progress: bool = _PROGRESS,
) -> None:
    """Cooperation value: the paired difference sharing tracks makes (same seeds in both)."""
    from hoplon.analysis.compare import compare as run_compare
    from hoplon.errors import InputError
    from hoplon.scenario import load

    _check(trials, confidence)
    if len(scenarios) > 2:
        raise InputError("SCENARIO", f"{len(scenarios)} given", "one scenario, or two files")
    if len(scenarios) == 2:
        if variants:
            raise InputError("--variant", "not with two scenario files", "one or the other")
        base, chosen = None, list(scenarios)
    else:
        base = load(scenarios[0])
        chosen = list(variants) if variants else ["shared", "national"]
    if len(chosen) != 2:
        raise InputError("--variant", f"{len(chosen)} given", "exactly two variants")
    result = run_compare(
        base,
        chosen,
        trials=trials,
        seed=seed,
        workers=workers,
        scheduler=scheduler,
        out_dir=out,
        resume=resume,
        overrides=_overrides(sets),
        confidence=confidence,
        progress=progress,
    )
    if as_json:
        from hoplon.cli._output import print_json

        print_json({"seed": seed, "trials": trials, **result.to_dict()})
        return
    from rich.console import Console
    from rich.table import Table

    a, b = result.labels
    sa, sb = result.summaries
    pct = round(100 * confidence)
    table = Table(
        title=f"cooperation value: {a} vs {b} ({trials} trials each, same seeds, {pct}% CI)"
    )
    for col in ("quantity", a, b, f"{a} - {b} (paired)"):
        table.add_column(col, justify="right")
    for key, label, fmt in (
        ("p_no_leak", "P(no leaker)", "{:.3f}"),
        ("mean_leakers", "mean leakers", "{:.2f}"),
        ("mean_intercepted", "mean intercepted", "{:.2f}"),
        ("mean_interceptors", "mean interceptors fired", "{:+.2f}"),
        ("mean_value_lost", "mean value lost", "{:.2f}"),
    ):
        d = result.differences.get(key)
        if d is None:
            continue
        table.add_row(
            label,
            _ci(sa[key], sa[f"{key}_ci"], fmt.replace("+", "")),
            _ci(sb[key], sb[f"{key}_ci"], fmt.replace("+", "")),
            _ci(d["value"], d["ci"], "{:+.3f}" if key == "p_no_leak" else "{:+.2f}"),
        )
    Console().print(table)
