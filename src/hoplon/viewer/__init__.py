"""Replay viewer: a small web server showing a run directory on a CesiumJS globe.

``hoplon view RUN_DIR`` serves a static page, the run as CZML (``/run.czml``) and its events
(``/api/events``); the page uses the Cesium build installed from npm
(:mod:`hoplon.viewer.cesium`) with the bundled offline Natural Earth II imagery: no network,
no Cesium ion token. Needs the ``viewer`` extra (fastapi, uvicorn).
"""
