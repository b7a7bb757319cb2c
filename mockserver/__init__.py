"""mockserver: an offline, spec-accurate stand-in for FusionAuth and the LootLocker Game API."""

__version__ = "0.1.0"
