"""Killable SPARQL execution: a small pool of worker processes, each with its own store handle.

The engine cannot cancel a running query, so a hard time limit needs a process to kill.
``QueryExecutor`` keeps ``workers`` processes (multiprocessing *forkserver* context, never fork
after threads); each opens ``KnowledgeStore.open(store_path)`` read-only once and reuses it.
A query goes to an idle worker over a pipe; the worker answers with the result already
serialised in the requested format, so the parent only moves bytes. When the answer does not
arrive within ``timeout`` seconds the parent kills that worker (SIGKILL), starts a replacement
in the background and raises ``QueryTimeoutError``. ``run`` blocks the calling thread;
``arun`` waits on the worker's pipe from an asyncio loop (no thread hop, used by the server).
A script that creates an executor must guard its entry point (``if __name__ == "__main__"``),
as for any multiprocessing program that does not fork.

Before each query a worker checks the store's CURRENT generation and switches to it when an
``itskg import`` has committed a new one, so serving and importing can run side by side.

Row cap: a SELECT returns at most ``max_rows`` rows, and a cut is never silent. The parent
adds ``LIMIT max_rows+1`` to the query text (or lowers a larger top-level LIMIT; inserted
before a trailing VALUES block) so the engine stops early; the worker serialises with the
engine's own writers and, when ``max_rows+1`` rows came back, drops the last one and marks
the result ``truncated`` (``ExecResult.truncated``; JSON head ``"link":
["https://w3id.org/itskg/ontology#truncated"]``, XML head ``<link href=...>``). If the rewritten
text does not parse, the original runs and is trimmed the same way. Measured on 100,000 rows
(JSON): engine serialiser 1.2 s, Python rows from ``QueryResult.rows`` + json.dumps 4.5 s,
so the cut edits the engine's bytes (JSON: only the last row is parsed, TSV/XML: split).
``serialize_rows`` remains for callers that hold rows of Terms. CONSTRUCT/DESCRIBE and ASK
are not capped.

Refused before anything runs (``QueryRefusedError``): SERVICE (the engine would fetch remote
endpoints), LOAD, and FROM / FROM NAMED / protocol dataset IRIs that are not named graphs or
layers of the store (nothing remote is ever fetched). ``scan_query`` is a small SPARQL
tokenizer that skips strings, comments, IRIs and variables, so ``"SERVICE"`` in a literal is
harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import logging
import multiprocessing as mp
import os
import queue
import re
import select
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin
from xml.sax.saxutils import escape, quoteattr

from itskg.graph.errors import (
    ItskgError,
    QueryError,
    QueryParameterError,
    QueryRefusedError,
    QuerySyntaxError,
    QueryTimeoutError,
    StoreError,
)
from itskg.graph.namespaces import INFERRED_GRAPH, META_GRAPH, ONTOLOGY
from itskg.graph.store import KnowledgeStore, Term

__all__ = [
    "GRAPH_FORMATS",
    "RESULT_FORMATS",
    "TRUNCATED_LINK",
    "ExecResult",
    "QueryExecutor",
    "QueryInfo",
    "UpdatePlan",
    "apply_update",
    "scan_query",
    "scan_update",
    "serialize_rows",
]

log = logging.getLogger(__name__)

#: format key -> media type (SELECT/ASK results, then CONSTRUCT/DESCRIBE graphs)
RESULT_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
}
GRAPH_FORMATS = {
    "turtle": "text/turtle; charset=utf-8",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
TRUNCATED_LINK = ONTOLOGY + "truncated"

# ------------------------------------------------------------------------- scanning
_TOKEN = re.compile(
    r"""(?P<ws>\s+)|(?P<comment>\#[^\n\r]*)
    |(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
        |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)|(?P<var>[?$]\w+)|(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    |(?P<pname>(?:[A-Za-z_][\w.-]*)?:(?:[\w.:%-]|\\.)*)|(?P<word>[A-Za-z]\w*)|(?P<num>\d+)
    |(?P<other>.)""",
    re.X | re.S,
)
_QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}


@dataclass
class QueryInfo:
    """What ``scan_query`` found: the form, the dataset IRIs, the top-level LIMIT."""

    form: str  # select | ask | construct | describe | update | unknown
    from_graphs: list[str] = field(default_factory=list)
    from_named_graphs: list[str] = field(default_factory=list)
    limit: int | None = None
    limit_span: tuple[int, int] | None = None  # where the LIMIT number is in the text
    values_at: int | None = None  # offset of a top-level (trailing) VALUES block

    @property
    def is_graph(self) -> bool:
        return self.form in {"construct", "describe"}

    def capped(self, text: str, cap: int) -> str | None:
        """``text`` with its top-level LIMIT set to ``cap + 1`` (None: SELECT already small)."""
        if self.form != "select" or (self.limit is not None and self.limit <= cap):
            return None
        if self.limit_span is not None:
            a, b = self.limit_span
            return f"{text[:a]}{cap + 1}{text[b:]}"
        at = len(text) if self.values_at is None else self.values_at
        return f"{text[:at]}\nLIMIT {cap + 1}\n{text[at:]}"


def _tokens(text: str) -> list[tuple[str, str, int]]:
    """Significant tokens as (kind, text, offset); whitespace and comments dropped."""
    return [(m.lastgroup or "other", m.group(), m.start()) for m in _TOKEN.finditer(text)
            if m.lastgroup not in {"ws", "comment"}]


def _resolve(kind: str, tok: str, prefixes: dict[str, str], base: str | None) -> str:
    if kind == "iri":
        iri = tok[1:-1]
        return urljoin(base, iri) if base and ":" not in iri else iri
    pfx, _, local = tok.rstrip(".").partition(":")
    if pfx not in prefixes:
        raise QueryParameterError(f"The prefix '{pfx}:' in '{tok}' is not declared.")
    return prefixes[pfx] + local


def _refuse_remote(tokens: list[tuple[str, str, int]]) -> None:
    for kind, tok, _ in tokens:
        if kind == "word" and tok.upper() == "SERVICE":
            raise QueryRefusedError(
                "SERVICE (federated query) is not allowed on this endpoint: it would make the "
                "server fetch data from another site. Run the federated query on your own "
                "client, or query this endpoint and the other one separately."
            )
        if kind == "word" and tok.upper() == "LOAD":
            raise QueryRefusedError(
                "LOAD is not allowed: this endpoint never fetches remote data. "
                "Add data with 'itskg import' instead."
            )


def scan_query(text: str) -> QueryInfo:
    """Tokenize a SPARQL query: its form and FROM graphs; refuse SERVICE and LOAD.

    >>> scan_query('SELECT * FROM <urn:g> { ?s ?p "SERVICE" }').from_graphs
    ['urn:g']
    """
    toks = _tokens(text)
    _refuse_remote(toks)
    prefixes: dict[str, str] = {}
    base: str | None = None
    info = QueryInfo("unknown")
    depth, i, end = 0, 0, ("", "", len(text))
    while i < len(toks):
        kind, tok, pos = toks[i]
        up = tok.upper() if kind == "word" else ""
        nxt = toks[i + 1] if i + 1 < len(toks) else end
        if kind == "other":
            depth += {"{": 1, "}": -1}.get(tok, 0)
        elif up == "PREFIX" and nxt[0] == "pname" and i + 2 < len(toks) and toks[i + 2][0] == "iri":
            prefixes[nxt[1][:-1]] = _resolve("iri", toks[i + 2][1], {}, base)
            i += 3
            continue
        elif up == "BASE" and nxt[0] == "iri":
            base = _resolve("iri", nxt[1], {}, base)
        elif info.form == "unknown" and up:
            info.form = up.lower() if up in _QUERY_FORMS else "update"
        elif up == "FROM":
            named = nxt[0] == "word" and nxt[1].upper() == "NAMED"
            j = i + (2 if named else 1)
            if j < len(toks) and toks[j][0] in {"iri", "pname"}:
                iri = _resolve(toks[j][0], toks[j][1], prefixes, base)
                (info.from_named_graphs if named else info.from_graphs).append(iri)
        elif depth == 0 and up == "LIMIT" and nxt[0] == "num":
            info.limit, info.limit_span = int(nxt[1]), (nxt[2], nxt[2] + len(nxt[1]))
        elif depth == 0 and up == "VALUES" and info.values_at is None:
            info.values_at = pos
        i += 1
    return info


@dataclass
class UpdatePlan:
    """A SPARQL Update split into what the store can apply and what it cannot."""

    drop_graphs: list[tuple[str, bool]] = field(default_factory=list)  # (graph IRI, silent)
    unsupported: list[str] = field(default_factory=list)  # first keyword of each other operation


def scan_update(text: str) -> UpdatePlan:
    """Read an update: ``DROP|CLEAR [SILENT] GRAPH <g>`` operations can be applied, others not.

    LOAD and SERVICE raise ``QueryRefusedError``.
    """
    toks = _tokens(text)
    _refuse_remote(toks)
    prefixes: dict[str, str] = {}
    base: str | None = None
    plan = UpdatePlan()
    ops: list[list[tuple[str, str]]] = [[]]
    for kind, tok, _ in toks:
        if kind == "other" and tok == ";":
            ops.append([])
        else:
            ops[-1].append((kind, tok))
    for op in ops:
        while len(op) >= 2 and op[0][0] == "word" and op[0][1].upper() in {"PREFIX", "BASE"}:
            if op[0][1].upper() == "BASE":
                base = _resolve("iri", op[1][1], {}, base)
                op = op[2:]
            elif len(op) >= 3:
                prefixes[op[1][1][:-1]] = _resolve("iri", op[2][1], {}, base)
                op = op[3:]
            else:
                break
        if not op:
            continue
        words = [t.upper() for k, t in op if k == "word"]
        silent = len(words) > 1 and words[1] == "SILENT"
        shape = [k for k, _ in op]
        if words[:1] in (["DROP"], ["CLEAR"]) and shape[-1] in {"iri", "pname"} and (
                words[1 + silent: 2 + silent] == ["GRAPH"] and len(op) == 3 + silent):
            plan.drop_graphs.append((_resolve(op[-1][0], op[-1][1], prefixes, base), silent))
        else:
            plan.unsupported.append(words[0] if words else op[0][1])
    return plan


# ------------------------------------------------------------------- serialising rows
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def _json_term(t: Term) -> dict[str, str]:
    if t.kind == "iri":
        return {"type": "uri", "value": t.value}
    if t.kind == "bnode":
        return {"type": "bnode", "value": t.value}
    d = {"type": "literal", "value": t.value}
    if t.lang:
        d["xml:lang"] = t.lang
    elif t.datatype and t.datatype not in (_XSD_STRING, _LANG_STRING):
        d["datatype"] = t.datatype
    return d


def _xml_term(t: Term) -> str:
    if t.kind == "iri":
        return f"<uri>{escape(t.value)}</uri>"
    if t.kind == "bnode":
        return f"<bnode>{escape(t.value)}</bnode>"
    if t.lang:
        return f"<literal xml:lang={quoteattr(t.lang)}>{escape(t.value)}</literal>"
    if t.datatype and t.datatype not in (_XSD_STRING, _LANG_STRING):
        return f"<literal datatype={quoteattr(t.datatype)}>{escape(t.value)}</literal>"
    return f"<literal>{escape(t.value)}</literal>"


def _csv_cell(t: Term | None) -> str:
    if t is None:
        return ""
    v = f"_:{t.value}" if t.kind == "bnode" else t.value
    if any(c in v for c in ',"\r\n'):
        return '"' + v.replace('"', '""') + '"'
    return v


def serialize_rows(variables: Sequence[str], rows: Sequence[dict[str, Term | None]], fmt: str,
                   truncated: bool = False) -> bytes:
    """SPARQL 1.1 results (json, xml, csv, tsv) from rows of Terms (``QueryResult.rows()``).

    For rows already in Python; a whole result is faster through ``QueryResult.serialize``
    (about 4x on 100,000 rows). ``truncated`` adds the truncation link to the JSON/XML head.
    """
    if fmt == "json":
        head: dict[str, Any] = {"vars": list(variables)}
        if truncated:
            head["link"] = [TRUNCATED_LINK]
        bindings = [{k: _json_term(t) for k, t in r.items() if t is not None} for r in rows]
        return json.dumps({"head": head, "results": {"bindings": bindings}},
                          ensure_ascii=False, separators=(",", ":")).encode()
    if fmt == "xml":
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
               "<head>"]
        out += [f"<variable name={quoteattr(v)}/>" for v in variables]
        if truncated:
            out.append(f"<link href={quoteattr(TRUNCATED_LINK)}/>")
        out.append("</head><results>")
        for r in rows:
            out.append("<result>")
            out += [f"<binding name={quoteattr(k)}>{_xml_term(t)}</binding>"
                    for k, t in r.items() if t is not None]
            out.append("</result>")
        out.append("</results></sparql>\n")
        return "".join(out).encode()
    if fmt == "csv":
        lines = [",".join(variables)]
        lines += [",".join(_csv_cell(r[v]) for v in variables) for r in rows]
        return ("\r\n".join(lines) + "\r\n").encode()
    if fmt == "tsv":
        lines = ["\t".join("?" + v for v in variables)]
        lines += ["\t".join("" if (t := r[v]) is None else t.n3().replace("\t", "\\t")
                            for v in variables) for r in rows]
        return ("\n".join(lines) + "\n").encode()
    raise QueryParameterError(f"Unknown result format {fmt!r}; use one of {sorted(RESULT_FORMATS)}")


# -------------------------------------------------------------- trimming to the cap
def _drop_last_json_row(body: bytes) -> bytes | None:
    """The engine's JSON results without their last row, plus the truncation link.

    Tries each ``},{`` from the end: the real row boundary is the one after which exactly one
    JSON object runs to the closing ``]}}`` (a ``},{`` inside a literal cannot start valid
    JSON: the literal's quotes are escaped). None when the shape is not the expected one.
    """
    text = body.decode()
    if not text.endswith("]}}") or '},"results":' not in text:
        return None
    dec = json.JSONDecoder()
    end = len(text) - 3
    pos = text.rfind("},{", 0, end)
    while pos > 0:
        try:
            row, stop = dec.raw_decode(text, pos + 2)
        except ValueError:
            row, stop = None, -1
        if stop == end and isinstance(row, dict):
            head = text[: pos + 1].replace(
                ']},"results":', f'],"link":{json.dumps([TRUNCATED_LINK])}}},"results":', 1)
            return (head + "]}}").encode()
        pos = text.rfind("},{", 0, pos)
    return None


def _trim(body: bytes, fmt: str, cap: int, one_extra: bool = False
          ) -> tuple[bytes, bool, int | None]:
    """Cut the engine's SELECT output to ``cap`` rows: (body, truncated, rows if known).

    ``one_extra``: the query ran with LIMIT cap+1, so at most one row is too many.
    Cheap exact or upper-bound row counts decide whether anything needs parsing: TSV rows are
    lines (the engine escapes newlines), ``<result>`` cannot occur escaped in XML, and every
    JSON row after the first starts with ``},{`` (literals can only add to that count).
    """
    if fmt == "tsv":
        lines = body.split(b"\n")
        n = len(lines) - 2
        if n <= cap:
            return body, False, n
        return b"\n".join(lines[: cap + 1]) + b"\n", True, cap
    if fmt == "xml":
        n = body.count(b"<result>")
        if n <= cap:
            return body, False, n
        kept = b"<result>".join(body.split(b"<result>", cap + 1)[: cap + 1])
        link = f"<link href={quoteattr(TRUNCATED_LINK)}/></head>".encode()
        return kept.replace(b"</head>", link, 1) + b"</results></sparql>", True, cap
    if fmt == "json":
        if body.count(b"},{") + 1 <= cap:
            return body, False, None
        if one_extra and (fast := _drop_last_json_row(body)) is not None:
            return fast, True, cap
        doc = json.loads(body)
        rows = doc["results"]["bindings"]
        if len(rows) <= cap:
            return body, False, len(rows)
        del rows[cap:]
        doc["head"]["link"] = [TRUNCATED_LINK]
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode(), True, cap
    if fmt == "csv":
        if body.count(b"\n") - 1 <= cap:
            return body, False, None
        table = list(csv.reader(io.StringIO(body.decode(), newline="")))
        if len(table) - 1 <= cap:
            return body, False, len(table) - 1
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(table[: cap + 1])
        return out.getvalue().encode(), True, cap
    raise QueryParameterError(f"Unknown result format {fmt!r}; use one of {sorted(RESULT_FORMATS)}")


@dataclass
class ExecResult:
    """A serialised query answer: bytes plus what the HTTP layer needs to describe it."""

    body: bytes
    media_type: str
    form: str
    truncated: bool = False
    rows: int | None = None
    generation: str | None = None


# ------------------------------------------------------------------------- the worker
def _execute(store: KnowledgeStore, graphs: set[str], req: dict[str, Any], max_rows: int
             ) -> ExecResult:
    for g in req["check_graphs"]:
        if g not in graphs:
            raise QueryRefusedError(
                f"<{g}> is not a named graph of this store, and this endpoint never fetches "
                "remote graphs. GET /.well-known/void lists the graphs it holds."
            )
    kw = {"default_graphs": req["default_graphs"] or None,
          "named_graphs": req["named_graphs"] or None}
    capped = bool(req["capped"])
    try:
        res = store.query(req["capped"] or req["sparql"], **kw)
    except QuerySyntaxError:
        if not capped:
            raise
        capped = False
        res = store.query(req["sparql"], **kw)  # our LIMIT did not fit: run the text as sent
    fmt = req["fmt"]
    kinds = GRAPH_FORMATS if res.kind == "graph" else RESULT_FORMATS
    if fmt not in kinds:
        raise QueryParameterError(f"Format {fmt!r} does not fit a {res.kind} query result.")
    buf = io.BytesIO()
    res.serialize(fmt, buf)
    if res.kind != "select":
        return ExecResult(buf.getvalue(), kinds[fmt], req["form"])
    body, cut, rows = _trim(buf.getvalue(), fmt, max_rows, one_extra=capped)
    return ExecResult(body, kinds[fmt], "select", cut, rows)


def _stat_key(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns)


def _worker_main(conn: Any, store_path: str, max_rows: int) -> None:
    try:
        store = KnowledgeStore.open(store_path)
    except BaseException as err:  # report why the worker cannot start
        conn.send(("fail", err if isinstance(err, ItskgError) else StoreError(str(err))))
        return
    conn.send(("ready", os.getpid()))
    graphs: set[str] | None = None
    current = Path(store_path) / "CURRENT"  # replaced by atomic rename on every commit
    seen: tuple[int, int] | None = (-1, -1)
    while True:
        try:
            req = conn.recv()
        except (EOFError, OSError):
            return
        if req is None:
            return
        try:
            key = _stat_key(current)
            if key != seen and store.current_generation() != store.generation:
                store.refresh()
                graphs = None
            seen = key
            if graphs is None:
                graphs = set(store.graphs()) | {r.graph for r in store.layers()}
            out: Any = _execute(store, graphs, req, max_rows)
            out.generation = store.generation
            conn.send(("ok", out))
        except ItskgError as err:
            conn.send(("err", err))
        except Exception as err:
            conn.send(("err", QueryError(f"The query failed: {type(err).__name__}: {err}")))


@dataclass(eq=False)
class _Worker:
    proc: Any
    conn: Any
    poller: Any = None

    def wait(self, seconds: float) -> bool:
        """True when an answer is ready within ``seconds`` (one poll(2), no selector setup)."""
        if self.poller is None:
            self.poller = select.poll()
            self.poller.register(self.conn.fileno(), select.POLLIN)
        return bool(self.poller.poll(max(0, int(seconds * 1000))))


class QueryExecutor:
    """Runs SPARQL queries in ``workers`` killable processes over the store at ``store_path``.

    >>> with QueryExecutor(path, workers=2, timeout=30) as ex:   # doctest: +SKIP
    ...     ex.run("SELECT * { ?s ?p ?o } LIMIT 1", "json").body
    """

    def __init__(self, store_path: Path | str, *, workers: int = 2, timeout: float = 30.0,
                 max_rows: int = 100_000, start_timeout: float = 60.0):
        self.store_path = Path(store_path)
        self.timeout = timeout
        self.max_rows = max_rows
        self.start_timeout = start_timeout
        self._ctx = mp.get_context("forkserver")
        self._ctx.set_forkserver_preload([__name__])
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        started = [self._spawn() for _ in range(workers)]
        try:
            for w in started:
                self._await_ready(w)
                self._idle.put(w)
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------ pool management
    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=_worker_main, name="itskg-query-worker", daemon=True,
                                 args=(child, str(self.store_path), self.max_rows))
        proc.start()
        child.close()
        w = _Worker(proc, parent)
        with self._lock:
            self._workers.add(w)
        return w

    def _await_ready(self, w: _Worker) -> None:
        msg: Any = ("fail", StoreError(
            f"A query worker did not start within {self.start_timeout:g} s."))
        try:
            if w.conn.poll(self.start_timeout):
                msg = w.conn.recv()
        except (EOFError, OSError):
            w.proc.join(5)
            msg = ("fail", StoreError(
                f"A query worker exited while starting (exit code {w.proc.exitcode}); "
                "see the log above. A script that starts itskg must guard its entry point "
                "with 'if __name__ == \"__main__\":'."))
        if msg[0] != "ready":
            self._discard(w)
            raise msg[1]

    def _discard(self, w: _Worker) -> None:
        with self._lock:
            self._workers.discard(w)
        if w.proc.is_alive():
            w.proc.kill()
        w.proc.join(5)
        w.conn.close()

    def _replace(self, w: _Worker) -> None:
        """Kill ``w`` now; start its replacement in the background."""
        self._discard(w)

        def start() -> None:
            for attempt in range(5):
                if self._closed:
                    return
                try:
                    nw = self._spawn()
                    self._await_ready(nw)
                except Exception:
                    log.exception("query worker restart failed (attempt %d)", attempt + 1)
                    time.sleep(1)
                    continue
                if self._closed:
                    self._discard(nw)
                else:
                    self._idle.put(nw)
                return

        threading.Thread(target=start, name="itskg-worker-restart", daemon=True).start()

    @property
    def pids(self) -> list[int]:
        """Process ids of the live workers (busy or idle)."""
        with self._lock:
            return sorted(w.proc.pid for w in self._workers)

    # ------------------------------------------------------------------- running
    def _request(self, sparql: str, fmt: str | None, default_graphs: Sequence[str],
                 named_graphs: Sequence[str], info: QueryInfo | None) -> dict[str, Any]:
        if self._closed:
            raise QueryError("The query executor is closed.")
        info = info or scan_query(sparql)
        fmt = fmt or ("turtle" if info.is_graph else "json")
        if fmt not in (GRAPH_FORMATS if info.is_graph else RESULT_FORMATS) and info.form in (
                "select", "ask", "construct", "describe"):
            raise QueryParameterError(f"Format {fmt!r} does not fit a {info.form.upper()} query.")
        return {"sparql": sparql, "fmt": fmt, "form": info.form,
                "capped": info.capped(sparql, self.max_rows),
                "default_graphs": list(default_graphs), "named_graphs": list(named_graphs),
                "check_graphs": [*default_graphs, *named_graphs, *info.from_graphs,
                                 *info.from_named_graphs]}

    def _busy_error(self) -> QueryTimeoutError:
        return QueryTimeoutError(
            f"All query workers stayed busy for {self.timeout:g} s; try again later "
            "(more workers: ITSKG_QUERY_WORKERS)."
        )

    def _timed_out(self, w: _Worker) -> QueryTimeoutError:
        self._replace(w)
        return QueryTimeoutError(
            f"The query ran longer than {self.timeout:g} s and was stopped. Add LIMIT or "
            "narrow its patterns; the server's limit is set by ITSKG_QUERY_TIMEOUT."
        )

    def _died(self, w: _Worker) -> QueryError:
        code = w.proc.exitcode
        self._replace(w)
        return QueryError(
            f"The query worker stopped unexpectedly (exit code {code}); it is being "
            "restarted. If this repeats, the query may exhaust memory: add LIMIT."
        )

    def _answer(self, w: _Worker) -> ExecResult:
        try:
            status, payload = w.conn.recv()
        except (EOFError, OSError) as err:
            raise self._died(w) from err
        self._idle.put(w)
        if status == "err":
            raise payload
        return payload  # type: ignore[no-any-return]

    def run(self, sparql: str, fmt: str | None = None, *, default_graphs: Sequence[str] = (),
            named_graphs: Sequence[str] = (), info: QueryInfo | None = None) -> ExecResult:
        """Run one query; ``fmt`` is a key of RESULT_FORMATS or GRAPH_FORMATS (None: json/turtle).

        ``info`` is ``scan_query(sparql)`` when the caller has it already (to pick ``fmt``).
        Waits up to ``timeout`` for an idle worker, then up to ``timeout`` for the answer.
        Raises QuerySyntaxError, QueryRefusedError, QueryTimeoutError, QueryError.
        """
        req = self._request(sparql, fmt, default_graphs, named_graphs, info)
        try:
            w = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise self._busy_error() from None
        try:
            w.conn.send(req)
            ready = w.wait(self.timeout)
        except OSError as err:
            raise self._died(w) from err
        if not ready:
            raise self._timed_out(w)
        return self._answer(w)

    async def arun(self, sparql: str, fmt: str | None = None, *,
                   default_graphs: Sequence[str] = (), named_graphs: Sequence[str] = (),
                   info: QueryInfo | None = None) -> ExecResult:
        """``run`` for an asyncio event loop: waits on the worker's pipe without a thread.

        Saves two thread switches per query (measured: see the module docstring).
        """
        req = self._request(sparql, fmt, default_graphs, named_graphs, info)
        try:
            w = self._idle.get_nowait()
        except queue.Empty:
            loop = asyncio.get_running_loop()
            try:
                w = await loop.run_in_executor(None, self._idle.get, True, self.timeout)
            except queue.Empty:
                raise self._busy_error() from None
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()
        fd = w.conn.fileno()

        def settle(exc: BaseException | None = None) -> None:
            if not ready.done():
                ready.set_result(None) if exc is None else ready.set_exception(exc)

        try:
            w.conn.send(req)
            loop.add_reader(fd, settle)
            timer = loop.call_later(self.timeout, settle, TimeoutError())  # cheaper than wait_for
            try:
                await ready
            finally:
                timer.cancel()
                loop.remove_reader(fd)
                # uvloop's add_reader leaves the fd non-blocking: a large answer would then
                # fail in recv() with EAGAIN.
                os.set_blocking(fd, True)
        except TimeoutError:
            raise self._timed_out(w) from None
        except asyncio.CancelledError:  # client went away: the worker may be mid-query
            self._replace(w)
            raise
        except OSError as err:
            raise self._died(w) from err
        return self._answer(w)

    def close(self) -> None:
        """Stop every worker (idle ones politely, busy ones by kill)."""
        self._closed = True
        with self._lock:
            workers = list(self._workers)
        for w in workers:
            with contextlib.suppress(OSError, ValueError):
                w.conn.send(None)
        for w in workers:
            w.proc.join(1)
            self._discard(w)

    def __enter__(self) -> QueryExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -------------------------------------------------------------------------- updates
def apply_update(store_path: Path | str, plan: UpdatePlan) -> list[str]:
    """Apply the DROP/CLEAR GRAPH operations of ``plan`` as one new store generation.

    Each graph must be a loaded layer (not the derived ``inferred`` or ``meta`` graphs);
    returns the sources removed. Other operations must be rejected before calling this.
    """
    if plan.unsupported:
        raise QueryRefusedError(f"Cannot apply {', '.join(plan.unsupported)} to the store.")
    with KnowledgeStore.open(store_path, read_only=False) as store:
        by_graph = {r.graph: r.source for r in store.layers()}
        sources: list[str] = []
        for g, silent in plan.drop_graphs:
            if g in (INFERRED_GRAPH, META_GRAPH):
                raise QueryRefusedError(
                    f"<{g}> is computed by the store on every commit and cannot be dropped.")
            if g not in by_graph:
                if silent:
                    continue
                raise QueryParameterError(f"No graph <{g}> in the store (use DROP SILENT).")
            sources.append(by_graph[g])
        if sources:
            store.remove_layers(sources)
        return sources
