"""Theatre map of a run: land, threat ground tracks, interceptor flyouts, sensor coverage,
defended assets, batteries, launch points and (when given) battery footprints.

Equirectangular (plate carrée) with the aspect ``1 / cos(mid latitude)`` so that distances
look right in the middle of the map; land from the packaged Natural Earth 1:110m file
(:mod:`hoplon.report.coastlines`), no network.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hoplon.report.coastlines import clip_box

#: Colours of threat ground tracks by outcome.
OUTCOME_COLOURS = {"intercepted": "0.35", "leaked": "#d62728", "in flight": "0.7"}
_FALLBACK_FORCE_COLOURS = ("#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf")
#: Colours for force names that are colour words (partners are often called so).
_NAMED = {
    "blue": "#1f5fbf",
    "green": "#1a8a3a",
    "red": "#c0392b",
    "orange": "#e67e22",
    "purple": "#7d3c98",
    "yellow": "#b7950b",
    "brown": "#8c564b",
}
LAND_COLOUR = "#e8e2d0"
SEA_COLOUR = "#f7fafd"


@dataclass(frozen=True)
class MapFootprint:
    """A defended ground area to draw: closed polygon(s) of (lon, lat) degrees.

    Attributes
    ----------
    label : str
    rings : sequence of (n, 2) float arrays
        Closed outlines in degrees (lon, lat).
    colour : str or None
        Outline/fill colour (the owner's colour when ``None``).
    owner : str or None
        Force that owns the battery.
    """

    label: str
    rings: Sequence[np.ndarray] = ()
    colour: str | None = None
    owner: str | None = None
    #: Or a grid: cell-centre axes [deg] and the defended cells ``(ny, nx)``.
    lat_deg: np.ndarray | None = None
    lon_deg: np.ndarray | None = None
    mask: np.ndarray | None = None

    @classmethod
    def from_footprint(
        cls, fp: Any, label: str | None = None, colour: str | None = None
    ) -> MapFootprint:
        """From a :class:`hoplon.analysis.footprint.Footprint` (its defended cells)."""
        sharing = "shared tracks" if fp.sharing else "own tracks"
        return cls(
            label=label or f"{fp.threat}, {sharing} ({fp.area_km2:,.0f} km²)",
            colour=colour,
            lat_deg=np.degrees(np.asarray(fp.lat_rad)),
            lon_deg=np.degrees(np.asarray(fp.lon_rad)),
            mask=np.asarray(fp.defended, dtype=bool),
        )


def force_colours(spec: Any) -> dict[str, str]:
    """One colour per force: the spec's ``color`` when set, a colour word name, or a palette."""
    out: dict[str, str] = {}
    if spec is None:
        return out
    k = 0
    for name, f in spec.forces.items():
        colour = getattr(f, "color", None) or _NAMED.get(name.lower())
        if colour is None:
            colour = _FALLBACK_FORCE_COLOURS[k % len(_FALLBACK_FORCE_COLOURS)]
            k += 1
        out[name] = colour
    return out


def scenario_radars(spec: Any) -> list[tuple[str, str, Any]]:
    """``(key, owner, Radar)`` for every radar of a scenario spec (as the engine builds them)."""
    from hoplon.scenario.schema import RadarSpec
    from hoplon.sim.world import build_radar

    out = []
    for sid, (key, s) in enumerate(spec.sensors.items()):
        if not isinstance(s, RadarSpec):
            continue
        radar = build_radar(key, s, sid)
        out.append((key, s.owner, radar))
    return out


def _circle(lat_deg: float, lon_deg: float, radius_m: float, n: int = 72) -> np.ndarray:
    """Small-circle outline (lon, lat) [deg] of ``radius_m`` around a point (sphere)."""
    from hoplon.earth.constants import R_EARTH_MEAN_M

    d = radius_m / R_EARTH_MEAN_M
    lat1, lon1 = math.radians(lat_deg), math.radians(lon_deg)
    az = np.linspace(0.0, 2 * math.pi, n)
    lat2 = np.arcsin(math.sin(lat1) * math.cos(d) + math.cos(lat1) * math.sin(d) * np.cos(az))
    lon2 = lon1 + np.arctan2(
        np.sin(az) * math.sin(d) * math.cos(lat1), math.cos(d) - math.sin(lat1) * np.sin(lat2)
    )
    return np.column_stack([np.degrees(lon2), np.degrees(lat2)])


def coverage_outline(
    radar: Any, altitude_m: float, rcs_m2: float, n_az: int = 361, n_r: int = 400
) -> np.ndarray | None:
    """Outline (lon, lat) [deg] of where ``radar`` detects a target of ``rcs_m2`` at
    ``altitude_m``, or ``None`` when it covers nothing there.

    Along each azimuth from the site, targets at ground distances ``0..1.05 R_det`` are
    checked with the radar's own visibility (range, field of regard, horizon) and SNR test
    (the same test as :func:`hoplon.sensors.coverage.radar_coverage`); the outline joins the
    farthest covered point of each azimuth (through the site for sectors).
    """
    from hoplon.earth.constants import R_EARTH_MEAN_M
    from hoplon.earth.frames import WGS84, geodetic_to_ecef

    reach = 1.05 * radar.detection_range_m(rcs_m2)
    az = np.linspace(0.0, 2 * math.pi, n_az)
    d = np.linspace(0.0, reach, n_r)[1:] / R_EARTH_MEAN_M  # angular ground distance
    lat1, lon1 = radar.lat_rad, radar.lon_rad
    A, D = np.meshgrid(az, d, indexing="ij")
    lat2 = np.arcsin(math.sin(lat1) * np.cos(D) + math.cos(lat1) * np.sin(D) * np.cos(A))
    lon2 = lon1 + np.arctan2(
        np.sin(A) * np.sin(D) * math.cos(lat1), np.cos(D) - math.sin(lat1) * np.sin(lat2)
    )
    r = geodetic_to_ecef(lat2, lon2, altitude_m, WGS84)
    arr = radar.as_array()
    ok = arr.visible(r)[..., 0] & (arr.snr_db(r, rcs_m2)[..., 0] >= radar.required_snr_db())
    if not ok.any():
        return None
    last = np.where(ok.any(axis=1), ok.shape[1] - 1 - np.argmax(ok[:, ::-1], axis=1), -1)
    rows = []
    site = (math.degrees(lon1), math.degrees(lat1))
    for i in range(n_az):
        if last[i] < 0:
            if not rows or rows[-1] != site:
                rows.append(site)
            continue
        rows.append((math.degrees(lon2[i, last[i]]), math.degrees(lat2[i, last[i]])))
    return np.asarray(rows)


def _unwrap_lon(lon_deg: np.ndarray, ref_deg: float) -> np.ndarray:
    """Longitudes shifted by multiples of 360 deg to lie within 180 deg of ``ref_deg``."""
    return ref_deg + (np.asarray(lon_deg, dtype=float) - ref_deg + 180.0) % 360.0 - 180.0


def plot_theatre(
    path: str | Path,
    *,
    spec: Any = None,
    threats: Any = None,
    shots: Any = None,
    trajectories: Any = None,
    footprints: Iterable[MapFootprint] = (),
    coverage_altitude_m: float = 100e3,
    coverage_rcs_m2: float = 0.1,
    coverage: bool = True,
    extent: str = "theatre",
    title: str | None = None,
    dpi: int = 130,
) -> Path:
    """Write a PNG map of the theatre.

    Parameters
    ----------
    path : output PNG.
    spec : ScenarioSpec, optional
        Sites of sensors, batteries and assets (and radar coverage) come from it.
    threats, shots, trajectories : pandas.DataFrame, optional
        A run's tables (``RunResult.threats``, ``.shots``, ``.trajectory_samples()``):
        ground tracks coloured by outcome, impact points of leakers, interceptor flyout
        lines from the battery to the aim point.
    footprints : MapFootprint, optional
        Defended ground areas drawn as hatched outlines.
    coverage_altitude_m, coverage_rcs_m2 : float
        Radar coverage is drawn where a target of this RCS at this altitude is detected
        (:func:`coverage_outline`: field of regard, horizon, SNR).
    extent : {"theatre", "coverage"}
        Frame the threats, sites and footprints only, or also the whole radar coverage.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_rgba
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Polygon

    colours = force_colours(spec)
    pts_lon: list[float] = []
    pts_lat: list[float] = []

    def add(lon: Any, lat: Any) -> None:
        pts_lon.extend(np.atleast_1d(np.asarray(lon, dtype=float)).ravel().tolist())
        pts_lat.extend(np.atleast_1d(np.asarray(lat, dtype=float)).ravel().tolist())

    # gather every located thing; longitudes later unwrapped around the theatre's centre
    sites: list[tuple[str, str, str, float, float]] = []  # (kind, key, owner, lon, lat)
    if spec is not None:
        for key, a in spec.assets.items():
            sites.append(
                ("asset", key, a.owner, math.degrees(a.site.lon), math.degrees(a.site.lat))
            )
        for key, s in spec.sensors.items():
            if getattr(s, "type", "") == "radar":
                sites.append(
                    ("radar", key, s.owner, math.degrees(s.site.lon), math.degrees(s.site.lat))
                )
        for key, b in spec.batteries.items():
            sites.append(
                ("battery", key, b.owner, math.degrees(b.site.lon), math.degrees(b.site.lat))
            )
        for raid in spec.threats:
            launch = getattr(raid, "launch", None)
            if launch is not None and hasattr(launch, "lat"):
                sites.append(
                    (
                        "launch",
                        raid.type,
                        raid.owner,
                        math.degrees(launch.lon),
                        math.degrees(launch.lat),
                    )
                )
    for _, _, _, lon, lat in sites:
        add(lon, lat)
    has_traj = trajectories is not None and len(trajectories) > 0
    if has_traj:
        add(trajectories.lon_deg.to_numpy(), trajectories.lat_deg.to_numpy())
    has_shots = shots is not None and len(shots) > 0 and "aim_lat_deg" in shots.columns
    footprints = list(footprints)
    for fp in footprints:
        for r in fp.rings:
            add(r[:, 0], r[:, 1])
        if fp.mask is not None and fp.mask.any():
            rows, cols = np.nonzero(fp.mask)
            add(fp.lon_deg[cols], fp.lat_deg[rows])
    outlines: list[tuple[str, np.ndarray]] = []
    if coverage and spec is not None:
        for _key, owner, radar in scenario_radars(spec):
            ring = coverage_outline(radar, coverage_altitude_m, coverage_rcs_m2)
            if ring is not None:
                outlines.append((owner, ring))
    if not pts_lon:
        add([0.0], [0.0])
    if extent == "coverage":
        for _, ring in outlines:
            add(ring[:, 0], ring[:, 1])
    lon_arr, lat_arr = np.asarray(pts_lon), np.asarray(pts_lat)
    ref = float(np.degrees(np.angle(np.mean(np.exp(1j * np.radians(lon_arr))))))
    lon_arr = _unwrap_lon(lon_arr, ref)
    lon_lo, lon_hi = float(lon_arr.min()), float(lon_arr.max())
    lat_lo, lat_hi = float(lat_arr.min()), float(lat_arr.max())
    pad = max(1.0, (0.05 if extent == "coverage" else 0.12) * max(lon_hi - lon_lo, lat_hi - lat_lo))
    lon_lo, lon_hi = lon_lo - pad, lon_hi + pad
    lat_lo, lat_hi = max(-90.0, lat_lo - pad), min(90.0, lat_hi + pad)
    mid_lat = 0.5 * (lat_lo + lat_hi)
    aspect = 1.0 / max(math.cos(math.radians(mid_lat)), 0.2)

    width_in = 10.0
    span_ratio = (lat_hi - lat_lo) * aspect / max(lon_hi - lon_lo, 1e-6)
    fig, ax = plt.subplots(
        figsize=(width_in, min(max(width_in * span_ratio, 4.5), 12.0) + 0.8),
        constrained_layout=True,
    )
    ax.set_facecolor(SEA_COLOUR)
    for poly in clip_box(lon_lo - 5, lon_hi + 5, lat_lo - 5, lat_hi + 5):
        # shift whole polygons near the reference meridian
        outer = poly[0]
        shift = _unwrap_lon(np.array([outer[:, 0].mean()]), ref)[0] - outer[:, 0].mean()
        for k, ring in enumerate(poly):
            xy = ring + np.array([shift, 0.0])
            face = LAND_COLOUR if k == 0 else SEA_COLOUR
            ax.add_patch(
                Polygon(xy, closed=True, facecolor=face, edgecolor="0.45", lw=0.6, zorder=1)
            )

    handles: list[Any] = []
    # radar coverage
    if outlines:
        for owner, ring in outlines:
            colour = colours.get(owner, "0.3")
            xy = np.column_stack([_unwrap_lon(ring[:, 0], ref), ring[:, 1]])
            ax.add_patch(
                Polygon(
                    xy,
                    closed=True,
                    facecolor=to_rgba(colour, 0.06),
                    edgecolor=colour,
                    lw=1.0,
                    ls="--",
                    zorder=2,
                )
            )
        handles.append(
            Line2D(
                [],
                [],
                color="0.3",
                ls="--",
                lw=0.9,
                label=(
                    f"radar coverage ({coverage_rcs_m2:g} m² at {coverage_altitude_m / 1e3:g} km)"
                ),
            )
        )

    # footprints
    for fp in footprints:
        colour = fp.colour or colours.get(fp.owner or "", "tab:purple")
        for r in fp.rings:
            xy = np.column_stack([_unwrap_lon(r[:, 0], ref), r[:, 1]])
            ax.add_patch(
                Polygon(
                    xy,
                    closed=True,
                    facecolor=to_rgba(colour, 0.15),
                    edgecolor=colour,
                    lw=1.2,
                    hatch="//",
                    zorder=3,
                )
            )
        handles.append(
            Patch(facecolor=colour, alpha=0.3, hatch="//", label=f"footprint {fp.label}")
        )

    # threat ground tracks
    if has_traj:
        outcome = {}
        if threats is not None and len(threats):
            outcome = dict(zip(threats.threat.astype(int), threats.outcome, strict=False))
        for tid, g in trajectories.groupby("threat", sort=True):
            g = g.sort_values("time_s")
            o = outcome.get(int(tid), "in flight")
            x = _unwrap_lon(g.lon_deg.to_numpy(), ref)
            ax.plot(x, g.lat_deg, color=OUTCOME_COLOURS.get(o, "0.5"), lw=1.0, alpha=0.8, zorder=4)
            if o == "intercepted":
                ax.plot(x[-1], g.lat_deg.iloc[-1], "*", color="k", ms=6, zorder=6)
        for o, c in OUTCOME_COLOURS.items():
            if o in set(outcome.values()):
                handles.append(Line2D([], [], color=c, lw=1.2, label=f"threat track ({o})"))
        if "intercepted" in set(outcome.values()):
            handles.append(Line2D([], [], color="k", marker="*", ls="", label="intercept"))
    if threats is not None and len(threats) and "impact_lat_deg" in threats.columns:
        leak = threats[(threats.outcome == "leaked") & threats.impact_lat_deg.notna()]
        if len(leak):
            ax.plot(
                _unwrap_lon(leak.impact_lon_deg.to_numpy(), ref),
                leak.impact_lat_deg,
                "x",
                color=OUTCOME_COLOURS["leaked"],
                ms=7,
                mew=2,
                zorder=7,
            )
            handles.append(
                Line2D(
                    [],
                    [],
                    color=OUTCOME_COLOURS["leaked"],
                    marker="x",
                    ls="",
                    mew=2,
                    label="leaker impact",
                )
            )

    # interceptor flyouts
    if has_shots:
        for s in shots.itertuples():
            if not (np.isfinite(s.aim_lat_deg) and np.isfinite(s.site_lat_deg)):
                continue
            colour = colours.get(s.force, "tab:blue")
            xs = _unwrap_lon(np.array([s.site_lon_deg, s.aim_lon_deg]), ref)
            ax.plot(
                xs,
                [s.site_lat_deg, s.aim_lat_deg],
                color=colour,
                lw=0.8,
                ls="-" if bool(s.hit) else ":",
                alpha=0.9,
                zorder=5,
            )
        handles.append(Line2D([], [], color="0.2", lw=0.8, label="interceptor flyout (hit)"))
        handles.append(
            Line2D([], [], color="0.2", lw=0.8, ls=":", label="interceptor flyout (miss)")
        )

    # sites
    marker = {"asset": "o", "radar": "^", "battery": "s", "launch": "v"}
    seen_kinds = set()
    placed: list[tuple[float, float]] = []
    label_dx = 0.08 * (lon_hi - lon_lo)
    label_dy = 0.02 * (lat_hi - lat_lo)
    for kind, key, owner, lon, lat in sites:
        x = float(_unwrap_lon(np.array([lon]), ref)[0])
        colour = colours.get(owner, "0.2")
        if kind == "asset":
            radius = spec.assets[key].radius
            ring = _circle(lat, lon, radius)
            ax.add_patch(
                Polygon(
                    np.column_stack([_unwrap_lon(ring[:, 0], ref), ring[:, 1]]),
                    closed=True,
                    facecolor=colour,
                    alpha=0.35,
                    edgecolor=colour,
                    lw=1.0,
                    zorder=6,
                )
            )
        ax.plot(
            x,
            lat,
            marker[kind],
            color=colour if kind != "launch" else "#c0392b",
            mec="k",
            mew=0.6,
            ms=7 if kind != "asset" else 5,
            zorder=8,
        )
        if kind != "launch":
            near = sum(
                1 for (px, py) in placed if abs(px - x) < label_dx and abs(py - lat) < label_dy
            )
            placed.append((x, lat))
            ax.annotate(
                key,
                (x, lat),
                xytext=(5, 3 - 9 * near),
                textcoords="offset points",
                fontsize=7,
                color="0.1",
                zorder=9,
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.6},
            )
        seen_kinds.add(kind)
    names = {
        "asset": "defended asset",
        "radar": "radar",
        "battery": "battery",
        "launch": "launch point",
    }
    for kind in ("asset", "radar", "battery", "launch"):
        if kind in seen_kinds:
            handles.append(
                Line2D(
                    [],
                    [],
                    marker=marker[kind],
                    color="0.5" if kind != "launch" else "#c0392b",
                    mec="k",
                    ls="",
                    label=names[kind],
                )
            )
    for name, c in colours.items():
        if spec is not None and spec.forces[name].role == "attack":
            continue
        handles.append(Patch(facecolor=c, label=spec.forces[name].name or name))

    ax.set_xlim(lon_lo, lon_hi)
    ax.set_ylim(lat_lo, lat_hi)
    ax.set_aspect(aspect)
    ax.set_xlabel("longitude [deg]")
    ax.set_ylabel("latitude [deg]")
    ax.grid(alpha=0.3, lw=0.5)
    if handles:
        ax.legend(handles=handles, loc="best", fontsize=7, framealpha=0.85)
    ax.set_title(title or (spec.name if spec is not None else "theatre"))
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=dpi)
    plt.close(fig)
    return out
