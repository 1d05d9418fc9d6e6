"""Build-time materialisation of the OWL 2 RL entailments queries rely on.

The store does no reasoning. The rules in ontology/rules/*.rq are SPARQL CONSTRUCT queries
(property chains, inverses, sub-property and sub-class closure over itskg terms, the defined
skill classes). They run once each, in file-name order, over the union of all layers; each
rule's output is added to the ``inferred`` graph before the next rule runs, so later rules see
it. The files are layered so that one pass reaches the fixpoint (chains, then inverses, then
sub-properties, then skill classes, then sub-classes); a test checks that a second pass adds
nothing. Triples that a layer already states are removed from ``inferred`` at the end, since
the union default graph is a bag and would otherwise count them twice.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import cast

import pyoxigraph as ox

from itskg.graph.resources import rule_files
from itskg.graph.store import load_into

__all__ = ["load_rules", "materialise"]


def load_rules() -> list[str]:
    """The shipped CONSTRUCT rules, in file-name order."""
    return [f.read_text(encoding="utf-8") for f in rule_files()]


def materialise(db: ox.Store, graph: str, rules: Sequence[str] | None = None) -> int:
    """Run ``rules`` once each in order, writing into ``graph``; return its size."""
    rules = load_rules() if rules is None else list(rules)
    g = ox.NamedNode(graph)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "rule.nt"
        for rule in rules:
            with out.open("wb") as fh:
                triples = cast(ox.QueryTriples, db.query(rule, use_default_graph_as_union=True))
                ox.serialize(triples, fh, ox.RdfFormat.N_TRIPLES)
            if out.stat().st_size:
                load_into(db, out, ox.RdfFormat.N_TRIPLES, g)
    db.update(
        f"DELETE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} "
        f"GRAPH ?other {{ ?s ?p ?o }} FILTER(?other != <{graph}>) }}"
    )
    count = f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    return int(next(iter(cast(ox.QuerySolutions, db.query(count))))["n"].value)
