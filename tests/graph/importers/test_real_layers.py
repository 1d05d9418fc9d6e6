"""The real layers of the default build: S3 priority domains and the foundation members named
in the press (../shared/data), imported with the ``s3`` and ``foundation-members`` kinds."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from itskg.graph.build import reference_layers
from itskg.graph.errors import DataError
from itskg.graph.importers.pipeline import import_table
from itskg.graph.importers.press_members import member_type_code, role_code
from itskg.graph.importers.s3 import is_cross_cutting
from itskg.graph.namespaces import sparql_prefixes
from itskg.graph.store import KnowledgeStore
from tests.conftest import shared_data

ID = "https://w3id.org/itskg/id/"
NUTS = "http://data.europa.eu/nuts/code/"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("real") / "store"
    with KnowledgeStore.open(root, read_only=False) as st:
        st.replace_layers(reference_layers(), fresh=True)
    return root


@pytest.fixture
def store(base: Path, tmp_path: Path) -> Iterator[KnowledgeStore]:
    dst = tmp_path / "store"
    shutil.copytree(base, dst)
    with KnowledgeStore.open(dst, read_only=False) as st:
        yield st


def q(st: KnowledgeStore, body: str) -> list[tuple]:
    return list(st.query(sparql_prefixes() + body).tuples())


def test_s3_layer_and_crosswalk(store: KnowledgeStore) -> None:
    res = import_table(store, "s3", shared_data() / "s3" / "s3_priority_domains_it.csv",
                       source="s3")
    assert res.rows == 51 and not res.warnings
    per_region = dict(q(store, """SELECT ?r (COUNT(?p) AS ?n) WHERE {
        ?p a itskg:SmartSpecialisationPriority ; itskg:s3Region ?r } GROUP BY ?r"""))
    assert {k.rsplit("/", 1)[1]: int(v) for k, v in per_region.items()} == {
        "ITC1": 10, "ITC4": 8, "ITH3": 8, "ITH4": 5, "ITH5": 20}
    # the strategy is a SKOS scheme with the adopting act; the region points at its domains
    act = q(store, f"SELECT ?a WHERE {{ <{ID}s3/ITC1> itskg:adoptingAct ?a }}")
    assert act == [("DGR n. 43-4315 del 10/12/2021",)]
    assert store.ask(sparql_prefixes() + f"ASK {{ <{NUTS}ITH5> itskg:hasS3Priority "
                     f"<{ID}s3/ITH5/ER-S3> }}")
    # the curated crosswalk (shipped) reaches every domain of the file: linked or explained
    unexplained = q(store, """SELECT ?p WHERE { ?p a itskg:SmartSpecialisationPriority
        FILTER NOT EXISTS { ?m itskg:mappingSubject ?p ; itskg:rationale ?why } }""")
    assert unexplained == []
    layer = store.layer("s3-crosswalk")
    assert layer is not None and layer.kind == "curated"


def test_s3_bad_rows_are_located(store: KnowledgeStore, tmp_path: Path) -> None:
    bad = tmp_path / "s3.csv"
    bad.write_text("region,nuts2,period,domain_type,domain_code,domain_name_it,source\n"
                   "Puglia,ITF4,2021/27,Area,PUG-1,Agrifood,https://example.org\n"
                   "Puglia,ITH5,2021-2027,Area,PUG-2,Aerospazio,https://example.org\n"
                   "Puglia,ITF4,2021-2027,,PUG-3,Salute,https://example.org\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        import_table(store, "s3", bad)
    problems = {(p.row, p.column) for p in exc.value.problems if p.severity == "error"}
    assert (2, "period") in problems and (3, "region") in problems
    assert (4, "domain_type") in problems


def test_press_members_match_report_and_network(store: KnowledgeStore) -> None:
    res = import_table(store, "foundation-members",
                       shared_data() / "members" / "its_foundation_members_press.csv",
                       source="foundation-members")
    report = "\n".join(res.report)
    assert "exact 17 row(s), probable 22 row(s), unmatched 0 row(s)" in report
    assert "marked unconfirmed (?)" in report and "short name 'MITS'" in report
    members = q(store, """SELECT (COUNT(DISTINCT ?o) AS ?n) (COUNT(?m) AS ?k) WHERE {
        ?m a itskg:FoundationMembership ; itskg:foundationMember ?o }""")
    assert [(int(a), int(b)) for a, b in members] == [(37, 39)]
    kinds = dict(q(store, """SELECT ?t (COUNT(?m) AS ?n) WHERE {
        ?m itskg:partnerType ?t } GROUP BY ?t"""))
    kinds = {k.rsplit("/", 1)[1]: int(v) for k, v in kinds.items()}
    assert kinds["trade-association"] == 11 and kinds["professional-body"] == 1
    # roles as the source words them; coded only where stated
    roles = dict(q(store, f"""SELECT ?w ?r WHERE {{ ?m itskg:sourceRole ?w ; org:role ?r ;
        itskg:foundationMember <{ID}org/confindustria-fermo> }}"""))
    assert roles == {'partner association (source: "associazioni partner")':
                     "https://w3id.org/itskg/vocab/member-role/unspecified"}
    from itskg.graph.analysis.extract import Filters, build_graph

    G = build_graph(store, "academy-company", Filters())
    members_in_graph = {n for n, d in G.nodes(data=True) if d["kind"] != "academy"}
    assert len(members_in_graph) == 37  # every member, of every kind, is in the network
    assert {d["kind"] for n, d in G.nodes(data=True) if n in members_in_graph} >= {
        "trade-association", "company", "public-authority", "professional-body", "school"}


def test_role_and_type_words() -> None:
    assert role_code("socio fondatore (added later)") == ("founder", True)
    assert role_code("involved in the founding project (membership not confirmed)") == (
        "unspecified", False)
    assert role_code("member (role not stated)") == ("unspecified", True)
    assert member_type_code("associazione di categoria") == "trade-association"
    assert member_type_code("ordine/collegio professionale") == "professional-body"
    assert member_type_code("ente/società di formazione") == "training-body"
    assert member_type_code("ente regionale") == "local-authority"
    assert member_type_code("qualcosa") is None
    assert is_cross_cutting("Componente Trasversale dell'innovazione (CTI)")
    assert not is_cross_cutting("Sistema produttivo di specializzazione")


def test_cq39_provinces_without_an_its_seat(store: KnowledgeStore, tmp_path: Path) -> None:
    from itskg.graph.sparql.catalogue import run_query

    f = tmp_path / "companies.csv"
    f.write_text("id,name,ateco,province\n"
                 "01234567897,Officine Esempio S.r.l.,28.41,BT\n"  # Barletta-Andria-Trani
                 "02847130370,Dati & Software SpA,62.10,BO\n"  # Bologna: ITS Maker's seat
                 "09876543217,Clinica Esempio,86.10,BT\n", encoding="utf-8")  # health: R
    import_table(store, "companies", f)
    rows = [{k: v.value for k, v in r.items()}
            for r in run_query(store, "provinces_without_its_seat", {"region": "ITF4"}).rows()]
    assert [(r["province"].rsplit("/", 1)[1], r["companies"]) for r in rows] == [("ITF48", "1")]
    everywhere = {r["province"].value.rsplit("/", 1)[1]
                  for r in run_query(store, "provinces_without_its_seat", {}).rows()}
    assert everywhere == {"ITF48"}  # Bologna has a seat; health (R) is not an ITS sector
