"""Stay status for everyone at once, in DuckDB SQL: the rules of :mod:`koshi.registry.stay` without a day loop.

The reference walks every day of every stay. Here a stay is cut into *counted segments* (the
stay minus the days under a permit) and each segment's first unlawful day is computed in closed
form:

- **Per entry**: with ``base`` counted days of the same stay before the segment, the first
  unlawful day is ``start + (per_entry - base)``.
- **90 in 180**: inside a segment the window count ``f(d)`` grows by one a day, except on days
  when a counted day leaves the window (then it stays flat), so it never falls: the unlawful days
  of a segment are a suffix of it. With ``P`` counted days in the 179 days before the segment and
  ``need = limit - P``, the count passes the limit on ``start + need + B``, where ``B`` is the
  length of the earlier counted days that leave the window before the ``need``-th free day does
  (a running sum over the earlier segments in the window).
- **Visa nationals**: the unlawful days are the counted days no visa covers.

Days are integers (days since 1970-01-01, Kazakhstan time) throughout. A property test checks
that this and the reference agree on random histories, and ``benchmarks/bench_stays.py``
measures both.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from koshi.registry.inputs import StayInputs
from koshi.registry.stay import HORIZON_DAYS, ICAO_ALIASES, StayPolicy, policy

EPOCH = dt.date(1970, 1, 1)
KZ_OFFSET_US = 5 * 3600 * 1_000_000
DAY_US = 86_400 * 1_000_000

PERSONS, EVENTS, COVERS = "stay_persons", "stay_events", "stay_covers"
NO_END = 9_999_999  # the day number of a cover without an end (far beyond any horizon, no overflow at +1)


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01."""
    return (day - EPOCH).days


def register(con: duckdb.DuckDBPyConnection, inputs: StayInputs) -> None:
    """Make ``inputs`` visible to :func:`status` under the names it reads."""
    con.register(PERSONS, inputs.persons)
    con.register(EVENTS, inputs.events)
    con.register(COVERS, inputs.covers)


def _regimes(rules: StayPolicy) -> pa.Table:
    """Nationality -> regime and days per entry; ICAO-only codes (``D``) map like the state's ISO code."""
    regime = dict.fromkeys(rules.eaeu, ("eaeu", None)) | {n: ("visa_free", d) for n, d in rules.per_entry.items()}
    regime |= {alias: regime[iso] for alias, iso in ICAO_ALIASES.items() if iso in regime}
    nat = sorted(regime)
    return pa.table(
        {
            "nationality": nat,
            "regime": [regime[n][0] for n in nat],
            "per_entry": pa.array([regime[n][1] for n in nat], type=pa.int32()),
        }
    )


STATUS_SQL = """
WITH
regime AS (
    SELECT p.person_id, p.nationality, coalesce(r.regime, 'visa') AS regime, r.per_entry
    FROM {persons} p LEFT JOIN stay_regimes r USING (nationality)
),
ev AS (
    SELECT person_id, occurred_at, direction,
           CAST((epoch_us(occurred_at) + {kz_offset}) // {day_us} AS INTEGER) AS day
    FROM {events}
),
seq AS (
    -- one pass in time order per person: each event, its neighbours, and its rank (k, the stay's number)
    SELECT *,
           row_number() OVER w AS k,
           lag(direction) OVER w AS prev_dir,
           lag(day) OVER w AS prev_day,
           lead(direction) OVER w AS next_dir,
           lead(day) OVER w AS next_day
    FROM ev WHERE day <= $d
    WINDOW w AS (PARTITION BY person_id ORDER BY occurred_at, direction)
),
stays0 AS (
    -- a stay starts at an entry, or at an exit with no entry before it; the previous stay ended on
    -- the previous exit's day, or (missing exit) the day before this entry
    SELECT person_id, k, day AS a,
           CASE WHEN next_dir = 'exit' THEN next_day
                WHEN next_dir = 'entry' THEN greatest(day, next_day - 1) END AS b,
           coalesce(next_dir = 'entry', false) AS missing_exit, false AS missing_entry,
           CASE WHEN prev_dir = 'exit' THEN prev_day
                WHEN prev_dir = 'entry' THEN greatest(prev_day, day - 1) END AS prev_b
    FROM seq WHERE direction = 'entry'
    UNION ALL
    SELECT person_id, k, day, day, false, true, CASE WHEN prev_dir = 'exit' THEN prev_day END
    FROM seq WHERE direction = 'exit' AND (prev_dir IS NULL OR prev_dir = 'exit')
),
st AS (
    SELECT person_id, k, a, coalesce(b, $h) AS b_eff, b IS NULL AS open, missing_exit, missing_entry,
           greatest(a, coalesce(prev_b + 1, a)) AS a_c, coalesce(prev_b >= a, false) AS shared
    FROM stays0
),
cov AS (
    SELECT person_id, kind,
           CAST(valid_from - DATE '1970-01-01' AS INTEGER) AS cs,
           coalesce(CAST(valid_to - DATE '1970-01-01' AS INTEGER), {no_end}) AS ce
    FROM {covers}
    WHERE valid_to IS NULL OR valid_to >= valid_from
),
cov_runs AS (
    SELECT *, max(ce) OVER (PARTITION BY person_id, kind ORDER BY cs, ce
                            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_max
    FROM cov
),
cov_groups AS (
    SELECT *, sum(CASE WHEN prev_max IS NULL OR cs > prev_max + 1 THEN 1 ELSE 0 END)
              OVER (PARTITION BY person_id, kind ORDER BY cs, ce) AS grp
    FROM cov_runs
),
merged AS (
    SELECT person_id, kind, min(cs) AS cs, max(ce) AS ce FROM cov_groups GROUP BY person_id, kind, grp
),
permit AS (SELECT person_id, cs, ce FROM merged WHERE kind = 'permit'),
visa AS (SELECT person_id, cs, ce FROM merged WHERE kind = 'visa'),
shared_cnt AS (
    -- a stay entered on the previous stay's last day: that day counts for its per-entry limit too
    SELECT s.person_id, s.k, CASE WHEN count(m.cs) = 0 THEN 1 ELSE 0 END AS cnt
    FROM st s LEFT JOIN permit m ON m.person_id = s.person_id AND m.cs <= s.a AND m.ce >= s.a
    WHERE s.shared GROUP BY s.person_id, s.k
),
ov AS (
    SELECT s.person_id, s.k, s.a_c, s.b_eff, m.cs, m.ce
    FROM st s JOIN permit m ON m.person_id = s.person_id AND m.cs <= s.b_eff AND m.ce >= s.a_c
    WHERE s.a_c <= s.b_eff
),
gaps AS (
    SELECT person_id, k, a_c AS s, min(cs) - 1 AS e FROM ov GROUP BY person_id, k, a_c
    UNION ALL
    SELECT person_id, k, ce + 1 AS s,
           coalesce(lead(cs) OVER (PARTITION BY person_id, k ORDER BY cs) - 1, b_eff) AS e
    FROM ov
),
split AS (
    -- stays cut by permits: several counted segments, each after the counted days before it
    SELECT person_id, k, s, e,
           coalesce(sum(e - s + 1) OVER (PARTITION BY person_id, k ORDER BY s
                                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before_in_stay
    FROM gaps WHERE s <= e
),
seg0 AS (
    SELECT s.person_id, s.k, s.a_c AS s, s.b_eff AS e, 0 AS before_in_stay
    FROM st s ANTI JOIN (SELECT DISTINCT person_id, k FROM ov) o ON o.person_id = s.person_id AND o.k = s.k
    WHERE s.a_c <= s.b_eff
    UNION ALL
    SELECT person_id, k, s, e, before_in_stay FROM split
),
seg AS (
    SELECT g.person_id, g.k, g.s, g.e, g.e - g.s + 1 AS len,
           g.before_in_stay + coalesce(sc.cnt, 0) AS base,
           coalesce(sum(g.e - g.s + 1) OVER w - (g.e - g.s + 1), 0) AS cum_before,
           row_number() OVER w AS j,
           st.open, st.a AS entry, r.regime, r.per_entry
    FROM seg0 g
    JOIN st USING (person_id, k)
    JOIN regime r USING (person_id)
    LEFT JOIN shared_cnt sc USING (person_id, k)
    WINDOW w AS (PARTITION BY g.person_id ORDER BY g.s ROWS UNBOUNDED PRECEDING)
),
cand AS (
    -- only these can pass the 90/180 limit (or need the day they would): fewer counted days than the limit
    -- since the first record leave every other segment lawful
    SELECT person_id, j, s FROM seg WHERE regime <> 'visa' AND (cum_before + len > $l OR open)
),
prior AS (
    SELECT c.person_id, c.j, c.s AS seg_start, greatest(p.s, c.s - $w + 1) AS ps, least(p.e, c.s - 1) AS pe
    FROM cand c JOIN seg p ON p.person_id = c.person_id AND p.j < c.j AND p.e >= c.s - $w + 1
),
prior_run AS (
    SELECT person_id, j, seg_start, ps, pe - ps + 1 AS plen,
           coalesce(sum(pe - ps + 1) OVER (PARTITION BY person_id, j ORDER BY ps
                                          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before,
           sum(pe - ps + 1) OVER (PARTITION BY person_id, j) AS p_total
    FROM prior WHERE pe >= ps
),
win AS (
    SELECT person_id, j, any_value($l - p_total) AS need,
           coalesce(sum(plen) FILTER (WHERE (ps - (seg_start - $w + 1)) - before < $l - p_total), 0) AS b_skip
    FROM prior_run GROUP BY person_id, j
),
visa_cover AS (
    -- visa runs are disjoint and not adjacent, so the day after the run holding a day is uncovered
    SELECT s.person_id, s.j,
           max(v.ce) FILTER (WHERE v.cs <= s.s AND v.ce >= s.s) AS run_to,
           max(v.ce) FILTER (WHERE v.cs <= greatest(s.s, $d + 1) AND v.ce >= greatest(s.s, $d + 1)) AS next_run_to,
           min(v.cs) FILTER (WHERE v.cs <= least(s.e, $d) AND v.ce >= least(s.e, $d)) AS last_run_from,
           sum(greatest(0, least(v.ce, s.e, $d) - greatest(v.cs, s.s) + 1)) FILTER (WHERE v.cs IS NOT NULL)
               AS covered_to_d
    FROM seg s LEFT JOIN visa v ON v.person_id = s.person_id AND v.cs <= s.e AND v.ce >= s.s
    WHERE s.regime = 'visa'
    GROUP BY s.person_id, s.j
),
judged AS (
    SELECT s.*,
           CASE WHEN s.per_entry IS NULL THEN NULL
                WHEN s.base >= s.per_entry THEN s.s ELSE s.s + s.per_entry - s.base END AS fb_entry,
           CASE WHEN s.regime = 'visa' OR NOT (s.cum_before + s.len > $l OR s.open) THEN NULL
                WHEN coalesce(w.need, $l) <= 0 THEN s.s
                ELSE s.s + coalesce(w.need, $l) + coalesce(w.b_skip, 0) END AS fb_window,
           CASE WHEN vc.run_to IS NULL THEN s.s WHEN vc.run_to + 1 <= s.e THEN vc.run_to + 1 END AS fb_visa,
           greatest(0, least(s.e, $d) - s.s + 1) - coalesce(vc.covered_to_d, 0) AS visa_bad_to_d,
           CASE WHEN s.e <= $d THEN NULL
                WHEN vc.next_run_to IS NULL THEN greatest(s.s, $d + 1)
                WHEN vc.next_run_to + 1 <= s.e THEN vc.next_run_to + 1 END AS visa_next_bad,
           CASE WHEN vc.last_run_from IS NULL THEN least(s.e, $d) ELSE vc.last_run_from - 1 END AS visa_last_bad
    FROM seg s
    LEFT JOIN win w USING (person_id, j)
    LEFT JOIN visa_cover vc USING (person_id, j)
    WHERE s.open OR s.e >= $d - $w + 1 OR s.regime = 'visa'
          OR s.cum_before + s.len > $l OR (s.per_entry IS NOT NULL AND s.base + s.len > s.per_entry)
),
bad AS (
    SELECT person_id, k, j, s, e, open, entry,
           CASE WHEN regime = 'visa' THEN fb_visa ELSE least(fb_entry, fb_window) END AS fb0,
           CASE WHEN regime = 'visa' THEN 'no_visa'
                WHEN fb_entry IS NOT NULL AND fb_entry <= coalesce(fb_window, fb_entry) THEN 'per_entry'
                ELSE 'window' END AS limit0,
           regime, visa_bad_to_d, visa_next_bad, visa_last_bad
    FROM judged
),
marked AS (
    SELECT *, CASE WHEN fb0 <= e THEN fb0 END AS fb,
           CASE WHEN fb0 IS NULL OR fb0 > e THEN 0
                WHEN regime = 'visa' THEN visa_bad_to_d
                ELSE greatest(0, least(e, $d) - fb0 + 1) END AS bad_to_d,
           CASE WHEN regime = 'visa' THEN visa_next_bad WHEN fb0 > $d AND fb0 <= e THEN fb0 END AS next_fb,
           CASE WHEN regime = 'visa' THEN visa_last_bad ELSE least(e, $d) END AS last_bad
    FROM bad
),
person_seg AS (
    SELECT person_id,
           sum(greatest(0, least(e, $d) - greatest(s, $d - $w + 1) + 1)) AS days_used,
           sum(bad_to_d) FILTER (WHERE open) AS overstay_days,
           min(fb) FILTER (WHERE open AND fb <= $d) AS overstay_since,
           arg_min(limit0, fb) FILTER (WHERE open AND fb <= $d) AS overstay_limit,
           min(next_fb) FILTER (WHERE open) AS next_bad,
           sum(greatest(0, least(e, $d) - s + 1)) FILTER (WHERE open) AS open_days
    FROM marked GROUP BY person_id
),
past_stay AS (
    SELECT person_id, k, any_value(entry) AS entry, min(fb) AS start, max(last_bad) AS last_day,
           sum(bad_to_d) AS days, arg_min(limit0, fb) AS rule
    FROM marked WHERE NOT open AND fb <= $d AND bad_to_d > 0 GROUP BY person_id, k
),
past AS (
    SELECT person_id, count(*) AS past_overstays,
           arg_max(entry, k) AS last_overstay_entry, arg_max(start, k) AS last_overstay_start,
           arg_max(last_day, k) AS last_overstay_end, arg_max(days, k) AS last_overstay_days,
           arg_max(rule, k) AS last_overstay_limit
    FROM past_stay GROUP BY person_id
),
stay_person AS (
    SELECT st.person_id, count(*) FILTER (WHERE missing_exit) AS missing_exits,
           count(*) FILTER (WHERE missing_entry) AS missing_entries,
           any_value(a) FILTER (WHERE open) AS current_entry,
           any_value(coalesce(sc.cnt, 0)) FILTER (WHERE open) AS open_shared,
           bool_or(open) AS present
    FROM st LEFT JOIN shared_cnt sc USING (person_id, k)
    WHERE missing_exit OR missing_entry OR open
    GROUP BY st.person_id
),
covered AS (
    SELECT person_id, CASE WHEN max(ce) >= {no_end} THEN NULL ELSE max(ce) END AS covered_until, true AS under_permit
    FROM permit WHERE cs <= $d AND ce >= $d GROUP BY person_id
)
SELECT r.person_id, r.nationality, r.regime, r.per_entry,
       coalesce(sp.present, false) AS present,
       sp.current_entry,
       coalesce(ps.days_used, 0) AS days_used,
       CASE WHEN r.regime = 'visa' THEN NULL ELSE greatest(0, $l - coalesce(ps.days_used, 0)) END AS days_left,
       CASE WHEN sp.present THEN coalesce(ps.open_days, 0) + sp.open_shared END AS stay_days,
       coalesce(ps.overstay_days, 0) AS overstay_days,
       ps.overstay_since,
       ps.overstay_limit,
       CASE WHEN sp.present AND ps.overstay_since IS NULL THEN ps.next_bad END AS exceeds_on,
       coalesce(cv.under_permit, false) AS under_permit,
       cv.covered_until,
       coalesce(pa.past_overstays, 0) AS past_overstays,
       pa.last_overstay_entry, pa.last_overstay_start, pa.last_overstay_end, pa.last_overstay_days,
       pa.last_overstay_limit,
       coalesce(sp.missing_exits, 0) AS missing_exits,
       coalesce(sp.missing_entries, 0) AS missing_entries
FROM regime r
LEFT JOIN stay_person sp USING (person_id)
LEFT JOIN person_seg ps USING (person_id)
LEFT JOIN past pa USING (person_id)
LEFT JOIN covered cv USING (person_id)
"""

COUNT_COLUMNS = (
    "per_entry",
    "days_used",
    "days_left",
    "stay_days",
    "overstay_days",
    "past_overstays",
    "last_overstay_days",
    "missing_exits",
    "missing_entries",
)
DATE_COLUMNS = (
    "current_entry",
    "overstay_since",
    "exceeds_on",
    "covered_until",
    "last_overstay_entry",
    "last_overstay_start",
    "last_overstay_end",
)


def status_relation(
    con: duckdb.DuckDBPyConnection, on: dt.date, rules: StayPolicy | None = None
) -> duckdb.DuckDBPyRelation:
    """Stay status of every person on ``on`` as a relation (dates as day numbers), from the registered tables."""
    rules = rules or policy(on)
    con.register("stay_regimes", _regimes(rules))
    sql = STATUS_SQL.format(
        persons=PERSONS, events=EVENTS, covers=COVERS, kz_offset=KZ_OFFSET_US, day_us=DAY_US, no_end=NO_END
    )
    d = day_number(on)
    params = {"d": d, "h": d + HORIZON_DAYS, "w": rules.window_days, "l": rules.window_limit}
    return con.sql(sql, params=params)


def status(con: duckdb.DuckDBPyConnection, on: dt.date, rules: StayPolicy | None = None) -> pa.Table:
    """Stay status of every person on ``on``, dates as dates, sorted by person."""
    rel = status_relation(con, on, rules)
    cols = ", ".join(
        f"DATE '1970-01-01' + CAST({c} AS INTEGER) AS {c}"
        if c in DATE_COLUMNS
        else f"CAST({c} AS INTEGER) AS {c}"
        if c in COUNT_COLUMNS
        else c
        for c in rel.columns
    )
    return con.sql(f"SELECT {cols} FROM rel ORDER BY person_id").to_arrow_table()


BANDS = ("none", "warning", "fine", "higher_fine", "fine_and_expulsion")


def _bands(days: npt.NDArray[np.int64], rules: StayPolicy) -> pa.Array:
    """The art. 517 band of each number of overstay days, as strings (built from small integer codes)."""
    codes = np.select(
        [days <= 0, days <= rules.warning_max_days, days <= rules.fine_max_days, days <= rules.higher_max_days],
        [0, 1, 2, 3],
        4,
    ).astype(np.int8)
    return pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(BANDS)).cast(pa.string())


def _ints(table: pa.Table, column: str) -> npt.NDArray[np.int64]:
    return np.asarray(table[column].fill_null(0).to_numpy(), dtype=np.int64)


def with_fines(table: pa.Table, on: dt.date, rules: StayPolicy | None = None) -> pa.Table:
    """``table`` with art. 517 bands: of the current overstay (or else the last one) with its fine, and of the last
    past overstay (``last_fine_band``).

    The amounts of the higher bands are not public, so their fine columns are null.
    """
    rules = rules or policy(on)
    current, last = _ints(table, "overstay_days"), _ints(table, "last_overstay_days")
    days = np.where(current > 0, current, last)
    mrp = np.select(
        [days <= 0, days <= rules.warning_max_days, days <= rules.fine_max_days], [-1, 0, rules.fine_mrp], -1
    )
    known = (mrp >= 0) & (days > 0)
    return (
        table.append_column("fine_band", _bands(days, rules))
        .append_column("fine_mrp", pa.array(np.where(known, mrp, 0), pa.int32(), mask=~known))
        .append_column("fine_kzt", pa.array(np.where(known, mrp * rules.mrp, 0), pa.int64(), mask=~known))
        .append_column("last_fine_band", _bands(last, rules))
    )
