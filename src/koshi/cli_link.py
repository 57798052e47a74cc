"""``koshi link``: record linkage on files or on the registry, its accuracy, and the review queue."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import pyarrow as pa
import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from koshi.cli_io import err, fail, out
from koshi.linkage import engine, evaluate, febrl, sources
from koshi.linkage.records import LinkInputError
from koshi.linkage.run import REVIEW_FROM, THRESHOLD, Linked, Options, link
from koshi.tabular import TableFileError, write_table

app = typer.Typer(help="Record linkage: one person id per human across the feeds.", no_args_is_help=True)

STEPS = (
    "checking records",
    "prior",
    "u from random pairs",
    "m by expectation maximisation, blocked on dob",
    "m from records of the same document",
    "scoring pairs",
    "clustering",
)

BackendOpt = Annotated[
    str | None,
    typer.Option("--backend", help="duckdb (default) or spark; default from $KOSHI_LINK_BACKEND."),
]
ThresholdOpt = Annotated[
    float, typer.Option("--threshold", help="Link pairs with a match probability at or above this.")
]
ReviewOpt = Annotated[
    float, typer.Option("--review-from", help="Pairs from this probability up to the threshold go to review.")
]
ModelOpt = Annotated[
    Path | None, typer.Option("--model", help="A trained model (JSON) to use instead of training on the input.")
]
UPairsOpt = Annotated[float, typer.Option("--u-pairs", help="Random pairs read to estimate u (training).")]
EmPairsOpt = Annotated[float, typer.Option("--em-pairs", help="Blocked pairs read per EM run (training).")]


@contextmanager
def _steps(quiet: bool) -> Iterator[Callable[[str], None]]:
    """A progress bar over the linkage steps (Splink's SQL gives no finer progress)."""
    if quiet or not sys.stderr.isatty():
        yield lambda _name: None
        return
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("linking", total=len(STEPS))

        def step(name: str) -> None:
            done = STEPS.index(name) if name in STEPS else 0
            progress.update(task, completed=done, description=f"linking: {name}")

        yield step
        progress.update(task, completed=len(STEPS))


def _options(threshold: float, review_from: float, u_pairs: float, em_pairs: float) -> Options:
    try:
        return Options(
            threshold=threshold,
            review_from=review_from,
            training=engine.Training(u_pairs=u_pairs, em_pairs=em_pairs),
        )
    except ValueError as exc:
        fail(f"--threshold / --review-from: {exc}")


def _model(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    try:
        trained = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        fail(f"--model {path}: not a readable model file ({exc.__class__.__name__})")
    if not isinstance(trained, dict) or "comparisons" not in trained:
        fail(f"--model {path}: not a Splink model saved by koshi link run")
    return trained


def _load(path: Path) -> sources.Loaded:
    if not path.exists():
        fail(f"{path} does not exist")
    try:
        return sources.load(path)
    except LinkInputError as exc:
        fail(str(exc))


def _link(
    loaded: sources.Loaded,
    backend: str | None,
    options: Options,
    trained: dict[str, Any] | None,
    quiet: bool,
    together: tuple[str, ...] = ("doc_key",),
) -> Linked:
    try:
        with _steps(quiet) as step, engine.opened(backend) as chosen:
            return link(loaded.records, chosen, trained=trained, options=options, together=together, progress=step)
    except LinkInputError as exc:
        fail(str(exc))
    except ValueError as exc:  # a model from another version, an unknown backend
        fail(str(exc))
    except RuntimeError as exc:  # the Spark backend without pyspark or Java (SparkUnavailable)
        fail(str(exc))


def _clusters_table(linked: Linked) -> pa.Table:
    recs = linked.records
    cols: dict[str, Any] = {
        "record_id": recs["record_id"],
        "source": recs["source"],
        "cluster": pa.array(linked.clusters.label),
    }
    if "person_id" in recs.column_names:
        cols["true_person_id"] = recs["person_id"]
    return pa.table(cols)


@app.command("run")
def run_cmd(
    source: Annotated[
        Path | None,
        typer.Argument(help="A directory of feed files, or a table of linkage records (Parquet, CSV, JSON lines)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write each record's cluster here (Parquet/CSV/JSONL).")
    ] = None,
    pairs: Annotated[Path | None, typer.Option("--pairs", help="Write the scored pairs here.")] = None,
    review: Annotated[Path | None, typer.Option("--review", help="Write the pairs to review here.")] = None,
    save_model: Annotated[Path | None, typer.Option("--save-model", help="Write the trained model (JSON).")] = None,
    model_file: ModelOpt = None,
    db: Annotated[bool, typer.Option("--db", help="Link the registry's records instead of files.")] = False,
    retrain: Annotated[bool, typer.Option("--retrain", help="With --db: train a new model first.")] = False,
    full: Annotated[bool, typer.Option("--full", help="With --db: rescore every record, not only new ones.")] = False,
    backend: BackendOpt = None,
    threshold: ThresholdOpt = THRESHOLD,
    review_from: ReviewOpt = REVIEW_FROM,
    u_pairs: UPairsOpt = engine.U_PAIRS,
    em_pairs: EmPairsOpt = engine.EM_PAIRS,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable summary.")] = False,
) -> None:
    """Link records into persons: train the model (or reuse one), score pairs, cluster.

    On files, SOURCE is a directory of feeds (one record per document and feed) or a
    table of records. With --db, the registry's new records are linked into its
    persons: ids stay stable, merges are recorded, uncertain pairs go to review.
    """
    options = _options(threshold, review_from, u_pairs, em_pairs)
    if db:
        if source is not None:
            fail("give either SOURCE or --db, not both")
        _run_db(backend, options, retrain, full, quiet, as_json)
        return
    if source is None:
        fail("give a directory of feed files or a table of linkage records (or --db for the registry)")
    trained = _model(model_file)
    loaded = _load(source)
    started = time.perf_counter()
    linked = _link(loaded, backend, options, trained, quiet)
    summary: dict[str, Any] = {
        "records": linked.records.num_rows,
        "pairs_scored": linked.pairs.num_rows,
        "clusters": linked.clusters.count,
        "to_review": linked.review.num_rows,
        "conflicts": len(linked.clusters.conflicts),
        "rejected_rows": {k: len(v) for k, v in loaded.errors.items() if v},
        "seconds": {**linked.seconds, "total": round(time.perf_counter() - started, 3)},
    }
    try:
        if output is not None:
            write_table(_clusters_table(linked), output)
        if pairs is not None:
            write_table(linked.pairs, pairs)
        if review is not None:
            write_table(linked.review, review)
    except (TableFileError, OSError) as exc:
        fail(f"cannot write: {exc}")
    if save_model is not None:
        save_model.write_text(json.dumps(linked.trained, indent=1), encoding="utf-8")
    if as_json:
        out.print_json(json.dumps(summary))
        return
    out.print(
        f"{summary['records']:,} records → {summary['clusters']:,} persons; "
        f"{summary['pairs_scored']:,} pairs scored, {summary['to_review']:,} to review "
        f"({summary['seconds']['total']:.1f} s)"
    )
    for kind, count in summary["rejected_rows"].items():
        err.print(f"{kind}: {count:,} row(s) refused by validation (see koshi feeds import --errors)")


def _run_db(backend: str | None, options: Options, retrain: bool, full: bool, quiet: bool, as_json: bool) -> None:
    import datetime as dt

    from koshi.settings import settings
    from koshi.store import linkage as store_linkage
    from koshi.store.db import make_engine, make_sessionmaker, transaction
    from koshi.store.overstays import RegistryError

    eng = make_engine(settings().database_url)
    try:
        with _steps(quiet) as step, transaction(make_sessionmaker(eng)) as session:
            report = store_linkage.run(
                session,
                None,
                dt.datetime.now(dt.UTC),
                backend=backend,
                retrain=retrain,
                full=full,
                options=options,
                progress=step,
            )
    except (RegistryError, LinkInputError, ValueError) as exc:
        fail(str(exc))
    finally:
        eng.dispose()
    data = {"run_id": report.run_id, "mode": report.mode, **report.counts, "seconds": report.seconds}
    if as_json:
        out.print_json(json.dumps(data, default=str))
        return
    counts = report.counts
    out.print(
        f"run {report.run_id} ({report.mode}): {counts.get('records', 0):,} records, "
        f"{counts.get('new_records', 0):,} new; {counts.get('merges', 0):,} merges, "
        f"{counts.get('queued', 0):,} pairs queued for review"
    )


def _scores_row(table: Table, name: str, s: evaluate.Scores) -> None:
    table.add_row(name, f"{s.precision:.4f}", f"{s.recall:.4f}", f"{s.f1:.4f}")


@app.command("evaluate")
def evaluate_cmd(
    source: Annotated[
        Path | None,
        typer.Argument(help="Feeds made by `koshi synth feeds` (with truth/), or records with a person_id column."),
    ] = None,
    febrl_set: Annotated[
        str | None, typer.Option("--febrl", help="Evaluate on public FEBRL data instead: febrl3 or febrl4.")
    ] = None,
    backend: BackendOpt = None,
    threshold: ThresholdOpt = THRESHOLD,
    review_from: ReviewOpt = REVIEW_FROM,
    u_pairs: UPairsOpt = engine.U_PAIRS,
    em_pairs: EmPairsOpt = engine.EM_PAIRS,
    model_file: ModelOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable result.")] = False,
) -> None:
    """Link records whose truth is known and print pairwise and cluster precision, recall and F1."""
    options = _options(threshold, review_from, u_pairs, em_pairs)
    together: tuple[str, ...] = ("doc_key",)
    if febrl_set is not None:
        if source is not None:
            fail("give either SOURCE or --febrl, not both")
        try:
            loaded = sources.Loaded(febrl.load(febrl_set), {}, ())
        except LinkInputError as exc:
            fail(str(exc))
        together = ()  # FEBRL ids are not documents: the model alone decides
    elif source is None:
        fail("give feeds with a truth/ directory, a records table with person_id, or --febrl febrl3|febrl4")
    else:
        loaded = _load(source)
    if not loaded.has_truth:
        fail("no truth to evaluate against: the records need a person_id column (or SOURCE/truth/records.parquet)")
    if loaded.records.column("person_id").null_count:
        fail(f"{loaded.records.column('person_id').null_count:,} record(s) have no true person_id")
    started = time.perf_counter()
    linked = _link(loaded, backend, options, _model(model_file), quiet, together)
    truth = linked.records["person_id"]
    result = evaluate.clusters_vs_truth(linked.clusters.label, truth, linked.records["doc_key"] if together else None)
    result = evaluate.with_pairs(result, evaluate.pairs_vs_truth(linked.pairs, truth, options.threshold))
    seconds = {**linked.seconds, "total": round(time.perf_counter() - started, 3)}
    if as_json:
        out.print_json(json.dumps({**result.as_dict(), "threshold": options.threshold, "seconds": seconds}))
        return
    table = Table(title=f"Linkage against the truth (threshold {options.threshold})")
    for col in ("view", "precision", "recall", "F1"):
        table.add_column(col, justify="left" if col == "view" else "right")
    assert result.pairs_scored is not None
    _scores_row(table, "pairs scored by the model", result.pairs_scored)
    _scores_row(table, "pairs in clusters", result.pairs_in_clusters)
    if together:
        _scores_row(table, "pairs in clusters, across documents", result.cross_document)
    _scores_row(table, "clusters (B-cubed)", result.bcubed)
    out.print(table)
    out.print(
        f"{result.records:,} records, {result.persons:,} true persons, {result.clusters:,} clusters; "
        f"{result.exact_persons:.2%} of persons recovered exactly ({seconds['total']:.1f} s)"
    )


review_app = typer.Typer(help="The clerical review queue: pairs the model was unsure of.", no_args_is_help=True)
app.add_typer(review_app, name="review")

AsOpt = Annotated[str, typer.Option("--as", help="The officer acting (username); decisions are audited under it.")]


@contextmanager
def _officer(username: str) -> Iterator[tuple[Any, Any]]:
    """A session in one transaction and the named user as the acting officer."""
    from koshi.settings import settings
    from koshi.store import users
    from koshi.store.cases import Actor
    from koshi.store.db import make_engine, make_sessionmaker, transaction
    from koshi.store.overstays import RegistryError

    eng = make_engine(settings().database_url)
    try:
        with transaction(make_sessionmaker(eng)) as session:
            user = users.get_by_username(session, username)
            if user is None or not user.active:
                fail(f"--as {username!r}: no active user of that name")
            yield session, Actor(user.id, user.role)
    except RegistryError as exc:
        fail(str(exc), 2 if exc.status in (404, 422) else 1)
    finally:
        eng.dispose()


def _masked(value: str | None, keep: int = 2) -> str:
    """Names and numbers on a terminal: the first letters only (a full view needs --reveal)."""
    if not value:
        return "—"
    return value[:keep] + "•" * max(len(value) - keep, 1)


@review_app.command("list")
def review_list(
    officer: AsOpt,
    status: Annotated[str, typer.Option("--status", help="open, accepted, rejected or superseded.")] = "open",
    page: Annotated[int, typer.Option("--page", min=1)] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable.")] = False,
) -> None:
    """Reviews with a status, one line each (names masked)."""
    import datetime as dt

    from koshi.store import linkage as store_linkage

    with _officer(officer) as (session, actor):
        result = store_linkage.reviews(session, actor, status=status, page=page, now=dt.datetime.now(dt.UTC))
    rows = [
        {
            "id": r.id,
            "probability": round(r.match_probability, 4),
            "left": {"feed": r.left.feed, "person_id": r.left.person_id, "nationality": r.left.nationality},
            "right": {"feed": r.right.feed, "person_id": r.right.person_id, "nationality": r.right.nationality},
        }
        for r in result.items
    ]
    if as_json:
        out.print_json(json.dumps({"total": result.total, "page": result.page, "pages": result.pages, "items": rows}))
        return
    table = Table(title=f"{status} reviews: {result.total:,} (page {result.page} of {max(result.pages, 1)})")
    for col in ("id", "probability", "left (feed, person)", "right (feed, person)", "names"):
        table.add_column(col)
    for r in result.items:
        table.add_row(
            str(r.id),
            f"{r.match_probability:.3f}",
            f"{r.left.feed} #{r.left.person_id}",
            f"{r.right.feed} #{r.right.person_id}",
            f"{_masked(r.left.surname)} / {_masked(r.right.surname)}",
        )
    out.print(table)


@review_app.command("show")
def review_show(
    review_id: Annotated[int, typer.Argument(help="The review's id.")],
    officer: AsOpt,
    reveal: Annotated[bool, typer.Option("--reveal", help="Show names and numbers in full (audited read).")] = False,
) -> None:
    """One pair side by side and the evidence: prior, each comparison's level and weight, final probability."""
    import datetime as dt

    from koshi.documents.iin import mask
    from koshi.store import linkage as store_linkage

    with _officer(officer) as (session, actor):
        d = store_linkage.review(session, actor, review_id, now=dt.datetime.now(dt.UTC))

    def shown(value: str | None) -> str:
        return (value or "—") if reveal else _masked(value)

    side = Table(title=f"Review {d.id} ({d.status}): the two records")
    for col in ("field", "left", "right"):
        side.add_column(col)

    def doc(x: Any) -> str:
        return f"{x.doc_type} {x.doc_country} {shown(x.doc_number)}"

    a_, b_ = d.left, d.right
    for name, a, b in (
        ("feed", a_.feed, b_.feed),
        ("document", doc(a_), doc(b_)),
        ("surname", shown(a_.surname), shown(b_.surname)),
        ("given names", shown(a_.given_names), shown(b_.given_names)),
        ("birth date", str(a_.birth_date or "—"), str(b_.birth_date or "—")),
        ("sex", a_.sex or "—", b_.sex or "—"),
        ("nationality", a_.nationality, b_.nationality),
        ("IIN", mask(a_.iin) if a_.iin else "—", mask(b_.iin) if b_.iin else "—"),
        ("person now", f"#{a_.person_id}", f"#{b_.person_id}"),
    ):
        side.add_row(name, a, b, style="bold" if a != b else None)
    out.print(side)
    why = Table(title="Why the model scored it so (match weights, log2 Bayes factors)")
    for col in ("comparison", "level", "weight"):
        why.add_column(col, justify="right" if col == "weight" else "left")
    why.add_row("prior", "two random records", f"{d.prior_weight:+.2f}")
    for c in d.comparisons:
        why.add_row(c.comparison, c.level, f"{c.match_weight:+.2f}")
    if d.tf_adjustment:
        why.add_row("name frequency", "adjustment", f"{d.tf_adjustment:+.2f}")
    why.add_row("final", f"match probability {d.match_probability:.3f}", f"{d.final_weight:+.2f}", style="bold")
    out.print(why)
    for h in d.history:
        out.print(f"decided {h.decision} by user {h.actor_id} at {h.at:%Y-%m-%d %H:%M} UTC")


@review_app.command("decide")
def review_decide(
    review_id: Annotated[int, typer.Argument(help="The review's id.")],
    decision: Annotated[str, typer.Argument(help="same (one person) or different (two people).")],
    officer: AsOpt,
    note: Annotated[str | None, typer.Option("--note", help="Why (kept with the decision).")] = None,
) -> None:
    """Decide a pair: applied at once (merge or split) and an override for every later run."""
    import datetime as dt

    from koshi.store import linkage as store_linkage

    if decision not in store_linkage.DECISIONS:
        fail(f"decision must be one of {', '.join(store_linkage.DECISIONS)}, got {decision!r}")
    with _officer(officer) as (session, actor):
        report = store_linkage.decide(session, actor, review_id, decision, note, dt.datetime.now(dt.UTC))
    if report.outcome == "merged":
        out.print(f"review {review_id}: person {report.from_person} merged into person {report.into_person}")
    elif report.outcome == "split":
        moved = ", ".join(f"#{p}" for p in report.new_persons)
        out.print(f"review {review_id}: person {report.from_person} split; records moved to {moved}")
    else:
        out.print(f"review {review_id}: recorded ({decision}); the persons were already so")
