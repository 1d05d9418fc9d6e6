"""Fixtures for the query catalogue tests: one on-disk store built from the fixture graph."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import BACKENDS
from engines import Engine

from itskg.graph.reasoning import load_rules
from itskg.graph.resources import ontology_files
from itskg.graph.sparql.catalogue import NamedQuery
from itskg.graph.store import KnowledgeStore, Layer
from itskg.graph.terms import QueryResult, Term, turtle_to_ntriples

DATA = Path(__file__).resolve().parents[1] / "data"
FIXTURE = DATA / "catalog_fixture.ttl"
EXPECTED = Path(__file__).resolve().parent / "expected_rows.yaml"
XSD = "http://www.w3.org/2001/XMLSchema#"

# A small synthetic layer: one company flagged synthetic, member of the Puglia academy.
SYNTHETIC_TTL = b"""
@prefix dct: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix itskg: <https://w3id.org/itskg/ontology#> .
@prefix id: <https://w3id.org/itskg/id/> .
<https://w3id.org/itskg/id/company/synth-1> a itskg:Company ; skos:prefLabel "Synthetic Food 1"@it ;
    dct:type <https://w3id.org/itskg/vocab/data-kind/synthetic> ;
    itskg:primaryActivity <https://w3id.org/itskg/vocab/ateco2025/10.51> ;
    itskg:locatedInRegion <http://data.europa.eu/nuts/code/ITF47> .
<https://w3id.org/itskg/id/membership/synth-1> a itskg:FoundationMembership ;
    dct:type <https://w3id.org/itskg/vocab/data-kind/synthetic> ;
    itskg:foundationMember <https://w3id.org/itskg/id/company/synth-1> ;
    org:organization <https://w3id.org/itskg/id/its/pugagri> ;
    org:role <https://w3id.org/itskg/vocab/member-role/participant> ;
    itskg:partnerType <https://w3id.org/itskg/vocab/partner-type/company> ;
    itskg:startDate "2024-01-01"^^xsd:date .
"""

_P = """PREFIX itskg: <https://w3id.org/itskg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX esco: <http://data.europa.eu/esco/model#>
"""
_CS = "http://data.europa.eu/esco/concept-scheme/"
# Used only while ontology/rules/ ships no rules (the ontology engineer writes them).
FALLBACK_RULES = [
    _P + "CONSTRUCT { ?x itskg:memberOfFoundation ?its } WHERE { "
    "?m a itskg:FoundationMembership ; itskg:foundationMember ?x ; org:organization ?its }",
    _P + "CONSTRUCT { ?c itskg:collaboratesWith ?p } WHERE { "
    "?k itskg:collaboratingCompany ?c ; itskg:collaboratingProvider ?p }",
    _P + "CONSTRUCT { ?x itskg:participatesInProject ?p } WHERE { "
    "?m itskg:projectParticipant ?x ; org:organization ?p }",
    _P + f"CONSTRUCT {{ ?s a itskg:DigitalSkill }} WHERE {{ ?s a esco:Skill ; "
    f"skos:inScheme <{_CS}6c930acd-c104-4ece-acf7-f44fd7333036> }}",
    _P + f"CONSTRUCT {{ ?s a itskg:GreenSkill }} WHERE {{ ?s a esco:Skill ; "
    f"skos:inScheme <{_CS}green> }}",
    _P + f"CONSTRUCT {{ ?s a itskg:TransversalSkill }} WHERE {{ ?s a esco:Skill . {{ "
    f"?s skos:inScheme <{_CS}skill-transversal-groups> }} UNION {{ ?s esco:skillReuseLevel "
    "<http://data.europa.eu/esco/skill-reuse-level/transversal> } }",
]


def fixture_layers() -> list[Layer]:
    """The catalogue fixture (real) and a small synthetic layer."""
    return [
        Layer("fixture", "Catalogue test fixture", FIXTURE, format="ttl", kind="real",
              derived_from=("hand-written test data",)),
        Layer("synthetic-fixture", "Synthetic test layer", SYNTHETIC_TTL, format="ttl",
              kind="synthetic", derived_from=("tests/queries/conftest.py",)),
    ]


def build_fixture_store(path: Path) -> KnowledgeStore:
    """The catalogue fixture (real) plus a synthetic layer, materialised, in ``path``."""
    st = KnowledgeStore.open(path, read_only=False)
    st.replace_layers(fixture_layers(), fresh=True, rules=load_rules() or FALLBACK_RULES)
    return st


@pytest.fixture(scope="session")
def catalog_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeStore]:
    """A read-only handle on the fixture store (shared by the whole session; do not write)."""
    path = tmp_path_factory.mktemp("catalog") / "store"
    build_fixture_store(path).close()
    st = KnowledgeStore.open(path, read_only=True)
    yield st
    st.close()


@pytest.fixture(scope="session", params=BACKENDS)
def backend_store(request: pytest.FixtureRequest, catalog_store: KnowledgeStore,
                  start_engine: Callable[[str], Engine]) -> Iterator[Any]:
    """The fixture graph on each backend: the local store, then each remote engine (loaded
    once per session through itskg's own import path, ``RemoteStore.replace_layers``)."""
    if request.param == "local":
        yield catalog_store
        return
    from itskg.graph.backends import open_store
    from itskg.graph.config import Settings

    eng = start_engine(request.param)
    settings = Settings(**eng.settings())
    with open_store(settings, read_only=False) as st:
        st.replace_layers(fixture_layers(), fresh=True, rules=load_rules() or FALLBACK_RULES)
        yield st


@pytest.fixture(scope="session")
def store_with_ontology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeStore]:
    """The fixture layers plus the shipped OWL modules, so TBox-driven rules (sub-classes,
    sub-properties, inverses) fire as in a real build."""
    onto = b"".join(turtle_to_ntriples(f.read_bytes()) for f in ontology_files())
    st = KnowledgeStore.open(tmp_path_factory.mktemp("onto") / "store", read_only=False)
    st.replace_layers([
        Layer("ontology", "Ontology", onto, format="nt", kind="ontology"),
        Layer("fixture", "Fixture", FIXTURE, format="ttl"),
        Layer("synthetic", "Synthetic", SYNTHETIC_TTL, format="ttl", kind="synthetic"),
    ], fresh=True)
    yield st
    st.close()


# ------------------------------------------------------------ exact row comparison


def concat_columns(q: NamedQuery) -> dict[str, str]:
    """GROUP_CONCAT result columns of a query and their separators (order is not defined)."""
    out = {}
    pattern = r'GROUP_CONCAT\((?:[^()]|\([^()]*\))*?separator="([^"]*)"\)\s*AS\s*\?(\w+)'
    for m in re.finditer(pattern, q.text):
        out[m.group(2)] = m.group(1)
    # a concatenation passed on when not empty: BIND(IF(?all = "", ?none, ?all) AS ?col)
    for m in re.finditer(r'BIND\(IF\(\?(\w+) = "", \?none, \?\1\) AS \?(\w+)\)', q.text):
        if m.group(1) in out:
            out[m.group(2)] = out[m.group(1)]
    return out


def norm(t: Term | None, sep: str | None) -> Any:
    if t is None:
        return None
    if t.kind != "literal":
        return t.value
    if t.datatype == XSD + "dateTime":
        return "<datetime>"  # load times change on every build
    if t.datatype in (XSD + "decimal", XSD + "double", XSD + "float"):
        return str(round(Decimal(t.value), 6).normalize())
    if sep is not None and t.value:
        return sep.join(sorted(t.value.split(sep)))
    return t.value


def normal_rows(q: NamedQuery, result: QueryResult) -> list[dict[str, Any]]:
    """Rows as plain dicts, sorted, with concatenations sorted and volatile values masked."""
    seps = concat_columns(q)
    rows = [{k: norm(v, seps.get(k)) for k, v in r.items()} for r in result.rows()]
    return sorted(rows, key=lambda r: [str(r[k]) for k in sorted(r)])


@pytest.fixture(scope="session")
def expected_rows() -> dict[str, Any]:
    """tests/queries/expected_rows.yaml: per query, 'example' rows and (no parameters) 'all'."""
    return yaml.safe_load(EXPECTED.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def normalize() -> Callable[[NamedQuery, QueryResult], list[dict[str, Any]]]:
    return normal_rows


@pytest.fixture(scope="session")
def fixture_graph() -> tuple[list[Layer], list[str]]:
    """The fixture layers and the rules to import them with (into any backend)."""
    return fixture_layers(), load_rules() or FALLBACK_RULES


@pytest.fixture(scope="session")
def concat_separators() -> Callable[[NamedQuery], dict[str, str]]:
    """``concat_columns``: a query's GROUP_CONCAT columns and their separators."""
    return concat_columns
