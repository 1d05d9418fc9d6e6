"""Readings: a figure computed from a few fixed SPARQL queries and a function of their rows.

A :class:`Reading` is what a derived figure (a map indicator, the home-page counts, the data
behind a Linked Data page) needs from the store: the SELECT queries to run and ``combine``,
which turns their answers (SPARQL 1.1 JSON bindings, one list per query, in order) into the
figure. It holds no engine: ``KnowledgeGraph.read`` / ``aread`` run the queries under the
query deadline and row cap (in the worker pool for the server) and cache the figure per store
generation, so the same reading serves the HTTP pages, the CLI and a per-generation
precomputation alike.

>>> r = Reading(("SELECT ?n WHERE { VALUES ?n { 1 2 } }",),
...             lambda answers: sum(term_value(row, "n") for row in answers[0]))
>>> r.combine([[{"n": {"type": "literal", "value": "1",
...                   "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]])
1
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Reading", "Row", "labels_by_subject", "pick_label", "term_value"]

#: one SELECT solution as SPARQL 1.1 JSON terms: ``{"var": {"type", "value", ...}}``
Row = dict[str, dict[str, str]]


@dataclass(frozen=True)
class Reading:
    """``queries`` (SELECT texts, run in order) and ``combine(answers) -> figure``.

    ``combine`` may return another Reading: the runner goes on with it (for queries that
    depend on what the first ones found). ``lane``: ``"lookup"`` for cheap look-ups of one
    resource (the executor's fast lane), ``"main"`` otherwise. ``cache``: keep the answers
    per store generation (figures asked again and again); False for one-off look-ups.
    """

    queries: tuple[str, ...]
    combine: Callable[[list[list[Row]]], Any]
    lane: str = "main"
    cache: bool = True


def term_value(row: Row, var: str, default: Any = None) -> Any:
    """A plain Python value of ``row[var]``: int/float for numeric literals, else the text.

    >>> term_value({"n": {"type": "literal", "value": "2.5",
    ...                   "datatype": "http://www.w3.org/2001/XMLSchema#decimal"}}, "n")
    2.5
    >>> term_value({}, "n", 0)
    0
    """
    cell = row.get(var)
    if cell is None:
        return default
    value = cell["value"]
    dt = cell.get("datatype", "")
    if dt.endswith(("#integer", "#int", "#long", "#nonNegativeInteger")):
        try:
            return int(value)
        except ValueError:
            return value
    if dt.endswith(("#decimal", "#double", "#float")):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def labels_by_subject(rows: Sequence[Row], subject: str = "s", label: str = "l"
                      ) -> dict[str, list[tuple[str, str | None]]]:
    """``subject IRI -> [(label text, language tag or None)]`` from label rows."""
    by: dict[str, list[tuple[str, str | None]]] = {}
    for r in rows:
        labels = by.setdefault(r[subject]["value"], [])
        if label in r:
            labels.append((r[label]["value"], r[label].get("xml:lang")))
    return by


def pick_label(labels: Iterable[tuple[str, str | None]], lang: str) -> str | None:
    """The best of (text, language tag) pairs for ``lang``: that language, then the other
    of it/en, then an untagged label, then any; the smallest text among equals.

    >>> pick_label([("Impresa", "it"), ("Company", "en")], "en")
    'Company'
    >>> pick_label([("Bozen", "de")], "it")
    'Bozen'
    """
    other = "en" if lang == "it" else "it"
    ranked: dict[int, str] = {}
    for text, tag in labels:
        base = (tag or "").lower().split("-")[0]
        rank = 0 if base == lang else 1 if base == other else 2 if not tag else 3
        if rank not in ranked or text < ranked[rank]:
            ranked[rank] = text
    return ranked[min(ranked)] if ranked else None
