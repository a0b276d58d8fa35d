"""Input checks shared by the command package; each raises :class:`InputError` naming the field."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hoplon.errors import InputError


def probability(field: str, value: ArrayLike) -> NDArray[np.float64]:
    """``value`` as a float array, every element in [0, 1]."""
    x = np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(x)) or np.any((x < 0.0) | (x > 1.0)):
        raise InputError(field, f"probability out of range: {_show(x)}", "0 <= p <= 1")
    return x


def count(field: str, value: ArrayLike, *, minimum: int = 0) -> NDArray[np.int64]:
    """``value`` as an int array of whole numbers >= ``minimum``."""
    x = np.asarray(value)
    if x.dtype.kind in "iu":  # integers: only the minimum to check
        if x.size and x.min() < minimum:
            raise InputError(
                field, f"not a whole number >= {minimum}: {_show(x)}", f"integer >= {minimum}"
            )
        return x.astype(np.int64)
    if x.dtype.kind == "b":
        raise InputError(field, "expected a whole number, got a boolean", f"integer >= {minimum}")
    xf = np.asarray(x, dtype=np.float64)
    if not np.all(np.isfinite(xf)) or np.any(xf != np.round(xf)) or np.any(xf < minimum):
        raise InputError(
            field, f"not a whole number >= {minimum}: {_show(xf)}", f"integer >= {minimum}"
        )
    return xf.astype(np.int64)


def nonnegative(field: str, value: ArrayLike) -> NDArray[np.float64]:
    """``value`` as a float array, finite and >= 0."""
    x = np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(x)) or np.any(x < 0.0):
        raise InputError(field, f"must be finite and >= 0: {_show(x)}", ">= 0")
    return x


def _show(x: NDArray) -> str:
    flat = np.ravel(x)
    if flat.size == 1:
        return repr(float(flat[0]))
    return np.array2string(flat[:6], precision=6) + (" ..." if flat.size > 6 else "")
