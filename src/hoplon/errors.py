"""Exceptions that carry enough context for a one-line user-facing message."""

from __future__ import annotations


class HoplonError(Exception):
    """Base class for every error Hoplon raises on purpose."""


class InputError(HoplonError, ValueError):
    """A user-supplied value is invalid.

    Parameters
    ----------
    field : str
        Which option, argument or file field was wrong (e.g. ``"--range"``).
    reason : str
        What was wrong with it.
    allowed : str, optional
        What is allowed instead.
    source : str, optional
        The file (and line) the value came from, when it came from a file.
    """

    def __init__(
        self, field: str, reason: str, allowed: str | None = None, source: str | None = None
    ) -> None:
        self.field = field
        self.reason = reason
        self.allowed = allowed
        self.source = source
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = f"{self.source}: " if self.source else ""
        text = f"{where}{self.field}: {self.reason}"
        if self.allowed:
            text += f" (allowed: {self.allowed})"
        return text


class InfeasibleError(InputError):
    """A request that is well-formed but physically impossible (e.g. out of reach)."""
