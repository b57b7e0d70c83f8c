"""Use cases: each takes a ``Database`` (or a session) and returns plain records."""
