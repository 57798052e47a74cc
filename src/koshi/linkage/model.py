"""The linkage model: what is compared, how records are blocked, and how the model is trained.

A Fellegi-Sunter model (Splink): each comparison has levels from "same" to
"different", and each level carries m (how often true matches show it) and u (how
often non-matches do); their ratio is the evidence the level adds. m comes from
expectation maximisation on blocked pairs, u from random pairs, so no labelled
data is needed. Why these comparisons, for travellers' identities:

- **name**: both names folded by ``match_key`` (Cyrillic, ICAO, 1997 passport, BGN,
  GOST spellings meet), then exact; the same words in another order (a host wrote
  the given name as the surname); Jaro-Winkler on both names (typos); Jaro-Winkler on
  each name against the other record's other name (swapped *and* misspelt); one word shared (a second given name
  dropped, a new surname after marriage).
- **dob**: exact; day and month swapped (US-style entry); one edit or transposition
  (a typo in a digit).
- **document**: the same document; the same issuing state and a number one edit
  away (a typo: the registry then holds it as another document); else a different
  document, which is normal (a renewed passport, an identity card).
- **iin**: a Kazakh IIN, when both records carry one, is nearly decisive either way.
- **sex**, **nationality**: exact.

Blocking (which pairs are scored at all): the same document, the same IIN, or the
same birth date with a shared surname, given name or the same name words, or the
same name words and nationality in the same birth year (catches birth-date typos and
day/month swaps). A pair whose names *and* birth date are both corrupted and whose
documents differ is not scored: the price of not comparing everyone with everyone.

The settings are rendered for a SQL dialect (``duckdb`` or ``spark``); a trained
model is kept as the DuckDB settings dictionary and :func:`port` copies its
parameters onto the other dialect's rendering of the same comparisons.
"""

from __future__ import annotations

import copy
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on

Dialect = str  # "duckdb" | "spark"

SWAPPED_DOB = (
    "substr(dob_l, 1, 4) = substr(dob_r, 1, 4)"
    " AND substr(dob_l, 6, 2) = substr(dob_r, 9, 2)"
    " AND substr(dob_l, 9, 2) = substr(dob_r, 6, 2)"
)

SWAPPED_SIMILAR = (
    "jaro_winkler_similarity(surname_key_l, given_key_r) >= 0.92"
    " AND jaro_winkler_similarity(given_key_l, surname_key_r) >= 0.92"
)
"""Each name like the other record's other name: swapped and misspelt. (Jaro-Winkler on the joined,
sorted words was tried first: a shared common surname carried it over 0.92 for different given names,
and 549 of 643 false links on 300,000 × 300,000 records were such pairs with the same birth date.)"""

COMPARISONS = ("name", "dob", "sex", "nationality", "document", "iin")
"""Output names of the comparisons, in order (``gamma_<name>``, ``mw_<name>`` in predictions)."""


def _name() -> cl.CustomComparison:
    both = (cll.NullLevel("surname_key"),)
    return cl.CustomComparison(
        output_column_name="name",
        comparison_description="Surname and given names, folded across transliterations",
        comparison_levels=[
            *both,
            cll.And(cll.ExactMatchLevel("surname_key"), cll.ExactMatchLevel("given_key")).configure(
                label_for_charts="same names", tf_adjustment_column="name_sorted", tf_adjustment_weight=1.0
            ),
            cll.ExactMatchLevel("name_sorted").configure(label_for_charts="same names, another order"),
            cll.And(cll.JaroWinklerLevel("surname_key", 0.92), cll.JaroWinklerLevel("given_key", 0.92)).configure(
                label_for_charts="both names similar (Jaro-Winkler >= 0.92)"
            ),
            cll.CustomLevel(SWAPPED_SIMILAR, base_dialect_str="duckdb").configure(
                label_for_charts="names swapped and similar (Jaro-Winkler >= 0.92)"
            ),
            cll.And(cll.JaroWinklerLevel("surname_key", 0.8), cll.JaroWinklerLevel("given_key", 0.8)).configure(
                label_for_charts="both names alike (Jaro-Winkler >= 0.8)"
            ),
            cll.ArrayIntersectLevel("name_tokens", min_intersection=1).configure(
                label_for_charts="one name word shared"
            ),
            cll.ElseLevel().configure(label_for_charts="different names"),
        ],
    )


def _dob() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="dob",
        comparison_description="Date of birth",
        comparison_levels=[
            cll.NullLevel("dob"),
            cll.ExactMatchLevel("dob").configure(label_for_charts="same date"),
            cll.CustomLevel(SWAPPED_DOB).configure(label_for_charts="day and month swapped"),
            cll.DamerauLevenshteinLevel("dob", 1).configure(label_for_charts="one digit off or two swapped"),
            cll.ElseLevel().configure(label_for_charts="different dates"),
        ],
    )


def _document() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="document",
        comparison_description="Travel document (issuing state and number)",
        comparison_levels=[
            cll.NullLevel("doc_key"),
            cll.ExactMatchLevel("doc_key").configure(label_for_charts="same document"),
            cll.And(cll.ExactMatchLevel("doc_country"), cll.DamerauLevenshteinLevel("doc_number", 1)).configure(
                label_for_charts="same state, number one character off"
            ),
            cll.ElseLevel().configure(label_for_charts="another document"),
        ],
    )


def _exact(column: str, same: str, different: str, *, unique: bool = False) -> cl.CustomComparison:
    """Same or different; ``unique`` identifiers (IIN) start from "equal values are rare" so that a
    sample without any equal pair does not leave the level untrained."""
    same_level = cll.ExactMatchLevel(column).configure(label_for_charts=same)
    different_level = cll.ElseLevel().configure(label_for_charts=different)
    if unique:
        same_level = same_level.configure(m_probability=0.99, u_probability=1e-9)
        different_level = different_level.configure(m_probability=0.01, u_probability=1.0 - 1e-9)
    return cl.CustomComparison(
        output_column_name=column,
        comparison_levels=[cll.NullLevel(column), same_level, different_level],
    )


BLOCKING = (
    ("doc_key",),
    ("iin",),
    ("dob", "surname_key"),
    ("dob", "given_key"),
    ("dob", "name_sorted"),
    ("name_sorted", "birth_year", "nationality"),
)
"""Columns of each prediction blocking rule: a pair is scored when it agrees on all columns of one rule."""


def settings(*, extra_columns: tuple[str, ...] = ()) -> SettingsCreator:
    """The untrained model: comparisons and blocking rules (dialect-free)."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            _name(),
            _dob(),
            _exact("sex", "same sex", "different sex"),
            _exact("nationality", "same nationality", "different nationality"),
            _document(),
            _exact("iin", "same IIN", "different IIN", unique=True),
        ],
        blocking_rules_to_generate_predictions=[block_on(*cols) for cols in BLOCKING],
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
        additional_columns_to_retain=["record_id", "source", *extra_columns],
        max_iterations=25,
        em_convergence=0.0001,
    )


PRIOR_RULES = (("doc_key",), ("dob", "surname_key", "given_key"))
"""Rules whose pairs are taken as matches when estimating how likely two random records match."""
PRIOR_RECALL = 0.7
EM_RULES = (("dob",),)
"""Expectation maximisation runs once per rule; each trains every comparison except those in the rule."""
LABEL_COLUMN = "doc_key"
"""Records sharing this value are the same person (the same travel document): m is estimated from them."""
LABEL_SKIP = ("document",)
"""Comparisons whose m labelled pairs cannot teach (they all agree on it)."""


def with_label_m(trained: dict[str, Any], labelled: dict[str, Any]) -> dict[str, Any]:
    """``trained`` with the m of every comparison but :data:`LABEL_SKIP` taken from ``labelled``.

    A level the labelled pairs never showed keeps a small m (not zero: the model must not
    call a level impossible because the sample lacked it).
    """
    out = copy.deepcopy(trained)
    for ours, theirs in zip(out["comparisons"], labelled["comparisons"], strict=True):
        if ours["output_column_name"] in LABEL_SKIP:
            continue
        levels = [lv for lv in theirs["comparison_levels"] if not lv.get("is_null_level")]
        if not any(lv.get("m_probability") for lv in levels):
            continue
        for level, source in zip(ours["comparison_levels"], theirs["comparison_levels"], strict=True):
            if level.get("is_null_level"):
                continue
            m = source.get("m_probability")
            level["m_probability"] = max(m or 0.0, M_FLOOR)
    return out


M_FLOOR = 1e-4
"""The least m a level gets from labels (a level no labelled pair showed is rare, not impossible)."""


def port(trained: dict[str, Any], dialect: Dialect, *, extra_columns: tuple[str, ...] = ()) -> dict[str, Any]:
    """The trained model rendered for ``dialect``: the same comparisons, with the trained m and u copied over.

    A saved Splink model is dialect-specific SQL (quoted identifiers, function
    names), so it is re-rendered from :func:`settings` rather than translated.

    Raises:
        ValueError: ``trained`` does not have this model's comparisons and levels.
    """
    target = settings(extra_columns=extra_columns).create_settings_dict(dialect)
    target["probability_two_random_records_match"] = trained["probability_two_random_records_match"]
    theirs = trained["comparisons"]
    if len(theirs) != len(target["comparisons"]):
        raise ValueError("the trained model has other comparisons than this version of Koshi")
    for ours, src in zip(target["comparisons"], theirs, strict=True):
        if ours["output_column_name"] != src["output_column_name"] or len(ours["comparison_levels"]) != len(
            src["comparison_levels"]
        ):
            raise ValueError(f"comparison {src['output_column_name']!r} differs from this version of Koshi")
        for level, trained_level in zip(ours["comparison_levels"], src["comparison_levels"], strict=True):
            for key in ("m_probability", "u_probability"):
                if key in trained_level:
                    level[key] = trained_level[key]
    return copy.deepcopy(target)


def parameters(trained: dict[str, Any]) -> list[dict[str, Any]]:
    """Every level's label with its m, u and match weight: what the model learnt, for docs and review pages."""
    import math

    out: list[dict[str, Any]] = []
    for comparison in trained["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            weight = math.log2(m / u) if m and u else None
            out.append(
                {
                    "comparison": comparison["output_column_name"],
                    "level": level.get("label_for_charts", ""),
                    "m": m,
                    "u": u,
                    "match_weight": weight,
                }
            )
    return out
