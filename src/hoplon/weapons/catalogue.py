"""Catalogue of notional, generic interceptor types, each figure with its public source.

The four types are *generic and notional*: they are loosely patterned on the public,
open-literature figures of well-known systems so that scenarios have plausible numbers, but
they are not models of those systems. Figures fall in three classes, marked on each line:

- **public**: the number (or a range it lies in) appears in the cited public source;
- **derived**: computed from public figures (e.g. a mass from a total and a fraction);
- **notional**: chosen for this catalogue (no public figure); for motor figures, chosen so
  that the simulated flyout (``hoplon.weapons.flyout``) reaches the public burnout speed
  and the declared envelope. ``tests/weapons/test_catalogue.py`` checks that each type's
  simulated flyout reaches its declared maximum range and altitude within its maximum flyout
  time, and that the simulated burnout speed is near the public figure.

Sources (abbreviations used in the comments)
--------------------------------------------
- [WP-THAAD] Wikipedia, "Terminal High Altitude Area Defense" (infobox: mass 900 kg, length
  6.17 m, diameter 0.34 m, speed Mach 8.24 ~ 2.8 km/s, range 200 km, ceiling 150 km).
- [LM-THAAD] Lockheed Martin, quoted by TRT World, "What is THAAD?", 2017-05-05: range up to
  200 km, altitudes up to 150 km.
- [CSIS-THAAD] CSIS Missile Threat, "Terminal High Altitude Area Defense (THAAD)": battery of
  six launchers with eight interceptors each; intercepts inside and outside the atmosphere.
- [WP-PAC3] Wikipedia, "MIM-104 Patriot" (PAC-3 / PAC-3 MSE: hit-to-kill, ~Mach 5,
  12 PAC-3 MSE or 16 PAC-3 CRI per M903 launcher; launch mass of the MSE about 370 kg).
- [HILL-PAT] The Hill via Yahoo News, "What is the Patriot missile defense system?", 2022:
  a typical battery has six to eight launchers.
- [WP-S400] Wikipedia, "S-400 missile system" (48N6 family: launch mass ~1.8 t, speed up to
  ~2 km/s, 4 missiles per 5P85 launcher, 8 launchers per battalion; 48N6DM range 250 km).
- [PD-S400] People's Daily (French ed.), 2014: "intercept an aircraft at 250 km and
  non-strategic ballistic missiles at 60 km".
- [WP-SM3] Wikipedia, "RIM-161 Standard Missile 3" (Block IA/IB: mass ~1.5 t, three stages
  plus kinetic warhead, speed ~3 km/s, range ~700 km, ceiling ~500 km; exo-atmospheric
  hit-to-kill, kinetic warhead ~23 kg).
- [MDA-AEGIS] Missile Defense Agency, "Aegis Ballistic Missile Defense" fact sheet:
  SM-3 intercepts in the midcourse, outside the atmosphere, launched from Mk 41 VLS.

Single-shot kill probabilities and reliabilities are **notional** for every type: public
test records (e.g. MDA flight-test tallies) are not single-shot kill probabilities against
a defined threat; 0.7-0.9 is the range open-literature effectiveness studies assume.
"""

from __future__ import annotations

import math

from hoplon.errors import InputError
from hoplon.weapons.interceptor import InterceptorType, Stage

KM = 1000.0
DEG = math.pi / 180.0

UPPER_TIER = InterceptorType(
    name="upper-tier",
    description="THAAD-like endo/exo-atmospheric upper-tier hit-to-kill interceptor (notional)",
    stages=(
        Stage(
            propellant_mass_kg=680.0,  # derived: ~75 % of the 900 kg launch mass [WP-THAAD]
            inert_mass_kg=180.0,  # notional: case, nozzle, structure
            burn_time_s=15.0,  # notional: fitted to the 2.8 km/s burnout speed [WP-THAAD]
            isp_s=265.0,  # notional: typical composite solid propellant
            jettison=False,  # notional: the body coasts as one (simplification)
        ),
    ),
    payload_mass_kg=40.0,  # notional: kill vehicle; 900 kg launch mass in total [WP-THAAD]
    ballistic_coefficient_kg_m2=6000.0,  # notional: 0.34 m body [WP-THAAD], Cd ~ 0.3
    min_intercept_altitude_m=40.0 * KM,  # notional: ~40 km commonly quoted lower limit
    max_intercept_altitude_m=150.0 * KM,  # public: ceiling 150 km [LM-THAAD], [WP-THAAD]
    min_range_m=5.0 * KM,  # notional
    max_range_m=200.0 * KM,  # public: range 200 km [LM-THAAD], [WP-THAAD]
    max_flyout_time_s=200.0,  # notional: guided flight time
    p_kill=0.85,  # notional (see module notes)
    reliability=0.95,  # notional
    reaction_time_s=10.0,  # notional
    kill_mechanism="hit-to-kill",  # public [CSIS-THAAD]
    regime="endo-exo",  # public: inside and outside the atmosphere [CSIS-THAAD]
    divert_delta_v_mps=None,
    vertical_rise_s=1.0,  # notional: vertical launch from a canted/erect launcher
    pitch_rate_rad_s=20.0 * DEG,  # notional
    min_launch_elevation_rad=5.0 * DEG,  # notional
    sources=("WP-THAAD", "LM-THAAD", "CSIS-THAAD"),
)

LOWER_TIER = InterceptorType(
    name="lower-tier",
    description="PAC-3-like endo-atmospheric lower-tier hit-to-kill interceptor (notional)",
    stages=(
        Stage(
            propellant_mass_kg=230.0,  # derived: ~62 % of the ~370 kg launch mass [WP-PAC3]
            inert_mass_kg=60.0,  # notional
            burn_time_s=8.0,  # notional: fitted to ~Mach 5 (1.7 km/s) [WP-PAC3]
            isp_s=250.0,  # notional
            jettison=False,  # single-stage missile: the whole body flies to intercept
        ),
    ),
    payload_mass_kg=80.0,  # notional: seeker, attitude control, lethality enhancer
    ballistic_coefficient_kg_m2=4000.0,  # notional: 0.29 m body, Cd ~ 0.35
    min_intercept_altitude_m=30.0,  # notional: low enough for sea-skimming cruise missiles
    max_intercept_altitude_m=25.0 * KM,  # notional: order of public PAC-3 MSE figures
    min_range_m=3.0 * KM,  # notional
    max_range_m=30.0 * KM,  # notional: order of public PAC-3 MSE figures vs TBMs
    max_flyout_time_s=60.0,  # notional
    p_kill=0.8,  # notional
    reliability=0.95,  # notional
    reaction_time_s=9.0,  # notional
    kill_mechanism="hit-to-kill",  # public [WP-PAC3]
    regime="endo",  # public: terminal-phase, inside the atmosphere [WP-PAC3]
    divert_delta_v_mps=None,
    vertical_rise_s=0.5,  # notional (the real launcher is canted; the fan covers it)
    pitch_rate_rad_s=30.0 * DEG,  # notional: agile airframe
    min_launch_elevation_rad=5.0 * DEG,  # notional
    sources=("WP-PAC3", "HILL-PAT"),
)

AREA_LONG_RANGE = InterceptorType(
    name="area-long-range",
    description="S-400-like long-range area SAM (48N6-like missile) against ballistic targets",
    stages=(
        Stage(
            propellant_mass_kg=1150.0,  # derived: ~64 % of the ~1.8 t launch mass [WP-S400]
            inert_mass_kg=350.0,  # notional
            burn_time_s=10.0,  # notional: fitted to ~2 km/s [WP-S400]
            isp_s=245.0,  # notional
            jettison=False,  # single-stage missile
        ),
    ),
    payload_mass_kg=300.0,  # notional: ~150-180 kg warhead plus guidance (order of [WP-S400])
    ballistic_coefficient_kg_m2=10000.0,  # notional: 0.515 m body, Cd ~ 0.3
    min_intercept_altitude_m=10.0,  # public: S-400 class, targets down to ~10 m [WP-S400]
    max_intercept_altitude_m=30.0 * KM,  # notional: order of the 48N6 ceiling (27-30 km)
    min_range_m=5.0 * KM,  # notional
    max_range_m=60.0 * KM,  # public: ballistic targets at 60 km [PD-S400]
    max_flyout_time_s=90.0,  # notional
    p_kill=0.7,  # notional
    reliability=0.95,  # notional
    reaction_time_s=10.0,  # notional: "under 10 s" is a common public claim [WP-S400]
    kill_mechanism="blast-fragmentation",  # public: fragmentation warhead [WP-S400]
    regime="endo",
    divert_delta_v_mps=None,
    vertical_rise_s=1.0,  # public: vertical (cold) launch from the canister [WP-S400]
    pitch_rate_rad_s=25.0 * DEG,  # notional
    min_launch_elevation_rad=5.0 * DEG,  # notional
    sources=("WP-S400", "PD-S400"),
)

EXO_SHIP = InterceptorType(
    name="exo-ship",
    description="SM-3-like ship-based exo-atmospheric midcourse hit-to-kill interceptor",
    stages=(
        Stage(  # booster
            propellant_mass_kg=470.0,  # notional: first stage share of ~1.5 t [WP-SM3]
            inert_mass_kg=230.0,  # notional
            burn_time_s=6.0,  # notional
            isp_s=250.0,  # notional
        ),
        Stage(  # second stage, dual thrust
            propellant_mass_kg=300.0,  # notional
            inert_mass_kg=220.0,  # notional
            burn_time_s=25.0,  # notional
            isp_s=265.0,  # notional
        ),
        Stage(  # third stage
            propellant_mass_kg=70.0,  # notional
            inert_mass_kg=110.0,  # notional (includes the third-stage structure and shroud)
            burn_time_s=15.0,  # notional: fitted to ~3 km/s [WP-SM3]
            isp_s=285.0,  # notional
        ),
    ),
    payload_mass_kg=23.0,  # public: kinetic warhead ~23 kg [WP-SM3]; 1.42 t in all (~1.5 t)
    ballistic_coefficient_kg_m2=3000.0,  # notional: kinetic warhead after the stages drop
    min_intercept_altitude_m=100.0 * KM,  # notional: exo-atmospheric only [MDA-AEGIS]
    max_intercept_altitude_m=500.0 * KM,  # public: ceiling ~500 km (Block IA/IB) [WP-SM3]
    min_range_m=20.0 * KM,  # notional
    max_range_m=700.0 * KM,  # public: range ~700 km (Block IA/IB) [WP-SM3]
    max_flyout_time_s=420.0,  # notional
    p_kill=0.8,  # notional
    reliability=0.95,  # notional
    reaction_time_s=10.0,  # notional
    kill_mechanism="hit-to-kill",  # public [WP-SM3], [MDA-AEGIS]
    regime="exo",  # public: outside the atmosphere [MDA-AEGIS]
    divert_delta_v_mps=None,
    vertical_rise_s=2.0,  # public: vertical launch from the Mk 41 VLS [MDA-AEGIS]
    pitch_rate_rad_s=10.0 * DEG,  # notional
    min_launch_elevation_rad=10.0 * DEG,  # notional
    sources=("WP-SM3", "MDA-AEGIS"),
)

#: Public burnout (or maximum) speeds the motor figures were fitted to [m/s], with sources.
PUBLIC_SPEED_MPS: dict[str, tuple[float, str]] = {
    "upper-tier": (2800.0, "WP-THAAD: Mach 8.24, ~2.8 km/s"),
    "lower-tier": (1700.0, "WP-PAC3: ~Mach 5"),
    "area-long-range": (2000.0, "WP-S400: 48N6 up to ~2 km/s"),
    "exo-ship": (3000.0, "WP-SM3: ~3 km/s (Block IA/IB)"),
}

_CATALOGUE: dict[str, InterceptorType] = {
    t.name: t for t in (UPPER_TIER, LOWER_TIER, AREA_LONG_RANGE, EXO_SHIP)
}


def list_interceptors() -> list[str]:
    """Names of the catalogued interceptor types."""
    return sorted(_CATALOGUE)


def get_interceptor(name: str) -> InterceptorType:
    """The catalogued interceptor type called ``name``.

    Raises
    ------
    InputError
        Unknown name (the message lists the known names).
    """
    try:
        return _CATALOGUE[name]
    except (KeyError, TypeError):
        raise InputError(
            "interceptor", f"unknown interceptor type {name!r}", ", ".join(list_interceptors())
        ) from None
