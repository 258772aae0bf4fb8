"""Deterministic demo data: `regime-dashboard seed --scale small|medium|large --seed N`."""
