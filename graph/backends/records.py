"""What every backend keeps the same way: layer records and following generations.

A store (``KnowledgeStore``, ``RemoteStore``) holds, per committed generation, a table of layer
records (``LayerRecord`` as dicts, keyed by source, in load order). ``LayeredStore`` gives both
the reading side over that table (``layers``/``layer``/``generation``/``refresh``, the context
manager) from two things a backend provides: ``_layer_table()`` and ``_attach()``. The
``*_record`` functions build the records a commit writes, so that a layer, the ``inferred``
graph and the ``meta`` graph are described alike on every backend.

``LayerRecord`` lives in ``itskg.graph.store`` and is imported when called, so the local store
can use this module too without an import cycle.

>>> from itskg.graph.store import Layer
>>> rec = layer_record(Layer("demo", "Demo", b""), 3)
>>> (rec["source"], rec["graph"], rec["triples"], rec["kind"])
('demo', 'https://w3id.org/itskg/graph/demo', 3, 'real')
>>> inferred_record(7)["graph"]
'https://w3id.org/itskg/graph/inferred'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from itskg.graph.namespaces import INFERRED_GRAPH, META_GRAPH

if TYPE_CHECKING:  # pragma: no cover
    from itskg.graph.store import Layer, LayerRecord
    from itskg.graph.terms import QueryResult, Term

__all__ = ["LayeredStore", "inferred_record", "layer_record", "meta_record", "now"]

INFERRED_TITLE = "OWL 2 RL entailments used by queries (materialised at build time)"
INFERRED_DESCRIPTION = "Output of the SPARQL CONSTRUCT rules in ontology/rules/."
META_TITLE = "Catalogue of the layers (DCAT, PROV, VoID)"


def now() -> str:
    """The time a record is written: UTC, to the second, ISO 8601."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _tool_version() -> str:
    from itskg.graph.store import _tool_version as tv

    return tv()


def layer_record(ly: Layer, triples: int) -> dict[str, Any]:
    """The record of layer ``ly`` committed with ``triples`` distinct triples."""
    from itskg.graph.store import LayerRecord

    return asdict(LayerRecord(
        source=ly.source, graph=ly.graph, title=ly.title, kind=ly.kind, triples=triples,
        loaded_at=now(), derived_from=list(ly.derived_from), license=ly.license,
        description=ly.description, file=ly.file, sha256=ly.sha256, rows=ly.rows,
        tool_version=_tool_version()))


def inferred_record(triples: int) -> dict[str, Any]:
    """The record of the ``inferred`` graph (the rules' output) with ``triples`` triples."""
    from itskg.graph.store import LayerRecord

    return asdict(LayerRecord(
        source="inferred", graph=INFERRED_GRAPH, kind="inferred", title=INFERRED_TITLE,
        triples=triples, loaded_at=now(), tool_version=_tool_version(),
        description=INFERRED_DESCRIPTION))


def meta_record(triples: int, loaded_at: str | None = None) -> dict[str, Any]:
    """The record of the ``meta`` graph (DCAT/PROV/VoID of the layers)."""
    from itskg.graph.store import LayerRecord

    return asdict(LayerRecord(
        source="meta", graph=META_GRAPH, kind="meta", title=META_TITLE, triples=triples,
        loaded_at=loaded_at or now(), tool_version=_tool_version()))


class LayeredStore:
    """The reading side every backend shares, over its table of layer records.

    A backend sets ``_gen`` (the generation it reads) and implements ``_layer_table()``
    (source -> record dict of that generation), ``_attach(required=...)`` (read the newest
    generation), ``current_generation()``, ``close()`` and ``query()`` (``select`` and
    ``ask`` are built on it).
    """

    _gen: str | None

    def _layer_table(self) -> dict[str, dict[str, Any]]:
        raise NotImplementedError

    def _attach(self, *, required: bool) -> None:
        raise NotImplementedError

    def current_generation(self) -> str | None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    @property
    def generation(self) -> str | None:
        """The generation this handle reads (changes only on ``refresh``)."""
        return self._gen

    def refresh(self) -> bool:
        """Follow the newest committed generation; True if it changed."""
        if self.current_generation() != self._gen:
            self._attach(required=False)
            return True
        return False

    def layers(self) -> list[LayerRecord]:
        """Committed layers, in load order (ontology and derived graphs included)."""
        from itskg.graph.store import LayerRecord

        return [LayerRecord.from_dict(d) for d in self._layer_table().values()]

    #: run a SPARQL query (each backend's own signature)
    query: Callable[..., QueryResult]

    def select(self, sparql: str, **kw: Any) -> list[dict[str, Term | None]]:
        """Convenience: a SELECT query's rows as a list."""
        return list(self.query(sparql, **kw).rows())

    def ask(self, sparql: str, **kw: Any) -> bool:
        """An ASK query's answer."""
        return self.query(sparql, **kw).boolean

    def layer(self, source: str) -> LayerRecord | None:
        """The record of layer ``source``, or None."""
        from itskg.graph.store import LayerRecord

        d = self._layer_table().get(source)
        return LayerRecord.from_dict(d) if d else None

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
