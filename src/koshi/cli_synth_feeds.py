"""``koshi synth feeds``: a seeded year of registry feeds with the ground truth kept aside."""

from __future__ import annotations


def synth_feeds() -> None:
    """Placeholder, replaced by the feed generator's command."""
