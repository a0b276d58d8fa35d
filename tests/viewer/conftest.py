"""A run directory for the viewer tests (single_battery, seed 1)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def viewer_run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from hoplon.scenario import load
    from hoplon.scenario.loader import example_path
    from hoplon.sim import run

    out = tmp_path_factory.mktemp("viewer_run")
    run(load("single_battery"), seed=1).write(out)
    shutil.copyfile(example_path("single_battery"), out / "scenario.yaml")
    return out


@pytest.fixture()
def fake_cesium(tmp_path: Path) -> Path:
    """A stand-in Cesium build folder (enough for the routes, not for a browser)."""
    build = tmp_path / "Build" / "Cesium"
    (build / "Assets" / "Textures" / "NaturalEarthII").mkdir(parents=True)
    (build / "Cesium.js").write_text("window.Cesium = {};")
    (build / "Widgets").mkdir()
    (build / "Widgets" / "widgets.css").write_text("")
    return build
