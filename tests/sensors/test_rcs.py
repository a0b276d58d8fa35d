"""Notional RCS table."""

from __future__ import annotations

import pytest

from hoplon.errors import InputError
from hoplon.sensors.rcs import RCS_TABLE_M2, rcs_array, rcs_for


def test_rcs_for_known_types() -> None:
    assert 0.01 <= rcs_for("rv") <= 0.1
    assert 1.0 <= rcs_for("Booster") <= 10.0
    assert rcs_for("cruise missile") == pytest.approx(0.1)
    assert rcs_for("rv") < rcs_for("fighter") < rcs_for("large_aircraft")
    assert rcs_array(["rv", "booster"]).tolist() == [rcs_for("rv"), rcs_for("booster")]
    assert all(v > 0 for v in RCS_TABLE_M2.values())


def test_unknown_type_names_the_field() -> None:
    with pytest.raises(InputError) as exc:
        rcs_for("flying saucer")
    assert exc.value.field == "object_type" and "rv" in str(exc.value)
