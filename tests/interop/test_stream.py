"""PDU stream from entities and events: sampling, order, timestamps, event pairing."""

from __future__ import annotations

import numpy as np
import pytest

from hoplon.errors import InputError
from hoplon.interop.orientation import axes_from_euler
from hoplon.interop.pdu import (
    DetonationPdu,
    EntityStatePdu,
    FirePdu,
    decode_pdu,
    encode_pdu,
    timestamp_seconds,
)
from hoplon.interop.stream import pdus_from_entities


def test_stream_contents(engagement) -> None:
    entities, events = engagement
    stream = pdus_from_entities(entities, events, exercise_id=3, site=7, application=9, dt=5.0)
    times = [item.time_s for item in stream]
    assert times == sorted(times)
    end = max(max(e.end_s for e in entities), max(ev.time_s for ev in events))
    for track in entities:
        states = [
            s
            for s in stream
            if isinstance(s.pdu, EntityStatePdu) and s.pdu.entity_id.entity == track.entity_id
        ]
        stop = end if track.is_static else track.end_s
        expected = int(np.floor((stop - track.start_s) / 5.0 + 1e-9)) + 1
        expected += (track.start_s + 5.0 * (expected - 1)) < stop - 1e-9
        assert len(states) == expected
        assert states[0].time_s == track.start_s and states[-1].time_s == pytest.approx(stop)
        for s in states:
            p = s.pdu
            assert p.entity_id == (7, 9, track.entity_id) and p.exercise_id == 3
            assert p.entity_type == track.dis_type and p.force_id == track.force_id
            r, v = track.state_at(s.time_s)
            np.testing.assert_allclose(p.location, r, rtol=0, atol=1e-6)
            np.testing.assert_allclose(p.linear_velocity, v, rtol=1e-6, atol=1e-3)
            seconds, absolute = timestamp_seconds(p.timestamp)
            assert not absolute and seconds == pytest.approx(s.time_s % 3600, abs=2e-6)
            if np.linalg.norm(v) > 0:
                x_b = axes_from_euler(np.array(p.orientation))[0]
                assert x_b @ (v / np.linalg.norm(v)) > 1 - 1e-6
        assert states[0].pdu.marking == track.name.encode("ascii", "replace").decode()[:11]
    for s in stream:  # everything encodes and decodes back
        assert decode_pdu(encode_pdu(s.pdu)) == s.pdu


def test_fire_and_detonation(engagement) -> None:
    entities, events = engagement
    stream = pdus_from_entities(entities, events, dt=10.0)
    fires = [s.pdu for s in stream if isinstance(s.pdu, FirePdu)]
    dets = [s.pdu for s in stream if isinstance(s.pdu, DetonationPdu)]
    assert len(fires) == 3 and len(dets) == 2
    fire = next(f for f in fires if f.munition_id.entity == 10)
    assert fire.firing_entity_id.entity == 20 and fire.target_entity_id.entity == 1
    threat = entities[0]
    assert fire.range_m == pytest.approx(
        np.linalg.norm(threat.state_at(100.0)[0] - events[1].r_ecef_m), rel=1e-6
    )
    hit = next(d for d in dets if d.munition_id.entity == 10)
    assert hit.event_id == fire.event_id  # paired with its fire
    assert hit.result == 1 and hit.target_entity_id.entity == 1
    np.testing.assert_allclose(hit.location_entity, 0.0, atol=1e-3)  # hit at the centre
    impact = next(d for d in dets if d.munition_id.entity == 2)
    assert impact.result == 3
    launch2 = next(f for f in fires if f.munition_id.entity == 2)
    assert impact.event_id == launch2.event_id
    assert len({f.event_id for f in fires}) == 3


def test_bad_arguments(engagement) -> None:
    entities, events = engagement
    with pytest.raises(InputError):
        pdus_from_entities(entities, events, dt=0.0)
    with pytest.raises(InputError):
        pdus_from_entities([entities[0], entities[0]], [])
    with pytest.raises(InputError):
        pdus_from_entities(entities, events, exercise_id=300)


def test_staged_flight_trajectory_end_to_end() -> None:
    """A boost + coast Trajectory (repeated time at staging) streams and exports cleanly."""
    import math

    from hoplon.flight import EarthModel, concatenate, initial_state, make_params, propagate
    from hoplon.interop.czml import czml_document
    from hoplon.interop.entities import entity_from_trajectory

    model = EarthModel()
    y0 = initial_state(0.3, 0.2, 0.0, 0.0, math.pi / 2, 0.0, mass_kg=10_000.0, model=model)
    p1 = make_params(1, thrust_n=300e3, mdot_kg_s=50.0, steering=1, pitch0_rad=math.pi / 2,
                     pitch_rate_rad_s=-0.01, pitch_min_rad=0.5, azimuth_rad=1.0)  # fmt: skip
    boost = propagate(y0, p1, model=model, t_end=60.0, dt=1.0, stop_altitude_m=None)
    coast = propagate(boost.y_final, make_params(1), model=model, t0=60.0, t_end=2000.0)
    traj = concatenate([boost.trajectory(0), coast.trajectory(0)], name="msl")
    track = entity_from_trajectory(traj, 1, force="red", kind="threat")
    assert np.sum(track.t_s == 60.0) == 2
    stream = pdus_from_entities([track], [], dt=7.0)
    assert stream[-1].time_s == pytest.approx(track.end_s)
    for s in stream:
        assert np.all(np.isfinite(s.pdu.location)) and np.all(np.isfinite(s.pdu.orientation))
        assert decode_pdu(encode_pdu(s.pdu)) == s.pdu
    samples = np.array(
        czml_document([track], [], "2030-01-01T00:00:00Z")[1]["position"]["cartesian"]
    )
    assert np.all(np.diff(samples.reshape(-1, 4)[:, 0]) > 0)
