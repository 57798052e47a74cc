"""Identity documents and national identifiers: MRZ, IIN/BIN, transliteration. Pure, no I/O.

Identifiers are personal data. Nothing here puts a full number into an error
message or a ``repr``, so an exception or a logged object cannot leak one.
"""

from __future__ import annotations

from koshi.documents.iin import (
    Bin,
    Iin,
    InvalidBin,
    InvalidIin,
    check_digit,
    decode_bin,
    identifier_kind,
    is_valid_iin,
    mask,
    validate_bin,
    validate_iin,
)
from koshi.documents.mrz import (
    InvalidMrz,
    Mrz,
    MrzCheck,
    MrzFormat,
    build_mrz,
    compute_check_digit,
    fields_of,
    parse_mrz,
    unprotected_positions,
)
from koshi.documents.translit import NotTransliterable, match_key, mrz_name, to_latin, to_mrz

__all__ = [
    "Bin",
    "Iin",
    "InvalidBin",
    "InvalidIin",
    "InvalidMrz",
    "Mrz",
    "MrzCheck",
    "MrzFormat",
    "NotTransliterable",
    "build_mrz",
    "check_digit",
    "compute_check_digit",
    "decode_bin",
    "fields_of",
    "identifier_kind",
    "is_valid_iin",
    "mask",
    "match_key",
    "mrz_name",
    "parse_mrz",
    "to_latin",
    "to_mrz",
    "unprotected_positions",
    "validate_bin",
    "validate_iin",
]
