"""What an import batch reports: the rows it took and each row it refused, by row, field and reason.

Every import (foreign labour, agencies, resettlement) loads one file in one transaction with a savepoint per
row and reports in these terms, so the command line prints and tests read them the same way everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class ImportFileError(ValueError):
    """The file as a whole cannot be read as this kind (a missing column)."""


@dataclass(frozen=True, slots=True)
class RowError:
    """One bad row: where and why (never the value of a personal field).

    >>> str(RowError(3, "size", "must be at least 1"))
    'row 3, size: must be at least 1'
    """

    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.reason}"


@dataclass(slots=True)
class ImportReport:
    """What a batch did."""

    kind: str
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        """Rows not loaded."""
        return len(self.errors)


class BadCell(Exception):
    """A row's field that cannot be read: the field and why (never its value when it is personal)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason
