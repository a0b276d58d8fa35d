"""One self-contained HTML report of a run or a campaign, with the PNGs beside it.

The HTML works offline: figures are inlined as base64 ``data:`` URIs, the style sheet is
inline, and there are no scripts and no links to anything outside the file. The same
figures are written as PNG files next to the HTML (for papers).

Inputs are plain tables: :class:`RunData` (one run, from a :class:`~hoplon.sim.RunResult`
in memory or a run directory written by ``hoplon run --out``) and :class:`CampaignData`
(a campaign's per-trial table and its statistics, from a campaign directory or built in
memory). Either may be missing; the sections that need it are left out.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hoplon.errors import InputError

# ----------------------------------------------------------------------------- inputs


@dataclass
class RunData:
    """The tables of one run (see :class:`hoplon.sim.result.RunResult`)."""

    scenario: str
    seed: int
    events: Any
    threats: Any
    shots: Any
    assets: Any
    summary: dict[str, Any]
    trajectories: Any = None
    spec: Any = None

    @classmethod
    def from_result(cls, result: Any, spec: Any = None) -> RunData:
        """From a :class:`~hoplon.sim.result.RunResult` in memory (no Parquet needed)."""
        return cls(
            scenario=result.scenario,
            seed=int(result.seed),
            events=result.events,
            threats=result.threats,
            shots=result.shots,
            assets=result.assets,
            summary=dict(result.summary),
            trajectories=result.trajectory_samples(),
            spec=spec,
        )

    @classmethod
    def from_dir(cls, path: str | Path) -> RunData:
        """From a run directory (``summary.json`` and the Parquet tables; needs pyarrow)."""
        import pandas as pd

        d = Path(path)
        if not (d / "summary.json").is_file():
            raise InputError(
                str(d), "is not a run directory (no summary.json)", "hoplon run --out DIR"
            )
        summary = json.loads((d / "summary.json").read_text())
        tables: dict[str, Any] = {}
        for name in ("events", "threats", "shots", "assets", "trajectories"):
            p = d / f"{name}.parquet"
            if p.is_file():
                tables[name] = _read_parquet(p)
            elif name != "trajectories":
                tables[name] = pd.DataFrame()
        spec = None
        if (d / "scenario.yaml").is_file():
            from hoplon.scenario import load

            spec = load(d / "scenario.yaml")
        return cls(
            scenario=str(summary.get("scenario", d.name)),
            seed=int(summary.get("seed", 0)),
            events=tables["events"],
            threats=tables["threats"],
            shots=tables["shots"],
            assets=tables["assets"],
            summary={k: v for k, v in summary.items() if k not in ("scenario", "seed")},
            trajectories=tables.get("trajectories"),
            spec=spec,
        )


@dataclass
class CampaignData:
    """A campaign: one row per trial and the statistics of those rows.

    Attributes
    ----------
    name : str
    trials : pandas.DataFrame
        Per-trial table (columns ``leakers``, ``interceptors_fired``,
        ``interceptors_battery_<b>``, ``asset_<a>_survived``, ... as in
        :func:`hoplon.analysis.stats.summarize`).
    stats : dict
        ``summarize(trials)``.
    meta : dict
        Anything else to show (seed, workers, wall time, scenario file, ...).
    example : RunData or None
        One run of the same scenario, for the map and timeline.
    comparison : dict or None
        Cooperation value against a baseline run on the same seeds (:func:`comparison_from`).
    spec : ScenarioSpec or None
        The scenario (for the map when there is no example run).
    """

    name: str
    trials: Any
    stats: dict[str, Any]
    meta: dict[str, Any] = field(default_factory=dict)
    example: RunData | None = None
    comparison: dict[str, Any] | None = None

    spec: Any = None

    @classmethod
    def from_dir(cls, path: str | Path, example: RunData | None = None) -> CampaignData:
        """From a campaign directory written by :func:`hoplon.analysis.campaign.run_campaign`
        (``campaign.json`` and ``trials/part-*.parquet``; needs pyarrow).

        An example run directory inside it (any sub-directory with a ``summary.json``)
        gives the map and timeline unless ``example`` is given.
        """
        from hoplon.analysis.campaign import Campaign

        d = Path(path)
        try:
            camp = Campaign.load(d)
        except ImportError:
            raise InputError(
                str(d), "reading Parquet needs pyarrow", "pip install 'hoplon[parquet]'"
            ) from None
        if example is None:
            for sub in sorted(p for p in d.iterdir() if p.is_dir()):
                if (sub / "summary.json").is_file():
                    example = RunData.from_dir(sub)
                    break
        if example is not None and example.spec is None:
            example.spec = camp.spec
        meta = {
            k: v
            for k, v in camp.meta.items()
            if k in ("scenario", "seed", "trials", "spec_hash", "hoplon_version")
        }
        return cls(
            name=camp.spec.name,
            trials=camp.trials,
            stats=camp.summary(),
            meta=meta,
            example=example,
            spec=camp.spec,
        )


def _read_parquet(path: Path) -> Any:
    import pandas as pd

    try:
        return pd.read_parquet(path)
    except ImportError:
        raise InputError(
            str(path), "reading Parquet needs pyarrow", "pip install 'hoplon[parquet]'"
        ) from None


def _campaign_dirs(d: Path) -> list[Path]:
    """Campaign directories up to two levels below ``d`` (sorted; ``shared`` first)."""
    found = sorted(p.parent for p in d.glob("*/campaign.json")) + sorted(
        p.parent for p in d.glob("*/*/campaign.json")
    )
    return sorted(found, key=lambda p: (p.name != "shared", str(p)))


def _run_dirs(d: Path) -> list[Path]:
    return sorted(p.parent for p in d.glob("*/summary.json"))


def detect(path: str | Path) -> str:
    """``"run"``, ``"campaign"`` or ``"collection"`` (a directory holding campaigns, such as
    ``hoplon demo``'s: the first is reported, the second is the baseline of a comparison)
    for a directory, else :class:`InputError`."""
    d = Path(path)
    if not d.is_dir():
        raise InputError(str(d), "is not a directory", "a run or campaign directory")
    if (d / "campaign.json").is_file():
        return "campaign"
    if (d / "summary.json").is_file():
        return "run"
    if _campaign_dirs(d):
        return "collection"
    raise InputError(
        str(d),
        "holds neither summary.json (run) nor campaign.json (campaign)",
        "a directory written by hoplon run --out, hoplon campaign or hoplon demo",
    )


def summarize_trials(trials: Any, confidence: float = 0.95) -> dict[str, Any]:
    """Statistics of a trial table (:func:`hoplon.analysis.stats.summarize`)."""
    from hoplon.analysis.stats import summarize

    return summarize(trials, confidence)


# ----------------------------------------------------------------------------- figures


def _hist(values: Any, path: Path, title: str, xlabel: str) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    fig, ax = plt.subplots(figsize=(5.5, 3.2), constrained_layout=True)
    if v.size:
        lo, hi = int(np.floor(v.min())), int(np.ceil(v.max()))
        bins = np.arange(lo - 0.5, hi + 1.5, 1.0) if hi - lo <= 60 else 30
        ax.hist(v, bins=bins, color="#4c72b0", edgecolor="white")
        ax.axvline(v.mean(), color="k", lw=1, ls="--", label=f"mean {v.mean():.2f}")
        ax.legend(fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("trials")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3, axis="y")
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


# ----------------------------------------------------------------------------- html bits

_CSS = """
body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:0;color:#1d2430;
background:#f4f6f9}
main{max-width:1180px;margin:0 auto;padding:24px 28px 40px;background:#fff}
h1{font-size:1.6em;margin:0 0 4px}h2{font-size:1.2em;margin:28px 0 8px;border-bottom:1px solid
#dde3ea;padding-bottom:4px}h3{font-size:1em;margin:18px 0 6px}
.sub{color:#5a6472;margin:0 0 16px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
.card{flex:1 1 160px;border:1px solid #dde3ea;border-radius:8px;padding:10px 14px;
background:#fafbfd}
.card .v{font-size:1.55em;font-weight:600}.card .l{color:#5a6472;font-size:.85em}
.card .ci{color:#5a6472;font-size:.8em}
table{border-collapse:collapse;margin:6px 0 14px;font-size:.88em}
th,td{border-bottom:1px solid #e4e8ee;padding:4px 10px;text-align:left}
th{background:#f0f3f7}td.n{text-align:right;font-variant-numeric:tabular-nums}
img{max-width:100%;height:auto;border:1px solid #e4e8ee}
.figs{display:flex;flex-wrap:wrap;gap:12px}.figs img{flex:1 1 420px;max-width:560px}
.leaked{color:#c0392b;font-weight:600}.intercepted{color:#1d6f42}
footer{color:#6b7480;font-size:.8em;margin-top:30px}
"""


def _e(x: Any) -> str:
    return html.escape(str(x))


def _num(x: Any, digits: int = 2) -> str:
    if x is None:
        return "–"
    try:
        f = float(x)
    except (TypeError, ValueError):
        return _e(x)
    if not math.isfinite(f):
        return "–"
    if f == int(f) and abs(f) < 1e9 and digits == 0:
        return f"{int(f)}"
    return f"{f:.{digits}f}"


def _ci(ci: Sequence[float] | None, digits: int = 2) -> str:
    if not ci or len(ci) != 2:
        return ""
    return f"[{_num(ci[0], digits)}, {_num(ci[1], digits)}]"


def _table(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], numeric: set[int] | None = None
) -> str:
    numeric = numeric or set()
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = []
    for r in rows:
        cells = []
        for i, c in enumerate(r):
            cls = ' class="n"' if i in numeric else ""
            cells.append(f"<td{cls}>{c}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _card(label: str, value: str, ci: str = "") -> str:
    ci_html = f'<div class="ci">95% CI {_e(ci)}</div>' if ci else ""
    return (
        f'<div class="card"><div class="v">{_e(value)}</div><div class="l">{_e(label)}</div>'
        f"{ci_html}</div>"
    )


def _fig(path: Path, alt: str) -> str:
    return f'<img src="{_data_uri(path)}" alt="{_e(alt)}">'


# ----------------------------------------------------------------------------- sections


def headline(run: RunData | None, campaign: CampaignData | None) -> dict[str, Any]:
    """The headline figures shown at the top (also returned by ``hoplon report --json``)."""
    out: dict[str, Any] = {}
    if campaign is not None:
        s = campaign.stats
        out.update(
            kind="campaign",
            scenario=campaign.name,
            trials=s.get("trials"),
            p_no_leak=s.get("p_no_leak"),
            p_no_leak_ci=s.get("p_no_leak_ci"),
            mean_leakers=s.get("mean_leakers"),
            mean_leakers_ci=s.get("mean_leakers_ci"),
            mean_interceptors=s.get("mean_interceptors"),
            mean_interceptors_ci=s.get("mean_interceptors_ci"),
        )
        if campaign.comparison:
            out["comparison"] = campaign.comparison
    elif run is not None:
        s = run.summary
        out.update(
            kind="run",
            scenario=run.scenario,
            seed=run.seed,
            threats=s.get("threats"),
            intercepted=s.get("intercepted"),
            leakers=s.get("leakers"),
            interceptors_fired=s.get("interceptors_fired"),
            value_lost=s.get("value_lost"),
        )
    return out


def _run_cards(run: RunData) -> str:
    s = run.summary
    cards = [
        _card("threats", _num(s.get("threats"), 0)),
        _card("intercepted", _num(s.get("intercepted"), 0)),
        _card("leaked", _num(s.get("leakers"), 0)),
        _card("interceptors fired", _num(s.get("interceptors_fired"), 0)),
    ]
    if "value_lost" in s:
        cards.append(_card("asset value lost", _num(s.get("value_lost"), 1)))
    return '<div class="cards">' + "".join(cards) + "</div>"


def _campaign_cards(c: CampaignData) -> str:
    s = c.stats
    cards = [
        _card("trials", _num(s.get("trials"), 0)),
        _card("p(no leaker)", _num(s.get("p_no_leak"), 3), _ci(s.get("p_no_leak_ci"), 3)),
        _card("expected leakers", _num(s.get("mean_leakers")), _ci(s.get("mean_leakers_ci"))),
        _card(
            "interceptors per raid",
            _num(s.get("mean_interceptors"), 1),
            _ci(s.get("mean_interceptors_ci"), 1),
        ),
    ]
    cmp_ = c.comparison or {}
    if cmp_.get("p_no_leak_gain"):
        v, lo, hi = cmp_["p_no_leak_gain"]
        cards.append(
            _card(
                f"p(no leaker) gain vs {cmp_.get('baseline', 'baseline')}",
                f"{v:+.3f}",
                f"[{lo:+.3f}, {hi:+.3f}]",
            )
        )
    if cmp_.get("leakers_reduction"):
        v, lo, hi = cmp_["leakers_reduction"]
        cards.append(_card("leakers avoided by sharing", f"{v:+.2f}", f"[{lo:+.2f}, {hi:+.2f}]"))
    return '<div class="cards">' + "".join(cards) + "</div>"


def _campaign_tables(c: CampaignData) -> str:
    s = c.stats
    rows = []
    for label, key, d in (
        ("p(no leaker)", "p_no_leak", 3),
        ("expected leakers", "mean_leakers", 2),
        ("expected intercepts", "mean_intercepted", 2),
        ("interceptors fired", "mean_interceptors", 2),
        ("interceptors on partner tracks", "mean_interceptors_on_remote_tracks", 2),
        ("asset value lost", "mean_value_lost", 2),
    ):
        if key in s:
            rows.append((_e(label), _num(s[key], d), _ci(s.get(f"{key}_ci"), d)))
    parts = [
        "<h3>Statistics over trials</h3>",
        _table(("quantity", "estimate", "95% CI"), rows, {1, 2}),
    ]
    for title, key in (
        ("Interceptors per trial, by type", "interceptors_by_type"),
        ("Interceptors per trial, by partner", "interceptors_by_force"),
        ("Interceptors per trial, by battery", "interceptors_by_battery"),
    ):
        d = s.get(key) or {}
        if d:
            parts.append(f"<h3>{_e(title)}</h3>")
            parts.append(
                _table(
                    ("", "mean", "95% CI"),
                    [(_e(k), _num(v.get("mean")), _ci(v.get("ci"))) for k, v in d.items()],
                    {1, 2},
                )
            )
    surv = s.get("asset_survival") or {}
    if surv:
        parts.append("<h3>Defended assets: probability of surviving</h3>")
        parts.append(
            _table(
                ("asset", "p(survives)", "95% CI"),
                [(_e(k), _num(v.get("p"), 3), _ci(v.get("ci"), 3)) for k, v in surv.items()],
                {1, 2},
            )
        )
    timing = s.get("timing") or {}
    if timing:
        parts.append("<h3>Timing (seconds since the scenario start)</h3>")
        parts.append(
            _table(
                ("event", "mean [s]", "95% CI", "trials"),
                [
                    (
                        _e(k.removesuffix("_s").replace("_", " ")),
                        _num(v.get("mean"), 1),
                        _ci(v.get("ci"), 1),
                        _num(v.get("n"), 0),
                    )
                    for k, v in timing.items()
                ],
                {1, 2, 3},
            )
        )
    cmp_ = c.comparison
    if cmp_:
        parts.append(f"<h3>Cooperation value: shared tracks vs {_e(cmp_.get('baseline', ''))}</h3>")
        rows = []
        b = cmp_.get("baseline_stats") or {}
        for label, key, d in (
            ("p(no leaker)", "p_no_leak", 3),
            ("expected leakers", "mean_leakers", 2),
            ("interceptors fired", "mean_interceptors", 2),
        ):
            if key in s and key in b:
                rows.append(
                    (
                        _e(label),
                        _num(s[key], d) + " " + _ci(s.get(f"{key}_ci"), d),
                        _num(b[key], d) + " " + _ci(b.get(f"{key}_ci"), d),
                    )
                )
        parts.append(
            _table(("quantity", _e(c.name), _e(cmp_.get("baseline", "baseline"))), rows, {1, 2})
        )
        notes = []
        for label, key in (
            ("p(no leaker) gain from sharing (paired)", "p_no_leak_gain"),
            ("leakers avoided per raid (paired)", "leakers_reduction"),
            ("extra interceptors per raid (paired)", "interceptors_change"),
        ):
            if cmp_.get(key):
                v, lo, hi = cmp_[key]
                notes.append((_e(label), f"{v:+.3f}", f"[{lo:+.3f}, {hi:+.3f}]"))
        if notes:
            parts.append(_table(("difference", "estimate", "95% CI"), notes, {1, 2}))
    meta = {k: v for k, v in c.meta.items() if isinstance(v, str | int | float) and k != "stats"}
    if meta:
        parts.append("<h3>Campaign</h3>")
        parts.append(_table(("", ""), [(_e(k), _e(v)) for k, v in meta.items()]))
    return "".join(parts)


def _run_tables(run: RunData) -> str:
    parts = []
    th = run.threats
    if th is not None and len(th):
        rows = []
        for r in th.itertuples():
            outcome = str(r.outcome)
            cls = outcome if outcome in ("leaked", "intercepted") else ""
            when = r.intercept_s if outcome == "intercepted" else getattr(r, "impact_s", math.nan)
            rows.append(
                (
                    _num(r.threat, 0),
                    _e(r.type),
                    _e(getattr(r, "target", "") or ""),
                    _num(r.launch_s, 1),
                    f'<span class="{cls}">{_e(outcome)}</span>',
                    _num(when, 1),
                    _e(r.killed_by) if isinstance(getattr(r, "killed_by", None), str) else "",
                )
            )
        parts.append("<h3>Threats</h3>")
        parts.append(
            _table(
                (
                    "#",
                    "type",
                    "target",
                    "launch [s]",
                    "outcome",
                    "intercept / impact [s]",
                    "killed by",
                ),
                rows,
                {0, 3, 5},
            )
        )
    sh = run.shots
    by_batt = run.summary.get("interceptors_by_battery") or {}
    if by_batt:
        rows = []
        for b, n in by_batt.items():
            mine = sh[sh.battery == b] if sh is not None and len(sh) else None
            hits = int(mine.hit.sum()) if mine is not None and len(mine) else 0
            itype = str(mine.interceptor.iloc[0]) if mine is not None and len(mine) else ""
            force = str(mine.force.iloc[0]) if mine is not None and len(mine) else ""
            remote = (
                int(mine.remote_track.sum())
                if mine is not None and len(mine) and "remote_track" in mine
                else 0
            )
            if not itype and run.spec is not None and b in run.spec.batteries:
                itype = run.spec.batteries[b].interceptor
                force = run.spec.batteries[b].owner
            rows.append((_e(b), _e(force), _e(itype), _num(n, 0), _num(hits, 0), _num(remote, 0)))
        parts.append("<h3>Batteries</h3>")
        parts.append(
            _table(
                ("battery", "partner", "interceptor", "fired", "hits", "on partner tracks"),
                rows,
                {3, 4, 5},
            )
        )
    a = run.assets
    if a is not None and len(a):
        parts.append("<h3>Defended assets</h3>")
        parts.append(
            _table(
                ("asset", "owner", "value", "leakers hitting it", "outcome"),
                [
                    (
                        _e(r.asset),
                        _e(r.owner),
                        _num(r.value, 1),
                        _num(r.leakers_hit, 0),
                        "survived" if bool(r.survived) else '<span class="leaked">hit</span>',
                    )
                    for r in a.itertuples()
                ],
                {2, 3},
            )
        )
    return "".join(parts)


# ----------------------------------------------------------------------------- writer


@dataclass
class ReportFiles:
    """What :func:`write_report` wrote and the headline figures."""

    html: Path
    pngs: list[Path]
    headline: dict[str, Any]


def write_report(
    out_html: str | Path,
    *,
    run: RunData | None = None,
    campaign: CampaignData | None = None,
    footprints: Iterable[Any] = (),
    coverage_altitude_m: float = 100e3,
    coverage_rcs_m2: float = 0.1,
    title: str | None = None,
) -> ReportFiles:
    """Write the HTML report and its PNGs (in the HTML's directory).

    ``run`` gives the map, timeline and per-run tables; with only ``campaign``, its
    ``example`` run is used for those. ``footprints`` are
    :class:`hoplon.report.maps.MapFootprint` outlines drawn on the map.
    """
    from hoplon import __version__
    from hoplon.report.maps import plot_theatre
    from hoplon.report.timeline import plot_timeline

    if run is None and campaign is not None:
        run = campaign.example
    if run is None and campaign is None:
        raise InputError("report", "nothing to report", "a run or a campaign")
    out = Path(out_html)
    out.parent.mkdir(parents=True, exist_ok=True)
    pngs: list[Path] = []
    sections: list[str] = []
    name = campaign.name if campaign is not None else run.scenario  # type: ignore[union-attr]
    spec = run.spec if run is not None else None
    if spec is None and campaign is not None:
        spec = campaign.spec
    footprints = list(footprints)

    if campaign is not None:
        sections.append(_campaign_cards(campaign))
    elif run is not None:
        sections.append(_run_cards(run))

    if run is not None or spec is not None:
        kw = dict(
            spec=spec,
            threats=run.threats if run else None,
            shots=run.shots if run else None,
            trajectories=run.trajectories if run else None,
            footprints=footprints,
            coverage_altitude_m=coverage_altitude_m,
            coverage_rcs_m2=coverage_rcs_m2,
        )
        seed_note = f" (seed {run.seed})" if run is not None else ""
        p_map = plot_theatre(out.parent / "map.png", title=f"{name}: engagements{seed_note}", **kw)
        p_over = plot_theatre(
            out.parent / "map_coverage.png",
            extent="coverage",
            title=f"{name}: sensor coverage and theatre",
            **kw,
        )
        pngs += [p_map, p_over]
        intro = (
            "One run" + seed_note + ": threat ground tracks (grey intercepted, red leaked), "
            "interceptor flyouts from battery to aim point in the partner's colour, radar "
            f"coverage against {coverage_rcs_m2:g} m² at {coverage_altitude_m / 1e3:g} km "
            "altitude (dashed)"
            + (", battery footprints (hatched)" if footprints else "")
            + ". Land: Natural Earth 1:110m."
        )
        sections.append(f"<h2>Theatre</h2><p>{_e(intro)}</p>{_fig(p_map, 'engagement map')}")
        sections.append(f"<h3>Sensor coverage</h3>{_fig(p_over, 'coverage map')}")
    if run is not None and run.threats is not None and len(run.threats):
        p_tl = plot_timeline(run, out.parent / "timeline.png")
        pngs.append(p_tl)
        sections.append(f"<h2>Engagement timeline</h2>{_fig(p_tl, 'timeline')}")

    if campaign is not None:
        sections.append("<h2>Campaign statistics</h2>")
        sections.append(
            "<p>Each trial is one run of the scenario with its own seed. Proportions carry "
            "Wilson score intervals, means Student-t intervals (95%).</p>"
        )
        figs = []
        t = campaign.trials
        if t is not None and len(t):
            if "leakers" in t:
                figs.append(
                    _hist(
                        t["leakers"],
                        out.parent / "hist_leakers.png",
                        "leakers per trial",
                        "leakers",
                    )
                )
            if "interceptors_fired" in t:
                figs.append(
                    _hist(
                        t["interceptors_fired"],
                        out.parent / "hist_interceptors.png",
                        "interceptors fired per trial",
                        "interceptors",
                    )
                )
        pngs += figs
        if figs:
            sections.append(
                '<div class="figs">' + "".join(_fig(f, f.stem) for f in figs) + "</div>"
            )
        sections.append(_campaign_tables(campaign))

    if run is not None:
        label = "Example run" if campaign is not None else "Run"
        sections.append(f"<h2>{label} (seed {run.seed})</h2>")
        if campaign is not None:
            sections.append(_run_cards(run))
        sections.append(_run_tables(run))

    desc = getattr(spec, "description", "") if spec is not None else ""
    now = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    kind = "campaign" if campaign is not None else "run"
    doc = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(title or name)} — Hoplon report</title>"
        f"<style>{_CSS}</style></head><body><main>"
        f"<h1>{_e(title or name)}</h1>"
        f'<p class="sub">Hoplon {_e(__version__)} {kind} report, {_e(now)}. {_e(desc)}</p>'
        + "".join(sections)
        + "<footer>Generated by Hoplon, open simulation of cooperative missile defence from "
        "open-literature physics. All forces, sites and system parameters are notional. "
        "Coastlines: Natural Earth (public domain). This file is self-contained and works "
        "offline.</footer></main></body></html>\n"
    )
    out.write_text(doc, encoding="utf-8")
    return ReportFiles(html=out, pngs=pngs, headline=headline(run, campaign))


def report_dir(path: str | Path, out_html: str | Path | None = None, **kw: Any) -> ReportFiles:
    """Report a run or campaign directory (``report.html`` inside it by default)."""
    d = Path(path)
    kind = detect(d)
    out = Path(out_html) if out_html is not None else d / "report.html"
    if kind == "campaign":
        return write_report(out, campaign=CampaignData.from_dir(d), **kw)
    if kind == "run":
        return write_report(out, run=RunData.from_dir(d), **kw)
    runs = _run_dirs(d)
    example = RunData.from_dir(runs[0]) if runs else None
    camps = _campaign_dirs(d)
    main = CampaignData.from_dir(camps[0], example=example)
    if len(camps) > 1:
        from hoplon.analysis.compare import paired_differences

        base = CampaignData.from_dir(camps[1])
        diffs = paired_differences(main.trials, base.trials)
        main.comparison = comparison_from(camps[1].name, base.stats, diffs)
    return write_report(out, campaign=main, **kw)


def comparison_from(
    baseline: str, baseline_stats: Mapping[str, Any], differences: Mapping[str, Any]
) -> dict[str, Any]:
    """The report's cooperation-value block from :func:`hoplon.analysis.compare.compare`
    figures: the baseline's label and statistics and the paired differences
    ``shared - baseline`` (``{"p_no_leak": {"value", "ci", "n"}, "mean_leakers": ...}``).

    Adds ``p_no_leak_gain``, ``leakers_reduction`` (baseline minus shared) and
    ``interceptors_change`` as ``[value, lo, hi]``.
    """
    out: dict[str, Any] = {
        "baseline": baseline,
        "baseline_stats": dict(baseline_stats),
        "differences": dict(differences),
    }
    d = differences.get("p_no_leak")
    if d:
        out["p_no_leak_gain"] = [d["value"], *d["ci"]]
    d = differences.get("mean_leakers")
    if d:
        out["leakers_reduction"] = [-d["value"], -d["ci"][1], -d["ci"][0]]
    d = differences.get("mean_interceptors")
    if d:
        out["interceptors_change"] = [d["value"], *d["ci"]]
    return out
