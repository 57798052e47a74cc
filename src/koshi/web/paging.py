"""GOV.UK pagination links, shared by every paged list (the case queue, the overstay lists)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PageLink:
    """One item of the GOV.UK pagination: a page number, or an ellipsis (number None)."""

    number: int | None
    href: str
    current: bool


def pagination(current: int, pages: int, href: Callable[[int], str]) -> list[PageLink]:
    """First, last, and the current page with its neighbours; gaps as ellipses.

    >>> [p.number for p in pagination(5, 9, str)]
    [1, None, 4, 5, 6, None, 9]
    """
    shown = sorted({1, pages, current - 1, current, current + 1} & set(range(1, pages + 1)))
    out: list[PageLink] = []
    previous = 0
    for n in shown:
        if n - previous > 1:
            out.append(PageLink(None, "", False))
        out.append(PageLink(n, href(n), n == current))
        previous = n
    return out
