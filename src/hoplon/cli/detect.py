"""``hoplon detect``: the per-pulse SNR a radar needs for a detection probability.

Example: ``hoplon detect --pd 0.9 --pfa 1e-6 --pulses 10 --swerling 1 --method exact``.
"""

from __future__ import annotations

import math

import typer

from hoplon.errors import InputError

_FIELDS = {
    "pd": "--pd",
    "pfa": "--pfa",
    "pulses": "--pulses",
    "swerling": "--swerling",
    "method": "--method",
}


def register(app: typer.Typer) -> None:
    """Add ``hoplon detect`` to ``app``."""
    app.command("detect")(detect)


def detect(
    pd: float = typer.Option(..., "--pd", help="Probability of detection, 0 < Pd < 1."),
    pfa: float = typer.Option(1e-6, "--pfa", help="Probability of false alarm, 0 < Pfa < 1."),
    pulses: int = typer.Option(1, "--pulses", help="Pulses integrated non-coherently (N >= 1)."),
    swerling: int = typer.Option(
        0, "--swerling", help="Swerling case: 0 (non-fluctuating), 1, 2, 3 or 4."
    ),
    method: str = typer.Option(
        "exact", "--method", help="albersheim (Swerling 0 only), shnidman or exact."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Required per-pulse SNR [dB] for Pd, Pfa, N pulses and a Swerling case."""
    from hoplon.sensors.detection import required_snr_db

    try:
        snr = float(required_snr_db(pd, pfa, pulses, swerling, method))
    except InputError as exc:
        raise type(exc)(_FIELDS.get(exc.field, exc.field), exc.reason, exc.allowed) from None
    integrated = snr + 10.0 * math.log10(pulses)
    data = {
        "pd": pd,
        "pfa": pfa,
        "pulses": pulses,
        "swerling": swerling,
        "method": method,
        "snr_db": snr,
        "integrated_snr_db": integrated,
    }
    if as_json:
        from hoplon.cli._output import print_json

        print_json(data)
        return
    from hoplon.cli._output import print_table

    print_table(
        "required SNR",
        [
            ("Pd", f"{pd:g}"),
            ("Pfa", f"{pfa:g}"),
            ("pulses", str(pulses)),
            ("Swerling case", str(swerling)),
            ("method", method),
            ("SNR per pulse", f"{snr:.3f} dB"),
            ("N x SNR per pulse", f"{integrated:.3f} dB"),
        ],
    )
