"""What happened: the discrete-event engine, the compiled ``World``, events, ``RunResult``."""

from hoplon.sim.engine import Engine, run
from hoplon.sim.result import RunResult
from hoplon.sim.world import World, compile_world

__all__ = ["Engine", "RunResult", "World", "compile_world", "run"]
