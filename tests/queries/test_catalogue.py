"""The named query catalogue: loading, parameters, exact rows on the fixture, injection, docs."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from itskg.graph.errors import DataError, QueryParameterError, UnknownQueryError
from itskg.graph.namespaces import PREFIXES
from itskg.graph.sparql import catalogue as catalog
from itskg.graph.sparql.catalogue import (
    bind_params,
    get_query,
    inline_bindings,
    load_catalog,
    parse_query_text,
    run_query,
)
from itskg.graph.store import KnowledgeStore

CATALOG = load_catalog()
NAMES = sorted(CATALOG)
Normalize = Callable[..., list[dict[str, Any]]]
QUERIES_DIR = Path(__file__).resolve().parents[2] / "queries"


def test_catalogue_has_at_least_30_queries_each_answering_something() -> None:
    assert len(CATALOG) >= 30
    for q in CATALOG.values():
        assert q.title["it"] and q.title["en"] and q.description["en"]
        assert q.kind in {"select", "ask", "construct"}
        assert q.cq or q.tags, q.name


def test_competency_questions_covered() -> None:
    covered = {c for q in CATALOG.values() for c in q.cq}
    for cq in ("CQ01", "CQ02", "CQ03", "CQ06", "CQ07", "CQ08", "CQ09", "CQ10", "CQ11", "CQ12",
               "CQ14", "CQ18", "CQ19", "CQ20", "CQ23", "CQ24", "CQ26", "CQ27", "CQ28", "CQ29",
               "CQ31", "CQ34", "CQ37", "CQ40"):
        assert cq in covered, cq


@pytest.mark.parametrize("name", NAMES)
def test_prefixes_match_namespaces(name: str) -> None:
    for pfx, ns in re.findall(r"(?m)^PREFIX\s+([\w-]*):\s*<([^>]*)>", CATALOG[name].text):
        assert PREFIXES.get(pfx) == ns, f"{name}: PREFIX {pfx}: <{ns}> is not in namespaces.py"


def test_readme_is_in_sync() -> None:
    readme = (QUERIES_DIR / "README.md").read_text(encoding="utf-8")
    assert readme == catalog.catalogue_markdown(), (
        "queries/README.md is stale: regenerate it with "
        "python -c 'from itskg.graph.sparql.catalogue import catalogue_markdown as m; "
        "print(m(), end=\"\")'"
        " > queries/README.md"
    )


@pytest.mark.parametrize("name", NAMES)
def test_example_rows(
    name: str, backend_store: KnowledgeStore,
    normalize: Normalize, expected_rows: dict[str, Any]
) -> None:
    """Every backend (local store, Oxigraph server, Virtuoso) gives the expected rows."""
    q = CATALOG[name]
    got = normalize(q, run_query(backend_store, name, q.example, lang="it"))
    assert got == expected_rows[name]["example"]


UNBOUND = [n for n in NAMES if not any(p.required for p in CATALOG[n].params)]

# Every answer is the same on every backend (no per-engine exceptions). The two ways Virtuoso
# 7.2 used to differ are handled where they arise: booleans, which it writes as 1/0, are read in
# their canonical form by RemoteStore (canonical_booleans; the queries cast with xsd:boolean so
# Virtuoso types them), and GROUP_CONCAT over nothing, "" there and unbound on Oxigraph, is
# passed on only when not empty by the queries themselves (data_layers, resource_provenance).


@pytest.mark.parametrize("name", UNBOUND)
def test_unbound_params_mean_all(
    name: str, backend_store: KnowledgeStore,
    normalize: Normalize, expected_rows: dict[str, Any]
) -> None:
    q = CATALOG[name]
    got = normalize(q, run_query(backend_store, name, {}, lang="en"))
    assert got == expected_rows[name]["all"]


@pytest.mark.parametrize("name", NAMES)
def test_values_inlining_gives_the_same_rows(
    name: str, catalog_store: KnowledgeStore, normalize: Normalize
) -> None:
    """Remote endpoints and the worker pool bind by an inlined VALUES block: same answers."""
    q = CATALOG[name]
    raw = dict(q.example)
    if q.uses_lang:
        raw["lang"] = "en"
    bindings = bind_params(q, raw, store=catalog_store)
    direct = normalize(q, catalog_store.query(q.text, bindings=bindings))
    inlined = normalize(q, catalog_store.query(inline_bindings(q.text, bindings)))
    assert inlined == direct


def test_labels_fall_back_to_the_other_language(catalog_store: KnowledgeStore) -> None:
    rows = {r["academy"].value: r for r in
            run_query(catalog_store, "academies_by_region", {}, lang="en").rows()}
    maker = rows["https://w3id.org/itskg/id/its/maker"]
    assert maker["regionLabel"].value == "Emilia-Romagna"  # only @it exists
    lomb = rows["https://w3id.org/itskg/id/its/lombict"]
    assert (lomb["academyLabel"].value, lomb["regionLabel"].value) == (
        "ITS Lombardy ICT Foundation", "Lombardy")
    it_rows = {r["academy"].value: r for r in
               run_query(catalog_store, "academies_by_region", {}, lang="it").rows()}
    assert it_rows["https://w3id.org/itskg/id/its/lombict"]["regionLabel"].value == "Lombardia"


# ------------------------------------------------------------------ parameters
def test_code_parameter_is_resolved_and_checked_in_store(catalog_store: KnowledgeStore) -> None:
    q = get_query("academies_by_region")
    b = bind_params(q, {"region": "ITH5"}, store=catalog_store)
    assert str(b["region"]) == "http://data.europa.eu/nuts/code/ITH5"
    b = bind_params(q, {"region": "http://data.europa.eu/nuts/code/ITC4"}, store=catalog_store)
    assert str(b["region"]).endswith("/ITC4")
    with pytest.raises(QueryParameterError, match="'region'.*no such concept"):
        bind_params(q, {"region": "ITZ9"}, store=catalog_store)
    with pytest.raises(QueryParameterError, match="not an IRI of the nuts vocabulary"):
        bind_params(q, {"region": "https://example.org/ITH5"})
    assert bind_params(q, {"region": ""}) == {"lang": "it"}  # empty = not given


def test_area_code_picks_its_scheme() -> None:
    q = get_query("academies_by_area")
    assert str(bind_params(q, {"area": "D6"})["area"]).endswith("/vocab/area-2023/D6")
    assert str(bind_params(q, {"area": "A4.3"})["area"]).endswith("/vocab/area-2008/A4.3")


def test_typed_parameters() -> None:
    q = get_query("companies_in_several_regions")
    assert bind_params(q, {})["min_regions"] == 2  # default
    assert bind_params(q, {"min_regions": "3"})["min_regions"] == 3
    with pytest.raises(QueryParameterError, match="'min_regions'.*not an integer.*an integer"):
        bind_params(q, {"min_regions": "two"})
    y = get_query("employment_rate_by_area_region")
    with pytest.raises(QueryParameterError, match="needs parameter 'year'.*Example: year=2023"):
        bind_params(y, {})
    with pytest.raises(QueryParameterError, match="not a year"):
        bind_params(y, {"year": "23"})
    g = get_query("skill_gaps_by_region")
    with pytest.raises(QueryParameterError, match="not an allowed value.*digital, green"):
        bind_params(g, {"region": "ITH5", "skill_class": "soft"})
    with pytest.raises(QueryParameterError, match="has no parameter 'regione'"):
        bind_params(g, {"regione": "ITH5"})


def test_unknown_query_suggests_a_name() -> None:
    with pytest.raises(UnknownQueryError, match="Did you mean academies_by_region"):
        get_query("academy_by_region")


def test_limit_caps_rows(catalog_store: KnowledgeStore) -> None:
    assert len(list(run_query(catalog_store, "members_by_academy", {}, limit=3).rows())) == 3
    res = run_query(catalog_store, "search_by_label", {"text": "a"}, limit=2)
    assert len(list(res.rows())) == 2


PAYLOADS = [
    'x" } ; DROP ALL ; #',
    "') UNION { ?s ?p ?o } #",
    "<http://evil>",
    "http://evil> } UNION { ?s ?p ?o } #",
    "ITH5> } ; CLEAR ALL",
    "\\u0022 } #",
    "x'\n}\nSELECT * WHERE { ?s ?p ?o }",
]


@pytest.mark.parametrize("name", NAMES)
def test_injection_payloads_change_nothing(
    name: str, catalog_store: KnowledgeStore, normalize: Normalize
) -> None:
    q = CATALOG[name]
    targets = [p for p in q.params if p.type in {"string", "code", "iri"} and p.name != "lang"]
    for p in targets:
        base = dict(q.example)
        for payload in PAYLOADS:
            try:
                rows = normalize(q, run_query(catalog_store, name, {**base, p.name: payload}))
            except QueryParameterError:
                continue  # rejected cleanly
            benign = normalize(q, run_query(catalog_store, name, {**base, p.name: "zzqx"}))
            assert rows == benign, (name, p.name, payload)


# ------------------------------------------------------------------ header parsing
GOOD = """#+ name: demo
#+ title: {it: Demo, en: Demo}
#+ description: {it: Prova, en: Test}
#+ params:
#+   - {name: region, type: code, vocabulary: nuts}
SELECT ?x ?region WHERE { ?x <http://ex/p> ?region }
"""


def test_parse_good_header() -> None:
    q = parse_query_text("demo", GOOD)
    assert q.kind == "select" and q.params[0].vocabulary == "nuts" and not q.uses_lang


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace("#+ title: {it: Demo, en: Demo}", "#+ title: {it: [Demo"), "not valid YAML"),
        (GOOD.replace("#+ name: demo", "#+ name: demo\n#+ summary: x"), "unknown header key"),
        (GOOD.replace("name: demo", "name: other"), "differs from the file name"),
        (GOOD.replace("SELECT ?x ?region WHERE", "SELECT ?x WHERE"), "SELECT projection"),
        (GOOD.replace("SELECT ?x ?region WHERE { ?x <http://ex/p> ?region }",
                      "DELETE WHERE { ?x ?p ?o }"), "read-only"),
        (GOOD.replace("vocabulary: nuts", "vocabulary: planets"), "unknown vocabulary"),
        (GOOD.replace("type: code", "type: colour"), "is not one of"),
        (GOOD.replace("{name: region,", "{name: region, colour: red,"), "unknown key"),
        (GOOD.replace("#+ title: {it: Demo, en: Demo}", "#+ title: Demo"), "'title'"),
        ("SELECT * WHERE { ?s ?p ?o }", "no '#\\+' header"),
    ],
)
def test_parse_errors(text: str, message: str) -> None:
    with pytest.raises(DataError, match=message):
        parse_query_text("demo", text)


# ------------------------------------------------------------------ output
def test_format_rows(catalog_store: KnowledgeStore) -> None:
    params = {"region": "ITC4"}
    rows = json.loads(catalog.format_rows(
        run_query(catalog_store, "academies_by_region", params), "rows"))
    assert rows[0]["academy"] == "https://w3id.org/itskg/id/its/lombict"
    assert rows[0]["lang"] == "it"
    sparql = json.loads(catalog.format_rows(
        run_query(catalog_store, "academies_by_region", params), "json"))
    assert sparql["head"]["vars"][0] == "academy"
    csv = catalog.format_rows(run_query(catalog_store, "academies_by_region", params), "csv")
    assert csv.startswith(b"academy,academyLabel") and b"Lombardia" in csv
    cols, table = catalog.table_rows(run_query(catalog_store, "academies_by_region", params))
    assert cols[0] == "academy" and table[0][1] == "Fondazione ITS Lombardia ICT"
    num = json.loads(catalog.format_rows(
        run_query(catalog_store, "companies_in_several_regions", {}), "rows"))
    assert num[0]["regions"] == 3 and isinstance(num[0]["regions"], int)


def test_every_query_runs_with_the_shipped_ontology(store_with_ontology: KnowledgeStore) -> None:
    for name, q in CATALOG.items():
        list(run_query(store_with_ontology, name, q.example).rows())
    rows = list(run_query(store_with_ontology, "search_by_label", {"text": "maker"}).rows())
    assert [r["class"].value for r in rows] == ["https://w3id.org/itskg/ontology#ITSAcademy"]
    typed = run_query(store_with_ontology, "search_by_label",
                      {"text": "maker", "type": "Organisation"})
    assert len(list(typed.rows())) == 1  # inferred super-classes still filter
