"""Build-time materialisation of the OWL 2 RL entailments queries rely on.

The store does no reasoning. The rules in ontology/rules/*.rq are SPARQL CONSTRUCT queries
(property chains, inverses, sub-property and sub-class closure over itskg terms, the defined
skill classes); they run in file-name order over the union of all layers, and each rule's
output is added to the ``inferred`` graph before the next rule runs, so later rules see it.
Two rounds reach the fixpoint for the shipped rules (chains feed sub-properties feed classes);
the loop stops early when a round adds nothing.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pyoxigraph as ox

from itskg.graph.resources import rule_files
from itskg.graph.store import load_into

__all__ = ["load_rules", "materialise"]

MAX_ROUNDS = 3


def load_rules() -> list[str]:
    """The shipped CONSTRUCT rules, in file-name order."""
    return [f.read_text(encoding="utf-8") for f in rule_files()]


def materialise(db: ox.Store, graph: str, rules: Sequence[str] | None = None) -> int:
    """Run ``rules`` to a fixpoint, writing new triples into ``graph``; return its size."""
    rules = load_rules() if rules is None else list(rules)
    g = ox.NamedNode(graph)
    count = 0
    for _ in range(MAX_ROUNDS):
        for rule in rules:
            # Only triples not already stated anywhere: the union default graph is a bag,
            # so a restated triple would be counted twice by COUNT(*) queries.
            fresh = [
                t for t in db.query(rule, use_default_graph_as_union=True)
                if next(db.quads_for_pattern(t.subject, t.predicate, t.object), None) is None
            ]
            if fresh:
                buf = io.BytesIO()
                ox.serialize(fresh, buf, ox.RdfFormat.N_TRIPLES)
                load_into(db, buf.getvalue(), ox.RdfFormat.N_TRIPLES, g)
        new = sum(1 for _ in db.quads_for_pattern(None, None, None, g))
        if new == count:
            break
        count = new
    return count
