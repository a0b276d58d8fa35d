"""Hoplon: open simulation and analysis of cooperative missile defence.

The numerical core works in SI units (metres, seconds, kilograms, radians) on arrays
with the batch axis first. Units are parsed only at the edges (CLI, scenario files).
"""

from hoplon.errors import HoplonError, InputError

__version__ = "0.1.0"

__all__ = ["HoplonError", "InputError", "__version__"]
