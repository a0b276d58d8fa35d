"""Where the Cesium build comes from: npm (``cesium`` package), installed into a cache folder.

Nothing of Cesium is committed to the repository. ``hoplon view --setup`` (or the first
``hoplon view``) runs ``npm install --prefix DIR cesium@VERSION``; the viewer then serves
``DIR/node_modules/cesium/Build/Cesium``. ``DIR`` is ``$HOPLON_CESIUM_DIR`` when set, else
``~/.cache/hoplon/cesium``. ``$HOPLON_CESIUM_DIR`` may also point straight at a
``Build/Cesium`` folder (one holding ``Cesium.js``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from hoplon.errors import InputError

#: The Cesium release the viewer page is written against (npm package ``cesium``).
CESIUM_VERSION = "1.145"
_SETUP_HINT = "run `hoplon view --setup` (needs node and npm) or set HOPLON_CESIUM_DIR"


def cache_dir() -> Path:
    """Folder npm installs Cesium into: ``$HOPLON_CESIUM_DIR`` or ``~/.cache/hoplon/cesium``."""
    env = os.environ.get("HOPLON_CESIUM_DIR")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hoplon" / "cesium"


def _is_build(path: Path) -> bool:
    return (path / "Cesium.js").is_file() and (
        path / "Assets" / "Textures" / "NaturalEarthII"
    ).is_dir()


def find_cesium_build() -> Path | None:
    """The Cesium ``Build/Cesium`` folder, or ``None`` when it is not installed."""
    root = cache_dir()
    for candidate in (root, root / "node_modules" / "cesium" / "Build" / "Cesium"):
        if _is_build(candidate):
            return candidate
    return None


def require_cesium_build() -> Path:
    """The Cesium build folder; raises a one-line :class:`InputError` saying how to set it up."""
    build = find_cesium_build()
    if build is None:
        raise InputError(
            "cesium", f"the Cesium build is not installed in {cache_dir()}", _SETUP_HINT
        )
    return build


def setup_cesium(version: str = CESIUM_VERSION, quiet: bool = False) -> Path:
    """Install ``cesium@version`` from npm into :func:`cache_dir`; returns the build folder."""
    npm = shutil.which("npm")
    if npm is None:
        raise InputError(
            "npm", "not found: the viewer installs Cesium with npm", "install node and npm (>= 18)"
        )
    root = cache_dir()
    root.mkdir(parents=True, exist_ok=True)
    cmd = [npm, "install", "--prefix", str(root), "--no-audit", "--no-fund", f"cesium@{version}"]
    proc = subprocess.run(cmd, capture_output=quiet, text=True, check=False)
    if proc.returncode != 0:
        last = (proc.stderr or "").strip().splitlines()[-1:] if quiet else []
        raise InputError(
            "npm",
            f"`{' '.join(cmd)}` failed (exit {proc.returncode}){': ' + last[0] if last else ''}",
        )
    return require_cesium_build()
