"""The viewer page in a real browser: Debian's headless Chromium (SwiftShader WebGL).

Loads the page served from a thread, lets it run on Chromium's virtual clock, and reads back
``window.hoplonStatus`` (mirrored into ``<pre id="hoplon-status">``) from the dumped DOM:
the globe canvas exists, every CZML entity is loaded, the replay clock advanced, frames
were rendered. A screenshot is saved as a test artefact under the pytest tmp folder.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--window-size=1280,800",
]
START_S = 200.0


def _chromium(args: list[str], profile: Path, timeout_s: float = 300.0) -> str:
    # swiftshader renders the globe on the CPU: slow on 2 shared cores, so a generous limit
    cmd = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


@pytest.mark.slow
def test_viewer_in_headless_chromium(viewer_run_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("fastapi", reason="the viewer needs the 'viewer' extra (fastapi, uvicorn)")
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from hoplon.viewer.cesium import find_cesium_build

    build = find_cesium_build()
    if build is None:
        pytest.skip("the Cesium build is not installed (hoplon view --setup)")
    from hoplon.interop.rundir import load_run
    from hoplon.viewer.app import create_app
    from hoplon.viewer.server import ViewerServer

    entities, events, _ = load_run(viewer_run_dir)
    with ViewerServer(create_app(viewer_run_dir, build)) as server:
        url = f"{server.url}?t={START_S:g}&multiplier=10"
        dom = _chromium(
            ["--virtual-time-budget=10000", "--dump-dom", url], tmp_path / "profile-dom"
        )
        shot = tmp_path / "viewer.png"
        _chromium(
            ["--virtual-time-budget=8000", f"--screenshot={shot}", url],
            tmp_path / "profile-shot",
        )
    match = re.search(r'<pre id="hoplon-status"[^>]*>(.*?)</pre>', dom, re.S)
    assert match, "status element missing from the page"
    status = json.loads(html.unescape(match.group(1)))
    assert status["error"] is None, status["error"]
    assert status["ready"] is True
    assert "<canvas" in dom and "cesium-widget" in dom
    assert status["entities"] == len(entities) + len(events)
    assert status["events"] == len(events)
    assert status["visible"] >= 3  # at least the sensor, battery and asset
    assert status["secondsFromStart"] > START_S + 1.0  # the clock moved
    assert status["frames"] > 1 and status["ticks"] > 1
    assert "Single battery, small raid" in dom
    assert shot.is_file() and shot.stat().st_size > 20_000
    import matplotlib.image as mpimg

    pixels = mpimg.imread(shot)
    assert pixels.shape[:2] == (800, 1280)
    globe = pixels[100:700, 100:860, :3]
    assert globe.std() > 0.02  # not a blank canvas
