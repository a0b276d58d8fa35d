"""Colours of forces and events, shared by the CZML and KML writers (RGBA 0-255)."""

from __future__ import annotations

import zlib

_FORCE_RGBA: dict[str, tuple[int, int, int, int]] = {
    "blue": (30, 110, 255, 255),
    "green": (20, 170, 60, 255),
    "red": (230, 40, 40, 255),
    "neutral": (200, 200, 200, 255),
    "white": (235, 235, 235, 255),
    "yellow": (240, 200, 20, 255),
    "orange": (250, 140, 20, 255),
    "purple": (150, 70, 200, 255),
}
_PALETTE = ((0, 180, 200, 255), (200, 120, 40, 255), (160, 60, 160, 255), (120, 120, 40, 255))

EVENT_RGBA: dict[str, tuple[int, int, int, int]] = {
    "intercept": (255, 255, 80, 255),
    "impact": (255, 110, 0, 255),
    "detonation": (255, 200, 120, 255),
    "fire": (0, 230, 230, 255),
    "launch": (255, 80, 160, 255),
}


def force_rgba(force: str) -> tuple[int, int, int, int]:
    """Colour of a force: its name when it is a colour, else a fixed pick from a palette."""
    key = force.strip().lower()
    if key in _FORCE_RGBA:
        return _FORCE_RGBA[key]
    return _PALETTE[zlib.crc32(key.encode()) % len(_PALETTE)]


def kml_color(rgba: tuple[int, int, int, int]) -> str:
    """KML colour text ``aabbggrr`` (hex)."""
    r, g, b, a = rgba
    return f"{a:02x}{b:02x}{g:02x}{r:02x}"
