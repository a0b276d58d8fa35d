"""Coverage maps: the area where each sensor detects a target at a given altitude."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from hoplon.sensors.coverage import CoverageMap

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
    "tab:gray",
)


def plot_coverage(maps: list[CoverageMap], path: str | Path, title: str | None = None) -> Path:
    """Write a PNG with the coverage region of each map on a longitude/latitude map.

    Each sensor's region is a filled, outlined contour of its covered grid; radar sites are
    marked with a triangle. The legend gives the covered area and, for radars, the detection
    range against the reference RCS.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    radars_only = [m for m in maps if m.kind == "radar"]
    mixed = bool(radars_only) and len(radars_only) < len(maps)
    if mixed:  # a global panel and a zoom on the radars
        fig, axes = plt.subplots(1, 2, figsize=(15, 6.5), constrained_layout=True)
    else:
        fig, ax0 = plt.subplots(figsize=(9, 7), constrained_layout=True)
        axes = [ax0]
    handles = []
    for i, m in enumerate(maps):
        colour = _COLOURS[i % len(_COLOURS)]
        label = f"{m.name}: {m.area_m2 / 1e6:,.0f} km²"
        if m.kind == "radar":
            label += f", detection range {m.detection_range_m / 1e3:,.0f} km (RCS {m.rcs_m2:g} m²)"
        handles.append(Patch(facecolor=colour, alpha=0.5, edgecolor=colour, label=label))
        for ax in axes:
            _draw(ax, m, colour)
    _limits(axes[0], maps)
    if mixed:
        _limits(axes[1], radars_only)
        axes[0].set_title("all sensors")
        axes[1].set_title("radars")
    for ax in axes:
        ax.set_xlabel("longitude [deg]")
        ax.set_ylabel("latitude [deg]")
        ax.grid(alpha=0.3)
    if handles:
        axes[-1].legend(handles=handles, loc="best", fontsize=8)
    alt_km = maps[0].altitude_m / 1e3 if maps else 0.0
    fig.suptitle(title or f"coverage at {alt_km:,.0f} km altitude")
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out


def _draw(ax: Any, m: CoverageMap, colour: str) -> None:
    lon_deg, lat_deg = np.degrees(m.lon_rad), np.degrees(m.lat_rad)
    if m.covered.any():
        z = m.covered.astype(float)
        ax.contourf(lon_deg, lat_deg, z, levels=[0.5, 1.5], colors=[colour], alpha=0.35)
        ax.contour(lon_deg, lat_deg, z, levels=[0.5], colors=[colour], linewidths=1.2)
    if m.kind == "radar":
        ax.plot(
            math.degrees(m.site_lon_rad),
            math.degrees(m.site_lat_rad),
            "^",
            color=colour,
            ms=9,
            mec="k",
        )


def _limits(ax: Any, maps: list[CoverageMap]) -> None:
    lat_all: list[float] = []
    lon_all: list[float] = []
    for m in maps:
        lon_deg, lat_deg = np.degrees(m.lon_rad), np.degrees(m.lat_rad)
        if m.covered.any():
            rows, cols = np.nonzero(m.covered)
            lat_all += [lat_deg[rows].min(), lat_deg[rows].max()]
            lon_all += [lon_deg[cols].min(), lon_deg[cols].max()]
        if m.kind == "radar":
            lat_all.append(math.degrees(m.site_lat_rad))
            lon_all.append(math.degrees(m.site_lon_rad))
    if not lat_all:
        return
    pad = max(1.0, 0.1 * max(np.ptp(lon_all), np.ptp(lat_all)))
    ax.set_xlim(min(lon_all) - pad, max(lon_all) + pad)
    ax.set_ylim(max(-90.0, min(lat_all) - pad), min(90.0, max(lat_all) + pad))
    mid = 0.5 * (min(lat_all) + max(lat_all))
    ax.set_aspect(1.0 / max(math.cos(math.radians(mid)), 0.2))
