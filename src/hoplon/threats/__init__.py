"""What attacks: ballistic missiles, cruise missiles, boost-glide vehicles, a catalogue.

Modules
-------
- ``kepler``: vacuum Kepler ballistic flight over a spherical, non-rotating Earth (BMW ch. 6).
- ``specs``: frozen specifications (``Stage``, ``PitchProgram``, ``BallisticMissile``,
  ``CruiseMissile``, ``GlideVehicle``).
- ``ballistic``: stage-by-stage boost and RV free flight on ``hoplon.flight.propagate``.
- ``shaping``: trajectory shaping and targeting; ``plan_trajectory`` is the CLI's entry point.
- ``cruise``, ``glide``: kinematic cruise missiles, boost-glide vehicles.
- ``catalogue``: notional generic types with their public sources (``get_missile``,
  ``list_missiles``).

Submodules are imported on demand (they load the compiled flight kernels).
"""
