"""Cooperation value: what sharing tracks changes, with paired confidence intervals.

Two variants of one architecture run the same trial seeds (common random numbers: the same
launch-time dispersion, sensor noise and kill draws wherever the runs agree), and each
figure's difference is estimated from the per-trial differences, which is far tighter than
comparing two independent campaigns:

- probability of no leaker: difference of paired proportions (Newcombe, method 10);
- mean leakers, interceptors fired, value lost, intercepts: paired t interval.

Variants: ``"shared"`` sets every defending force's sharing policy to ``all`` (every track to
every linked partner, no sensor or partner restriction); ``"national"`` sets it to ``none``;
anything else is a scenario file (or packaged example name).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hoplon.errors import InputError
from hoplon.scenario.schema import ScenarioSpec

#: Figures compared, as (name in the result, trial column, kind).
FIGURES = (
    ("p_no_leak", "leakers", "no_leak"),
    ("mean_leakers", "leakers", "mean"),
    ("mean_intercepted", "intercepted", "mean"),
    ("mean_interceptors", "interceptors_fired", "mean"),
    ("mean_value_lost", "value_lost", "mean"),
)


def with_sharing(spec: ScenarioSpec, policy: str) -> ScenarioSpec:
    """``spec`` with every defending force's sharing policy set to ``policy``."""
    if policy not in ("all", "none"):
        raise InputError("policy", f"{policy!r} is not a sharing policy", "all, none")
    data = spec.model_dump(mode="json", by_alias=True)
    sharing = data["network"]["sharing"]
    for key, force in spec.forces.items():
        if force.role == "defence":
            sharing[key] = {"policy": policy, "to": [], "sensors": []}
    return ScenarioSpec.model_validate(data)


def variant_spec(spec: ScenarioSpec | None, variant: str | Path | ScenarioSpec) -> tuple[str, Any]:
    """The label and spec of a variant: ``shared``, ``national``, a spec, or a file."""
    if isinstance(variant, ScenarioSpec):
        return variant.name, variant
    text = str(variant)
    if text in ("shared", "national"):
        if spec is None:
            raise InputError("--variant", f"{text!r} needs a base scenario")
        return text, with_sharing(spec, "all" if text == "shared" else "none")
    from hoplon.scenario import load

    return Path(text).stem, load(text)


@dataclass
class Comparison:
    """Two (or more) variants' campaigns and the paired differences of the first two."""

    labels: list[str]
    campaigns: list[Any]
    summaries: list[dict[str, Any]]
    differences: dict[str, dict[str, Any]]
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "variants": {label: s for label, s in zip(self.labels, self.summaries, strict=True)},
            "difference": {"of": f"{self.labels[0]} - {self.labels[1]}", **self.differences},
            "paired": True,
            "confidence": self.confidence,
        }


def paired_differences(a: Any, b: Any, confidence: float = 0.95) -> dict[str, dict[str, Any]]:
    """Paired differences ``a - b`` of the headline figures of two trial tables.

    Trials are matched by ``trial`` index (they share seeds); only trials in both count.
    """
    from hoplon.analysis.stats import paired_mean_difference, paired_proportion_difference

    merged = a.merge(b, on="trial", suffixes=("_a", "_b"))
    if not len(merged):
        raise InputError("variants", "no trial in common to pair")
    out: dict[str, dict[str, Any]] = {}
    for name, col, kind in FIGURES:
        if f"{col}_a" not in merged or f"{col}_b" not in merged:
            continue
        x = merged[f"{col}_a"].to_numpy()
        y = merged[f"{col}_b"].to_numpy()
        if kind == "no_leak":
            est = paired_proportion_difference(x == 0, y == 0, confidence)
        else:
            est = paired_mean_difference(x, y, confidence)
        out[name] = {"value": est.value, "ci": [est.lo, est.hi], "n": est.n}
    return out


def compare(
    spec: ScenarioSpec | None,
    variants: Sequence[str | Path | ScenarioSpec] = ("shared", "national"),
    trials: int = 100,
    seed: int = 0,
    workers: int | None = None,
    scheduler: Any = None,
    out_dir: str | Path | None = None,
    resume: bool = False,
    overrides: Mapping[str, Any] | None = None,
    confidence: float = 0.95,
    progress: bool = True,
) -> Comparison:
    """Run each variant with the same trial seeds and compare the first two, paired.

    ``overrides`` (dotted paths) apply to every variant. With ``out_dir`` each variant's
    campaign is stored in ``out_dir/<label>`` (and resumable).
    """
    from hoplon.analysis.campaign import run_campaign
    from hoplon.analysis.sweep import with_overrides

    if len(variants) < 2:
        raise InputError("--variant", "give two variants to compare", "shared, national, a file")
    labelled = [variant_spec(spec, v) for v in variants]
    labels = _unique([lab for lab, _ in labelled])
    specs = [with_overrides(s, dict(overrides or {})) for _, s in labelled]
    campaigns = []
    for label, s in zip(labels, specs, strict=True):
        sub = Path(out_dir) / label if out_dir is not None else None
        campaigns.append(
            run_campaign(
                s,
                trials,
                seed=seed,
                workers=workers,
                scheduler=scheduler,
                out_dir=sub,
                resume=resume,
                progress=progress,
            )
        )
    summaries = [c.summary(confidence) for c in campaigns]
    diffs = paired_differences(campaigns[0].trials, campaigns[1].trials, confidence)
    return Comparison(labels, campaigns, summaries, diffs, confidence)


def _unique(labels: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for lab in labels:
        n = seen.get(lab, 0)
        seen[lab] = n + 1
        out.append(lab if n == 0 else f"{lab}-{n + 1}")
    return out
