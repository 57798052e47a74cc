"""Record linkage: one person id per human across the registry's feeds (Splink, Fellegi-Sunter)."""
