"""Semi-naive rewriting of materialisation rules: the part of a rule a changed layer can match.

A rule ``CONSTRUCT { T } WHERE { P }`` is *monotone* when P is built only from triple patterns,
groups, UNION, VALUES, BIND, FILTER (without EXISTS) and sub-selects without aggregates or
LIMIT: adding triples can only add solutions. For such a rule, the derivations that use at
least one triple of a *delta* (the triples of a changed layer, plus what earlier rules newly
derived from it) are the union, over every triple pattern t of P that the delta can match, of P
with t restricted to the delta graphs (``GRAPH <delta> { t }``); the other patterns still match
the whole dataset. That is the semi-naive step of Datalog evaluation, written as SPARQL so the
same rule text serves the full and the incremental paths.

:func:`parse_rule` reads a rule into a small tree (hand-written on the one tokenizer,
:func:`itskg.graph.sparql.scan.tokens`, because pyoxigraph does not expose its algebra and
rdflib's algebra does not print back every rule). :meth:`Rule.delta_queries` gives the
rewritten CONSTRUCT queries for a delta; :meth:`Rule.head_queries` gives the rule restricted
to candidate conclusions (the re-derivation step of DRed, used when a layer is removed).
Anything the rewriting cannot handle exactly (OPTIONAL, MINUS, NOT EXISTS, GRAPH, aggregates,
a property path with ``/``, ``*`` or ``+`` over predicates the delta holds, blank nodes in the
template) raises :class:`NotIncremental`, and the caller re-materialises in full.

>>> rule = parse_rule("PREFIX ex: <http://e/> CONSTRUCT { ?a ex:q ?c } "
...                   "WHERE { ?a ex:p ?b . ?b ex:p ?c }")
>>> [q.split("WHERE ")[1] for q in rule.delta_queries(Delta({"http://e/p"}), ["urn:d"])]
['{ GRAPH <urn:d> { ?a ex:p ?b } ?b ex:p ?c . }', '{ ?a ex:p ?b . GRAPH <urn:d> { ?b ex:p ?c } }']
>>> rule.delta_queries(Delta({"http://e/other"}), ["urn:d"])
[]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from itskg.graph.sparql.scan import Token, tokens

__all__ = ["Delta", "NotIncremental", "Pattern", "Rule", "parse_rule"]

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# Keywords that make a pattern non-monotone or scope it to a graph the rewriting cannot see.
_REFUSED = {"OPTIONAL", "MINUS", "GRAPH", "SERVICE", "EXISTS", "NOT"}
_AGGREGATES = {"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT", "GROUP", "HAVING",
               "LIMIT", "OFFSET", "ORDER"}


class NotIncremental(Exception):
    """The rule cannot be evaluated incrementally for this delta; re-materialise in full."""


@dataclass(frozen=True)
class Delta:
    """What a delta holds, for pruning: its predicates and the classes its rdf:type triples name.

    ``classes`` None means unknown (any class may occur).
    """

    predicates: frozenset[str] | set[str]
    classes: frozenset[str] | set[str] | None = None

    def can_match(self, p: Pattern) -> bool:
        if not self.predicates:
            return False
        if p.predicates is None:
            return True
        if not (p.predicates & set(self.predicates)):
            return False
        if p.type_object is not None and p.predicates == {RDF_TYPE} and self.classes is not None:
            return p.type_object in self.classes
        return True


@dataclass(frozen=True)
class Pattern:
    """One triple pattern: its text, the predicate IRIs it can match (None: any), the class of
    an ``rdf:type`` pattern with a constant object, and whether its verb is a multi-step path."""

    text: str
    predicates: frozenset[str] | None
    type_object: str | None = None
    path: bool = False
    subject: str = ""
    verb: str = ""
    object: str = ""


@dataclass
class Opaque:
    """VALUES, BIND or FILTER: kept as written; it matches no triple. ``binds``: the
    variable a BIND assigns."""

    text: str
    binds: str | None = None


@dataclass
class Group:
    elements: list[Element] = field(default_factory=list)


@dataclass
class Union:
    branches: list[Group]


@dataclass
class SubSelect:
    head: str  # "SELECT DISTINCT ?a ?b WHERE"
    group: Group


Element = Pattern | Opaque | Group | Union | SubSelect


def _render(e: Element) -> str:
    if isinstance(e, Pattern):
        return e.text + " ."
    if isinstance(e, Opaque):
        return e.text
    if isinstance(e, Group):
        return "{ " + " ".join(_render(x) for x in e.elements) + " }"
    if isinstance(e, Union):
        return " UNION ".join(_render(b) for b in e.branches)
    return "{ " + e.head + " " + _render(e.group) + " }"


@dataclass
class Rule:
    """A parsed CONSTRUCT rule: prologue (PREFIX/BASE), template triples, WHERE tree."""

    prologue: str
    template: list[Pattern]
    where: Group
    prefixes: dict[str, str] = field(default_factory=dict)

    def delta_queries(self, delta: Delta, graphs: Sequence[str],
                      triples: Iterable[tuple[str, str, str]] = (), *,
                      chunk: int = 2000) -> list[str]:
        """CONSTRUCT queries whose union is every derivation using a triple of ``graphs`` or
        one of ``triples`` (N-Triples terms, given inline as VALUES, ``chunk`` per query).

        ``delta`` describes what those hold (patterns it cannot match are not rewritten).
        Raises NotIncremental for a multi-step path the delta can match, or a blank node
        among ``triples``.
        """
        rows = list(triples)
        if not graphs and not rows:
            return []

        def wrap(p: Pattern) -> list[str]:
            alts = []
            if graphs:
                parts = [f"GRAPH <{g}> {{ {p.text} }}" for g in graphs]
                alts.append(parts[0] if len(parts) == 1 else "{ " + " UNION ".join(
                    "{ " + x + " }" for x in parts) + " }")
            if rows:
                alts += _inline(p, rows, chunk)
            return alts

        head = f"{self.prologue}CONSTRUCT {{ {self._template_text()} }} WHERE "
        return [head + v for v in _variants(self.where, delta, wrap)]

    def head_queries(self, candidates: str, *, first: bool = True) -> list[str]:
        """The rule restricted to conclusions in the graph ``candidates``, one query per
        template triple. ``first`` puts the restriction before the body, so the engine starts
        from the candidates; a body that BINDs a template variable at its top level needs it
        last (the engine refuses the query otherwise: retry with ``first=False``)."""
        out = []
        for t in self.template:
            restrict = f"GRAPH <{candidates}> {{ {t.text} }}"
            where = _restricted(self.where, restrict, set(_parts(t.text)), first)
            out.append(f"{self.prologue}CONSTRUCT {{ {t.text} }} WHERE {where}")
        return out

    def head_values_queries(self, triples: Iterable[tuple[str, str, str]], *,
                            chunk: int = 2000, first: bool = True) -> list[str]:
        """The rule restricted to the conclusions ``triples`` (N-Triples terms), given inline
        as VALUES (so they cannot support themselves, as they could from a graph the rule
        reads), ``chunk`` rows per query. Raises NotIncremental for a blank node."""
        rows = list(triples)
        out = []
        for t in self.template:
            s, p, o = _parts(t.text)
            slots = [s, p, o]
            if any(x[0] in "\"'0123456789+-" or x.upper() in {"TRUE", "FALSE"} for x in slots):
                raise NotIncremental("a literal in the template")
            names = list(dict.fromkeys(x for x in slots if x.startswith(("?", "$"))))
            allowed = {n: {f"<{v}>" for v in vals} for n in names
                       if (vals := self.values_of(n)) is not None}
            keep: list[str] = []
            seen: set[str] = set()
            for row in rows:
                binding: dict[str, str] = {}
                ok = True
                for slot, value in zip(slots, row, strict=True):
                    if slot.startswith(("?", "$")):
                        if binding.setdefault(slot, value) != value:
                            ok = False
                    elif slot != value and not _same_constant(slot, value, self):
                        ok = False
                if not ok or any(binding[n] not in a for n, a in allowed.items()):
                    continue
                if any(v.startswith("_:") for v in binding.values()):
                    raise NotIncremental("a candidate conclusion has a blank node")
                line = "(" + " ".join(binding[n] for n in names) + ")"
                if line not in seen:
                    seen.add(line)
                    keep.append(line)
            for i in range(0, len(keep), chunk):
                values = f"VALUES ({' '.join(names)}) {{ {' '.join(keep[i:i + chunk])} }}"
                where = _restricted(self.where, values, set(names), first)
                out.append(f"{self.prologue}CONSTRUCT {{ {t.text} }} WHERE {where}")
        return out

    def _template_text(self) -> str:
        return " . ".join(t.text for t in self.template)

    def values_of(self, var: str) -> set[str] | None:
        """The IRIs a variable of the template can take, when the body binds it only to
        constants (a VALUES column, or ``BIND(constant AS ?v)`` in every UNION branch);
        None when unknown."""
        return _values_in(self.where, var, self)

    def head_can_match(self, delta: Delta) -> bool:
        """Whether some template triple can be a triple of ``delta`` (its predicates and
        classes), using the constants the body binds template variables to."""
        for t in self.template:
            s, p, o = _parts(t.text)
            preds = self._slot(p)
            if preds is not None and not preds & set(delta.predicates):
                continue
            if preds == {RDF_TYPE} and delta.classes is not None:
                objs = self._slot(o)
                if objs is not None and not objs & set(delta.classes):
                    continue
            return True
        return False

    def _slot(self, text: str) -> set[str] | None:
        if text.startswith(("?", "$")):
            return self.values_of(text)
        iri = _iri_of(text, self.prefixes)
        return {iri} if iri is not None else None


def _restricted(group: Group, restrict: str, names: set[str], first: bool,
                nested: bool = False) -> str:
    """``group`` joined with the restriction ``restrict`` (on the variables ``names``),
    which is also pushed into the branches of its top-level UNIONs (join distributes over
    union) so the engine can start every branch from it. The restriction goes first in a
    group unless a BIND there assigns one of ``names`` (then last, as SPARQL requires)."""
    parts = []
    for e in group.elements:
        if isinstance(e, Union) and not nested:
            parts.append(" UNION ".join(_restricted(b, restrict, names, first, True)
                                        for b in e.branches))
        else:
            parts.append(_render(e))
    binds = {e.binds for e in group.elements if isinstance(e, Opaque) and e.binds}
    inner = " ".join(parts)
    if first and not binds & names:
        return "{ " + restrict + " " + inner + " }"
    return "{ " + inner + " " + restrict + " }"


def _iri_of(text: str, prefixes: dict[str, str]) -> str | None:
    if text == "a":
        return RDF_TYPE
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1]
    pfx, sep, local = text.partition(":")
    if sep and pfx in prefixes and not text.startswith(("?", "$", '"')):
        return prefixes[pfx] + local
    return None


def _values_in(group: Group, var: str, rule: Rule) -> set[str] | None:
    """Constants ``var`` is bound to in ``group`` (see Rule.values_of); None if unknown."""
    for e in group.elements:
        if isinstance(e, Opaque) and e.text.upper().startswith("VALUES"):
            toks = [t for t in tokens(e.text)[1:]]
            names: list[str] = []
            k = 0
            if toks[0].text == "(":
                k = 1
                while toks[k].text != ")":
                    names.append(toks[k].text)
                    k += 1
                k += 1
            else:
                names, k = [toks[0].text], 1
            if var not in names:
                continue
            col, width = names.index(var), len(names)
            cells = [t.text for t in toks[k + 1:-1] if t.text not in {"(", ")"}]
            vals = {_iri_of(c, rule.prefixes) for c in cells[col::width]}
            return None if None in vals else {v for v in vals if v is not None}
        if isinstance(e, Opaque) and e.text.upper().startswith("FILTER"):
            inner = [t.text for t in tokens(e.text)]
            # FILTER ( ?v IN ( c1 , c2 ... ) )
            if len(inner) > 6 and inner[1] == "(" and inner[2] == var \
                    and inner[3].upper() == "IN" and inner[4] == "(":
                cells = [c for c in inner[5:-2] if c != ","]
                vals = {_iri_of(c, rule.prefixes) for c in cells}
                if None not in vals and inner[-2:] == [")", ")"]:
                    return {v for v in vals if v is not None}
        if isinstance(e, Opaque) and e.binds == var:
            bind = [t.text for t in tokens(e.text)]
            if len(bind) == 6:  # BIND ( constant AS ?v )
                v = _iri_of(bind[2], rule.prefixes)
                return {v} if v is not None else None
            return None
        if isinstance(e, Union):
            found = [_values_in(b, var, rule) for b in e.branches]
            if all(f is not None for f in found):
                return set().union(*found)  # type: ignore[arg-type]
    return None


def _parts(text: str) -> tuple[str, str, str]:
    """Subject, verb and object of a template triple's text."""
    toks = _split_dots(tokens(text))
    p = _Parser(text)
    p.toks = toks
    s_end = p.term(0)
    v_end = s_end + 1
    o_end = p.term(v_end)
    return p.span(0, s_end), p.span(s_end, v_end), p.span(v_end, o_end)


def _same_constant(slot: str, value: str, rule: Rule) -> bool:
    """A template constant (prefixed name, 'a') against an N-Triples term."""
    if slot == "a":
        return value == f"<{RDF_TYPE}>"
    pfx, sep, local = slot.partition(":")
    if sep and pfx in rule.prefixes:
        return value == f"<{rule.prefixes[pfx]}{local}>"
    return False


def _inline(p: Pattern, rows: list[tuple[str, str, str]], chunk: int) -> list[str]:
    """The pattern ``p`` restricted to the triples ``rows``: its variables given as VALUES
    (the pattern itself then checks constants and alternatives against the store)."""
    if "^" in p.verb or p.path:
        raise NotIncremental(f"an inverse or multi-step path in '{p.text}'")
    slots = [p.subject, p.verb, p.object]
    names = list(dict.fromkeys(x for x in slots if x.startswith(("?", "$"))))
    if not names:
        return [p.text + " ."]
    wanted = {f"<{i}>" for i in p.predicates} if p.predicates is not None else None
    keep: dict[str, None] = {}
    for row in rows:
        if wanted is not None and row[1] not in wanted:
            continue
        binding: dict[str, str] = {}
        if any(slot.startswith(("?", "$")) and binding.setdefault(slot, value) != value
               for slot, value in zip(slots, row, strict=True)):
            continue
        if any(v.startswith("_:") for v in binding.values()):
            raise NotIncremental("a changed triple has a blank node")
        keep["(" + " ".join(binding[n] for n in names) + ")"] = None
    lines = list(keep)
    return ["{ VALUES (" + " ".join(names) + ") { " + " ".join(lines[i:i + chunk]) + " } "
            + p.text + " . }" for i in range(0, len(lines), chunk)]


def _variants(group: Group, delta: Delta, wrap: Callable[[Pattern], list[str]]) -> list[str]:
    out = []
    for k, e in enumerate(group.elements):
        for alt in _delta(e, delta, wrap):
            out.append("{ " + " ".join(alt if i == k else _render(x)
                                       for i, x in enumerate(group.elements)) + " }")
    return out


def _delta(e: Element, delta: Delta, wrap: Callable[[Pattern], list[str]]) -> list[str]:
    if isinstance(e, Pattern):
        if not delta.can_match(e):
            return []
        if e.path:
            raise NotIncremental(f"the path in '{e.text}' can run through the changed triples")
        return wrap(e)
    if isinstance(e, Opaque):
        return []
    if isinstance(e, Group):
        return _variants(e, delta, wrap)
    if isinstance(e, Union):
        return [v for b in e.branches for v in _variants(b, delta, wrap)]
    return ["{ " + e.head + " " + v + " }" for v in _variants(e.group, delta, wrap)]


# ------------------------------------------------------------------------------ parsing


def _split_dots(toks: list[Token]) -> list[Token]:
    """The tokenizer reads ``ex:o.`` as one prefixed name; split the final dot off."""
    out = []
    for t in toks:
        if t.kind == "pname" and t.text.endswith(".") and len(t.text) > 1:
            out.append(Token("pname", t.text[:-1], t.start))
            out.append(Token("other", ".", t.start + len(t.text) - 1))
        else:
            out.append(t)
    return out


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.toks = _split_dots(tokens(text))
        self.prefixes: dict[str, str] = {}

    def end(self, i: int) -> int:
        t = self.toks[i]
        return t.start + len(t.text)

    def span(self, a: int, b: int) -> str:
        """Source text of tokens a..b-1."""
        return self.text[self.toks[a].start:self.end(b - 1)]

    def tok(self, i: int) -> Token:
        if i >= len(self.toks):
            raise NotIncremental("the rule ends unexpectedly")
        return self.toks[i]

    def closing(self, i: int, open_: str = "{", close: str = "}") -> int:
        """Index of the token closing the bracket at ``i``."""
        depth = 0
        for j in range(i, len(self.toks)):
            if self.toks[j].text == open_:
                depth += 1
            elif self.toks[j].text == close:
                depth -= 1
                if depth == 0:
                    return j
        raise NotIncremental(f"unbalanced '{open_}' in the rule")

    def iri(self, t: Token) -> str | None:
        if t.kind == "iri":
            return t.text[1:-1]
        if t.kind == "pname":
            pfx, _, local = t.text.partition(":")
            return self.prefixes[pfx] + local if pfx in self.prefixes else None
        if t.kind == "word" and t.text == "a":
            return RDF_TYPE
        return None

    def rule(self) -> Rule:
        toks, i = self.toks, 0
        while i < len(toks) and not toks[i].is_word("CONSTRUCT"):
            if toks[i].is_word("PREFIX") and i + 2 < len(toks) and toks[i + 2].kind == "iri":
                self.prefixes[toks[i + 1].text.rstrip(":")] = toks[i + 2].text[1:-1]
                i += 3
            elif toks[i].is_word("BASE"):
                raise NotIncremental("BASE in a rule")
            else:
                raise NotIncremental("not a CONSTRUCT rule")
        if i >= len(toks):
            raise NotIncremental("not a CONSTRUCT rule")
        prologue = self.text[:toks[i].start]
        if self.tok(i + 1).text != "{":
            raise NotIncremental("CONSTRUCT WHERE short form")
        close = self.closing(i + 1)
        template = self.triples_until(i + 2, close)
        for t in template:
            if t.path or "_:" in t.text or "[" in t.text:
                raise NotIncremental("the template has a path or a blank node")
        j = close + 1
        if self.tok(j).is_word("WHERE"):
            j += 1
        if self.tok(j).text != "{":
            raise NotIncremental("dataset clause or missing WHERE group")
        where, after = self.group(j)
        if after != len(toks):
            raise NotIncremental("solution modifiers after the WHERE group")
        return Rule(prologue, template, where, dict(self.prefixes))

    def triples_until(self, i: int, stop: int) -> list[Pattern]:
        out: list[Pattern] = []
        while i < stop:
            if self.toks[i].text == ".":
                i += 1
                continue
            pats, i = self.triples(i)
            out += pats
        return out

    def group(self, i: int) -> tuple[Group, int]:
        """Parse the group opening at ``i``; return it and the index after its '}'."""
        g, toks = Group(), self.toks
        i += 1
        while True:
            t = self.tok(i)
            if t.text == "}":
                return g, i + 1
            if t.text == ".":
                i += 1
            elif t.text == "{":
                if self.tok(i + 1).is_word("SELECT"):
                    close = self.closing(i)
                    inner = next((k for k in range(i + 2, close) if toks[k].text == "{"), None)
                    if inner is None:
                        raise NotIncremental("sub-select without a group")
                    head = self.span(i + 1, inner)
                    if any(toks[k].kind == "word" and toks[k].text.upper() in _AGGREGATES
                           for k in range(i + 1, inner)):
                        raise NotIncremental("aggregate in a sub-select")
                    sub, after = self.group(inner)
                    if after != close:
                        raise NotIncremental("solution modifiers in a sub-select")
                    g.elements.append(SubSelect(head, sub))
                    i = close + 1
                else:
                    first, i = self.group(i)
                    branches = [first]
                    while self.tok(i).is_word("UNION"):
                        nxt, i = self.group(i + 1)
                        branches.append(nxt)
                    g.elements.append(Union(branches) if len(branches) > 1 else first)
            elif t.is_word("VALUES"):
                k = i + 1
                while self.tok(k).text != "{":
                    k += 1
                close = self.closing(k)
                g.elements.append(Opaque(self.span(i, close + 1)))
                i = close + 1
            elif t.is_word("BIND", "FILTER"):
                k = i + 1
                while self.tok(k).text != "(":  # FILTER fn(...), FILTER (...)
                    if self.tok(k).is_word(*_REFUSED):
                        raise NotIncremental(f"FILTER {self.tok(k).text}")
                    k += 1
                close = self.closing(k, "(", ")")
                if any(self.toks[x].is_word(*_REFUSED) for x in range(k, close)):
                    raise NotIncremental("EXISTS / NOT EXISTS in a FILTER")
                binds = None
                if t.is_word("BIND") and close >= 2 and self.toks[close - 2].is_word("AS"):
                    binds = self.toks[close - 1].text
                g.elements.append(Opaque(self.span(i, close + 1), binds))
                i = close + 1
            elif t.kind == "word" and t.text.upper() in _REFUSED | {"SELECT"}:
                raise NotIncremental(f"{t.text.upper()} in a rule")
            else:
                pats, i = self.triples(i)
                g.elements += pats

    def term(self, i: int) -> int:
        """Index after the RDF term starting at ``i``."""
        t = self.tok(i)
        if t.text in {"[", "("}:
            raise NotIncremental("blank-node property list or collection in a rule")
        if t.kind == "string":
            if i + 1 < len(self.toks) and self.toks[i + 1].kind == "lang":
                return i + 2
            if i + 2 < len(self.toks) and self.toks[i + 1].text == "^" \
                    and self.toks[i + 2].text == "^":
                return i + 4
            return i + 1
        if t.kind == "num":  # 1 or 1.5 (three adjacent tokens)
            j = i + 1
            if j + 1 < len(self.toks) and self.toks[j].text == "." \
                    and self.toks[j + 1].kind == "num" and self.toks[j].start == self.end(i) \
                    and self.toks[j + 1].start == self.end(j):
                j += 2
            return j
        if t.kind in {"var", "iri", "pname"} or t.is_word("TRUE", "FALSE"):
            return i + 1
        if t.text in {"+", "-"}:
            return self.term(i + 1)
        raise NotIncremental(f"unexpected '{t.text}' in a triple pattern")

    def verb(self, i: int) -> tuple[int, frozenset[str] | None, bool]:
        """Parse a verb (variable or path); return the index after it, the predicates it can
        match (None: any) and whether it is a multi-step path."""
        t = self.tok(i)
        if t.kind == "var":
            return i + 1, None, False
        preds: set[str] | None = set()
        multi = False
        depth = 0
        j = i
        while True:
            t = self.tok(j)
            if t.text == "(":
                depth += 1
                multi = True
                j += 1
                continue
            if t.text in {"^"}:
                j += 1
                continue
            if t.text == "!":
                preds, multi = None, True
                j += 1
                continue
            iri = self.iri(t)
            if iri is None:
                raise NotIncremental(f"cannot read the predicate '{t.text}'")
            if preds is not None:
                preds.add(iri)
            j += 1
            while self.tok(j).text == ")" and depth:
                depth -= 1
                j += 1
            if self.tok(j).text in {"*", "+", "?"}:
                multi = True
                j += 1
                while self.tok(j).text == ")" and depth:
                    depth -= 1
                    j += 1
            if self.tok(j).text == "/":
                multi = True
                j += 1
            elif self.tok(j).text == "|":
                j += 1
            elif depth:
                continue
            else:
                return j, (frozenset(preds) if preds is not None else None), multi

    def triples(self, i: int) -> tuple[list[Pattern], int]:
        """A triples block from ``i`` up to '.', '}' or a keyword; one Pattern per triple."""
        s_end = self.term(i)
        subject = self.span(i, s_end)
        out, j = [], s_end
        while True:
            v_end, preds, multi = self.verb(j)
            verb = self.span(j, v_end)
            j = v_end
            while True:
                o_end = self.term(j)
                obj = self.span(j, o_end)
                type_obj = None
                if preds == {RDF_TYPE} and not multi:
                    type_obj = self.iri(self.toks[j]) if o_end == j + 1 else None
                out.append(Pattern(f"{subject} {verb} {obj}", preds, type_obj, multi,
                                   subject, verb, obj))
                j = o_end
                if self.tok(j).text == ",":
                    j += 1
                    continue
                break
            if self.tok(j).text == ";":
                while self.tok(j).text == ";":
                    j += 1
                if self.tok(j).text in {".", "}"}:
                    break
                continue
            break
        if self.tok(j).text == ".":
            j += 1
        return out, j


def parse_rule(text: str) -> Rule:
    """Parse a CONSTRUCT rule; raises NotIncremental if it is outside the monotone subset."""
    return _Parser(text).rule()
