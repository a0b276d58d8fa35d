"""The radar range equation in three forms, on SI floats (vectorised).

Monostatic pulse form (Skolnik; MATLAB ``radareqsnr``/``radareqrng``/``radareqpow``)::

    SNR = P_t tau G_t G_r lambda^2 sigma / ((4 pi)^3 k T_s L R^4)

with peak power ``P_t`` [W], pulse width ``tau`` [s] (the matched-filter noise bandwidth is
``1/tau``), gains ``G_t``, ``G_r`` [-], wavelength ``lambda`` [m], RCS ``sigma`` [m^2],
system noise temperature ``T_s`` [K], losses ``L`` [-] (>= 1), range ``R`` [m].

Search (power-aperture) form (Skolnik, *Introduction to Radar Systems*, 3rd ed., 2.13)::

    SNR = P_av A_e t_s sigma / (4 pi Omega k T_s L R^4)

with average power ``P_av`` [W], effective aperture ``A_e`` [m^2], frame (scan) time
``t_s`` [s] and searched solid angle ``Omega`` [sr]; the SNR is the integrated SNR per
look.

Reference form (a radar characterised by one measured point)::

    SNR = SNR_ref (R_ref / R)^4 (sigma / sigma_ref)

All SNRs here are linear (not dB); use :func:`db` and :func:`from_db` at the edges.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hoplon.earth.constants import BOLTZMANN_J_K

FloatArray = NDArray[np.float64]
_FOUR_PI_CUBED = (4.0 * np.pi) ** 3


def db(x: ArrayLike) -> FloatArray:
    """``10 log10(x)``."""
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(np.asarray(x, dtype=float))


def from_db(x_db: ArrayLike) -> FloatArray:
    """``10^(x/10)``."""
    return 10.0 ** (np.asarray(x_db, dtype=float) / 10.0)


def _numerator(
    peak_power_w: ArrayLike,
    pulse_width_s: ArrayLike,
    gain_tx: ArrayLike,
    gain_rx: ArrayLike,
    wavelength_m: ArrayLike,
    rcs_m2: ArrayLike,
) -> FloatArray:
    return (
        np.asarray(peak_power_w, float)
        * np.asarray(pulse_width_s, float)
        * np.asarray(gain_tx, float)
        * np.asarray(gain_rx, float)
        * np.asarray(wavelength_m, float) ** 2
        * np.asarray(rcs_m2, float)
    )


def snr_at_range(
    range_m: ArrayLike,
    peak_power_w: ArrayLike,
    pulse_width_s: ArrayLike,
    wavelength_m: ArrayLike,
    gain_tx: ArrayLike,
    gain_rx: ArrayLike | None = None,
    rcs_m2: ArrayLike = 1.0,
    noise_temperature_k: ArrayLike = 290.0,
    loss: ArrayLike = 1.0,
) -> FloatArray:
    """Single-pulse SNR [-] at range ``R`` (monostatic pulse form, see module docstring)."""
    g_rx = gain_tx if gain_rx is None else gain_rx
    R = np.asarray(range_m, dtype=float)
    num = _numerator(peak_power_w, pulse_width_s, gain_tx, g_rx, wavelength_m, rcs_m2)
    with np.errstate(divide="ignore"):
        return num / (
            _FOUR_PI_CUBED
            * BOLTZMANN_J_K
            * np.asarray(noise_temperature_k, float)
            * np.asarray(loss, float)
            * R**4
        )


def max_range(
    snr: ArrayLike,
    peak_power_w: ArrayLike,
    pulse_width_s: ArrayLike,
    wavelength_m: ArrayLike,
    gain_tx: ArrayLike,
    gain_rx: ArrayLike | None = None,
    rcs_m2: ArrayLike = 1.0,
    noise_temperature_k: ArrayLike = 290.0,
    loss: ArrayLike = 1.0,
) -> FloatArray:
    """Range [m] at which the single-pulse SNR equals ``snr`` (linear).

    ``R = (P_t tau G_t G_r lambda^2 sigma / ((4 pi)^3 k T_s SNR L))^(1/4)``.
    """
    g_rx = gain_tx if gain_rx is None else gain_rx
    num = _numerator(peak_power_w, pulse_width_s, gain_tx, g_rx, wavelength_m, rcs_m2)
    den = (
        _FOUR_PI_CUBED
        * BOLTZMANN_J_K
        * np.asarray(noise_temperature_k, float)
        * np.asarray(snr, float)
        * np.asarray(loss, float)
    )
    return (num / den) ** 0.25


def required_peak_power(
    range_m: ArrayLike,
    snr: ArrayLike,
    pulse_width_s: ArrayLike,
    wavelength_m: ArrayLike,
    gain_tx: ArrayLike,
    gain_rx: ArrayLike | None = None,
    rcs_m2: ArrayLike = 1.0,
    noise_temperature_k: ArrayLike = 290.0,
    loss: ArrayLike = 1.0,
) -> FloatArray:
    """Peak power [W] needed for ``snr`` (linear) at ``range_m``.

    ``P_t = (4 pi)^3 k T_s SNR L R^4 / (tau G_t G_r lambda^2 sigma)``.
    """
    g_rx = gain_tx if gain_rx is None else gain_rx
    per_watt = _numerator(1.0, pulse_width_s, gain_tx, g_rx, wavelength_m, rcs_m2)
    return (
        _FOUR_PI_CUBED
        * BOLTZMANN_J_K
        * np.asarray(noise_temperature_k, float)
        * np.asarray(snr, float)
        * np.asarray(loss, float)
        * np.asarray(range_m, float) ** 4
        / per_watt
    )


def search_snr(
    range_m: ArrayLike,
    average_power_w: ArrayLike,
    aperture_m2: ArrayLike,
    frame_time_s: ArrayLike,
    solid_angle_sr: ArrayLike,
    rcs_m2: ArrayLike = 1.0,
    noise_temperature_k: ArrayLike = 290.0,
    loss: ArrayLike = 1.0,
) -> FloatArray:
    """Integrated SNR [-] per look of a search radar (power-aperture form).

    ``SNR = P_av A_e t_s sigma / (4 pi Omega k T_s L R^4)``.
    """
    R = np.asarray(range_m, dtype=float)
    num = (
        np.asarray(average_power_w, float)
        * np.asarray(aperture_m2, float)
        * np.asarray(frame_time_s, float)
        * np.asarray(rcs_m2, float)
    )
    with np.errstate(divide="ignore"):
        return num / (
            4.0
            * np.pi
            * np.asarray(solid_angle_sr, float)
            * BOLTZMANN_J_K
            * np.asarray(noise_temperature_k, float)
            * np.asarray(loss, float)
            * R**4
        )


def search_max_range(
    snr: ArrayLike,
    average_power_w: ArrayLike,
    aperture_m2: ArrayLike,
    frame_time_s: ArrayLike,
    solid_angle_sr: ArrayLike,
    rcs_m2: ArrayLike = 1.0,
    noise_temperature_k: ArrayLike = 290.0,
    loss: ArrayLike = 1.0,
) -> FloatArray:
    """Range [m] at which the search-form SNR equals ``snr`` (linear)."""
    return (
        search_snr(
            1.0,
            average_power_w,
            aperture_m2,
            frame_time_s,
            solid_angle_sr,
            rcs_m2,
            noise_temperature_k,
            loss,
        )
        / np.asarray(snr, float)
    ) ** 0.25


def reference_snr(
    range_m: ArrayLike,
    snr_ref: ArrayLike,
    range_ref_m: ArrayLike,
    rcs_m2: ArrayLike = 1.0,
    rcs_ref_m2: ArrayLike = 1.0,
) -> FloatArray:
    """``SNR = SNR_ref (R_ref/R)^4 (sigma/sigma_ref)`` [-]."""
    R = np.asarray(range_m, dtype=float)
    with np.errstate(divide="ignore"):
        return (
            np.asarray(snr_ref, float)
            * (np.asarray(range_ref_m, float) / R) ** 4
            * np.asarray(rcs_m2, float)
            / np.asarray(rcs_ref_m2, float)
        )


def reference_max_range(
    snr: ArrayLike,
    snr_ref: ArrayLike,
    range_ref_m: ArrayLike,
    rcs_m2: ArrayLike = 1.0,
    rcs_ref_m2: ArrayLike = 1.0,
) -> FloatArray:
    """Range [m] where the reference form gives ``snr``:
    ``R = R_ref (SNR_ref sigma / (SNR sigma_ref))^(1/4)``."""
    return (
        np.asarray(range_ref_m, float)
        * (
            np.asarray(snr_ref, float)
            * np.asarray(rcs_m2, float)
            / (np.asarray(snr, float) * np.asarray(rcs_ref_m2, float))
        )
        ** 0.25
    )
