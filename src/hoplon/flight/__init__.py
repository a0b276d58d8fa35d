"""How does it move: forces, batch integrators with events, and ``Trajectory``."""
