"""SPARQL 1.1 Protocol and Graph Store Protocol over HTTP (httpx): the wire of a remote store.

``SparqlClient`` sends queries and updates to one engine and uploads N-Triples to a graph.
It knows four things per engine and nothing more: how to pass the query deadline to the
engine (Virtuoso: ``timeout`` in ms; Fuseki and GraphDB: ``timeout`` in s; Oxigraph server
and QLever: none, the server's own ``--timeout-s`` / the client's deadline apply), how to
name it in messages, which setting gives the union default graph (``UNION_HELP``), and where
its Graph Store Protocol endpoint usually is when none is configured (``default_gsp``:
Oxigraph server ``/store`` beside ``/query``, Virtuoso ``/sparql-graph-crud`` beside
``/sparql``, ``-auth`` with credentials), since uploads through it are several times faster
than chunked ``INSERT DATA``.
The client always enforces the deadline itself too (httpx timeout), so a query that an
engine does not stop in time raises ``QueryTimeoutError`` (503 over HTTP) at the deadline
and its connection is closed (the engine cancels the query when it notices).

Errors: ``StoreError`` (engine unreachable, credentials refused, engine failure),
``QueryError`` (the engine ran a query and failed it, its message attached),
``QuerySyntaxError`` (the engine rejected the text, its message attached),
``QueryTimeoutError`` (deadline).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import httpx

from itskg.graph.errors import QueryError, QuerySyntaxError, QueryTimeoutError, StoreError

__all__ = ["UNION_HELP", "UNION_UPDATES", "Endpoint", "SparqlClient", "default_gsp"]

log = logging.getLogger(__name__)

# What to set per engine so that queries without GRAPH see every named graph (README mirrors it).
UNION_HELP = {
    "oxigraph": "start the server with 'oxigraph serve --union-default-graph'",
    "virtuoso": "Virtuoso's default graph is the union of all graphs by default; do not set "
                "a default graph for the /sparql endpoint (DefaultGraph in [SPARQL])",
    "fuseki": "set tdb2:unionDefaultGraph true on the dataset (Fuseki configuration file)",
    "graphdb": "GraphDB's default graph is the union of all graphs by default; check that the "
               "repository is not configured otherwise",
    "qlever": "QLever's default graph is the union of all graphs (build the index from N-Quads)",
    "generic": "configure the engine so that its default graph is the union of all named graphs",
}

# Engines whose update WHERE clause reads the union default graph (and refuse USING with it).
UNION_UPDATES = frozenset({"oxigraph"})

_MAX_ERROR = 600  # characters of an engine's error message kept in ours


def default_gsp(engine: str, query_url: str, *, authenticated: bool = False) -> str | None:
    """The usual Graph Store Protocol URL of ``engine`` beside its query URL, or None.

    >>> default_gsp("oxigraph", "http://127.0.0.1:7878/query")
    'http://127.0.0.1:7878/store'
    >>> default_gsp("virtuoso", "http://h:8890/sparql", authenticated=True)
    'http://h:8890/sparql-graph-crud-auth'
    >>> default_gsp("generic", "http://h/sparql") is None
    True
    """
    base, _, last = query_url.rstrip("/").rpartition("/")
    if engine == "oxigraph" and last == "query":
        return f"{base}/store"
    if engine == "virtuoso" and last in {"sparql", "sparql-auth"}:
        return f"{base}/sparql-graph-crud" + ("-auth" if authenticated else "")
    return None


@dataclass(frozen=True)
class Endpoint:
    """Where a remote store lives and how to authenticate (built from ``Settings``)."""

    query_url: str
    update_url: str
    gsp_url: str | None = None
    engine: str = "auto"
    user: str | None = None
    password: str | None = None
    token: str | None = None
    query_timeout: float = 30.0
    write_timeout: float = 3600.0

    @classmethod
    def from_settings(cls, settings: Any) -> Endpoint:
        """The endpoint of ``settings.store`` (a URL) with its update/GSP URLs and credentials."""
        pw = settings.store_password.get_secret_value() if settings.store_password else None
        tok = settings.store_token.get_secret_value() if settings.store_token else None
        url = str(settings.store)
        return cls(query_url=url, update_url=settings.store_update or url,
                   gsp_url=settings.store_gsp, engine=settings.store_engine,
                   user=settings.store_user, password=pw, token=tok,
                   query_timeout=settings.query_timeout,
                   write_timeout=settings.store_write_timeout)


class SparqlClient:
    """One engine, reached over HTTP. Thread-safe (one httpx client, a connection pool)."""

    def __init__(self, endpoint: Endpoint):
        self.endpoint = endpoint
        auth: Any = None
        headers = {"User-Agent": "itskg"}
        if endpoint.token:
            headers["Authorization"] = f"Bearer {endpoint.token}"
        elif endpoint.user:
            auth = httpx.DigestAuth(endpoint.user, endpoint.password or "") \
                if endpoint.engine == "virtuoso" else \
                httpx.BasicAuth(endpoint.user, endpoint.password or "")
        self._http = httpx.Client(auth=auth, headers=headers, follow_redirects=True)
        self.engine = endpoint.engine if endpoint.engine != "auto" else "generic"
        self._detected = endpoint.engine != "auto"

    def close(self) -> None:
        self._http.close()

    @property
    def gsp_url(self) -> str | None:
        """The Graph Store Protocol URL uploads use: ``ITSKG_STORE_GSP``, else the engine's
        usual one (``default_gsp``), else None (uploads fall back to ``INSERT DATA``)."""
        if self.endpoint.gsp_url:
            return self.endpoint.gsp_url
        return default_gsp(self.detect(), self.endpoint.query_url,
                           authenticated=bool(self.endpoint.user or self.endpoint.token))

    # ------------------------------------------------------------------ engine
    def detect(self) -> str:
        """The engine's family from its Server header (once; 'generic' if unknown)."""
        if self._detected:
            return self.engine
        r = self._send("GET", self.endpoint.query_url, timeout=self.endpoint.query_timeout,
                       params={"query": "ASK {}"},
                       headers={"Accept": "application/sparql-results+json"})
        server = (r.headers.get("server") or "").lower()
        for name in ("oxigraph", "virtuoso", "fuseki", "graphdb", "qlever"):
            if name in server:
                self.engine = name
                break
        self._detected = True
        return self.engine

    def _deadline_params(self, timeout: float) -> dict[str, str]:
        engine = self.detect()
        if engine == "virtuoso":
            return {"timeout": str(int(timeout * 1000))}
        if engine in {"fuseki", "graphdb"}:
            return {"timeout": f"{timeout:g}"}
        return {}

    # ------------------------------------------------------------------ sending
    def _send(self, method: str, url: str, *, timeout: float, **kw: Any) -> httpx.Response:
        try:
            r = self._http.request(method, url, timeout=httpx.Timeout(timeout, connect=10.0),
                                   **kw)
        except httpx.TimeoutException as err:
            raise QueryTimeoutError(
                f"The engine at {url} did not answer within {timeout:g} s; the request was "
                "abandoned (narrow the query or raise ITSKG_QUERY_TIMEOUT).") from err
        except httpx.HTTPError as err:
            raise StoreError(
                f"Cannot reach the SPARQL engine at {url}: {err}. Is it running, and is "
                "ITSKG_STORE right?") from err
        if r.status_code in (401, 403):
            raise StoreError(
                f"The engine at {url} refused the credentials (HTTP {r.status_code}); set "
                "ITSKG_STORE_USER/ITSKG_STORE_PASSWORD or ITSKG_STORE_TOKEN.")
        return r

    def _fail(self, r: httpx.Response, what: str, url: str) -> None:
        text = " ".join(r.text.split())[:_MAX_ERROR]
        if r.status_code == 400:
            raise QuerySyntaxError(f"The engine rejected the {what}: {text}")
        low = text.lower()
        # Virtuoso reports its own deadline as HTTP 500 with SQL state S1T00
        if r.status_code in (500, 503, 504) and (
                "S1T00" in text or "timed out" in low or "timeout" in low):
            raise QueryTimeoutError(f"The engine stopped the {what} at its deadline: {text}")
        if r.status_code >= 500 and ("SP030" in text or "syntax error" in low):
            raise QuerySyntaxError(f"The engine rejected the {what}: {text}")
        if "SR325" in text:
            # Virtuoso: the one-transaction swap outgrew TransactionAfterImageLimit
            raise StoreError(
                f"The engine at {url} rolled the {what} back: {text} -- the transaction is larger "
                "than Virtuoso's TransactionAfterImageLimit (virtuoso.ini [Parameters], default "
                "50 MB). itskg commits an import (the layers, the entailments, the records) in "
                "one transaction so readers never see half of it: raise the limit (at most "
                "2147483647: Virtuoso reads a 32-bit number), restart Virtuoso and run the "
                "command again. The layers are as they were.")
        if what == "query" and r.status_code == 500:
            # the engine ran the query and could not finish it (e.g. Virtuoso SR319)
            raise QueryError(f"The engine at {url} could not answer the query: {text}")
        raise StoreError(f"The engine at {url} failed the {what} (HTTP {r.status_code}): {text}")

    def query(self, text: str, accept: str, *, timeout: float | None = None,
              default_graphs: tuple[str, ...] = (), named_graphs: tuple[str, ...] = ()
              ) -> httpx.Response:
        """POST a query (form-encoded); the successful response (body read)."""
        t = timeout or self.endpoint.query_timeout
        data: dict[str, Any] = {"query": text}
        if default_graphs:
            data["default-graph-uri"] = list(default_graphs)
        if named_graphs:
            data["named-graph-uri"] = list(named_graphs)
        url = self.endpoint.query_url
        r = self._send("POST", url, timeout=t + 2.0 if self._deadline_params(t) else t,
                       data=data, params=self._deadline_params(t), headers={"Accept": accept})
        if r.status_code >= 300:
            self._fail(r, "query", url)
        if r.headers.get("x-sql-state") == "S1TAT":
            # Virtuoso's "anytime" answer: partial results at the deadline. Never pass them on.
            raise QueryTimeoutError(
                f"The engine stopped the query at its {t:g} s deadline (Virtuoso returned a "
                "partial answer, which itskg refuses); narrow the query or raise "
                "ITSKG_QUERY_TIMEOUT.")
        return r

    def update(self, text: str, *, timeout: float | None = None) -> None:
        """POST one SPARQL Update request (all its operations, applied by the engine as one)."""
        url = self.endpoint.update_url
        r = self._send("POST", url, timeout=timeout or self.endpoint.write_timeout,
                       data={"update": text})
        if r.status_code >= 300:
            self._fail(r, "update", url)

    def post_ntriples(self, graph: str, body: bytes) -> None:
        """Add N-Triples to ``graph`` through the Graph Store Protocol (POST merges)."""
        url = self.gsp_url
        if url is None:
            raise StoreError("No Graph Store Protocol endpoint is configured (ITSKG_STORE_GSP).")
        r = self._send("POST", url, timeout=self.endpoint.write_timeout,
                       params={"graph": graph}, content=body,
                       headers={"Content-Type": "application/n-triples"})
        if r.status_code in (404, 405) and not self.endpoint.gsp_url:
            raise StoreError(
                f"The engine has no Graph Store Protocol endpoint at {url} (HTTP "
                f"{r.status_code}), where {self.engine} usually has it; set ITSKG_STORE_GSP "
                "to its URL. The layers are unchanged.")
        if r.status_code >= 300:
            self._fail(r, "upload", url)
