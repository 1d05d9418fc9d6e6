"""SPARQL text scanning without a parser: the one tokenizer of itskg, and what it finds.

``tokens`` splits SPARQL text into significant tokens (strings, comments, IRIs and variables
are single tokens, so the word SERVICE in a literal or a ``{`` in a comment is harmless).
Every scan of query text uses it: ``scan_query`` (form, dataset IRIs, LIMIT, refused
features), ``scan_update``, ``has_dataset_clause`` (the store's union default graph),
``with_limit`` (the catalogue's row limit), ``scan_selects`` (each SELECT's projection, ORDER BY
and LIMIT: the determinism test), the catalogue's parameter checks and
``inline_bindings``' search for the groups to bind. Hand-written because pyoxigraph does not
expose its parsed algebra.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple
from urllib.parse import urljoin

from itskg.graph.errors import (
    QueryParameterError,
    QueryRefusedError,
)

__all__ = ["QueryInfo", "SelectClause", "Token", "UpdatePlan", "has_dataset_clause", "scan_query",
           "scan_selects", "scan_update", "tokens", "variables", "with_limit"]

# ------------------------------------------------------------------------- scanning
_TOKEN = re.compile(
    r"""(?P<ws>\s+)|(?P<comment>\#[^\n\r]*)
    |(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
        |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)|(?P<var>[?$]\w+)|(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    |(?P<pname>(?:[A-Za-z_][\w.-]*)?:(?:[\w.:%-]|\\.)*)|(?P<word>[A-Za-z]\w*)|(?P<num>\d+)
    |(?P<other>.)""",
    re.X | re.S,
)
_QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}


@dataclass
class QueryInfo:
    """What ``scan_query`` found: the form, the dataset IRIs, the top-level LIMIT."""

    form: str  # select | ask | construct | describe | update | unknown
    from_graphs: list[str] = field(default_factory=list)
    from_named_graphs: list[str] = field(default_factory=list)
    limit: int | None = None
    limit_span: tuple[int, int] | None = None  # where the LIMIT number is in the text
    values_at: int | None = None  # offset of a top-level (trailing) VALUES block

    @property
    def is_graph(self) -> bool:
        return self.form in {"construct", "describe"}

    def shifted(self, by: int) -> QueryInfo:
        """The scan of the same query with ``by`` characters inserted before its top-level
        LIMIT and trailing VALUES (what ``inline_bindings`` does: every group it opens comes
        first), without scanning the new text again."""
        if not by:
            return self
        span = self.limit_span
        return replace(self, limit_span=None if span is None else (span[0] + by, span[1] + by),
                       values_at=None if self.values_at is None else self.values_at + by)

    def capped(self, text: str, cap: int) -> str | None:
        """``text`` with its top-level LIMIT set to ``cap + 1`` (None: SELECT already small)."""
        if self.form != "select" or (self.limit is not None and self.limit <= cap):
            return None
        if self.limit_span is not None:
            a, b = self.limit_span
            return f"{text[:a]}{cap + 1}{text[b:]}"
        at = len(text) if self.values_at is None else self.values_at
        return f"{text[:at]}\nLIMIT {cap + 1}\n{text[at:]}"


class Token(NamedTuple):
    """One significant token: ``kind`` is string, iri, var, lang, pname, word, num or other."""

    kind: str
    text: str
    start: int

    def is_word(self, *words: str) -> bool:
        """True for a keyword token among ``words`` (upper case), in any case."""
        return self.kind == "word" and self.text.upper() in words


def tokens(text: str) -> list[Token]:
    """Significant tokens of SPARQL text; whitespace and comments dropped.

    >>> [t.text for t in tokens('SELECT ?s { ?s ?p "a { #" } # }')]
    ['SELECT', '?s', '{', '?s', '?p', '"a { #"', '}']
    """
    return [Token(m.lastgroup or "other", m.group(), m.start()) for m in _TOKEN.finditer(text)
            if m.lastgroup not in {"ws", "comment"}]



def variables(toks: list[Token]) -> list[str]:
    """The variable names (without ? or $) of ``toks``, in order, with repeats."""
    return [t.text[1:] for t in toks if t.kind == "var"]


def has_dataset_clause(sparql: str) -> bool:
    """True if the query names its own dataset (FROM / FROM NAMED).

    >>> has_dataset_clause('SELECT * { ?s ?p "FROM" }'), has_dataset_clause("SELECT * FROM <g> {}")
    (False, True)
    """
    if _FROM.search(sparql) is None:  # most queries: no tokenising (the store asks every time)
        return False
    return _dataset_clause(sparql)


_FROM = re.compile("from", re.IGNORECASE)


@functools.lru_cache(maxsize=256)
def _dataset_clause(sparql: str) -> bool:
    return any(t.is_word("FROM") for t in tokens(sparql))


def with_limit(text: str, limit: int) -> str:
    """The query with at most ``limit`` rows: a top-level LIMIT lowered, or one added.

    A LIMIT already smaller stays; the new LIMIT goes before a trailing VALUES block.

    >>> with_limit("SELECT * { ?s ?p ?o } LIMIT 50", 10)
    'SELECT * { ?s ?p ?o } LIMIT 10'
    >>> with_limit("SELECT * { ?s ?p ?o }", 10)
    'SELECT * { ?s ?p ?o }\\nLIMIT 10\\n'
    """
    info = scan_query(text)
    if info.limit_span is not None and info.limit is not None:
        a, b = info.limit_span
        return f"{text[:a]}{min(info.limit, int(limit))}{text[b:]}"
    at = len(text) if info.values_at is None else info.values_at
    return f"{text[:at].rstrip()}\nLIMIT {int(limit)}\n{text[at:]}"


def _resolve(kind: str, tok: str, prefixes: dict[str, str], base: str | None) -> str:
    if kind == "iri":
        iri = tok[1:-1]
        return urljoin(base, iri) if base and ":" not in iri else iri
    pfx, _, local = tok.rstrip(".").partition(":")
    if pfx not in prefixes:
        raise QueryParameterError(f"The prefix '{pfx}:' in '{tok}' is not declared.")
    return prefixes[pfx] + local


def _refuse_remote(toks: Sequence[Token]) -> None:
    for kind, tok, _ in toks:
        if kind == "word" and tok.upper() == "SERVICE":
            raise QueryRefusedError(
                "SERVICE (federated query) is not allowed on this endpoint: it would make the "
                "server fetch data from another site. Run the federated query on your own "
                "client, or query this endpoint and the other one separately."
            )
        if kind == "word" and tok.upper() == "LOAD":
            raise QueryRefusedError(
                "LOAD is not allowed: this endpoint never fetches remote data. "
                "Add data with 'itskg import' instead."
            )


def scan_query(text: str, toks: list[Token] | None = None) -> QueryInfo:
    """Tokenize a SPARQL query: its form and FROM graphs; refuse SERVICE and LOAD.

    ``toks``: ``tokens(text)`` when the caller has them already (the protocol route gets
    them from ``check_query_text``).

    >>> scan_query('SELECT * FROM <urn:g> { ?s ?p "SERVICE" }').from_graphs
    ['urn:g']
    """
    toks = tokens(text) if toks is None else toks
    _refuse_remote(toks)
    prefixes: dict[str, str] = {}
    base: str | None = None
    info = QueryInfo("unknown")
    depth, i, end = 0, 0, ("", "", len(text))
    while i < len(toks):
        kind, tok, pos = toks[i]
        up = tok.upper() if kind == "word" else ""
        nxt = toks[i + 1] if i + 1 < len(toks) else end
        if kind == "other":
            depth += {"{": 1, "}": -1}.get(tok, 0)
        elif up == "PREFIX" and nxt[0] == "pname" and i + 2 < len(toks) and toks[i + 2][0] == "iri":
            prefixes[nxt[1][:-1]] = _resolve("iri", toks[i + 2][1], {}, base)
            i += 3
            continue
        elif up == "BASE" and nxt[0] == "iri":
            base = _resolve("iri", nxt[1], {}, base)
        elif info.form == "unknown" and up:
            info.form = up.lower() if up in _QUERY_FORMS else "update"
        elif up == "FROM":
            named = nxt[0] == "word" and nxt[1].upper() == "NAMED"
            j = i + (2 if named else 1)
            if j < len(toks) and toks[j][0] in {"iri", "pname"}:
                iri = _resolve(toks[j][0], toks[j][1], prefixes, base)
                (info.from_named_graphs if named else info.from_graphs).append(iri)
        elif depth == 0 and up == "LIMIT" and nxt[0] == "num":
            info.limit, info.limit_span = int(nxt[1]), (nxt[2], nxt[2] + len(nxt[1]))
        elif depth == 0 and up == "VALUES" and info.values_at is None:
            info.values_at = pos
        i += 1
    return info


@dataclass
class UpdatePlan:
    """A SPARQL Update split into what the store can apply and what it cannot."""

    drop_graphs: list[tuple[str, bool]] = field(default_factory=list)  # (graph IRI, silent)
    unsupported: list[str] = field(default_factory=list)  # first keyword of each other operation


def scan_update(text: str) -> UpdatePlan:
    """Read an update: ``DROP|CLEAR [SILENT] GRAPH <g>`` operations can be applied, others not.

    LOAD and SERVICE raise ``QueryRefusedError``.
    """
    toks = tokens(text)
    _refuse_remote(toks)
    prefixes: dict[str, str] = {}
    base: str | None = None
    plan = UpdatePlan()
    ops: list[list[tuple[str, str]]] = [[]]
    for kind, tok, _ in toks:
        if kind == "other" and tok == ";":
            ops.append([])
        else:
            ops[-1].append((kind, tok))
    for op in ops:
        while len(op) >= 2 and op[0][0] == "word" and op[0][1].upper() in {"PREFIX", "BASE"}:
            if op[0][1].upper() == "BASE":
                base = _resolve("iri", op[1][1], {}, base)
                op = op[2:]
            elif len(op) >= 3:
                prefixes[op[1][1][:-1]] = _resolve("iri", op[2][1], {}, base)
                op = op[3:]
            else:
                break
        if not op:
            continue
        words = [t.upper() for k, t in op if k == "word"]
        silent = len(words) > 1 and words[1] == "SILENT"
        shape = [k for k, _ in op]
        if words[:1] in (["DROP"], ["CLEAR"]) and shape[-1] in {"iri", "pname"} and (
                words[1 + silent: 2 + silent] == ["GRAPH"] and len(op) == 3 + silent):
            plan.drop_graphs.append((_resolve(op[-1][0], op[-1][1], prefixes, base), silent))
        else:
            plan.unsupported.append(words[0] if words else op[0][1])
    return plan




# ------------------------------------------------------------------ SELECT clauses
@dataclass
class SelectClause:
    """One SELECT of a query (the top level or a sub-select) and its solution modifiers."""

    depth: int  # 0 for the query's own SELECT, >0 for a sub-select
    projected: list[str] = field(default_factory=list)  # variable names; ["*"] for SELECT *
    distinct: bool = False
    order_vars: list[str] = field(default_factory=list)  # every variable in ORDER BY
    limit: int | None = None
    offset: int | None = None

    def unordered_under_limit(self, constants: Collection[str] = ()) -> list[str]:
        """Projected variables (except ``constants``) that ORDER BY leaves free under a LIMIT.

        A LIMIT keeps the first rows of an order; when ORDER BY names every projected variable,
        rows that tie are identical, so the rows kept cannot depend on the engine. Returns []
        when there is no LIMIT/OFFSET or the order decides every row. ``SELECT *`` under a LIMIT
        returns ["*"] (its columns cannot be read from the text).
        """
        if self.limit is None and self.offset is None:
            return []
        if self.projected == ["*"]:
            return ["*"]
        return [v for v in self.projected if v not in self.order_vars and v not in constants]


_MODIFIER_WORDS = {"GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES"}


def scan_selects(text: str) -> list[SelectClause]:
    """Every SELECT of ``text`` (top level first, then sub-selects in text order).

    Uses the same tokenizer as ``scan_query``, so braces, keywords and variables inside
    strings, IRIs and comments are never mistaken for syntax.

    >>> [(c.depth, c.limit, c.order_vars) for c in scan_selects(
    ...     'SELECT ?a { { SELECT ?a { ?a ?p "LIMIT 3 }" } LIMIT 5 } } ORDER BY DESC(?a)')]
    [(0, None, ['a']), (1, 5, [])]
    """
    toks = tokens(text)
    out: list[SelectClause] = []
    depth = 0
    open_clauses: list[tuple[SelectClause, int]] = []  # (clause, depth of its SELECT keyword)
    i = 0
    while i < len(toks):
        kind, tok, _ = toks[i]
        up = tok.upper() if kind == "word" else ""
        if up == "SELECT":
            clause = SelectClause(depth=len(open_clauses))
            out.append(clause)
            j, paren = i + 1, 0
            while j < len(toks):
                k, t, _ = toks[j]
                if paren == 0 and (t == "{" or (k == "word" and t.upper() in {"WHERE", "FROM"})):
                    break
                if k == "word" and t.upper() in {"DISTINCT", "REDUCED"} and paren == 0:
                    clause.distinct = True
                elif t == "(":
                    paren += 1
                elif t == ")":
                    paren -= 1
                elif k == "other" and t == "*" and paren == 0:
                    clause.projected.append("*")
                elif k == "var" and paren == 0:
                    clause.projected.append(t[1:])
                elif k == "var" and toks[j - 1][0] == "word" and toks[j - 1][1].upper() == "AS":
                    clause.projected.append(t[1:])
                j += 1
            open_clauses.append((clause, depth))
            i = j
            continue
        if kind == "other" and tok == "{":
            depth += 1
        elif kind == "other" and tok == "}":
            depth -= 1
        elif open_clauses and depth == open_clauses[-1][1] and up in _MODIFIER_WORDS:
            clause = open_clauses[-1][0]
            if up == "ORDER":
                j, paren = i + 2, 0  # skip ORDER BY
                while j < len(toks):
                    k, t, _ = toks[j]
                    if paren == 0 and (t in "{}" or (k == "word" and t.upper() in {
                            "LIMIT", "OFFSET", "VALUES"})):
                        break
                    paren += {"(": 1, ")": -1}.get(t, 0) if k == "other" else 0
                    if k == "var":
                        clause.order_vars.append(t[1:])
                    j += 1
                i = j
                continue
            nxt = toks[i + 1] if i + 1 < len(toks) else ("", "", 0)
            if up in {"LIMIT", "OFFSET"} and nxt[0] == "num":
                setattr(clause, up.lower(), int(nxt[1]))
        # a sub-select ends where its enclosing group closes
        while open_clauses and depth < open_clauses[-1][1]:
            open_clauses.pop()
        i += 1
    return out
