"""Koshi: an open platform for managing migration by transparent, dated rules."""

__version__ = "0.1.0"
