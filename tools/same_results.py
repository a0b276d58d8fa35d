"""Record the engine's results, or compare them with a recording, float for float.

A change meant to be a pure speed-up must leave every result of the engine as it was (see
CONTRIBUTING). Record before the change, compare after::

    python tools/same_results.py record /tmp/before.pkl
    # ... change the code ...
    python tools/same_results.py compare /tmp/before.pkl

It runs the packaged examples for a few seeds one trial at a time (``Engine``) and as the
lanes of one lockstep block (``BatchEngine``), and compares summaries, shots, threats and
event logs exactly. The recording is only meaningful on the machine that made it (numpy's
SIMD maths differ in the last bit between CPUs). Exit status 1 on any difference.
"""

from __future__ import annotations

import pickle
import sys

import pandas as pd

import hoplon
from hoplon.sim.batch import BatchEngine
from hoplon.sim.engine import Engine
from hoplon.sim.world import compile_world

EXAMPLES = ("two_partner", "single_battery", "two_partner_national")
SEEDS = (0, 1, 7)


def _record() -> dict:
    out = {}
    for name in EXAMPLES:
        world = compile_world(hoplon.load(name))
        for seed in SEEDS:
            r = Engine(world, seed).run()
            out[("engine", name, seed)] = (r.summary, r.shots, r.threats, r.events)
        for seed, r in zip(SEEDS, BatchEngine(world, list(SEEDS)).run(), strict=True):
            out[("batch", name, seed)] = (r.summary, r.shots, r.threats, r.events)
    return out


def _differences(a: dict, b: dict) -> list[str]:
    bad = []
    for key in a:
        if key not in b:
            bad.append(f"{key}: missing")
            continue
        (sa, *fa), (sb, *fb) = a[key], b[key]
        if sa != sb:
            bad.append(f"{key}: summary {sa} != {sb}")
            continue
        for x, y in zip(fa, fb, strict=True):
            try:
                pd.testing.assert_frame_equal(x, y, check_exact=True)
            except AssertionError as err:
                bad.append(f"{key}: {str(err).splitlines()[0]}")
                break
    return bad


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("record", "compare"):
        print(__doc__)
        return 2
    if argv[0] == "record":
        with open(argv[1], "wb") as f:
            pickle.dump(_record(), f)
        return 0
    with open(argv[1], "rb") as f:
        before = pickle.load(f)
    bad = _differences(before, _record())
    for line in bad:
        print(line)
    print(f"differences: {len(bad)} of {len(before)}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
