"""Timeline of one run: threats in flight, interceptor shots, kills and impacts."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def plot_timeline(result: Any, path: str | Path) -> Path:
    """Write a PNG timeline of a :class:`~hoplon.sim.result.RunResult`.

    One row per threat: its flight (launch to impact or intercept) coloured by outcome,
    first detection (dot) and the interceptor shots at it (launch to intercept, hit or miss).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    threats = result.threats
    shots = result.shots
    n = max(len(threats), 1)
    fig, ax = plt.subplots(figsize=(11, 0.28 * n + 1.8), constrained_layout=True)
    colors = {"intercepted": "tab:green", "leaked": "tab:red", "in flight": "tab:gray"}
    detect_cols = [c for c in threats.columns if c.startswith("first_detection_s_")]
    for row in threats.itertuples():
        end = row.intercept_s if row.outcome == "intercepted" else row.impact_s
        ax.plot(
            [row.launch_s / 60, end / 60],
            [row.threat, row.threat],
            color=colors.get(row.outcome, "k"),
            lw=3,
            solid_capstyle="butt",
        )
        first = min((getattr(row, c) for c in detect_cols), default=float("nan"))
        if first == first:  # not NaN
            ax.plot(first / 60, row.threat, "o", color="k", ms=3)
    for s in shots.itertuples():
        if s.threat < 0:
            continue
        ax.plot(
            [s.launch_s / 60, s.intercept_s / 60],
            [s.threat + 0.3, s.threat + 0.3],
            color="tab:blue",
            lw=1,
        )
        ax.plot(
            s.intercept_s / 60,
            s.threat + 0.3,
            "*" if s.hit else "x",
            color="tab:blue",
            ms=7 if s.hit else 5,
        )
    ax.set_yticks(list(threats.threat))
    ax.set_yticklabels([f"{r.threat} {r.type}" for r in threats.itertuples()], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("time since scenario start [min]")
    ax.grid(alpha=0.3, axis="x")
    summ = result.summary
    ax.set_title(
        f"{result.scenario} (seed {result.seed}): {summ['threats']} threats, "
        f"{summ['intercepted']} intercepted, {summ['leakers']} leaked, "
        f"{summ['interceptors_fired']} interceptors"
    )
    from matplotlib.lines import Line2D

    ax.legend(
        handles=[
            Line2D([], [], color="tab:green", lw=3, label="threat flight (intercepted)"),
            Line2D([], [], color="tab:red", lw=3, label="threat flight (leaked)"),
            Line2D([], [], color="k", marker="o", ls="", ms=3, label="first detection"),
            Line2D([], [], color="tab:blue", lw=1, marker="*", label="interceptor (hit)"),
            Line2D([], [], color="tab:blue", lw=1, marker="x", label="interceptor (miss)"),
        ],
        loc="lower right",
        fontsize=7,
    )
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
