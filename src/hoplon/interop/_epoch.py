"""Calendar time at the edge: the scenario epoch as an aware UTC datetime and ISO 8601 text."""

from __future__ import annotations

import datetime as dt

from hoplon.errors import InputError


def parse_epoch(epoch: dt.datetime | str) -> dt.datetime:
    """An aware UTC datetime from a datetime (naive = UTC) or ISO 8601 text."""
    if isinstance(epoch, str):
        try:
            epoch = dt.datetime.fromisoformat(epoch.strip())
        except ValueError:
            allowed = "ISO 8601, e.g. 2030-01-01T00:00:00Z"
            raise InputError(
                "epoch", f"cannot read {epoch!r} as a date and time", allowed
            ) from None
    if not isinstance(epoch, dt.datetime):
        raise InputError("epoch", f"{epoch!r} is not a date and time", "datetime or ISO 8601")
    if epoch.tzinfo is None:
        return epoch.replace(tzinfo=dt.UTC)
    return epoch.astimezone(dt.UTC)


def iso(epoch: dt.datetime, t_s: float = 0.0) -> str:
    """ISO 8601 UTC text of ``epoch + t_s`` (``Z`` suffix, microseconds only when needed)."""
    when = epoch + dt.timedelta(seconds=float(t_s))
    text = when.strftime("%Y-%m-%dT%H:%M:%S")
    if when.microsecond:
        text += f".{when.microsecond:06d}".rstrip("0")
    return text + "Z"
