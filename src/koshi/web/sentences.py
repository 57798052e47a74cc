"""The services' English sentences shown in the page's language: one table-driven translator for every area.

The store and the rules speak English (tests and logs read it); a page looks the sentence up in its
area's table of (pattern, message id), translates the message and fills in the pattern's named groups,
with ISO dates formatted for the language. A sentence no table knows is shown as the service wrote it,
marked ``lang="en"`` so screen readers switch voice.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

from koshi.web import i18n

Table = tuple[tuple[re.Pattern[str], str], ...]
"""(pattern on the English sentence, message id whose placeholders are the pattern's named groups)."""

_ISO_DATE = re.compile(r"\d{4}-\d\d-\d\d")


@dataclass(frozen=True, slots=True)
class Text:
    """A sentence for the page: translated, or the service's English when no translation is known."""

    text: str
    lang: str | None  # "en" when the text was left as the service wrote it
    detail: str = ""  # an English detail the translation leaves out (shown with lang="en")


def translate(
    raw: str,
    table: Table,
    locale: str,
    *,
    search: bool = False,
    detail_keys: Collection[str] = (),
    shape: Callable[[str, str], str] | None = None,
) -> Text:
    """``raw`` in ``locale`` by the first pattern of ``table`` that matches it (at its start, or anywhere).

    Groups named in ``detail_keys`` stay English, in ``Text.detail``; ``shape(key, value)`` rewrites the
    other non-date values (a group letter shown in capitals).

    >>> table = ((re.compile(r"^due on (?P<day>\\S+)$"), "Due on %(day)s"),)
    >>> translate("due on 2026-03-01", table, "en")
    Text(text='Due on Mar 1, 2026', lang=None, detail='')
    >>> translate("something new", table, "kk")
    Text(text='something new', lang='en', detail='')
    """
    gettext = i18n.translations(locale).gettext
    for pattern, msgid in table:
        match = pattern.search(raw) if search else pattern.match(raw)
        if match is None:
            continue
        values: dict[str, str] = {}
        detail = ""
        for key, value in match.groupdict().items():
            if key in detail_keys:
                detail = value
            elif _ISO_DATE.fullmatch(value):
                values[key] = i18n.format_date(dt.date.fromisoformat(value), locale)
            else:
                values[key] = shape(key, value) if shape else value
        return Text(gettext(msgid) % values if values else gettext(msgid), None, detail)
    return Text(raw, None if locale == "en" else "en")
