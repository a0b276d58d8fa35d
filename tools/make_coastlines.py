"""Convert Natural Earth 110m land (TopoJSON from the npm package ``world-atlas``) into the
compact coastline file shipped in the package (``src/hoplon/data/coastlines_110m.json``).

Run once, offline afterwards::

    npm pack world-atlas            # world-atlas-2.x.tgz (Natural Earth data, public domain)
    tar xzf world-atlas-*.tgz       # package/land-110m.json
    python tools/make_coastlines.py package/land-110m.json src/hoplon/data/coastlines_110m.json

The output holds the land polygons as rings of ``[lon, lat]`` vertices in degrees (rounded to
0.01 deg, about 1 km, well inside the 110m data's own resolution). A polygon is a list of
rings: the first is its outer boundary, any further ones are holes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Absolute lon/lat vertices of every arc of a quantized (delta-encoded) TopoJSON."""
    sx, sy = topology["transform"]["scale"]
    tx, ty = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs


def ring(arcs: list[list[tuple[float, float]]], indices: list[int]) -> list[tuple[float, float]]:
    """Join the arcs of one ring (a negative index ``~i`` means arc ``i`` reversed)."""
    pts: list[tuple[float, float]] = []
    for k in indices:
        a = arcs[k] if k >= 0 else arcs[~k][::-1]
        pts.extend(a if not pts else a[1:])  # consecutive arcs share their end point
    return pts


def convert(topology: dict, object_name: str = "land") -> list[list[list[list[float]]]]:
    """Polygons (rings of [lon, lat]) of one object of the topology."""
    arcs = decode_arcs(topology)
    obj = topology["objects"][object_name]
    geoms = obj["geometries"] if obj["type"] == "GeometryCollection" else [obj]
    polygons = []
    for g in geoms:
        polys = g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]]
        for poly in polys:
            rings = []
            for r in poly:
                pts = [[round(lon, 2), round(lat, 2)] for lon, lat in ring(arcs, r)]
                # drop consecutive duplicates left by the rounding
                dedup = [p for i, p in enumerate(pts) if i == 0 or p != pts[i - 1]]
                if len(dedup) >= 4:
                    rings.append(dedup)
            if rings:
                polygons.append(rings)
    return polygons


def main(argv: list[str]) -> None:
    src, dst = Path(argv[1]), Path(argv[2])
    topology = json.loads(src.read_text())
    polygons = convert(topology)
    doc = {
        "source": "Natural Earth 1:110m land (public domain), via npm world-atlas "
        "land-110m.json; converted by tools/make_coastlines.py",
        "units": "degrees (lon, lat), WGS84",
        "polygons": polygons,
    }
    dst.write_text(json.dumps(doc, separators=(",", ":")))
    n = sum(len(r) for p in polygons for r in p)
    print(f"wrote {dst}: {len(polygons)} polygons, {n} vertices, {dst.stat().st_size} bytes")


if __name__ == "__main__":
    main(sys.argv)
