"""Notional radar cross-sections per object type (order-of-magnitude, public figures).

These are mean RCS values [m^2] at microwave frequencies, generic and unclassified. They are
meant for analysis of a notional architecture, not of any real system.

Sources (public):
- Reentry vehicle, nose-on: 0.01-0.1 m^2 is the range quoted in open arms-control literature
  (e.g. Sessler et al., *Countermeasures*, UCS/MIT 2000, ch. 6 and app. B; D. Wright and
  L. Grego, Union of Concerned Scientists analyses); we take 0.03 m^2 (about -15 dBsm).
- Booster body / rocket stage, broadside-ish: 1-10 m^2 (Sessler et al. 2000; Skolnik,
  *Introduction to Radar Systems*, 3rd ed., Table 2.2 gives ~1 m^2 for a small missile);
  we take 3 m^2 for a burning/spent stage seen off nose.
- Cruise missile (conventional, nose aspect): ~0.1 m^2 (Skolnik, *Radar Handbook*, 3rd ed.,
  2008, ch. 14; also Richards, *Principles of Modern Radar*, 2010, table of typical RCS:
  "cruise missile 0.1 m^2").
- Small fighter aircraft: ~1-2 m^2; large aircraft ~10-100 m^2 (Skolnik 2001, Table 2.2:
  small single-engine aircraft 1 m^2, small fighter 2 m^2, large fighter 6 m^2, jumbo jet
  100 m^2).
- Hypersonic glide vehicle (slender, nose aspect): ~0.01-0.1 m^2; we take 0.05 m^2 (order of
  magnitude, as for an RV).
- Decoy / debris: balloon decoys are designed to resemble the RV (Sessler et al. 2000);
  debris pieces ~0.01 m^2.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from hoplon.errors import InputError

#: Mean RCS [m^2] per object type (notional; sources in the module docstring).
RCS_TABLE_M2: dict[str, float] = {
    "rv": 0.03,
    "warhead": 0.03,
    "booster": 3.0,
    "stage": 3.0,
    "cruise_missile": 0.1,
    "glide_vehicle": 0.05,
    "decoy": 0.03,
    "debris": 0.01,
    "fighter": 2.0,
    "large_aircraft": 50.0,
    "reference": 1.0,
}


def rcs_for(object_type: str) -> float:
    """Mean RCS [m^2] of a named object type (see :data:`RCS_TABLE_M2`).

    Raises
    ------
    InputError
        If the type is unknown.
    """
    key = object_type.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in RCS_TABLE_M2:
        raise InputError("object_type", f"no RCS for {object_type!r}", ", ".join(RCS_TABLE_M2))
    return RCS_TABLE_M2[key]


def rcs_array(object_types: list[str]) -> NDArray[np.float64]:
    """RCS [m^2] for a list of object types, shape ``(n,)``."""
    return np.array([rcs_for(t) for t in object_types], dtype=float)
