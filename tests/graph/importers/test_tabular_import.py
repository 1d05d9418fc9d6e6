"""`itskg import KIND FILE` end to end: real on-disk stores with the reference layer loaded."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from itskg.graph.build import reference_layers
from itskg.graph.errors import DataError, ValidationError
from itskg.graph.importers.kinds import KINDS, template_csv
from itskg.graph.importers.pipeline import import_table
from itskg.graph.namespaces import sparql_prefixes
from itskg.graph.store import KnowledgeStore, Layer

DATA = Path(__file__).resolve().parents[2] / "data" / "csv"
ID = "https://w3id.org/itskg/id/"
FITSTIC = ID + "its/0QBSMAW1"


@pytest.fixture(scope="module")
def reference_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped reference layers (+ stand-in code lists if codelists.ttl is missing)."""
    root = tmp_path_factory.mktemp("reference") / "store"
    with KnowledgeStore.open(root, read_only=False) as st:
        st.replace_layers(reference_layers(), fresh=True)
        if not st.ask(sparql_prefixes() + "ASK { ?c skos:inScheme voc:collaboration-type }"):
            st.replace_layers([Layer("standin-codelists", "Stand-in code lists (tests)",
                                     DATA / "standin_codelists.ttl", format="ttl")])
    return root


@pytest.fixture
def store(reference_store: Path, tmp_path: Path) -> Iterator[KnowledgeStore]:
    """A private copy of the reference store for one test."""
    dst = tmp_path / "store"
    shutil.copytree(reference_store, dst)
    with KnowledgeStore.open(dst, read_only=False) as st:
        yield st


def rows(st: KnowledgeStore, where: str, names: str) -> set[tuple]:
    return set(st.query(sparql_prefixes() + f"SELECT {names} WHERE {{ {where} }}").tuples())


def state(st: KnowledgeStore) -> tuple:
    return st.generation, [(r.source, r.triples) for r in st.layers()], len(st)


# ---------------------------------------------------------------------- good files
def test_companies(store: KnowledgeStore) -> None:
    res = import_table(store, "companies", DATA / "companies_good.csv")
    assert res.rows == 4 and res.record.source == "companies-companies-good"
    assert res.record.file == "companies_good.csv" and res.record.sha256 and res.record.rows == 4
    got = rows(store, "?c a itskg:Company ; itskg:primaryActivity ?a ; itskg:locatedInRegion ?r",
               "?c ?a ?r")
    assert got == {
        (ID + "company/IT01234567897", "https://w3id.org/itskg/vocab/ateco2025/28.41",
         "http://data.europa.eu/nuts/code/ITH55"),
        (ID + "company/IT02847130370", "https://w3id.org/itskg/vocab/ateco2025/62.10",
         "http://data.europa.eu/nuts/code/ITH58"),
        (ID + "company/IT09876543217", "https://w3id.org/itskg/vocab/ateco2025/10.71.10",
         "http://data.europa.eu/nuts/code/ITH52"),
        (ID + "company/cf-RSSMRA80A01H501U", "https://w3id.org/itskg/vocab/ateco2007/62.01",
         "http://data.europa.eu/nuts/code/ITC4"),
    }
    assert rows(store, f"<{ID}company/IT09876543217> skos:prefLabel ?n", "?n") == {
        ('Panificio "Il Forno" snc',)}
    assert [(w.row, w.column) for w in res.warnings if "ATECO" in w.message] == [(5, "ateco")]
    assert store.ask(sparql_prefixes() + "ASK { GRAPH <https://w3id.org/itskg/graph/meta> { "
                     "?g itskg:sourceFile 'companies_good.csv' } }")


def test_academies_and_reimport_is_idempotent(store: KnowledgeStore) -> None:
    first = import_table(store, "academies", DATA / "academies_good.csv")
    got = rows(store, "?a itskg:seatRegion ?r ; skos:prefLabel ?n", "?a ?r")
    assert (ID + "its/TESTIPA1", "http://data.europa.eu/nuts/code/ITF1") in got
    assert (ID + "its/fondazione-its-esempio-valle-d-aosta",
            "http://data.europa.eu/nuts/code/ITC2") in got
    assert rows(store, f"<{ID}its/TESTIPA1> itskg:locatedInRegion ?p ; itskg:technologicalArea ?t",
                "?p ?t") == {("http://data.europa.eu/nuts/code/ITF13",
                              "https://w3id.org/itskg/vocab/area-2008/A4.3")}
    gen, n = store.generation, len(store)
    second = import_table(store, "academies", DATA / "academies_good.csv")
    assert store.generation != gen and len(store) == n
    assert second.record.triples == first.record.triples
    assert [r.source for r in store.layers()].count("academies-academies-good") == 1


def test_memberships_semicolon_bom(store: KnowledgeStore) -> None:
    import_table(store, "memberships", DATA / "memberships_good.csv")
    got = rows(store, "?m a itskg:FoundationMembership ; itskg:foundationMember ?o ; "
               "org:organization ?a ; org:role ?r ; itskg:partnerType ?t . ?o a ?c",
               "?o ?a ?r ?t ?c")
    voc = "https://w3id.org/itskg/vocab/"
    assert (ID + "company/IT01234567897", FITSTIC, voc + "member-role/founder",
            voc + "partner-type/company", "https://w3id.org/itskg/ontology#Company") in got
    assert (ID + "org/universita-di-bologna", FITSTIC, voc + "member-role/founder",
            voc + "partner-type/university", "https://w3id.org/itskg/ontology#University") in got
    assert {r[2] for r in got} == {voc + "member-role/" + r
                                   for r in ("founder", "participant", "supporter")}
    dates = rows(store, "?m itskg:startDate ?d", "?d")
    assert {d for (d,) in dates} == {"2014-05-15", "2014-01-01", "2015-09-01"}
    assert store.ask(sparql_prefixes() + f"ASK {{ ?o itskg:memberOfFoundation <{FITSTIC}> }}")


def _courses(store: KnowledgeStore, path: Path) -> set[tuple]:
    import_table(store, "courses", path)
    return rows(store, "?c a itskg:Course ; elm:providedBy ?a ; itskg:eqfLevel ?e ; "
                "itskg:totalHours ?h ; itskg:cohortStartYear ?y", "?c ?a ?e ?h ?y")


def test_courses_csv_and_xlsx_give_the_same_triples(store: KnowledgeStore,
                                                    tmp_path: Path) -> None:
    from_csv = _courses(store, DATA / "courses_good.csv")
    assert (ID + "course/0QBSMAW1/2024/tecnico-superiore-per-lo-sviluppo-software", FITSTIC,
            "http://data.europa.eu/snb/eqf/5", 2000, 2024) in from_csv
    assert len(from_csv) == 2
    maker = rows(store, "?c itskg:cohortStartYear '2023'^^xsd:gYear ; "
                 "itskg:technologicalArea ?t", "?t")
    assert maker == {("https://w3id.org/itskg/vocab/area-2008/A4.3",),
                     ("https://w3id.org/itskg/vocab/area-2023/D6",)}
    csv_triples = store.layer("courses-courses-good").triples
    wb = openpyxl.Workbook()
    with (DATA / "courses_good.csv").open(encoding="utf-8") as fh:
        for r in csv.reader(fh):
            wb.active.append(r)
    xlsx = tmp_path / "courses_good.xlsx"
    wb.save(xlsx)
    res = import_table(store, "courses", xlsx, source="courses-xlsx")
    assert res.record.triples == csv_triples


def test_collaborations_need_companies_and_courses(store: KnowledgeStore) -> None:
    import_table(store, "companies", DATA / "companies_good.csv")
    import_table(store, "courses", DATA / "courses_good.csv")
    import_table(store, "collaborations", DATA / "collaborations_good.csv")
    got = rows(store, "?x a itskg:CompanyCollaboration ; itskg:collaboratingCompany ?c ; "
               "itskg:collaborationType ?t . OPTIONAL { ?x itskg:relatedCourse ?k } "
               "OPTIONAL { ?x itskg:teachingHours ?h }", "?c ?t ?k ?h")
    voc = "https://w3id.org/itskg/vocab/collaboration-type/"
    assert {(c.rsplit("/", 1)[-1], t.rsplit("/", 1)[-1], k is not None, h) for c, t, k, h in got} \
        == {("IT01234567897", "internship-hosting", True, None),
            ("IT02847130370", "teaching", False, 40)}
    assert all(t.startswith(voc) for _, t, _, _ in got)
    assert store.ask(sparql_prefixes() + f"ASK {{ <{ID}company/IT02847130370> "
                     f"itskg:collaboratesWith <{FITSTIC}> }}")


def test_mobility(store: KnowledgeStore) -> None:
    import_table(store, "mobility", DATA / "mobility_good.csv")
    got = rows(store, "?f a itskg:MobilityFlow ; itskg:originCountry ?o ; "
               "itskg:destinationCountry ?d ; itskg:participants ?n ; qb:dataSet ?ds", "?o ?d ?n")
    c = "http://publications.europa.eu/resource/authority/country/"
    assert got == {(c + "ITA", c + "ESP", 4), (c + "DEU", c + "ITA", 2), (c + "ITA", c + "DEU", 3)}
    assert rows(store, "?f itskg:participants 4 ; itskg:originRegion ?r ; "
                "itskg:destinationRegion ?d ; itskg:receivingOrganisation/schema:name ?o",
                "?r ?d ?o") == {("http://data.europa.eu/nuts/code/ITH5",
                                 "http://data.europa.eu/nuts/code/ES51", "Empresa Ejemplo S.L.")}


def test_indicators_italian_numbers(store: KnowledgeStore) -> None:
    import_table(store, "indicators", DATA / "indicators_good.csv")
    got = rows(store, "?o a itskg:IndicatorObservation ; itskg:year ?y ; itskg:enrolled ?e ; "
               "itskg:graduates ?g OPTIONAL { ?o itskg:employmentRate12m ?r }", "?y ?e ?g ?r")
    assert got == {(2023, 25, 20, 0.85), (2023, 1234, 1000, None), (2022, 30, 24, 0.85)}
    assert rows(store, "?o sdmx-dimension:refArea ?a", "?a") == {
        ("http://data.europa.eu/nuts/code/ITH5",)}


def test_esco_labels_resolve_when_esco_is_loaded(store: KnowledgeStore, tmp_path: Path) -> None:
    store.replace_layers([Layer("esco", "ESCO stand-in (tests)", DATA / "standin_esco.ttl",
                                format="ttl")])
    f = tmp_path / "c.csv"
    f.write_text("academy,title,eqf_level,skills,occupations\n"
                 "FITSTIC,Corso,5,Computer Programming | java (computer programming),"
                 "robotics engineer\n", encoding="utf-8")
    res = import_table(store, "courses", f)
    assert not [w for w in res.warnings if w.column in ("skills", "occupations")]
    assert len(rows(store, "?c itskg:teachesSkill ?s", "?s")) == 2
    assert rows(store, "?c itskg:targetsOccupation ?o", "?o") == {
        ("http://data.europa.eu/esco/occupation/ab360abd-32e2-4e03-967d-a10758efffa7",)}
    f.write_text("academy,title,eqf_level,skills\nFITSTIC,Corso,5,computer programing\n")
    with pytest.raises(DataError, match="did you mean 'computer programming'"):
        import_table(store, "courses", f)


# ---------------------------------------------------------------------- bad files
BAD = {
    "companies": [(2, "id", "neither"), (2, "website", "not a web address"),
                  (3, "id", "check digit"),
                  (3, "ateco", "unknown ATECO 2025 code '99.99'; did you mean"),
                  (3, "province", "did you mean 'Bologna'"), (4, "name", "required"),
                  (4, "province", "does not match nuts3"), (4, "size", "unknown size"),
                  (5, None, "duplicate: row 4")],
    "memberships": [(2, "academy", "did you mean 'FITSTIC'"),
                    (3, "role", "unknown member-role code 'boss'"),
                    (3, "until", "before since"), (4, "member_type", "'alien'"),
                    (4, "since", "not a date"), (5, "member_id", "neither")],
    "courses": [(2, "area", "unknown technological area 'D99'"),
                (2, "eqf_level", "level 5 or 6"), (2, "internship_hours", "exceed"),
                (2, "cohort_end", "before it starts"),
                (2, "skills", "run 'itskg import esco DIR' first"), (3, "academy", "required"),
                (3, "total_hours", "not a number"), (3, "cohort_start", "not a year")],
    "collaborations": [(2, "company", "import it first"),
                       (3, "company", "did you mean 'Officine Esempio S.r.l.'"),
                       (3, "type", "did you mean 'teaching'"),
                       (3, "interns_hosted", "negative"), (4, "year", "required"),
                       (4, "interns_hosted", "not a number")],
    "mobility": [(2, "direction", "unknown mobility-direction code 'sideways'"),
                 (2, "country", "did you mean 'Germany'"), (3, "year", "not a year"),
                 (3, "participants", "negative"), (4, "academy", "'Fitstic Cesena'"),
                 (4, "country", "unknown country 'XX'"), (4, "participants", "required")],
    "indicators": [(2, "year", "required"), (2, "employment_rate_12m", "between 0 and 1"),
                   (3, "academy", "one of academy, region must be filled"),
                   (4, "region", "did you mean 'Emilia-Romagna'"),
                   (4, "enrolled", "not a number")],
    "academies": [(2, "ipa_code", "already in the store"),
                  (3, "region", "does not match the seat ITH5"),
                  (4, "region", "one of region, nuts2, nuts3, province must be filled"),
                  (5, "region", "did you mean 'Toscana'")],
    "s3": [(2, "period", "not a programming period"), (3, "region", "is ITF4, not ITH5"),
           (4, "domain_type", "required"), (6, None, "duplicate: row 5"),
           (7, "domain_code", "use letters, digits")],
    "foundation-members": [(2, "member_name_in_source", "required"),
                           (3, "member_role", "required"), (5, None, "duplicate: row 4")],
}


@pytest.mark.parametrize("kind", KINDS)
def test_bad_file_is_rejected_with_every_problem_located(store: KnowledgeStore,
                                                         kind: str) -> None:
    if kind == "collaborations":
        import_table(store, "companies", DATA / "companies_good.csv")
    before = state(store)
    with pytest.raises(DataError) as exc:
        import_table(store, kind, DATA / f"{kind}_bad.csv")
    found = [(p.row, p.column, p.message, p.file) for p in exc.value.problems]
    for row, column, text in BAD[kind]:
        assert any(r == row and c == column and text in m and f == f"{kind}_bad.csv"
                   for r, c, m, f in found), (row, column, text, found)
    assert "nothing was written" in exc.value.summary
    assert state(store) == before
    reopened = KnowledgeStore.open(store.root)
    assert state(reopened) == before
    reopened.close()


def test_strict_turns_a_warning_into_a_failure(store: KnowledgeStore) -> None:
    before = state(store)
    with pytest.raises(DataError, match="--strict") as exc:
        import_table(store, "companies", DATA / "companies_good.csv", strict=True)
    assert any(p.row == 5 and p.column == "ateco" for p in exc.value.problems)
    assert state(store) == before


def test_shacl_results_are_located_at_row_and_column(store: KnowledgeStore) -> None:
    pytest.importorskip("itskg.graph.validate")
    before = state(store)
    with pytest.raises(ValidationError) as exc:
        import_table(store, "indicators", DATA / "indicators_shacl_bad.csv")
    located = [(p.row, p.column) for p in exc.value.problems if p.severity == "error"]
    assert (2, "graduates") in located or (2, "enrolled") in located, exc.value.problems
    assert state(store) == before


@pytest.mark.slow
def test_templates_round_trip(store: KnowledgeStore, tmp_path: Path) -> None:
    for kind in ("companies", *[k for k in KINDS if k != "companies"]):
        f = tmp_path / f"{kind}_template.csv"
        f.write_text(template_csv(kind), encoding="utf-8")
        res = import_table(store, kind, f)
        assert res.rows == 1 and res.record.triples > 3, kind
        assert not [w for w in res.warnings if "SHACL" not in w.message
                    and w.column != "skills" and w.column != "occupations"], (kind, res.warnings)


def test_source_names_and_reference_layers_are_protected(store: KnowledgeStore) -> None:
    with pytest.raises(DataError, match="not made by 'itskg import'"):
        import_table(store, "companies", DATA / "companies_good.csv", source="academies")
    with pytest.raises(DataError, match="not valid"):
        import_table(store, "companies", DATA / "companies_good.csv", source="Bad Name!")
    res = import_table(store, "companies", DATA / "companies_good.csv", source="aziende-2024")
    assert res.record.source == "aziende-2024"
    assert res.record.graph == "https://w3id.org/itskg/graph/aziende-2024"


def test_empty_store_says_to_run_build(tmp_path: Path) -> None:
    with KnowledgeStore.open(tmp_path / "empty", read_only=False) as st:
        with pytest.raises(DataError, match="itskg build"):
            import_table(st, "companies", DATA / "companies_good.csv", shacl=False)
        assert st.generation is None
