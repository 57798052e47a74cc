"""Applications and their workflow: states, decisions, scoring on submission and the audit chain."""
