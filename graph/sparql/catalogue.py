"""The named query catalogue: queries/*.rq with a ``#+`` YAML header, typed parameters, running.

Every file in ``queries/`` is one read-only SPARQL query whose name is the file stem. Its
header is a block of ``#+ key: value`` lines (grlc style) holding YAML::

    #+ name: academies_by_region
    #+ title: {it: "ITS Academy per regione", en: "ITS Academies by region"}
    #+ description: {it: "...", en: "..."}
    #+ params:
    #+   - {name: region, type: code, vocabulary: nuts, description: {it: ..., en: ...}}
    #+ tags: [academies, regions]
    #+ example: {region: ITH5}
    #+ cq: [CQ19]
    #+ columns:
    #+   academy: {it: "ITS Academy", en: "ITS Academy"}
    #+   digitalShare: {it: "Quota digitali", en: "Digital share", format: percent}
    #+ binding: engine        # optional: engine (default) or values

``columns`` gives every projected variable (``?lang`` excepted) its Italian and English
heading and optionally a ``format`` (``percent``: a 0-1 ratio shown as a percentage). The
explorer (question pages, profiles) and the generated queries/README.md use these headings;
``tests/queries/test_columns.py`` checks that every projected variable has one. A column that
is a ``GROUP_CONCAT(...; separator="s")`` is a list: ``ResultColumn.list_separator`` is ``s``.

Parameters are plain variables (``?region``) bound by the engine (pyoxigraph substitutions via
``KnowledgeStore.query(bindings=...)``), never pasted into the text. The engine only binds
variables of the SELECT projection, so every parameter (and ``?lang``) is a result column:
the catalogue refuses to load a SELECT query whose projection lacks one of its parameters.
An optional parameter without a value stays unbound, which the queries read as "all".
``binding: values`` in the header inlines the bindings as a VALUES block instead
(``inline_bindings``), for queries the engine plans better that way; both give the same rows.
A sub-select that uses a parameter must project it too (the engine substitutes only projected
variables; ``inline_bindings`` opens every sub-select with the VALUES block to match).

Queries that pick labels use ``?lang`` (it or en, with fallback to the other language); it is
an implicit parameter of every query whose text mentions ``?lang``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import keyword
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

import yaml

from itskg.graph.backends.interface import Store
from itskg.graph.errors import (
    DataError,
    ItskgError,
    Problem,
    QueryParameterError,
    UnknownQueryError,
    UnknownValueError,
)
from itskg.graph.namespaces import (
    ABSOLUTE_IRI,
    COUNTRY,
    DATA,
    EQF,
    GRAPH,
    NUTS_CODE,
    ONTOLOGY,
    VOCAB,
)
from itskg.graph.resources import query_files
from itskg.graph.sparql.queryformat import (
    RESULT_MEDIA,
    format_rows,
    inline_bindings,
    plain_value,
    table_rows,
    values_clause,
)
from itskg.graph.sparql.scan import QueryInfo, scan_query, tokens, variables, with_limit
from itskg.graph.terms import QueryResult, Term, iri

__all__ = [
    "COLUMN_FORMATS",
    "LANGUAGES",
    "PARAM_TYPES",
    "ResultColumn",
    "VOCABULARIES",
    "NamedQuery",
    "Param",
    "Vocabulary",
    "RESULT_MEDIA",
    "BINDING_MODES",
    "bind_params",
    "catalogue_markdown",
    "code_checks",
    "format_rows",
    "get_query",
    "inline_bindings",
    "load_catalog",
    "named_request",
    "prepare",
    "parse_query_text",
    "plain_value",
    "projected_variables",
    "run_query",
    "table_rows",
    "values_clause",
]

XSD = "http://www.w3.org/2001/XMLSchema#"
PARAM_TYPES = ("iri", "string", "integer", "decimal", "date", "year", "code")
LANGUAGES = ("it", "en")
HEADER_KEYS = {"name", "title", "description", "params", "tags", "example", "cq", "binding",
               "columns"}
COLUMN_FORMATS = ("percent", "number", "text")
#: how parameters reach the engine: ``engine`` (substitutions, the default) or ``values``
#: (a VALUES block inlined into the text: ``inline_bindings``)
BINDING_MODES = ("engine", "values")
PARAM_KEYS = {"name", "type", "required", "default", "allowed", "vocabulary", "description"}
RESERVED = {"format", "limit"}  # HTTP/CLI options; never query parameters

_IRI_RE = ABSOLUTE_IRI  # no control characters or lone surrogates either
_SLUG = r"^[a-z0-9][a-z0-9-]*$"


@dataclass(frozen=True)
class Vocabulary:
    """Where the values of an iri/code parameter live: IRI namespaces and the code syntax."""

    name: str
    namespaces: tuple[str, ...]
    pattern: str  # regular expression a bare code must match
    description: str

    def matches_iri(self, value: str) -> bool:
        return any(
            value.startswith(ns) and re.match(self.pattern, value[len(ns):]) is not None
            for ns in self.namespaces
        )


def _voc(name: str, namespaces: str | tuple[str, ...], pattern: str, desc: str) -> Vocabulary:
    ns = (namespaces,) if isinstance(namespaces, str) else namespaces
    return Vocabulary(name, ns, pattern, desc)


_AREA08, _AREA23 = VOCAB + "area-2008/", VOCAB + "area-2023/"
_ATECO = r"^([A-V]|\d{2}(\.\d{1,2}(\.\d{1,2})?)?)$"
VOCABULARIES: dict[str, Vocabulary] = {
    v.name: v
    for v in (
        _voc("nuts", NUTS_CODE, r"^[A-Z]{2}[A-Z0-9]{0,3}$", "Eurostat NUTS code, e.g. ITH5"),
        _voc("country", COUNTRY, r"^[A-Z]{3}$", "EU country code (ISO alpha-3), e.g. DEU"),
        _voc("eqf", EQF, r"^[1-8]$", "EQF level, 5 or 6"),
        _voc("ateco2025", VOCAB + "ateco2025/", _ATECO, "ATECO 2025 code, e.g. C or 62.10"),
        _voc("ateco2007", VOCAB + "ateco2007/", _ATECO, "ATECO 2007 code, e.g. C or 62.01"),
        _voc("area-2008", _AREA08, r"^A\d(\.\d)?$", "2008 technological area, e.g. A4.3"),
        _voc("area-2023", _AREA23, r"^D\d{1,2}$", "DM 203/2023 technological area, e.g. D6"),
        _voc("area", (_AREA23, _AREA08), r"^(D\d{1,2}|A\d(\.\d)?)$",
             "technological area, D1-D10 (2023) or A1-A6, A4.1-A4.5 (2008)"),
        *(
            _voc(s, VOCAB + s + "/", _SLUG, f"concept of {VOCAB}{s}")
            for s in ("member-role", "partner-type", "collaboration-type", "mobility-direction",
                      "mobility-type", "data-kind", "project-role", "programme")
        ),
        _voc("esco-skill", "http://data.europa.eu/esco/skill/", r"^[0-9a-f-]{36}$",
             "ESCO skill IRI"),
        _voc("esco-occupation", "http://data.europa.eu/esco/occupation/", r"^[0-9a-f-]{36}$",
             "ESCO occupation IRI"),
        _voc("its", DATA + "its/", r"^[A-Za-z0-9._-]+$", "ITS Academy IRI (id/its/...)"),
        _voc("company", DATA + "company/", r"^[A-Za-z0-9._-]+$", "company IRI (id/company/...)"),
        _voc("course", DATA + "course/", r"^[A-Za-z0-9._/-]+$", "course IRI (id/course/...)"),
        _voc("id", DATA, r"^[A-Za-z0-9._/-]+$", "any itskg resource IRI (id/...)"),
        _voc("class", ONTOLOGY, r"^[A-Za-z][A-Za-z0-9]*$", "itskg class, e.g. Company"),
        _voc("graph", GRAPH, r"^[A-Za-z0-9._/-]+$", "named graph of a layer, e.g. esco"),
    )
}


@dataclass(frozen=True)
class Param:
    """One declared parameter of a named query."""

    name: str
    type: str = "string"
    required: bool = False
    default: str | None = None
    allowed: tuple[str, ...] | None = None
    vocabulary: str | None = None
    description: dict[str, str] = field(default_factory=dict)

    def expected(self) -> str:
        """What a valid value looks like, for error messages and help."""
        if self.allowed:
            return "one of " + ", ".join(self.allowed)
        if self.vocabulary:
            v = VOCABULARIES[self.vocabulary]
            return f"{v.description} ({self.type} in {', '.join(v.namespaces)})"
        return {
            "iri": "an absolute IRI, e.g. https://w3id.org/itskg/id/its/XXXX",
            "string": "a text",
            "integer": "an integer, e.g. 2",
            "decimal": "a decimal number, e.g. 0.35",
            "date": "a date YYYY-MM-DD",
            "year": "a year YYYY",
            "code": "a code",
        }[self.type]


LANG_PARAM = Param(
    name="lang", type="string", default="it", allowed=LANGUAGES,
    description={"it": "Lingua delle etichette (it o en; ripiego sull'altra)",
                 "en": "Label language (it or en; falls back to the other)"},
)


@dataclass(frozen=True)
class ResultColumn:
    """The heading of one result column: it/en label, display format, list separator."""

    name: str
    label: dict[str, str]
    format: str | None = None  # one of COLUMN_FORMATS, or None (from the value's datatype)
    list_separator: str | None = None  # set when the column is a GROUP_CONCAT

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "format": self.format,
                "list": self.list_separator}


LANG_COLUMN = ResultColumn("lang", {"it": "Lingua", "en": "Language"}, "text")


@dataclass(frozen=True)
class NamedQuery:
    """A catalogue entry: header metadata plus the SPARQL text (``kind`` select/ask/construct)."""

    name: str
    title: dict[str, str]
    description: dict[str, str]
    params: tuple[Param, ...]
    tags: tuple[str, ...]
    example: dict[str, str]
    cq: tuple[str, ...]
    text: str
    kind: str
    binding: str = "engine"
    columns: tuple[ResultColumn, ...] = ()

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    @property
    def uses_lang(self) -> bool:
        return any(p.name == "lang" for p in self.params)

    def column(self, name: str) -> ResultColumn | None:
        """The declared column ``name`` (``lang`` has a built-in heading), or None."""
        if name == "lang":
            return LANG_COLUMN
        return next((c for c in self.columns if c.name == name), None)

    def heading(self, name: str, lang: str) -> str:
        """The heading of column ``name`` in ``lang`` (the variable name when undeclared)."""
        col = self.column(name)
        return col.label.get(lang, name) if col else name


# ------------------------------------------------------------------------ parsing
def _problem(name: str, msg: str, row: int | None = None) -> DataError:
    return DataError(f"Named query {name}.rq is invalid; fix its header or text.",
                     [Problem(msg, file=f"queries/{name}.rq", row=row)])


def _lang_dict(name: str, key: str, value: Any, *, required: bool) -> dict[str, str]:
    if value is None and not required:
        return {}
    if not isinstance(value, Mapping) or not all(
        isinstance(value.get(lg), str) and value.get(lg) for lg in LANGUAGES
    ) or set(value) - set(LANGUAGES):
        raise _problem(name, f"'{key}' must be a mapping with non-empty 'it' and 'en' texts")
    return {lg: str(value[lg]) for lg in LANGUAGES}


def _parse_param(qname: str, raw: Any) -> Param:
    if not isinstance(raw, Mapping) or "name" not in raw:
        raise _problem(qname, f"each entry of 'params' must be a mapping with a name: {raw!r}")
    unknown = set(raw) - PARAM_KEYS
    if unknown:
        raise _problem(qname, f"parameter {raw['name']}: unknown key(s) {sorted(unknown)}; "
                              f"allowed: {sorted(PARAM_KEYS)}")
    name = str(raw["name"])
    if (not re.match(r"^[a-z][a-z0-9_]*$", name) or name in RESERVED or name == "lang"
            or keyword.iskeyword(name)):
        raise _problem(qname, f"parameter name {name!r} must be snake_case and not one of "
                              f"{sorted(RESERVED | {'lang'})} or a Python keyword")
    ptype = str(raw.get("type", "string"))
    if ptype not in PARAM_TYPES:
        raise _problem(qname, f"parameter {name}: type {ptype!r} is not one of {PARAM_TYPES}")
    vocab = raw.get("vocabulary")
    if vocab is not None and vocab not in VOCABULARIES:
        raise _problem(qname, f"parameter {name}: unknown vocabulary {vocab!r}; known: "
                              f"{sorted(VOCABULARIES)}")
    if ptype == "code" and vocab is None:
        raise _problem(qname, f"parameter {name}: a code parameter needs a vocabulary")
    allowed = raw.get("allowed")
    if allowed is not None and not (isinstance(allowed, list) and allowed):
        raise _problem(qname, f"parameter {name}: 'allowed' must be a non-empty list")
    default = raw.get("default")
    return Param(
        name=name, type=ptype, required=bool(raw.get("required", False)),
        default=None if default is None else str(default),
        allowed=None if allowed is None else tuple(str(a) for a in allowed),
        vocabulary=vocab,
        description=_lang_dict(qname, f"params.{name}.description", raw.get("description"),
                               required=False),
    )


#: libyaml's safe loader when PyYAML was built with it (9x faster: the whole catalogue's
#: headers in about 25 ms instead of 200, paid by every process's first named query)
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _header(name: str, text: str) -> tuple[dict[str, Any], str]:
    lines = text.splitlines()
    head: list[str] = []
    i = 0
    while i < len(lines) and lines[i].startswith("#+"):
        head.append(lines[i][2:].removeprefix(" "))
        i += 1
    if not head:
        raise _problem(name, "no '#+' header block at the top of the file", row=1)
    try:
        meta = yaml.load("\n".join(head), Loader=_YAML_LOADER)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise _problem(name, f"header is not valid YAML: {err}",
                       row=None if mark is None else mark.line + 1) from err
    if not isinstance(meta, Mapping):
        raise _problem(name, "the header must be a YAML mapping of keys", row=1)
    unknown = set(meta) - HEADER_KEYS
    if unknown:
        raise _problem(name, f"unknown header key(s) {sorted(unknown)}; allowed: "
                             f"{sorted(HEADER_KEYS)}")
    return dict(meta), "\n".join(lines[i:])


_CONCAT_RE = re.compile(
    r"GROUP_CONCAT\s*\((?:[^()]|\([^()]*\))*?;\s*separator\s*=\s*(\"[^\"]*\"|'[^']*')\s*\)"
    r"\s+AS\s+[?$]([A-Za-z_][A-Za-z0-9_]*)", re.I)


# BIND(IF(?all = "", ?none, ?all) AS ?col): a concatenation passed on only when not empty
# (portable: Virtuoso concatenates nothing into "" where Oxigraph leaves it unbound)
_PASS_ON_RE = re.compile(r'BIND\s*\(\s*IF\s*\(\s*[?$](\w+)\s*=\s*""\s*,\s*[?$]\w+\s*,'
                         r'\s*[?$]\1\s*\)\s+AS\s+[?$](\w+)\s*\)', re.I)


def _parse_columns(name: str, raw: Any, body: str) -> tuple[ResultColumn, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        raise _problem(name, "'columns' must be a mapping: variable -> {it: ..., en: ...}")
    lists = {m.group(2): m.group(1)[1:-1] for m in _CONCAT_RE.finditer(body)}
    for m in _PASS_ON_RE.finditer(body):  # a list passed on when not empty is a list
        if m.group(1) in lists:
            lists[m.group(2)] = lists[m.group(1)]
    out = []
    for var, spec in raw.items():
        var = str(var)
        if not re.search(rf"[?$]{re.escape(var)}\b", body):
            raise _problem(name, f"column {var}: ?{var} does not occur in the query")
        if not isinstance(spec, Mapping):
            raise _problem(name, f"column {var}: give {{it: ..., en: ...}}")
        fmt = spec.get("format")
        if fmt is not None and fmt not in COLUMN_FORMATS:
            raise _problem(name, f"column {var}: format {fmt!r} is not one of {COLUMN_FORMATS}")
        unknown = set(spec) - {"it", "en", "format"}
        if unknown:
            raise _problem(name, f"column {var}: unknown key(s) {sorted(unknown)}")
        label = _lang_dict(name, f"columns.{var}", {k: spec.get(k) for k in LANGUAGES},
                           required=True)
        out.append(ResultColumn(var, label, fmt, lists.get(var)))
    return tuple(out)


def projected_variables(query: NamedQuery) -> list[str]:
    """The variables a SELECT query projects, in order, as the engine parses the query (used
    by the tests and tools; DataError naming the file when it does not parse)."""
    from itskg.graph.errors import QuerySyntaxError
    from itskg.graph.namespaces import PREFIXES
    from itskg.graph.store import projected_variables as engine_projection

    if query.kind != "select":
        return []
    try:
        return engine_projection(query.text, PREFIXES)
    except QuerySyntaxError as err:
        raise _problem(query.name, str(err)) from err


def parse_query_text(name: str, text: str) -> NamedQuery:
    """Parse one .rq file's text (``name`` = file stem); raise DataError if it is invalid."""
    meta, body = _header(name, text)
    if meta.get("name") != name:
        raise _problem(name, f"header name {meta.get('name')!r} differs from the file name")
    toks = tokens(body)
    try:
        form = scan_query(body).form
    except ItskgError as err:  # SERVICE, LOAD, an undeclared prefix in FROM
        raise _problem(name, str(err)) from err
    if form not in ("select", "ask", "construct", "describe"):
        raise _problem(name, "only read-only queries (SELECT, ASK, CONSTRUCT, DESCRIBE) are "
                             "allowed in the catalogue")
    kind = "construct" if form == "describe" else form
    raw_params = meta.get("params") or []
    if isinstance(raw_params, Mapping):  # map form: {region: {type: code, ...}}
        raw_params = [{"name": k, **(v or {})} for k, v in raw_params.items()]
    if not isinstance(raw_params, list):
        raise _problem(name, "'params' must be a list (or a mapping) of parameters")
    params = [_parse_param(name, p) for p in raw_params]
    if len({p.name for p in params}) != len(params):
        raise _problem(name, "a parameter is declared twice")
    used = set(variables(toks))
    if "lang" in used:
        params.append(LANG_PARAM)
    first = next((i for i, tk in enumerate(toks) if tk.is_word("WHERE") or tk.text == "{"),
                 len(toks))
    projected = set(variables(toks[:first]))
    for p in params:
        if p.name not in used:
            raise _problem(name, f"parameter {p.name} is declared but ?{p.name} is not used")
        if kind == "select":
            if p.name not in projected:
                raise _problem(name, f"?{p.name} must be in the SELECT projection (the engine "
                                     "binds only projected variables)")
        if p.allowed and p.default is not None and p.default not in p.allowed:
            raise _problem(name, f"parameter {p.name}: default {p.default!r} not in allowed")
    tags = meta.get("tags") or []
    cq = meta.get("cq") or []
    example = meta.get("example") or {}
    if not isinstance(tags, list) or not isinstance(cq, list) or not isinstance(example, Mapping):
        raise _problem(name, "'tags' and 'cq' must be lists and 'example' a mapping")
    bad = [c for c in cq if not re.match(r"^CQ\d{2}$", str(c))]
    if bad:
        raise _problem(name, f"'cq' entries must look like CQ01: {bad}")
    binding = str(meta.get("binding", "engine"))
    if binding not in BINDING_MODES:
        raise _problem(name, f"'binding' must be one of {', '.join(BINDING_MODES)}, "
                             f"not {binding!r}")
    names = {p.name for p in params}
    if set(example) - names:
        raise _problem(name, f"example names unknown parameter(s) {sorted(set(example) - names)}")
    return NamedQuery(
        name=name,
        title=_lang_dict(name, "title", meta.get("title"), required=True),
        description=_lang_dict(name, "description", meta.get("description"), required=True),
        params=tuple(params),
        tags=tuple(str(t) for t in tags),
        example={str(k): str(v) for k, v in example.items()},
        cq=tuple(str(c) for c in cq),
        text=text,
        kind=kind,
        binding=binding,
        columns=_parse_columns(name, meta.get("columns"), body),
    )


@lru_cache(maxsize=1)
def load_catalog() -> dict[str, NamedQuery]:
    """Every named query shipped in queries/, by name (read once per process)."""
    out: dict[str, NamedQuery] = {}
    for f in query_files():
        name = f.name[: -len(".rq")]
        if not re.match(r"^[a-z][a-z0-9_]*$", name):
            raise _problem(name, "query file names must be snake_case")
        out[name] = parse_query_text(name, f.read_text(encoding="utf-8"))
    return dict(sorted(out.items()))


def get_query(name: str) -> NamedQuery:
    """The named query ``name``; UnknownQueryError (with a suggestion) if there is none."""
    cat = load_catalog()
    if name in cat:
        return cat[name]
    close = difflib.get_close_matches(name, list(cat), n=3, cutoff=0.5)
    hint = f" Did you mean {' or '.join(close)}?" if close else ""
    raise UnknownQueryError(
        f"No named query '{name}'.{hint} Run 'itskg queries' or GET /api/queries for the list."
    )


# ------------------------------------------------------------------------ binding
def _bad(query: NamedQuery, p: Param, value: str, why: str) -> QueryParameterError:
    shown = value if len(value) <= 80 else value[:77] + "..."
    return QueryParameterError(
        f"Parameter '{p.name}' of query {query.name}: {why} (got {shown!r}); "
        f"expected {p.expected()}."
    )


def _resolve_iri(query: NamedQuery, p: Param, value: str) -> str:
    """Validate an iri/code value and return the IRI (a bare code becomes namespace + code)."""
    vocab = VOCABULARIES.get(p.vocabulary or "")
    if _IRI_RE.match(value) and (vocab is None or not re.match(vocab.pattern, value)):
        if vocab is not None and not vocab.matches_iri(value):
            raise _bad(query, p, value, f"not an IRI of the {vocab.name} vocabulary")
        return value
    if vocab is None:
        raise _bad(query, p, value, "not a valid absolute IRI")
    if not re.match(vocab.pattern, value):
        raise _bad(query, p, value, "not a valid code")
    if len(vocab.namespaces) > 1:  # e.g. area: the code syntax picks the scheme (D6 vs A4.3)
        for v in VOCABULARIES.values():
            if len(v.namespaces) == 1 and v.namespaces[0] in vocab.namespaces and re.match(
                v.pattern, value
            ):
                return v.namespaces[0] + value
    return vocab.namespaces[0] + value


def _convert(query: NamedQuery, p: Param, value: str) -> Any:
    if p.allowed and value not in p.allowed:
        raise _bad(query, p, value, "not an allowed value")
    t = p.type
    if t in {"iri", "code"}:
        return iri(_resolve_iri(query, p, value))
    if t == "integer":
        if not re.match(r"^[+-]?\d{1,18}$", value):
            raise _bad(query, p, value, "not an integer")
        return int(value)
    if t == "decimal":
        try:
            d = Decimal(value)
        except InvalidOperation:
            d = Decimal("NaN")
        if not d.is_finite() or not re.match(r"^[+-]?(\d+\.?\d*|\.\d+)$", value):
            raise _bad(query, p, value, "not a decimal number")
        return Term("literal", format(d, "f"), XSD + "decimal")
    if t == "date":
        try:
            if not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
                raise ValueError(value)
            return dt.date.fromisoformat(value)
        except ValueError:
            raise _bad(query, p, value, "not a date") from None
    if t == "year":
        if not re.match(r"^\d{4}$", value):
            raise _bad(query, p, value, "not a year")
        return Term("literal", value, XSD + "gYear")
    if len(value) > 1000:
        raise _bad(query, p, value, "longer than 1000 characters")
    return value


_EXISTS = "ASK { { ?concept ?p ?o } UNION { ?s ?p ?concept } }"


def code_checks(query: NamedQuery, raw: Mapping[str, Any], bindings: Mapping[str, Any]
                ) -> list[tuple[str, str]]:
    """(IRI, error message) for each bound code parameter: the concept must exist.

    The executor checks them in the worker, in the same round trip as the query.
    """
    out = []
    for p in query.params:
        if p.type == "code" and p.name in bindings:
            value = str(raw.get(p.name) or p.default or "").strip()
            iri_ = str(bindings[p.name])
            out.append((iri_, str(_bad(query, p, value,
                                       f"no such concept in the store ({iri_})"))))
    return out


def bind_params(
    query: NamedQuery, raw: Mapping[str, Any], *, store: Store | None = None
) -> dict[str, Any]:
    """Validate raw (text) values against the query's parameters; return engine bindings.

    Empty values count as missing. Defaults fill missing optional parameters; a missing
    required one, an unknown name or a wrong value raises QueryParameterError. With a
    ``store``, each code value must exist there (one ASK per code parameter).
    """
    known = {p.name for p in query.params}
    unknown = sorted(set(raw) - known)
    if unknown:
        listed = ", ".join(sorted(known)) or "none"
        raise QueryParameterError(
            f"Query {query.name} has no parameter {', '.join(map(repr, unknown))}; "
            f"its parameters are: {listed}."
        )
    out: dict[str, Any] = {}
    for p in query.params:
        value = raw.get(p.name)
        value = None if value is None or str(value).strip() == "" else str(value).strip()
        if value is None:
            value = p.default
        if value is None:
            if p.required:
                raise QueryParameterError(
                    f"Query {query.name} needs parameter '{p.name}': {p.expected()}."
                    + (f" Example: {p.name}={query.example[p.name]}"
                       if p.name in query.example else "")
                )
            continue
        out[p.name] = _convert(query, p, value)
    if store is not None:
        for concept, message in code_checks(query, raw, out):
            if not store.ask(_EXISTS, bindings={"concept": iri(concept)}):
                raise UnknownValueError(message)
    return out


#: each query's text and scan by (its text, limit), made once per process (``prepare``)
_PREPARED: dict[tuple[str, int | None], tuple[str, QueryInfo]] = {}
_PREPARED_MAX = 1024  # limits come with requests: a bound, then start again


def _prepared(q: NamedQuery, limit: int | None) -> tuple[str, QueryInfo]:
    key = (q.text, limit)  # the text's hash is computed once per string object
    hit = _PREPARED.get(key)
    if hit is None:
        if len(_PREPARED) >= _PREPARED_MAX:
            _PREPARED.clear()
        text = q.text if limit is None or q.kind != "select" else with_limit(q.text, limit)
        hit = _PREPARED[key] = (text, scan_query(text))
    return hit


def prepare() -> int:
    """Load the catalogue and prepare every query's text and scan, as a named request does
    on first use (about 50 ms in all). A query worker calls it when it starts, so its first
    request does not pay it; a process that forks workers may call it first, so they inherit
    it. Returns the number of queries."""
    cat = load_catalog()
    for q in cat.values():
        _prepared(q, None)
    return len(cat)


def named_request(req: Mapping[str, Any], max_rows: int) -> dict[str, Any]:
    """The executor request answering a named-query request, built where it runs (the worker).

    ``req`` is ``{"op": "named", "name", "params", "fmt", "lang", "limit"}`` as
    ``KnowledgeGraph.run_named`` sends it: text parameters, unchecked. Here they are validated
    and bound (``bind_params``), code parameters become existence checks answered in the same
    round trip (``code_checks``), and the text is scanned once per query and limit in a
    process (``prepare``). A ``binding: values`` query gets its bindings inlined and its scan
    shifted past them (``QueryInfo.shifted``), not scanned again.
    Raises UnknownQueryError, QueryParameterError.
    """
    from itskg.graph.sparql.executor import build_request

    q = get_query(req["name"])
    raw = {k: v for k, v in (req.get("params") or {}).items() if v is not None}
    if q.uses_lang:
        raw.setdefault("lang", req.get("lang") or "it")
    else:
        raw.pop("lang", None)
    fmt = req["fmt"]
    if fmt not in RESULT_MEDIA:
        raise QueryParameterError(
            f"Unknown format {fmt!r}; use one of {', '.join(sorted(RESULT_MEDIA))}.")
    bindings = bind_params(q, raw)
    exists = code_checks(q, raw, bindings)
    text, info = _prepared(q, req.get("limit"))
    if q.binding == "values" and bindings:
        inlined = inline_bindings(text, bindings)  # its groups open before LIMIT: shift the scan
        text, info, bindings = inlined, info.shifted(len(inlined) - len(text)), {}
    return build_request(text, fmt, max_rows, bindings=bindings, exists=exists, info=info)


def run_query(
    store: Store,
    name: str,
    params: Mapping[str, Any] | None = None,
    *,
    lang: str = "it",
    limit: int | None = None,
) -> QueryResult:
    """Run the named query with validated, engine-bound parameters.

    ``lang`` is the label language (it/en); a ``lang`` entry in ``params`` overrides it.
    ``limit`` caps the number of rows (never raising a LIMIT already in the query).
    """
    q = get_query(name)
    raw = dict(params or {})
    if q.uses_lang:
        raw.setdefault("lang", lang)
    else:
        raw.pop("lang", None)
    bindings = bind_params(q, raw, store=store)
    text = q.text if limit is None or q.kind != "select" else with_limit(q.text, int(limit))
    if q.binding == "values":
        return store.query(inline_bindings(text, bindings))
    return store.query(text, bindings=bindings)


# ------------------------------------------------------------------------ docs
def catalogue_markdown() -> str:
    """The queries/README.md text: one row per named query (kept in sync by a test)."""
    lines = [
        "# Named queries",
        "",
        "Generated by `itskg.graph.sparql.catalogue.catalogue_markdown()`; do not edit by hand "
        "(a test checks it).",
        "Run one with `itskg query --name NAME -p key=value` or "
        "`GET /api/queries/NAME?key=value`.",
        "Every query whose text uses `?lang` takes `lang=it|en` (default it).",
        "",
        "| name | title | competency questions | parameters | tags |",
        "|---|---|---|---|---|",
    ]
    for q in load_catalog().values():
        ps = []
        for p in q.params:
            if p.name == "lang":
                continue
            bits = [p.type + (f" ({p.vocabulary})" if p.vocabulary else "")]
            if p.required:
                bits.append("required")
            if p.default is not None:
                bits.append(f"default {p.default}")
            if p.allowed:
                bits.append("/".join(p.allowed))
            ps.append(f"`{p.name}`: {', '.join(bits)}")
        lines.append(
            f"| `{q.name}` | {q.title['en']} / {q.title['it']} | {', '.join(q.cq) or '-'} | "
            f"{'<br>'.join(ps) or '-'} | {', '.join(q.tags)} |"
        )
    lines += ["", "## Result columns", "",
              "Declared in each file's `#+ columns:` header (English / Italian heading; "
              "*list* = a `GROUP_CONCAT` column, *percent* = a 0-1 ratio shown as %).", ""]
    for q in load_catalog().values():
        if not q.columns:
            continue
        cells = []
        for c in q.columns:
            note = [x for x in (c.format if c.format == "percent" else None,
                                "list" if c.list_separator else None) if x]
            cells.append(f"`{c.name}` {c.label['en']} / {c.label['it']}"
                         + (f" *({', '.join(note)})*" if note else ""))
        lines.append(f"- `{q.name}`: " + "; ".join(cells))
    lines.append("")
    return "\n".join(lines)
