"""The public API is deliberate: these lists change only on purpose.

- ``itskg.graph.__all__``: what a library user imports;
- ``KnowledgeGraph``'s methods: the one door of the surfaces into the library;
- exactly which library names the surfaces (itskg.api: routes, pages, CLI) import.
"""

import ast
import subprocess
import sys
from pathlib import Path

import itskg.graph
from itskg.graph.knowledge import KnowledgeGraph

ROOT = Path(__file__).resolve().parents[1]


def test_public_names_are_pinned() -> None:
    assert itskg.graph.__all__ == sorted(itskg.graph.__all__)
    assert set(itskg.graph.__all__) == {
        "AnalysisError", "BuildReport", "ConfigError", "DataError", "ExecResult", "ItskgError",
        "ItskgWarning", "KnowledgeGraph", "KnowledgeStore", "Layer", "LayerRecord",
        "OntologyError", "Problem", "QueryError", "QueryExecutor", "QueryParameterError",
        "QueryRefusedError", "QueryResult", "QuerySyntaxError", "QueryTimeoutError", "Settings",
        "StoreError", "StoreLockedError", "Term", "UnknownQueryError", "ValidationError",
        "build", "iri",
    }
    for name in itskg.graph.__all__:
        assert getattr(itskg.graph, name) is not None


def test_the_facade_api_is_pinned() -> None:
    public = {n for n in vars(KnowledgeGraph) if not n.startswith("_")}
    assert public == {
        # life cycle and state
        "start", "close", "generation", "max_rows", "pids", "serving",
        # SPARQL (sync for the CLI and notebooks, async for the server)
        "sparql", "asparql", "aselect", "adescribe", "query", "submit", "asubmit",
        # named queries
        "catalogue", "named_query", "run_named", "arun_named", "query_result",
        # network analysis
        "network", "anetwork", "network_layer", "projection_graph", "write_back",
        # derived figures (itskg.graph.reports): map indicators, home counts, Linked Data pages
        "read", "aread", "map_indicator", "amap_indicator", "home_counts", "ahome_counts",
        # caching of page data per store generation; answers precomputed on disk per generation
        "acached", "precomputing", "precomputed", "forget_old_answers",
        # take-away: region/academy profiles, Europass qualifications (in a worker)
        "profile", "aprofile", "warm_profiles", "qualifications", "aqualifications",
        "qualification", "aqualification", "check_qualifications", "acheck_qualifications",
        # layers
        "build", "layers", "stats", "replace_layers", "remove_layers", "apply_update",
        "import_table", "import_esco", "import_eu_projects", "synthesise", "validate",
        # moving the graph between stores and engines
        "dump", "load",
        # operations: backup, restore, cleanup of abandoned generations
        "backup", "restore", "cleanup",
    }


def surface_imports() -> dict[str, set[str]]:
    """library module -> names the surfaces (api/) import from it."""
    used: dict[str, set[str]] = {}
    for f in (ROOT / "api").rglob("*.py"):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("itskg.graph"):
                used.setdefault(node.module or "", set()).update(a.name for a in node.names)
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.startswith("itskg.graph"):
                        used.setdefault(a.name, set()).add("*")
    return used


def test_surfaces_use_exactly_these_library_names() -> None:
    """The store and executor are reached only through KnowledgeGraph (import contract too);
    besides it, surfaces use settings, errors, vocabularies and pure catalogue functions."""
    assert surface_imports() == {
        # WORKER_TIME: the worker seconds of a request, for the per-client budget;
        # NOT_RUNNING: the one message of a request that finds no running facade
        "itskg.graph.knowledge": {"KnowledgeGraph", "NOT_RUNNING", "WORKER_TIME"},
        # the one Accept parser and the SPARQL result/graph offers
        "itskg.graph.answers": {"GRAPH_OFFERS", "RESULT_OFFERS", "negotiate"},
        "itskg.graph.config": {"Settings"},
        "itskg.graph.errors": {
            "AnalysisError", "ConfigError", "DataError", "ItskgError", "OntologyError",
            "QueryError", "QueryParameterError", "QueryRefusedError", "QuerySyntaxError",
            "QueryTimeoutError", "StoreError", "StoreLockedError", "UnknownQueryError",
            "BudgetExceededError", "QueryLimitError", "QueryTooLargeError",
            "UnknownValueError", "WorkerCrashedError", "os_error",
            "ElmError", "UnknownProfileError", "UnknownQualificationError"},
        "itskg.graph.namespaces": {
            "BASE", "DATA", "GRAPH", "INFERRED_GRAPH", "NUTS_CODE", "ONTOLOGY",
            "ONTOLOGY_IRI", "PREFIXES", "VOCAB", "is_iri"},
        "itskg.graph.metadata": {"DATASET_IRI"},
        # the catalogue's declarations (listing, forms, the editor's example text)
        "itskg.graph.sparql.catalogue": {
            "NamedQuery", "RESULT_MEDIA", "VOCABULARIES", "bind_params", "get_query",
            "inline_bindings", "load_catalog"},
        # protocol parsing: which form a query has, which formats exist
        "itskg.graph.sparql.scan": {"scan_query", "scan_update"},
        # parser-bomb limits and the fast-lane test, checked before a query is sent
        "itskg.graph.sparql.limits": {"QueryLimits", "check_query_text", "looks_cheap"},
        # OWASP formula neutralisation of the CLI's CSV output
        "itskg.graph.csvsafe": {"safe_row"},
        "itskg.graph.sparql.results": {"GRAPH_FORMATS", "RESULT_FORMATS"},
        # declarations the CLI lists and passes to KnowledgeGraph.network
        "itskg.graph.analysis.extract": {"Filters"},
        "itskg.graph.analysis.metrics": {"METRICS"},
        "itskg.graph.analysis.projections": {"load_projections"},
        "itskg.graph.importers.pipeline": {"template_csv"},
        # profiles (data classes the pages render) and ELM: pure functions on what the facade
        # returned, and parsing of user input
        "itskg.graph.reports": {"Chart", "Profile"},
        # derived figures: declarations (indicator names, page sizes) and readings (fixed
        # queries + a pure function of their rows) that the pages hand to KnowledgeGraph.aread
        "itskg.graph.reports.indicators": {
            "COUNTRY_INDICATORS", "INDICATORS", "LEVELS", "PROVINCE_INDICATORS", "TRENTINO",
            "licence_name"},
        "itskg.graph.reports.describe": {
            "INVERSE_PAGE", "INVERSE_SAMPLE", "LABEL_PROPS", "ONTOLOGY_CONSTRUCT",
            "OUTGOING_LIMIT", "compact",
            "inverse_reading", "labels_reading", "ontology_reading", "page_reading"},
        "itskg.graph.reports.readings": {"Reading", "pick_label", "term_value"},
        "itskg.graph.reports.picklists": {"picklist_reading"},
        # the endpoint's description of itself: its graphs, VoID, the liveness query
        "itskg.graph.reports.service": {"LIVENESS_QUERY", "graphs_reading", "void_construct"},
        "itskg.graph.elm": {"qualification_jsonld"},
        "itskg.graph.elm.lookup": {"academy_iri", "nqf_option", "region_iri"},
    }


def test_graph_layer_never_imports_web_or_cli_frameworks() -> None:
    code = ("import sys, itskg.graph, itskg.graph.sparql.catalogue\n"
            "import itskg.graph.importers.pipeline\n"
            "bad = [m for m in ('fastapi', 'starlette', 'uvicorn', 'typer', 'click', 'rich')"
            " if m in sys.modules]\nprint(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
