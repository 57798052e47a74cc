"""Every store, API, page and command module imports first, in a fresh interpreter.

The store's modules refer to each other (models register the registry and overstay tables, the
overstays read the registry): a cycle shows up only when a module other than the usual first one
is imported first, as ``koshi demo seed`` once did.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import koshi

AREAS = ("koshi.store", "koshi.api", "koshi.web", "koshi.cli", "koshi.registry")
MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(koshi.__path__, "koshi.")
    if m.name.startswith(AREAS) and ".migrations" not in m.name
)
SCRIPT = """
import importlib, sys
for name in sys.argv[1:]:
    for loaded in [k for k in sys.modules if k == "koshi" or k.startswith("koshi.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as exc:
        print(f"{name}: {type(exc).__name__}: {exc}")
"""


def test_the_areas_have_their_modules() -> None:
    assert {"koshi.store.cases", "koshi.store.registry", "koshi.store.overstays", "koshi.cli"} <= set(MODULES)


@pytest.mark.parametrize("chunk", range(2))
def test_each_module_imports_first(chunk: int) -> None:
    r = subprocess.run(
        [sys.executable, "-c", SCRIPT, *MODULES[chunk::2]], capture_output=True, text=True, timeout=300, check=True
    )
    assert r.stdout == ""
