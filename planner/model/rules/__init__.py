"""The rules of the model, one function each, registered by name on import."""

from planner.model.rules import agency, phase, region, serve, site  # noqa: F401
