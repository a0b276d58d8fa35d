"""Catalogue of notional, generic threat types built from public open-literature figures.

These are *generic* models of missile classes, not models of any real missile. Where a
figure comes from a public description of a real type it is rounded and the type is named
only as the public source of the order of magnitude. Figures marked "tuned" were adjusted
(within the public ranges) so that the simulated maximum range falls in the class's range;
``tests/threats/test_catalogue.py`` checks the ranges by simulation.

Public sources used (cited per figure below):

- [WIKI-SCUD] Wikipedia, "Scud" / "R-17 Elbrus" infobox: length 11.25 m, diameter 0.88 m,
  launch mass 5,900 kg, warhead 985 kg, range 300 km, burn time ~62 s (Isayev 9D21 engine).
- [CSIS-SCUD] CSIS Missile Threat, "Scud-B": 300 km range, 985-1,000 kg payload, single-stage
  liquid.
- [WK94] D. Wright & T. Kadyshev, "An analysis of the North Korean Nodong missile",
  Science & Global Security 4 (1994) 129-160: single stage, ~16 t launch mass, 1.3 m
  diameter, burn time ~110 s, 1,000-1,300 km range with a ~1,000 kg payload.
- [WIKI-NODONG] Wikipedia, "Hwasong-7 (Nodong-1)": launch mass 15,850-16,250 kg, diameter
  1.36 m, payload 700-1,200 kg, range 1,000-1,500 km.
- [WIKI-AGNI3] Wikipedia, "Agni-III": two solid stages, launch mass ~48 t, diameter 2 m,
  payload 1.5-2.5 t, range 3,000-5,000 km.
- [WIKI-MM3] Wikipedia, "LGM-30 Minuteman" (Minuteman III): three solid stages, launch mass
  ~36 t, diameter 1.67 m; stage burn times ~61 s, ~66 s, ~61 s; range ~13,000 km.
- [SUTTON] G. P. Sutton & O. Biblarz, *Rocket Propulsion Elements*, 7th ed. (2001), tables of
  specific impulse: storable liquids (kerosene/nitric acid) ~220-250 s at sea level; composite
  solid propellants ~250-290 s.
- [ZARCHAN] P. Zarchan, *Tactical and Strategic Missile Guidance*, 6th ed., AIAA (2012),
  strategic chapters: re-entry vehicle ballistic coefficients of 500-1,000 lb/ft^2
  (2,440-4,880 kg/m^2) for generic RVs.
- [WIKI-TOMAHAWK] Wikipedia, "Tomahawk (missile)": speed ~880 km/h (Mach 0.74), range
  1,250-2,500 km, launch mass ~1,300-1,600 kg; flies at low altitude (terrain following).
- [WIKI-KH55] Wikipedia, "Kh-55": subsonic (Mach ~0.75), range ~2,500 km, flight altitude
  40-110 m.
- [ACTON15] J. M. Acton, "Hypersonic boost-glide weapons", Science & Global Security 23
  (2015) 191-219: HTV-2-class glider L/D ~2.6.
- [TW21] C. L. Tracy & D. Wright, "Modeling the performance of hypersonic boost-glide
  missiles", Science & Global Security 28 (2020) 135-170: glider L/D 2.6, ballistic
  coefficient ~13,000 kg/m^2, glide speeds 5-6 km/s.
- [WIKI-DF17] Wikipedia, "DF-17": boost-glide, range 1,800-2,500 km, launch mass ~15 t.
"""

from __future__ import annotations

import math

from hoplon.errors import InputError
from hoplon.threats.specs import (
    BallisticMissile,
    CruiseMissile,
    GlideVehicle,
    PitchProgram,
    Stage,
    ThreatSpec,
)

__all__ = ["get_missile", "list_missiles"]

PSF_TO_KG_M2 = 47.880258888889 / 9.80665  # 1 lb/ft^2 in kg/m^2 (4.8824)

# --- srbm-300: single-stage liquid SRBM, Scud-B class ---------------------------------
SRBM_300 = BallisticMissile(
    name="srbm-300",
    stages=(
        Stage(
            # Propellant ~3,700 kg: launch mass 5,900 kg [WIKI-SCUD] less warhead 985 kg
            # [WIKI-SCUD] and ~1,200 kg structure/engine (tuned within that split).
            propellant_mass_kg=3700.0,
            dry_mass_kg=1215.0,
            isp_s=240.0,  # [SUTTON] storable liquid ~220-250 s (tuned: 240 s gives ~300 km)
            burn_time_s=62.0,  # [WIKI-SCUD]
            diameter_m=0.88,  # [WIKI-SCUD]
            name="srbm-300.stages[0]",
        ),
    ),
    payload_mass_kg=985.0,  # [WIKI-SCUD], [CSIS-SCUD]
    rv_beta_kg_m2=500.0 * PSF_TO_KG_M2,  # [ZARCHAN] 500 lb/ft^2
    pitch=PitchProgram(vertical_time_s=5.0, kick_time_s=10.0, kick_angle_rad=math.radians(40)),
    description="Notional single-stage liquid short-range ballistic missile (~300 km).",
    sources="WIKI-SCUD, CSIS-SCUD, SUTTON, ZARCHAN",
)

# --- mrbm-1300: single-stage liquid MRBM, Nodong class -------------------------------
MRBM_1300 = BallisticMissile(
    name="mrbm-1300",
    stages=(
        Stage(
            # Launch mass ~16,000 kg [WK94, WIKI-NODONG] = propellant + dry + payload;
            # propellant fraction tuned so the range is 1,000-1,300 km.
            propellant_mass_kg=12900.0,
            dry_mass_kg=1900.0,  # tuned
            isp_s=240.0,  # [SUTTON] storable liquid; [WK94] assume ~230-250 s
            burn_time_s=110.0,  # [WK94]
            diameter_m=1.36,  # [WIKI-NODONG]
            name="mrbm-1300.stages[0]",
        ),
    ),
    payload_mass_kg=1000.0,  # [WK94] ~1,000 kg
    rv_beta_kg_m2=500.0 * PSF_TO_KG_M2,  # [ZARCHAN]
    pitch=PitchProgram(vertical_time_s=6.0, kick_time_s=10.0, kick_angle_rad=math.radians(15)),
    description="Notional single-stage liquid medium-range ballistic missile (1,000-1,300 km).",
    sources="WK94, WIKI-NODONG, SUTTON, ZARCHAN",
)

# --- irbm-4000: two-stage solid IRBM, Agni-III class ---------------------------------
IRBM_4000 = BallisticMissile(
    name="irbm-4000",
    stages=(
        Stage(
            # Launch mass ~48 t and 2 m diameter [WIKI-AGNI3]; stage split notional (~70/30).
            propellant_mass_kg=28000.0,  # tuned
            dry_mass_kg=3000.0,
            isp_s=260.0,  # [SUTTON] composite solid, ~250-290 s
            burn_time_s=80.0,  # notional
            diameter_m=2.0,  # [WIKI-AGNI3]
            name="irbm-4000.stages[0]",
        ),
        Stage(
            propellant_mass_kg=10500.0,
            dry_mass_kg=1200.0,
            isp_s=280.0,  # [SUTTON]
            burn_time_s=75.0,  # notional
            diameter_m=2.0,
            name="irbm-4000.stages[1]",
        ),
    ),
    payload_mass_kg=2500.0,  # [WIKI-AGNI3] 1.5-2.5 t (upper end)
    rv_beta_kg_m2=1000.0 * PSF_TO_KG_M2,  # [ZARCHAN] 1,000 lb/ft^2
    pitch=PitchProgram(vertical_time_s=8.0, kick_time_s=10.0, kick_angle_rad=math.radians(32)),
    description="Notional two-stage solid intermediate-range ballistic missile (3,000-4,000 km).",
    sources="WIKI-AGNI3, SUTTON, ZARCHAN",
)

# --- icbm-10000: three-stage solid ICBM, Minuteman III class -------------------------
ICBM_10000 = BallisticMissile(
    name="icbm-10000",
    stages=(
        Stage(
            # Launch mass ~36 t and 1.67 m diameter, burn times 61/66/61 s [WIKI-MM3];
            # propellant/dry split per stage notional (propellant fractions ~0.9).
            propellant_mass_kg=20800.0,
            dry_mass_kg=2300.0,
            isp_s=267.0,  # [SUTTON] composite solid (sea-level-to-vacuum average)
            burn_time_s=61.0,  # [WIKI-MM3]
            diameter_m=1.67,  # [WIKI-MM3]
            name="icbm-10000.stages[0]",
        ),
        Stage(
            propellant_mass_kg=6200.0,
            dry_mass_kg=1000.0,
            isp_s=287.0,  # [SUTTON]
            burn_time_s=66.0,  # [WIKI-MM3]
            diameter_m=1.33,
            name="icbm-10000.stages[1]",
        ),
        Stage(
            propellant_mass_kg=3300.0,
            dry_mass_kg=400.0,
            isp_s=285.0,  # [SUTTON]
            burn_time_s=61.0,  # [WIKI-MM3]
            diameter_m=1.32,
            name="icbm-10000.stages[2]",
        ),
    ),
    payload_mass_kg=800.0,  # notional RV + bus (tuned; a Mk12A-class RV is ~0.4 t)
    rv_beta_kg_m2=1000.0 * PSF_TO_KG_M2,  # [ZARCHAN]
    pitch=PitchProgram(vertical_time_s=5.0, kick_time_s=10.0, kick_angle_rad=math.radians(55)),
    description="Notional three-stage solid intercontinental ballistic missile (10,000+ km).",
    sources="WIKI-MM3, SUTTON, ZARCHAN",
)

# --- cruise-subsonic: Tomahawk/Kh-55 class ------------------------------------------
CRUISE_SUBSONIC = CruiseMissile(
    name="cruise-subsonic",
    speed_mps=0.74 * 340.29,  # Mach 0.74 [WIKI-TOMAHAWK] at sea-level sound speed, ~252 m/s
    cruise_altitude_m=50.0,  # [WIKI-KH55] 40-110 m; [WIKI-TOMAHAWK] low altitude
    max_range_m=2_000_000.0,  # [WIKI-TOMAHAWK] 1,250-2,500 km, [WIKI-KH55] ~2,500 km
    climb_angle_rad=math.radians(10.0),  # notional
    dive_angle_rad=math.radians(30.0),  # notional terminal dive
    popup_altitude_m=0.0,
    mass_kg=1300.0,  # [WIKI-TOMAHAWK] ~1,300-1,600 kg
    description="Notional subsonic land-attack cruise missile (~Mach 0.74, ~2,000 km, ~50 m).",
    sources="WIKI-TOMAHAWK, WIKI-KH55",
)

# --- hgv: boost-glide vehicle on a two-stage solid booster, DF-17 / HTV-2 class -----------
HGV_BOOSTER = BallisticMissile(
    name="hgv.booster",
    stages=(
        Stage(
            # ~15 t launch mass [WIKI-DF17] (this one: ~13.4 t); split notional.
            propellant_mass_kg=9000.0,
            dry_mass_kg=1000.0,
            isp_s=265.0,  # [SUTTON]
            burn_time_s=60.0,  # notional
            diameter_m=1.2,  # notional
            name="hgv.booster.stages[0]",
        ),
        Stage(
            propellant_mass_kg=1500.0,  # tuned: depressed boost to ~3.5 km/s
            dry_mass_kg=400.0,
            isp_s=285.0,  # [SUTTON]
            burn_time_s=45.0,  # notional
            diameter_m=1.2,
            name="hgv.booster.stages[1]",
        ),
    ),
    payload_mass_kg=1500.0,  # notional glider mass (tuned)
    rv_beta_kg_m2=13000.0,  # [TW21]
    # Strong early pitch-over (85 deg over 20 s) for a depressed boost: burnout near 50 km
    # altitude, ~9 deg flight-path angle (notional; [TW21] discuss burnout at 40-100 km).
    pitch=PitchProgram(vertical_time_s=3.0, kick_time_s=20.0, kick_angle_rad=math.radians(85)),
    description="Booster of the notional boost-glide vehicle.",
    sources="WIKI-DF17, SUTTON",
)
HGV = GlideVehicle(
    name="hgv",
    booster=HGV_BOOSTER,
    lift_to_drag=2.6,  # [ACTON15], [TW21]
    beta_kg_m2=13000.0,  # [TW21]
    pull_up_altitude_m=60e3,  # notional: start of the equilibrium glide
    description="Notional hypersonic boost-glide vehicle (L/D 2.6) on a two-stage booster.",
    sources="WIKI-DF17, ACTON15, TW21, SUTTON",
)

_CATALOGUE: dict[str, ThreatSpec] = {
    m.name: m for m in (SRBM_300, MRBM_1300, IRBM_4000, ICBM_10000, CRUISE_SUBSONIC, HGV)
}

#: Class ground-range band of each type [m] (what the catalogue test checks).
CLASS_RANGE_M: dict[str, tuple[float, float]] = {
    "srbm-300": (250e3, 350e3),
    "mrbm-1300": (1000e3, 1300e3),
    "irbm-4000": (3000e3, 4000e3),
    "icbm-10000": (10000e3, 14000e3),
    "cruise-subsonic": (1500e3, 2500e3),
    "hgv": (1500e3, 3000e3),
}


def list_missiles() -> list[str]:
    """Names of the catalogue types, sorted."""
    return sorted(_CATALOGUE)


def get_missile(name: str) -> ThreatSpec:
    """The catalogue spec called ``name``.

    Raises
    ------
    InputError
        Field ``"--missile"``, listing the known names, when ``name`` is unknown.
    """
    key = str(name).strip().lower()
    if key not in _CATALOGUE:
        raise InputError("--missile", f"unknown missile {name!r}", ", ".join(list_missiles()))
    return _CATALOGUE[key]
