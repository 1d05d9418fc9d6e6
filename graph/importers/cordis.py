"""``itskg import cordis DIR``: Horizon Europe / Horizon 2020 projects from the CORDIS CSV export.

Reads the two files of the CORDIS "projects" dataset exactly as published on
https://cordis.europa.eu/data (and data.europa.eu, datasets "CORDIS - EU research projects under
Horizon Europe (2021-2027)" and "... under Horizon 2020"): ``project.csv`` (one row per project)
and ``organization.csv`` (one row per participation), semicolon-separated, double-quoted, UTF-8
(with or without BOM), long texts with embedded newlines. Columns used (the others are ignored):

* project.csv: ``id`` (``projectID`` in older dumps), ``acronym``, ``title``, ``startDate``,
  ``endDate``, ``totalCost``, ``ecMaxContribution``, ``frameworkProgramme``, ``fundingScheme``;
* organization.csv: ``projectID``, ``organisationID`` (the PIC), ``vatNumber``, ``name``,
  ``shortName``, ``activityType`` (HES, REC, PRC, PUB, OTH), ``country`` (ISO 3166 alpha-2, EL
  for Greece, UK), ``nutsCode``, ``role`` (coordinator, participant, associatedPartner,
  thirdParty), ``ecContribution``, ``totalCost``.

Streaming in three passes, memory bounded by the set of kept project ids:

1. organization.csv: the ids of projects with at least one participant whose ``country`` is IT;
2. organization.csv again: every participation of those projects (Italian and foreign), written
   as ``itskg:ProjectParticipation`` with role and EC contribution; Italian participants are
   matched to the store (:class:`~itskg.graph.importers.euprojects.ParticipantMatcher`) and
   the participation points at the matched organisation (the PIC used for the match is in
   its ``itskg:matchMethod``); the others are minted as ``id/org/pic-{PIC}`` with their PIC;
3. project.csv: the kept projects (``itskg:HorizonProject``, programme, dates, costs).

Numbers are read with a decimal point or comma. A file that lacks a needed column raises a
DataError naming the missing columns. The layer (default name ``cordis``) records what was kept
and the match report in its description.
"""

from __future__ import annotations

import csv
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
from itskg.graph.namespaces import NUTS_CODE, VOCAB, data_iri
from itskg.graph.store import KnowledgeStore, Layer, LayerRecord

__all__ = ["CORDIS_DOC", "ORG_COLUMNS", "PROJECT_COLUMNS", "import_cordis", "read_cordis"]

CORDIS_DOC = "CORDIS Horizon projects CSV export, https://cordis.europa.eu/data"
PROJECT_COLUMNS = ("id", "acronym", "title", "startDate", "endDate", "totalCost",
                   "ecMaxContribution", "frameworkProgramme", "fundingScheme")
ORG_COLUMNS = ("projectID", "organisationID", "vatNumber", "name", "shortName", "activityType",
               "country", "nutsCode", "role", "ecContribution", "totalCost")
ROLE = {"coordinator": "coordinator", "participant": "partner", "partner": "partner",
        "beneficiary": "partner", "associatedpartner": "associated-partner",
        "thirdparty": "third-party"}
ACTIVITY_CLASS = {"HES": "University", "REC": "ResearchOrganisation", "PRC": "Company",
                  "PUB": "PublicAuthority", "OTH": "Organisation"}
PROGRAMME = {"HORIZON": "horizon-europe", "H2020": "h2020"}
Progress = Callable[[str], None]


def _rows(path: Path, required: tuple[str, ...], what: str) -> Iterator[dict[str, str]]:
    """Rows of a CORDIS CSV as dicts, after checking the header (streaming)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = csv_rows(csv.reader(fh, delimiter=";", quotechar='"'), path.name)
        first = next(rows, None)
        if first is None:
            raise DataError(f"{path.name} is empty.",
                            [Problem("no header row", file=path.name)]) from None
        header = [h.strip() for h in first[1]]
        if "id" in required and "id" not in header and "projectID" in header:
            header = ["id" if h == "projectID" else h for h in header]  # older project dumps
        check_columns(path.name, header, required, what, CORDIS_DOC)
        for _line, row in rows:
            if row:
                yield dict(zip(header, row, strict=False))


def _number(value: str) -> str | None:
    v = value.strip()
    if not v:
        return None
    try:
        return str(parse_number(v, integer=False))
    except ValueError:
        return None


def read_cordis(store: KnowledgeStore, folder: Path, *, source: str = "cordis",
                progress: Progress | None = None) -> tuple[Layer, MatchReport]:
    """Read ``folder``/project.csv and organization.csv into a Layer (an N-Triples temp file
    in the store's folder that the caller loads and deletes) and the match report.

    Raises DataError if a file is missing or lacks needed columns.
    """
    say = progress or (lambda _m: None)
    folder = Path(folder)
    paths = {n: folder / n for n in ("project.csv", "organization.csv")}
    missing = [n for n, p in paths.items() if not p.is_file()]
    if missing:
        raise DataError(f"{folder} is not a CORDIS export folder.", [Problem(
            f"{n} not found (the CORDIS CSV export has project.csv and organization.csv)",
            file=str(folder)) for n in missing])
    read = ProjectsRead(store, source, "CORDIS", "itskg-cordis-")
    report = read.report
    orgs, projects = paths["organization.csv"], paths["project.csv"]

    say(f"pass 1: projects with Italian participants in {orgs.name}")
    kept: set[str] = set()
    for row in _rows(orgs, ORG_COLUMNS, "a CORDIS organization.csv"):
        report.rows_read[orgs.name] += 1
        if row["country"].strip().upper() == "IT":
            kept.add(row["projectID"].strip())
    report.projects_kept = len(kept)
    say(f"{len(kept):,} project(s) with an Italian participant")

    with read:
        say(f"pass 2: participations of those projects in {orgs.name}")
        for n, row in enumerate(_rows(orgs, ORG_COLUMNS, "a CORDIS organization.csv"), 2):
            pid = row["projectID"].strip()
            if pid not in kept:
                continue
            report.rows_kept[orgs.name] += 1
            _participation(read.sink, read.matcher, report, read.minted, row, pid, n)
        say(f"pass 3: the kept projects in {projects.name}")
        for row in _rows(projects, PROJECT_COLUMNS, "a CORDIS project.csv"):
            report.rows_read[projects.name] += 1
            pid = row["id"].strip()
            if pid in kept:
                report.rows_kept[projects.name] += 1
                _project(read.sink, row, pid)
        layer = read.layer(
            title=f"CORDIS projects with Italian participants ({folder.name})",
            derived_from=(str(projects), str(orgs), "https://cordis.europa.eu/data"),
            description="Imported with 'itskg import cordis' from the CORDIS CSV export. ",
            file=folder.name, rows=sum(report.rows_kept.values()))
    return layer, report


def _participation(sink: NTriplesSink, matcher: ParticipantMatcher, report: MatchReport,
                   minted: set[str], row: dict[str, str], pid: str, n: int) -> None:
    project = data_iri("project", f"cordis-{pid}")
    name = row["name"].strip() or row["shortName"].strip()
    pic = row["organisationID"].strip()
    country = row["country"].strip().upper()
    org, status, reason = None, "", ""
    if country == "IT":
        org, status, reason = matcher.match(name=name, vat=row["vatNumber"], pic=pic)
        report.add(status, name, reason)
    if org is None:
        org = data_iri("org", f"pic-{pic}" if pic else slug(name))
        if org not in minted:
            minted.add(org)
            cls = ACTIVITY_CLASS.get(row["activityType"].strip().upper(), "Organisation")
            sink.iri(org, RDF_TYPE, I + cls)
            sink.lit(org, SKOS + "prefLabel", name)
            sink.lit(org, SCHEMA + "name", name)
            sink.lit(org, I + "picNumber", pic)
            c = matcher.country("GR" if country == "EL" else "GB" if country == "UK" else country)
            if c:
                sink.iri(org, I + "country", c)
            nuts = row["nutsCode"].strip().upper()
            if len(nuts) >= 4 and nuts.isalnum():
                sink.iri(org, I + "locatedInRegion", NUTS_CODE + nuts[:5])
            sink.lit(org, DCT + "source", "CORDIS organization.csv")
    role = ROLE.get(row["role"].strip().lower().replace("_", ""), "partner")
    part = data_iri("participation", f"cordis-{pid}/{org.rsplit('/', 1)[-1]}")
    sink.iri(part, RDF_TYPE, I + "ProjectParticipation")
    sink.iri(part, I + "projectParticipant", org)
    sink.iri(part, ORG + "organization", project)
    sink.iri(part, ORG + "role", f"{VOCAB}project-role/{role}")
    # no itskg:participatesInProject shortcut and nothing else about a matched organisation:
    # the rules derive the shortcut, and the layer states facts only about what it mints
    for col, prop in (("ecContribution", "euContribution"), ("totalCost", "totalCost")):
        v = _number(row.get(col, ""))
        if v is not None:
            sink.lit(part, I + prop, v, datatype="decimal")
    if status:
        sink.lit(part, I + "matchMethod", f"{status}: {reason}")
    sink.lit(part, DCT + "source", f"CORDIS organization.csv row {n}")


def _project(sink: NTriplesSink, row: dict[str, str], pid: str) -> None:
    p = data_iri("project", f"cordis-{pid}")
    sink.iri(p, RDF_TYPE, I + "HorizonProject")
    title, acronym = row["title"].strip(), row["acronym"].strip()
    sink.lit(p, SKOS + "prefLabel", f"{acronym} – {title}" if acronym else title)
    sink.lit(p, DCT + "title", title)
    sink.lit(p, I + "projectAcronym", acronym)
    sink.lit(p, I + "projectIdentifier", pid)
    programme = PROGRAMME.get(row["frameworkProgramme"].strip().upper())
    if programme:
        sink.iri(p, I + "fundingProgramme", f"{VOCAB}programme/{programme}")
    sink.lit(p, I + "actionType", row["fundingScheme"].strip())
    for col, prop in (("startDate", "startDate"), ("endDate", "endDate")):
        v = row[col].strip()[:10]
        if len(v) == 10 and v[4] == "-":
            sink.lit(p, I + prop, v, datatype="date")
    for col, prop in (("ecMaxContribution", "euContribution"), ("totalCost", "totalCost")):
        amount = _number(row[col])
        if amount is not None:
            sink.lit(p, I + prop, amount, datatype="decimal")
    sink.lit(p, DCT + "source", f"CORDIS project.csv, project {pid}")


def import_cordis(store: KnowledgeStore, folder: Path, *, source: str = "cordis",
                  progress: Progress | None = None) -> tuple[LayerRecord, MatchReport]:
    """Read and load (replace) the ``source`` layer atomically; the temp file is removed."""
    layer, report = read_cordis(store, folder, source=source, progress=progress)
    return load_layer(store, layer, progress), report
