"""Fast enum-keyed parameter tables.

OpenFisca's ``node[enum_array]`` resolves one sub-node per *row*; on a million
rows that is seconds.  A table has a handful of keys, so resolve each key once and
index the small vector with the enum codes.  Same values, same errors for a key
missing from the table.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt


def lookup(node: Any, keys: Any) -> npt.NDArray[Any]:
    """``node[keys]`` for an OpenFisca ``EnumArray`` of keys and a node at an instant."""
    members = sorted(keys.possible_values, key=lambda m: m.index)
    present = set(node)
    missing = [m.name for m in members if m.name not in present]
    if missing:
        raise KeyError(f"parameter table {node._name} has no value for {', '.join(missing)}")
    table = np.array([node[m.name] for m in members])
    return np.asarray(table[np.asarray(keys).astype(np.intp)])
