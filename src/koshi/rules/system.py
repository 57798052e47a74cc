"""The one OpenFisca tax-benefit system that holds every pack's variables and parameters."""

from __future__ import annotations

import functools
from importlib import resources
from types import ModuleType

from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from koshi.rules import entities
from koshi.rules.pack import PolicyPack
from koshi.rules.packs import ca_crs, kz_common, kz_kandas_status, kz_permanent_residence

MODULES: tuple[ModuleType, ...] = (kz_common, kz_permanent_residence, kz_kandas_status, ca_crs)


class KoshiSystem(TaxBenefitSystem):
    """Entities, every pack's variables and the dated parameter tree under ``rules/parameters``."""

    def __init__(self) -> None:
        super().__init__(entities.entities)
        for module in MODULES:
            self.add_variables(*module.VARIABLES)
        self.load_parameters(str(resources.files("koshi.rules") / "parameters"))


@functools.cache
def system() -> KoshiSystem:
    """The shared system; built once per process (parameters are parsed from YAML)."""
    return KoshiSystem()


def packs() -> dict[str, PolicyPack]:
    """Every pack by id, in a stable order."""
    return {m.PACK.id: m.PACK for m in MODULES if hasattr(m, "PACK")}
