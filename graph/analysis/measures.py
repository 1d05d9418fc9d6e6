"""The one result shape every algorithm returns: ``Measure(node, label, value, rank, extra)``.

Plain data so the CLI prints it, the API serialises it and the write-back turns it into RDF
without knowing which algorithm made it. ``extra`` holds small per-row details (the
regions a broker bridges, the other region of a similarity pair, the item of a quotient).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

__all__ = ["Measure", "ranked"]


@dataclass
class Measure:
    """One figure about one node (or pair/cell: then ``extra`` names the other member)."""

    node: str
    label: str
    value: float
    rank: int
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"node": self.node, "label": self.label, "value": self.value,
                "rank": self.rank, **self.extra}


def label_of(G: nx.Graph, n: Any) -> str:
    return str(G.nodes[n].get("label", n)) if n in G else str(n)


def ranked(
    G: nx.Graph | None,
    values: Mapping[Any, float],
    *,
    descending: bool = True,
    extra: Mapping[Any, dict[str, Any]] | None = None,
    labels: Mapping[Any, str] | None = None,
    digits: int = 6,
) -> list[Measure]:
    """Sort ``values`` and give ranks (ties share the best rank: 1, 2, 2, 4)."""
    sign = -1 if descending else 1
    items = sorted(values.items(), key=lambda kv: (sign * kv[1], str(kv[0])))
    out: list[Measure] = []
    prev: float | None = None
    rank = 0
    for i, (n, v) in enumerate(items, start=1):
        v = round(float(v), digits)
        if v.is_integer() and abs(v) < 2**53:
            v = int(v)
        if v != prev:
            rank, prev = i, v
        label = labels[n] if labels and n in labels else (label_of(G, n) if G is not None
                                                          else str(n))
        out.append(Measure(str(n), label, v, rank, dict(extra[n]) if extra and n in extra
                           else {}))
    return out
