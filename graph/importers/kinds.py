"""The table kinds users can import, declared once: columns, types, examples, documentation.

Each :class:`Kind` lists its columns (name, required, type, description, example, accepted
aliases). The README column reference (:func:`columns_markdown`) and ``itskg template KIND``
(:func:`template_csv`) are generated from these declarations, and the importer checks headers
against them, so the documentation cannot drift from what is accepted.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from itskg.graph.errors import DataError, Problem

__all__ = ["KINDS", "SPECS", "Column", "Kind", "columns_markdown", "get_kind", "template_csv"]

KINDS: tuple[str, ...] = (
    "academies", "companies", "memberships", "courses", "collaborations", "mobility", "indicators",
    "s3", "foundation-members",
)

# Column types, shown in the documentation and used by the mapping to parse values.
TYPES = {
    "text": "free text",
    "integer": "whole number ≥ 0 (1.234 and 1,234 accepted)",
    "decimal": "number; decimal comma or point (0,85 or 0.85)",
    "year": "year, YYYY",
    "date": "date: YYYY, YYYY-MM-DD or DD/MM/YYYY",
    "url": "web address (https://...)",
    "company-id": "partita IVA (11 digits, IT prefix allowed) or codice fiscale (16 characters)",
    "ateco": "ATECO code in any usual spelling (62.10, 6210, 62.10.00, C)",
    "nuts": "NUTS code (ITH55, ITH5, FR10) or its IRI",
    "region": "Italian region name or NUTS-2 code (Emilia-Romagna, ITH5)",
    "province": "province name, car-plate abbreviation or NUTS-3 code (Bologna, BO, ITH55)",
    "place": "province, region or NUTS code (Bologna, BO, Emilia-Romagna, ITH55)",
    "country": "country: ISO 3166 alpha-2/alpha-3 code or English/Italian name (DE, DEU, Germania)",
    "academy": "ITS Academy: IPA code, IRI, official name or short name",
    "area": "technological area code or name (A4.3, D6, Meccatronica); several separated by ;",
    "eqf": "EQF level: 5 or 6",
    "skills": "ESCO skill IRIs or exact ESCO labels, separated by ; or a vertical bar",
    "occupations": "ESCO occupation IRIs or exact ESCO labels, separated by ; or a vertical bar",
    "member-type": ("company / school / university / research / training-body / "
                    "local-authority / trade-association / chamber-of-commerce / bank / "
                    "bank-foundation / trade-union / third-sector / professional-body / other"),
    "member-type-it": ("kind of member in Italian or English (impresa, associazione di categoria, "
                       "camera di commercio, banca, fondazione bancaria, sindacato, terzo settore, "
                       "ente locale, scuola, università, ente di formazione, ...)"),
    "ipa-flagged": "IndicePA code; a trailing ? marks an unconfirmed match",
    "role": "founder / participant / supporter (fondatore / partecipante / sostenitore)",
    "role-words": "the role as the source words it (kept verbatim; founder/participant/supporter "
                  "are recognised in it, anything else is recorded as 'role not stated')",
    "period": "programming period, YYYY-YYYY (e.g. 2021-2027)",
    "partner-type": ("company / school / training-body / university / research / "
                     "local-authority / trade-association / chamber-of-commerce / bank / "
                     "bank-foundation / trade-union / third-sector / professional-body / other"),
    "collaboration-type": ("internship-hosting / teaching / lab / ... "
                           "(codes of voc:collaboration-type)"),
    "direction": "outgoing / incoming",
    "mobility-type": "code of voc:mobility-type (e.g. traineeship, study)",
    "size": "micro / small / medium / large",
    "edition": "ATECO edition of the code: 2025 (default) or 2007",
}


@dataclass(frozen=True)
class Column:
    """One column of a kind; ``aliases`` are other accepted header spellings."""

    name: str
    type: str
    description: str
    example: str = ""
    required: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Kind:
    """A table kind: its columns, and groups of columns of which at least one must be filled."""

    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    one_of: tuple[tuple[str, ...], ...] = field(default_factory=tuple)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def aliases(self) -> dict[str, str]:
        """Every accepted header key -> canonical column name."""
        out: dict[str, str] = {}
        for c in self.columns:
            out[c.name] = c.name
            for a in c.aliases:
                out[a] = c.name
        return out


SOURCE = Column("source", "text", "Where these facts come from (document, URL, survey); "
                "default: the file name", "Statuto della fondazione, 2023")

SPECS: dict[str, Kind] = {k.name: k for k in (
    Kind("academies", "ITS Academies missing from the reference list",
         "Adds ITS Academy foundations (same columns as the bundled reference list). A row whose "
         "IPA code is already in the reference layer is rejected: fix the reference instead.",
         (Column("name", "text", "Official name of the foundation", "Fondazione ITS Esempio "
                 "Meccatronica", True, ("official_name", "denominazione")),
          Column("short_name", "text", "Short name in common use", "ITS Esempio"),
          Column("region", "region", "Region of the registered seat", "Emilia-Romagna",
                 aliases=("regione",)),
          Column("nuts2", "nuts", "NUTS-2 code of the seat region", "ITH5"),
          Column("nuts3", "nuts", "NUTS-3 code of the seat province", "ITH55"),
          Column("province", "province", "Province of the seat", "BO", aliases=("provincia",)),
          Column("city", "text", "Municipality (comune) of the registered seat", "Bologna",
                 aliases=("comune", "municipality", "seat_municipality")),
          Column("comune_istat", "text", "ISTAT code of the municipality (6 digits)", "037006",
                 aliases=("municipality_code", "istat_code")),
          Column("technological_area", "area", "Technological area(s), DPCM 2008 or DM 203/2023",
                 "A4.3", aliases=("area", "areas")),
          Column("technological_area_dm2023", "area", "Area of DM 203/2023 (if given apart)",
                 "D6"),
          Column("ipa_code", "text", "IndicePA code; the academy's key when present",
                 "", aliases=("ipa", "codice_ipa")),
          Column("website", "url", "Official website", "https://www.example.org/",
                 aliases=("homepage", "sito")),
          SOURCE,
          Column("notes", "text", "Free notes", "", aliases=("note",))),
         (("region", "nuts2", "nuts3", "province"),)),
    Kind("companies", "Companies",
         "Companies (the member, partner and host companies of ITS Academies), keyed by partita "
         "IVA or codice fiscale. The IVA check digit is verified (a warning if wrong).",
         (Column("id", "company-id", "Partita IVA or codice fiscale", "01234567897", True,
                 ("vat", "vat_number", "partita_iva", "p_iva", "piva", "codice_fiscale",
                  "tax_code", "cf")),
          Column("name", "text", "Company name (ragione sociale)", "Officine Esempio S.r.l.",
                 True, ("ragione_sociale", "denominazione", "company_name")),
          Column("ateco", "ateco", "Primary ATECO activity code", "28.41",
                 aliases=("ateco_code", "codice_ateco", "nace")),
          Column("ateco_edition", "edition", "Edition of the ATECO code", "2025"),
          Column("municipality", "text", "Municipality (comune) of the registered office",
                 "Bologna", aliases=("city", "comune")),
          Column("nuts3", "nuts", "NUTS-3 code of the province", "ITH55"),
          Column("province", "province", "Province", "BO", aliases=("provincia",)),
          Column("region", "region", "Region (when the province is not known)", "",
                 aliases=("regione",)),
          Column("size", "size", "Size class", "small", aliases=("company_size",)),
          Column("website", "url", "Website", "https://www.example.com/",
                 aliases=("homepage", "sito")),
          SOURCE)),
    Kind("memberships", "Foundation memberships",
         "Who is a member (socio) of which ITS foundation, with what role.",
         (Column("academy", "academy", "The ITS Academy (foundation)", "0QBSMAW1", True,
                 ("its", "foundation", "fondazione")),
          Column("member_id", "company-id", "Partita IVA / codice fiscale of the member",
                 "01234567897", aliases=("member_vat", "vat", "partita_iva", "codice_fiscale")),
          Column("member_name", "text", "Name of the member", "Officine Esempio S.r.l.",
                 aliases=("member", "socio", "name")),
          Column("member_type", "member-type", "Kind of member organisation", "company", True,
                 ("type", "tipo")),
          Column("role", "role", "Membership role", "founder", True, ("ruolo",)),
          Column("partner_type", "partner-type", "Law 99/2022 partner category (default: from "
                 "member_type)", "company"),
          Column("since", "date", "Member since", "2014-05-01", aliases=("start", "from")),
          Column("until", "date", "Member until (empty if still a member)", "",
                 aliases=("end", "to")),
          SOURCE),
         (("member_id", "member_name"),)),
    Kind("courses", "ITS courses",
         "Courses (percorsi) of ITS Academies, one row per cohort.",
         (Column("academy", "academy", "The ITS Academy that runs the course", "0QBSMAW1", True,
                 ("its", "provider")),
          Column("title", "text", "Course title", "Tecnico superiore per lo sviluppo software",
                 True, ("name", "titolo")),
          Column("area", "area", "Technological area(s)", "D10",
                 aliases=("technological_area",)),
          Column("eqf_level", "eqf", "EQF level", "5", True, ("eqf", "level")),
          Column("total_hours", "integer", "Total hours", "2000", aliases=("hours", "ore")),
          Column("internship_hours", "integer", "Internship (stage) hours", "800",
                 aliases=("stage_hours", "ore_stage")),
          Column("cohort_start", "year", "Year the cohort starts", "2024",
                 aliases=("cohort_start_year", "start_year", "cohort")),
          Column("cohort_end", "year", "Year the cohort ends", "2026",
                 aliases=("cohort_end_year", "end_year")),
          Column("location", "place", "Where the course is held, if not at the seat", "FC",
                 aliases=("site", "province", "sede")),
          Column("skills", "skills", "Skills taught",
                 "http://data.europa.eu/esco/skill/21d2f96d-35f7-4e3f-9745-c533d2dd6e97",
                 aliases=("esco_skills",)),
          Column("occupations", "occupations", "Target occupations",
                 "http://data.europa.eu/esco/occupation/ab360abd-32e2-4e03-967d-a10758efffa7",
                 aliases=("esco_occupations",)),
          SOURCE)),
    Kind("collaborations", "Company collaborations",
         "What companies do with ITS Academies: hosting interns, teaching, labs.",
         (Column("company", "company-id", "Partita IVA, codice fiscale or exact name of an "
                 "imported company", "01234567897", True, ("company_id", "azienda")),
          Column("academy", "academy", "The ITS Academy", "0QBSMAW1", True, ("its",)),
          Column("type", "collaboration-type", "Kind of collaboration", "internship-hosting",
                 True, ("collaboration_type", "tipo")),
          Column("course", "text", "Title or IRI of a course of that academy", "",
                 aliases=("course_title",)),
          Column("year", "year", "Year of the collaboration", "2024", True, ("anno",)),
          Column("interns_hosted", "integer", "Interns hosted", "3", aliases=("interns",)),
          Column("teaching_hours", "integer", "Hours taught by company staff", "40"),
          Column("labs", "text", "Labs or equipment provided (free text)", "",
                 aliases=("lab",)),
          SOURCE)),
    Kind("mobility", "Learner mobility flows",
         "Aggregate mobility (Erasmus+ and similar) of ITS learners: one row per flow.",
         (Column("academy", "academy", "The ITS Academy that sends (outgoing) or receives "
                 "(incoming)", "0QBSMAW1", True, ("origin_academy", "its")),
          Column("direction", "direction", "outgoing (default) or incoming", "outgoing"),
          Column("country", "country", "Partner country (destination if outgoing, origin if "
                 "incoming)", "ES", True, ("destination_country", "paese")),
          Column("region", "nuts", "Partner NUTS-2 region, if known", "ES51",
                 aliases=("destination_region",)),
          Column("organisation", "text", "Partner organisation (free text)",
                 "Empresa Ejemplo S.L.", aliases=("destination_organisation", "partner",
                                                   "organization")),
          Column("year", "year", "Year of the mobility", "2024", True, ("anno",)),
          Column("participants", "integer", "Number of learners", "4", True,
                 ("learners", "partecipanti")),
          Column("mobility_type", "mobility-type", "Type of mobility", "",
                 aliases=("type",)),
          SOURCE)),
    Kind("indicators", "Outcome indicators",
         "Monitoring counts per academy (or per region) and year. graduates ≤ enrolled is checked.",
         (Column("academy", "academy", "The ITS Academy", "0QBSMAW1", aliases=("its",)),
          Column("region", "region", "Region (for regional figures, instead of academy)", "",
                 aliases=("area_code", "nuts")),
          Column("year", "year", "Reference year (year the courses ended)", "2023", True,
                 ("anno",)),
          Column("enrolled", "integer", "Enrolled learners", "25", aliases=("iscritti",)),
          Column("graduates", "integer", "Graduates", "20", aliases=("diplomati",)),
          Column("employed_12m", "integer", "Employed 12 months after graduation", "17",
                 aliases=("employed_at_12_months", "employed", "occupati")),
          Column("employed_coherently", "integer", "Employed in a coherent job", "15",
                 aliases=("coherent", "occupati_coerenti")),
          Column("dropouts", "integer", "Dropouts", "5", aliases=("ritirati",)),
          Column("employment_rate_12m", "decimal", "Employment rate at 12 months (0-1), when "
                 "only the rate is published", "", aliases=("employment_rate",)),
          SOURCE),
         (("academy", "region"),)),
    Kind("s3", "Smart-specialisation priority domains",
         "The priority domains of regional smart-specialisation strategies (S3), one row per "
         "domain, as in ../shared/data/s3/s3_priority_domains_it.csv. A region's strategy becomes "
         "the SKOS scheme id/s3/{NUTS2}, each domain id/s3/{NUTS2}/{domain_code}.",
         (Column("region", "region", "Region (Italian name)", "Emilia-Romagna",
                 aliases=("regione",)),
          Column("nuts2", "nuts", "NUTS-2 code of the region", "ITH5", True),
          Column("period", "period", "Programming period", "2021-2027", True,
                 ("programming_period", "periodo")),
          Column("domain_type", "text", "The region's own term for the kind of domain",
                 "Sistema produttivo di specializzazione", True, ("type", "tipo")),
          Column("domain_code", "text", "Identifier of the domain (unique per region)", "ER-S3",
                 True, ("code", "codice")),
          Column("domain_name_it", "text", "Name of the domain as written in the source",
                 "Meccatronica e motoristica", True, ("domain_name", "name", "nome")),
          Column("adopting_act", "text", "Act that adopted the strategy", "DGR n. 680/2021",
                 aliases=("act", "atto")),
          SOURCE,
          Column("source_type", "text", "official / secondary (as recorded by the compiler)",
                 "official regional page"),
          Column("notes", "text", "Free notes", "", aliases=("note",)))),
    Kind("foundation-members", "Foundation members named in sources",
         "Members (soci) of ITS foundations as named in press and institutional pages, with "
         "the role in the source's words, as in ../shared/data/members/"
         "its_foundation_members_press.csv. Foundations are matched by IPA code (a trailing ? "
         "marks an unconfirmed match, reported as probable), else by a short name of an "
         "academy of the store found in the foundation's name (probable); the import prints "
         "the match report.",
         (Column("foundation_name_in_source", "text", "The foundation as the source names it",
                 "Fondazione Its Umbria", True, ("foundation", "fondazione")),
          Column("ipa_code", "ipa-flagged", "IndicePA code of the foundation", "FHOJA5NS",
                 aliases=("ipa", "codice_ipa")),
          Column("member_name_in_source", "text", "The member as the source names it",
                 "Confindustria Umbria", True, ("member_name", "member", "socio")),
          Column("member_role", "role-words", "Role as the source words it",
                 "socio fondatore", True, ("role", "ruolo")),
          Column("member_type", "member-type-it", "Kind of member",
                 "associazione di categoria", True, ("type", "tipo")),
          SOURCE,
          Column("notes", "text", "Free notes", "", aliases=("note",)))),
)}


def get_kind(kind: str) -> Kind:
    """The spec of ``kind``; DataError listing the valid kinds if unknown."""
    try:
        return SPECS[kind]
    except KeyError:
        raise DataError(
            f"Unknown table kind {kind!r}.",
            [Problem(f"valid kinds: {', '.join(KINDS)} (ESCO has its own importer: "
                     "'itskg import esco DIR')")],
        ) from None


def template_csv(kind: str) -> str:
    """A CSV template for ``kind``: the header and one example row."""
    spec = get_kind(kind)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([c.name for c in spec.columns])
    w.writerow([c.example for c in spec.columns])
    return buf.getvalue()


def columns_markdown() -> str:
    """Markdown documenting every column of every kind (embedded in README)."""
    out = ["## Importing your own tables", "",
           "`itskg import KIND FILE` reads CSV (comma, semicolon or tab; UTF-8 with or without "
           "BOM) or XLSX (first sheet, or `--sheet NAME`). Header names are matched ignoring "
           "case, accents and spaces; the aliases listed are accepted too. Row numbers in error "
           "messages are spreadsheet rows (the header is row 1). `itskg template KIND` prints "
           "a header with one example row.", ""]
    for name in KINDS:
        k = SPECS[name]
        out += [f"### `{name}`: {k.title}", "", k.description, ""]
        for group in k.one_of:
            out += ["At least one of " + ", ".join(f"`{c}`" for c in group) + " is required.",
                    ""]
        out += ["| column | required | type | description | example | aliases |",
                "|---|---|---|---|---|---|"]
        for c in k.columns:
            out.append(
                f"| `{c.name}` | {'yes' if c.required else ''} | {TYPES[c.type]} | "
                f"{c.description} | {_md(c.example)} | {', '.join(c.aliases)} |")
        out.append("")
    return "\n".join(out)


def _md(s: str) -> str:
    return f"`{s}`" if s else ""
