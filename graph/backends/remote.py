"""A remote store: any SPARQL 1.1 engine behind the same interface as ``KnowledgeStore``.

``RemoteStore`` is what ``itskg.graph.backends.open_store`` returns when the store setting is
an http(s) URL (Oxigraph server, Virtuoso, Fuseki, GraphDB, QLever...). It reads with the
SPARQL 1.1 Protocol and writes with SPARQL 1.1 Update (plus the Graph Store Protocol for
uploads when one is configured). Layers, generations and provenance live in the engine:

- each layer is its named graph ``graph_iri(source)``, as in the local store;
- the metadata graph (DCAT/PROV/VoID, ``META_GRAPH``) carries the layer records
  (``itskg:layerRecord``, JSON) and the generation (``dcat:version`` of the dataset);
- a write holds a lock resource in the engine (the graph ``LOCK_GRAPH``): a second writer
  gets ``StoreLockedError`` naming the holder.

A write (``replace_layers``) is parsed and counted locally, uploaded to staging graphs in
an *encoded* form (every IRI prefixed with ``urn:itskg:staged:``, blank nodes skolemised), so
queries of readers never match staged data, checked (the engine holds exactly the triples
sent), and then applied in ONE update request: each layer graph is replaced by its decoded
staging graph, removed layers are dropped, the ``inferred`` graph is recomputed by the
ontology's rules (CONSTRUCT rewritten as INSERT ... USING the layer graphs), and the metadata
graph is rewritten with a new generation. On engines that apply an update request
atomically (Oxigraph server, tested with readers during the commit; Virtuoso runs a SPARQL
request as one transaction by default, not tested here under concurrent readers) readers see the
old graph or the new one, never a mix. Into an engine that holds no itskg graph yet (no
generation, so no reader can open it: ``itskg load`` into a new engine) the layers are uploaded
straight into their graphs, which halves the engine's work. An interrupted upload leaves only
staging graphs and the lock, which the next write of the same host removes (a lock of a
process that is gone is taken over); the layers are untouched.

Differences from the local store, by design: blank nodes of uploaded layers become
skolem IRIs (``https://w3id.org/itskg/.well-known/genid/...``, RDF 1.1 section 3.5) because
chunked uploads cannot keep blank-node identity; ``union=False`` is not available (the
engine's default graph is the union of the layers, which ``check_union`` verifies).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import re
import socket
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from itskg.graph.backends.protocol import UNION_HELP, UNION_UPDATES, Endpoint, SparqlClient
from itskg.graph.backends.records import (
    LayeredStore,
    inferred_record,
    layer_record,
    meta_record,
)
from itskg.graph.backends.records import now as _now
from itskg.graph.errors import (
    DataError,
    Problem,
    QueryRefusedError,
    QuerySyntaxError,
    StoreError,
    StoreLockedError,
)
from itskg.graph.metadata import DATASET_IRI, metadata_ntriples
from itskg.graph.namespaces import GRAPH, INFERRED_GRAPH, META_GRAPH, ONTOLOGY, PREFIXES
from itskg.graph.sparql.queryformat import inline_bindings
from itskg.graph.store import DERIVED_SOURCES, Layer, LayerRecord
from itskg.graph.terms import RDF_FORMATS, QueryResult, Term

__all__ = ["LOCK_GRAPH", "STAGED", "RemoteStore", "canonical_booleans", "insert_rule",
           "meta_ntriples"]

Progress = Callable[[str], None]

LOCK_GRAPH = GRAPH + "lock"
STAGING_GRAPH = GRAPH + "staging/"
STAGED = "urn:itskg:staged:"  # prefix of every staged IRI (decoded with SUBSTR(.., 18))
GENID = "https://w3id.org/itskg/.well-known/genid/"
LAYER_RECORD = ONTOLOGY + "layerRecord"
VERSION = PREFIXES["dcat"] + "version"
VOID_TRIPLES = PREFIXES["void"] + "triples"
HOLDER = ONTOLOGY + "lockHolder"
STAGING = ONTOLOGY + "stagingGraph"
UPLOAD_CHUNK = 50_000  # triples per Graph Store Protocol upload (a few MB of N-Triples)
UPLOAD_BYTES = 8 << 20  # bytes of a dump's N-Quads per upload (about 50k quads)
INSERT_CHUNK = 2_000  # triples per INSERT DATA request (Virtuoso's SPARQL compiler runs out of
# memory at about 5,000)

# Engines queried on their own default graph (the union of all graphs) rather than with the
# committed layers named as the dataset (see RemoteStore.query).
ENGINE_DATASET = frozenset({"virtuoso"})

_RESULTS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_GRAPHS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}
ACCEPT_RESULTS = "application/sparql-results+json, application/sparql-results+xml;q=0.5"
ACCEPT_GRAPH = "application/n-triples, text/turtle;q=0.9, text/plain;q=0.5"
_PREFIX_DECL = re.compile(r"(?im)^\s*PREFIX\s+([\w.-]*):")


def with_prologue(sparql: str, base_iri: str | None = None) -> str:
    """The query with PREFIX declarations for the project's prefixes it uses but does not
    declare (the local store predeclares them; remote engines do not)."""
    declared = {m.group(1) for m in _PREFIX_DECL.finditer(sparql)}
    lines = [f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items()
             if p not in declared and re.search(rf"(?<![\w<]){re.escape(p)}:", sparql)]
    if base_iri:
        lines.insert(0, f"BASE <{base_iri}>")
    return "\n".join([*lines, sparql]) if lines else sparql


_PREFIX_LINE = re.compile(r"(?im)^\s*PREFIX\s+([\w.-]*):\s*<([^>]*)>[ \t]*$")


def hoist_prefixes(texts: Sequence[str]) -> tuple[str, list[str]]:
    """One prologue for several operations of an update request, and the texts without
    their PREFIX lines (engines accept a prologue only at the start of the request).

    Raises DataError when two texts bind one prefix to different namespaces.
    """
    seen: dict[str, str] = {}
    out = []
    for t in texts:
        for m in _PREFIX_LINE.finditer(t):
            if seen.setdefault(m.group(1), m.group(2)) != m.group(2):
                raise DataError(f"Two rules bind the prefix {m.group(1)}: differently",
                                [Problem(f"{seen[m.group(1)]} vs {m.group(2)}")])
        out.append(_PREFIX_LINE.sub("", t))
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in seen.items()), out


def insert_rule(rule: str, target: str, using: Sequence[str]) -> str:
    """A rule ``CONSTRUCT { T } WHERE { P }`` as ``INSERT { GRAPH <target> { T } } USING ...
    WHERE { P }``: run by the engine over the merge of ``using`` (the layers + inferred).

    Raises DataError when the rule has no CONSTRUCT template to rewrite.
    """
    from itskg.graph.sparql.scan import tokens

    toks = tokens(rule)
    at = next((k for k, t in enumerate(toks) if t.is_word("CONSTRUCT")), None)
    if at is None or at + 1 >= len(toks) or toks[at + 1].text != "{":
        raise DataError("A rule is not of the form CONSTRUCT { ... } WHERE { ... }",
                        [Problem(rule[:200], file="ontology/rules")])
    depth, close = 0, len(toks) - 1
    for k in range(at + 1, len(toks)):
        depth += {"{": 1, "}": -1}.get(toks[k].text, 0) if toks[k].kind == "other" else 0
        if depth == 0:
            close = k
            break
    start, i = toks[at].start, toks[close].start
    template = rule[toks[at + 1].start + 1:i]
    return (rule[:start] + f"INSERT {{ GRAPH <{target}> {{ {template} }} }} "
            + " ".join(f"USING <{g}>" for g in using) + "\n" + rule[i + 1:])


class RemoteStore(LayeredStore):
    """A SPARQL 1.1 engine holding an itskg graph (see the module docstring).

    Open it with ``RemoteStore.open(endpoint)`` or ``itskg.graph.backends.open_store``.
    Raises StoreError when the engine is unreachable, empty (read-only opens) or does not
    show the union of the layers as its default graph.
    """

    def __init__(self, endpoint: Endpoint, read_only: bool):
        self.endpoint = endpoint
        self.root = endpoint.query_url
        self.read_only = read_only
        self.client = SparqlClient(endpoint)
        self._gen: str | None = None
        self._records: dict[str, dict[str, Any]] = {}

    # ---------------------------------------------------------------- opening
    @classmethod
    def open(cls, endpoint: Endpoint, *, read_only: bool = True,
             any_endpoint: bool = False) -> RemoteStore:
        """Attach to the itskg graph at ``endpoint``.

        ``any_endpoint``: also accept an endpoint without an itskg graph (read-only; the
        Python client reads any SPARQL endpoint): its queries then go to the engine's own
        dataset, with no layers, generation or start-up check.
        """
        st = cls(endpoint, read_only)
        try:
            st._attach(required=read_only and not any_endpoint)
            if st._gen is not None:
                st.check_union()
        except BaseException:
            st.close()
            raise
        return st

    def _attach(self, *, required: bool) -> None:
        gen = self.current_generation()
        if gen is None and required:
            raise StoreError(
                f"No itskg graph at {self.root}: the engine holds no itskg metadata graph. "
                "Load one with 'itskg load DIR --store URL' (or 'itskg import ... --store URL').")
        self._gen = gen
        self._records = self._read_records() if gen is not None else {}


    def _select(self, sparql: str) -> list[dict[str, Term | None]]:
        """Rows of an internal query, on the engine's own dataset (lock, staging, meta)."""
        return list(self.query(sparql, union=False).rows())

    def current_generation(self) -> str | None:
        rows = self._select(f"SELECT ?v WHERE {{ GRAPH <{META_GRAPH}> {{ "
                            f"<{DATASET_IRI}> <{VERSION}> ?v }} }}")
        return str(rows[0]["v"]) if rows and rows[0]["v"] is not None else None

    def _read_records(self) -> dict[str, dict[str, Any]]:
        rows = self._select(
            f"SELECT ?json ?n WHERE {{ GRAPH <{META_GRAPH}> {{ ?g <{LAYER_RECORD}> ?json "
            f"OPTIONAL {{ ?g <{VOID_TRIPLES}> ?n }} }} }}")
        recs = []
        for r in rows:
            d = json.loads(str(r["json"]))
            if r["n"] is not None:
                d["triples"] = int(str(r["n"]))
            recs.append(d)
        recs.sort(key=lambda d: (d["source"] in DERIVED_SOURCES, d.get("order", 0), d["source"]))
        out = {d["source"]: d for d in recs}
        if "meta" not in out:
            out["meta"] = meta_record(self.count(META_GRAPH), self._meta_time())
        return out

    def _meta_time(self) -> str:
        rows = self._select(f"SELECT (MAX(?t) AS ?m) WHERE {{ GRAPH <{META_GRAPH}> {{ "
                            f"?g <{PREFIXES['dct']}modified> ?t }} }}")
        return str(rows[0]["m"]) if rows and rows[0]["m"] is not None else _now()

    def check_union(self) -> None:
        """Raise StoreError unless queries without GRAPH see the named graphs (the layers)."""
        probe = f"<{DATASET_IRI}> a <{PREFIXES['void']}Dataset>"
        if not self.ask(f"ASK {{ GRAPH <{META_GRAPH}> {{ {probe} }} }}", union=False):
            return  # nothing to probe yet (empty engine)
        if not self.ask(f"ASK {{ {probe} }}", union=False):
            engine = self.client.detect()
            raise StoreError(
                f"The engine at {self.root} ({engine}) answers queries without GRAPH from its "
                "default graph only, so itskg's queries would miss every layer. Make the "
                f"default graph the union of the named graphs: {UNION_HELP[engine]} "
                "(ITSKG_STORE_ENGINE names the engine when it cannot be detected).")

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> RemoteStore:
        return self

    # ---------------------------------------------------------------- reading
    def _layer_table(self) -> dict[str, dict[str, Any]]:
        return self._records

    def graphs(self) -> list[str]:
        """The layer graphs (the lock and staging graphs are not part of the graph)."""
        return sorted(d["graph"] for d in self._records.values())

    def __len__(self) -> int:
        return sum(int(d["triples"]) for d in self._records.values())

    def query(self, sparql: str, *, bindings: dict[str, Any] | None = None, union: bool = True,
              default_graphs: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None, base_iri: str | None = None,
              timeout: float | None = None) -> QueryResult:
        """Run a SPARQL query on the engine; ``bindings`` are inlined as typed VALUES blocks.

        Unless the query or the caller names its dataset (FROM, ``default_graphs``...), the
        dataset is the committed layers: default graph = their union, named graphs = them
        (SPARQL Protocol ``default-graph-uri``/``named-graph-uri``). So staging graphs and
        the lock never show in an answer. Except on Virtuoso (``ENGINE_DATASET``), whose
        property paths over a list of default graphs lose rows (measured on the catalogue):
        there the engine's own default (all graphs) is used, so a pattern of three variables
        also sees the encoded staging triples while an import uploads, and Virtuoso's
        system graphs. (Virtuoso's ``define input:default-graph-exclude`` was tried to hide
        them: it changes answers of the catalogue and stalls others, measured on 7.2.5.)
        ``union=False`` sends no dataset (the engine's own default; internal queries).

        Results are read with xsd:boolean literals in their canonical form (``true``/
        ``false``): Virtuoso writes them ``1``/``0``, the same values in another lexical
        form (``canonical_booleans``).

        SERVICE and LOAD are refused before anything is sent (the project's one tokenizer,
        ``scan_query``): the engine never fetches from other servers on itskg's behalf; a
        malformed query is rejected by the local store's parser (``_check_syntax``), so the
        error and its position read the same on every backend.
        Raises QuerySyntaxError, QueryRefusedError, QueryTimeoutError (at the deadline),
        StoreError.
        """
        from itskg.graph.sparql.scan import scan_query

        text = with_prologue(inline_bindings(sparql, bindings) if bindings else sparql,
                             base_iri)
        info = scan_query(text)
        if info.form == "update":
            raise QueryRefusedError("SPARQL Update is not a query; imports change the layers.")
        accept = ACCEPT_GRAPH if info.form in {"construct", "describe"} else ACCEPT_RESULTS
        _check_syntax(text)
        if not default_graphs and not named_graphs and (info.from_graphs
                                                        or info.from_named_graphs):
            # the query's own dataset, also as the protocol's (same graphs): Oxigraph server
            # started with --union-default-graph otherwise answers FROM from the union
            default_graphs, named_graphs = info.from_graphs, info.from_named_graphs
        elif union and not default_graphs and not named_graphs and self._records:
            if self.client.detect() not in ENGINE_DATASET:
                default_graphs = named_graphs = self.graphs()
        r = self.client.query(text, accept, timeout=timeout,
                              default_graphs=tuple(default_graphs or ()),
                              named_graphs=tuple(named_graphs or ()))
        media = r.headers.get("content-type", "").split(";")[0].strip().lower()
        if media in _RESULTS:
            return QueryResult(ox.parse_query_results(canonical_booleans(r.content, media),
                                                      _RESULTS[media]))
        if media in _GRAPHS:
            return QueryResult(_Triples(ox.parse(canonical_booleans(r.content, media),
                                                 _GRAPHS[media])))
        raise StoreError(f"The engine at {self.root} answered with {media or 'no media type'}, "
                         "which itskg cannot read.")

    def update(self, sparql: str) -> None:
        """Arbitrary SPARQL Update is refused: layers change only through imports."""
        raise QueryRefusedError(
            "Layers change only through 'itskg import' / replace_layers(), which keep the "
            "metadata and entailments in step; SPARQL Update is not applied directly.")

    def dump_graph(self, graph: str, output: IO[bytes]) -> int:
        """Write one named graph as N-Triples; return the number of triples written."""
        res = self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
                         timeout=self.endpoint.write_timeout)
        n = 0
        buf = []
        for t in res._raw:
            buf.append(t)
            n += 1
            if len(buf) >= UPLOAD_CHUNK:
                ox.serialize(buf, output, ox.RdfFormat.N_TRIPLES)
                buf = []
        if buf:
            ox.serialize(buf, output, ox.RdfFormat.N_TRIPLES)
        return n

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            q = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
            return int(str(self.select(q)[0]["n"]))
        q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        return int(str(self._select(q)[0]["n"]))

    # ---------------------------------------------------------------- the write lock
    @contextlib.contextmanager
    def _write_lock(self) -> Iterator[str]:
        if self.read_only:
            raise StoreError("This store handle is read-only; open it with read_only=False.")
        host, pid = socket.gethostname(), os.getpid()
        token = f"{host} pid {pid} {uuid.uuid4().hex[:8]} since {_now()}"
        self._take_stale_lock(host)
        self.client.update(
            f"INSERT {{ GRAPH <{LOCK_GRAPH}> {{ <{LOCK_GRAPH}> <{HOLDER}> \"{token}\" }} }} "
            f"WHERE {{ FILTER NOT EXISTS {{ GRAPH <{LOCK_GRAPH}> "
            f"{{ <{LOCK_GRAPH}> <{HOLDER}> ?h }} }} }}")
        holders = self._lock_holders()
        if holders != [token]:
            if token in holders:  # two writers raced into the lock: the later one backs off
                self._release(token)
            other = next((h for h in holders if h != token), "another writer")
            raise StoreLockedError(
                f"The store {self.root} is being written by {other}. Wait for it to finish; "
                f"if that process is gone, remove the lock with the SPARQL update "
                f"'DROP SILENT GRAPH <{LOCK_GRAPH}>' (and any graph under <{STAGING_GRAPH}>).")
        try:
            yield token
        finally:
            self._release(token)

    def _lock_holders(self) -> list[str]:
        rows = self._select(f"SELECT ?h WHERE {{ GRAPH <{LOCK_GRAPH}> {{ <{LOCK_GRAPH}> "
                            f"<{HOLDER}> ?h }} }}")
        return sorted(str(r["h"]) for r in rows)

    def _release(self, token: str) -> None:
        self.client.update(f"DELETE DATA {{ GRAPH <{LOCK_GRAPH}> {{ <{LOCK_GRAPH}> <{HOLDER}> "
                           f"\"{token}\" }} }}")

    def _take_stale_lock(self, host: str) -> None:
        """Remove a lock (and its staging graphs) left by a process of this host that is gone."""
        for h in self._lock_holders():
            parts = h.split()
            if len(parts) >= 4 and parts[0] == host and parts[1] == "pid":
                try:
                    os.kill(int(parts[2]), 0)
                except ProcessLookupError:
                    self._drop_staging()
                    self.client.update(f"DROP SILENT GRAPH <{LOCK_GRAPH}>")
                except PermissionError:
                    pass

    def _drop_staging(self) -> None:
        """Drop the staging graphs the lock resource lists (an upload that did not commit)."""
        staged = [str(r["g"]) for r in self._select(
            f"SELECT ?g WHERE {{ GRAPH <{LOCK_GRAPH}> {{ <{LOCK_GRAPH}> <{STAGING}> ?g }} }}")]
        if staged:
            self.client.update(
                "".join(f"DROP SILENT GRAPH <{g}> ;\n" for g in staged)
                + f"DELETE WHERE {{ GRAPH <{LOCK_GRAPH}> {{ <{LOCK_GRAPH}> <{STAGING}> ?g }} }}")

    # ---------------------------------------------------------------- writing
    def replace_layers(self, layers: Sequence[Layer], *, remove: Iterable[str] = (),
                       fresh: bool = False, progress: Progress | None = None,
                       rules: Sequence[str] | None = None,
                       entailments: Layer | None = None) -> list[LayerRecord]:
        """Replace (or add) ``layers`` and drop ``remove`` in one update request.

        Same contract as ``KnowledgeStore.replace_layers``: on a parse error, a failed
        upload or a refused update the layers are as before. ``entailments`` (a dump's
        ``inferred`` graph made by the same rules) is uploaded instead of running the rules
        on the engine; N-Quads layers (a dump's files) are parsed locally block by block,
        each quad checked to be in the layer's graph. Raises DataError (bad RDF, a quad
        outside its graph, a count other than the layer's ``triples``), StoreLockedError
        (another writer), StoreError (engine failure, with what is left).
        """
        from itskg.graph.reasoning import load_rules

        say = progress or (lambda _m: None)
        rules = load_rules() if rules is None else list(rules)
        remove = list(remove)
        with self._write_lock():
            self._attach(required=False)
            for src in remove:
                if src not in self._records:
                    raise StoreError(
                        f"No layer '{src}' in {self.root}. Run 'itskg sources' to list them.")
            # Into an engine without an itskg graph (no generation: no reader can open it)
            # layers go straight to their graphs; otherwise through encoded staging graphs.
            direct = self._gen is None
            staged: dict[str, tuple[str, int]] = {}
            if entailments is not None and not (direct and fresh):
                say("entailments derived by the rules on the engine: given ones are uploaded "
                    "only into an engine without itskg graphs")
                entailments = None
            try:
                for ly in [*layers, *([entailments] if entailments else [])]:
                    target = ly.graph if direct else STAGING_GRAPH + ly.source
                    staged[ly.source] = (target, self._stage(ly, target, say, encode=not direct))
                if entailments is not None:
                    say(f"entailments taken as given ({staged['inferred'][1]:,} triples, "
                        "made by the same rules): nothing re-derived")
                say("swapping the layers in one update")
                gen, request = self._swap_request(layers, staged, remove, fresh, rules,
                                                  given=entailments is not None)
                self.client.update(request)
            except BaseException:
                with contextlib.suppress(Exception):
                    self._drop_staging()
                raise
            self._attach(required=True)
            self.check_union()
            say(f"committed generation {gen}")
            return [LayerRecord.from_dict(self._records[ly.source]) for ly in layers]

    def remove_layers(self, sources: Iterable[str], progress: Progress | None = None) -> None:
        self.replace_layers([], remove=list(sources), progress=progress)

    def _stage(self, ly: Layer, staging: str, say: Progress, *, encode: bool = True) -> int:
        """Upload ``ly`` into ``staging`` (``encode``: as staged IRIs); return its number of
        distinct triples. The graph is listed in the lock resource until the commit."""
        fmt = RDF_FORMATS.get(ly.format)
        if fmt is None or ly.format == "trig":
            raise StoreError(f"Layer {ly.source}: unsupported format {ly.format!r} "
                             "(use nt, ttl, or a dump's nq)")
        self.client.update(
            f"DROP SILENT GRAPH <{staging}> ;\nINSERT DATA {{ GRAPH <{LOCK_GRAPH}> "
            f"{{ <{LOCK_GRAPH}> <{STAGING}> <{staging}> }} }}")
        name = ly.file or (str(ly.data) if isinstance(ly.data, Path) else ly.source)
        batch = uuid.uuid4().hex[:12]
        if ly.format == "nq":
            sent = self._stage_quads(ly, staging, say, batch, encode=encode)
            return self._check_staged(ly, staging, sent)
        size = UPLOAD_CHUNK if self.client.gsp_url else INSERT_CHUNK
        seen: set[int] = set()
        chunk: list[ox.Triple] = []
        sent = 0
        try:
            src: Any = ly.data.open("rb") if isinstance(ly.data, Path) else ly.data
            with contextlib.ExitStack() as stack:
                if not isinstance(src, bytes):
                    stack.enter_context(src)
                for q in ox.parse(src, fmt, base_iri=ly.graph):
                    t = _encode(q.triple, batch, STAGED if encode else "")
                    h = hash(str(t))
                    if h in seen:
                        continue
                    seen.add(h)
                    chunk.append(t)
                    if len(chunk) >= size:
                        self._upload(staging, chunk)
                        sent += len(chunk)
                        say(f"uploading {ly.source}: {sent} triples")
                        chunk = []
        except SyntaxError as err:
            raise DataError(f"Layer '{ly.source}' is not valid RDF; the store was left "
                            "unchanged.", [Problem(str(err), file=name)]) from err
        if chunk:
            self._upload(staging, chunk)
            sent += len(chunk)
        return self._check_staged(ly, staging, sent)

    def _check_staged(self, ly: Layer, staging: str, sent: int) -> int:
        """The engine's count of ``staging`` after uploading ``sent`` distinct triples of
        ``ly``; DataError when it differs from the layer's declared ``triples``, StoreError
        when the engine lost some."""
        there = self.count(staging)
        if ly.triples is not None and there != ly.triples:
            raise DataError(
                f"Layer '{ly.source}' has {there} distinct triples, {ly.triples} expected; the "
                "layers are unchanged.", [Problem("count differs", file=ly.file or ly.source)])
        if ly.triples is None and there != sent:
            raise StoreError(
                f"Upload of '{ly.source}' to {self.root} is incomplete: the engine holds "
                f"{there} of {sent} triples in <{staging}>. The layers are unchanged; retry.")
        return there

    def _stage_quads(self, ly: Layer, staging: str, say: Progress, batch: str, *,
                     encode: bool) -> int:
        """Upload a dump's N-Quads file (gzip or not) into ``staging``, block by block: each
        block is parsed by the engine-independent parser into an in-memory store (syntax
        and IRIs checked, duplicates merged), checked to name only the layer's graph, and
        sent as N-Triples (no per-triple Python unless ``encode`` or the block has blank
        nodes: ``_upload_labelled``). Returns the triples
        sent. DataError naming the file and the block's first line otherwise."""
        import gzip

        path = Path(str(ly.data))
        graph = ox.NamedNode(ly.graph)
        sent, line = 0, 1
        opener: Any = gzip.open if path.name.endswith(".gz") else open
        try:
            with opener(path, "rb") as fh:
                for block in _line_blocks(fh, UPLOAD_BYTES):
                    if b"_:" in block:  # perhaps blank nodes: see _upload_labelled
                        sent += self._upload_labelled(ly, staging, block, batch, line,
                                                      encode=encode)
                        line += block.count(b"\n")
                        continue
                    mem = ox.Store()
                    try:
                        mem.load(block, ox.RdfFormat.N_QUADS)
                    except SyntaxError as err:
                        raise DataError(
                            f"Layer '{ly.source}' is not valid N-Quads; the layers are "
                            "unchanged.", [Problem(f"{err} (in the block from line {line})",
                                                   file=str(path))]) from err
                    others = [g for g in mem.named_graphs() if g != graph]
                    if others or next(iter(mem.quads_for_pattern(
                            None, None, None, ox.DefaultGraph())), None) is not None:
                        where = f"<{others[0].value}>" if others else "the default graph"
                        raise DataError(
                            f"{path.name}: a quad in {where}, outside <{ly.graph}>; the "
                            "layers are unchanged.",
                            [Problem(f"block from line {line}", file=str(path))])
                    if encode:
                        self._upload(staging, [_encode(q.triple, batch) for q in mem])
                    elif self.client.gsp_url:
                        self.client.post_ntriples(staging, mem.dump(
                            format=ox.RdfFormat.N_TRIPLES, from_graph=graph) or b"")
                    else:
                        self._upload(staging, [q.triple for q in mem])
                    sent += len(mem)
                    line += block.count(b"\n")
                    say(f"uploading {ly.source}: {sent:,} triples")
        except (EOFError, OSError) as err:
            if isinstance(err, OSError) and not isinstance(err, gzip.BadGzipFile):
                raise
            raise DataError(f"{path.name} is not a valid gzip file; the layers are unchanged.",
                            [Problem(str(err), file=str(path))]) from err
        return sent

    def _upload(self, graph: str, triples: list[ox.Triple]) -> None:
        buf = io.BytesIO()
        ox.serialize(triples, buf, ox.RdfFormat.N_TRIPLES)
        if self.client.gsp_url:
            self.client.post_ntriples(graph, buf.getvalue())
        else:
            self.client.update(f"INSERT DATA {{ GRAPH <{graph}> {{\n"
                               f"{buf.getvalue().decode('utf-8')}}} }}")

    def _upload_labelled(self, ly: Layer, staging: str, block: bytes, batch: str, line: int,
                         *, encode: bool) -> int:
        """Upload one block of a dump's N-Quads that may hold blank nodes. A store gives
        blank nodes new labels on every load and an engine scopes them to one request, so
        such a block goes through the parser, which keeps the file's labels, and is
        skolemised like any layer (``_encode``: the same label, the same IRI in every block
        of the layer). Returns the distinct triples sent; DataError as ``_stage_quads``."""
        graph = ox.NamedNode(ly.graph)
        triples: dict[str, ox.Triple] = {}
        try:
            for q in ox.parse(block, ox.RdfFormat.N_QUADS):
                if q.graph_name != graph:
                    where = "the default graph" if isinstance(q.graph_name, ox.DefaultGraph) \
                        else str(q.graph_name)
                    raise DataError(
                        f"{Path(str(ly.data)).name}: a quad in {where}, outside <{ly.graph}>; "
                        "the layers are unchanged.",
                        [Problem(f"block from line {line}", file=str(ly.data))])
                t = _encode(q.triple, batch, STAGED if encode else "")
                triples[str(t)] = t
        except SyntaxError as err:
            raise DataError(
                f"Layer '{ly.source}' is not valid N-Quads; the layers are unchanged.",
                [Problem(f"{err} (in the block from line {line})", file=str(ly.data))]) from err
        if triples:
            self._upload(staging, list(triples.values()))
        return len(triples)

    def _swap_request(self, layers: Sequence[Layer], staged: dict[str, tuple[str, int]],
                      remove: list[str], fresh: bool, rules: Sequence[str], *,
                      given: bool = False) -> tuple[str, str]:
        """The one update that commits a change: (new generation, request text). ``given``:
        the ``inferred`` graph was uploaded (already in place), the rules are not run."""
        gen = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
        replaced = {ly.source for ly in layers} | set(remove) | set(DERIVED_SOURCES)
        old = self._records
        kept = {} if fresh else {s: d for s, d in old.items() if s not in replaced}
        ops = [f"DROP SILENT GRAPH <{d['graph']}>" for s, d in old.items()
               if s not in kept and s not in DERIVED_SOURCES]
        records: dict[str, dict[str, Any]] = dict(kept)
        n_kept = len(kept)
        for i, ly in enumerate(layers):
            graph, n = staged[ly.source]
            if graph != ly.graph:  # staged: decode into the layer graph
                ops.append(f"DROP SILENT GRAPH <{ly.graph}>")
                ops.append(
                    f"INSERT {{ GRAPH <{ly.graph}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{graph}> "
                    "{ ?s0 ?p0 ?o0 } BIND(IRI(SUBSTR(STR(?s0), 18)) AS ?s) "
                    "BIND(IRI(SUBSTR(STR(?p0), 18)) AS ?p) "
                    "BIND(IF(isIRI(?o0), IRI(SUBSTR(STR(?o0), 18)), ?o0) AS ?o) }")
                ops.append(f"DROP SILENT GRAPH <{graph}>")
            ops.append(f"DELETE DATA {{ GRAPH <{LOCK_GRAPH}> {{ <{LOCK_GRAPH}> <{STAGING}> "
                       f"<{graph}> }} }}")
            records[ly.source] = layer_record(ly, n) | {"order": n_kept + i}
        # Rules read the union of the layers: USING lists them (SPARQL 1.1), except where the
        # engine's update WHERE already reads the union and refuses USING (Oxigraph server).
        using = [] if self.client.detect() in UNION_UPDATES else \
            [d["graph"] for d in records.values()] + [INFERRED_GRAPH]
        prologue, bare = hoist_prefixes(list(rules))
        if given:
            ops.append(f"DELETE DATA {{ GRAPH <{LOCK_GRAPH}> {{ <{LOCK_GRAPH}> <{STAGING}> "
                       f"<{INFERRED_GRAPH}> }} }}")
        else:
            ops.append(f"DROP SILENT GRAPH <{INFERRED_GRAPH}>")
            ops += [insert_rule(r, INFERRED_GRAPH, using) for r in bare]
            ops.append(
                f"DELETE {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH "
                f"<{INFERRED_GRAPH}> {{ ?s ?p ?o }} GRAPH ?other {{ ?s ?p ?o }} "
                f"FILTER(?other != <{INFERRED_GRAPH}>) }}")
        records["inferred"] = inferred_record(0)
        ops.append(f"DROP SILENT GRAPH <{META_GRAPH}>")
        ops.append(f"INSERT DATA {{ GRAPH <{META_GRAPH}> {{\n"
                   f"{self._meta_data(records, gen)}}} }}")
        # counts only the engine knows once the rules ran: inferred, and the whole dataset
        ops.append(
            f"INSERT {{ GRAPH <{META_GRAPH}> {{ <{INFERRED_GRAPH}> <{VOID_TRIPLES}> ?n }} }} "
            f"WHERE {{ SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{INFERRED_GRAPH}> "
            "{ ?s ?p ?o } } }")
        ops.append(
            f"INSERT {{ GRAPH <{META_GRAPH}> {{ <{DATASET_IRI}> <{VOID_TRIPLES}> ?t }} }} "
            f"WHERE {{ SELECT (SUM(?n) AS ?t) WHERE {{ GRAPH <{META_GRAPH}> {{ "
            f"<{DATASET_IRI}> <{PREFIXES['void']}subset> ?g . ?g <{VOID_TRIPLES}> ?n }} }} }}")
        return gen, prologue + " ;\n".join(ops)

    @staticmethod
    def _meta_data(records: dict[str, dict[str, Any]], gen: str) -> str:
        """The metadata graph without the two engine-computed counts, plus the records."""
        return meta_ntriples(records, gen, engine_counts=True).decode("utf-8")


def meta_ntriples(records: dict[str, dict[str, Any]], gen: str | None, *,
                  engine_counts: bool = False) -> bytes:
    """The metadata graph as a remote store keeps it: DCAT/PROV/VoID of ``records``, each
    record as JSON (``itskg:layerRecord``) and the generation (``dcat:version``).

    ``engine_counts``: leave out the inferred and dataset ``void:triples`` (the commit's
    update computes them on the engine). Dumps write it with every count, so an engine
    filled by its own bulk loader is a complete itskg store.
    """
    raw = metadata_ntriples([{k: v for k, v in d.items() if k != "order"}
                             for d in records.values()])
    keep = []
    for t in ox.parse(raw, ox.RdfFormat.N_TRIPLES):
        if engine_counts and t.predicate.value == VOID_TRIPLES and t.subject.value in (
                INFERRED_GRAPH, DATASET_IRI):
            continue
        keep.append(t.triple)
    for d in records.values():
        if engine_counts and d["source"] in DERIVED_SOURCES:
            d = {**d, "triples": 0}
        keep.append(ox.Triple(ox.NamedNode(d["graph"]), ox.NamedNode(LAYER_RECORD),
                              ox.Literal(json.dumps(d, sort_keys=True))))
    if gen:
        keep.append(ox.Triple(ox.NamedNode(DATASET_IRI), ox.NamedNode(VERSION),
                              ox.Literal(gen)))
    buf = io.BytesIO()
    ox.serialize(keep, buf, ox.RdfFormat.N_TRIPLES)
    return buf.getvalue()


_PARSER = ox.Store()  # empty, in memory: parses queries, holds nothing


def _check_syntax(text: str) -> None:
    """Raise QuerySyntaxError, with the line:column of the error, when ``text`` is not
    SPARQL 1.1 (Oxigraph's parser, the one the local store uses): every backend rejects a
    malformed query the same way, before anything is sent. Nothing is evaluated (the
    result is not iterated, and the database is empty)."""
    try:
        _PARSER.query(text)
    except SyntaxError as err:
        raise QuerySyntaxError(f"SPARQL syntax error: {err}") from err


_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_BOOL_JSON = re.compile(rb'\{[^{}]*"' + re.escape(_XSD_BOOLEAN.encode()) + rb'"[^{}]*\}')
_BOOL_JSON_VALUE = re.compile(rb'("value"\s*:\s*")([01])(")')
_BOOL_XML = re.compile(rb'(<literal datatype="' + re.escape(_XSD_BOOLEAN.encode())
                       + rb'">\s*)([01])(\s*</literal>)')
_BOOL_TERM = re.compile(rb'(")([01])("\^\^<' + re.escape(_XSD_BOOLEAN.encode()) + rb'>)')
_CANONICAL = {b"1": b"true", b"0": b"false"}


def canonical_booleans(body: bytes, media: str) -> bytes:
    """``body`` (SPARQL results or N-Triples/Turtle) with every xsd:boolean literal written
    ``1``/``0`` in its canonical form ``true``/``false`` (XML Schema 1.1, 3.3.2.2: the same
    values). Virtuoso 7 writes booleans as 1/0; without this a boolean column would read
    differently from one engine to the next. Bodies without such a literal are returned as
    they are (one substring test).

    >>> canonical_booleans(b'{"b": {"type": "typed-literal", "datatype": '
    ...     b'"http://www.w3.org/2001/XMLSchema#boolean", "value": "1"}}',
    ...     "application/sparql-results+json")[-17:]
    b'"value": "true"}}'
    >>> canonical_booleans(b'<a> <b> "0"^^<http://www.w3.org/2001/XMLSchema#boolean> .',
    ...                    "application/n-triples")
    b'<a> <b> "false"^^<http://www.w3.org/2001/XMLSchema#boolean> .'
    """
    if _XSD_BOOLEAN.encode() not in body:
        return body

    def fix(m: re.Match[bytes]) -> bytes:
        return m.group(1) + _CANONICAL[m.group(2)] + m.group(3)

    if media.endswith("json"):
        return _BOOL_JSON.sub(lambda m: _BOOL_JSON_VALUE.sub(fix, m.group(0)), body)
    if media.endswith("xml"):
        return _BOOL_XML.sub(fix, body)
    return _BOOL_TERM.sub(fix, body)


def _encode(t: ox.Triple, batch: str, prefix: str = STAGED) -> ox.Triple:
    """A triple as uploaded: IRIs prefixed with ``prefix`` (``STAGED`` for staging graphs),
    blank nodes as skolem IRIs."""
    def enc(x: Any) -> Any:
        if isinstance(x, ox.NamedNode):
            return ox.NamedNode(prefix + x.value) if prefix else x
        if isinstance(x, ox.BlankNode):
            return ox.NamedNode(f"{prefix}{GENID}{batch}-{x.value}")
        return x

    return ox.Triple(enc(t.subject), enc(t.predicate), enc(t.object))


class _Triples:
    """Triples of a CONSTRUCT/DESCRIBE answer (what QueryResult iterates and serialises)."""

    def __init__(self, quads: Iterable[Any]):
        self._quads = quads

    def __iter__(self) -> Iterator[ox.Triple]:
        for q in self._quads:
            yield q.triple


def _line_blocks(fh: IO[bytes], size: int) -> Iterator[bytes]:
    """``fh`` read in blocks of about ``size`` bytes, each ending at a line end."""
    rest = b""
    while data := fh.read(size):
        data = rest + data
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            rest = data
            continue
        rest = data[cut:]
        yield data[:cut]
    if rest:
        yield rest
