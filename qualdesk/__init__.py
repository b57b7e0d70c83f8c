"""QualDesk core: domain rules, data layer and use cases. Never imports Qt."""

__version__ = "0.1.0"
