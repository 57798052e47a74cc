"""The yearly quota distributed among regions, and its live usage.

The ministry sets the national quota by category (``kz.labour.quota``); regions receive shares in
proportion to the need their employers declare by 1 October (resolution No. 802). Shares are
whole permits by the largest-remainder method, so they always add up to the national figure.

    >>> distribute(10, {"710000000": 5, "750000000": 3, "550000000": 1})
    {'710000000': 6, '750000000': 3, '550000000': 1}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


def distribute(total: int, needs: Mapping[str, float]) -> dict[str, int]:
    """``total`` permits split in proportion to ``needs`` (largest remainder; ties by key order).

    Raises:
        ValueError: a negative total or need, or no positive need to share by.
    """
    if total < 0 or any(n < 0 for n in needs.values()):
        raise ValueError("quota and needs must be zero or more")
    weight = sum(needs.values())
    if weight <= 0:
        raise ValueError("no region declared a need: nothing to distribute by")
    exact = {k: total * n / weight for k, n in needs.items()}
    out = {k: int(v) for k, v in exact.items()}
    left = total - sum(out.values())
    for k in sorted(exact, key=lambda k: (-(exact[k] - out[k]), list(needs).index(k)))[:left]:
        out[k] += 1
    return out


@dataclass(frozen=True, slots=True)
class Usage:
    """One region's quota for one category and year, and how much of it is taken."""

    year: int
    region_kato: str
    category: str
    allocated: int
    issued: int  # issued since (issued, expired or revoked)
    reserved: int  # pending or fee due

    @property
    def left(self) -> int:
        """Places still free (never below zero)."""
        return max(0, self.allocated - self.issued - self.reserved)

    @property
    def used_share(self) -> float:
        """Issued and reserved over allocated (0 when nothing is allocated)."""
        return (self.issued + self.reserved) / self.allocated if self.allocated else 0.0
