"""A small client for notebooks: SPARQL and named queries as typed pandas DataFrames.

>>> kg = Client("~/.local/share/itskg/store")                 # doctest: +SKIP
>>> kg.run("academies_by_region", region="ITH5", lang="en")   # doctest: +SKIP
>>> Client("https://example.org/sparql").query("SELECT ...")  # doctest: +SKIP

A local path opens the store read-only; an http(s) URL is any SPARQL 1.1 endpoint (JSON
results). Named-query parameters are validated by the catalogue; for a remote endpoint they
travel as a VALUES block of typed terms serialised by the engine, never as pasted text.
Columns are typed: integers Int64, decimals float64, dates and times datetime64, booleans
"boolean", years Int64; IRIs and strings stay text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx
import pandas as pd

from itskg.graph.errors import QueryError, StoreError
from itskg.graph.sparql.catalogue import bind_params, get_query, inline_bindings
from itskg.graph.store import KnowledgeStore
from itskg.graph.terms import Term, iri

__all__ = ["Client", "frame", "iri"]

XSD = "http://www.w3.org/2001/XMLSchema#"
_INT = {"integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong", "gYear"}
_FLOAT = {"decimal", "double", "float"}
_TIME = {"date", "dateTime", "dateTimeStamp"}


def _kind(t: Term) -> str:
    if t.kind != "literal" or not t.datatype or not t.datatype.startswith(XSD):
        return "text"
    local = t.datatype[len(XSD):]
    if local in _INT:
        return "int"
    if local in _FLOAT:
        return "float"
    if local in _TIME:
        return "time"
    if local == "boolean":
        return "bool"
    return "text"


def _column(values: list[Term | None]) -> pd.Series:
    kinds = {_kind(t) for t in values if t is not None}
    raw = [None if t is None else t.value for t in values]
    if len(kinds) == 1:
        k = kinds.pop()
        try:
            if k == "int":
                return pd.array([None if v is None else int(v) for v in raw], dtype="Int64")
            if k == "float":
                return pd.Series([float("nan") if v is None else float(v) for v in raw],
                                 dtype="float64")
            if k == "time":
                return pd.to_datetime(pd.Series(raw, dtype="object"), utc=any(
                    v is not None and ("Z" in v or "+" in v[10:]) for v in raw))
            if k == "bool":
                return pd.array([None if v is None else v in {"true", "1"} for v in raw],
                                dtype="boolean")
        except (ValueError, TypeError):
            pass
    return pd.Series(raw, dtype="object")


def frame(variables: Sequence[str], rows: Sequence[Mapping[str, Term | None]]) -> pd.DataFrame:
    """A typed DataFrame from query variables and rows of Terms."""
    return pd.DataFrame({v: _column([r.get(v) for r in rows]) for v in variables},
                        columns=list(variables))


def _term_of(t: Mapping[str, str]) -> Term:
    kind = {"uri": "iri", "bnode": "bnode"}.get(t["type"], "literal")
    return Term(kind, t["value"], t.get("datatype"), t.get("xml:lang"))


class Client:
    """Query a local itskg store or a remote SPARQL endpoint into DataFrames."""

    def __init__(self, store_path_or_url: str | Path, *, timeout: float = 60.0,
                 http_client: httpx.Client | None = None):
        target = str(store_path_or_url)
        self.url: str | None = None
        self.store: KnowledgeStore | None = None
        if target.startswith(("http://", "https://")):
            self.url = target
            self._http = http_client or httpx.Client(timeout=timeout)
        else:
            self.store = KnowledgeStore.open(Path(target).expanduser(), read_only=True)

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
        if self.url is not None:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _remote(self, sparql: str) -> pd.DataFrame:
        assert self.url is not None
        try:
            r = self._http.post(self.url, data={"query": sparql},
                                headers={"Accept": "application/sparql-results+json"})
        except httpx.HTTPError as err:
            raise StoreError(f"Cannot reach the SPARQL endpoint {self.url}: {err}") from err
        if r.status_code != 200:
            raise QueryError(f"The endpoint {self.url} answered {r.status_code}: {r.text[:300]}")
        data = r.json()
        if "boolean" in data:
            return pd.DataFrame({"result": [bool(data["boolean"])]})
        variables = data["head"]["vars"]
        rows = [{v: (_term_of(b[v]) if v in b else None) for v in variables}
                for b in data["results"]["bindings"]]
        return frame(variables, rows)

    def query(self, sparql: str, **bindings: Any) -> pd.DataFrame:
        """Run SPARQL; ``bindings`` are variable values (wrap IRIs with ``iri()``).

        Locally they are bound by the engine (which binds only projected variables); remotely
        they become a VALUES block opening the query's WHERE group.
        """
        if self.store is None:
            return self._remote(inline_bindings(sparql, bindings) if bindings else sparql)
        res = self.store.query(sparql, bindings=bindings or None)
        if res.kind == "ask":
            return pd.DataFrame({"result": [res.boolean]})
        if res.kind != "select":
            raise QueryError("Only SELECT and ASK results become DataFrames.")
        return frame(res.variables, list(res.rows()))

    def run(self, name: str, lang: str = "it", **params: Any) -> pd.DataFrame:
        """Run the named query ``name`` with text parameters (validated by the catalogue)."""
        q = get_query(name)
        raw = {k: v for k, v in params.items() if v is not None}
        if q.uses_lang:
            raw["lang"] = lang
        bindings = bind_params(q, raw, store=self.store)
        return self.query(q.text, **bindings)
