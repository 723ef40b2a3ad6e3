"""Generation providers: the request/handle/status types, the registry, the backends."""

from __future__ import annotations

from pickup.providers.base import (
    Capabilities,
    JobHandle,
    JobStatus,
    Provider,
    ShotRequest,
    State,
)
from pickup.providers.registry import available, get_provider

__all__ = [
    "Capabilities",
    "JobHandle",
    "JobStatus",
    "Provider",
    "ShotRequest",
    "State",
    "available",
    "get_provider",
]
