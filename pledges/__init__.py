"""The pledge registry: every commitment of the seed interview, as data."""

from pledges.loader import RegistryError, load_registry
from pledges.schema import AREAS, Pledge, PledgeKind, Registry, Target

__all__ = ["AREAS", "Pledge", "PledgeKind", "Registry", "RegistryError", "Target", "load_registry"]
