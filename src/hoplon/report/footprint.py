"""Footprint maps: the cells each battery defends, with batteries, radars, launch points and
assets, on longitude/latitude axes."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from hoplon.analysis.footprint import Footprint

_COLOURS = (
    "tab:blue",
    "tab:orange",
    "tab:green",
    "tab:red",
    "tab:purple",
    "tab:brown",
    "tab:pink",
    "tab:olive",
    "tab:cyan",
)


def plot_footprint(
    footprints: Footprint | list[Footprint], path: str | Path, title: str | None = None
) -> Path:
    """Write a PNG map of one footprint, or of several side by side (e.g. sharing off/on).

    Each battery's defended cells are filled in its colour (outlined); the architecture's
    defended region is outlined in black and the threatened (reachable) region dashed grey.
    Batteries are squares, radars triangles, launch points red crosses, assets circles.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fps = footprints if isinstance(footprints, list) else [footprints]
    fig, axes = plt.subplots(
        1, len(fps), figsize=(8.5 * len(fps), 7.5), constrained_layout=True, squeeze=False
    )
    for ax, fp in zip(axes[0], fps, strict=True):
        _draw(ax, fp)
    first = fps[0]
    launch = ", ".join(
        f"({math.degrees(a):.2f}, {math.degrees(o):.2f})"
        for a, o in zip(first.launch_lat_rad, first.launch_lon_rad, strict=True)
    )
    fig.suptitle(title or f"defended footprint against {first.threat} from {launch}")
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def _edges_deg(fp: Footprint) -> tuple[np.ndarray, np.ndarray]:
    return np.degrees(fp.grid.lon_edges_rad), np.degrees(fp.grid.lat_edges_rad)


def _draw(ax: Any, fp: Footprint) -> None:
    from matplotlib.colors import ListedColormap
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    lon_e, lat_e = _edges_deg(fp)
    lon_c, lat_c = np.degrees(fp.lon_rad), np.degrees(fp.lat_rad)
    handles: list[Any] = []
    areas = fp.battery_area_km2
    for j, name in enumerate(fp.battery_names):
        colour = _COLOURS[j % len(_COLOURS)]
        mask = fp.battery_defended[j]
        if mask.any():
            z = np.where(mask, 1.0, np.nan)
            ax.pcolormesh(lon_e, lat_e, z, cmap=ListedColormap([colour]), alpha=0.35, lw=0)
            if mask.shape[0] > 1 and mask.shape[1] > 1:
                ax.contour(lon_c, lat_c, mask.astype(float), levels=[0.5], colors=[colour])
        handles.append(Patch(facecolor=colour, alpha=0.5, label=f"{name}: {areas[name]:,.0f} km²"))
        la, lo = fp.battery_sites[j]
        ax.plot(math.degrees(lo), math.degrees(la), "s", color=colour, ms=8, mec="k")
    if fp.defended.any() and min(fp.defended.shape) > 1:
        ax.contour(lon_c, lat_c, fp.defended.astype(float), levels=[0.5], colors="k")
    if fp.reachable.any() and not fp.reachable.all() and min(fp.reachable.shape) > 1:
        ax.contour(
            lon_c, lat_c, fp.reachable.astype(float), levels=[0.5], colors="0.5",
            linestyles="--",
        )  # fmt: skip
    for name, _force, la, lo in fp.radars:
        ax.plot(math.degrees(lo), math.degrees(la), "^", color="k", mfc="w", ms=8)
        ax.annotate(name, (math.degrees(lo), math.degrees(la)), fontsize=7, xytext=(4, 4),
                    textcoords="offset points")  # fmt: skip
    for name, la, lo, _radius in fp.assets:
        ax.plot(math.degrees(lo), math.degrees(la), "o", color="gold", mec="k", ms=7)
        ax.annotate(name, (math.degrees(lo), math.degrees(la)), fontsize=7, xytext=(4, -10),
                    textcoords="offset points")  # fmt: skip
    ax.plot(np.degrees(fp.launch_lon_rad), np.degrees(fp.launch_lat_rad), "x", color="red",
            ms=10, mew=2)  # fmt: skip
    handles += [
        Line2D([], [], color="k", label=f"all batteries: {fp.area_km2:,.0f} km²"),
        Line2D([], [], color="0.5", ls="--", label="threat reach"),
        Line2D([], [], ls="", marker="^", color="k", mfc="w", label="radar"),
        Line2D([], [], ls="", marker="x", color="red", mew=2, label="launch"),
    ]
    ax.legend(handles=handles, loc="best", fontsize=8)
    ax.set_title(f"sharing {'on' if fp.sharing else 'off'}")
    lons = [lon_e[0], lon_e[-1], *np.degrees(fp.launch_lon_rad)]
    lats = [lat_e[0], lat_e[-1], *np.degrees(fp.launch_lat_rad)]
    pad = 0.03 * max(np.ptp(lons), np.ptp(lats), 1.0)
    ax.set_xlim(min(lons) - pad, max(lons) + pad)
    ax.set_ylim(max(-90.0, min(lats) - pad), min(90.0, max(lats) + pad))
    mid = 0.5 * (lat_e[0] + lat_e[-1])
    ax.set_aspect(1.0 / max(math.cos(math.radians(mid)), 0.2))
    ax.set_xlabel("longitude [deg]")
    ax.set_ylabel("latitude [deg]")
    ax.grid(alpha=0.3)
