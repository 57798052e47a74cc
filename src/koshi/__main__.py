"""``python -m koshi`` runs the CLI."""

from koshi.cli import main

main()
