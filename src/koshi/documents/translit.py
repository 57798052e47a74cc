"""Kazakh and Russian Cyrillic names to the ICAO 9303 Latin form, and one key for all spellings of a name.

Two directions, for two jobs:

- :func:`to_latin` and :func:`to_mrz` *write* a name as a travel document does:
  Doc 9303 Part 3 §6 (table B for Cyrillic, table A for accented Latin letters),
  §4.6 for punctuation in the MRZ (apostrophes dropped, hyphens and spaces become
  ``<``). ``to_latin`` is the visual-zone form (upper case, spaces and hyphens
  kept), ``to_mrz`` the machine-readable form (``A-Z`` and ``<`` only).
- :func:`match_key` *reads* names written by anyone: ICAO (Russian passports since
  2014), the 1997-2010 Russian passport rules, BGN/PCGN, GOST 7.79, German or
  Czech-style spellings, Kazakh national spellings, Kazakh Latin (2021) and the
  Cyrillic itself all reduce to the same key, so that records can be matched.
  The key is deliberately coarse (see ``docs/documents.md`` for its rules and
  the collisions they cause); it is for comparing names, never for display.

Kazakh letters: the 9303 table has no rows for Kazakh as such. Its rows at
U+0492 (Ғ, given as G) and U+04BA (Һ, given as C) evidently carry the
Macedonian Ѓ and the Serbian Ћ (the printed letters do not match the code
points). We follow the table's G for Ғ, which agrees with Kazakh practice,
and use Kazakh national practice for the rest: Ә A, Қ K, Ң N, Ө O, Ұ U, Ү U,
Һ H; І is in the table (I).

Examples:
    >>> to_latin("Юлия Щеглова"), to_mrz("Анна-Мария")
    ('IULIIA SHCHEGLOVA', 'ANNA<MARIIA')
    >>> to_latin("Нұрсұлтан Әбішұлы")
    'NURSULTAN ABISHULY'
    >>> {match_key(n) for n in ("Юрий", "IURII", "YURIY", "JURIJ", "yuri")}
    {'IURI'}
    >>> {match_key(n) for n in ("Жанар", "ZHANAR", "JANAR", "ŽANAR")}
    {'IANAR'}
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType

ICAO_CYRILLIC: Mapping[str, str] = MappingProxyType(
    {
        # Russian (Doc 9303 Part 3 §6 table B)
        "А": "A",
        "Б": "B",
        "В": "V",
        "Г": "G",
        "Д": "D",
        "Е": "E",
        "Ё": "E",
        "Ж": "ZH",
        "З": "Z",
        "И": "I",
        "Й": "I",
        "К": "K",
        "Л": "L",
        "М": "M",
        "Н": "N",
        "О": "O",
        "П": "P",
        "Р": "R",
        "С": "S",
        "Т": "T",
        "У": "U",
        "Ф": "F",
        "Х": "KH",
        "Ц": "TS",
        "Ч": "CH",
        "Ш": "SH",
        "Щ": "SHCH",
        "Ъ": "IE",
        "Ы": "Y",
        "Ь": "",
        "Э": "E",
        "Ю": "IU",
        "Я": "IA",
        # Other letters of table B, default column (no language-specific exceptions)
        "Ђ": "D",
        "Ѓ": "G",
        "Є": "IE",
        "Ѕ": "DZ",
        "І": "I",
        "Ї": "I",
        "Ј": "J",
        "Љ": "LJ",
        "Њ": "NJ",
        "Ћ": "C",
        "Ќ": "K",
        "Ў": "U",
        "Џ": "DZ",
        "Ґ": "G",
        "Ѫ": "U",
        "Ѵ": "Y",
    }
)
"""Doc 9303 Part 3 §6 table B (upper case; lower case is upper-cased first)."""

KAZAKH: Mapping[str, str] = MappingProxyType(
    {"Ә": "A", "Ғ": "G", "Қ": "K", "Ң": "N", "Ө": "O", "Ұ": "U", "Ү": "U", "Һ": "H", "І": "I"}
)
"""The Kazakh letters: Ғ and І from table B, the others from Kazakh national practice (see module docstring)."""

TAJIK_UZBEK: Mapping[str, str] = MappingProxyType({"Ҳ": "H", "Ҷ": "J", "Ӯ": "U", "Ӣ": "I"})
"""Tajik and Uzbek Cyrillic letters, as those countries' Latin writes them (Раҳимов RAHIMOV, Ҷамшед JAMSHED)."""

LATIN_MRZ: Mapping[str, str] = MappingProxyType(
    {
        "Ä": "AE",
        "Å": "AA",
        "Æ": "AE",
        "Ð": "D",
        "Ö": "OE",
        "Ø": "OE",
        "Ü": "UE",
        "Þ": "TH",
        "Đ": "D",
        "Ħ": "H",
        "Ĳ": "IJ",
        "Ŀ": "L",
        "Ł": "L",
        "Ŋ": "N",
        "Œ": "OE",
        "Ŧ": "T",
        "ẞ": "SS",
        "Ə": "A",  # not in table A (Azerbaijani, Kazakh Latin 2017); as airline practice
    }
)
"""Table A letters that are not just their base letter (9303's first option); other letters lose their accents."""

_CYRILLIC = {**ICAO_CYRILLIC, **KAZAKH, **TAJIK_UZBEK}
_HYPHENS = frozenset("-‐‑‒–—")
_APOSTROPHES = frozenset("'’‘ʼʹʺ`´\"”“")  # ISO 9 / GOST / BGN write Ь and Ъ with primes and quotes


class NotTransliterable(ValueError):
    """A character with no ICAO transliteration here (a letter of another script, a digit). Names it by code point."""

    def __init__(self, char: str) -> None:
        name = unicodedata.name(char, "unnamed character")
        super().__init__(f"U+{ord(char):04X} ({name}) has no ICAO Latin transliteration")
        self.char = char


def _is_latin_letter(char: str) -> bool:
    return unicodedata.category(char).startswith("L") and unicodedata.name(char, "").startswith("LATIN ")


def to_latin(name: str) -> str:
    """The visual-zone form: ICAO Latin, upper case, single spaces, hyphens and apostrophes kept.

    Latin letters pass through with their accents (the VIZ allows them); other
    punctuation and symbols are dropped.

    Raises:
        NotTransliterable: a letter of another script, or a digit.

    Examples:
        >>> to_latin("  Ерлан  Қайратұлы ")
        'ERLAN KAIRATULY'
        >>> to_latin("O'Connor-Müller")
        "O'CONNOR-MÜLLER"
    """
    out: list[str] = []
    for char in unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).upper()):
        if char in _CYRILLIC:
            out.append(_CYRILLIC[char])
        elif _is_latin_letter(char):
            out.append(char)
        elif char.isspace():
            out.append(" ")
        elif char in _HYPHENS:
            out.append("-")
        elif char in _APOSTROPHES:
            out.append("'")
        elif unicodedata.category(char)[0] in "PSMZC":
            continue  # other punctuation, symbols, stray combining marks, control characters
        else:
            raise NotTransliterable(char)
    return " ".join("".join(out).split())


def _latin_to_mrz(char: str) -> str:
    if "A" <= char <= "Z":
        return char
    if char in LATIN_MRZ:
        return LATIN_MRZ[char]
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    if base and all("A" <= c <= "Z" for c in base):
        return base
    raise NotTransliterable(char)


def to_mrz(name: str) -> str:
    """The MRZ form of one name part: ``A-Z`` with ``<`` between components (Part 3 §4.6).

    Spaces and hyphens become one ``<``; apostrophes are dropped and the parts joined;
    accented Latin letters follow table A (``Ä`` → ``AE``, ``Ñ`` → ``N``...).

    Raises:
        NotTransliterable: as :func:`to_latin`, or a Latin letter without an ``A-Z`` form.

    Examples:
        >>> to_mrz("D'Artagnan"), to_mrz("Marie-Élise"), to_mrz("Щукин Ёжиков")
        ('DARTAGNAN', 'MARIE<ELISE', 'SHCHUKIN<EZHIKOV')
    """
    out: list[str] = []
    for char in to_latin(name):
        if char in " -":
            out.append("<")
        elif char != "'":
            out.append(_latin_to_mrz(char))
    return re.sub("<+", "<", "".join(out)).strip("<")


def mrz_name(surname: str, given_names: str = "") -> str:
    """``PRIMARY<<SECONDARY`` as in the MRZ name field, not padded or truncated.

    Examples:
        >>> mrz_name("Ериксон", "Анна Мария"), mrz_name("Arkfreith")
        ('ERIKSON<<ANNA<MARIIA', 'ARKFREITH')
    """
    secondary = to_mrz(given_names)
    return to_mrz(surname) + ("<<" + secondary if secondary else "")


# -- match key ----------------------------------------------------------------------------------

_KEY_LATIN = {
    ord(k): v
    for k, v in {
        "Ž": "ZH",  # Czech, ISO 9 and Lithuanian/Latvian spellings of Ж
        "Ẑ": "ZH",
        "Š": "ш",  # straight to the Ш/Щ token: "SH" + a following H would read as GOST's SHH
        "Ŝ": "ш",  # ISO 9 Щ
        "Ş": "ш",  # Turkish, Azerbaijani, Kazakh Latin 2021
        "Č": "CH",
        "Ĉ": "CH",
        "Ç": "CH",
        "Æ": "AE",
        "Œ": "OE",
        "Ø": "O",
        "Þ": "TH",
        "Ð": "D",
        "Đ": "D",
        "Ł": "L",
        "Ħ": "H",
        "Ŧ": "T",
        "Ŋ": "N",
        "Ə": "A",
        "Ĳ": "IJ",
        "Q": "K",  # Kazakh Latin Қ
        "W": "V",  # German and Polish В
    }.items()
}
# Digraphs first (regex alternation takes the first alternative that matches at a position).
_TOKENS = re.compile(r"SHTCH|SHCH|TSCH|SHH|SCH|TCH|DZH|ZH|DJ|SH|CH|KH|KS(?!H)|TS(?!H)|TZ(?!H)|CZ(?=[EIYJ])|C|X|H|J|Y|I")
_TOKEN_OF = {
    **dict.fromkeys(("SHTCH", "SHCH", "SHH", "SCH", "SH"), "ш"),  # Ш and Щ merged
    **dict.fromkeys(("TSCH", "TCH", "CH"), "ч"),
    **dict.fromkeys(("DZH", "ZH", "DJ", "J", "Y", "I"), "i"),  # Ж, Й and the iotation of Е Ё Ю Я merged
    **dict.fromkeys(("KH", "KS", "X", "H"), "х"),
    **dict.fromkeys(("TS", "TZ", "CZ", "C"), "ц"),  # CZ: GOST 7.79 B before E, I, Y, J
}
_SPELLING = {"ш": "SH", "ч": "CH", "х": "X", "ц": "TS", "i": "I"}
_CONSONANT_BEFORE = r"(?<=[^AEOUi])"


def _key_pass(word: str) -> str:
    tokens = _TOKENS.sub(lambda m: _TOKEN_OF[m.group()], word)
    tokens = tokens.replace("шч", "ш").replace("цч", "ч")
    tokens = re.sub(_CONSONANT_BEFORE + "i+O", "E", tokens)  # Ё after a consonant: FYODOR = FEDOR
    tokens = re.sub(_CONSONANT_BEFORE + "i+E", "E", tokens)  # Ь+Е: VASILYEV = VASILEV
    tokens = re.sub(r"(?:^|(?<=[AEOU]))i*E", "iE", tokens)  # Е at the start or after a vowel: YELENA = ELENA
    tokens = re.sub("i+", "i", tokens)  # -IY, -II, -Y; IA, YA, JA
    tokens = re.sub(r"(.)\1+", r"\1", tokens)  # double letters
    return "".join(_SPELLING.get(t, t) for t in tokens)


def _word_key(word: str) -> str:
    for _ in range(8):  # a fixed point, so that match_key(match_key(x)) == match_key(x)
        again = _key_pass(word)
        if again == word:
            break
        word = again
    return word


def match_key(name: str) -> str:
    """A key equal for the usual Latin spellings of one Cyrillic name and for the name itself.

    Upper-case ``A-Z`` words separated by single spaces; accents folded, apostrophes
    dropped, hyphens and other punctuation separate words, characters of other
    scripts are ignored. Idempotent: ``match_key(match_key(x)) == match_key(x)``.

    Examples:
        >>> match_key("Щербаков"), match_key("Shcherbakov"), match_key("SCHERBAKOV")
        ('SHERBAKOV', 'SHERBAKOV', 'SHERBAKOV')
        >>> match_key("Алексеев"), match_key("ALEXEYEV"), match_key("Aleksejev")
        ('ALEXEIEV', 'ALEXEIEV', 'ALEXEIEV')
        >>> match_key("Наталья"), match_key("NATAL'YA"), match_key("Natalja")
        ('NATALIA', 'NATALIA', 'NATALIA')
    """
    text = unicodedata.normalize("NFKC", name).upper()
    chars: list[str] = []
    for char in text:
        if char in _CYRILLIC:
            chars.append(_CYRILLIC[char])
        elif char in _APOSTROPHES:
            continue
        else:
            chars.append(char.translate(_KEY_LATIN))
    folded = unicodedata.normalize("NFKD", "".join(chars))
    letters = "".join(c if "A" <= c <= "Z" or c == "ш" else " " for c in folded if not unicodedata.combining(c))
    return " ".join(key for key in (_word_key(w) for w in letters.split()) if key)
