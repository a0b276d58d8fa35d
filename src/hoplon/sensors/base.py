"""The :class:`Sensor` protocol every runtime sensor type implements."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class Sensor(Protocol):
    """What the engine and the tools need from any sensor.

    Implemented by :class:`hoplon.sensors.radar.Radar` and
    :class:`hoplon.sensors.infrared.InfraredConstellation`. Observation methods differ by
    kind (radars need an RCS, infrared sensors a boosting flag), so they are not part of
    the protocol; each returns a :class:`~hoplon.sensors.measurements.MeasurementBatch`.
    """

    name: str
    sensor_id: int
    owner: int
    revisit_s: float

    def blind_reason(self) -> str | None:
        """Why the sensor can never see anything, or ``None``."""
        ...
