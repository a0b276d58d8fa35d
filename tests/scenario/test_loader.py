"""Scenario files: units converted at load, every problem reported with file, line, field."""

import math
import textwrap
from pathlib import Path

import pytest

from hoplon.scenario import FileProblems, load
from hoplon.scenario.loader import validate_document
from hoplon.scenario.yamlfile import parse_yaml

GOOD = textwrap.dedent(
    """\
    name: tiny
    duration: 20 min
    forces:
      blue: {}
      red: {role: attack}
    assets:
      city: {owner: blue, site: {lat: 10, lon: 20}, radius: 15 km, value: 5}
    sensors:
      blue_radar:
        type: radar
        owner: blue
        site: {lat: 10.5, lon: 20.0, alt: 30 m}
        max_range: 1000 km
        reference_snr_db: 20
        reference_range: 500 km
    """
)


def test_good_file_loads_in_si(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(GOOD)
    spec = load(path)
    assert spec.duration == 1200.0
    assert spec.assets["city"].radius == 15_000.0
    assert spec.assets["city"].site.lat == pytest.approx(math.radians(10))
    radar = spec.sensors["blue_radar"]
    assert radar.type == "radar" and radar.max_range == 1e6 and radar.site.alt == 30.0


def test_every_problem_reported_with_line_and_field() -> None:
    text = GOOD.replace("radius: 15 km", "radius: 15 parsecs").replace(
        "max_range: 1000 km", "max_range: 1000 km\n    maximum_range: 3"
    )
    text = text.replace("owner: blue\n    site: {lat: 10.5", "owner: purple\n    site: {lat: 10.5")
    doc = parse_yaml(text, "s.yaml")
    with pytest.raises(FileProblems) as info:
        validate_document(doc)
    problems = info.value.problems
    assert any(p.startswith("s.yaml:7: assets.city.radius:") and "parsecs" in p for p in problems)
    assert any("sensors.blue_radar.maximum_range" in p and "unknown field" in p for p in problems)
    assert len(problems) == 2  # schema errors first; cross references after a clean schema


def test_cross_references_are_checked() -> None:
    text = GOOD.replace("owner: blue\n    site: {lat: 10.5", "owner: purple\n    site: {lat: 10.5")
    doc = parse_yaml(text, "s.yaml")
    with pytest.raises(FileProblems) as info:
        validate_document(doc)
    (problem,) = info.value.problems
    assert problem.startswith("s.yaml:11: sensors.blue_radar.owner: unknown force 'purple'")


def test_bad_yaml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileProblems, match=r"s.yaml:\d+: invalid YAML: expected"):
        validate_document(parse_yaml("name: x\nforces: [a\n", "s.yaml"))
    with pytest.raises(FileProblems, match="file not found"):
        load(tmp_path / "nope.yaml")


def test_latitude_out_of_range_is_named() -> None:
    doc = parse_yaml(GOOD.replace("lat: 10, lon: 20", "lat: 100, lon: 20"), "s.yaml")
    with pytest.raises(FileProblems, match=r"assets.city.site.lat: .*outside \[-90, 90\]"):
        validate_document(doc)


def test_spec_round_trips_through_dump(tmp_path: Path) -> None:
    from hoplon.scenario.schema import ScenarioSpec

    path = tmp_path / "s.yaml"
    path.write_text(GOOD)
    spec = load(path)
    again = ScenarioSpec.model_validate(spec.model_dump())
    assert again == spec
    assert ScenarioSpec.model_validate_json(spec.model_dump_json()) == spec


def test_packaged_examples_are_valid() -> None:
    from hoplon.scenario import list_examples

    names = list_examples()
    assert {"single_battery", "two_partner", "two_partner_national"} <= set(names)
    for name in names:
        load(name)
