"""Reference data (regions, codes) used by rules and adapters alike."""
