"""Ground (or sea) radars: visibility, SNR, detection and noisy measurements.

A :class:`Radar` holds one radar's configuration in SI units (built by the spec layer or
directly); it never simulates in its constructor. Work happens in methods that are thin
wrappers around array kernels on a :class:`RadarArray` (the same parameters stacked over
``S`` sensors), so that visibility and detection of ``(objects x times)`` targets against
``S`` sensors is one broadcast evaluation, not a Python loop.

Sensitivity is kept as one constant ``C`` [m^2] such that the (per-pulse, or per-look for
the search form) SNR is ``SNR = C sigma / R^4``; every form of the radar range equation in
:mod:`hoplon.sensors.radar_equation` reduces to it.

Visibility of a target (all conditions):

- slant range ``<= max_range_m`` (instrumented range);
- azimuth within the field of regard ``|wrap(az - az_boresight)| <= span/2``;
- elevation ``max(min_elevation, el_min) <= el <= el_max`` (geometric elevation);
- line of sight over a smooth Earth with effective radius factor ``k``
  (:func:`hoplon.earth.horizon.los_clear`).

Measurement noise (per detection, independent Gaussian)::

    sigma_R   = sqrt(sigma_R0^2   + (dR  / sqrt(2 SNR))^2)          (dR: range resolution)
    sigma_ang = sqrt(sigma_ang0^2 + (theta_3dB / (k_m sqrt(2 SNR)))^2)

The SNR-dependent terms are included only when ``range_resolution_m`` /
``beamwidth_rad`` are set (Barton, *Radar System Analysis and Modeling*, 2005, ch. 18).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray

from hoplon.earth.constants import R_EARTH_MEAN_M
from hoplon.earth.frames import (
    WGS84,
    _geodetic_altitude,
    ecef_to_geodetic,
    enu_matrix,
    geodetic_to_ecef,
)
from hoplon.earth.horizon import FOUR_THIRDS, los_clear
from hoplon.errors import InputError
from hoplon.sensors.detection import pd_from_snr, required_snr_db
from hoplon.sensors.lane_draws import detect_lanes, lane_states
from hoplon.sensors.measurements import MeasurementBatch, MeasurementKind

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
TWO_PI = 2.0 * math.pi


@dataclass(frozen=True)
class Radar:
    """Configuration of one radar, SI units (angles in rad).

    Attributes
    ----------
    name : str
        Identifier used in messages.
    lat_rad, lon_rad, alt_m : float
        Geodetic site (WGS84).
    snr_constant_m2 : float
        ``C`` in ``SNR = C sigma / R^4`` (per pulse for ``n_pulses`` pulses).
    max_range_m : float
        Instrumented range.
    boresight_az_rad, azimuth_span_rad : float
        Field of regard in azimuth: ``boresight +- span/2`` (span ``2 pi``: all round).
    min_elevation_rad, max_elevation_rad : float
        Elevation limits of the field of regard (the minimum includes any terrain mask).
    k_factor : float
        Effective Earth radius factor for the horizon (4/3 standard; 1 geometric).
    pfa, n_pulses, swerling, method : detection parameters (see :mod:`.detection`).
    pd_required : float
        Single-dwell Pd that defines the "detection range" of coverage maps.
    revisit_s : float
        Time between looks at the same target (scan period).
    sigma_range_m, sigma_angle_rad : float
        Noise floors of range and of each angle (azimuth, elevation).
    sigma_range_rate_mps : float or None
        Range-rate noise; when set, ``observe`` gives ``RAE_RATE`` measurements.
    beamwidth_rad, monopulse_slope, range_resolution_m : float or None
        Enable SNR-scaled noise (see module docstring).
    false_alarms : bool
        Whether ``observe`` adds false alarms.
    n_cells : float
        Resolution cells per dwell (false alarms per dwell ~ Poisson(Pfa n_cells)).
    sensor_id, owner : int
        Indices written into measurements.
    """

    name: str
    lat_rad: float
    lon_rad: float
    alt_m: float
    snr_constant_m2: float
    max_range_m: float
    boresight_az_rad: float = 0.0
    azimuth_span_rad: float = TWO_PI
    min_elevation_rad: float = 0.0
    max_elevation_rad: float = 0.5 * math.pi
    k_factor: float = FOUR_THIRDS
    pfa: float = 1e-6
    n_pulses: int = 1
    swerling: int = 1
    method: str = "exact"
    pd_required: float = 0.9
    revisit_s: float = 10.0
    sigma_range_m: float = 10.0
    sigma_angle_rad: float = 1e-3
    sigma_range_rate_mps: float | None = None
    beamwidth_rad: float | None = None
    monopulse_slope: float = 1.6
    range_resolution_m: float | None = None
    false_alarms: bool = False
    n_cells: float = 1e5
    sensor_id: int = 0
    owner: int = 0

    # ------------------------------------------------------------------ geometry helpers

    @property
    def position_ecef_m(self) -> FloatArray:
        """Site position, ECEF [m]."""
        return geodetic_to_ecef(self.lat_rad, self.lon_rad, self.alt_m, WGS84)

    def blind_reason(self) -> str | None:
        """Why this radar can never see anything, or ``None`` if it can."""
        if self.azimuth_span_rad <= 0.0:
            return "its azimuth field of regard is empty (span 0)"
        if self.max_elevation_rad <= self.min_elevation_rad:
            return "its elevation field of regard is empty (max elevation <= min elevation)"
        if self.max_range_m <= 0.0:
            return "its maximum range is zero"
        if self.snr_constant_m2 <= 0.0:
            return "its sensitivity is zero"
        return None

    def as_array(self) -> RadarArray:
        """This radar as a one-sensor :class:`RadarArray` (built once, then cached)."""
        cached = self.__dict__.get("_as_array")
        if cached is None:
            cached = RadarArray.stack([self])
            self.__dict__["_as_array"] = cached  # frozen dataclass: bypass __setattr__
        return cached

    def _consts(self) -> _RadarConsts:
        """Dwell-independent constants of :func:`_geometry` (built once, then cached)."""
        cached = self.__dict__.get("_consts_cache")
        if cached is None:
            cached = _RadarConsts.build(self)
            self.__dict__["_consts_cache"] = cached  # frozen dataclass: bypass __setattr__
        return cached

    # ------------------------------------------------------------------------- methods

    def aer(self, r_ecef: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Azimuth, elevation [rad], slant range [m] of targets ``(..., 3)``."""
        az, el, rng = self.as_array().aer(r_ecef)
        return az[..., 0], el[..., 0], rng[..., 0]

    def visible(self, r_ecef: ArrayLike) -> BoolArray:
        """Whether each target ``(..., 3)`` is in range, field of regard and line of sight."""
        return self.as_array().visible(r_ecef)[..., 0]

    def snr_db(self, r_ecef: ArrayLike, rcs_m2: ArrayLike) -> FloatArray:
        """SNR [dB] of targets ``(..., 3)`` with RCS ``(...)`` (ignores visibility)."""
        return self.as_array().snr_db(r_ecef, np.asarray(rcs_m2, float)[..., None])[..., 0]

    def pd(self, r_ecef: ArrayLike, rcs_m2: ArrayLike) -> FloatArray:
        """Single-dwell Pd of targets ``(..., 3)``; 0 where not visible."""
        return self.as_array().pd(r_ecef, np.asarray(rcs_m2, float)[..., None])[..., 0]

    def required_snr_db(self) -> float:
        """Per-pulse SNR [dB] for ``pd_required`` with this radar's detection settings."""
        return float(
            required_snr_db(self.pd_required, self.pfa, self.n_pulses, self.swerling, self.method)
        )

    def detection_range_m(self, rcs_m2: float) -> float:
        """Range [m] at which a target of ``rcs_m2`` is detected with ``pd_required``.

        ``R = (C sigma / SNR_req)^(1/4)``, capped at the instrumented range.
        """
        snr_req = 10.0 ** (self.required_snr_db() / 10.0)
        return float(min((self.snr_constant_m2 * rcs_m2 / snr_req) ** 0.25, self.max_range_m))

    def scan_times(self, t_start_s: float, t_end_s: float, phase_s: float = 0.0) -> FloatArray:
        """Look times ``t_start + phase + i revisit`` in ``[t_start, t_end]``."""
        return np.arange(t_start_s + phase_s, t_end_s + 1e-9, self.revisit_s)

    def observe(
        self,
        t_s: ArrayLike,
        r_ecef: ArrayLike,
        rcs_m2: ArrayLike,
        rng: np.random.Generator,
        truth_id: ArrayLike | None = None,
        v_ecef: ArrayLike | None = None,
    ) -> MeasurementBatch:
        """Detect and measure targets; one dwell per distinct time.

        Parameters
        ----------
        t_s : float or (n,) float
            Look time of each target row [s].
        r_ecef : (n, 3) float
            True target positions [m, ECEF].
        rcs_m2 : float or (n,) float
            Mean RCS of each target.
        rng : numpy.random.Generator
            Source of all randomness (detection draws, noise, false alarms).
        truth_id : (n,) int, optional
            True object index of each row (default ``arange(n)``).
        v_ecef : (n, 3) float, optional
            True velocities; needed for ``RAE_RATE`` (when ``sigma_range_rate_mps`` is set).

        Returns
        -------
        MeasurementBatch
            ``RAE`` (or ``RAE_RATE``) reports of detections and false alarms, time-sorted.
        """
        return observe_radar(self, t_s, r_ecef, rcs_m2, rng, truth_id, v_ecef)


# ---------------------------------------------------------------------------- stacked


@dataclass(frozen=True)
class RadarArray:
    """Parameters of ``S`` radars stacked as arrays ``(S,)`` for batched evaluation."""

    radars: tuple[Radar, ...]
    site_ecef_m: FloatArray  # (S, 3)
    M: FloatArray  # (S, 3, 3) ECEF -> ENU
    site_r_m: FloatArray  # (S,) geocentric radius of the site
    alt_m: FloatArray
    snr_constant_m2: FloatArray
    max_range_m: FloatArray
    boresight_az_rad: FloatArray
    half_span_rad: FloatArray
    el_lo_rad: FloatArray
    el_hi_rad: FloatArray
    k_factor: FloatArray

    @staticmethod
    def stack(radars: list[Radar] | tuple[Radar, ...]) -> RadarArray:
        """Stack radars (order kept: axis ``S`` of every output)."""
        rs = tuple(radars)

        def arr(name: str) -> FloatArray:
            return np.array([getattr(r, name) for r in rs], dtype=float)

        lat, lon, alt = arr("lat_rad"), arr("lon_rad"), arr("alt_m")
        site = geodetic_to_ecef(lat, lon, alt, WGS84)
        return RadarArray(
            radars=rs,
            site_ecef_m=site,
            M=enu_matrix(lat, lon),
            site_r_m=np.linalg.norm(site, axis=-1),
            alt_m=alt,
            snr_constant_m2=arr("snr_constant_m2"),
            max_range_m=arr("max_range_m"),
            boresight_az_rad=arr("boresight_az_rad"),
            half_span_rad=0.5 * arr("azimuth_span_rad"),
            el_lo_rad=arr("min_elevation_rad"),
            el_hi_rad=arr("max_elevation_rad"),
            k_factor=arr("k_factor"),
        )

    def __len__(self) -> int:
        return len(self.radars)

    def aer(self, r_ecef: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Azimuth, elevation [rad] and range [m] of targets ``(..., 3)`` -> ``(..., S)``."""
        r = np.asarray(r_ecef, dtype=float)
        d = r[..., None, :] - self.site_ecef_m  # (..., S, 3)
        enu = np.einsum("sij,...sj->...si", self.M, d)
        e, n, u = enu[..., 0], enu[..., 1], enu[..., 2]
        horiz = np.hypot(e, n)
        az = np.mod(np.arctan2(e, n), TWO_PI)
        return az, np.arctan2(u, horiz), np.hypot(horiz, u)

    def visible(self, r_ecef: ArrayLike) -> BoolArray:
        """Visibility of targets ``(..., 3)`` from each radar -> ``(..., S)`` bool."""
        r = np.asarray(r_ecef, dtype=float)
        az, el, rng = self.aer(r)
        daz = np.abs(np.mod(az - self.boresight_az_rad + math.pi, TWO_PI) - math.pi)
        in_for = (
            (daz <= self.half_span_rad + 1e-12) & (el >= self.el_lo_rad) & (el <= self.el_hi_rad)
        )
        ok = in_for & (rng <= self.max_range_m)
        _, _, h_t = ecef_to_geodetic(r, WGS84)
        cosang = np.einsum("...j,sj->...s", r, self.site_ecef_m) / (
            np.linalg.norm(r, axis=-1)[..., None] * self.site_r_m
        )
        theta = np.arccos(np.clip(cosang, -1.0, 1.0))
        los = los_clear(self.alt_m, h_t[..., None], theta, self.k_factor)
        return ok & los

    def snr_db(self, r_ecef: ArrayLike, rcs_m2: ArrayLike) -> FloatArray:
        """SNR [dB] ``10 log10(C sigma / R^4)`` -> ``(..., S)``; ``rcs_m2`` broadcasts."""
        _, _, rng = self.aer(r_ecef)
        with np.errstate(divide="ignore"):
            return 10.0 * np.log10(
                self.snr_constant_m2 * np.asarray(rcs_m2, float) / np.maximum(rng, 1.0) ** 4
            )

    def pd(self, r_ecef: ArrayLike, rcs_m2: ArrayLike) -> FloatArray:
        """Single-dwell Pd -> ``(..., S)``; 0 where a target is not visible."""
        vis = self.visible(r_ecef)
        snr = self.snr_db(r_ecef, rcs_m2)
        out = np.zeros(vis.shape)
        for s, radar in enumerate(self.radars):
            out[..., s] = pd_lookup(
                snr[..., s], radar.pfa, radar.n_pulses, radar.swerling, radar.method
            )
        return np.where(vis, out, 0.0)

    def evaluate(
        self, r_ecef: ArrayLike, rcs_m2: ArrayLike
    ) -> tuple[BoolArray, FloatArray, FloatArray]:
        """Visibility, SNR [dB] and Pd of objects over times against every radar.

        Parameters
        ----------
        r_ecef : (n_obj, n_t, 3) float
        rcs_m2 : (n_obj,) float

        Returns
        -------
        visible, snr_db, pd : (n_obj, S, n_t)
        """
        r = np.asarray(r_ecef, dtype=float)
        rcs = np.asarray(rcs_m2, dtype=float)[:, None, None]
        vis = self.visible(r)
        snr = self.snr_db(r, rcs)
        pd = np.zeros(vis.shape)
        for s, radar in enumerate(self.radars):
            pd[..., s] = pd_lookup(
                snr[..., s], radar.pfa, radar.n_pulses, radar.swerling, radar.method
            )
        pd = np.where(vis, pd, 0.0)
        return (np.moveaxis(vis, -1, 1), np.moveaxis(snr, -1, 1), np.moveaxis(pd, -1, 1))


# ---------------------------------------------------------------------- Pd table lookup

_TABLE_DB = np.linspace(-40.0, 60.0, 4001)  # 0.025 dB steps


@lru_cache(maxsize=64)
def _pd_table(pfa: float, n_pulses: int, swerling: int, method: str) -> FloatArray:
    return np.asarray(pd_from_snr(_TABLE_DB, pfa, n_pulses, swerling, method), dtype=float)


def pd_lookup(
    snr_db: ArrayLike, pfa: float, n_pulses: int, swerling: int, method: str = "exact"
) -> FloatArray:
    """Pd for per-pulse SNR [dB] by interpolation in a cached table (0.025 dB steps).

    Accurate to about 1e-4 in Pd; below -40 dB Pd is the table's first value (about
    Pfa), above 60 dB it is 1. Use :func:`hoplon.sensors.detection.pd_from_snr` for exact
    values.
    """
    table = _pd_table(float(pfa), int(n_pulses), int(swerling), str(method))
    s = np.asarray(snr_db, dtype=float)
    s = np.where(np.isnan(s), -np.inf, s)
    return np.interp(s, _TABLE_DB, table, left=table[0], right=1.0)


# --------------------------------------------------------------- fast one-radar geometry
#
# ``_geometry`` evaluates the same expressions as ``RadarArray.aer`` / ``visible`` /
# ``snr_db`` and ``pd_lookup`` for one radar, bit for bit, with fewer array operations:
# the additions, multiplications, divisions, square roots, ``hypot`` and ``%`` run in
# compiled loops (in the order numpy evaluates them; ``einsum`` of a 3-vector sums
# ``(p0 + p2) + p1``), while every transcendental function (``arctan2``, ``arccos``,
# ``cos``, ``sin``, ``**``, ``log10``) stays a numpy ufunc, whose (possibly SIMD) results
# a compiled loop would not reproduce. ``tests/sensors/test_radar_lanes.py`` checks the
# two against each other.


@dataclass(frozen=True)
class _RadarConsts:
    """What :func:`_geometry` needs of a radar that does not depend on the dwell."""

    site: FloatArray  # (3,) ECEF
    M: FloatArray  # (3, 3) ECEF -> ENU
    site_r: float
    bore: float
    half_span_tol: float  # half span + 1e-12
    el_lo: float
    el_hi: float
    max_range: float
    k: float
    re: float  # effective Earth radius k R
    r1: float  # re + max(site altitude, 0)
    re2_tol: float  # re^2 (1 - 1e-12)
    snr_constant: float
    table: FloatArray  # Pd table (see pd_lookup)
    sigma_range: FloatArray  # (1,) noise floors, for the constant-noise reports
    sigma_angle: FloatArray  # (1,)
    const_noise: bool  # no SNR-dependent noise terms

    @staticmethod
    def build(radar: Radar) -> _RadarConsts:
        arr = radar.as_array()
        k_ = arr.k_factor  # (1,) float, as los_clear sees it
        re = k_ * np.asarray(R_EARTH_MEAN_M, dtype=float)
        h1 = np.maximum(arr.alt_m, 0.0)
        return _RadarConsts(
            site=np.ascontiguousarray(arr.site_ecef_m[0]),
            M=np.ascontiguousarray(arr.M[0]),
            site_r=float(arr.site_r_m[0]),
            bore=float(arr.boresight_az_rad[0]),
            half_span_tol=float((arr.half_span_rad + 1e-12)[0]),
            el_lo=float(arr.el_lo_rad[0]),
            el_hi=float(arr.el_hi_rad[0]),
            max_range=float(arr.max_range_m[0]),
            k=float(k_[0]),
            re=float(re[0]),
            r1=float((re + h1)[0]),
            re2_tol=float((re * re * (1.0 - 1e-12))[0]),
            snr_constant=float(radar.snr_constant_m2),
            table=_pd_table(
                float(radar.pfa), int(radar.n_pulses), int(radar.swerling), str(radar.method)
            ),
            sigma_range=np.array([radar.sigma_range_m], dtype=float),
            sigma_angle=np.array([radar.sigma_angle_rad], dtype=float),
            const_noise=radar.range_resolution_m is None and radar.beamwidth_rad is None,
        )


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _enu_kernel(
    r: FloatArray,
    site: FloatArray,
    M: FloatArray,
    site_r: float,
    out: FloatArray,
) -> None:  # pragma: no cover - compiled
    """Rows of ``out`` (8, n): east, north, up, horizontal range, slant range,
    ``clip(cos(central angle), -1, 1)``, ``max(range, 1)`` (then a scratch row), as
    ``RadarArray.aer`` / ``visible`` / ``_geometry`` compute them."""
    s0, s1, s2 = site[0], site[1], site[2]
    for i in range(r.shape[0]):
        x, y, z = r[i, 0], r[i, 1], r[i, 2]
        d0, d1, d2 = x - s0, y - s1, z - s2
        e = (M[0, 0] * d0 + M[0, 2] * d2) + M[0, 1] * d1
        n = (M[1, 0] * d0 + M[1, 2] * d2) + M[1, 1] * d1
        u = (M[2, 0] * d0 + M[2, 2] * d2) + M[2, 1] * d1
        horiz = math.hypot(e, n)
        rg = math.hypot(horiz, u)
        out[0, i] = e
        out[1, i] = n
        out[2, i] = u
        out[3, i] = horiz
        out[4, i] = rg
        c = ((x * s0 + z * s2) + y * s1) / (math.sqrt((x * x + y * y) + z * z) * site_r)
        if c < -1.0:
            c = -1.0
        elif c > 1.0:
            c = 1.0
        out[5, i] = c
        out[6, i] = rg if rg > 1.0 or math.isnan(rg) else 1.0


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _visible_kernel(
    r: FloatArray,
    a_m: float,
    b_m: float,
    az: FloatArray,
    el: FloatArray,
    rg: FloatArray,
    th: FloatArray,
    cos_th: FloatArray,
    sin_th: FloatArray,
    rcs: FloatArray,
    rcs_step: int,
    rg4: FloatArray,
    bore: float,
    half_span_tol: float,
    el_lo: float,
    el_hi: float,
    max_range: float,
    re: float,
    r1: float,
    re2_tol: float,
    snr_constant: float,
    vis: NDArray[np.bool_],
    ratio: FloatArray,
    alt_cache: FloatArray,
    alt_row: IntArray,
) -> None:  # pragma: no cover - compiled
    """Wraps ``az`` to [0, 2 pi) in place; visibility and ``C sigma / max(R, 1)^4``.

    The line of sight (which needs the geodetic altitude) is only worked out for targets
    in range and in the field of regard. With ``alt_row`` (one entry per row; empty for
    none) row ``i``'s altitude is kept in ``alt_cache[alt_row[i]]`` (NaN: not worked out
    yet), for other radars looking at the same targets."""
    pi = math.pi
    cached = alt_row.shape[0] > 0
    for i in range(az.shape[0]):
        ratio[i] = snr_constant * rcs[i * rcs_step] / rg4[i]
        a = az[i] % TWO_PI
        az[i] = a
        daz = abs((a - bore + pi) % TWO_PI - pi)
        ok = daz <= half_span_tol and el[i] >= el_lo and el[i] <= el_hi and rg[i] <= max_range
        if not ok:
            vis[i] = False
            continue
        if cached:
            h2 = alt_cache[alt_row[i]]
            if math.isnan(h2):
                h2 = _geodetic_altitude(r[i, 0], r[i, 1], r[i, 2], a_m, b_m)
                alt_cache[alt_row[i]] = h2
        else:
            h2 = _geodetic_altitude(r[i, 0], r[i, 1], r[i, 2], a_m, b_m)
        if h2 < 0.0:
            h2 = 0.0
        r2 = re + h2
        dx = r2 * cos_th[i] - r1
        dy = r2 * sin_th[i]
        d2 = dx * dx + dy * dy
        s = 0.0
        if d2 > 0.0:
            s = -(r1 * dx) / d2
            if s < 0.0:
                s = 0.0
            elif s > 1.0:
                s = 1.0
        cx = r1 + s * dx
        cy = s * dy
        clear = cx * cx + cy * cy >= re2_tol
        vis[i] = clear and th[i] < pi


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _pd_kernel(
    snr_db: FloatArray, vis: NDArray[np.bool_], xp: FloatArray, fp: FloatArray, pd: FloatArray
) -> None:  # pragma: no cover - compiled
    """``snr_db *= 10`` in place, then ``pd = where(vis, pd_lookup(snr_db), 0)``, with the
    arithmetic of ``np.interp`` (``left = fp[0]``, ``right = 1``, NaN as ``-inf``)."""
    n_xp = xp.shape[0]
    x0 = xp[0]
    scale = (n_xp - 1) / (xp[n_xp - 1] - x0)
    for i in range(snr_db.shape[0]):
        x = 10.0 * snr_db[i]
        snr_db[i] = x
        if not vis[i]:
            pd[i] = 0.0
            continue
        if math.isnan(x):
            x = -math.inf
        if x > xp[n_xp - 1]:
            pd[i] = 1.0
            continue
        if x < x0:
            pd[i] = fp[0]
            continue
        # j: the last index with xp[j] <= x (np.interp's binary search), from a guess
        g = (x - x0) * scale
        j = int(g) if g < n_xp - 1 else n_xp - 1
        while j + 1 < n_xp and xp[j + 1] <= x:
            j += 1
        while xp[j] > x:
            j -= 1
        if j == n_xp - 1 or xp[j] == x:
            pd[i] = fp[j]
            continue
        slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j])
        res = slope * (x - xp[j]) + fp[j]
        if math.isnan(res):
            res = slope * (x - xp[j + 1]) + fp[j + 1]
            if math.isnan(res) and fp[j] == fp[j + 1]:
                res = fp[j]
        pd[i] = res


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _reports_kernel(
    idx: IntArray,
    noise: FloatArray,
    rg: FloatArray,
    az: FloatArray,
    el: FloatArray,
    s_r: FloatArray,
    s_a: FloatArray,
    step: int,
    z: FloatArray,
    R: FloatArray,
) -> None:  # pragma: no cover - compiled
    """``_reports`` of a range-only radar, sigmas ``s_r[j * step]``, ``s_a[j * step]``."""
    for j in range(idx.shape[0]):
        i = idx[j]
        sr = s_r[j * step]
        sa = s_a[j * step]
        z[j, 0] = rg[i] + sr * noise[j, 0]
        z[j, 1] = (az[i] + sa * noise[j, 1]) % TWO_PI
        z[j, 2] = el[i] + sa * noise[j, 2]
        R[j, 0, 0] = sr * sr
        R[j, 1, 1] = sa * sa
        R[j, 2, 2] = sa * sa


# ------------------------------------------------------------------------- observation


def _noise_sigmas(radar: Radar, snr_lin: FloatArray) -> tuple[FloatArray, FloatArray]:
    snr_lin = np.maximum(snr_lin, 1e-12)
    s_r = np.full(snr_lin.shape, radar.sigma_range_m)
    s_a = np.full(snr_lin.shape, radar.sigma_angle_rad)
    if radar.range_resolution_m is not None:
        s_r = np.hypot(s_r, radar.range_resolution_m / np.sqrt(2.0 * snr_lin))
    if radar.beamwidth_rad is not None:
        s_a = np.hypot(s_a, radar.beamwidth_rad / (radar.monopulse_slope * np.sqrt(2.0 * snr_lin)))
    return s_r, s_a


def observe_radar(
    radar: Radar,
    t_s: ArrayLike,
    r_ecef: ArrayLike,
    rcs_m2: ArrayLike,
    rng: np.random.Generator,
    truth_id: ArrayLike | None = None,
    v_ecef: ArrayLike | None = None,
) -> MeasurementBatch:
    """Implementation of :meth:`Radar.observe` (see there)."""
    r = np.atleast_2d(np.asarray(r_ecef, dtype=float))
    n = r.shape[0]
    t = np.broadcast_to(np.asarray(t_s, dtype=float), (n,)).copy()
    tid = np.arange(n) if truth_id is None else np.asarray(truth_id, dtype=np.int64)
    v = None if v_ecef is None else np.atleast_2d(np.asarray(v_ecef, dtype=float))
    geometry = _geometry(radar, r, rcs_m2, v)
    u = rng.random(n)
    idx = np.nonzero(u < geometry[4])[0]
    noise = rng.standard_normal((idx.size, 4 if geometry[5] is not None else 3))
    z, R, snr_det = _reports(radar, r, geometry, idx, noise)
    t_det, tid_det = t[idx], tid[idx]
    if radar.false_alarms:
        fa_t, fa_z, fa_R = _false_alarms(radar, np.unique(t), rng, geometry[5] is not None)
        t_det = np.concatenate([t_det, fa_t])
        z = np.concatenate([z, fa_z])
        R = np.concatenate([R, fa_R])
        snr_det = np.concatenate([snr_det, np.full(fa_t.size, np.nan)])
        tid_det = np.concatenate([tid_det, np.full(fa_t.size, -1, dtype=np.int64)])
    order = np.argsort(t_det, kind="stable")
    return _batch(radar, t_det[order], z[order], R[order], snr_det[order], tid_det[order])


def observe_radar_lanes(
    radar: Radar,
    t_s: float,
    r_ecef: FloatArray,
    rcs_m2: FloatArray,
    lane_start: IntArray,
    rngs: list[np.random.Generator],
    truth_id: IntArray,
    states: IntArray | None = None,
    alt: tuple[FloatArray, IntArray] | None = None,
) -> tuple[MeasurementBatch, IntArray]:
    """One dwell at ``t_s`` in each of several independent trials ("lanes") at once.

    The targets of lane ``k`` are rows ``lane_start[k]:lane_start[k+1]`` of ``r_ecef``,
    ``rcs_m2`` and ``truth_id`` (``lane_start`` has one more entry than ``rngs``); lane
    ``k`` draws from ``rngs[k]``. The geometry is computed once for all rows; the draws of
    each lane are exactly those :func:`observe_radar` makes for that lane's targets alone,
    so every lane gets the reports it would get on its own. (With ``false_alarms`` every
    lane draws its dwell's false alarms, even one with no targets, where
    :func:`observe_radar` on no targets has no dwell.) Lanes with distinct streams draw
    stage by stage (all uniforms, then all normals), which leaves each stream exactly
    where drawing lane after lane would; a stream shared by lanes is drawn lane by lane.
    Without false alarms, PCG64 streams are drawn in one compiled loop
    (:func:`hoplon.sensors.lane_draws.detect_lanes`, the same numbers); ``states``, if
    given, is :func:`~hoplon.sensors.lane_draws.lane_states` of ``rngs`` (kept by a caller
    that dwells with the same streams again). ``alt`` (optional) keeps the targets'
    geodetic altitudes for other radars looking at the same targets: ``(cache, row)``,
    row ``i``'s in ``cache[row[i]]`` (NaN until worked out).

    Returns
    -------
    MeasurementBatch, (m,) int
        The reports of all lanes (lane by lane, each in :func:`observe_radar`'s order) and
        the lane of each report.
    """
    if radar.sigma_range_rate_mps is not None:
        raise InputError(
            "sigma_range_rate", "lane-batched dwells support range-only radars", "omit it"
        )
    r = np.asarray(r_ecef, dtype=float)
    geometry = _geometry(radar, r, rcs_m2, None, alt)
    pd = geometry[4]
    bounds = np.asarray(lane_start, dtype=np.int64)
    n_lanes = len(rngs)
    if not radar.false_alarms:
        if states is None:
            states = lane_states(rngs)
        if states is not None:
            # every lane's draws in one compiled loop, from the lanes' own streams
            idx, noise, lanes_det = detect_lanes(states, bounds, pd, 3)
            return _lanes_batch(radar, t_s, r, geometry, idx, noise, lanes_det, [], truth_id)
    if len({id(g) for g in rngs}) < n_lanes:
        # a stream shared by lanes: draw lane after lane, as the lanes would in turn
        return _lanes_in_turn(radar, t_s, r, geometry, bounds, rngs, truth_id)
    # Each lane's draws come from its own stream in observe_radar's order (uniforms, then
    # normals, then false alarms), so all lanes' uniforms can be drawn first.
    b = bounds.tolist()
    u = np.full(r.shape[0], 2.0)  # rows outside every lane: never detected (pd <= 1)
    for k in range(n_lanes):
        lo, hi = b[k], b[k + 1]
        if hi > lo:
            rngs[k].random(out=u[lo:hi])
    idx = np.flatnonzero(u < pd)
    cut = np.searchsorted(idx, bounds)
    noise = np.empty((idx.size, 3))
    c = cut.tolist()
    fa_parts: list[tuple[FloatArray, FloatArray, FloatArray]] = []
    t_one = np.array([float(t_s)])
    for k in range(n_lanes):
        lo, hi = c[k], c[k + 1]
        if hi > lo:
            rngs[k].standard_normal(out=noise[lo:hi])
        if radar.false_alarms:
            fa_parts.append(_false_alarms(radar, t_one, rngs[k], False))
    lanes_det = np.diff(cut)
    return _lanes_batch(radar, t_s, r, geometry, idx, noise, lanes_det, fa_parts, truth_id)


def _lanes_in_turn(
    radar: Radar,
    t_s: float,
    r: FloatArray,
    geometry: tuple[Any, ...],
    lane_start: IntArray,
    rngs: list[np.random.Generator],
    truth_id: IntArray,
) -> tuple[MeasurementBatch, IntArray]:
    """The draws of :func:`observe_radar_lanes` lane by lane (any streams, even shared)."""
    pd = geometry[4]
    idx_parts: list[IntArray] = []
    noise_parts: list[FloatArray] = []
    fa_parts: list[tuple[FloatArray, FloatArray, FloatArray]] = []
    lanes_det: list[int] = []
    t_one = np.array([float(t_s)])
    for k, rng in enumerate(rngs):
        lo, hi = int(lane_start[k]), int(lane_start[k + 1])
        idx = lo + np.nonzero(rng.random(hi - lo) < pd[lo:hi])[0]
        idx_parts.append(idx)
        noise_parts.append(rng.standard_normal((idx.size, 3)))
        lanes_det.append(idx.size)
        if radar.false_alarms:
            fa_parts.append(_false_alarms(radar, t_one, rng, False))
    idx = np.concatenate(idx_parts) if idx_parts else np.empty(0, np.int64)
    noise = np.concatenate(noise_parts) if noise_parts else np.empty((0, 3))
    return _lanes_batch(
        radar, t_s, r, geometry, idx, noise, np.asarray(lanes_det, np.int64), fa_parts, truth_id
    )


def _lanes_batch(
    radar: Radar,
    t_s: float,
    r: FloatArray,
    geometry: tuple[Any, ...],
    idx: IntArray,
    noise: FloatArray,
    lanes_det: IntArray,
    fa_parts: list[tuple[FloatArray, FloatArray, FloatArray]],
    truth_id: IntArray,
) -> tuple[MeasurementBatch, IntArray]:
    """Reports of the detections ``idx`` (lane-major) and each lane's false alarms."""
    z, R, snr_det = _reports(radar, r, geometry, idx, noise)
    tid_det = np.asarray(truth_id, dtype=np.int64)[idx]
    lane_det = np.repeat(np.arange(lanes_det.size), lanes_det)
    if fa_parts and sum(fa[0].size for fa in fa_parts):
        # each lane's false alarms follow its detections, as in observe_radar
        cuts = np.cumsum(lanes_det)[:-1]
        det = [np.split(a, cuts) for a in (z, R, snr_det, tid_det)]
        cols: list[list[Any]] = [[], [], [], [], []]
        for k, (fa_t, fa_z, fa_R) in enumerate(fa_parts):
            cols[0] += [det[0][k], fa_z]
            cols[1] += [det[1][k], fa_R]
            cols[2] += [det[2][k], np.full(fa_t.size, np.nan)]
            cols[3] += [det[3][k], np.full(fa_t.size, -1, dtype=np.int64)]
            cols[4].append(np.full(int(lanes_det[k]) + fa_t.size, k, dtype=np.int64))
        z, R, snr_det, tid_det, lane_det = (np.concatenate(c) for c in cols)
    t_det = np.full(len(z), float(t_s))
    return _batch(radar, t_det, z, R, snr_det, tid_det), lane_det


def _geometry(
    radar: Radar,
    r: FloatArray,
    rcs_m2: ArrayLike,
    v: FloatArray | None,
    alt: tuple[FloatArray, IntArray] | None = None,
) -> tuple[Any, ...]:
    """Azimuth, elevation, range, SNR [dB] and probability of detection of targets at
    ``r`` (n, 3), and their range rate when the radar measures it.

    Bit for bit what ``RadarArray.aer`` / ``visible``, ``10 log10(C sigma / max(R, 1)^4)``
    and :func:`pd_lookup` give for this radar (see :func:`_geometry_reference`). ``alt``
    (optional): ``(cache, row)``, where the geodetic altitude of ``r[i]`` is kept in
    ``cache[row[i]]`` (NaN until worked out; see ``_visible_kernel``)."""
    n = r.shape[0]
    with_rate = radar.sigma_range_rate_mps is not None
    if with_rate and v is None:
        raise ValueError(f"radar {radar.name}: range-rate measurements need v_ecef")
    c = radar._consts()
    r = np.ascontiguousarray(r, dtype=float)
    rcs = np.asarray(rcs_m2, dtype=float)
    if rcs.shape != (n,):
        rcs = rcs.ravel()
        if rcs.size != 1:
            rcs = np.ascontiguousarray(np.broadcast_to(rcs, (n,)))
    buf = np.empty((8, n))
    _enu_kernel(r, c.site, c.M, c.site_r, buf)
    e, nn, u, horiz, rg, cosang, rg1, ratio = buf
    az = np.arctan2(e, nn)
    el = np.arctan2(u, horiz)
    th = np.arccos(cosang)
    th /= c.k
    rg4 = rg1**4
    vis = np.empty(n, dtype=np.bool_)
    _visible_kernel(
        r, WGS84.a_m, WGS84.b_m, az, el, rg, th, np.cos(th), np.sin(th),
        rcs, int(rcs.size != 1), rg4,
        c.bore, c.half_span_tol, c.el_lo, c.el_hi, c.max_range, c.re, c.r1, c.re2_tol,
        c.snr_constant, vis, ratio, *(alt if alt is not None else _NO_ALT),
    )  # fmt: skip
    snr_db = np.log10(ratio)
    pd = np.empty(n)
    _pd_kernel(snr_db, vis, _TABLE_DB, c.table, pd)
    rdot = None
    if with_rate:
        assert v is not None
        los = (r - c.site) / np.maximum(rg, 1e-9)[:, None]
        rdot = np.sum(los * v, axis=-1)
    return az, el, rg, snr_db, pd, rdot


#: ``_geometry``'s ``alt`` when there is none (no altitudes kept)
_NO_ALT = (np.empty(0), np.empty(0, dtype=np.int64))


def _geometry_reference(
    radar: Radar, r: FloatArray, rcs_m2: ArrayLike, v: FloatArray | None
) -> tuple[Any, ...]:
    """:func:`_geometry` by the stacked-array methods (the reference the tests compare)."""
    n = r.shape[0]
    rcs = np.broadcast_to(np.asarray(rcs_m2, dtype=float), (n,))
    arr = radar.as_array()
    az, el, rg = (x[..., 0] for x in arr.aer(r))
    vis = arr.visible(r)[..., 0]
    snr_db = 10.0 * np.log10(radar.snr_constant_m2 * rcs / np.maximum(rg, 1.0) ** 4)
    pd = np.where(
        vis, pd_lookup(snr_db, radar.pfa, radar.n_pulses, radar.swerling, radar.method), 0.0
    )
    rdot = None
    if v is not None and radar.sigma_range_rate_mps is not None:
        los = (r - arr.site_ecef_m[0]) / np.maximum(rg, 1e-9)[:, None]
        rdot = np.sum(los * v, axis=-1)
    return az, el, rg, snr_db, pd, rdot


def _reports(
    radar: Radar, r: FloatArray, geometry: tuple[Any, ...], idx: IntArray, noise: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Noisy reports ``z`` (k, 3 or 4), their covariances and SNRs of detected rows ``idx``."""
    az, el, rg, snr_db, _, rdot = geometry
    if rdot is not None:
        return _reports_reference(radar, r, geometry, idx, noise)
    c = radar._consts()
    k = idx.size
    if c.const_noise:
        s_r, s_a, step = c.sigma_range, c.sigma_angle, 0
    else:
        s_r, s_a = _noise_sigmas(radar, 10.0 ** (snr_db[idx] / 10.0))
        step = 1
    z = np.empty((k, 3))
    R = np.zeros((k, 3, 3))
    _reports_kernel(
        np.ascontiguousarray(idx, dtype=np.int64),
        np.ascontiguousarray(noise, dtype=float),
        rg, az, el, s_r, s_a, step, z, R,
    )  # fmt: skip
    return z, R, snr_db[idx]


def _reports_reference(
    radar: Radar, r: FloatArray, geometry: tuple[Any, ...], idx: IntArray, noise: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """:func:`_reports` in numpy (and the range-rate case)."""
    az, el, rg, snr_db, _, rdot = geometry
    snr_lin = 10.0 ** (snr_db[idx] / 10.0)
    s_r, s_a = _noise_sigmas(radar, snr_lin)
    z_r = rg[idx] + s_r * noise[:, 0]
    z_az = np.mod(az[idx] + s_a * noise[:, 1], TWO_PI)
    z_el = el[idx] + s_a * noise[:, 2]
    cols = [z_r, z_az, z_el]
    var = [s_r**2, s_a**2, s_a**2]
    if rdot is not None:
        cols.append(rdot[idx] + radar.sigma_range_rate_mps * noise[:, 3])
        var.append(np.full(idx.size, radar.sigma_range_rate_mps**2))
    z = np.stack(cols, axis=-1)
    R = np.zeros((idx.size, z.shape[1], z.shape[1]))
    R[:, np.arange(z.shape[1]), np.arange(z.shape[1])] = np.stack(var, axis=-1)
    return z, R, snr_db[idx]


def _batch(
    radar: Radar,
    t_det: FloatArray,
    z: FloatArray,
    R: FloatArray,
    snr_det: FloatArray,
    tid_det: IntArray,
) -> MeasurementBatch:
    m = t_det.size
    site = np.empty((m, 3))
    site[:] = radar._consts().site
    return MeasurementBatch(
        kind=MeasurementKind.RAE_RATE if z.shape[1] == 4 else MeasurementKind.RAE,
        time_s=t_det,
        z=z,
        R=R,
        sensor_position_ecef_m=site,
        sensor_id=np.full(m, radar.sensor_id, dtype=np.int64),
        owner=np.full(m, radar.owner, dtype=np.int64),
        snr_db=snr_det,
        truth_id=tid_det.astype(np.int64),
    )


def _false_alarms(
    radar: Radar, dwell_times: FloatArray, rng: np.random.Generator, with_rate: bool
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """False alarms: Poisson(Pfa n_cells) per dwell, uniform over (range, az, el) cells.

    Cells are uniform in range and angle, so false alarms are uniform in range in
    ``[0, max_range]``, azimuth in the field of regard and elevation in its limits.
    Their reported covariance is the radar's noise floor.
    """
    counts = rng.poisson(radar.pfa * radar.n_cells, size=dwell_times.size)
    m = int(counts.sum())
    t = np.repeat(dwell_times, counts)
    rr = rng.uniform(0.0, radar.max_range_m, m)
    az = np.mod(radar.boresight_az_rad + radar.azimuth_span_rad * (rng.random(m) - 0.5), TWO_PI)
    el = rng.uniform(radar.min_elevation_rad, radar.max_elevation_rad, m)
    s_r, s_a = radar.sigma_range_m, radar.sigma_angle_rad
    cols = [rr, az, el]
    var = [s_r**2, s_a**2, s_a**2]
    if with_rate:
        sr = float(radar.sigma_range_rate_mps or 0.0)
        cols.append(rng.uniform(-7000.0, 7000.0, m))
        var.append(sr**2)
    k = len(cols)
    R = np.zeros((m, k, k))
    R[:, np.arange(k), np.arange(k)] = np.array(var)
    return t, np.stack(cols, axis=-1).reshape(m, k), R


__all__ = ["Radar", "RadarArray", "observe_radar", "observe_radar_lanes", "pd_lookup"]
