"""The coalition network: forces, links with latency, and who may see which track.

Each partner (:class:`Force`) owns sensors, batteries and a command node. Tracks travel as
:class:`TrackMessage` over directed :class:`Link` s with a latency (and optional loss). A
:class:`SharingPolicy` per partner says which of its data goes to whom; the *originator*
controls dissemination: a message is delivered to a recipient only if the policy of every
partner whose sensors contributed to the track allows it. Relaying over several hops is not
modelled: a message goes only over a direct link from its sender.

Each partner's :class:`Inbox` holds only what was delivered to it (and its own tracks), and
:meth:`Network.require` is the guard command calls before using a track: it raises
:class:`SharingViolationError` if the partner does not hold that track at that time. A
partner never uses data it was not sent.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np

from hoplon.command import _validate
from hoplon.errors import HoplonError, InfeasibleError, InputError


class SharingViolationError(HoplonError):
    """A partner tried to use a track it was not sent (or not yet received)."""


class EngagementMode(StrEnum):
    """What a battery's fire control relies on.

    - ``OWN``: the partner's own sensors track the threat.
    - ``LAUNCH_ON_REMOTE``: launch on a partner's track; own sensors guide later.
    - ``ENGAGE_ON_REMOTE``: the whole engagement on a partner's track.
    """

    OWN = "own"
    LAUNCH_ON_REMOTE = "launch_on_remote"
    ENGAGE_ON_REMOTE = "engage_on_remote"


def _names(field_: str, value: Iterable[str] | str | None) -> frozenset[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return frozenset([value])
    out = frozenset(value)
    if not all(isinstance(x, str) for x in out):
        raise InputError(field_, "names must be strings", "a list of names")
    return out


@dataclass(frozen=True)
class Force:
    """One partner: its sensors, batteries, command node and remote-engagement capabilities.

    Attributes
    ----------
    name : str
    sensors, batteries : tuple of str
        Names of the partner's sensors and batteries (unique across the coalition).
    command_node : str
        Name of the command node (defaults to ``"<name>.c2"``).
    launch_on_remote, engage_on_remote : bool
        Whether its batteries may launch on / engage on a remote track.
    """

    name: str
    sensors: tuple[str, ...] = ()
    batteries: tuple[str, ...] = ()
    command_node: str = ""
    launch_on_remote: bool = True
    engage_on_remote: bool = False

    def __post_init__(self) -> None:
        if not self.name:
            raise InputError("forces[].name", "must not be empty", "a partner name")
        object.__setattr__(self, "sensors", tuple(self.sensors))
        object.__setattr__(self, "batteries", tuple(self.batteries))
        if not self.command_node:
            object.__setattr__(self, "command_node", f"{self.name}.c2")


@dataclass(frozen=True)
class Link:
    """A directed communication link between two partners' command nodes.

    Attributes
    ----------
    source, target : str
        Partner names.
    latency_s : float
        Delivery delay [s], >= 0.
    loss_probability : float
        Probability that one message is lost [-].
    """

    source: str
    target: str
    latency_s: float = 0.0
    loss_probability: float = 0.0

    @staticmethod
    def both(
        a: str, b: str, latency_s: float = 0.0, loss_probability: float = 0.0
    ) -> tuple[Link, Link]:
        """The two directed links of a symmetric connection."""
        return (Link(a, b, latency_s, loss_probability), Link(b, a, latency_s, loss_probability))


@dataclass(frozen=True)
class ShareRule:
    """One declarative sharing rule; every criterion given must match (``None`` = any).

    Attributes
    ----------
    to : set of str, optional
        Recipient partners.
    origin_sensors : set of str, optional
        The track must have been built from at least one of these sensors.
    origin_partners : set of str, optional
        The track must have data from at least one of these partners.
    threatened_assets : set of str, optional
        The track must threaten one of these assets.
    allow : bool
        Share (True) or withhold (False) when the rule matches.
    """

    to: frozenset[str] | None = None
    origin_sensors: frozenset[str] | None = None
    origin_partners: frozenset[str] | None = None
    threatened_assets: frozenset[str] | None = None
    allow: bool = True

    def __post_init__(self) -> None:
        for name in ("to", "origin_sensors", "origin_partners", "threatened_assets"):
            object.__setattr__(self, name, _names(f"rule.{name}", getattr(self, name)))

    def matches(self, recipient: str, message: TrackMessage, contributors: frozenset[str]) -> bool:
        """Whether this rule applies to sending ``message`` to ``recipient``."""
        if self.to is not None and recipient not in self.to:
            return False
        if self.origin_sensors is not None and not (self.origin_sensors & message.origin_sensors):
            return False
        if self.origin_partners is not None and not (self.origin_partners & contributors):
            return False
        return self.threatened_assets is None or message.threatened_asset in self.threatened_assets


@dataclass(frozen=True)
class SharingPolicy:
    """A partner's ordered sharing rules: the first matching rule decides, else ``default``.

    The default of an empty policy is to share nothing.
    """

    rules: tuple[ShareRule, ...] = ()
    default_allow: bool = False

    @staticmethod
    def share_all() -> SharingPolicy:
        return SharingPolicy(default_allow=True)

    @staticmethod
    def share_none() -> SharingPolicy:
        return SharingPolicy()

    @staticmethod
    def only_to(*partners: str) -> SharingPolicy:
        return SharingPolicy(rules=(ShareRule(to=frozenset(partners)),))

    def allows(self, recipient: str, message: TrackMessage, contributors: frozenset[str]) -> bool:
        for rule in self.rules:
            if rule.matches(recipient, message, contributors):
                return rule.allow
        return self.default_allow

    def partners_named(self) -> set[str]:
        out: set[str] = set()
        for rule in self.rules:
            out |= set(rule.to or ()) | set(rule.origin_partners or ())
        return out


@dataclass(frozen=True)
class TrackMessage:
    """One track report sent by a partner.

    Attributes
    ----------
    track_id : hashable
        Coalition-wide track identifier.
    sender : str
        Partner sending the report.
    time_s : float
        Send time (= track time) [s].
    origin_sensors : set of str
        Sensors whose measurements built the track (their owners are its contributors).
    threatened_asset : str, optional
        Asset the sender's threat evaluation names.
    payload : any
        The state estimate etc.; opaque to the network.
    """

    track_id: Hashable
    sender: str
    time_s: float
    origin_sensors: frozenset[str] = frozenset()
    threatened_asset: str | None = None
    payload: Any = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "origin_sensors", _names("origin_sensors", self.origin_sensors))
        if not math.isfinite(self.time_s):
            raise InputError("message.time_s", "must be finite", "seconds since epoch")


@dataclass(frozen=True)
class Delivery:
    """A message delivered to ``recipient`` at ``arrival_time_s`` [s]."""

    recipient: str
    arrival_time_s: float
    message: TrackMessage


class Inbox:
    """What one partner holds: its own tracks and those delivered to it, by arrival time."""

    def __init__(self, partner: str) -> None:
        self.partner = partner
        self._heap: list[tuple[float, int, TrackMessage]] = []
        self._seq = 0

    def put(self, delivery: Delivery) -> None:
        if delivery.recipient != self.partner:
            raise SharingViolationError(
                f"delivery for {delivery.recipient!r} put into the inbox of {self.partner!r}"
            )
        heapq.heappush(self._heap, (delivery.arrival_time_s, self._seq, delivery.message))
        self._seq += 1

    def messages(self, now_s: float) -> list[TrackMessage]:
        """Every message arrived by ``now_s``, in arrival order."""
        return [m for t, _, m in sorted(self._heap) if t <= now_s]

    def tracks(self, now_s: float) -> dict[Hashable, TrackMessage]:
        """Latest report (by track time) of each track arrived by ``now_s``."""
        out: dict[Hashable, TrackMessage] = {}
        for m in self.messages(now_s):
            old = out.get(m.track_id)
            if old is None or m.time_s >= old.time_s:
                out[m.track_id] = m
        return out

    def get(self, track_id: Hashable, now_s: float) -> TrackMessage | None:
        return self.tracks(now_s).get(track_id)


class Network:
    """Forces, links and sharing policies; routes track messages into partners' inboxes.

    Parameters
    ----------
    forces : iterable of Force
    links : iterable of Link
    policies : mapping partner -> SharingPolicy, or one policy for all
        Partners missing from the mapping share nothing.
    """

    def __init__(
        self,
        forces: Iterable[Force],
        links: Iterable[Link] = (),
        policies: Mapping[str, SharingPolicy] | SharingPolicy | None = None,
    ) -> None:
        self.forces: dict[str, Force] = {}
        for i, f in enumerate(forces):
            if f.name in self.forces:
                raise InputError(f"forces[{i}].name", f"duplicate partner {f.name!r}")
            self.forces[f.name] = f
        known = set(self.forces)
        self.sensor_owner: dict[str, str] = {}
        for f in self.forces.values():
            for s in f.sensors:
                if s in self.sensor_owner:
                    raise InputError(f"forces.{f.name}.sensors", f"sensor {s!r} has two owners")
                self.sensor_owner[s] = f.name
        self.links: dict[tuple[str, str], Link] = {}
        for i, link in enumerate(links):
            for end in ("source", "target"):
                if getattr(link, end) not in known:
                    raise InputError(
                        f"links[{i}].{end}",
                        f"unknown partner {getattr(link, end)!r}",
                        ", ".join(sorted(known)),
                    )
            if link.source == link.target:
                raise InputError(f"links[{i}].target", "a link must join two partners")
            _validate.nonnegative(f"links[{i}].latency_s", link.latency_s)
            _validate.probability(f"links[{i}].loss_probability", link.loss_probability)
            if (link.source, link.target) in self.links:
                raise InputError(f"links[{i}]", "duplicate link", "one link per direction")
            self.links[(link.source, link.target)] = link
        if policies is None:
            policies = {}
        if isinstance(policies, SharingPolicy):
            policies = dict.fromkeys(known, policies)
        for name, pol in policies.items():
            if name not in known:
                raise InputError(f"policies.{name}", "unknown partner", ", ".join(sorted(known)))
            unknown = pol.partners_named() - known
            if unknown:
                raise InputError(
                    f"policies.{name}",
                    f"names unknown partners {sorted(unknown)}",
                    ", ".join(sorted(known)),
                )
        self.policies: dict[str, SharingPolicy] = {
            n: policies.get(n, SharingPolicy.share_none()) for n in known
        }
        self._inboxes = {n: Inbox(n) for n in known}

    def contributors(self, message: TrackMessage) -> frozenset[str]:
        """Partners whose data is in the track: the sender and the owners of its sensors."""
        out = {message.sender}
        for s in message.origin_sensors:
            owner = self.sensor_owner.get(s)
            if owner is None:
                raise InputError("message.origin_sensors", f"unknown sensor {s!r}")
            out.add(owner)
        return frozenset(out)

    def allowed(self, recipient: str, message: TrackMessage) -> bool:
        """Whether every contributing partner's policy lets ``recipient`` have the track."""
        contrib = self.contributors(message)
        return all(
            c == recipient or self.policies[c].allows(recipient, message, contrib) for c in contrib
        )

    def deliveries(
        self, message: TrackMessage, rng: np.random.Generator | None = None
    ) -> list[Delivery]:
        """Where ``message`` goes and when (sender's own copy first, at ``time_s``)."""
        if message.sender not in self.forces:
            raise InputError("message.sender", f"unknown partner {message.sender!r}")
        self.contributors(message)  # validates the sensors
        out = [Delivery(message.sender, float(message.time_s), message)]
        for (src, dst), link in sorted(self.links.items()):
            if src != message.sender or not self.allowed(dst, message):
                continue
            if link.loss_probability > 0.0:
                if rng is None:
                    raise InputError("rng", "a lossy link needs a numpy Generator")
                if rng.random() < link.loss_probability:
                    continue
            out.append(Delivery(dst, float(message.time_s) + link.latency_s, message))
        return out

    def routes(
        self,
        sender: str,
        origin_sensors: frozenset[str],
        threatened_asset: str | None = None,
    ) -> tuple[tuple[str, float], ...] | None:
        """``(recipient, latency [s])`` of every partner a track message from ``sender``
        built from ``origin_sensors`` goes to (besides the sender), when no link from the
        sender can lose it (``None`` otherwise: use :meth:`deliveries` with a generator).
        The answer is kept for the next message like it."""
        key = (sender, origin_sensors, threatened_asset)
        cache = self.__dict__.setdefault("_routes", {})
        out = cache.get(key, False)
        if out is False:
            links = [(d, link) for (src, d), link in sorted(self.links.items()) if src == sender]
            if any(link.loss_probability > 0.0 for _, link in links):
                out = None
            else:
                probe = TrackMessage(
                    track_id=0,
                    sender=sender,
                    time_s=0.0,
                    origin_sensors=origin_sensors,
                    threatened_asset=threatened_asset,
                )
                out = tuple(
                    (dst, link.latency_s)
                    for d in self.deliveries(probe)[1:]
                    for dst, link in links
                    if dst == d.recipient
                )
            cache[key] = out
        return out

    def send(self, message: TrackMessage, rng: np.random.Generator | None = None) -> list[Delivery]:
        """Route ``message`` into the inboxes it may reach; returns the deliveries."""
        out = self.deliveries(message, rng)
        for d in out:
            self._inboxes[d.recipient].put(d)
        return out

    def inbox(self, partner: str) -> Inbox:
        if partner not in self._inboxes:
            raise InputError("partner", f"unknown partner {partner!r}", ", ".join(self._inboxes))
        return self._inboxes[partner]

    def holds(self, partner: str, track_id: Hashable, now_s: float) -> bool:
        return self.inbox(partner).get(track_id, now_s) is not None

    def require(self, partner: str, track_id: Hashable, now_s: float) -> TrackMessage:
        """The guard: the latest report of ``track_id`` held by ``partner`` at ``now_s``.

        Raises
        ------
        SharingViolationError
            If the partner does not hold the track (never sent, withheld, or not yet arrived).
        """
        m = self.inbox(partner).get(track_id, now_s)
        if m is None:
            raise SharingViolationError(
                f"partner {partner!r} does not hold track {track_id!r} at t={now_s} s"
            )
        return m

    def authorize_engagement(
        self,
        partner: str,
        track_id: Hashable,
        now_s: float,
        mode: EngagementMode | str,
    ) -> TrackMessage:
        """Check that ``partner`` may engage ``track_id`` now in ``mode``; return the track.

        ``OWN`` needs a held track built (partly) from the partner's own sensors; the remote
        modes need the partner's capability and a held track (delivered by the policy).
        """
        mode = EngagementMode(mode)
        m = self.require(partner, track_id, now_s)
        force = self.forces[partner]
        if mode is EngagementMode.OWN:
            if not set(force.sensors) & m.origin_sensors:
                raise SharingViolationError(
                    f"track {track_id!r} held by {partner!r} has no own-sensor data"
                )
        elif mode is EngagementMode.LAUNCH_ON_REMOTE and not force.launch_on_remote:
            raise InfeasibleError("mode", f"{partner!r} cannot launch on remote", "own")
        elif mode is EngagementMode.ENGAGE_ON_REMOTE and not force.engage_on_remote:
            raise InfeasibleError("mode", f"{partner!r} cannot engage on remote", "own")
        return m

    def held_tracks(self, partner: str, now_s: float) -> dict[Hashable, TrackMessage]:
        """Everything command of ``partner`` may use at ``now_s``."""
        return self.inbox(partner).tracks(now_s)
