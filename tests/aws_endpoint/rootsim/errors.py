"""The error a scenario that AWS would refuse is answered with (400)."""

from __future__ import annotations


class ScenarioError(ValueError):
    pass
