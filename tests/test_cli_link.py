"""``koshi link run`` and ``koshi link evaluate`` on files: results, outputs and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from koshi.cli import app
from koshi.synth.feeds import generate_feeds, write_feeds

runner = CliRunner()
SMALL = ["--u-pairs", "1e5", "--em-pairs", "1e5", "--quiet"]


@pytest.fixture(scope="module")
def feeds_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("feeds")
    write_feeds(generate_feeds(1500, seed=3, year=2026), out)
    return out


def test_evaluate_on_synthetic_feeds_reports_every_view(feeds_dir: Path) -> None:
    result = runner.invoke(app, ["link", "evaluate", str(feeds_dir), *SMALL, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["persons"] == 1500
    assert report["records"] > report["persons"]
    for view in ("pairs_scored", "pairs_in_clusters", "cross_document", "bcubed"):
        assert 0.0 <= report[view]["f1"] <= 1.0
    assert report["pairs_in_clusters"]["f1"] >= 0.98


def test_run_writes_clusters_pairs_review_and_the_model(feeds_dir: Path, tmp_path: Path) -> None:
    clusters, pairs, model = tmp_path / "c.parquet", tmp_path / "p.parquet", tmp_path / "model.json"
    result = runner.invoke(
        app,
        ["link", "run", str(feeds_dir), "-o", str(clusters), "--pairs", str(pairs), "--save-model", str(model), *SMALL],
    )
    assert result.exit_code == 0, result.output
    assert "persons" in result.output
    table = pq.read_table(clusters)
    assert {"record_id", "source", "cluster", "true_person_id"} <= set(table.column_names)
    # every record of one document is in one cluster
    truth = pq.read_table(pairs)
    assert truth.num_rows > 0 and "mw_name" in truth.column_names
    # reusing the saved model gives the same clusters
    again = tmp_path / "c2.parquet"
    second = runner.invoke(app, ["link", "run", str(feeds_dir), "-o", str(again), "--model", str(model), "--quiet"])
    assert second.exit_code == 0, second.output
    assert pq.read_table(again)["cluster"].equals(table["cluster"])


def test_records_table_with_truth(tmp_path: Path) -> None:
    rows = [
        {"record_id": f"r{i}", "source": "a", "doc_type": "P", "doc_country": "RUS", "doc_number": f"75{i:08d}",
         "nationality": "RUS", "surname": name, "given_names": given, "birth_date": "1990-01-02", "sex": "M",
         "iin": None, "person_id": pid}
        for i, (name, given, pid) in enumerate([("IVANOV", "IURII", 1), ("IVANOV", "YURIY", 1), ("PETROV", "OLEG", 2)])
    ]  # fmt: skip
    path = tmp_path / "records.csv"
    pa.csv.write_csv(pa.Table.from_pylist(rows), path)
    result = runner.invoke(app, ["link", "evaluate", str(path), *SMALL, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["records"] == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["link", "run"], "give a directory of feed files"),
        (["link", "run", "/nonexistent/feeds"], "does not exist"),
        (["link", "evaluate"], "--febrl febrl3|febrl4"),
        (["link", "evaluate", "--febrl", "febrl9"], "unknown FEBRL data set"),
        (["link", "run", ".", "--threshold", "0.1", "--review-from", "0.5"], "thresholds must satisfy"),
    ],
)
def test_bad_invocations_are_one_clear_line(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.output


def test_empty_and_unreadable_inputs(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(app, ["link", "run", str(empty)])
    assert result.exit_code == 2 and "holds no feed file" in result.output
    bad = tmp_path / "records.csv"
    bad.write_text("record_id,source\n", encoding="utf-8")
    result = runner.invoke(app, ["link", "run", str(bad)])
    assert result.exit_code == 2 and "missing column(s)" in result.output
    model = tmp_path / "m.json"
    model.write_text("{not json", encoding="utf-8")
    result = runner.invoke(app, ["link", "run", str(empty.parent), "--model", str(model)])
    assert result.exit_code == 2 and "not a readable model file" in result.output
    no_truth = tmp_path / "nt.csv"
    no_truth.write_text(
        "record_id,source,doc_type,doc_country,doc_number,nationality,surname,given_names,birth_date,sex,iin\n"
        "a,x,P,RUS,1,RUS,IVANOV,,1990-01-01,M,\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["link", "evaluate", str(no_truth)])
    assert result.exit_code == 2 and "no truth to evaluate against" in result.output


def test_too_few_records_to_train_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "two.csv"
    path.write_text(
        "record_id,source,doc_type,doc_country,doc_number,nationality,surname,given_names,birth_date,sex,iin\n"
        "a,x,P,RUS,1,RUS,IVANOV,,,M,\nb,y,P,RUS,2,RUS,PETROV,,,F,\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["link", "run", str(path), *SMALL])
    assert result.exit_code == 2
    assert "cannot train a model on 2 records" in result.output
