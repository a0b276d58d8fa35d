"""What sees it: radars, space-based infrared early warning, and their measurements.

Modules: ``detection`` (Pd / required SNR: Albersheim, Shnidman, exact Swerling 0-4),
``radar_equation`` (pulse, search and reference forms), ``radar`` (``Radar``, batched
``RadarArray``), ``rcs`` (notional RCS per object type), ``orbits`` (Keplerian satellites),
``infrared`` (``InfraredConstellation``, launch reports), ``coverage`` (coverage maps),
``sampling`` (observe flight trajectories), ``specs`` (pydantic sensor specs),
``measurements`` (``MeasurementBatch``), ``base`` (the ``Sensor`` protocol).
"""
