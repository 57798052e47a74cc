"""Seeded synthetic data for demos, tests and benchmarks; never real people's data."""
