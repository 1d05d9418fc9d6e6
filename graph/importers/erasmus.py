"""``itskg import erasmus FILE``: projects from the Erasmus+ Project Results Platform export.

Reads the export of https://erasmus-plus.ec.europa.eu/projects (search, then "Export": XLSX,
or the same table saved as CSV, comma- or semicolon-separated) exactly as published: one row per
project, with the coordinator and the partners in wide columns. Columns used:

``Programme``, ``Key Action``, ``Action Type``, ``Call year``, ``Project Identifier``,
``Project Title``, ``Project Status``, the grant column whose header starts with
``EU Grant award in euros``, ``Coordinating organisation name``, ``Coordinating organisation
type``, ``Coordinator's region``, ``Coordinator's country``, and for every partner *n*
``Partner n name``, ``Partner n organisation type``, ``Partner n region``, ``Partner n country``.

Rows are streamed (XLSX in openpyxl read-only mode); only projects with an Italian coordinator
or partner are kept, with all their participants (coordinator role ``coordinator``, partners
``partner``). Centres of Vocational Excellence (an Action Type naming them) become
``itskg:CoVEProject``, other Key Action 2 projects ``itskg:ErasmusPartnershipProject``, the rest
``itskg:EUProject``. Organisation types are mapped to itskg classes (enterprise -> Company,
chamber of commerce -> ChamberOfCommerce, trade union -> TradeUnion, ...). The export carries no
VAT or PIC, so Italian participants match the store by normalised name only (``probable``,
with the reason) or stay ``unmatched``. A file without the needed columns raises a DataError
naming them.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from itskg.graph.errors import DataError, Problem
from itskg.graph.importers.euprojects import (
    DCT,
    ORG,
    RDF_TYPE,
    SCHEMA,
    SKOS,
    I,
    MatchReport,
    NTriplesSink,
    ParticipantMatcher,
    ProjectsRead,
    check_columns,
    csv_rows,
    load_layer,
)
from itskg.graph.importers.mapbase import slug
from itskg.graph.importers.tabular import parse_number
from itskg.graph.namespaces import VOCAB, data_iri
from itskg.graph.store import KnowledgeStore, Layer, LayerRecord

__all__ = ["ERASMUS_DOC", "REQUIRED", "import_erasmus", "org_class", "read_erasmus"]

ERASMUS_DOC = ("Erasmus+ Project Results Platform export, "
               "https://erasmus-plus.ec.europa.eu/projects")
REQUIRED = ("Programme", "Key Action", "Action Type", "Call year", "Project Identifier",
            "Project Title", "Coordinating organisation name", "Coordinating organisation type",
            "Coordinator's country")
GRANT_PREFIX = "EU Grant award in euros"
_PARTNER = re.compile(r"^Partner (\d{1,3}) name$")
_ORG_TYPES = (  # (regex on the organisation type, itskg class); first match wins
    # the Erasmus+ type "Social partner or other representative organisation of working life
    # (chambers of commerce, trade union, trade association)" lumps three kinds together: it
    # is read as a trade association (the most frequent case among ITS partners)
    (r"social partner|representative organisation|trade association|employers",
     "TradeAssociation"),
    (r"chamber", "ChamberOfCommerce"),
    (r"trade union", "TradeUnion"),
    (r"enterprise|company|sme\b|business", "Company"),
    (r"higher education|universit", "University"),
    (r"research", "ResearchOrganisation"),
    (r"public body|public authority|local|regional|national", "PublicAuthority"),
    (r"school|secondary level", "SecondarySchool"),
    (r"vocational|training", "TrainingProvider"),
    (r"non-governmental|ngo|association|foundation|non-profit|social enterprise",
     "ThirdSectorBody"),
)
Progress = Callable[[str], None]


def org_class(org_type: str) -> str:
    """itskg class (local name) for an Erasmus+ organisation type."""
    for rx, cls in _ORG_TYPES:
        if re.search(rx, org_type, re.I):
            return cls
    return "Organisation"


def _table(path: Path) -> Iterator[list[str]]:
    """Header then rows of a CSV (comma/semicolon/tab) or XLSX file, streamed."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            ws = wb.worksheets[0]
            for row in ws.iter_rows(values_only=True):
                yield ["" if v is None else str(v) for v in row]
        finally:
            wb.close()
        return
    with path.open(encoding="utf-8-sig", newline="") as fh:
        first = fh.readline()
        delim = max((",", ";", "\t"), key=first.count)
        fh.seek(0)
        if fh.read(1) != "\ufeff":
            fh.seek(0)
        for _line, row in csv_rows(csv.reader(fh, delimiter=delim), path.name):
            yield row


def _is_italy(country: str) -> bool:
    return country.strip().lower() in {"italy", "italia", "it", "ita"}


def read_erasmus(store: KnowledgeStore, path: Path, *, source: str = "erasmus",
                 progress: Progress | None = None) -> tuple[Layer, MatchReport]:
    """Read an Erasmus+ Project Results export into a Layer (N-Triples temp file) and the
    match report. Raises DataError for a missing file or missing columns."""
    say = progress or (lambda _m: None)
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path} not found.", [Problem("give the exported .xlsx or .csv file",
                                                       file=str(path))])
    rows = _table(path)
    try:
        header = [h.strip().lstrip("\ufeff") for h in next(rows)]
    except StopIteration:
        raise DataError(f"{path.name} is empty.",
                            [Problem("no header row", file=path.name)]) from None
    check_columns(path.name, header, REQUIRED, "an Erasmus+ Project Results export",
                  ERASMUS_DOC)
    col = {h: i for i, h in enumerate(header)}
    grant = next((i for h, i in col.items() if h.startswith(GRANT_PREFIX)), None)
    partners = sorted(int(m[1]) for h in header if (m := _PARTNER.match(h)))
    read = ProjectsRead(store, source, "Erasmus+", "itskg-erasmus-")
    report = read.report

    def cell(row: list[str], name: str) -> str:
        i = col.get(name)
        return row[i].strip() if i is not None and i < len(row) and row[i] else ""

    with read:
        say(f"reading {path.name}")
        for n, row in enumerate(rows, 2):
            if not any(row):
                continue
            report.rows_read[path.name] += 1
            people = [("coordinator", cell(row, "Coordinating organisation name"),
                       cell(row, "Coordinating organisation type"),
                       cell(row, "Coordinator's country"), cell(row, "Coordinator's region"))]
            people += [("partner", cell(row, f"Partner {k} name"),
                        cell(row, f"Partner {k} organisation type"),
                        cell(row, f"Partner {k} country"), cell(row, f"Partner {k} region"))
                       for k in partners if cell(row, f"Partner {k} name")]
            if not any(_is_italy(c) for _, _, _, c, _ in people):
                continue
            pid = cell(row, "Project Identifier")
            if not pid:
                continue
            report.rows_kept[path.name] += 1
            report.projects_kept += 1
            g = row[grant].strip() if grant is not None and grant < len(row) else ""
            project = _project(read.sink, cell, row, pid, g, path.name, n)
            for role, name, otype, country, region in people:
                _participant(read.sink, read.matcher, report, read.minted, project, pid, role,
                             name, otype, country, region)
        layer = read.layer(
            title=f"Erasmus+ projects with Italian participants ({path.name})",
            derived_from=(path.name, "https://erasmus-plus.ec.europa.eu/projects"),
            description="Imported with 'itskg import erasmus' from the Erasmus+ Project "
                        "Results Platform export. ",
            file=path.name, sha256_of=path, rows=report.rows_kept[path.name])
    return layer, report


def _project(sink: NTriplesSink, cell: Callable[[list[str], str], str], row: list[str],
             pid: str, grant: str, file: str, n: int) -> str:
    p = data_iri("project", f"erasmus-{slug(pid, 80)}")
    action = cell(row, "Action Type")
    key_action = cell(row, "Key Action")
    if re.search(r"vocational excellence|\bcove\b", action, re.I):
        cls = "CoVEProject"
    elif re.search(r"\bKA2|cooperation|partnership", f"{key_action} {action}", re.I):
        cls = "ErasmusPartnershipProject"
    else:
        cls = "EUProject"
    sink.iri(p, RDF_TYPE, I + cls)
    title = cell(row, "Project Title")
    sink.lit(p, SKOS + "prefLabel", title or pid)
    sink.lit(p, DCT + "title", title)
    sink.lit(p, I + "projectIdentifier", pid)
    sink.iri(p, I + "fundingProgramme", f"{VOCAB}programme/erasmus-plus")
    sink.lit(p, I + "actionType", action)
    year = cell(row, "Call year")
    if re.fullmatch(r"(19|20)\d\d", year):
        sink.lit(p, I + "year", year, datatype="gYear")
    if grant:
        try:
            sink.lit(p, I + "euContribution", str(parse_number(grant.replace(" ", ""),
                                                                integer=False)),
                     datatype="decimal")
        except ValueError:
            pass
    sink.lit(p, DCT + "source", f"{file} row {n}")
    return p


def _participant(sink: NTriplesSink, matcher: ParticipantMatcher, report: MatchReport,
                 minted: set[str], project: str, pid: str, role: str, name: str, otype: str,
                 country: str, region: str) -> None:
    if not name:
        return
    org, status, reason = None, "", ""
    if _is_italy(country):
        org, status, reason = matcher.match(name=name)
        report.add(status, name, reason)
    if org is None:
        c = matcher.country(country)
        iso = c.rsplit("/", 1)[-1] if c else "XX"
        org = data_iri("org", f"{iso.lower()}-{slug(name)}")
        if org not in minted:
            minted.add(org)
            sink.iri(org, RDF_TYPE, I + org_class(otype))
            sink.lit(org, SKOS + "prefLabel", name)
            sink.lit(org, SCHEMA + "name", name)
            if c:
                sink.iri(org, I + "country", c)
            sink.lit(org, SKOS + "note", f"Erasmus+ organisation type: {otype}" if otype
                     else "", lang="en")
            sink.lit(org, DCT + "source", "Erasmus+ Project Results Platform export")
    part = data_iri("participation", f"erasmus-{slug(pid, 80)}/{org.rsplit('/', 1)[-1]}")
    sink.iri(part, RDF_TYPE, I + "ProjectParticipation")
    sink.iri(part, I + "projectParticipant", org)
    sink.iri(part, ORG + "organization", project)
    sink.iri(part, ORG + "role", f"{VOCAB}project-role/{role}")
    if status:
        sink.lit(part, I + "matchMethod", f"{status}: {reason}")


def import_erasmus(store: KnowledgeStore, path: Path, *, source: str = "erasmus",
                   progress: Progress | None = None) -> tuple[LayerRecord, MatchReport]:
    """Read and load (replace) the ``source`` layer atomically; the temp file is removed."""
    layer, report = read_erasmus(store, path, source=source, progress=progress)
    return load_layer(store, layer, progress), report
