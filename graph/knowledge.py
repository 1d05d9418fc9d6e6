"""The one door from the surfaces (CLI, HTTP routes, pages) into the library: KnowledgeGraph.

A ``KnowledgeGraph(settings)`` owns what every surface needs and nothing else opens: the
query executor (a pool of killable worker processes, ``settings.query_workers``; or, with
``workers=0``, the same request handler in the calling process, as the CLI uses), the
per-generation answer cache, and the store for writes. Everything expensive (SPARQL,
named queries, Linked Data descriptions, network analysis) is a request answered by
``WorkerState.serve`` under ``settings.query_timeout``; answers are bytes plus what an HTTP
layer needs (``ExecResult``).

Named queries bind their parameters one way: the request carries the name and the text
parameters; the worker validates them (``catalogue.named_request``: ``bind_params``),
checks code parameters for existence and runs the query in that one round trip, bound by
the engine (pyoxigraph substitutions). A query whose ``.rq`` header says ``binding: values``
gets its bindings inlined as a VALUES block instead (for plans the engine runs better that
way). The server process only routes, looks up its answer cache and waits.

>>> import tempfile, pathlib
>>> from itskg.graph.config import Settings
>>> from itskg.graph.store import Layer
>>> kg = KnowledgeGraph(Settings(store=pathlib.Path(tempfile.mkdtemp())), workers=0)
>>> _ = kg.replace_layers([Layer("demo", "Demo", b'<http://a> <http://b> "c" .')], rules=[])
>>> kg.sparql('SELECT ?o { <http://a> <http://b> ?o }', "csv").body
b'o\\r\\nc\\r\\n'
>>> [r.source for r in kg.layers()]
['demo', 'inferred', 'meta']
>>> kg.close()
"""

from __future__ import annotations

import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable, Generator, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from itskg.graph.answers import AnswerShelf, ExecResult, persist_enabled, persisting
from itskg.graph.backends import open_store
from itskg.graph.backends.interface import Store
from itskg.graph.config import Settings
from itskg.graph.errors import QueryTimeoutError, StoreError
from itskg.graph.reports.readings import Reading
from itskg.graph.sparql.catalogue import (
    NamedQuery,
    get_query,
    load_catalog,
)
from itskg.graph.sparql.executor import (
    FOLLOW_REMOTE,
    WORKER_TIME,
    CurrentGeneration,
    QueryExecutor,
    UpdatePlan,
    WorkerState,
    apply_update,
    build_request,
)
from itskg.graph.sparql.scan import QueryInfo
from itskg.graph.store import Layer, LayerRecord
from itskg.graph.terms import QueryResult

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

    from itskg.graph.analysis.extract import Filters
    from itskg.graph.analysis.metrics import MetricResult
    from itskg.graph.backends.dumps import DumpReport
    from itskg.graph.elm import CompletenessReport, Qualification
    from itskg.graph.reports import Profile
    from itskg.graph.validate import ValidationReport

__all__ = ["ANSWER_CACHE_SIZE", "CALL_TIMEOUT_FACTOR", "NOT_RUNNING", "WORKER_TIME",
           "KnowledgeGraph"]

ANSWER_CACHE_SIZE = 512  # answers kept per process (all of one store generation at most)
#: profiles and qualifications run many queries: their deadline is this many query deadlines
CALL_TIMEOUT_FACTOR = 4
Progress = Callable[[str], None]
#: the StoreError message of a request that finds no running workers (and of a route that finds
#: no KnowledgeGraph on its app: the server is starting or stopping)
NOT_RUNNING = ("The query executor is not running (the server is starting or stopping); "
               "retry in a moment.")


class KnowledgeGraph:
    """The knowledge graph at ``settings.store``, as every surface uses it.

    ``workers``: query processes (default ``settings.query_workers``); 0 runs requests in
    this process (no pool, no hard deadline: for the CLI and notebooks). Call ``start()``
    (or use ``with``) before the first request when ``workers`` > 0; ``close()`` stops them.
    """

    def __init__(self, settings: Settings, *, workers: int | None = None):
        self.settings = settings
        # a directory, or for a remote engine its URL (``self.remote``): every store is opened
        # by ``open_store(settings)``, which picks the backend
        self.remote = settings.remote
        self.store_path = Path(settings.store) if not self.remote else Path()
        self._remote_gen: tuple[float, str | None] = (-1e9, None)
        # a local store's generation: one stat of CURRENT per call (it keys the answer cache)
        self._current = CurrentGeneration(self.store_path) if not self.remote else None
        self.workers = settings.query_workers if workers is None else workers
        self._executor: QueryExecutor | None = None
        self._local: WorkerState | None = None
        self._local_lock = threading.Lock()
        self._cache: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._cache_lock = threading.Lock()
        # answers precomputed per generation on disk (itskg.graph.answers); local stores
        self._shelf = AnswerShelf(self.store_path) if not self.remote else None
        #: what the answer cache did: ``computed`` (asked a worker or made page data),
        #: ``from_disk`` (a precomputed answer), ``kept`` (written to disk while precomputing),
        #: ``stale`` (answered from another generation than the current one: not cached)
        self.answer_counts: Counter[str] = Counter()

    # ------------------------------------------------------------------ life cycle
    def start(self) -> KnowledgeGraph:
        """Start the worker pool (no-op without workers or when started). Raises StoreError."""
        if self.workers and self._executor is None:
            self._executor = QueryExecutor(
                self.store_path, workers=self.workers, timeout=self.settings.query_timeout,
                max_rows=self.settings.max_rows, settings=self.settings,
                lookup_workers=self.settings.lookup_workers,
                lookup_timeout=self.settings.lookup_timeout,
                memory_mb=self.settings.worker_memory_mb, source=self.settings.serve_from,
                memory_budget_mb=self.settings.serve_memory_budget_mb,
                recycle_mb=self.settings.worker_recycle_mb)
        return self

    def close(self) -> None:
        """Stop the workers and close the in-process store handle."""
        ex, self._executor = self._executor, None
        if ex is not None:
            ex.close()
        with self._local_lock:
            if self._local is not None:
                self._local.store.close()
                self._local = None

    def __enter__(self) -> KnowledgeGraph:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def max_rows(self) -> int:
        return self.settings.max_rows

    @property
    def pids(self) -> list[int]:
        """Process ids of the query workers (empty without a pool)."""
        return self._executor.pids if self._executor is not None else []

    @property
    def serving(self) -> dict[str, Any]:
        """What the query workers read: ``{"source": "memory"|"disk", "generation": ...}``."""
        return self._executor.serving if self._executor is not None else {"source": "disk"}

    def generation(self) -> str | None:
        """The store generation readers use now (None before the first commit)."""
        if self._current is not None:
            return self._current()
        # asked of the engine at most once a second (every answer cache key needs it)
        now = time.monotonic()
        asked, gen = self._remote_gen
        if now - asked >= FOLLOW_REMOTE:
            with self._open() as st:
                gen = st.current_generation()
            self._remote_gen = (now, gen)
        return gen

    def _open(self, *, read_only: bool = True) -> Store:
        """The store of the settings: a local directory or a remote engine."""
        return open_store(self.settings, read_only=read_only)

    # ------------------------------------------------------------------ running requests
    def _pool(self) -> QueryExecutor | None:
        if self.workers and self._executor is None:
            raise StoreError(NOT_RUNNING)
        return self._executor

    def _local_state(self) -> WorkerState:
        """The in-process request handler (call with ``_local_lock`` held)."""
        if self._local is None:
            self._local = WorkerState(self._open(), self.settings.max_rows)
        return self._local

    def _serve_here(self, req: dict[str, Any]) -> ExecResult:
        with self._local_lock:
            return self._local_state().serve(req)

    def submit(self, req: dict[str, Any], lane: str = "main") -> ExecResult:
        """Answer a prepared request in a worker (or here, without workers).

        ``lane="lookup"``: the executor's fast lane for cheap look-ups (see QueryExecutor).
        """
        pool = self._pool()
        return pool.submit(req, lane) if pool is not None else self._serve_here(req)

    async def asubmit(self, req: dict[str, Any], lane: str = "main") -> ExecResult:
        """``submit`` from an asyncio loop (in-process requests run in a thread)."""
        pool = self._pool()
        if pool is not None:
            return await pool.asubmit(req, lane)
        import asyncio

        return await asyncio.to_thread(self._serve_here, req)

    def _request(self, sparql: str, fmt: str | None, **kw: Any) -> dict[str, Any]:
        return build_request(sparql, fmt, self.settings.max_rows, **kw)

    # ------------------------------------------------------------------ SPARQL
    def sparql(self, sparql: str, fmt: str | None = None, *,
               bindings: Mapping[str, Any] | None = None, default_graphs: Sequence[str] = (),
               named_graphs: Sequence[str] = (), info: QueryInfo | None = None,
               lane: str = "main") -> ExecResult:
        """Run one SPARQL query under the row cap and deadline; the answer as bytes.

        ``fmt``: json, xml, csv, tsv or rows (select/ask); turtle, ntriples, jsonld, rdfxml
        (graphs); None picks json or turtle. ``bindings`` are bound by the engine.
        Raises QuerySyntaxError, QueryRefusedError, QueryParameterError, QueryTimeoutError.
        """
        return self.submit(self._request(sparql, fmt, bindings=bindings, info=info,
                                         default_graphs=default_graphs,
                                         named_graphs=named_graphs), lane)

    async def asparql(self, sparql: str, fmt: str | None = None, *,
                      bindings: Mapping[str, Any] | None = None,
                      default_graphs: Sequence[str] = (), named_graphs: Sequence[str] = (),
                      info: QueryInfo | None = None, lane: str = "main") -> ExecResult:
        """``sparql`` from an asyncio loop."""
        return await self.asubmit(self._request(sparql, fmt, bindings=bindings, info=info,
                                                default_graphs=default_graphs,
                                                named_graphs=named_graphs), lane)

    async def aselect(self, sparql: str, bindings: Mapping[str, Any] | None = None,
                      lane: str = "main") -> list[dict[str, dict[str, str]]]:
        """A SELECT's bindings as SPARQL 1.1 JSON terms (what pages render); ``lane="lookup"``
        for look-ups of one resource."""
        import json

        res = await self.asparql(sparql, "json", bindings=bindings, lane=lane)
        return json.loads(res.body)["results"]["bindings"]

    async def adescribe(self, iri: str, fmt: str) -> ExecResult:
        """The triples about ``iri`` (its outgoing statements) in an RDF format."""
        from itskg.graph.terms import IRI

        return await self.asparql("CONSTRUCT { ?x ?p ?o } WHERE { ?x ?p ?o }", fmt,
                                  bindings={"x": IRI(iri)}, lane="lookup")

    def query(self, sparql: str, *, bindings: Mapping[str, Any] | None = None) -> QueryResult:
        """Run SPARQL in this process and return a QueryResult (CLI tables, notebooks).

        No deadline and no row cap: for callers that own their process.
        """
        with self._local_lock:
            state = self._local_state()
            state.follow()
            return state.store.query(sparql, bindings=dict(bindings or {}) or None)

    # ------------------------------------------------------------------ named queries
    @staticmethod
    def catalogue() -> dict[str, NamedQuery]:
        """Every named query by name."""
        return load_catalog()

    @staticmethod
    def named_query(name: str) -> NamedQuery:
        """One named query (UnknownQueryError with a suggestion if there is none)."""
        return get_query(name)

    @staticmethod
    def _named_request(name: str, params: Mapping[str, Any], fmt: str, lang: str | None,
                       limit: int | None) -> tuple[dict[str, Any], tuple[Any, ...]]:
        """The worker request of a named query (the worker validates and binds: see
        ``itskg.graph.sparql.catalogue.named_request``) and its answer-cache key."""
        raw = {k: str(v) for k, v in params.items() if v is not None}
        req = {"op": "named", "name": name, "params": raw, "fmt": fmt, "lang": lang,
               "limit": limit}
        return req, ("named", name, tuple(sorted(raw.items())), fmt, lang, limit)

    def run_named(self, name: str, params: Mapping[str, Any] | None = None, fmt: str = "json",
                  *, lang: str | None = None, limit: int | None = None) -> ExecResult:
        """Run a named query with text parameters (validated; bound by the engine).

        Cached per store generation. Raises UnknownQueryError, QueryParameterError (also for
        a code that names no concept of the store), QueryTimeoutError.
        """
        req, key = self._named_request(name, params or {}, fmt, lang, limit)
        return self._cached_answer(key, lambda: self.submit(req))

    async def arun_named(self, name: str, params: Mapping[str, Any] | None = None,
                         fmt: str = "json", *, lang: str | None = None,
                         limit: int | None = None, lane: str = "main") -> ExecResult:
        """``run_named`` from an asyncio loop (``lane="lookup"`` for look-up queries)."""
        req, key = self._named_request(name, params or {}, fmt, lang, limit)
        gen = self.generation()
        hit = self._cache_get((gen, *key))
        if hit is not None:
            return hit
        return self._keep(gen, key, await self.asubmit(req, lane))

    def query_result(self, name: str, params: Mapping[str, Any] | None = None, *,
                     lang: str = "it", limit: int | None = None) -> QueryResult:
        """A named query's QueryResult in this process (CLI tables, notebooks)."""
        from itskg.graph.sparql.catalogue import run_query

        with self._local_lock:
            state = self._local_state()
            state.follow()
            return run_query(state.store, name, params, lang=lang, limit=limit)

    # ------------------------------------------------------------------ caching
    def _cache_get(self, key: tuple[Any, ...]) -> Any:
        """The answer cached for ``key`` = (generation, ...): in memory, else precomputed on
        disk for that generation (then kept in memory)."""
        if key[0] is None:
            return None
        with self._cache_lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
        if hit is not None:
            if persist_enabled() and self._shelf is not None and self._shelf.get(
                    key[0], key[1:]) is None and self._shelf.put(key[0], key[1:], hit):
                self.answer_counts["kept"] += 1  # asked before precomputing reached it
            return hit
        if self._shelf is not None:
            hit = self._shelf.get(key[0], key[1:])
            if hit is not None:
                self.answer_counts["from_disk"] += 1
                self._cache_put(key, hit, keep=False)
                return hit
        return None

    def _cache_put(self, key: tuple[Any, ...], value: Any, *, keep: bool = True) -> None:
        with self._cache_lock:
            self._cache[key] = value
            while len(self._cache) > ANSWER_CACHE_SIZE:
                self._cache.popitem(last=False)
        if keep and self._shelf is not None and persist_enabled() and self._shelf.put(
                key[0], key[1:], value):
            self.answer_counts["kept"] += 1

    def _keep(self, gen: str | None, key: tuple[Any, ...], res: ExecResult,
              media: str | None = None) -> ExecResult:
        self.answer_counts["computed"] += 1
        if media is not None:
            res.media_type = media
        if gen is not None and res.generation == gen and not res.truncated:
            self._cache_put((gen, *key), res)
        elif gen is not None and res.generation != gen:
            self.answer_counts["stale"] += 1  # a worker still on another generation
        return res

    def _cached_answer(self, key: tuple[Any, ...], make: Callable[[], ExecResult],
                       media: str | None = None) -> ExecResult:
        gen = self.generation()
        hit = self._cache_get((gen, *key))
        if hit is not None:
            return hit
        return self._keep(gen, key, make(), media)

    async def acached(self, key: tuple[Any, ...], make: Callable[[], Awaitable[Any]]) -> Any:
        """``await make()`` once per store generation and ``key`` (page data)."""
        gen = self.generation()
        full = (gen, "page", *key)
        hit = self._cache_get(full)
        if hit is not None:
            return hit
        value = await make()
        self.answer_counts["computed"] += 1
        if gen is not None:
            self._cache_put(full, value)
        return value

    # ------------------------------------------------------------------ precomputed answers
    @staticmethod
    def precomputing() -> Any:
        """A context: answers cached inside it are also kept on disk with their generation
        (``itskg.graph.answers``); what a page opens with is computed this way ahead."""
        return persisting()

    def precomputed(self, generation: str | None = None) -> int:
        """How many answers of ``generation`` (default: the current one) are on disk."""
        gen = generation or self.generation()
        return self._shelf.count(gen) if self._shelf is not None and gen else 0

    def forget_old_answers(self) -> list[str]:
        """Delete the precomputed answers of generations the store no longer has."""
        if self._shelf is None:
            return []
        db = self.store_path / "db"
        live = {p.name for p in db.iterdir() if p.is_dir()} if db.is_dir() else set()
        return self._shelf.collect(live)

    # ------------------------------------------------------------------ readings: derived figures
    def _reading_steps(self, reading: Reading) -> Generator[tuple[str, str], ExecResult, Any]:
        """Drive a reading: yields (query, lane) for each answer not in the cache, receives
        the ExecResult, returns the figure. ``read`` and ``aread`` run the queries."""
        import json

        result: Any = reading
        while isinstance(result, Reading):
            gen = self.generation()
            answers = []
            for q in result.queries:
                key = (gen, "rows", q) if result.cache else (None,)
                rows = self._cache_get(key)
                if rows is None:
                    res = yield q, result.lane
                    rows = json.loads(res.body)["results"]["bindings"]
                    self.answer_counts["computed"] += 1
                    if key[0] is not None and res.generation == gen and not res.truncated:
                        self._cache_put(key, rows)
                answers.append(rows)
            result = result.combine(answers)
        return result

    def read(self, reading: Reading) -> Any:
        """A derived figure (``itskg.graph.reports.readings``): its queries run under the
        deadline and row cap, their answers cached per store generation when the reading
        says so, then combined. Raises QueryTimeoutError, QueryRefusedError."""
        steps = self._reading_steps(reading)
        try:
            query, lane = next(steps)
            while True:
                query, lane = steps.send(self.sparql(query, "json", lane=lane))
        except StopIteration as done:
            return done.value

    async def aread(self, reading: Reading) -> Any:
        """``read`` from an asyncio loop."""
        steps = self._reading_steps(reading)
        try:
            query, lane = next(steps)
            while True:
                query, lane = steps.send(await self.asparql(query, "json", lane=lane))
        except StopIteration as done:
            return done.value

    def map_indicator(self, name: str, level: str = "region", lang: str = "it"
                      ) -> dict[str, Any]:
        """One map indicator per map unit (``itskg.graph.reports.indicators``): region (the
        21 NUTS 2 units), province (NUTS 3) or country. KeyError for an unknown indicator or
        one the level does not have."""
        from itskg.graph.reports import indicators as ind

        values = self.read(ind.indicator_reading(name, level))
        return ind.indicator_table(name, level, values, self.read(ind.units_reading(level, lang)))

    async def amap_indicator(self, name: str, level: str = "region", lang: str = "it"
                             ) -> dict[str, Any]:
        """``map_indicator`` from an asyncio loop."""
        from itskg.graph.reports import indicators as ind

        values = await self.aread(ind.indicator_reading(name, level))
        units = await self.aread(ind.units_reading(level, lang))
        return ind.indicator_table(name, level, values, units)

    def home_counts(self, lang: str = "it") -> dict[str, Any]:
        """Instances per main class (real, synthetic, other) and the layers (home page)."""
        from itskg.graph.reports.indicators import home_reading

        return self.read(home_reading(lang))

    async def ahome_counts(self, lang: str = "it") -> dict[str, Any]:
        """``home_counts`` from an asyncio loop."""
        from itskg.graph.reports.indicators import home_reading

        return await self.aread(home_reading(lang))

    # ------------------------------------------------------------------ network analysis
    def _network_request(self, task: str, projection: str, filters: Filters,
                         options: dict[str, Any]) -> tuple[dict[str, Any], tuple[Any, ...]]:
        from itskg.graph.analysis.tasks import network_task

        req = {"op": "network", "task": network_task(task, projection, filters, **options)}
        key = ("network", task, projection, repr(filters),
               repr(sorted(options.items(), key=lambda kv: kv[0])))
        return req, key

    def network(self, task: str, projection: str, filters: Filters, **options: Any
                ) -> ExecResult:
        """Network work (view, export, metric, summary) in a worker, under the deadline.

        See ``itskg.graph.analysis.tasks``. Cached per store generation.
        Raises AnalysisError, QueryTimeoutError.
        """
        req, key = self._network_request(task, projection, filters, options)
        return self._cached_answer(key, lambda: self.submit(req))

    async def anetwork(self, task: str, projection: str, filters: Filters, **options: Any
                       ) -> ExecResult:
        """``network`` from an asyncio loop."""
        req, key = self._network_request(task, projection, filters, options)
        gen = self.generation()
        hit = self._cache_get((gen, *key))
        if hit is not None:
            return hit
        return self._keep(gen, key, await self.asubmit(req))

    def network_layer(self, projection: str, filters: Filters, metric: str, *,
                      kind: str | None = None, params: Mapping[str, Any] | None = None,
                      top: int | None = None) -> tuple[dict[str, Any], LayerRecord]:
        """Compute ``metric`` in a worker (the deadline and memory bound of network tasks)
        and commit all its results as the layer ``network-<projection>-<metric>``.

        Returns the metric's answer (``top`` rows) and the committed layer's record.
        Raises AnalysisError, QueryTimeoutError, StoreLockedError."""
        import json

        req, _ = self._network_request("metric", projection, filters, {
            "metric": metric, "kind": kind, "params": dict(params or {}), "top": None,
            "write_back": True})
        answer = json.loads(self.submit(req).body)
        spec = answer.pop("layer")
        layer = Layer(source=spec["source"], title=spec["title"],
                      data=spec["ntriples"].encode(), format="nt", kind=spec["kind"],
                      derived_from=tuple(spec["derived_from"]),
                      description=spec["description"], rows=spec["rows"])
        if top is not None:
            answer["rows"] = answer["rows"][:top]
        return answer, self.replace_layers([layer])[0]

    def projection_graph(self, projection: str, filters: Filters) -> nx.Graph:
        """The projection's networkx graph, built in this process (CLI, notebooks)."""
        from itskg.graph.analysis.tasks import projection_graph

        with self._local_lock:
            state = self._local_state()
            state.follow()
            return projection_graph(state.store, projection, filters, state.scratch)

    def write_back(self, G: nx.Graph, result: MetricResult) -> LayerRecord:
        """Commit a metric's results as the layer ``network-<projection>-<metric>``."""
        from itskg.graph.analysis.writeback import write_back

        return write_back(self.settings, G, result)

    # ------------------------------------------------------------------ operations
    def backup(self, dest: Path, progress: Progress | None = None) -> Any:
        """Copy the current generation to ``dest`` with checksums (``itskg.graph.backup``)."""
        from itskg.graph.backup import backup

        return backup(self.store_path, dest, progress=progress)

    def restore(self, src: Path, progress: Progress | None = None) -> str:
        """Verify the backup ``src`` and make it the current generation; its new name."""
        from itskg.graph.backup import restore

        return restore(src, self.store_path, progress=progress)

    def cleanup(self) -> Any:
        """Remove abandoned and unreferenced generations (``itskg.graph.backup.cleanup``)."""
        from itskg.graph.backup import cleanup

        return cleanup(self.store_path)

    # ------------------------------------------------------------------ layers
    def build(self, *, esco_dirs: Sequence[Path] = (), synthetic: str | int | None = None,
              seed: int = 42, progress: Progress | None = None,
              tables: Sequence[tuple[str, Path]] = ()) -> Any:
        """Build the default graph from scratch into the store (see ``itskg.graph.build``);
        ``tables`` are real ``(kind, file)`` tables loaded beside the reference layer."""
        from itskg.graph.build import build
        from itskg.graph.synthetic.ecosystem import parse_scale

        scale = None if synthetic is None else parse_scale(str(synthetic))
        return build(self.settings, esco_dirs=esco_dirs, synthetic=scale, seed=seed,
                     progress=progress, tables=tables)

    def dump(self, output: Path, progress: Progress | None = None) -> DumpReport:
        """Write every layer as gzip N-Quads plus a VoID/DCAT manifest into ``output`` (new).

        Raises StoreError (directory not empty, a layer's count off)."""
        from itskg.graph.backends.dumps import write_dump

        with self._open() as st:
            return write_dump(st, Path(output), progress=progress)

    def load(self, directory: Path, progress: Progress | None = None, *,
             rederive: bool = False) -> DumpReport:
        """Load a dump into this (empty) store, local or remote, in one commit.

        The dump's entailments are kept when its manifest records the digest of the rules in
        use; ``rederive`` runs the rules anyway. Raises DataError (damaged dump, a quad
        outside its graph, counts off), StoreError (store not empty), StoreLockedError."""
        from itskg.graph.backends.dumps import load_dump

        with self._writer() as st:
            return load_dump(Path(directory), st, progress=progress, rederive=rederive)

    def layers(self) -> list[LayerRecord]:
        """The committed layers with their provenance."""
        with self._open() as st:
            return st.layers()

    def stats(self) -> tuple[str | None, list[LayerRecord], list[tuple[str, int]]]:
        """(generation, layers, instances per class in the union of all layers).

        The layer graphs are named in the query, so an engine whose default graph also holds
        graphs of its own (Virtuoso's system graphs) counts the same classes as the others."""
        with self._open() as st:
            graphs = " ".join(f"<{g}>" for g in st.graphs())
            rows = st.query("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { "
                            f"VALUES ?g {{ {graphs} }} GRAPH ?g {{ ?s a ?c }} }} "
                            "GROUP BY ?c ORDER BY DESC(?n)").rows()
            classes = [(str(r["c"]), int(str(r["n"]))) for r in rows]
            return st.generation, st.layers(), classes

    def _writer(self) -> Store:
        return self._open(read_only=False)

    def replace_layers(self, layers: Sequence[Layer], *, rules: Sequence[str] | None = None,
                       progress: Progress | None = None) -> list[LayerRecord]:
        """Commit ``layers`` (replacing same-named ones) as one new generation."""
        with self._writer() as st:
            return st.replace_layers(list(layers), rules=rules, progress=progress)

    def remove_layers(self, sources: Iterable[str], progress: Progress | None = None) -> None:
        """Drop layers as one new generation (readers keep the old one until they refresh)."""
        with self._writer() as st:
            st.remove_layers(list(sources), progress=progress)

    def apply_update(self, plan: UpdatePlan) -> list[str]:
        """Apply the DROP/CLEAR GRAPH operations of a scanned SPARQL Update."""
        return apply_update(self.settings, plan)

    def import_table(self, kind: str, path: Path, *, strict: bool = False,
                     source: str | None = None, sheet: str | None = None,
                     progress: Progress | None = None) -> Any:
        """Import a user's CSV/XLSX table of ``kind`` as its own layer (see importers)."""
        from itskg.graph.importers.pipeline import import_table

        with self._writer() as st:
            return import_table(st, kind, path, strict=strict, source=source, sheet=sheet,
                                progress=progress)

    def import_eu_projects(self, kind: str, path: Path, *, source: str | None = None,
                           progress: Progress | None = None) -> Any:
        """Import the CORDIS export folder (``kind="cordis"``) or the Erasmus+ Project Results
        export (``kind="erasmus"``) as published; -> (LayerRecord, MatchReport)."""
        from itskg.graph.importers.cordis import import_cordis
        from itskg.graph.importers.erasmus import import_erasmus

        run = {"cordis": import_cordis, "erasmus": import_erasmus}[kind]
        with self._writer() as st:
            return run(st, path, source=source or kind, progress=progress)

    def import_esco(self, dirs: Sequence[Path], progress: Any = None) -> Any:
        """Import an official ESCO CSV export as the ``esco`` layer."""
        from itskg.graph.importers.esco import import_esco

        with self._writer() as st:
            return import_esco(st, dirs, progress=progress)

    def synthesise(self, *, scale: str | int = "national", seed: int = 42,
                   progress: Progress | None = None) -> LayerRecord:
        """Generate the labelled synthetic layer over the reference layers."""
        from itskg.graph.synthetic.ecosystem import build_synthetic, parse_scale

        with self._writer() as st:
            return build_synthetic(st, scale=parse_scale(str(scale)), seed=seed,
                                   progress=progress)

    def validate(self, sources: list[str] | None = None) -> ValidationReport:
        """SHACL report of the store's data layers."""
        from itskg.graph.validate import validate_store

        with self._open() as st:
            return validate_store(st, sources=sources)

    # ------------------------------------------------------------------ take-away: profiles, ELM
    def _call_request(self, fn: str, *args: Any, **kw: Any) -> dict[str, Any]:
        from itskg.graph.calls import call_request

        return call_request(fn, *args, timeout_factor=CALL_TIMEOUT_FACTOR, **kw)

    def _call_timeout(self, fn: str) -> QueryTimeoutError:
        seconds = CALL_TIMEOUT_FACTOR * self.settings.query_timeout
        what = fn.replace("_", " ")
        return QueryTimeoutError(
            f"The {what} took longer than {seconds:g} s ({CALL_TIMEOUT_FACTOR} x "
            "ITSKG_QUERY_TIMEOUT) and was stopped; retry in a minute (the first one of a new "
            "store generation computes the national figures) or narrow it.")

    def _call(self, fn: str, *args: Any, **kw: Any) -> Any:
        """``itskg.graph.calls.CALLS[fn](store, *args, **kw)`` in a worker (killable, under
        ``CALL_TIMEOUT_FACTOR`` x the query deadline and the worker memory bound); in this
        process without workers."""
        import pickle

        try:
            res = self.submit(self._call_request(fn, *args, **kw))
        except QueryTimeoutError:
            raise self._call_timeout(fn) from None
        return pickle.loads(res.body)

    async def _acall(self, fn: str, *args: Any, **kw: Any) -> Any:
        import pickle

        try:
            res = await self.asubmit(self._call_request(fn, *args, **kw))
        except QueryTimeoutError:
            raise self._call_timeout(fn) from None
        return pickle.loads(res.body)

    @staticmethod
    def _profile_call(kind: str) -> str:
        if kind not in ("region", "academy"):
            from itskg.graph.errors import ConfigError

            raise ConfigError(f"No profile kind {kind!r}: use region or academy.")
        return f"{kind}_profile"

    def profile(self, kind: str, code: str, lang: str = "it") -> Profile:
        """The ``region`` (NUTS 2 code) or ``academy`` (key) profile in ``lang``, computed in
        a worker (see ``_call``). See ``itskg.graph.reports``.

        Raises UnknownProfileError (a DataError) for an unknown region or academy,
        ConfigError for an unknown kind, QueryTimeoutError."""
        return self._call(self._profile_call(kind), code, lang)

    async def aprofile(self, kind: str, code: str, lang: str = "it") -> Profile:
        """``profile`` from an asyncio loop."""
        return await self._acall(self._profile_call(kind), code, lang)

    def warm_profiles(self, *, background: bool = True) -> None:
        """Compute the national figures of the profiles ahead in one worker (a daemon thread
        waits for it). Each worker keeps its own per-generation cache: the others pay on their
        first profile, but they stay free for queries while the server starts."""
        def run() -> None:
            try:
                self._call("warm_profiles")
            except Exception:  # no data yet, or the store changes: the first request pays
                return

        if background:
            threading.Thread(target=run, name="itskg-profile-warm", daemon=True).start()
        else:
            run()

    def qualifications(self, *, academy: str | None = None, region: str | None = None,
                       nqf_levels: Mapping[str, str] | None = None) -> list[Qualification]:
        """The ITS qualifications derived from the courses (see ``itskg.graph.elm``), in a
        worker. Raises QueryTimeoutError."""
        return self._call("qualifications", academy=academy,
                          region=region, nqf_levels=dict(nqf_levels or {}) or None)

    async def aqualifications(self, *, academy: str | None = None, region: str | None = None,
                              nqf_levels: Mapping[str, str] | None = None
                              ) -> list[Qualification]:
        """``qualifications`` from an asyncio loop."""
        return await self._acall(
            "qualifications", academy=academy, region=region,
            nqf_levels=dict(nqf_levels or {}) or None)

    def qualification(self, key: str, nqf_levels: Mapping[str, str] | None = None
                      ) -> Qualification:
        """One qualification by key or IRI, in a worker; ElmError when there is none."""
        return self._call("qualification", key,
                          dict(nqf_levels or {}) or None)

    async def aqualification(self, key: str, nqf_levels: Mapping[str, str] | None = None
                             ) -> Qualification:
        """``qualification`` from an asyncio loop."""
        return await self._acall("qualification", key,
                                 dict(nqf_levels or {}) or None)

    def check_qualifications(self, quals: Sequence[Qualification]) -> list[CompletenessReport]:
        """Completeness of each qualification by the official Europass LOQ shapes (SHACL), in
        a worker."""
        return self._call("check_qualifications", list(quals))

    async def acheck_qualifications(self, quals: Sequence[Qualification]
                                    ) -> list[CompletenessReport]:
        """``check_qualifications`` from an asyncio loop."""
        return await self._acall(
            "check_qualifications", list(quals))
