"""All SQL of the dashboard: one module per domain, bound parameters only."""
