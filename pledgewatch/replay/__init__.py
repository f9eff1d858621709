"""The recorded news sites, served on loopback so crawls run without the network."""

from pledgewatch.replay.recording import DEFAULT_ROOT, Recording
from pledgewatch.replay.server import Fault, Hit, ReplayServer, serve

__all__ = ["DEFAULT_ROOT", "Fault", "Hit", "Recording", "ReplayServer", "serve"]
