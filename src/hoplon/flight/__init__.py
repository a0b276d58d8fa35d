"""How does it move: forces, batch integrators with events, and ``Trajectory``.

Public API::

    from hoplon.flight import EarthModel, make_params, propagate, initial_state, Trajectory

- ``EarthModel``: Earth shape, gravity, rotation and atmosphere (``hoplon.flight.model``).
- ``make_params(n, beta_kg_m2=..., thrust_n=..., ...)``: per-object parameter array with
  named columns (``hoplon.flight.params``).
- ``propagate(y0, params, model=..., t_end=...)`` -> ``BatchResult`` (``hoplon.flight.propagate``).
- ``initial_state(lat_rad, lon_rad, alt_m, speed_mps, flight_path_angle_rad, azimuth_rad)``.
- ``Trajectory``: sampled states with interpolation and a summary (``hoplon.flight.trajectory``).
"""

from hoplon.flight import params
from hoplon.flight.model import EarthModel
from hoplon.flight.params import N_PARAMS, make_params
from hoplon.flight.propagate import (
    STATUS_ERROR,
    STATUS_IMPACT,
    STATUS_STEP_LIMIT,
    STATUS_T_END,
    BatchResult,
    initial_state,
    propagate,
)
from hoplon.flight.trajectory import Trajectory, concatenate

__all__ = [
    "N_PARAMS",
    "STATUS_ERROR",
    "STATUS_IMPACT",
    "STATUS_STEP_LIMIT",
    "STATUS_T_END",
    "BatchResult",
    "EarthModel",
    "Trajectory",
    "concatenate",
    "initial_state",
    "make_params",
    "params",
    "propagate",
]
