"""The `itskg` command line, run in process with typer's CliRunner on real stores."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from itskg.api.cli.main import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, list(args), catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def test_query_on_a_missing_store_is_one_actionable_line(tmp_path: Path) -> None:
    code, _, err = run("query", "--store", str(tmp_path / "nope"), "ASK {}")
    assert code == 4
    assert "Run 'itskg build' first" in err


def test_query_formats(reference_store: Path) -> None:
    q = "SELECT ?a WHERE { ?a a itskg:ITSAcademy } ORDER BY ?a LIMIT 3"
    code, out, _ = run("query", "--store", str(reference_store), "--format", "csv", q)
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["a"] and len(rows) == 4
    code, out, _ = run("query", "--store", str(reference_store), "-f", "json", q)
    assert code == 0 and len(json.loads(out)["results"]["bindings"]) == 3
    code, out, _ = run("query", "--store", str(reference_store), q)
    assert code == 0 and "https://w3id.org/itskg/id/its/" in out


def test_query_from_file_and_syntax_error(reference_store: Path, tmp_path: Path) -> None:
    f = tmp_path / "q.rq"
    f.write_text("ASK { ?s a itskg:ITSAcademy }")
    code, out, _ = run("query", "--store", str(reference_store), f"@{f}")
    assert code == 0 and out.strip() == "true"
    code, _, err = run("query", "--store", str(reference_store), "SELECT WHERE {")
    assert code == 7 and "SPARQL syntax error" in err


def test_stats_and_sources(reference_store: Path) -> None:
    code, out, _ = run("stats", "--store", str(reference_store))
    assert code == 0 and "academies" in out and "ITSAcademy" in out
    code, out, _ = run("sources", "--store", str(reference_store))
    assert code == 0 and "ateco" in out and "nuts" in out


def test_remove_refuses_core_layers(reference_store: Path) -> None:
    code, _, err = run("remove", "--store", str(reference_store), "ontology")
    assert code == 2 and "itskg build" in err


def test_a_bad_import_lists_every_problem_with_its_column(reference_store: Path) -> None:
    bad = Path(__file__).resolve().parents[2] / "data" / "csv" / "companies_bad.csv"
    code, _, err = run("import", "companies", str(bad), "--store", str(reference_store))
    assert code == 6
    assert "nothing was written" in err
    assert "companies_bad.csv:3 [ateco]: error: unknown ATECO 2025 code" in err
    assert "did you mean" in err


def test_template_prints_headers_and_an_example(tmp_path: Path) -> None:
    code, out, _ = run("template", "companies")
    assert code == 0 and out.splitlines()[0].startswith("id,") and len(out.splitlines()) == 2
    code, _, err = run("template", "nonsense")
    assert code == 6 and "companies" in err


def test_validate_the_shipped_reference_layer_conforms(reference_store: Path) -> None:
    code, out, _ = run("validate", "--store", str(reference_store), "--max-warnings", "0")
    assert code == 0, out
    assert "0 violation(s)" in out
    assert "warning(s)" in out  # academies with gaps are reported, not dropped


def test_dump_and_load_between_store_directories(reference_store: Path, tmp_path: Path) -> None:
    code, _, err = run("dump", "--store", str(reference_store), "--output", str(tmp_path / "d"))
    assert code == 0 and "dumped" in err
    assert (tmp_path / "d" / "manifest.ttl").exists()
    code, _, err = run("load", str(tmp_path / "d"), "--store", str(tmp_path / "copy"))
    assert code == 0 and "loaded" in err and "nothing re-derived" in err
    code, _, err = run("load", str(tmp_path / "d"), "--store", str(tmp_path / "again"),
                       "--rederive")
    assert code == 0 and "derived by the rules: asked for" in err
    code, out, _ = run("query", "--store", str(tmp_path / "copy"), "--format", "csv",
                       "SELECT (COUNT(*) AS ?n) WHERE { ?a a itskg:ITSAcademy }")
    assert code == 0 and int(out.split()[-1]) > 100
    code, _, err = run("load", str(tmp_path / "d"), "--store", str(tmp_path / "copy"))
    assert code == 4 and "already holds layers" in err  # never into a store with layers
    code, _, err = run("load", str(tmp_path), "--store", str(tmp_path / "other"))
    assert code == 6 and "not an itskg dump" in err
