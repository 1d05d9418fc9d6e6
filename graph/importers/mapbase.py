"""The mapper base: cell readers and triple writers that locate every problem at row and column.

A :class:`Mapper` walks a :class:`~itskg.graph.importers.tabular.Table`, parses and resolves
each cell (through :class:`~itskg.graph.importers.lookups.Lookups`), writes triples with the
agreed itskg terms, and keeps what the pipeline needs afterwards: the problems (errors and
warnings), the row that produced each resource IRI (to locate SHACL results), the IRIs it
referenced (sent to SHACL as context) and which column fills which property.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from itskg.graph.errors import Problem, ProblemsMixin
from itskg.graph.importers.kinds import Kind
from itskg.graph.importers.lookups import Lookups, Unresolved
from itskg.graph.importers.tabular import Table, parse_number
from itskg.graph.namespaces import COUNTRY, PREFIXES, data_iri
from itskg.graph.rdfwriter import NTriplesWriter

__all__ = ["Mapped", "Mapper", "normalise_company_id", "parse_date", "slug", "vat_check_ok"]

I = PREFIXES["itskg"]  # noqa: E741 - short on purpose: used on most lines of the mappers
RDF_TYPE = PREFIXES["rdf"] + "type"
SKOS, DCT, SCHEMA, FOAF = PREFIXES["skos"], PREFIXES["dct"], PREFIXES["schema"], PREFIXES["foaf"]
ORG, ELM, QB = PREFIXES["org"], PREFIXES["elm"], PREFIXES["qb"]
REF_AREA = PREFIXES["sdmx-dimension"] + "refArea"
ITA = COUNTRY + "ITA"
MEMBER_CLASS = {"company": "Company", "school": "SecondarySchool", "university": "University",
                "research": "ResearchOrganisation", "training-body": "TrainingProvider",
                "local-authority": "PublicAuthority", "trade-association": "TradeAssociation",
                "chamber-of-commerce": "ChamberOfCommerce", "bank": "Bank",
                "bank-foundation": "BankFoundation", "trade-union": "TradeUnion",
                "third-sector": "ThirdSectorBody", "professional-body": "ProfessionalBody",
                "other": "Organisation"}
_CF = re.compile(r"^[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$")


def slug(text: str, max_len: int = 60) -> str:
    """``"Tecnico Superiore: ICT & Dati"`` -> ``"tecnico-superiore-ict-dati"``."""
    s = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")[:max_len].strip("-") or "x"


def vat_check_ok(vat: str) -> bool:
    """The partita IVA check digit (Luhn-like: odd places summed, even places doubled)."""
    total = 0
    for i, ch in enumerate(vat[:10]):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return (10 - total % 10) % 10 == int(vat[10])


def normalise_company_id(value: str) -> tuple[str, str, str | None]:
    """-> (kind "vat"|"cf", normalised id, warning). Raises ValueError if it is neither."""
    s = re.sub(r"[\s.\-/]", "", value).upper()
    if s.startswith("IT") and s[2:].isdigit():
        s = s[2:]
    if s.isdigit() and 9 <= len(s) <= 10:
        return "vat", s.zfill(11), (f"{value!r} has {len(s)} digits: leading zeros were "
                                    "probably lost by a spreadsheet; read as " + s.zfill(11))
    if s.isdigit() and len(s) == 11:
        warn = None if vat_check_ok(s) else f"partita IVA {s} has a wrong check digit"
        return "vat", s, warn
    if _CF.match(s):
        return "cf", s, None
    raise ValueError(f"{value!r} is neither a partita IVA (11 digits) nor a codice fiscale "
                     "(16 characters)")


def parse_date(value: str) -> tuple[str, bool]:
    """-> (ISO date, year_only). Accepts YYYY, YYYY-MM-DD, DD/MM/YYYY (also with - or .)."""
    v = value.strip()
    if re.fullmatch(r"\d{4}", v):
        return f"{v}-01-01", True
    m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", v)
    try:
        d = (dt.date(int(m[3]), int(m[2]), int(m[1])) if m
             else dt.date.fromisoformat(v[:10]))
    except ValueError as err:
        raise ValueError(f"{value!r} is not a date (use YYYY, YYYY-MM-DD or DD/MM/YYYY)") from err
    return d.isoformat(), False


@dataclass
class Mapped(ProblemsMixin):
    """What mapping a table produced."""

    writer: NTriplesWriter = field(default_factory=NTriplesWriter)
    problems: list[Problem] = field(default_factory=list)
    focus_rows: dict[str, int] = field(default_factory=dict)
    referenced: set[str] = field(default_factory=set)
    path_columns: dict[str, str] = field(default_factory=dict)
    rows: int = 0
    report: list[str] = field(default_factory=list)  # kind-specific summary (e.g. match report)



class Mapper:
    """Maps one table of one kind. ``source`` names the layer; ``default_note`` is the
    dct:source of rows without a ``source`` cell."""

    def __init__(self, kind: Kind, table: Table, lookups: Lookups, *, source: str,
                 default_note: str):
        self.kind, self.table, self.lk = kind, table, lookups
        self.source, self.default_note = source, default_note
        self.out = Mapped()
        self.w = self.out.writer
        self.row = 1
        self.cells: dict[str, str] = {}
        self.seen: dict[str, int] = {}
        self.labelled: set[str] = set()
        self._memo: dict[tuple, Any] = {}
        self.dataset = data_iri("dataset", source)
        aliases = kind.aliases()
        self.columns = {aliases[h]: raw for h, raw in zip(table.header, table.raw_header,
                                                          strict=False) if h in aliases}

    # ------------------------------------------------------------------ driver
    def run(self) -> Mapped:
        aliases = self.kind.aliases()
        for h, raw in zip(self.table.header, self.table.raw_header, strict=False):
            if h and h not in aliases:
                known = ", ".join(c.name for c in self.kind.columns)
                self._problem(raw, f"unknown column {raw!r} ignored (columns of "
                              f"'{self.kind.name}': {known})", "warning", row=1)
        missing = [c.name for c in self.kind.columns if c.required and c.name not in self.columns]
        for group in self.kind.one_of:
            if not any(c in self.columns for c in group):
                missing.append(" or ".join(group))
        for name in missing:
            self._problem(name, f"required column {name!r} is missing", row=1)
        if missing:
            return self.out
        mapper: Callable[[], None] = getattr(self, "_" + self.kind.name.replace("-", "_"))
        for row, raw_cells in self.table:
            self.row = row
            self.cells = {c: raw_cells[h] for h in raw_cells if (c := aliases.get(h))}
            for group in self.kind.one_of:
                if not any(self.cells.get(c) for c in group):
                    self._problem(group[0], "one of " + ", ".join(group) + " must be filled")
            self.out.rows += 1
            mapper()
        self.finish()
        self.out.path_columns = {p: self.columns.get(c, c) for p, c in
                                 self.out.path_columns.items()}
        return self.out

    def finish(self) -> None:
        """Called once after the last row (kinds that summarise, e.g. a match report)."""

    def _problem(self, column: str | None, message: str, severity: str = "error",
                 row: int | None = None) -> None:
        col = self.columns.get(column, column) if column else None
        self.out.problems.append(Problem(message, file=self.table.file,
                                         row=self.row if row is None else row, column=col,
                                         severity=severity))

    # ------------------------------------------------------------------ cell readers
    def text(self, col: str) -> str:
        v = self.cells.get(col, "")
        if not v and self.kind.column(col).required:
            self._problem(col, f"{col} is required")
        return v

    def _num(self, col: str, integer: bool) -> Any:
        v = self.text(col)
        if not v:
            return None
        try:
            n = parse_number(v, integer=integer)
        except ValueError as err:
            self._problem(col, f"{err}; expected a {'whole ' if integer else ''}number")
            return None
        if n < 0:
            self._problem(col, f"{v!r} is negative")
            return None
        return n

    def integer(self, col: str) -> int | None:
        return self._num(col, True)

    def year(self, col: str) -> str | None:
        v = self.text(col)
        if v and not re.fullmatch(r"(19|20)\d\d", v):
            self._problem(col, f"{v!r} is not a year (YYYY)")
            return None
        return v or None

    def date(self, col: str) -> tuple[str, bool] | None:
        v = self.text(col)
        if not v:
            return None
        try:
            return parse_date(v)
        except ValueError as err:
            self._problem(col, str(err))
            return None

    def resolve(self, col: str, fn: Callable[..., Any], *args: Any, value: str | None = None,
                ) -> Any:
        """Resolve a cell with a Lookups method; an Unresolved becomes a located error.

        Results of Lookups methods are memoised per value: big files repeat the same codes.
        """
        v = self.text(col) if value is None else value
        if not v:
            return None
        key = (fn.__name__, args, v) if getattr(fn, "__self__", None) is self.lk else None
        try:
            if key is None:
                out = fn(v, *args)
            elif key in self._memo:
                out = self._memo[key]
            else:
                try:
                    out = self._memo[key] = fn(v, *args)
                except Unresolved as err:
                    self._memo[key] = err
                    raise
            if isinstance(out, Unresolved):
                raise out
        except Unresolved as err:
            self._problem(col, str(err))
            return None
        if isinstance(out, tuple):
            out, warning = out
            if warning:
                self._problem(col, warning, "warning")
        if isinstance(out, str):
            self.out.referenced.add(out)
        return out

    def url(self, col: str) -> str | None:
        """A web address; ``www.x.it`` gets ``https://`` with a warning."""
        v = self.text(col)
        if not v:
            return None
        if re.match(r"^https?://[^\s/]+\.[^\s]+$", v):
            return v
        if re.match(r"^[\w-]+(\.[\w-]+)+(/\S*)?$", v):
            self._problem(col, f"{v!r} has no https://; read as https://{v}", "warning")
            return "https://" + v
        self._problem(col, f"{v!r} is not a web address (https://...)")
        return None

    def recommend(self, *cols: str) -> None:
        if not any(self.cells.get(c) for c in cols):
            self._problem(cols[0], f"{' / '.join(cols)} is empty (recommended)", "warning")

    # ------------------------------------------------------------------ writers
    def begin(self, iri: str, cls: str, key: str | None = None) -> bool:
        """Start a resource; False (and an error) if the same key came from an earlier row."""
        key = key or iri
        if key in self.seen:
            self._problem(None, f"duplicate: row {self.seen[key]} already describes {iri}")
            return False
        self.seen[key] = self.row
        self.out.focus_rows[iri] = self.row
        self.w.iri(iri, RDF_TYPE, I + cls)
        self.w.lit(iri, DCT + "source", self.cells.get("source") or self.default_note)
        return True

    def name(self, iri: str, name: str, lang: str | None = "it") -> None:
        if iri not in self.labelled:
            self.labelled.add(iri)
            self.w.lit(iri, SKOS + "prefLabel", name, lang=lang)
            self.w.lit(iri, SCHEMA + "name", name)

    def paths(self, **columns: str) -> None:
        for prop, col in columns.items():
            self.out.path_columns.setdefault(I + prop, col)

    def dataset_node(self) -> None:
        if self.dataset not in self.labelled:
            self.labelled.add(self.dataset)
            self.w.iri(self.dataset, RDF_TYPE, QB + "DataSet")
            self.w.lit(self.dataset, DCT + "title",
                       f"{self.kind.title} from {self.table.file}", lang="en")
            self.w.lit(self.dataset, DCT + "source", self.default_note)

    def located(self, *, nuts3: str = "nuts3", province: str = "province",
                region: str = "region") -> str | None:
        """The most specific region given, checking that the columns agree."""
        found = [(c, self.resolve(c, f)) for c, f in (
            (nuts3, self.lk.nuts), (province, self.lk.province), (region, self.lk.region))
            if c in self.columns]
        found = [(c, v) for c, v in found if v]
        for (c1, v1), (c2, v2) in zip(found, found[1:], strict=False):
            if not (v1 == v2 or v1.startswith(v2)):
                self._problem(c2, f"{c2} {self.cells[c2]!r} ({v2.rsplit('/', 1)[-1]}) does "
                              f"not match {c1} {self.cells[c1]!r} ({v1.rsplit('/', 1)[-1]})")
        return found[0][1] if found else None
