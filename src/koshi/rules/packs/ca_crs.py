"""``ca.crs``: placeholder until the CRS pack lands (no variables, no pack)."""

from __future__ import annotations

from openfisca_core.variables import Variable

VARIABLES: list[type[Variable]] = []
