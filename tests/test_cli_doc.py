"""``koshi doc``: mrz, iin and translit commands, exit codes, JSON, and masking of personal data."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from koshi.cli import app

runner = CliRunner()

TD3 = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
TD1 = ("I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<")
TD2 = ("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6")
MRV_A = ("V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L8988901C4XXX4009078F96121096ZE184226B<<<<<<")
MRV_B = ("V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "L8988901C4XXX4009078F9612109<<<<<<<<")
IIN = "791028302728"
BIN = "971240001315"


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_doc_lists_its_commands() -> None:
    code, out, _ = run("doc", "--help")
    assert code == 0
    assert all(name in out for name in ("mrz", "iin", "translit"))


# -- mrz -----------------------------------------------------------------------------------------


def test_mrz_table_shows_fields_and_checks_masked() -> None:
    code, out, err = run("doc", "mrz", *TD3, "--on", "2026-03-01")
    assert code == 0, err
    assert "TD3 MRZ" in out and "Check digits" in out and "valid" in out
    for check in ("document_number", "birth_date", "expiry_date", "optional_data", "composite"):
        assert check in out
    assert "******ON" in out and "1974-08-12" in out
    assert "ERIKSSON" not in out and "L898902C3" not in out and "ZE184226B" not in out


def test_mrz_reveal_shows_personal_fields() -> None:
    code, out, _ = run("doc", "mrz", *TD3, "--reveal", "--json", "--on", "2026-03-01")
    doc = json.loads(out)
    assert code == 0
    assert (doc["surname"], doc["document_number"], doc["masked"]) == ("ERIKSSON", "L898902C3", False)


@pytest.mark.parametrize(
    ("lines", "fmt", "checks"),
    [(TD3, "TD3", 5), (TD1, "TD1", 4), (TD2, "TD2", 4), (MRV_A, "MRV-A", 3), (MRV_B, "MRV-B", 3)],
)
def test_mrz_json_for_every_format(lines: tuple[str, ...], fmt: str, checks: int) -> None:
    code, out, _ = run("doc", "mrz", *lines, "--json", "--on", "2026-03-01")
    doc = json.loads(out)
    assert code == 0
    assert (doc["format"], doc["valid"], doc["masked"]) == (fmt, True, True)
    assert len(doc["checks"]) == checks and all(c["ok"] for c in doc["checks"])
    assert doc["surname"] == "******ON" and "ERIKSSON" not in out


def test_mrz_from_one_argument_or_stdin() -> None:
    code, out, _ = run("doc", "mrz", "\n".join(TD1), "--json", "--on", "2026-03-01")
    assert code == 0 and json.loads(out)["format"] == "TD1"
    code, out, _ = run("doc", "mrz", "-", "--json", "--on", "2026-03-01", stdin="\n".join(TD2) + "\n")
    assert code == 0 and json.loads(out)["format"] == "TD2"


def test_mrz_failed_check_exits_1_and_names_the_check() -> None:
    bad = (TD3[0], TD3[1][:19] + "5" + TD3[1][20:])
    code, out, _ = run("doc", "mrz", *bad, "--json", "--on", "2026-03-01")
    doc = json.loads(out)
    assert code == 1 and doc["valid"] is False
    failing = {c["name"]: c for c in doc["checks"] if not c["ok"]}
    assert set(failing) == {"birth_date", "composite"}
    assert (failing["birth_date"]["line"], failing["birth_date"]["position"]) == (2, 20)
    assert (failing["birth_date"]["expected"], failing["birth_date"]["found"]) == ("2", "5")
    assert {p["field"] for p in doc["problems"]} == {"birth_date", "composite"}
    code, out, _ = run("doc", "mrz", *bad, "--on", "2026-03-01")
    assert code == 1 and "FAIL" in out and "invalid" in out


def test_not_an_mrz_exits_2_with_one_line_and_no_content() -> None:
    code, out, err = run("doc", "mrz", TD3[0], TD3[1][:40])
    assert code == 2 and out == ""
    assert "not an MRZ: line 2: has 40 characters" in err
    assert len(err.strip().splitlines()) == 1
    assert "L898" not in err and "ERIKSSON" not in err


def test_mrz_on_sets_the_century() -> None:
    code, out, _ = run("doc", "mrz", *MRV_A, "--json", "--on", "2050-01-01")
    assert code == 0 and json.loads(out)["expiry_date"] == "2096-12-10"
    code, _, err = run("doc", "mrz", *MRV_A, "--on", "2026-02-30")
    assert code == 2 and "is not a date" in err


# -- iin -----------------------------------------------------------------------------------------


def test_iin_decodes_and_never_shows_the_number() -> None:
    code, out, err = run("doc", "iin", IIN, "--json")
    doc = json.loads(out)
    assert code == 0
    assert doc == {
        "kind": "iin",
        "valid": True,
        "number": "**********28",
        "birth_date": "1979-10-28",
        "sex": "M",
        "century": 1900,
    }
    code, out, err = run("doc", "iin", IIN)
    assert code == 0 and "1979-10-28" in out and "**********28" in out
    assert IIN not in out + err


def test_bin_is_recognised_by_its_5th_digit() -> None:
    code, out, _ = run("doc", "iin", BIN, "--json")
    doc = json.loads(out)
    assert code == 0
    assert (doc["kind"], doc["registration_year"], doc["registration_month"]) == ("bin", 1997, 12)
    assert (doc["entity_type"], doc["attribute"]) == ("resident", "head_office")
    assert doc["entity_type_label"] == "resident legal entity"
    code, out, _ = run("doc", "iin", BIN)
    assert code == 0 and "resident legal entity" in out and BIN not in out


@pytest.mark.parametrize(
    ("args", "code", "problem", "words"),
    [
        ((IIN[:11] + "9",), 1, "check_digit", "check digit"),
        ((IIN, "--bin"), 1, "entity_type", "5th digit"),
        (("061311600012",), 1, "birth_date", "not a real date"),
        (("12ab",), 2, "format", "exactly 12 digits"),
    ],
)
def test_invalid_numbers(args: tuple[str, ...], code: int, problem: str, words: str) -> None:
    got, out, _ = run("doc", "iin", *args, "--json")
    doc = json.loads(out)
    assert got == code
    assert (doc["valid"], doc["problem"]) == (False, problem) and words in doc["reason"]
    assert args[0] not in out
    got, out, err = run("doc", "iin", *args)
    assert got == code and words in err and args[0] not in out + err


# -- translit ------------------------------------------------------------------------------------


def test_translit() -> None:
    code, out, _ = run("doc", "translit", "Юлия", "Щеглова", "--json")
    assert code == 0
    assert json.loads(out) == {"latin": "IULIIA SHCHEGLOVA", "mrz": "IULIIA<SHCHEGLOVA", "match_key": "IULIA SHEGLOVA"}
    code, out, _ = run("doc", "translit", "Жанар")
    assert code == 0 and "ZHANAR" in out and "IANAR" in out


def test_translit_untransliterable_exits_2() -> None:
    code, _, err = run("doc", "translit", "王芳")
    assert code == 2 and "U+738B" in err
