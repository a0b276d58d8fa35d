"""Parameter sweeps over dotted scenario paths, raid saturation and inventory sensitivity.

A dotted path addresses one value in a scenario's dump: mapping keys and list indices joined
by dots, e.g. ``sensors.green_radar.reference_snr_db``, ``threats.0.count`` or
``batteries.blue_upper.missiles_per_launcher``. :func:`with_overrides` sets such values on a
copy of a spec and validates the result (schema and cross references), so a sweep point is
always a scenario that could have been written in a file. Values take the same forms as in a
scenario file: numbers, booleans, names and quantities with units (``"300 km"``); a number
for an angle means degrees.

Every point of a sweep runs the same trial seeds (common random numbers), so differences
between points are not blurred by different random draws.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hoplon.errors import InputError
from hoplon.scenario.schema import ScenarioSpec


def parse_value(text: str) -> Any:
    """A command-line value as YAML would read it (``"3"`` -> 3, ``"true"`` -> True).

    Quantities with units (``"300 km"``) and names stay strings; the schema parses them.
    """
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def parse_assignment(text: str, field: str = "--set") -> tuple[str, Any]:
    """Split ``PATH=VALUE`` into the path and the parsed value."""
    path, sep, value = text.partition("=")
    if not sep or not path.strip():
        raise InputError(field, f"{text!r} is not PATH=VALUE", "e.g. threats.0.count=8")
    return path.strip(), parse_value(value.strip())


def _split(path: str) -> list[str | int]:
    if not path or any(not p for p in path.split(".")):
        raise InputError(path or "(empty path)", "not a dotted path", "e.g. threats.0.count")
    return [int(p) if p.lstrip("-").isdigit() else p for p in path.split(".")]


def _allowed(node: Any) -> str:
    if isinstance(node, Mapping):
        return ", ".join(str(k) for k in node) or "nothing (empty)"
    if isinstance(node, list):
        return f"an index 0..{len(node) - 1}" if node else "nothing (empty list)"
    return "nothing below a value"


def _parent(data: Any, path: str) -> tuple[Any, str | int]:
    parts = _split(path)
    node = data
    for depth, key in enumerate(parts):
        here = ".".join(str(p) for p in parts[: depth + 1])
        if isinstance(node, Mapping):
            if key not in node and str(key) in node:
                key = str(key)
            if key not in node:
                raise InputError(here, "no such parameter in the scenario", _allowed(node))
        elif isinstance(node, list):
            if not isinstance(key, int) or not -len(node) <= key < len(node):
                raise InputError(here, "no such list item", _allowed(node))
        else:
            raise InputError(here, "no such parameter in the scenario", _allowed(node))
        if depth == len(parts) - 1:
            return node, key
        node = node[key]
    raise AssertionError("unreachable")  # pragma: no cover


def get_path(data: Any, path: str) -> Any:
    """The value at a dotted ``path`` of nested dicts and lists (raises InputError)."""
    node, key = _parent(data, path)
    return node[key]


def set_path(data: Any, path: str, value: Any) -> None:
    """Set the value at an existing dotted ``path`` in place (raises InputError)."""
    node, key = _parent(data, path)
    node[key] = value


def get_value(spec: ScenarioSpec, path: str) -> Any:
    """The value at a dotted path of a spec (SI, angles as ``"<x> rad"``)."""
    return get_path(spec.model_dump(mode="json", by_alias=True), path)


def with_overrides(spec: ScenarioSpec, overrides: Mapping[str, Any]) -> ScenarioSpec:
    """A copy of ``spec`` with values set at dotted paths, validated.

    Raises
    ------
    InputError
        Naming the path when it does not exist in the scenario or the value is invalid there
        (wrong type, out of range, a name that refers to nothing).
    """
    if not overrides:
        return spec
    from pydantic import ValidationError

    data = spec.model_dump(mode="json", by_alias=True)
    for path, value in overrides.items():
        set_path(data, path, value)
    try:
        new = ScenarioSpec.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"] if not _is_union_tag(p))
        path = _blame(overrides, where)
        msg = err["msg"].removeprefix("Value error, ")
        raise InputError(path, _at(f"invalid value: {msg}", where, path)) from None
    problems = _references(new)
    if problems:
        where, _, reason = problems[0].partition(": ")
        path = _blame(overrides, where)
        raise InputError(path, _at(reason, where, path))
    return new


def _at(reason: str, where: str, path: str) -> str:
    return reason if where == path else f"{reason} (at {where})"


def _is_union_tag(p: Any) -> bool:
    return p in ("radar", "infrared", "salvo", "shoot-look-shoot")


def _blame(overrides: Mapping[str, Any], where: str) -> str:
    """The override path responsible for a problem at ``where`` (best match)."""
    for path in overrides:
        if where == path or where.startswith(path + ".") or path.startswith(where + "."):
            return path
    return ", ".join(overrides)


def _references(spec: ScenarioSpec) -> list[str]:
    from hoplon.scenario.loader import check_references
    from hoplon.scenario.yamlfile import YamlDocument

    problems = check_references(spec, YamlDocument(source="overrides", data={}))
    return [p.removeprefix("overrides: ") for p in problems]


# ----------------------------------------------------------------------------- sweeps


@dataclass
class SweepResult:
    """A sweep: one campaign summary per value of one parameter.

    ``table`` (pandas) has one row per value with ``value``, ``p_no_leak``, its interval
    ``p_no_leak_lo``/``p_no_leak_hi``, ``mean_leakers``, ``mean_interceptors`` and
    ``mean_value_lost`` with their ``_lo``/``_hi``; ``summaries`` holds the full summaries.
    """

    param: str
    values: list[Any]
    table: Any
    summaries: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "param": self.param,
            "values": self.values,
            "points": [{"value": v, **s} for v, s in zip(self.values, self.summaries, strict=True)],
        }


def sweep(
    spec: ScenarioSpec,
    param: str,
    values: Sequence[Any],
    trials: int,
    seed: int = 0,
    workers: int | None = None,
    scheduler: Any = None,
    confidence: float = 0.95,
    progress: bool = True,
    on_point: Callable[[Any, dict[str, Any]], None] | None = None,
) -> SweepResult:
    """Run a campaign of ``trials`` at each value of ``param`` (same seeds at every point).

    All points are checked (:func:`with_overrides`) before any trial runs.
    """
    import pandas as pd

    from hoplon.analysis.campaign import run_campaign

    if not values:
        raise InputError("--values", "no values given", "a comma-separated list")
    specs = [with_overrides(spec, {param: v}) for v in values]
    rows, summaries = [], []
    for v, point in zip(values, specs, strict=True):
        camp = run_campaign(
            point, trials, seed=seed, workers=workers, scheduler=scheduler, progress=progress
        )
        s = camp.summary(confidence)
        summaries.append(s)
        row: dict[str, Any] = {"value": v}
        row["p_no_leak"] = s["p_no_leak"]
        row["p_no_leak_lo"], row["p_no_leak_hi"] = s["p_no_leak_ci"]
        for key in ("mean_leakers", "mean_interceptors", "mean_value_lost"):
            row[key] = s[key]
            row[f"{key}_lo"], row[f"{key}_hi"] = s[f"{key}_ci"]
        rows.append(row)
        if on_point is not None:
            on_point(v, s)
    return SweepResult(param, list(values), pd.DataFrame(rows), summaries)


def raid_saturation(
    spec: ScenarioSpec, sizes: Sequence[int], trials: int, raid: int = 0, **kwargs: Any
) -> SweepResult:
    """Effectiveness against raid size: a sweep of ``threats.<raid>.count``."""
    return sweep(spec, f"threats.{raid}.count", [int(s) for s in sizes], trials, **kwargs)


def inventory_sensitivity(
    spec: ScenarioSpec, battery: str, loads: Sequence[int], trials: int, **kwargs: Any
) -> SweepResult:
    """Effectiveness against a battery's load: a sweep of its ``missiles_per_launcher``."""
    return sweep(
        spec,
        f"batteries.{battery}.missiles_per_launcher",
        [int(v) for v in loads],
        trials,
        **kwargs,
    )
