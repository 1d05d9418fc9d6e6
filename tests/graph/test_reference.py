"""The reference layer: ATECO from the package, and the generated NUTS/academy/network files."""

from __future__ import annotations

import collections
import csv
import importlib.util
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

from itskg.graph.errors import DataError
from itskg.graph.namespaces import sparql_prefixes
from itskg.graph.reference.ateco import ateco_layer, concept_iri
from itskg.graph.store import KnowledgeStore, Layer
from tests.conftest import shared_data

REPO = Path(__file__).resolve().parents[2]
FILES = {
    "nuts": REPO / "ontology" / "vocab" / "nuts.ttl",
    "academies": REPO / "ontology" / "data" / "academies.ttl",
    "networks": REPO / "ontology" / "data" / "networks.ttl",
}
PFX = sparql_prefixes()
NUTS = "http://data.europa.eu/nuts/code/"


def _tool() -> ModuleType:
    name = "make_reference_data"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPO / "tools" / f"{name}.py")
        assert spec and spec.loader
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    return sys.modules[name]


def _csv(name: str) -> list[dict[str, str]]:
    with (shared_data() / "reference" / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeStore:
    """A real on-disk store with the ATECO layer and the three generated files as layers."""
    layers = [ateco_layer()]
    for source, path in FILES.items():
        layers.append(Layer(source, source, path.read_bytes(), format="ttl", file=str(path)))
    st = KnowledgeStore.open(tmp_path_factory.mktemp("ref") / "store", read_only=False)
    st.replace_layers(layers, fresh=True, rules=[])
    yield st
    st.close()


def _one(st: KnowledgeStore, q: str) -> object:
    row = next(st.query(PFX + q).tuples())
    return row[0]


# ---------------------------------------------------------------- ATECO
def test_ateco_layer_is_fast_and_described() -> None:
    t0 = time.perf_counter()
    layer = ateco_layer()
    assert time.perf_counter() - t0 < 3.0
    assert layer.source == "ateco" and layer.format == "nt"
    assert layer.license == "https://creativecommons.org/licenses/by/4.0/"
    assert any("istat.it" in u for u in layer.derived_from)


@pytest.mark.parametrize("edition", ["2025", "2007"])
def test_ateco_concepts_match_package(store: KnowledgeStore, edition: str) -> None:
    from ateco import _load

    nodes = _load.load_nodes(edition)
    n = _one(store, f"SELECT (COUNT(DISTINCT ?c) AS ?n) {{ ?c a skos:Concept ; "
                    f"skos:inScheme voc:ateco{edition} }}")
    assert n == len(nodes)
    rows = store.query(PFX + f"""SELECT ?d (COUNT(?c) AS ?n) {{
        ?lv skos:inScheme voc:ateco{edition} ; xkos:depth ?d ; skos:member ?c }}
        GROUP BY ?d ORDER BY ?d""").tuples()
    depth = {"section": 1, "division": 2, "group": 3, "class": 4, "category": 5,
             "subcategory": 6}
    expected = collections.Counter(depth[v["level"]] for v in nodes.values())
    assert dict(rows) == dict(expected)


def test_ateco_broader_chain_levels_and_nace(store: KnowledgeStore) -> None:
    chain = ["62.10.00", "62.10.0", "62.10", "62.1", "62", "K"]
    for child, parent in zip(chain, chain[1:], strict=False):
        assert store.ask(f"ASK {{ <{concept_iri('2025', child)}> "
                         f"<http://www.w3.org/2004/02/skos/core#broader> "
                         f"<{concept_iri('2025', parent)}> }}"), (child, parent)
    k = concept_iri("2025", "K")
    assert store.ask(PFX + f"ASK {{ <{k}> skos:topConceptOf voc:ateco2025 ; "
                           "skos:notation 'K' }")
    depths = dict(store.query(PFX + """SELECT ?code ?d { ?lv xkos:depth ?d ; skos:member ?c .
        ?c skos:notation ?code ; skos:inScheme voc:ateco2025 .
        VALUES ?code { "K" "62" "62.1" "62.10" "62.10.0" "62.10.00" } }""").tuples())
    assert depths == dict(zip(reversed(chain), range(1, 7), strict=True))
    c6210 = concept_iri("2025", "62.10")
    assert store.ask(f"ASK {{ <{c6210}> <http://www.w3.org/2004/02/skos/core#exactMatch> "
                     "<http://data.europa.eu/ux2/nace2.1/6210> }")
    assert store.ask(f"ASK {{ <{concept_iri('2025', '62.10.00')}> "
                     "<http://www.w3.org/2004/02/skos/core#broadMatch> "
                     "<http://data.europa.eu/ux2/nace2.1/6210> }")
    label = _one(store, f"SELECT ?l {{ <{c6210}> skos:prefLabel ?l }}")
    assert label == "Attività di programmazione informatica"


def test_ateco_2007_links_to_2025(store: KnowledgeStore) -> None:
    assert store.ask(f"ASK {{ <{concept_iri('2007', '01.11')}> "
                     "<http://www.w3.org/2004/02/skos/core#exactMatch> "
                     f"<{concept_iri('2025', '01.11')}> }}")
    # division 62 (2022) is split over 21 divisions of 2025; 2025's 62 comes from it alone
    assert not store.ask(f"ASK {{ <{concept_iri('2007', '62')}> "
                         "<http://www.w3.org/2004/02/skos/core#exactMatch> ?x "
                         "FILTER(STRSTARTS(STR(?x), 'https://w3id.org/itskg/vocab/ateco2025/')) }")
    assert store.ask(f"ASK {{ <{concept_iri('2007', '62')}> "
                     "<http://www.w3.org/2004/02/skos/core#narrowMatch> "
                     f"<{concept_iri('2025', '62')}> }}")
    assert store.ask(f"ASK {{ <{concept_iri('2007', '62')}> "
                     "<http://www.w3.org/2004/02/skos/core#relatedMatch> "
                     f"<{concept_iri('2025', '43')}> }}")
    n = _one(store, "SELECT (COUNT(*) AS ?n) { ?a skos:relatedMatch ?b }")
    assert n > 0


# ---------------------------------------------------------------- generator
def test_generated_files_are_up_to_date() -> None:
    files, problems = _tool().generate(shared_data() / "reference")
    assert problems == []  # every area name of the CSV resolves to a concept
    for rel, text in files.items():
        committed = REPO / rel
        assert committed.read_text(encoding="utf-8") == text, (
            f"{rel} is stale: run .venv/bin/python tools/make_reference_data.py")


def test_generator_reports_unknown_area_and_missing_column(tmp_path: Path) -> None:
    tool = _tool()
    src = shared_data() / "reference"
    for name in ("its_technological_areas.csv", "nuts_it.csv", "nuts2_eu.csv"):
        (tmp_path / name).write_bytes((src / name).read_bytes())
    rows = _csv("its_academies.csv")
    rows[5]["technological_area"] = "Area inventata"
    with (tmp_path / "its_academies.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    files, problems = tool.generate(tmp_path)
    assert [(p.row, p.column) for p in problems] == [(7, "technological_area")]
    assert "Area inventata" not in files[Path("ontology/data/academies.ttl")]
    (tmp_path / "nuts2_eu.csv").write_text("country_code,nuts_code_2024\nIT,ITC1\n")
    with pytest.raises(DataError, match="missing column"):
        tool.generate(tmp_path)


# ---------------------------------------------------------------- academies
def test_every_academy_row_is_present(store: KnowledgeStore) -> None:
    rows = _csv("its_academies.csv")
    n = _one(store, "SELECT (COUNT(DISTINCT ?a) AS ?n) { ?a a itskg:ITSAcademy }")
    assert n == len(rows) == 136
    names = {r[0] for r in store.query(PFX + """SELECT ?n { ?a a itskg:ITSAcademy ;
        skos:prefLabel ?n }""").tuples()}
    assert names == {r["name"] for r in rows}


def test_academies_per_region_match_csv(store: KnowledgeStore) -> None:
    expected = collections.Counter(r["nuts2"] for r in _csv("its_academies.csv") if r["nuts2"])
    got = dict(store.query(PFX + """SELECT ?code (COUNT(?a) AS ?n) {
        ?a a itskg:ITSAcademy ; itskg:seatRegion ?r .
        ?r skos:notation ?code ; nuts:level 2 } GROUP BY ?code""").tuples())
    assert got == dict(expected)
    assert got["ITH5"] == 7 and got["ITC4"] == 23


def test_gap_rows_keep_what_is_known(store: KnowledgeStore) -> None:
    base = "https://w3id.org/itskg/id/its/"
    # no region, no city: name, IPA code and website only
    assert store.ask(PFX + f"""ASK {{ <{base}6WECXT3I> a itskg:ITSAcademy ;
        itskg:ipaCode "6WECXT3I" ; foaf:homepage <https://itsacademysi.it/> ; dct:source ?s .
        FILTER NOT EXISTS {{ <{base}6WECXT3I> itskg:seatRegion ?r }} }}""")
    # Cremona: province known, comune not
    assert store.ask(PFX + f"""ASK {{ <{base}E6V9V2VH> itskg:locatedInRegion nutscode:ITC4A ;
        itskg:seatRegion nutscode:ITC4 .
        FILTER NOT EXISTS {{ <{base}E6V9V2VH> itskg:seatMunicipality ?c }} }}""")
    # no IPA code: slug IRI, web-page source, area resolved
    slug = base + "its-academy-sistema-meccanica-santa-maria-imbaro"
    assert store.ask(PFX + f"""ASK {{ <{slug}> itskg:seatMunicipality "Santa Maria Imbaro" ;
        itskg:municipalityCode "069084" ; itskg:locatedInRegion nutscode:ITF14 ;
        itskg:technologicalArea <https://w3id.org/itskg/vocab/area-2008/A4.3>,
                                <https://w3id.org/itskg/vocab/area-2023/D6> }}""")
    n_no_ipa = _one(store, """SELECT (COUNT(?a) AS ?n) { ?a a itskg:ITSAcademy
        FILTER NOT EXISTS { ?a itskg:ipaCode ?c } }""")
    assert n_no_ipa == sum(1 for r in _csv("its_academies.csv") if not r["ipa_code"])


# ---------------------------------------------------------------- NUTS and countries
def test_nuts_counts(store: KnowledgeStore) -> None:
    levels = dict(store.query(PFX + """SELECT ?l (COUNT(?c) AS ?n) { ?c nuts:level ?l ;
        skos:inScheme <http://data.europa.eu/nuts/scheme/2024> FILTER(STRSTARTS(?code, "IT"))
        ?c skos:notation ?code } GROUP BY ?l""").tuples())
    assert levels == {0: 1, 1: 6, 2: 22, 3: 108}
    assert store.ask(f"ASK {{ <{NUTS}ITZZ> <http://data.europa.eu/nuts/level> 2 }}")
    n2 = _one(store, "SELECT (COUNT(?c) AS ?n) { ?c nuts:level 2 }")
    assert n2 == len(_csv("nuts2_eu.csv"))
    countries = _one(store, """SELECT (COUNT(DISTINCT ?k) AS ?n) { ?c nuts:level 0 ;
        skos:exactMatch ?k . ?k skos:inScheme ?s ; skos:prefLabel ?en, ?it
        FILTER(?s = <http://publications.europa.eu/resource/authority/country>
               && LANG(?en) = "en" && LANG(?it) = "it") }""")
    assert countries == 27
    assert store.ask(f"ASK {{ <{NUTS}EL> <http://www.w3.org/2004/02/skos/core#exactMatch> "
                     "<http://publications.europa.eu/resource/authority/country/GRC> }")
    assert store.ask(PFX + """ASK { nutscode:ITH55 itskg:provinceAbbreviation "BO" ;
        itskg:istatProvinceCode "037" ; skos:broader nutscode:ITH5 .
        nutscode:ITH5 skos:broader nutscode:ITH . nutscode:ITH skos:broader nutscode:IT .
        nutscode:DE11 skos:broader nutscode:DE }""")


# ---------------------------------------------------------------- network
def test_emilia_romagna_network_has_seven_members(store: KnowledgeStore) -> None:
    net = "https://w3id.org/itskg/id/network/scuola-politecnica-its-emilia-romagna"
    members = {r[0] for r in store.query(PFX + f"""SELECT ?a {{ ?m a itskg:NetworkMembership ;
        itskg:networkMember ?a ; org:organization <{net}> . ?a org:memberOf <{net}> ;
        a itskg:ITSAcademy ; itskg:seatRegion nutscode:ITH5 }}""").tuples()}
    assert len(members) == 7
    assert store.ask(PFX + f'ASK {{ <{net}> a itskg:Network ; skos:prefLabel ?l ; dct:source ?s }}')


# ---------------------------------------------------------------- files
@pytest.mark.parametrize("name", sorted(FILES), ids=sorted(FILES))
def test_files_parse_with_rdflib_and_describe_themselves(name: str) -> None:
    import rdflib

    g = rdflib.Graph()
    base = f"https://w3id.org/itskg/graph/{name}"
    g.parse(FILES[name], format="turtle", publicID=base)
    me = rdflib.URIRef(base)
    dct = rdflib.Namespace("http://purl.org/dc/terms/")
    assert {t.language for t in g.objects(me, dct.title)} == {"en", "it"}
    assert g.value(me, dct.license) is not None
    assert g.value(me, dct.source) is not None


def test_store_layers_record_the_files(store: KnowledgeStore) -> None:
    rec = store.layer("academies")
    assert rec is not None and rec.triples > 1500
    per_region = list(store.query(PFX + """SELECT ?region (COUNT(?a) AS ?n) {
        ?a a itskg:ITSAcademy ; itskg:seatRegion ?r . ?r skos:prefLabel ?region }
        GROUP BY ?region ORDER BY DESC(?n) ?region""").tuples())
    assert per_region[0] == ("Lombardia", 23)
    assert sum(n for _, n in per_region) == 133
