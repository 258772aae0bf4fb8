"""`regime-dashboard bench`: page render times, SQL floors, naive baselines, concurrency."""
