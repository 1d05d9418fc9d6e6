"""Parser-bomb limits on SPARQL text, checked before a query reaches a worker.

The engine parses and plans recursively: measured with pyoxigraph 0.5 in a worker, a group
nested 3,000 deep (``{{{...}}}``, 6 KB of text) or a chain of 20,000 UNIONs overflows the
stack and kills the process (SIGSEGV), and 200 OPTIONALs take 36 s to plan. None of these is
a sensible query, so the server refuses them up front with a message that names the limit and
the setting (``Settings.max_query_length``, ``max_query_depth``, ``max_query_operators``).
The scan reuses the tokenizer of ``itskg.graph.sparql.scan`` (strings, IRIs and comments are
skipped, so a ``{`` inside a literal does not count).
"""

from __future__ import annotations

from dataclasses import dataclass

from itskg.graph.errors import QueryLimitError, QueryTooLargeError
from itskg.graph.sparql.scan import Token, tokens

__all__ = ["CHEAP_LIMIT", "QueryLimits", "check_query_text", "looks_cheap"]

_OPEN, _CLOSE = {"{", "(", "["}, {"}", ")", "]"}
_OPERATORS = {"OPTIONAL", "UNION", "MINUS", "EXISTS"}


@dataclass(frozen=True)
class QueryLimits:
    """The three limits; ``from_settings`` reads them from the one Settings object."""

    max_length: int = 100_000
    max_depth: int = 64
    max_operators: int = 500

    @classmethod
    def from_settings(cls, settings: object) -> QueryLimits:
        return cls(settings.max_query_length, settings.max_query_depth,  # type: ignore[attr-defined]
                   settings.max_query_operators)  # type: ignore[attr-defined]


def check_query_text(text: str, limits: QueryLimits = QueryLimits()) -> list[Token]:
    """Raise unless ``text`` is within ``limits``; its tokens (for ``scan_query`` and
    ``looks_cheap``, so a protocol request is tokenised once).

    >>> len(check_query_text("SELECT * { { ?s ?p ?o } UNION { ?s ?p ?o } }"))
    15
    >>> check_query_text("SELECT * WHERE " + "{" * 100 + "}" * 100)
    Traceback (most recent call last):
    ...
    itskg.graph.errors.QueryLimitError: The query nests { } and ( ) 100 levels deep, ...

    Raises QueryTooLargeError (length) or QueryLimitError (depth, operators).
    """
    if len(text) > limits.max_length:
        raise QueryTooLargeError(
            f"The query is {len(text):,} characters long, more than the server's limit of "
            f"{limits.max_length:,} (setting ITSKG_MAX_QUERY_LENGTH). Long VALUES lists are "
            "better run in parts.")
    depth = deepest = operators = 0
    toks = tokens(text)
    for kind, tok, _ in toks:
        if kind == "other":
            if tok in _OPEN:
                depth += 1
                deepest = max(deepest, depth)
            elif tok in _CLOSE:
                depth -= 1
        elif kind == "word" and tok.upper() in _OPERATORS:
            operators += 1
    if deepest > limits.max_depth:
        raise QueryLimitError(
            f"The query nests {{ }} and ( ) {deepest} levels deep, more than the server's "
            f"limit of {limits.max_depth} (setting ITSKG_MAX_QUERY_DEPTH). Flatten the groups.")
    if operators > limits.max_operators:
        raise QueryLimitError(
            f"The query has {operators:,} OPTIONAL/UNION/MINUS/EXISTS operators, more than "
            f"the server's limit of {limits.max_operators:,} (setting "
            "ITSKG_MAX_QUERY_OPERATORS). Use VALUES for alternatives, or split the query.")
    return toks


_HEAVY = {"ORDER", "GROUP", "COUNT", "SUM", "AVG", "MIN", "MAX", "GROUP_CONCAT", "SAMPLE",
          "DISTINCT", "REDUCED", "HAVING", "OFFSET"}
CHEAP_LIMIT = 1000


def looks_cheap(text: str, form: str, limit: int | None, toks: list[Token] | None = None
                ) -> bool:
    """Whether a query is a look-up that belongs on the executor's fast lane.

    ASK and DESCRIBE, and SELECT/CONSTRUCT with a top-level ``LIMIT`` of at most 1,000 and no
    sorting, grouping, aggregates or DISTINCT (the engine streams those and stops early).
    A misjudged query costs little: the fast lane stops it at ITSKG_LOOKUP_TIMEOUT and the
    main lane runs it with the time left.

    >>> looks_cheap("ASK {}", "ask", None), looks_cheap("SELECT * {?s ?p ?o}", "select", None)
    (True, False)
    """
    if form in ("ask", "describe"):
        return True
    if form not in ("select", "construct") or limit is None or limit > CHEAP_LIMIT:
        return False
    return not any(kind == "word" and tok.upper() in _HEAVY
                   for kind, tok, _ in (tokens(text) if toks is None else toks))
