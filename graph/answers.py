"""Answers as they leave the library: the bytes, the format a client negotiated, the shelf.

Three things every request's answer needs, whichever surface asked for it:

- ``ExecResult``: a serialised answer (bytes, media type, SPARQL form, truncation, rows, and
  the store generation that answered), as a query worker writes it and the HTTP layer sends
  it unchanged;
- content negotiation: which of the formats a client can take (``negotiate`` over an Accept
  header with q-values). The parser is hand-written (about 30 lines): no maintained parser is
  installed, and the rules needed are small (RFC 9110 section 12.5.1): a media range with
  parameters, ``q`` between 0 and 1, the most specific matching range decides an offer's
  quality (``text/csv`` beats ``text/*`` beats ``*/*``), q=0 means "not acceptable", ties go
  to the server's order;
- the shelf: answers precomputed per store generation, kept on disk beside the generation
  (``AnswerShelf``), the disk tier of ``KnowledgeGraph``'s per-generation answer cache.

Why precompute: a first visitor, and every visitor after a server restart, would otherwise
pay the full price of what a page opens with (a catalogue question, a map indicator, the home
counts, a network view: seconds each at national scale). A generation never changes after its
commit (``itskg.graph.store``), so an answer computed for it can never be stale: it is written
once, next to the generation, and read by every later server of that generation.

Layout (a store directory, beside ``db/``)::

    STORE/answers/<generation>/<sha256 of the request key>.ans

One file per answer: a JSON header line (the key, what kind of value, and for a query
answer its media type, form, row count, truncation) followed by the body bytes. Files are
written to a temporary name and renamed, so a reader sees a whole answer or none.

The keys are those of the per-generation answer cache of ``KnowledgeGraph`` (named queries,
network tasks, page data), so the cache finds a precomputed answer under the same key a
request computes. What is computed ahead is decided by the surfaces (the explorer's pages
and what they fetch: ``itskg.api.warmup``); answers are written to disk only inside
``persisting()``, so an arbitrary user's question never fills the disk.

>>> negotiate("text/*;q=0.5, text/tab-separated-values", RESULT_OFFERS)
'tsv'
>>> import tempfile
>>> shelf = AnswerShelf(Path(tempfile.mkdtemp()))
>>> key = ("named", "academies_by_region", (("region", "ITH5"),), "json", None)
>>> shelf.put("gen1", key, ExecResult(b'{"x": 1}', "application/json", "select", rows=1,
...                                   generation="gen1"))
True
>>> shelf.get("gen1", key).body, shelf.get("gen2", key)
(b'{"x": 1}', None)
>>> shelf.put("gen1", ("page", "home"), {"counts": [1, 2]}), shelf.get("gen1", ("page", "home"))
(True, {'counts': [1, 2]})
>>> shelf.count("gen1")
2
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "ANSWERS_DIR",
    "GRAPH_OFFERS",
    "RESULT_OFFERS",
    "AnswerShelf",
    "ExecResult",
    "MediaRange",
    "negotiate",
    "parse_accept",
    "persist_enabled",
    "persisting",
]


@dataclass
class ExecResult:
    """A serialised query answer: bytes plus what the HTTP layer needs to describe it."""

    body: bytes
    media_type: str
    form: str
    truncated: bool = False
    rows: int | None = None
    generation: str | None = None


# ------------------------------------------------------------------ content negotiation
#: media type -> format key, in the server's order of preference (first = default)
RESULT_OFFERS: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
}
GRAPH_OFFERS: dict[str, str] = {
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
    "application/x-turtle": "turtle",
    "text/plain": "ntriples",
    "application/json": "jsonld",
    "application/xml": "rdfxml",
}

@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float

    def specificity(self, media_type: str) -> int:
        """2 exact, 1 ``type/*``, 0 ``*/*``, -1 no match."""
        t, _, s = media_type.partition("/")
        if self.type == "*":
            return 0
        if self.type != t:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == s else -1


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header; malformed entries are skipped."""
    out: list[MediaRange] = []
    for part in (header or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        t, sep, s = fields[0].lower().partition("/")
        if not sep or not t or not s:
            continue
        q = 1.0
        for f in fields[1:]:
            k, _, v = f.partition("=")
            if k.strip().lower() == "q":
                try:
                    q = min(max(float(v), 0.0), 1.0)
                except ValueError:
                    q = -1.0
        if q >= 0:
            out.append(MediaRange(t, s, q))
    return out


def negotiate(accept: str | None, offers: dict[str, str]) -> str | None:
    """The format key of the best offer for ``accept``, or None when nothing is acceptable."""
    ranges = parse_accept(accept)
    if not ranges:
        return next(iter(offers.values()))
    best: tuple[float, int] = (0.0, 0)
    chosen: str | None = None
    for i, (media, fmt) in enumerate(offers.items()):
        spec, q = -1, 0.0
        for r in ranges:
            sp = r.specificity(media)
            if sp > spec:
                spec, q = sp, r.q
        if spec >= 0 and q > 0 and (q, -i) > best:
            best, chosen = (q, -i), fmt
    return chosen


# ------------------------------------------------------------------ the shelf
log = logging.getLogger(__name__)

#: The folder of a store directory that holds precomputed answers, one folder per generation.
ANSWERS_DIR = "answers"
_SUFFIX = ".ans"
_PERSIST: ContextVar[bool] = ContextVar("itskg_persist_answers", default=False)


@contextlib.contextmanager
def persisting() -> Iterator[None]:
    """Within this block (and the tasks it starts), cached answers are also written to disk."""
    token = _PERSIST.set(True)
    try:
        yield
    finally:
        _PERSIST.reset(token)


def persist_enabled() -> bool:
    """True inside ``persisting()``."""
    return _PERSIST.get()


def _name(key: tuple[Any, ...]) -> str:
    return hashlib.sha256(repr(key).encode("utf-8")).hexdigest()[:40] + _SUFFIX


class AnswerShelf:
    """The precomputed answers of a local store directory ``root`` (see the module doc).

    ``get`` and ``put`` never raise for a damaged or unwritable file: a precomputed answer
    is an optimisation, so a problem is logged and the caller computes the answer itself.
    """

    def __init__(self, root: Path):
        self.root = Path(root) / ANSWERS_DIR
        self._unwritable: str | None = None  # the first write error (then no more tries)

    def folder(self, generation: str) -> Path:
        """The folder holding ``generation``'s answers."""
        return self.root / generation

    def get(self, generation: str, key: tuple[Any, ...]) -> ExecResult | Any | None:
        """The answer stored for ``key`` in ``generation`` (None when there is none)."""
        path = self.folder(generation) / _name(key)
        try:
            with path.open("rb") as fh:
                head = json.loads(fh.readline())
                body = fh.read()
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as err:
            log.warning("precomputed answer %s unreadable (%s): computing it again", path, err)
            return None
        if head.get("key") != repr(key):  # a hash collision, in theory
            return None
        if head["kind"] == "exec":
            return ExecResult(body, head["media_type"], head["form"], bool(head["truncated"]),
                              head.get("rows"), generation)
        return json.loads(body)

    def put(self, generation: str, key: tuple[Any, ...], value: Any) -> bool:
        """Write ``value`` (an ExecResult, or page data that JSON keeps exactly) for ``key``.

        False when it cannot be kept: a truncated or foreign-generation query answer, data
        JSON would change (tuples, sets, non-string keys), or a disk error (logged).
        """
        if isinstance(value, ExecResult):
            if value.truncated or value.generation != generation:
                return False
            head = {"kind": "exec", "media_type": value.media_type, "form": value.form,
                    "truncated": False, "rows": value.rows}
            body = value.body
        else:
            try:
                text = json.dumps(value, ensure_ascii=False)
            except (TypeError, ValueError):
                return False
            if json.loads(text) != value:
                return False
            head, body = {"kind": "json"}, text.encode("utf-8")
        if self._unwritable is not None:
            return False
        head["key"] = repr(key)
        folder = self.folder(generation)
        path = folder / _name(key)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tmp.open("wb") as fh:
                fh.write(json.dumps(head).encode("utf-8") + b"\n")
                fh.write(body)
            os.replace(tmp, path)
        except OSError as err:  # read-only store, disk full: said once, then answers stay in memory
            self._unwritable = str(err)
            log.warning("cannot keep precomputed answers in %s (%s): they are computed and "
                        "cached in memory only; make the store directory writable for the "
                        "server's user (or set ITSKG_PRECOMPUTE=false)", folder, err)
            with contextlib.suppress(OSError):
                tmp.unlink()
            return False
        return True

    def count(self, generation: str) -> int:
        """How many answers ``generation`` has on disk."""
        folder = self.folder(generation)
        if not folder.is_dir():
            return 0
        return sum(1 for p in folder.iterdir() if p.name.endswith(_SUFFIX))

    def collect(self, live: set[str]) -> list[str]:
        """Remove the answers of generations not in ``live`` (deleted ones); their names."""
        if not self.root.is_dir():
            return []
        gone = []
        for p in self.root.iterdir():
            if p.is_dir() and p.name not in live:
                shutil.rmtree(p, ignore_errors=True)
                gone.append(p.name)
        return gone
