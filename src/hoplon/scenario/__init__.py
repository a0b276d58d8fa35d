"""What is the question: the scenario file schema, loading, and packaged examples."""

from hoplon.scenario.loader import list_examples, load
from hoplon.scenario.schema import ScenarioSpec
from hoplon.scenario.yamlfile import FileProblems

__all__ = ["FileProblems", "ScenarioSpec", "list_examples", "load"]
