"""Load and check scenario files: every problem reported at once, with file, line and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from hoplon.scenario.schema import ScenarioSpec, Site
from hoplon.scenario.yamlfile import FileProblems, YamlDocument, format_validation_error, read_yaml

EXAMPLES_DIR = Path(__file__).with_name("examples")


def example_path(name: str) -> Path:
    """Path of a packaged example scenario, by file stem (``"two_partner"``)."""
    path = EXAMPLES_DIR / f"{name}.yaml"
    if not path.exists():
        from hoplon.errors import InputError

        raise InputError("scenario", f"no packaged example {name!r}", ", ".join(list_examples()))
    return path


def list_examples() -> list[str]:
    """Names of the packaged example scenarios."""
    return sorted(p.stem for p in EXAMPLES_DIR.glob("*.yaml"))


def resolve(path_or_name: str | Path) -> Path:
    """A scenario path, or the packaged example of that name when no such file exists."""
    p = Path(path_or_name)
    if p.exists() or p.suffix in (".yaml", ".yml"):
        return p
    return example_path(str(path_or_name))


def load(path_or_name: str | Path) -> ScenarioSpec:
    """Read, validate and cross-check a scenario file.

    Parameters
    ----------
    path_or_name : str or Path
        A YAML file, or the name of a packaged example (see :func:`list_examples`).

    Raises
    ------
    FileProblems
        Listing every problem found, each as ``file:line: field: reason``.
    """
    doc = read_yaml(resolve(path_or_name))
    return validate_document(doc)


def validate_document(doc: YamlDocument) -> ScenarioSpec:
    """Validate a parsed document (schema, then cross references)."""
    if not isinstance(doc.data, dict):
        raise FileProblems([f"{doc.source}: a scenario file must be a mapping of sections"])
    try:
        spec = ScenarioSpec.model_validate(doc.data)
    except ValidationError as exc:
        raise FileProblems(format_validation_error(exc, doc)) from None
    problems = check_references(spec, doc)
    if problems:
        raise FileProblems(problems)
    return spec


def check_references(spec: ScenarioSpec, doc: YamlDocument) -> list[str]:
    """Problems with names that refer to other parts of the scenario or to the catalogues."""
    problems: list[str] = []

    def bad(path: tuple[Any, ...], reason: str) -> None:
        line = doc.line_of(path)
        where = f"{doc.source}:{line}" if line else doc.source
        problems.append(f"{where}: {'.'.join(str(p) for p in path)}: {reason}")

    forces = set(spec.forces)
    defenders = {k for k, f in spec.forces.items() if f.role == "defence"}

    def need_force(path: tuple[Any, ...], name: str, allowed: set[str] = forces) -> None:
        if name not in allowed:
            bad(path, f"unknown force {name!r} (allowed: {', '.join(sorted(allowed)) or 'none'})")

    for key, asset in spec.assets.items():
        need_force(("assets", key, "owner"), asset.owner, defenders)
    for key, sensor in spec.sensors.items():
        need_force(("sensors", key, "owner"), sensor.owner, defenders)

    from hoplon.threats.catalogue import list_missiles
    from hoplon.weapons.catalogue import list_interceptors

    interceptors = set(list_interceptors())
    missiles = set(list_missiles())

    for key, bat in spec.batteries.items():
        need_force(("batteries", key, "owner"), bat.owner, defenders)
        if bat.interceptor not in interceptors:
            bad(
                ("batteries", key, "interceptor"),
                f"unknown interceptor type {bat.interceptor!r} "
                f"(allowed: {', '.join(sorted(interceptors))})",
            )
        if bat.fire_control is not None:
            if bat.fire_control not in spec.sensors:
                bad(
                    ("batteries", key, "fire_control"),
                    f"unknown sensor {bat.fire_control!r} "
                    f"(allowed: {', '.join(sorted(spec.sensors)) or 'none'})",
                )
            elif spec.sensors[bat.fire_control].type != "radar":
                bad(("batteries", key, "fire_control"), "a fire-control sensor must be a radar")

    attackers = {k for k, f in spec.forces.items() if f.role == "attack"}
    for i, raid in enumerate(spec.threats):
        need_force(("threats", i, "owner"), raid.owner, attackers)
        if raid.type not in missiles:
            bad(
                ("threats", i, "type"),
                f"unknown threat type {raid.type!r} (allowed: {', '.join(sorted(missiles))})",
            )
        if not isinstance(raid.target, Site) and raid.target not in spec.assets:
            bad(
                ("threats", i, "target"),
                f"unknown asset {raid.target!r} (allowed: an asset name "
                f"({', '.join(sorted(spec.assets)) or 'none defined'}) or a site with lat, lon)",
            )

    for i, link in enumerate(spec.network.links):
        need_force(("network", "links", i, "from"), link.from_, defenders)
        need_force(("network", "links", i, "to"), link.to, defenders)
        if link.from_ == link.to:
            bad(("network", "links", i, "to"), "a link must join two different forces")
    for key, share in spec.network.sharing.items():
        need_force(("network", "sharing", key), key, defenders)
        for j, other in enumerate(share.to):
            need_force(("network", "sharing", key, "to", j), other, defenders)
        for j, sensor in enumerate(share.sensors):
            if sensor not in spec.sensors:
                bad(("network", "sharing", key, "sensors", j), f"unknown sensor {sensor!r}")
            elif spec.sensors[sensor].owner != key:
                bad(
                    ("network", "sharing", key, "sensors", j),
                    f"sensor {sensor!r} belongs to {spec.sensors[sensor].owner!r}, not {key!r}",
                )
    if not defenders:
        bad(("forces",), "no defending force (role: defence)")
    return problems
