"""The public API of itskg.graph is deliberate: this list changes only on purpose."""

import itskg.graph


def test_public_names_are_pinned() -> None:
    assert itskg.graph.__all__ == sorted(itskg.graph.__all__)
    assert set(itskg.graph.__all__) == {
        "AnalysisError", "BuildReport", "ConfigError", "DataError", "ExecResult", "ItskgError",
        "ItskgWarning", "KnowledgeStore", "Layer", "LayerRecord", "OntologyError", "Problem",
        "QueryError", "QueryExecutor", "QueryParameterError", "QueryRefusedError", "QueryResult",
        "QuerySyntaxError", "QueryTimeoutError", "Settings", "StoreError", "StoreLockedError",
        "Term", "UnknownQueryError", "ValidationError", "build", "iri",
    }
    for name in itskg.graph.__all__:
        assert getattr(itskg.graph, name) is not None


def test_graph_layer_never_imports_web_or_cli_frameworks() -> None:
    import subprocess
    import sys

    code = ("import sys, itskg.graph, itskg.graph.sparql.catalogue\n"
            "import itskg.graph.importers.pipeline\n"
            "bad = [m for m in ('fastapi', 'starlette', 'uvicorn', 'typer', 'click', 'rich')"
            " if m in sys.modules]\nprint(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
