"""Coalition network: sharing policies are never violated, latency is respected."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoplon.command.network import (
    EngagementMode,
    Force,
    Link,
    Network,
    ShareRule,
    SharingPolicy,
    SharingViolationError,
    TrackMessage,
)
from hoplon.errors import InfeasibleError, InputError

PARTNERS = ("blue", "green", "red", "gold")
SENSORS = {p: (f"{p}_radar", f"{p}_sat") for p in PARTNERS}
ASSETS = ("capital", "port", "base")


def _forces() -> list[Force]:
    return [
        Force(p, sensors=SENSORS[p], batteries=(f"{p}_bat",), engage_on_remote=(p == "green"))
        for p in PARTNERS
    ]


def _full_mesh(latency: float = 2.0) -> list[Link]:
    return [
        Link(a, b, latency_s=latency + 0.5 * i)
        for i, (a, b) in enumerate((a, b) for a in PARTNERS for b in PARTNERS if a != b)
    ]


names = st.sampled_from(PARTNERS)
rules = st.builds(
    ShareRule,
    to=st.none() | st.frozensets(names, max_size=3),
    origin_sensors=st.none()
    | st.frozensets(st.sampled_from([s for v in SENSORS.values() for s in v]), max_size=3),
    origin_partners=st.none() | st.frozensets(names, max_size=2),
    threatened_assets=st.none() | st.frozensets(st.sampled_from(ASSETS), max_size=2),
    allow=st.booleans(),
)
policies = st.builds(
    SharingPolicy, rules=st.lists(rules, max_size=4).map(tuple), default_allow=st.booleans()
)


@st.composite
def messages(draw) -> TrackMessage:
    sender = draw(names)
    own = draw(st.sampled_from(SENSORS[sender]))
    other = draw(st.lists(st.sampled_from([s for v in SENSORS.values() for s in v]), max_size=2))
    return TrackMessage(
        track_id=draw(st.integers(0, 5)),
        sender=sender,
        time_s=draw(st.floats(0, 1000)),
        origin_sensors=frozenset([own, *other]),
        threatened_asset=draw(st.none() | st.sampled_from(ASSETS)),
    )


def _rule_applies(r: ShareRule, to: str, m: TrackMessage, contributors: frozenset) -> bool:
    """The rule semantics restated for the test: every given criterion must hold."""
    checks = [
        r.to is None or to in r.to,
        r.origin_sensors is None or len(r.origin_sensors & m.origin_sensors) > 0,
        r.origin_partners is None or len(r.origin_partners & contributors) > 0,
        r.threatened_assets is None or m.threatened_asset in r.threatened_assets,
    ]
    return all(checks)


@settings(max_examples=150, deadline=None)
@given(
    pols=st.fixed_dictionaries({p: policies for p in PARTNERS}),
    msgs=st.lists(messages(), max_size=12),
)
def test_policy_is_never_violated(pols, msgs) -> None:
    net = Network(_forces(), _full_mesh(), pols)
    for m in msgs:
        deliveries = net.send(m)
        got = {d.recipient for d in deliveries}
        contributors = net.contributors(m)
        for p in PARTNERS:
            if p == m.sender:
                assert p in got
                continue
            # independent statement of the rule: each contributor's first matching rule
            ok = True
            for c in contributors:
                if c == p:
                    continue
                decision = pols[c].default_allow
                for r in pols[c].rules:
                    if _rule_applies(r, p, m, contributors):
                        decision = r.allow
                        break
                ok &= decision
            assert (p in got) == ok
        for d in deliveries:
            link = net.links.get((m.sender, d.recipient))
            latency = 0.0 if d.recipient == m.sender else link.latency_s
            assert d.arrival_time_s == pytest.approx(m.time_s + latency)
    # every partner holds only tracks it was sent, and only after they arrived
    for p in PARTNERS:
        for now in (0.0, 500.0, 2000.0):
            for m in net.inbox(p).messages(now):
                assert m.sender == p or net.allowed(p, m)
                assert (
                    m.time_s + (0.0 if m.sender == p else net.links[(m.sender, p)].latency_s) <= now
                )


@settings(max_examples=50, deadline=None)
@given(msgs=st.lists(messages(), min_size=1, max_size=10))
def test_sharing_off_means_nothing_crosses(msgs) -> None:
    net = Network(_forces(), _full_mesh(), SharingPolicy.share_none())
    for m in msgs:
        assert [d.recipient for d in net.send(m)] == [m.sender]
    for p in PARTNERS:
        assert all(m.sender == p for m in net.inbox(p).messages(1e9))


def test_withheld_track_cannot_be_used() -> None:
    # blue shares only tracks threatening the port, and only with green
    blue = SharingPolicy(rules=(ShareRule(to={"green"}, threatened_assets={"port"}),))
    net = Network(_forces(), _full_mesh(latency=3.0), {"blue": blue})
    net.send(TrackMessage(1, "blue", 10.0, {"blue_radar"}, threatened_asset="port"))
    net.send(TrackMessage(2, "blue", 10.0, {"blue_radar"}, threatened_asset="capital"))
    assert net.holds("blue", 2, 10.0)
    # green gets track 1 after the latency, never track 2; red gets nothing
    assert not net.holds("green", 1, 12.9)
    assert net.require("green", 1, 13.0).track_id == 1
    with pytest.raises(SharingViolationError):
        net.require("green", 2, 1e9)
    with pytest.raises(SharingViolationError):
        net.require("red", 1, 1e9)
    # green may engage on blue's remote track; red may not launch on what it does not hold
    net.authorize_engagement("green", 1, 13.0, EngagementMode.ENGAGE_ON_REMOTE)
    with pytest.raises(SharingViolationError):
        net.authorize_engagement("green", 1, 13.0, EngagementMode.OWN)
    with pytest.raises(SharingViolationError):
        net.authorize_engagement("red", 1, 100.0, "launch_on_remote")
    assert net.authorize_engagement("blue", 2, 10.0, "own").track_id == 2


def test_originator_controls_relayed_fused_tracks() -> None:
    # green fuses blue's radar into its track; blue withholds from red, so red gets nothing
    pols = {
        "blue": SharingPolicy(rules=(ShareRule(to={"red"}, allow=False),), default_allow=True),
        "green": SharingPolicy.share_all(),
    }
    net = Network(_forces(), _full_mesh(), pols)
    fused = TrackMessage(5, "green", 0.0, {"green_radar", "blue_radar"})
    got = {d.recipient for d in net.send(fused)}
    assert got == {"green", "blue", "gold"}


def test_remote_capabilities() -> None:
    net = Network(_forces(), _full_mesh(0.0), SharingPolicy.share_all())
    net.send(TrackMessage(9, "gold", 0.0, {"gold_sat"}))
    with pytest.raises(InfeasibleError):
        net.authorize_engagement("blue", 9, 100.0, "engage_on_remote")
    net.authorize_engagement("blue", 9, 100.0, "launch_on_remote")


def test_lossy_link_needs_rng_and_drops() -> None:
    links = [Link("blue", "green", 1.0, loss_probability=0.3)]
    net = Network(_forces(), links, SharingPolicy.share_all())
    with pytest.raises(InputError, match="rng"):
        net.send(TrackMessage(1, "blue", 0.0, {"blue_radar"}))
    rng = np.random.default_rng(1)
    n = 4000
    got = sum(
        len(net.deliveries(TrackMessage(i, "blue", 0.0, {"blue_radar"}), rng)) - 1 for i in range(n)
    )
    assert abs(got / n - 0.7) < 5 * np.sqrt(0.21 / n)


def test_inbox_keeps_latest_report() -> None:
    net = Network(_forces(), _full_mesh(1.0), SharingPolicy.share_all())
    net.send(TrackMessage(1, "blue", 5.0, {"blue_radar"}, payload="late"))
    net.send(TrackMessage(1, "blue", 0.0, {"blue_radar"}, payload="early"))
    assert net.require("blue", 1, 5.0).payload == "late"
    assert net.require("blue", 1, 1.0).payload == "early"


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Network(_forces(), [Link("blue", "purple", 1.0)]), "links[0].target"),
        (lambda: Network(_forces(), [Link("mauve", "blue", 1.0)]), "links[0].source"),
        (lambda: Network(_forces(), [Link("blue", "red", -1.0)]), "links[0].latency_s"),
        (lambda: Network(_forces(), [Link("blue", "red", 1.0, 2.0)]), "links[0].loss_probability"),
        (lambda: Network(_forces(), [], {"purple": SharingPolicy()}), "policies.purple"),
        (lambda: Network(_forces(), [], {"blue": SharingPolicy.only_to("x")}), "policies.blue"),
        (lambda: Network([Force("a"), Force("a")]), "forces[1].name"),
        (
            lambda: Network(_forces()).send(TrackMessage(1, "blue", 0.0, {"ghost"})),
            "message.origin_sensors",
        ),
    ],
)
def test_bad_network_input_names_field(build, field: str) -> None:
    with pytest.raises(InputError) as err:
        build()
    assert err.value.field == field
