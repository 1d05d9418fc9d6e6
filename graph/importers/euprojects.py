"""What the CORDIS and Erasmus+ importers share: a streaming N-Triples sink, participant
matching against the store, the match and keep reports, and the layout check.

Both importers read the official exports *as published* (no reshaping into itskg templates),
row by row, and keep only the projects with an Italian participant (and all the participants
of those projects: their foreign partners are the point of CQ35). Triples go to a temporary
N-Triples file, never to a list in memory, so memory stays bounded by the size of the lookup
indexes and of the set of kept project ids, not by the size of the files.

Matching an Italian participant to what the store already holds (:class:`ParticipantMatcher`):

* ``exact``: same partita IVA / codice fiscale (``itskg:vatNumber``/``itskg:taxCode``; CORDIS
  writes ``IT01234567890``), or same PIC (``itskg:picNumber``);
* ``probable``: same normalised name (case, accents, punctuation and legal-form words such as
  "fondazione", "s.r.l." ignored) as exactly one academy or organisation; the reason says which
  name matched;
* ``unmatched``: minted as a new organisation (``id/org/pic-{PIC}`` or ``id/org/{name slug}``).

Synthetic organisations (``id/synthetic/...``) are never match candidates: a real record must
not attach to invented data.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import IO, Any

from itskg.graph.errors import DataError, Problem
from itskg.graph.importers.lookups import Lookups, Unresolved
from itskg.graph.importers.tabular import norm_text
from itskg.graph.namespaces import DATA, PREFIXES
from itskg.graph.rdfwriter import lit, ref

__all__ = [
    "MAX_FIELD",
    "load_layer",
    "MatchReport",
    "NTriplesSink",
    "ParticipantMatcher",
    "ProjectsRead",
    "check_columns",
    "name_key",
]

I = PREFIXES["itskg"]  # noqa: E741
RDF_TYPE = PREFIXES["rdf"] + "type"
SKOS, DCT, ORG = PREFIXES["skos"], PREFIXES["dct"], PREFIXES["org"]
SCHEMA = PREFIXES["schema"]
SYNTHETIC_PREFIX = DATA + "synthetic/"
#: Largest CSV field read (characters): the longest CORDIS objectives are a few KB; a bigger
#: field means a broken or hostile file, refused with its line instead of filling memory.
MAX_FIELD = 1_000_000
# Words that do not distinguish an organisation's name (legal forms, "foundation", articles).
_NOISE = re.compile(
    r"\b(fondazione|foundation|istituto tecnico superiore|istituto tecnologico superiore|its|"
    r"academy|s ?r ?l ?s?|s ?p ?a|s ?n ?c|s ?a ?s|soc(ieta)? coop(erativa)?|scarl|scrl|onlus|"
    r"ets|aps|spa|srl|the|di|del|della|per|e|le|la|il|lo)\b")


def name_key(name: str) -> str:
    """The key names are compared on: normalised, legal-form and filler words removed."""
    k = _NOISE.sub(" ", norm_text(name))
    return " ".join(k.split())


def csv_rows(reader: Iterable[list[str]], file: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, row) from a csv.reader; a field over MAX_FIELD or a malformed quote is a
    DataError naming the file and line."""
    import csv

    csv.field_size_limit(MAX_FIELD)
    it = iter(reader)
    while True:
        try:
            row = next(it)
        except StopIteration:
            return
        except csv.Error as err:
            line = getattr(reader, "line_num", 0)
            raise DataError(f"{file}: unreadable CSV near line {line}: {err}.", [Problem(
                f"{err} (fields are limited to {MAX_FIELD:,} characters)", file=file,
                row=line)]) from None
        yield getattr(reader, "line_num", 0), row


def check_columns(file: str, header: Iterable[str], required: Iterable[str],
                  what: str, doc: str) -> None:
    """Raise DataError naming every missing column (the layout of ``what`` is ``doc``)."""
    have = {h.strip().lstrip("\ufeff") for h in header}
    missing = [c for c in required if c not in have]
    if missing:
        raise DataError(
            f"{file} is not {what}: missing column(s) {', '.join(missing)}.",
            [Problem(f"missing column {c!r} (expected the published layout: {doc})",
                     file=file, row=1, column=c) for c in missing])


class NTriplesSink:
    """Writes N-Triples lines to a temporary file in ``workdir``; the caller owns the file."""

    def __init__(self, workdir: Path | None = None, prefix: str = "itskg-import-"):
        fd, name = tempfile.mkstemp(prefix=prefix, suffix=".nt", dir=workdir)
        self.path = Path(name)
        self.fh: IO[str] = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        self.buf: list[str] = []
        self.n = 0

    def iri(self, s: str, p: str, o: str) -> None:
        self._line(f"{ref(s)} {ref(p)} {ref(o)} .\n")

    def lit(self, s: str, p: str, value: object, **kw: str | None) -> None:
        if value is None or value == "":
            return
        self._line(f"{ref(s)} {ref(p)} {lit(value, **kw)} .\n")

    def _line(self, line: str) -> None:
        self.buf.append(line)
        if len(self.buf) >= 20_000:
            self.flush()

    def flush(self) -> None:
        self.n += len(self.buf)
        self.fh.write("".join(self.buf))
        self.buf.clear()

    def close(self) -> Path:
        self.flush()
        self.fh.close()
        return self.path

    def discard(self) -> None:
        if not self.fh.closed:
            self.fh.close()
        self.path.unlink(missing_ok=True)


@dataclass
class MatchReport:
    """Counts and examples of what an EU-projects import kept and how it matched."""

    what: str
    rows_read: Counter = field(default_factory=Counter)  # file -> rows read
    rows_kept: Counter = field(default_factory=Counter)  # file -> rows kept
    projects_kept: int = 0
    status: Counter = field(default_factory=Counter)  # exact / probable / unmatched
    examples: dict[str, list[str]] = field(default_factory=lambda: {
        "exact": [], "probable": [], "unmatched": []})
    seen: set[tuple[str, str]] = field(default_factory=set)

    def add(self, status: str, name: str, detail: str) -> None:
        key = (status, name)
        if key in self.seen:
            return
        self.seen.add(key)
        self.status[status] += 1
        if len(self.examples[status]) < 25:
            self.examples[status].append(f"{name} ({detail})")

    def lines(self) -> list[str]:
        out = [f"{self.what}: kept " + "; ".join(
            f"{self.rows_kept[f]:,} of {self.rows_read[f]:,} rows of {f}"
            for f in self.rows_read) + f"; {self.projects_kept:,} project(s) with an Italian "
            "participant"]
        out.append("match report (distinct Italian participants): " + ", ".join(
            f"{k} {self.status[k]}" for k in ("exact", "probable", "unmatched")))
        for k in ("exact", "probable", "unmatched"):
            for e in self.examples[k]:
                out.append(f"  {k:9} {e}")
            if self.status[k] > len(self.examples[k]):
                out.append(f"  {k:9} ... and {self.status[k] - len(self.examples[k])} more")
        return out


class ParticipantMatcher:
    """Finds the organisation of the store an Italian participant is (see module docstring)."""

    def __init__(self, lookups: Lookups):
        self.lk = lookups

    @cached_property
    def _pics(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for o, v in self.lk._rows("?o itskg:picNumber ?v", "?o ?v"):
            if not o.startswith(SYNTHETIC_PREFIX):
                out[str(v).strip()] = o
        return out

    @cached_property
    def _names(self) -> dict[str, set[tuple[str, str]]]:
        """name key -> {(IRI, the name as in the store)} for real academies and organisations."""
        out: dict[str, set[tuple[str, str]]] = {}
        rows = self.lk._rows(
            "{ ?o a itskg:ITSAcademy } UNION { ?o itskg:memberOfFoundation ?a } "
            "UNION { ?o itskg:vatNumber ?v } "
            "?o skos:prefLabel|schema:name|itskg:shortName ?n", "DISTINCT ?o ?n")
        for o, n in rows:
            if o.startswith(SYNTHETIC_PREFIX):
                continue
            k = name_key(str(n))
            if len(k) >= 4:
                out.setdefault(k, set()).add((o, str(n)))
        return out

    def match(self, *, name: str, vat: str = "", pic: str = "") -> tuple[str | None, str, str]:
        """(IRI or None, "exact" | "probable" | "unmatched", reason)."""
        v = re.sub(r"[\s.\-/]", "", vat).upper()
        if v.startswith("IT"):
            v = v[2:]
        if v:
            found = self.lk.organisation_by_id(v)
            if found and not found.startswith(SYNTHETIC_PREFIX):
                return found, "exact", f"VAT {v}"
        if pic and pic.strip() in self._pics:
            return self._pics[pic.strip()], "exact", f"PIC {pic.strip()}"
        k = name_key(name)
        hits = self._names.get(k, set())
        iris = {o for o, _ in hits}
        if len(iris) == 1:
            o, n = next(iter(hits))
            return o, "probable", f"normalised name equals {n!r}"
        if len(iris) > 1:
            return None, "unmatched", f"name matches {len(iris)} organisations"
        return None, "unmatched", "no VAT, PIC or name match"

    def country(self, value: str) -> str | None:
        """Country authority IRI for a code or name, None if unknown."""
        if not value.strip():
            return None
        try:
            return self.lk.country(value)
        except Unresolved:
            return None


CC_BY_4 = "https://creativecommons.org/licenses/by/4.0/"  # CORDIS and Erasmus+ exports


class ProjectsRead:
    """What both EU-project readers (CORDIS, Erasmus+) set up and finish alike: the participant
    matcher over the store's look-ups (``source`` being replaced), the match report, the
    N-Triples temp file in the store's folder, and the Layer (real, CC BY 4.0) at the end.

    Use as a context manager around the writing: it opens the temp file (``sink``) and
    removes it on an error.
    """

    def __init__(self, store: Any, source: str, label: str, prefix: str):
        from itskg.graph.namespaces import graph_iri

        self.source = source
        self.matcher = ParticipantMatcher(Lookups(store, replacing=graph_iri(source)))
        self.report = MatchReport(label)
        self._workdir: Path | None = store.root if store.root.exists() else None
        self._prefix = prefix
        self.minted: set[str] = set()  # participant IRIs already written

    def __enter__(self) -> ProjectsRead:
        self.sink = NTriplesSink(self._workdir, self._prefix)
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is not None:
            self.sink.discard()

    def layer(self, *, title: str, derived_from: tuple[str, ...], description: str,
              file: str, sha256_of: Path | None = None, rows: int) -> Any:
        """Close the temp file; the Layer holding it (sha256 of ``sha256_of``, else of the
        N-Triples written)."""
        from itskg.graph.rdfwriter import sha256_file
        from itskg.graph.store import Layer

        path = self.sink.close()
        lines = self.report.lines()
        return Layer(source=self.source, title=title, data=path, format="nt", kind="real",
                     derived_from=derived_from, license=CC_BY_4,
                     description=description + " ".join(lines[:2]), file=file,
                     sha256=sha256_file(sha256_of or path), rows=rows)


def load_layer(store: Any, layer: Any, progress: Any = None) -> Any:
    """Load (replace) an importer's temp-file layer atomically and delete the file; -> the
    LayerRecord."""
    try:
        (record,) = store.replace_layers([layer], progress=progress)
    finally:
        Path(layer.data).unlink(missing_ok=True)
    return record
