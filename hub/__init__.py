"""The Helfer-Allianz hub: config, storage, sync pipeline, scheduler, web service and CLI."""
from __future__ import annotations

__version__ = "0.1.0"
