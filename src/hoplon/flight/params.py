"""Per-object flight parameters: a float64 array ``params (n, N_PARAMS)`` with named columns.

Columns (index constant, ``make_params`` keyword, default, meaning):

=================  ====================  ===========  ==============================================
index              keyword               default      meaning
=================  ====================  ===========  ==============================================
``BETA``           ``beta_kg_m2``        inf          ballistic coefficient m/(Cd A) [kg/m^2]; inf =
                                                      no drag. Drag acceleration
                                                      a = -rho |v| v / (2 beta)
``REF_AREA``       ``ref_area_m2``       0            reference area A [m^2] (used with a Cd table)
``USE_CD_TABLE``   ``use_cd_table``      0            1: drag from the Cd(Mach) table instead of
                                                      beta: a = -rho |v| v Cd(M) A / (2 m)
``LIFT_TO_DRAG``   ``lift_to_drag``      0            lift-to-drag ratio L/D [-]
``BANK``           ``bank_angle_rad``    0            bank angle [rad]: lift is along the part of
                                                      local up perpendicular to v, rotated by the
                                                      bank angle about v (positive: to the right of
                                                      the velocity, i.e. a right turn)
``THRUST``         ``thrust_n``          0            thrust [N], constant within a call
``MDOT``           ``mdot_kg_s``         0            mass flow [kg/s]; dm/dt = -mdot while
                                                      thrust > 0
``STEERING``       ``steering``          0            0: thrust along air-relative velocity (gravity
                                                      turn; along local up while |v| < 1 mm/s);
                                                      1: fixed pitch/azimuth in local ENU
``PITCH0``         ``pitch0_rad``        pi/2         pitch at ``t_start_s`` [rad] (steering 1)
``PITCH_RATE``     ``pitch_rate_rad_s``  0            pitch rate [rad/s] (steering 1)
``PITCH_MIN``      ``pitch_min_rad``     -pi/2        lower clip of the pitch [rad] (steering 1)
``AZIMUTH``        ``azimuth_rad``       0            thrust azimuth from north, clockwise [rad]
``T_START``        ``t_start_s``         0            reference time of the pitch program [s]
=================  ====================  ===========  ==============================================

Pitch program (steering 1): pitch(t) = clip(pitch0 + pitch_rate (t - t_start), pitch_min, pi/2);
thrust direction in ENU = (cos p sin az, cos p cos az, sin p). Vertical rise: pitch0 = pi/2,
rate 0; a kick or pitch-over: a negative rate down to ``pitch_min_rad``.
"""

from __future__ import annotations

import math

import numpy as np

from hoplon.errors import InputError

BETA = 0
REF_AREA = 1
USE_CD_TABLE = 2
LIFT_TO_DRAG = 3
BANK = 4
THRUST = 5
MDOT = 6
STEERING = 7
PITCH0 = 8
PITCH_RATE = 9
PITCH_MIN = 10
AZIMUTH = 11
T_START = 12
N_PARAMS = 13

#: keyword name -> (column index, default)
COLUMNS: dict[str, tuple[int, float]] = {
    "beta_kg_m2": (BETA, math.inf),
    "ref_area_m2": (REF_AREA, 0.0),
    "use_cd_table": (USE_CD_TABLE, 0.0),
    "lift_to_drag": (LIFT_TO_DRAG, 0.0),
    "bank_angle_rad": (BANK, 0.0),
    "thrust_n": (THRUST, 0.0),
    "mdot_kg_s": (MDOT, 0.0),
    "steering": (STEERING, 0.0),
    "pitch0_rad": (PITCH0, math.pi / 2),
    "pitch_rate_rad_s": (PITCH_RATE, 0.0),
    "pitch_min_rad": (PITCH_MIN, -math.pi / 2),
    "azimuth_rad": (AZIMUTH, 0.0),
    "t_start_s": (T_START, 0.0),
}

STEER_VELOCITY = 0
STEER_PITCH_PROGRAM = 1


def make_params(n: int, **columns: float | np.ndarray) -> np.ndarray:
    """Build a validated ``(n, N_PARAMS)`` parameter array.

    Each keyword (see the module table) is a scalar or an array broadcastable to ``(n,)``;
    missing columns get their defaults.

    Raises
    ------
    InputError
        Unknown column, wrong shape, or a physically invalid value (names the column).
    """
    if int(n) != n or n < 0:
        raise InputError("n", f"must be a non-negative integer, got {n}")
    params = np.empty((int(n), N_PARAMS), dtype=np.float64)
    for col, default in COLUMNS.values():
        params[:, col] = default
    for name, value in columns.items():
        if name not in COLUMNS:
            raise InputError(name, "unknown flight parameter", ", ".join(COLUMNS))
        try:
            params[:, COLUMNS[name][0]] = np.broadcast_to(
                np.asarray(value, dtype=np.float64), (int(n),)
            )
        except ValueError as exc:
            raise InputError(name, f"cannot broadcast to ({n},): {exc}") from None
    validate_params(params, require_table=False)
    return params


def validate_params(
    params: np.ndarray, cd_table: np.ndarray | None = None, *, require_table: bool = True
) -> None:
    """Check a parameter array; raise ``InputError`` naming the first bad column.

    With ``require_table`` (as in ``propagate``), objects with ``use_cd_table = 1`` need a
    ``cd_table``.
    """
    if params.ndim != 2 or params.shape[1] != N_PARAMS:
        raise InputError("params", f"must have shape (n, {N_PARAMS}), got {params.shape}")
    names = {col: name for name, (col, _) in COLUMNS.items()}

    def bad(col: int, mask: np.ndarray, reason: str, allowed: str) -> None:
        if np.any(mask):
            i = int(np.argmax(mask))
            raise InputError(names[col], f"{reason} (object {i}: {params[i, col]})", allowed)

    finite_cols = [c for c in range(N_PARAMS) if c != BETA]
    for c in finite_cols:
        bad(c, ~np.isfinite(params[:, c]), "must be finite", "a finite number")
    beta = params[:, BETA]
    bad(BETA, np.isnan(beta) | (beta <= 0), "must be positive", "> 0, inf for no drag")
    bad(REF_AREA, params[:, REF_AREA] < 0, "must not be negative", ">= 0")
    flag = params[:, USE_CD_TABLE]
    bad(USE_CD_TABLE, (flag != 0) & (flag != 1), "must be 0 or 1", "0, 1")
    bad(
        REF_AREA,
        (flag == 1) & (params[:, REF_AREA] <= 0),
        "must be positive when a Cd table is used",
        "> 0",
    )
    bad(THRUST, params[:, THRUST] < 0, "must not be negative", ">= 0")
    bad(MDOT, params[:, MDOT] < 0, "must not be negative", ">= 0")
    steer = params[:, STEERING]
    bad(STEERING, (steer != 0) & (steer != 1), "unknown steering mode", "0 velocity, 1 pitch")
    bad(
        PITCH_MIN,
        (params[:, PITCH_MIN] > math.pi / 2) | (params[:, PITCH_MIN] < -math.pi / 2),
        "must lie in [-pi/2, pi/2]",
        "[-pi/2, pi/2] rad",
    )
    if require_table and np.any(flag == 1) and cd_table is None:
        raise InputError("cd_table", "use_cd_table is set but no Cd table was given")


def validate_cd_table(cd_table: np.ndarray | None) -> np.ndarray:
    """Return a contiguous (k, 2) [Mach, Cd] table (a dummy row when None)."""
    if cd_table is None:
        return np.zeros((1, 2), dtype=np.float64)
    table = np.ascontiguousarray(cd_table, dtype=np.float64)
    if table.ndim != 2 or table.shape[1] != 2 or table.shape[0] < 1:
        raise InputError("cd_table", f"must have shape (k, 2) [Mach, Cd], got {table.shape}")
    if not np.all(np.isfinite(table)):
        raise InputError("cd_table", "must be finite")
    if np.any(np.diff(table[:, 0]) <= 0):
        raise InputError("cd_table", "Mach column must increase strictly")
    if np.any(table[:, 1] < 0) or np.any(table[:, 0] < 0):
        raise InputError("cd_table", "Mach and Cd must not be negative")
    return table
