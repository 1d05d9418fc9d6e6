"""The code lists filters and node attributes use: NUTS regions, technological areas, ATECO.

Read once per store generation in a few small queries (about 4k concepts), then used in
Python to resolve what a user typed ("ITH5", "Emilia-Romagna", "D6", "C", "62.10") into a
concept IRI, to expand a concept into its narrower concepts for a filter, and to turn an
IRI attribute into a short code and a label.
"""

from __future__ import annotations

import difflib
import threading
from dataclasses import dataclass, field

from itskg.graph.backends.interface import Store
from itskg.graph.errors import AnalysisError
from itskg.graph.namespaces import sparql_prefixes

__all__ = ["SCHEMES", "Concept", "CodeLists", "vocabulary"]

#: filter/attribute family -> SKOS schemes it draws on.
SCHEMES: dict[str, tuple[str, ...]] = {
    "region": ("http://data.europa.eu/nuts/scheme/2024",),
    "area": ("https://w3id.org/itskg/vocab/area-2023", "https://w3id.org/itskg/vocab/area-2008"),
    "sector": ("https://w3id.org/itskg/vocab/ateco2025",),
    "country": ("http://publications.europa.eu/resource/authority/country",),
}
_LANG_ORDER = ("it", "en", "")


@dataclass
class Concept:
    iri: str
    family: str
    code: str
    labels: dict[str, str] = field(default_factory=dict)
    broader: str | None = None
    level: int | None = None

    @property
    def label(self) -> str:
        for lang in _LANG_ORDER:
            if lang in self.labels:
                return self.labels[lang]
        return next(iter(self.labels.values()), self.code)


class CodeLists:
    """Concepts of the filter families of one store generation."""

    def __init__(self, concepts: dict[str, Concept]):
        self.concepts = concepts
        self.children: dict[str, list[str]] = {}
        for c in concepts.values():
            if c.broader and c.broader in concepts:
                self.children.setdefault(c.broader, []).append(c.iri)

    @classmethod
    def load(cls, store: Store) -> CodeLists:
        concepts: dict[str, Concept] = {}
        q = sparql_prefixes(["skos", "nuts"]) + """
        SELECT ?c ?scheme ?code ?label ?broader ?level WHERE {
          ?c skos:inScheme ?scheme .
          OPTIONAL { ?c skos:notation ?code }
          OPTIONAL { ?c skos:prefLabel ?label }
          OPTIONAL { ?c skos:broader ?broader }
          OPTIONAL { ?c nuts:level ?level }
        }"""
        family_of = {s: fam for fam, schemes in SCHEMES.items() for s in schemes}
        values = " ".join(f"<{s}>" for s in family_of)
        q = q.replace("?c skos:inScheme ?scheme .",
                      f"VALUES ?scheme {{ {values} }} ?c skos:inScheme ?scheme .")
        for row in store.query(q).rows():
            iri = row["c"].value  # type: ignore[union-attr]
            c = concepts.get(iri)
            if c is None:
                code = row["code"].value if row["code"] else iri.rstrip("/").rsplit("/", 1)[-1]
                c = concepts[iri] = Concept(iri, family_of[row["scheme"].value], code)  # type: ignore[union-attr]
            if row["label"] is not None:
                c.labels.setdefault(row["label"].lang or "", row["label"].value)
            if row["broader"] is not None and c.broader is None:
                c.broader = row["broader"].value
            if row["level"] is not None:
                c.level = int(row["level"].value)
        return cls(concepts)

    # ------------------------------------------------------------ lookups
    def code(self, iri: str) -> str:
        """Short code of an IRI (the concept's notation, else the IRI's last segment)."""
        c = self.concepts.get(iri)
        return c.code if c else iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    def label(self, iri: str) -> str | None:
        c = self.concepts.get(iri)
        return c.label if c else None

    def descendants(self, iri: str) -> set[str]:
        """The concept and every narrower concept (transitively)."""
        out, todo = {iri}, [iri]
        while todo:
            for ch in self.children.get(todo.pop(), ()):
                if ch not in out:
                    out.add(ch)
                    todo.append(ch)
        return out

    def nuts2(self, iri: str) -> str:
        """The NUTS-2 region of a NUTS-2/3 IRI (itself if not NUTS-3)."""
        c = self.concepts.get(iri)
        if c and c.level == 3 and c.broader:
            return c.broader
        return iri

    def root(self, iri: str) -> str:
        """The top concept above ``iri`` (for ATECO: the section letter)."""
        seen = set()
        c = self.concepts.get(iri)
        while c and c.broader and c.broader in self.concepts and c.iri not in seen:
            seen.add(c.iri)
            c = self.concepts[c.broader]
        return c.iri if c else iri

    def resolve(self, family: str, text: str) -> str:
        """The IRI of the concept of ``family`` a user means by ``text`` (code, label or IRI).

        Raises AnalysisError naming close matches when nothing matches exactly.
        """
        t = text.strip()
        pool = [c for c in self.concepts.values() if c.family == family]
        if not pool:
            raise AnalysisError(
                f"The store has no {family} code list: cannot filter by {family}. "
                "Rebuild with 'itskg build' (the reference layer holds it).")
        for c in pool:
            if t == c.iri:
                return c.iri
        low = t.casefold()
        for c in pool:
            if c.code.casefold() == low:
                return c.iri
        hits = [c for c in pool if any(v.casefold() == low for v in c.labels.values())]
        if family == "region" and len(hits) > 1:  # a name shared by a region and a province
            hits.sort(key=lambda c: c.level or 9)
        if hits:
            return hits[0].iri
        names = [c.code for c in pool] + [v for c in pool for v in c.labels.values()]
        close = difflib.get_close_matches(t, names, n=5, cutoff=0.6)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise AnalysisError(f"Unknown {family} {text!r}: give a code or a name.{hint}")


_cache: dict[tuple[str, str | None], CodeLists] = {}
_lock = threading.Lock()


def vocabulary(store: Store) -> CodeLists:
    """The CodeLists of the store's current generation (cached per generation)."""
    key = (str(store.root), store.generation)
    with _lock:
        if key not in _cache:
            if len(_cache) > 8:
                _cache.clear()
            _cache[key] = CodeLists.load(store)
        return _cache[key]
