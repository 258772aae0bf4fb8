"""Deterministic randomness: one generator per domain, derived from the seed."""

from __future__ import annotations

import uuid

import numpy as np

__all__ = ["domain_rng", "uuids"]

DOMAINS = ("prices", "tenants", "billing", "usage", "research", "trading", "ops", "users")


def domain_rng(seed: int, domain: str) -> np.random.Generator:
    """A generator for one domain, so that domains do not shift each other's draws."""
    return np.random.default_rng([seed, DOMAINS.index(domain)])


def uuids(rng: np.random.Generator, n: int) -> list[uuid.UUID]:
    """`n` version-4 UUIDs drawn from `rng`."""
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    return [uuid.UUID(bytes=row.tobytes(), version=4) for row in raw]
