"""Policy analytics: the monitoring KPIs (:mod:`.kpi`) and the official reference figures (:mod:`.reference`).

This module holds what both the KPIs and the synthetic monitoring data need: the
labour-deficit regions of a year, read from the rules' own dated parameters.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from koshi.reference.regions import BY_SLUG

DEFICIT_PARAMETER = "kz.common.labour_deficit"
KANDAS_DEFICIT_PARAMETER = "kz.common.labour_deficit_kandas"


@dataclass(frozen=True, slots=True)
class DeficitList:
    """The labour-deficit regions (KATO codes) used for ``year``.

    The list is the one in force on 1 January of ``year`` (the year's quota order).
    The parameters start in 2024; for an earlier year the earliest list stands in and
    ``as_of`` says which date it was read on (``substituted`` is then true).
    """

    year: int
    as_of: dt.date
    regions: tuple[str, ...]

    @property
    def substituted(self) -> bool:
        """The list is not the year's own (the year is before the first dated list)."""
        return self.as_of.year != self.year


def _listed(path: str, on: dt.date) -> tuple[str, ...]:
    """Region slugs set true on ``on`` in the boolean parameter node ``path``."""
    from koshi.rules.system import system  # the OpenFisca system is heavy: build it only when asked

    node = system().parameters(on.isoformat())
    for part in path.split("."):
        node = node[part]
    return tuple(key for key in node if bool(node[key]))


@functools.cache
def labour_deficit(year: int, *, kandas: bool = False) -> DeficitList:
    """The labour-deficit regions of ``year`` (``kandas``: the kandas settlement list), as KATO codes."""
    path = KANDAS_DEFICIT_PARAMETER if kandas else DEFICIT_PARAMETER
    on = dt.date(year, 1, 1)
    slugs = _listed(path, on)
    probe = year
    while not slugs and probe < year + 10:  # before the first dated list: the earliest one stands in
        probe += 1
        on = dt.date(probe, 1, 1)
        slugs = _listed(path, on)
    return DeficitList(year, on, tuple(sorted(BY_SLUG[s].kato for s in slugs)))


__all__ = ["DeficitList", "labour_deficit"]
