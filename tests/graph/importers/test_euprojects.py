"""CORDIS and Erasmus+ exports imported as published: kept rows, matching, wrong layouts.

The fixtures in tests/data/cordis and tests/data/erasmus follow the published column layouts
(README, "EU projects from the official files"): CORDIS project.csv / organization.csv
(semicolon-separated, quoted, multi-line objective, decimal comma) and the Erasmus+ Project
Results Platform export (wide coordinator / partner columns, the long grant header).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from itskg.graph.build import reference_layers
from itskg.graph.errors import DataError
from itskg.graph.importers.cordis import import_cordis
from itskg.graph.importers.erasmus import import_erasmus, org_class
from itskg.graph.importers.pipeline import import_table
from itskg.graph.namespaces import sparql_prefixes
from itskg.graph.store import KnowledgeStore

DATA = Path(__file__).resolve().parents[2] / "data"
ID = "https://w3id.org/itskg/id/"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Reference layers plus the companies fixture (for the VAT match)."""
    root = tmp_path_factory.mktemp("eu") / "store"
    with KnowledgeStore.open(root, read_only=False) as st:
        st.replace_layers(reference_layers(), fresh=True)
        import_table(st, "companies", DATA / "csv" / "companies_good.csv", shacl=False)
    return root


@pytest.fixture
def store(base: Path, tmp_path: Path) -> Iterator[KnowledgeStore]:
    dst = tmp_path / "store"
    shutil.copytree(base, dst)
    with KnowledgeStore.open(dst, read_only=False) as st:
        yield st


def q(st: KnowledgeStore, where: str, names: str) -> set[tuple]:
    return set(st.query(sparql_prefixes() + f"SELECT {names} WHERE {{ {where} }}").tuples())


def test_cordis_keeps_italian_projects_and_matches(store: KnowledgeStore) -> None:
    record, report = import_cordis(store, DATA / "cordis")
    assert report.projects_kept == 2
    assert report.rows_kept["organization.csv"] == 6  # both projects, foreign partners too
    assert report.rows_read["organization.csv"] == 8
    assert dict(report.status) == {"exact": 1, "probable": 1, "unmatched": 1}
    projects = q(store, "?p a itskg:HorizonProject ; itskg:projectIdentifier ?id", "?id")
    assert projects == {("101056789",), ("952000",)}
    # the VAT match attaches the participation to the imported company, the name match to
    # the real academy (FITSTIC), and foreign partners are kept with their country
    parts = q(store, "?pp itskg:projectParticipant ?o ; org:role ?r ; org:organization ?p . "
                     "?p itskg:projectIdentifier '101056789'", "?o ?r")
    orgs = {o for o, _ in parts}
    assert ID + "company/IT01234567897" in orgs
    assert ID + "its/0QBSMAW1" in orgs
    assert ID + "org/pic-999444555" in orgs
    greek = q(store, f"<{ID}org/pic-999444555> itskg:country ?c", "?c")
    assert greek == {("http://publications.europa.eu/resource/authority/country/GRC",)}
    money = q(store, f"?pp itskg:projectParticipant <{ID}org/pic-999000111> ; "
                     "itskg:euContribution ?v", "?v")
    assert {str(v) for (v,) in money} == {"1500000.25"}  # decimal comma read
    title = q(store, f"<{ID}project/cordis-101056789> dct:title ?t", "?t")
    assert {str(t) for (t,) in title} == {
        'Green mechatronics for SME production lines; a "test" project'}
    assert record.triples > 50


def test_cordis_wrong_layout_names_the_missing_columns(store: KnowledgeStore,
                                                       tmp_path: Path) -> None:
    bad = tmp_path / "cordis"
    bad.mkdir()
    shutil.copy(DATA / "cordis" / "project.csv", bad / "project.csv")
    (bad / "organization.csv").write_text("projectID;name;country\n1;X;IT\n", encoding="utf-8")
    before = [(r.source, r.triples) for r in store.layers()]
    with pytest.raises(DataError) as exc:
        import_cordis(store, bad)
    msg = str(exc.value) + " ".join(str(p) for p in exc.value.problems)
    for col in ("organisationID", "vatNumber", "role", "ecContribution"):
        assert col in msg
    assert [(r.source, r.triples) for r in store.layers()] == before  # nothing written
    (bad / "organization.csv").unlink()
    with pytest.raises(DataError, match="not a CORDIS export folder"):
        import_cordis(store, bad)


def test_erasmus_cove_partnerships_and_matching(store: KnowledgeStore) -> None:
    _, report = import_erasmus(store, DATA / "erasmus" / "erasmus_projects.csv")
    assert report.projects_kept == 2 and report.rows_read["erasmus_projects.csv"] == 3
    assert dict(report.status) == {"probable": 1, "unmatched": 2}
    kinds = q(store, "?p itskg:projectIdentifier ?id ; a ?c FILTER(?c IN (itskg:CoVEProject, "
                     "itskg:ErasmusPartnershipProject))", "?id ?c")
    assert {(i, c.rsplit("#", 1)[1]) for i, c in kinds} == {
        ("101104567", "CoVEProject"),
        ("2023-1-IT01-KA220-VET-000123456", "ErasmusPartnershipProject")}
    roles = q(store, f"?pp itskg:projectParticipant <{ID}its/0QBSMAW1> ; org:role ?r", "?r")
    assert {r.rsplit("/", 1)[1] for (r,) in roles} == {"partner"}
    union = q(store, "?o a itskg:TradeUnion ; itskg:country ?c", "?c")
    assert {c.rsplit("/", 1)[1] for (c,) in union} == {"DEU"}


def test_erasmus_wrong_layout(store: KnowledgeStore, tmp_path: Path) -> None:
    bad = tmp_path / "export.csv"
    bad.write_text("Programme,Project Title\nErasmus+,X\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        import_erasmus(store, bad)
    msg = " ".join(str(p) for p in exc.value.problems)
    assert "Coordinating organisation name" in msg and "Project Identifier" in msg


def test_org_types() -> None:
    assert org_class("Small and medium sized enterprise") == "Company"
    assert org_class("Chamber of Commerce") == "ChamberOfCommerce"
    assert org_class("Higher education institution (tertiary level)") == "University"
    assert org_class("Social partner or other representative organisation of working life "
                     "(chambers of commerce, trade union, trade association)") == \
        "TradeAssociation"  # the lumped social-partner type; documented in erasmus.py


def test_erasmus_xlsx_export_gives_the_same_layer(store: KnowledgeStore, tmp_path: Path) -> None:
    import csv

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    with (DATA / "erasmus" / "erasmus_projects.csv").open(encoding="utf-8") as fh:
        for row in csv.reader(fh):
            ws.append(row)
    xlsx = tmp_path / "ErasmusPlus_projects.xlsx"
    wb.save(xlsx)
    rec_csv, rep_csv = import_erasmus(store, DATA / "erasmus" / "erasmus_projects.csv",
                                      source="erasmus-csv")
    rec_xlsx, rep_xlsx = import_erasmus(store, xlsx, source="erasmus-xlsx")
    assert rec_xlsx.triples == rec_csv.triples and rep_xlsx.status == rep_csv.status


def test_a_huge_field_is_refused_with_its_line(store: KnowledgeStore, tmp_path: Path) -> None:
    bad = tmp_path / "cordis"
    bad.mkdir()
    shutil.copy(DATA / "cordis" / "organization.csv", bad / "organization.csv")
    head = (DATA / "cordis" / "project.csv").read_text(encoding="utf-8").split("\n", 1)[0]
    (bad / "project.csv").write_text(head + "\n101056789;X;S;\"" + "x" * 1_200_000
                                     + "\";;;;;;;;;;;;;;;;\n", encoding="utf-8")
    with pytest.raises(DataError, match="project.csv: unreadable CSV near line"):
        import_cordis(store, bad)
