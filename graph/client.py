"""A small client for notebooks: SPARQL and named queries as typed pandas DataFrames.

>>> kg = Client("~/.local/share/itskg/store")                 # doctest: +SKIP
>>> kg.run("academies_by_region", region="ITH5", lang="en")   # doctest: +SKIP
>>> Client("https://example.org/sparql").query("SELECT ...")  # doctest: +SKIP

The client talks to engines through the store backends, the one code path the CLI and the
server use (``itskg.graph.backends.open_store``): a local path opens the store read-only; an
http(s) URL is a ``RemoteStore``, so an itskg graph on an engine (Virtuoso, Oxigraph server,
``itskg serve``'s own /sparql...) is read with its layers as the dataset, the deadline passed
to the engine and booleans read canonically, and any other SPARQL 1.1 endpoint is read as
it is (``any_endpoint``). Credentials come from the settings (``ITSKG_STORE_USER``/
``ITSKG_STORE_PASSWORD`` or ``ITSKG_STORE_TOKEN``, ``ITSKG_STORE_ENGINE``), or pass
``settings``. Named-query parameters are validated by the catalogue; for a remote endpoint
they travel as a VALUES block of typed terms, never as pasted text.
Columns are typed: integers Int64, decimals float64, dates and times datetime64, booleans
"boolean", years Int64; IRIs and strings stay text.

Errors: StoreError (unreachable endpoint, refused credentials, missing store), ConfigError
(a setting that does not validate), QueryError
and its kinds (QuerySyntaxError, QueryTimeoutError, QueryParameterError...).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from itskg.graph.backends import open_store
from itskg.graph.backends.interface import Store
from itskg.graph.config import Settings
from itskg.graph.errors import ConfigError, QueryError
from itskg.graph.sparql.catalogue import bind_params, get_query
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


class Client:
    """Query a local itskg store or a SPARQL endpoint into DataFrames (see the module doc).

    ``timeout``: the deadline of one query, seconds (``ITSKG_QUERY_TIMEOUT`` otherwise).
    Raises StoreError when the store cannot be opened or the endpoint is unreachable.
    """

    def __init__(self, store_path_or_url: str | Path, *, timeout: float | None = None,
                 settings: Settings | None = None):
        values: dict[str, Any] = {} if settings is None else settings.model_dump()
        values["store"] = store_path_or_url
        if timeout is not None:
            values["query_timeout"] = timeout
        try:
            self.settings = Settings(**values)  # the rest from ITSKG_* as everywhere
        except ValueError as err:  # pydantic's ValidationError is a ValueError
            raise ConfigError(f"Invalid setting: {err}") from err
        self.store: Store = open_store(self.settings, read_only=True, any_endpoint=True)
        self.url: str | None = str(self.settings.store) if self.settings.remote else None

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def query(self, sparql: str, **bindings: Any) -> pd.DataFrame:
        """Run SPARQL; ``bindings`` are variable values (wrap IRIs with ``iri()``).

        Locally they are bound by the engine (which binds only projected variables); remotely
        they become a VALUES block opening the query's WHERE group.
        Raises QueryError (and its kinds) when the query fails, or is not SELECT/ASK.
        """
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
