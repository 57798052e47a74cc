"""Keep personal identifiers (IINs, passport numbers) out of logs.

:func:`redact` is a pure text-to-text function; :class:`RedactIdentifiers` is a
``logging.Filter`` applying it to every record; :func:`install` attaches that
filter wherever records are written.

What is replaced, and the trade-offs (erring towards redacting too much, since
a leaked identifier cannot be recalled from a log archive):

- ``[IIN]``: any run of exactly 12 digits (``(?<!\\d)\\d{12}(?!\\d)``), whether or
  not its check digit is valid, since mistyped IINs are personal data too. BINs
  and 12-digit timestamps such as ``202603011230`` go as well. Runs of 11 or 13+
  digits are kept, so an IIN written with spaces (``791028 302728``) is missed.
- ``[PASSPORT]``:

  - 1-2 letters then 6-9 digits as one token (Kazakh ``N12345678``, Uzbek or
    Kyrgyz ``AA1234567``); also catches ticket numbers like ``PR123456``;
  - a 9-character token of letters and digits with at least 6 digits and at
    least 1 letter (``12AB34567``);
  - Russian series and number, ``45 12 345678``, ``4512 345678`` or
    ``4512345678``: this also takes any bare 10-digit run, such as a Unix
    time in seconds or a 10-digit phone number.

- Kept on purpose: UUIDs (8-4-4-4-12 hex; their last group may be 12 digits),
  ISO dates, 9-digit KATO codes (so the 9-digit number of a Kazakh ID card is
  *not* redacted), 4-digit ISCO codes, paths like ``/cases/123``, amounts like
  ``6000000``. The one exception: a UUID whose last group is a valid IIN has
  that group redacted, so an IIN glued after a hyphenated hex prefix still goes.

Only the message, the traceback and the stack text are redacted; fields passed
with ``extra=`` are not.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any, ClassVar

from koshi.documents.iin import is_valid_iin

IIN_PLACEHOLDER = "[IIN]"
PASSPORT_PLACEHOLDER = "[PASSPORT]"

# "Token" boundaries: not preceded / followed by a letter or digit (of any script).
_START = r"(?<![^\W_])"
_END = r"(?![^\W_])"

_UUID = re.compile(
    _START + r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-(?P<tail>[0-9a-f]{12})" + _END,
    re.IGNORECASE,
)

_IDENTIFIER = re.compile(
    r"(?P<iin>(?<!\d)\d{12}(?!\d))"
    r"|(?P<passport>"
    # 1-2 letters then 6-9 digits: N12345678, AB1234567.
    + _START
    + r"[^\W\d_]{1,2}\d{6,9}"
    + _END
    # 9 letters/digits, at least 6 digits and at least 1 letter (a bare 9-digit KATO code is kept).
    + r"|"
    + _START
    + r"(?=(?:[^\W\d_]*\d){6})(?=\d*[^\W\d_])[^\W_]{9}"
    + _END
    # Russian series + number: 45 12 345678, 4512 345678, 4512345678.
    + r"|(?<!\d)\d{2}[ \u00a0]?\d{2}[ \u00a0]?\d{6}(?!\d)"
    + r")"
)


def _replace(match: re.Match[str]) -> str:
    return IIN_PLACEHOLDER if match.group("iin") is not None else PASSPORT_PLACEHOLDER


def _redact_plain(text: str) -> str:
    return _IDENTIFIER.sub(_replace, text)


def redact(text: str) -> str:
    """``text`` with IIN-like and passport-like numbers replaced by placeholders.

    UUIDs are found first and kept whole, so that the identifier patterns never
    start inside one (a UUID's last group can be 12 digits).

    Examples:
        >>> redact('{"iin": "791028302728", "passport": "N12345678"}')
        '{"iin": "[IIN]", "passport": "[PASSPORT]"}'
        >>> redact("GET /cases/123 region=550000000 isco=2512 on 2026-03-01")
        'GET /cases/123 region=550000000 isco=2512 on 2026-03-01'
        >>> redact("case 123e4567-e89b-12d3-a456-426614174000")
        'case 123e4567-e89b-12d3-a456-426614174000'
    """
    parts: list[str] = []
    pos = 0
    for match in _UUID.finditer(text):
        parts.append(_redact_plain(text[pos : match.start()]))
        uuid = match.group(0)
        tail = match.group("tail")
        parts.append(uuid[: -len(tail)] + IIN_PLACEHOLDER if is_valid_iin(tail) else uuid)
        pos = match.end()
    parts.append(_redact_plain(text[pos:]))
    return "".join(parts)


class RedactIdentifiers(logging.Filter):
    """Rewrite each record so that its message, traceback and stack carry no identifiers.

    The message is formatted here (``msg % args``) and the args dropped,
    because an identifier can arrive in an argument of any type (``%d`` with an
    int, a dict, an object's ``str``). Loggers in :attr:`structured_args` are
    the exception: their formatter unpacks ``record.args`` (uvicorn's access
    log does), so their string args are redacted one by one instead.

    A traceback is rendered here with the default ``logging.Formatter`` and
    redacted, since the formatter would otherwise render it later from
    ``exc_info``; a handler whose formatter ignores ``exc_text`` and renders
    ``exc_info`` itself (some JSON formatters) is not protected.

    Redaction is idempotent, so a record passing several filtered handlers is
    fine. The filter never rejects a record.
    """

    structured_args: ClassVar[frozenset[str]] = frozenset({"uvicorn.access"})

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` in place; always keep it."""
        if record.name in self.structured_args and isinstance(record.args, tuple):
            record.msg = redact(str(record.msg))
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        else:
            try:
                message = record.getMessage()
            except Exception:
                # Left as is, the handler's error report would print msg and args unredacted.
                message = f"{record.msg} (arguments did not fit the message: {record.args!r})"
            record.msg = redact(message)
            record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def _all_loggers() -> list[logging.Logger]:
    """The root logger and every logger created so far (placeholders skipped)."""
    existing = logging.Logger.manager.loggerDict.values()
    return [logging.getLogger(), *(lg for lg in existing if isinstance(lg, logging.Logger))]


def _add_filter(target: logging.Filterer) -> None:
    if not any(isinstance(f, RedactIdentifiers) for f in target.filters):
        target.addFilter(RedactIdentifiers())


def _redacting_factory(
    factory: Callable[..., logging.LogRecord],
) -> Callable[..., logging.LogRecord]:
    """Wrap a LogRecord factory so every record is redacted the moment it is created."""
    scrub = RedactIdentifiers()

    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        scrub.filter(record)
        return record

    make.koshi_redacting = True  # type: ignore[attr-defined]
    make.koshi_wrapped = factory  # type: ignore[attr-defined]
    return make


def install(logger: logging.Logger | None = None) -> None:
    """Redact every log record: at creation (record factory) and again on every existing handler.

    The record factory is what makes it complete: a record is redacted when it is
    made, whatever logger it goes to and whatever handler is added later (test
    capture, a log shipper).  Handler filters stay as a second line: a filter on a
    logger only sees records logged on that very logger, not records propagated
    from its children (``uvicorn.error``, ``sqlalchemy.engine``...), while a handler
    filter sees everything the handler writes, including records made before
    this was called.  ``logging.lastResort`` is covered too.  Calling it again is
    harmless; each target gets at most one filter and the factory is wrapped once.
    """
    current = logging.getLogRecordFactory()
    if not getattr(current, "koshi_redacting", False):
        logging.setLogRecordFactory(_redacting_factory(current))
    target = logger if logger is not None else logging.getLogger()
    _add_filter(target)
    for lg in [target, *_all_loggers()]:
        for handler in lg.handlers:
            _add_filter(handler)
    if logging.lastResort is not None:
        _add_filter(logging.lastResort)


def uninstall() -> None:
    """Remove every :class:`RedactIdentifiers` and the record factory that :func:`install` attached (for tests)."""
    current = logging.getLogRecordFactory()
    if getattr(current, "koshi_redacting", False):
        logging.setLogRecordFactory(current.koshi_wrapped)  # type: ignore[attr-defined]
    loggers = _all_loggers()
    targets: list[logging.Filterer] = [*loggers, *(h for lg in loggers for h in lg.handlers)]
    if logging.lastResort is not None:
        targets.append(logging.lastResort)
    for target in targets:
        for f in [f for f in target.filters if isinstance(f, RedactIdentifiers)]:
            target.removeFilter(f)
