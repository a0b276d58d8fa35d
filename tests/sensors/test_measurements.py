"""MeasurementBatch: shape checks, selection and concatenation."""

import numpy as np
import pytest

from hoplon.sensors.measurements import MeasurementBatch, MeasurementKind, measurement_dim


def _batch(m: int, t0: float = 0.0, sensor: int = 0) -> MeasurementBatch:
    k = measurement_dim(MeasurementKind.RAE)
    return MeasurementBatch(
        kind=MeasurementKind.RAE,
        time_s=t0 + np.arange(m, dtype=float),
        z=np.ones((m, k)),
        R=np.broadcast_to(np.eye(k), (m, k, k)).copy(),
        sensor_position_ecef_m=np.zeros((m, 3)),
        sensor_id=np.full(m, sensor),
        owner=np.zeros(m, dtype=np.int64),
    )


def test_defaults_fill_snr_and_truth() -> None:
    b = _batch(4)
    assert len(b) == 4
    assert np.isnan(b.snr_db).all()
    assert (b.truth_id == -1).all()


def test_wrong_shapes_are_rejected() -> None:
    with pytest.raises(ValueError, match="z must be"):
        MeasurementBatch(
            kind=MeasurementKind.ANGLES,
            time_s=np.zeros(2),
            z=np.zeros((2, 3)),
            R=np.zeros((2, 3, 3)),
            sensor_position_ecef_m=np.zeros((2, 3)),
            sensor_id=np.zeros(2, dtype=np.int64),
            owner=np.zeros(2, dtype=np.int64),
        )


def test_concatenate_sorts_by_time_and_select() -> None:
    a = _batch(3, t0=0.5, sensor=1)
    b = _batch(3, t0=0.0, sensor=2)
    c = MeasurementBatch.concatenate([a, b])
    assert np.all(np.diff(c.time_s) >= 0)
    assert sorted(c.sensor_id.tolist()) == [1, 1, 1, 2, 2, 2]
    s = c.select(c.sensor_id == 2)
    assert len(s) == 3 and (s.sensor_id == 2).all()


def test_concatenate_rejects_mixed_kinds() -> None:
    a = _batch(2)
    b = MeasurementBatch(
        kind=MeasurementKind.ANGLES,
        time_s=np.zeros(1),
        z=np.zeros((1, 2)),
        R=np.zeros((1, 2, 2)),
        sensor_position_ecef_m=np.zeros((1, 3)),
        sensor_id=np.zeros(1, dtype=np.int64),
        owner=np.zeros(1, dtype=np.int64),
    )
    with pytest.raises(ValueError, match="different kinds"):
        MeasurementBatch.concatenate([a, b])
