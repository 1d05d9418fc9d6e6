"""How many project modules a request walks through, measured by tracing a real one.

The walk of ``GET /api/queries/{name}`` is the itskg modules whose functions run while the
app answers the request (``create_app``, the production path, with a real worker process,
driven by httpx over ASGI): a profile hook (``sys.setprofile`` and ``threading.setprofile``)
records every Python function called, by file. The worker's side is traced in this process
with ``workers=0`` (the same request handler, ``WorkerState.serve``, runs here; calls below
it are the worker's). Counted apart: the app-wide middleware every request crosses whatever
it asks (``api/guard.py``, ``api/fairuse.py``) and the one error renderer
(``api/http_errors.py``, not called on success). Module-level code run at import is not a
call of the request (everything is imported by a first request). The tests pin the walks:
a module joining one fails them.

A CSV import is walked the same way through ``KnowledgeGraph.import_table``.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import httpx
import pytest

from itskg.api.app import create_app
from itskg.graph.config import Settings
from itskg.graph.knowledge import KnowledgeGraph
from tests.queries.conftest import build_fixture_store

ROOT = Path(__file__).resolve().parents[2]
APP_WIDE = {"api/guard.py", "api/fairuse.py", "api/http_errors.py"}
WORKER_ENTRY = "serve"  # WorkerState.serve: what a worker process runs per request


def _project_file(filename: str) -> str | None:
    try:
        rel = Path(filename).resolve().relative_to(ROOT)
    except ValueError:
        return None
    return str(rel) if rel.parts[0] in ("graph", "api") else None


def trace(fn: Callable[[], Any]) -> tuple[set[str], set[str], Any]:
    """Run ``fn`` under a profile hook: (server-side modules, worker-side modules, result)."""
    server: set[str] = set()
    worker: set[str] = set()
    executor = str(Path("graph/sparql/executor.py"))

    def below_serve(frame: FrameType | None) -> bool:
        while frame is not None:
            if frame.f_code.co_name == WORKER_ENTRY and \
                    _project_file(frame.f_code.co_filename) == executor:
                return True
            frame = frame.f_back
        return False

    files: dict[str, str | None] = {}  # co_filename -> project module (resolved once)

    def hook(frame: FrameType, event: str, _arg: Any) -> None:
        if event != "call":
            return
        name = frame.f_code.co_filename
        rel = files.get(name, "?")
        if rel == "?":
            rel = files[name] = _project_file(name)
        if rel is None or frame.f_code.co_name == "<module>":
            return
        (worker if below_serve(frame) else server).add(rel)

    threading.setprofile(hook)
    sys.setprofile(hook)
    try:
        result = fn()
    finally:
        sys.setprofile(None)
        threading.setprofile(None)  # type: ignore[arg-type]
    return server, worker, result


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("walk") / "store"
    build_fixture_store(path).close()
    return path


@pytest.fixture(scope="module")
def app(store: Path) -> Iterator[Any]:
    """The production app with the lifespan's KnowledgeGraph (one worker process)."""
    application = create_app(Settings(store=store, lookup_workers=0))
    application.state.kg = KnowledgeGraph(application.state.settings, workers=1).start()
    yield application
    application.state.kg.close()


def _get(app: Any, url: str) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            return await c.get(url)
    return asyncio.run(go())


#: the server process's walk of a named query: issue 9's four modules. The route (it reads the
#: app's facade from ``request.app.state`` and negotiates the format with the library's one
#: Accept parser), the facade (its per-generation answer cache, keyed by the generation the
#: executor's ``CurrentGeneration`` reads: one stat of CURRENT), the executor it hands the
#: request to, and the answers module (the disk tier of the answer cache, the Accept parser,
#: ExecResult). History: 10 modules before issue 9's last step (the parent also resolved the
#: query, validated and bound the parameters and scanned the text: catalogue, scan,
#: queryformat, terms, as the worker does now); 7 after it (api/deps.py for the facade,
#: api/formats.py for Accept, graph/store.py for the generation, graph/precompute.py for the
#: disk tier).
SERVER_WALK = {"api/routes/named_queries.py", "graph/knowledge.py", "graph/sparql/executor.py",
               "graph/answers.py"}
#: the worker's walk: the request handler (executor), the catalogue that checks and binds the
#: parameters (with queryformat's VALUES inlining for ``binding: values`` queries and scan),
#: the store and its terms (with the reading side every backend shares, backends/records),
#: and the result writer (results)
WORKER_WALK = {"graph/sparql/executor.py", "graph/sparql/catalogue.py",
               "graph/sparql/queryformat.py", "graph/sparql/scan.py", "graph/store.py",
               "graph/backends/records.py", "graph/terms.py", "graph/sparql/results.py"}


def test_named_query_walk(app: Any, store: Path) -> None:
    url = "/api/queries/academies_by_region?region=ITH5"
    assert _get(app, url).status_code == 200  # warm: imports, catalogue, scans
    app.state.kg._cache.clear()  # a fresh answer: the walk of a request that runs the query
    server, _, res = trace(lambda: _get(app, url))
    assert res.status_code == 200 and b"Fondazione ITS Maker" in res.content
    assert server & APP_WIDE == {"api/guard.py", "api/fairuse.py"}
    assert server - APP_WIDE == SERVER_WALK
    # the worker's side, traced in this process (workers=0 runs the same handler here)
    with KnowledgeGraph(Settings(store=store), workers=0) as local:
        local.run_named("academies_by_region", {"region": "ITH5"}, "json")  # warm
        local._cache.clear()
        parent, worker, _ = trace(lambda: local.run_named(
            "academies_by_region", {"region": "ITH5"}, "json"))
    assert parent == {"graph/knowledge.py", "graph/sparql/executor.py", "graph/answers.py"}
    assert worker == WORKER_WALK


def test_csv_import_walk_is_the_importer_pipeline(tmp_path: Path) -> None:
    data = ROOT / "tests" / "data" / "csv"
    path = tmp_path / "store"
    build_fixture_store(path).close()  # academies, NUTS, a few ATECO codes
    kg = KnowledgeGraph(Settings(store=path), workers=0)
    csv = tmp_path / "indicators.csv"
    csv.write_text((data / "indicators_good.csv").read_text(encoding="utf-8").splitlines()[0]
                   + "\nITS Maker;;2023;25;20;17;15;5;0,85;INDIRE monitoraggio 2024\n",
                   encoding="utf-8")
    server, worker, result = trace(lambda: kg.import_table("indicators", csv, source="walk"))
    assert result.record is not None and result.record.triples > 0
    assert not worker
    outside = {m for m in server if not m.startswith("graph/importers/")}
    assert outside <= IMPORT_ALLOWED, sorted(outside - IMPORT_ALLOWED)


#: what a CSV import touches besides graph/importers/ (unchanged by issue 9): the facade,
#: the store it commits through (backends.open_store, store, terms, the rule materialisation
#: in reasoning, the metadata graph, N-Triples writing), SHACL validation, config, errors,
#: namespaces, the packaged resources and the SPARQL scanner; since issue 10 the incremental
#: materialisation's semi-naive rule rewriting (sparql/delta) joins the commit path; the layer
#: records every backend writes alike (backends/records) since the local store uses them too
IMPORT_ALLOWED = {
    "graph/backends/__init__.py", "graph/backends/records.py", "graph/config.py",
    "graph/errors.py", "graph/knowledge.py",
    "graph/metadata.py", "graph/namespaces.py", "graph/rdfwriter.py", "graph/reasoning.py",
    "graph/resources.py", "graph/sparql/delta.py", "graph/sparql/scan.py", "graph/store.py",
    "graph/terms.py", "graph/validate.py"}
