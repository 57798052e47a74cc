"""Identifiers never reach log output; ordinary numbers (dates, UUIDs, codes, amounts) stay readable."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from koshi import redact as redact_module
from koshi.redact import RedactIdentifiers, install, redact, uninstall
from tests.test_iin import valid_iins

IIN = "791028302728"


@pytest.fixture(autouse=True)
def _no_leftover_filters() -> Iterator[None]:
    yield
    uninstall()


@pytest.fixture
def stream_logger() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A non-propagating logger writing to a string, like uvicorn's own loggers."""
    logger = logging.getLogger("koshi.test.redact")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)
    logger.propagate = True


# -- redact() -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"applicant {IIN} submitted", "applicant [IIN] submitted"),
        (f"{IIN} at start", "[IIN] at start"),
        (f"at end {IIN}", "at end [IIN]"),
        (IIN, "[IIN]"),
        (f"iin={IIN}&page=2", "iin=[IIN]&page=2"),
        (f"IIN{IIN}.", "IIN[IIN]."),
        (f"/persons/{IIN}/cases", "/persons/[IIN]/cases"),
        (f"{IIN},061211600012", "[IIN],[IIN]"),
        ("791028302729 (bad check digit)", "[IIN] (bad check digit)"),
    ],
)
def test_iins_are_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_iin_in_json() -> None:
    case = "123e4567-e89b-12d3-a456-426614174000"
    payload = json.dumps({"iin": IIN, "case": case, "note": f"checked {IIN}."})
    assert json.loads(redact(payload)) == {"iin": "[IIN]", "case": case, "note": "checked [IIN]."}


def test_iin_as_a_json_number_is_redacted_but_breaks_json() -> None:
    """A bare number becomes ``[IIN]``: no leak, but the line is no longer valid JSON."""
    assert redact(json.dumps({"iin": int(IIN)})) == '{"iin": [IIN]}'


@pytest.mark.parametrize(
    "passport",
    [
        "N12345678",  # Kazakh passport
        "n12345678",
        "AB1234567",  # Uzbek / Kyrgyz style
        "АН1234567",  # Cyrillic series letters
        "12AB34567",  # 9 characters, mixed
        "45 12 345678",  # Russian series + number
        "4512 345678",
        "4512345678",
        "45\u00a012\u00a0345678",
    ],
)
def test_passports_are_redacted(passport: str) -> None:
    assert redact(f"passport {passport}, valid") == "passport [PASSPORT], valid"
    assert redact(f'{{"passport":"{passport}"}}') == '{"passport":"[PASSPORT]"}'


@pytest.mark.parametrize(
    "text",
    [
        "case 123e4567-e89b-12d3-a456-426614174000 opened",
        "case 12345678-1234-1234-1234-123456789012 opened",  # all-digit UUID: its 12-digit tail is kept
        "CASE 123E4567-E89B-12D3-A456-426614174000",
        "ab 12 12345678-1234-1234-1234-123456789012",  # a 2-digit number before an all-digit UUID
        "entered 2026-03-01, left 2026-05-30T12:34:56+05:00",
        "region 550000000 (Pavlodar)",
        "occupation ISCO 2512",
        "reference 1234567890123",  # 13 digits
        "reference 12345678901",  # 11 digits
        "salary 6000000 tenge, or 6 000 000 tenge, or 6,000,000.00",
        "GET /cases/123 HTTP/1.1 200",
        "GET /api/v1/cases/42?page=2&size=50",
        "client 192.168.100.200:51234",
        "took 1234.567 ms",
    ],
)
def test_ordinary_numbers_are_kept(text: str) -> None:
    assert redact(text) == text


def test_uuid_ending_in_a_valid_iin_loses_the_tail() -> None:
    assert redact(f"abcdef12-3456-7890-abcd-{IIN}") == "abcdef12-3456-7890-abcd-[IIN]"


def test_over_redaction_is_documented() -> None:
    """Trade-offs named in the module docstring: bare 10-digit runs and short ticket ids go too."""
    assert redact("exp 1767225600") == "exp [PASSPORT]"
    assert redact("see PR123456") == "see [PASSPORT]"


separators = st.text(st.characters(exclude_categories=["Nd"]), min_size=1, max_size=3)


@given(st.text(), separators, valid_iins(), separators, st.text())
def test_embedded_iin_never_survives(before: str, left: str, iin: str, right: str, after: str) -> None:
    text = before + left + iin + right + after
    assert iin not in redact(text)


@given(st.text())
def test_redact_is_idempotent(text: str) -> None:
    once = redact(text)
    assert redact(once) == once


# -- the logging filter -------------------------------------------------------------------------


def test_filter_formats_args_then_redacts(stream_logger: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = stream_logger
    install(logger)
    logger.info("applicant %s, passport %s", IIN, "N12345678")
    logger.info("as int %d", int(IIN))
    logger.info("as dict %s", {"iin": IIN})
    logger.info("%(iin)s in a mapping", {"iin": IIN})
    output = stream.getvalue()
    assert IIN not in output
    assert "N12345678" not in output
    assert "applicant [IIN], passport [PASSPORT]" in output
    assert "as int [IIN]" in output


def test_traceback_is_redacted(stream_logger: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = stream_logger
    install(logger)
    try:
        raise ValueError(f"no such person {IIN}")
    except ValueError:
        logger.exception("lookup failed")
    output = stream.getvalue()
    assert "Traceback" in output
    assert "ValueError: no such person [IIN]" in output
    assert IIN not in output


def test_bad_args_do_not_raise_or_leak(stream_logger: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = stream_logger
    install(logger)
    logger.info("%s and %s", IIN)  # one argument short
    assert IIN not in stream.getvalue()
    assert "[IIN]" in stream.getvalue()


def test_install_is_idempotent(stream_logger: tuple[logging.Logger, io.StringIO]) -> None:
    logger, _ = stream_logger
    install(logger)
    install(logger)
    install()
    # pytest also attaches its capture handlers to non-propagating loggers: all get one filter each.
    for target in (logger, *logger.handlers, logging.getLogger(), logging.lastResort):
        assert target is not None
        assert sum(isinstance(f, RedactIdentifiers) for f in target.filters) == 1
    uninstall()
    assert not any(isinstance(f, RedactIdentifiers) for h in logger.handlers for f in h.filters)


def test_child_loggers_are_covered_through_root_handlers(caplog: pytest.LogCaptureFixture) -> None:
    """A filter on the root logger alone misses propagated records; the handler filter does not."""
    logging.getLogger().addFilter(RedactIdentifiers())
    child = logging.getLogger("koshi.store.child")  # stands for sqlalchemy.engine, uvicorn.error, …
    with caplog.at_level(logging.INFO):
        child.info("params (%s,)", IIN)
    assert IIN in caplog.text  # logger-level filter only: leaked
    caplog.clear()
    install()
    with caplog.at_level(logging.INFO):
        child.info("params (%s,)", IIN)
    assert IIN not in caplog.text
    assert "params ([IIN],)" in caplog.text


def test_uvicorn_access_log_keeps_its_args_shape() -> None:
    """uvicorn's AccessFormatter unpacks record.args, so they are redacted in place, not dropped."""
    uvicorn_logging = pytest.importorskip("uvicorn.logging")
    logger = logging.getLogger("uvicorn.access")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        uvicorn_logging.AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False)
    )
    saved = logger.handlers, logger.propagate, logger.level
    logger.handlers, logger.propagate = [handler], False
    logger.setLevel(logging.INFO)
    try:
        install()
        logger.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", f"/persons/{IIN}?p=N12345678", "1.1", 200)
    finally:
        logger.handlers, logger.propagate = saved[0], saved[1]
        logger.setLevel(saved[2])
    assert stream.getvalue().strip() == '127.0.0.1:5000 - "GET /persons/[IIN]?p=[PASSPORT] HTTP/1.1" 200 OK'


def test_module_docstring_names_the_trade_offs() -> None:
    doc = redact_module.__doc__ or ""
    for topic in ("UUID", "KATO", "10-digit", "extra="):
        assert topic in doc


def test_handlers_added_after_install_see_redacted_records() -> None:
    install()
    try:
        stream = io.StringIO()
        late = logging.StreamHandler(stream)  # e.g. a log shipper configured after start-up
        logger = logging.getLogger("koshi.test.late")
        logger.addHandler(late)
        logger.propagate = False
        logger.warning("IIN %s on file", "791028302728")
        assert "791028302728" not in stream.getvalue() and "[IIN]" in stream.getvalue()
    finally:
        uninstall()
        logger.removeHandler(late)
    assert not getattr(logging.getLogRecordFactory(), "koshi_redacting", False)
