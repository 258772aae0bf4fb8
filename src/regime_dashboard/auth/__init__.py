"""Sign-in, roles and accounts."""
