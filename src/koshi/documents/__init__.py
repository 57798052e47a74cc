"""Identity documents and national identifiers: validation only, no I/O.

Identifiers are personal data. Nothing here puts a full number into an error
message or a ``repr``, so an exception or a logged object cannot leak one.
"""

from __future__ import annotations

from koshi.documents.iin import (
    Iin,
    InvalidBin,
    InvalidIin,
    check_digit,
    is_valid_iin,
    mask,
    validate_bin,
    validate_iin,
)

__all__ = [
    "Iin",
    "InvalidBin",
    "InvalidIin",
    "check_digit",
    "is_valid_iin",
    "mask",
    "validate_bin",
    "validate_iin",
]
