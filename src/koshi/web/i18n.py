"""Languages: Babel catalogues for kk, ru and en, the request's language, and locale-aware formatting.

English is the source language (message ids are English).  Catalogues are read
from the ``.po`` files at start-up and compiled in memory, so there is no build
step that could leave a stale ``.mo`` behind.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from importlib import resources

from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal as _format_decimal
from babel.numbers import format_percent as _format_percent
from babel.support import NullTranslations, Translations

LOCALES = ("kk", "ru", "en")
DEFAULT = "kk"
COOKIE = "koshi_lang"
NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}


@functools.cache
def translations(locale: str) -> NullTranslations:
    """The compiled catalogue of ``locale`` (English: the identity)."""
    if locale == "en":
        return NullTranslations()
    po = resources.files("koshi.web") / "translations" / locale / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as f:
        catalog = read_po(f, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def negotiate(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The page language: ``?lang=``, then the remembered cookie, then the browser's preference."""
    for candidate in (query, cookie):
        if candidate in LOCALES:
            return candidate
    if accept_language:
        for part in accept_language.split(","):
            code = part.split(";")[0].strip().lower()[:2]
            if code in LOCALES:
                return code
    return DEFAULT


def format_date(value: dt.date | None, locale: str) -> str:
    return "" if value is None else _format_date(value, format="medium", locale=Locale.parse(locale))


DISPLAY_TZ = dt.timezone(dt.timedelta(hours=5), "UTC+5")
"""Times are stored in UTC and shown in Kazakhstan time (one zone, UTC+5, since 1 March 2024)."""


def format_datetime(value: dt.datetime | None, locale: str) -> str:
    """A date and time in Kazakhstan time (a naive value is taken as UTC, as SQLite returns it)."""
    if value is None:
        return ""
    return _format_datetime(value, format="medium", tzinfo=DISPLAY_TZ, locale=Locale.parse(locale))


def format_number(value: float | int | None, locale: str, digits: int = 0) -> str:
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return _format_decimal(value, format=pattern, locale=Locale.parse(locale))


def format_percent(value: float | None, locale: str) -> str:
    return "" if value is None else _format_percent(value, format="#,##0.0%", locale=Locale.parse(locale))
