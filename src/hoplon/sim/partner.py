"""Partner nodes: one Hoplon process per partner, exchanging shared tracks over a network.

Each node runs the same scenario with the same seed, so both see the same truth, but only
its own force's sensors, tracker, command node and batteries. What one partner's sharing
policy delivers to the other crosses the network; so do kills (an intercept is an event on
truth both nodes must agree on). The nodes advance in lockstep: every ``period_s`` of
simulated time each sends one bundle (the track messages and kills of that period) and waits
for the other's, over a TCP connection on loopback (reliable and ordered; newline-delimited
JSON).

A delivered track arrives at ``max(send time + link latency, the end of the sync period in
which it was sent)``: with a 1 s period and link latencies of a second or more the latency is
exact. A kill by the partner is applied from the sync that reports it; a local event of the
same threat within that period (at most ``period_s`` earlier) is not undone.
"""

from __future__ import annotations

import json
import socket
import time
from dataclasses import dataclass, field
from typing import Any

from hoplon.errors import HoplonError, InputError


class PartnerLinkError(HoplonError):
    """The partner node could not be reached, or stopped answering."""


@dataclass
class PartnerLink:
    """A lockstep link to one partner node over TCP.

    Parameters
    ----------
    listen : (host, port), optional
        Accept the partner's connection here (one side listens) ...
    connect : (host, port), optional
        ... or connect to the listening partner (the other side).
    period_s : float
        Simulated time between two exchanges [s].
    timeout_s : float
        Wall-clock time to wait for the partner before giving up [s].
    """

    listen: tuple[str, int] | None = None
    connect: tuple[str, int] | None = None
    period_s: float = 1.0
    timeout_s: float = 60.0
    _sock: socket.socket | None = field(default=None, init=False, repr=False)
    _buf: bytes = field(default=b"", init=False, repr=False)
    sent: int = field(default=0, init=False)
    received: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if (self.listen is None) == (self.connect is None):
            raise InputError("--listen/--connect", "give exactly one of them", "HOST:PORT")
        if not self.period_s > 0:
            raise InputError("period_s", f"must be > 0, got {self.period_s}", "> 0 s")

    def open(self) -> None:
        """Establish the connection (blocks until the partner is there or the timeout)."""
        deadline = time.monotonic() + self.timeout_s
        if self.listen is not None:
            server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            server.bind(self.listen)
            server.listen(1)
            server.settimeout(self.timeout_s)
            try:
                self._sock, _ = server.accept()
            except TimeoutError:
                raise PartnerLinkError(
                    f"no partner connected to {self.listen[0]}:{self.listen[1]} "
                    f"within {self.timeout_s:g} s"
                ) from None
            finally:
                server.close()
        else:
            assert self.connect is not None
            while True:
                try:
                    self._sock = socket.create_connection(self.connect, timeout=2.0)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise PartnerLinkError(
                            f"cannot reach the partner at {self.connect[0]}:{self.connect[1]}"
                        ) from None
                    time.sleep(0.1)
        self._sock.settimeout(self.timeout_s)
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def exchange(self, tick: int, bundle: dict[str, Any]) -> dict[str, Any]:
        """Send this node's bundle for ``tick`` and return the partner's bundle for it."""
        if self._sock is None:
            self.open()
        assert self._sock is not None
        data = json.dumps({"tick": tick, **bundle}, separators=(",", ":")).encode() + b"\n"
        try:
            self._sock.sendall(data)
            self.sent += 1
            while b"\n" not in self._buf:
                chunk = self._sock.recv(1 << 20)
                if not chunk:
                    raise PartnerLinkError("the partner node closed the connection")
                self._buf += chunk
        except TimeoutError:
            raise PartnerLinkError(
                f"the partner node did not answer within {self.timeout_s:g} s"
            ) from None
        line, self._buf = self._buf.split(b"\n", 1)
        reply = json.loads(line)
        self.received += 1
        if reply.get("tick") != tick:
            raise PartnerLinkError(
                f"partner out of step: expected tick {tick}, got {reply.get('tick')} "
                "(do both nodes run the same scenario?)"
            )
        return reply


def parse_address(text: str, field_name: str) -> tuple[str, int]:
    """``"HOST:PORT"`` -> (host, port), with a clear error."""
    host, sep, port = str(text).rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InputError(field_name, f"{text!r} is not HOST:PORT", "e.g. 127.0.0.1:4100")
    return host, int(port)
