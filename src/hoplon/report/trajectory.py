"""Plots of a single trajectory: altitude against ground range, and the ground track."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from hoplon.flight import Trajectory


def ground_track(traj: Trajectory) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Latitude [deg], longitude [deg], altitude [m] and ground range from launch [m].

    The ground range is the great-circle distance on the mean sphere from the launch
    point to each sample's sub-point (adequate for a plot axis).
    """
    from hoplon.earth.geodesy import great_circle_distance

    lla = traj.lla()
    lat, lon, alt = lla[:, 0], lla[:, 1], lla[:, 2]
    rng = great_circle_distance(lat[0], lon[0], lat, lon)
    return np.degrees(lat), np.degrees(lon), np.asarray(alt), np.asarray(rng)


def plot_trajectory(traj: Trajectory, path: str | Path, title: str | None = None) -> Path:
    """Write a two-panel PNG: altitude vs ground range, and the ground track on a map.

    Parameters
    ----------
    traj : Trajectory
        The trajectory to draw.
    path : str or Path
        Output PNG file.
    title : str, optional
        Figure title; defaults to a line from the trajectory summary.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    lat, lon, alt, rng = ground_track(traj)
    summary = traj.summary()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.8), constrained_layout=True)

    ax1.plot(rng / 1e3, alt / 1e3, color="tab:red", lw=1.8)
    burnout_t = getattr(traj, "burnout_time_s", None)
    if burnout_t is not None and np.isfinite(burnout_t):
        k = int(np.searchsorted(traj.t_s, burnout_t))
        ax1.plot(rng[:k] / 1e3, alt[:k] / 1e3, color="tab:orange", lw=3, label="boost")
        ax1.legend(loc="upper right")
    ax1.set_xlabel("ground range [km]")
    ax1.set_ylabel("altitude [km]")
    ax1.set_ylim(bottom=0)
    ax1.set_xlim(left=0)
    ax1.grid(alpha=0.3)
    ax1.set_title("altitude profile")

    lon_unwrapped = np.degrees(np.unwrap(np.radians(lon)))
    ax2.plot(lon_unwrapped, lat, color="tab:red", lw=1.8)
    ax2.plot(lon_unwrapped[0], lat[0], "^", color="tab:red", ms=9, label="launch")
    ax2.plot(lon_unwrapped[-1], lat[-1], "x", color="k", ms=10, mew=2, label="impact")
    pad = max(2.0, 0.15 * max(np.ptp(lon_unwrapped), np.ptp(lat)))
    ax2.set_xlim(lon_unwrapped.min() - pad, lon_unwrapped.max() + pad)
    ax2.set_ylim(max(-90, lat.min() - pad), min(90, lat.max() + pad))
    ax2.set_aspect(1.0 / max(np.cos(np.radians(np.mean(lat))), 0.2))
    ax2.set_xlabel("longitude [deg]")
    ax2.set_ylabel("latitude [deg]")
    ax2.grid(alpha=0.3)
    ax2.legend(loc="best")
    ax2.set_title("ground track")

    fig.suptitle(
        title
        or (
            f"range {summary['ground_range_m'] / 1e3:,.0f} km, "
            f"apogee {summary['apogee_altitude_m'] / 1e3:,.0f} km, "
            f"flight time {summary['flight_time_s'] / 60:.1f} min"
        )
    )
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out
