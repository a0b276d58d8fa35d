"""Measurements: the only thing that crosses from truth to perception.

A :class:`MeasurementBatch` holds every report of one sensor dwell (or many dwells) as
arrays, batch axis first. Trackers consume these and nothing else; ``truth_id`` is carried
for scoring only and must never be read by a tracker or by command.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


class MeasurementKind(StrEnum):
    """What the components of ``z`` are.

    - ``RAE``: slant range [m], azimuth [rad, clockwise from north], elevation [rad] in the
      sensor's local ENU frame.
    - ``RAE_RATE``: as ``RAE`` plus range rate [m/s].
    - ``ANGLES``: azimuth and elevation only [rad] in the sensor's local ENU frame.
    - ``LOS_ECEF``: unit line-of-sight vector in ECEF [-] (space-based infrared).
    """

    RAE = "rae"
    RAE_RATE = "rae_rate"
    ANGLES = "angles"
    LOS_ECEF = "los_ecef"


_DIMS = {
    MeasurementKind.RAE: 3,
    MeasurementKind.RAE_RATE: 4,
    MeasurementKind.ANGLES: 2,
    MeasurementKind.LOS_ECEF: 3,
}


def measurement_dim(kind: MeasurementKind | str) -> int:
    """Number of components of a measurement of this kind."""
    return _DIMS[MeasurementKind(kind)]


@dataclass(frozen=True)
class MeasurementBatch:
    """``m`` measurements of one kind, possibly from several dwells and sensors.

    Attributes
    ----------
    kind : MeasurementKind
        Meaning of the columns of ``z``.
    time_s : (m,) float
        Time of each measurement [s since scenario epoch].
    z : (m, k) float
        Measured values (units per ``kind``).
    R : (m, k, k) float
        Measurement noise covariance of each report.
    sensor_position_ecef_m : (m, 3) float
        Position of the sensor at the time of the report [m, ECEF].
    sensor_id : (m,) int
        Index of the sensor in the scenario.
    owner : (m,) int
        Index of the partner (force) that owns the sensor.
    snr_db : (m,) float
        Signal-to-noise ratio of the detection [dB]; NaN where not modelled.
    truth_id : (m,) int
        Index of the true object, or -1 for a false alarm. **Scoring only.**
    """

    kind: MeasurementKind
    time_s: FloatArray
    z: FloatArray
    R: FloatArray
    sensor_position_ecef_m: FloatArray
    sensor_id: IntArray
    owner: IntArray
    snr_db: FloatArray = field(default_factory=lambda: np.empty(0))
    truth_id: IntArray = field(default_factory=lambda: np.empty(0, dtype=np.int64))

    def __post_init__(self) -> None:
        m = len(self.time_s)
        if self.snr_db.shape[0] != m:
            object.__setattr__(self, "snr_db", np.full(m, np.nan))
        if self.truth_id.shape[0] != m:
            object.__setattr__(self, "truth_id", np.full(m, -1, dtype=np.int64))
        k = measurement_dim(self.kind)
        if self.z.shape != (m, k) or self.R.shape != (m, k, k):
            raise ValueError(
                f"MeasurementBatch of kind {self.kind.value}: z must be ({m}, {k}) and R "
                f"({m}, {k}, {k}); got {self.z.shape} and {self.R.shape}"
            )

    def __len__(self) -> int:
        return len(self.time_s)

    def select(self, mask: NDArray[np.bool_] | IntArray) -> MeasurementBatch:
        """A new batch with the rows selected by a boolean mask or index array."""
        return MeasurementBatch(
            kind=self.kind,
            time_s=self.time_s[mask],
            z=self.z[mask],
            R=self.R[mask],
            sensor_position_ecef_m=self.sensor_position_ecef_m[mask],
            sensor_id=self.sensor_id[mask],
            owner=self.owner[mask],
            snr_db=self.snr_db[mask],
            truth_id=self.truth_id[mask],
        )

    @staticmethod
    def concatenate(batches: list[MeasurementBatch]) -> MeasurementBatch:
        """Join batches of the same kind, sorted by time (stable)."""
        if not batches:
            raise ValueError("concatenate needs at least one batch")
        kind = batches[0].kind
        if any(b.kind != kind for b in batches):
            raise ValueError("cannot concatenate measurement batches of different kinds")
        t = np.concatenate([b.time_s for b in batches])
        order = np.argsort(t, kind="stable")
        cat = {
            name: np.concatenate([getattr(b, name) for b in batches])[order]
            for name in (
                "time_s",
                "z",
                "R",
                "sensor_position_ecef_m",
                "sensor_id",
                "owner",
                "snr_db",
                "truth_id",
            )
        }
        return MeasurementBatch(kind=kind, **cat)
