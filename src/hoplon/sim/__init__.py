"""What happened: the discrete-event engine (one trial, or many in lockstep), the compiled
``World``, events, ``RunResult``."""

from hoplon.sim.batch import BatchEngine, run_batch
from hoplon.sim.engine import Engine, run
from hoplon.sim.result import RunResult
from hoplon.sim.world import World, compile_world

__all__ = ["BatchEngine", "Engine", "RunResult", "World", "compile_world", "run", "run_batch"]
