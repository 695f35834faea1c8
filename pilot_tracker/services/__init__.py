"""Use cases: load, change, audit, commit. The only layer that commits."""
