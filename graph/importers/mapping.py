"""Rows -> N-Triples, one mapper per table kind (the agreed itskg terms; see the README table).

:func:`map_table` runs the mapper of a kind over a table and returns a
:class:`~itskg.graph.importers.mapbase.Mapped`: triples, located problems, the row of each
resource (to locate SHACL results) and the column of each property.

IRIs minted: ``id/company/IT{VAT}`` (``id/company/cf-{CODICE FISCALE}``),
``id/its/{IPA code or name slug}``, ``id/org/{IT VAT | cf-CF | name slug}`` for other members
and mobility partners, ``id/membership/{academy}/{member}``,
``id/course/{academy}/{cohort}/{title slug}``,
``id/collaboration/{academy}/{company}/{year}/{type}``,
``id/mobility/{source}/{academy}/{year}/{direction}/{country}/{partner}/{type}``,
``id/indicator/{academy or NUTS}/{year}``, ``id/dataset/{source}`` (the qb:DataSet of flows and
observations). A year given where a date is expected (``since``) is written as 1 January of that
year with a note saying that only the year is known. Shortcut edges (``memberOfFoundation``,
``collaboratesWith``) are written too, so a layer is useful before the rules run.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from itskg.graph.importers.kinds import get_kind
from itskg.graph.importers.lookups import Lookups, split_list
from itskg.graph.importers.mapbase import (
    DCT,
    ELM,
    FOAF,
    ITA,
    MEMBER_CLASS,
    ORG,
    QB,
    RDF_TYPE,
    REF_AREA,
    SKOS,
    I,
    Mapped,
    Mapper,
    normalise_company_id,
    slug,
)
from itskg.graph.importers.press_members import PressMembersMapper
from itskg.graph.importers.s3 import S3Mapper
from itskg.graph.importers.tabular import Table, parse_number
from itskg.graph.namespaces import EQF, data_iri, vocab_iri

__all__ = ["map_table"]


def map_table(kind: str, table: Table, lookups: Lookups, *, source: str,
              default_note: str) -> Mapped:
    """Map every row of ``table`` as ``kind``; problems are collected, never raised."""
    return KindMapper(get_kind(kind), table, lookups, source=source,
                      default_note=default_note).run()


class KindMapper(S3Mapper, PressMembersMapper, Mapper):
    """The per-kind row mappers (``_companies``, ``_memberships``, ...)."""

    # ------------------------------------------------------------------ kinds
    def _company_ref(self, col: str, *, must_exist: bool) -> str | None:
        v = self.text(col)
        if not v:
            return None
        try:
            kind, key, _warn = normalise_company_id(v)
        except ValueError:
            kind = key = ""
        if key:
            found = self.lk.organisation_by_id(key)
            if found:
                self.out.referenced.add(found)
            if found or not must_exist:
                return found or data_iri("company", f"IT{key}" if kind == "vat" else f"cf-{key}")
            self._problem(col, f"company {v!r} is not in the store: import it first with "
                          "'itskg import companies FILE'")
            return None
        return self.resolve(col, self.lk.organisation_by_name)

    def _companies(self) -> None:
        self.paths(vatNumber="id", taxCode="id", primaryActivity="ateco",
                   locatedInRegion="nuts3", seatMunicipality="municipality")
        raw, name = self.text("id"), self.text("name")
        kind = key = ""
        if raw:
            try:
                kind, key, warn = normalise_company_id(raw)
                if warn:
                    self._problem("id", warn, "warning")
            except ValueError as err:
                self._problem("id", str(err))
        self.recommend("ateco")
        act = self.resolve("ateco", self.lk.ateco, self.cells.get("ateco_edition") or None)
        self.recommend("nuts3", "province", "region")
        region = self.located()
        size = self.text("size").lower()
        if size and size not in {"micro", "small", "medium", "large"}:
            self._problem("size", f"unknown size {size!r} (micro, small, medium or large)")
            size = ""
        site = self.url("website")
        if not key:
            return
        iri = data_iri("company", f"IT{key}" if kind == "vat" else f"cf-{key}")
        if not self.begin(iri, "Company"):
            return
        self.w.lit(iri, I + ("vatNumber" if kind == "vat" else "taxCode"), key)
        if name:
            self.name(iri, name)
        if act:
            self.w.iri(iri, I + "primaryActivity", act)
        if region:
            self.w.iri(iri, I + "locatedInRegion", region)
        self.w.lit(iri, I + "seatMunicipality", self.text("municipality"))
        if size:
            self.w.iri(iri, I + "companySize", vocab_iri("company-size", size))
        if site:
            self.w.iri(iri, FOAF + "homepage", site)

    def _academies(self) -> None:
        self.paths(seatRegion="nuts2", locatedInRegion="nuts3", technologicalArea=
                   "technological_area", ipaCode="ipa_code", shortName="short_name")
        name, ipa = self.text("name"), self.text("ipa_code").upper()
        if ipa and self.lk.graphs_with_ipa(ipa):
            graphs = ", ".join(sorted(self.lk.graphs_with_ipa(ipa)))
            self._problem("ipa_code", f"IPA code {ipa} is already in the store ({graphs}): "
                          "correct the reference data (ontology/data/academies.ttl) instead "
                          "of adding the academy again")
            name = ""
        elif name and not ipa and self.lk.academies_named(name):
            self._problem("name", f"an ITS Academy named {name!r} is already in the store")
            name = ""
        nuts3 = self.located(nuts3="nuts3", province="province", region="nuts2")
        region_name = self.resolve("region", self.lk.region)
        seat = nuts3 if nuts3 and len(nuts3.rsplit("/", 1)[-1]) == 4 else (
            self.lk.nuts_parent(nuts3) if nuts3 else region_name)
        if region_name and seat and region_name != seat:
            self._problem("region", f"region {self.cells['region']!r} does not match the "
                          f"seat {seat.rsplit('/', 1)[-1]}")
        areas = [self.resolve(col, self.lk.area, value=v)
                 for col in ("technological_area", "technological_area_dm2023")
                 for v in split_list(self.cells.get(col, ""))]
        site = self.url("website")
        if not name:
            return
        iri = data_iri("its", ipa or slug(name))
        if not self.begin(iri, "ITSAcademy"):
            return
        self.name(iri, name)
        self.w.lit(iri, I + "shortName", self.text("short_name"))
        self.w.lit(iri, I + "ipaCode", ipa)
        if seat:
            self.w.iri(iri, I + "seatRegion", seat)
        if nuts3 and nuts3 != seat:
            self.w.iri(iri, I + "locatedInRegion", nuts3)
        self.w.lit(iri, I + "seatMunicipality", self.text("city"))
        self.w.lit(iri, I + "municipalityCode", self.text("comune_istat"))
        for area in areas:
            if area:
                self.w.iri(iri, I + "technologicalArea", area)
        if site:
            self.w.iri(iri, FOAF + "homepage", site)
        self.w.lit(iri, SKOS + "note", self.text("notes"))

    def _memberships(self) -> None:
        self.paths(foundationMember="member_name", partnerType="partner_type",
                   startDate="since", endDate="until")
        self.out.path_columns.setdefault(ORG + "role", "role")
        self.out.path_columns.setdefault(ORG + "organization", "academy")
        academy = self.resolve("academy", self.lk.academy)
        mtype = self.text("member_type").lower().replace("_", "-").replace(" ", "-")
        ptype_iri = self.resolve("member_type", self.lk.code, "partner-type") if mtype else None
        if ptype_iri and ptype_iri.rsplit("/", 1)[-1] in MEMBER_CLASS:
            mtype = ptype_iri.rsplit("/", 1)[-1]
        else:
            if mtype and ptype_iri:
                self._problem("member_type", f"member type {mtype!r} is not one of "
                              + ", ".join(MEMBER_CLASS))
            mtype = ""
        role = self.resolve("role", self.lk.code, "member-role")
        ptype = self.resolve("partner_type", self.lk.code, "partner-type") or ptype_iri
        member = self._member(mtype)
        since, until = self.date("since"), self.date("until")
        if since and until and until[0] < since[0]:
            self._problem("until", f"until ({until[0]}) is before since ({since[0]})")
        if not (academy and member and role and mtype):
            return
        m = data_iri("membership", f"{Lookups.academy_key(academy)}/{member.rsplit('/', 1)[-1]}")
        if not self.begin(m, "FoundationMembership"):
            return
        self.w.iri(m, I + "foundationMember", member)
        self.w.iri(m, ORG + "organization", academy)
        self.w.iri(m, ORG + "role", role)
        if ptype:
            self.w.iri(m, I + "partnerType", ptype)
        for prop, d in (("startDate", since), ("endDate", until)):
            if d:
                self.w.lit(m, I + prop, d[0], datatype="date")
                if d[1]:
                    self.w.lit(m, SKOS + "note", f"{prop}: only the year is known", lang="en")
        self.w.iri(member, I + "memberOfFoundation", academy)

    def _member(self, mtype: str) -> str | None:
        raw_id, name = self.text("member_id"), self.text("member_name")
        key = kind = ""
        if raw_id:
            try:
                kind, key, warn = normalise_company_id(raw_id)
            except ValueError as err:
                self._problem("member_id", str(err))
                return None
            if warn:
                self._problem("member_id", warn, "warning")
            if found := self.lk.organisation_by_id(key):
                self.out.referenced.add(found)
                return found
        elif name and (found_names := self.lk.organisation_names().get(name)):
            if len(found_names) == 1:
                self.out.referenced.update(found_names)
                return next(iter(found_names))
            self._problem("member_name", f"{name!r} matches several organisations: give "
                          "member_id (partita IVA / codice fiscale)")
            return None
        if not name:
            self._problem("member_name", f"member {raw_id!r} is not in the store: give its "
                          "member_name so it can be added")
            return None
        if not mtype:
            return None
        local = (f"IT{key}" if kind == "vat" else f"cf-{key}") if key else slug(name)
        iri = data_iri("company" if mtype == "company" else "org", local)
        if iri not in self.out.focus_rows:
            self.out.focus_rows[iri] = self.row
            self.w.iri(iri, RDF_TYPE, I + MEMBER_CLASS[mtype])
            if key:
                self.w.lit(iri, I + ("vatNumber" if kind == "vat" else "taxCode"), key)
            self.w.lit(iri, DCT + "source", self.cells.get("source") or self.default_note)
        self.name(iri, name)
        return iri

    def _courses(self) -> None:
        self.paths(technologicalArea="area", eqfLevel="eqf_level", totalHours="total_hours",
                   internshipHours="internship_hours", cohortStartYear="cohort_start",
                   cohortEndYear="cohort_end", teachesSkill="skills",
                   targetsOccupation="occupations", locatedInRegion="location")
        self.out.path_columns.setdefault(ELM + "providedBy", "academy")
        academy = self.resolve("academy", self.lk.academy)
        title, eqf = self.text("title"), self.text("eqf_level").upper().removeprefix("EQF")
        if eqf and eqf.strip() not in {"5", "6"}:
            self._problem("eqf_level", f"EQF level {eqf!r}: ITS courses are level 5 or 6")
        hours, stage = self.integer("total_hours"), self.integer("internship_hours")
        self.recommend("total_hours")
        if hours is not None and stage is not None and stage > hours:
            self._problem("internship_hours", f"{stage} internship hours exceed the {hours} "
                          "total hours")
        start, end = self.year("cohort_start"), self.year("cohort_end")
        if start and end and end < start:
            self._problem("cohort_end", f"the cohort ends ({end}) before it starts ({start})")
        areas = [self.resolve("area", self.lk.area, value=v)
                 for v in split_list(self.cells.get("area", ""))]
        skills = [self.resolve("skills", self.lk.esco, "skill", value=v)
                  for v in split_list(self.cells.get("skills", ""))]
        occs = [self.resolve("occupations", self.lk.esco, "occupation", value=v)
                for v in split_list(self.cells.get("occupations", ""))]
        place = self.resolve("location", self.lk.place)
        if not (academy and title and eqf.strip() in {"5", "6"}):
            return
        c = data_iri("course", f"{Lookups.academy_key(academy)}/{start or 'na'}/{slug(title)}")
        if not self.begin(c, "Course"):
            return
        self.w.iri(c, ELM + "providedBy", academy)
        self.w.lit(c, DCT + "title", title, lang="it")
        self.w.iri(c, I + "eqfLevel", f"{EQF}{eqf.strip()}")
        for prop, v in (("totalHours", hours), ("internshipHours", stage)):
            if v is not None:
                self.w.lit(c, I + prop, v)
        for prop, y in (("cohortStartYear", start), ("cohortEndYear", end)):
            self.w.lit(c, I + prop, y, datatype="gYear")
        for prop, iris in (("technologicalArea", areas), ("teachesSkill", skills),
                           ("targetsOccupation", occs), ("locatedInRegion", [place])):
            for iri in iris:
                if iri:
                    self.w.iri(c, I + prop, iri)

    def _collaborations(self) -> None:
        self.paths(collaboratingCompany="company", collaboratingProvider="academy",
                   collaborationType="type", relatedCourse="course", year="year",
                   internsHosted="interns_hosted", teachingHours="teaching_hours")
        company = self._company_ref("company", must_exist=True)
        academy = self.resolve("academy", self.lk.academy)
        ctype = self.resolve("type", self.lk.code, "collaboration-type")
        year = self.year("year")
        interns, hours = self.integer("interns_hosted"), self.integer("teaching_hours")
        course = self.resolve("course", lambda v: self.lk.course(academy, v)) if academy else None
        if not (company and academy and ctype and year):
            return
        x = data_iri("collaboration", "/".join((
            Lookups.academy_key(academy), company.rsplit("/", 1)[-1], year,
            ctype.rsplit("/", 1)[-1])))
        if not self.begin(x, "CompanyCollaboration"):
            return
        self.w.iri(x, I + "collaboratingCompany", company)
        self.w.iri(x, I + "collaboratingProvider", academy)
        self.w.iri(x, I + "collaborationType", ctype)
        self.w.lit(x, I + "year", year, datatype="gYear")
        if course:
            self.w.iri(x, I + "relatedCourse", course)
        for prop, v in (("internsHosted", interns), ("teachingHours", hours)):
            if v is not None:
                self.w.lit(x, I + prop, v)
        self.w.lit(x, DCT + "description", self.text("labs"))
        self.w.iri(company, I + "collaboratesWith", academy)

    def _mobility(self) -> None:
        self.paths(sendingOrganisation="academy", receivingOrganisation="organisation",
                   participants="participants", year="year", mobilityType="mobility_type",
                   direction="direction", destinationCountry="country", originCountry="country",
                   destinationRegion="region", originRegion="region")
        academy = self.resolve("academy", self.lk.academy)
        direction = self.resolve("direction", self.lk.code, "mobility-direction",
                                 value=self.cells.get("direction") or "outgoing")
        country = self.resolve("country", self.lk.country)
        region = self.resolve("region", self.lk.nuts)
        year, people = self.year("year"), self.integer("participants")
        mtype = self.resolve("mobility_type", self.lk.code, "mobility-type")
        partner_name = self.text("organisation")
        if not (academy and direction and country and year and people is not None):
            return
        out = direction.endswith("outgoing")
        partner = data_iri("org", slug(partner_name)) if partner_name else None
        key = "/".join((self.source, Lookups.academy_key(academy), year,
                        direction.rsplit("/", 1)[-1], country.rsplit("/", 1)[-1],
                        slug(partner_name) if partner_name else "any",
                        mtype.rsplit("/", 1)[-1] if mtype else "any"))
        f = data_iri("mobility", key)
        if not self.begin(f, "MobilityFlow"):
            return
        self.dataset_node()
        self.w.iri(f, QB + "dataSet", self.dataset)
        here, there = "origin" if out else "destination", "destination" if out else "origin"
        self.w.iri(f, I + ("sendingOrganisation" if out else "receivingOrganisation"), academy)
        self.w.iri(f, I + f"{here}Country", ITA)
        self.w.iri(f, I + f"{there}Country", country)
        if seat := self.lk.academy_seat(academy):
            self.w.iri(f, I + f"{here}Region", seat)
        if region:
            self.w.iri(f, I + f"{there}Region", region)
        if partner:
            self.w.iri(f, I + ("receivingOrganisation" if out else "sendingOrganisation"), partner)
            if partner not in self.labelled:
                self.w.iri(partner, RDF_TYPE, I + "Organisation")
                self.w.lit(partner, DCT + "source", self.cells.get("source") or self.default_note)
                self.out.focus_rows.setdefault(partner, self.row)
            self.name(partner, partner_name, lang=None)
        self.w.iri(f, I + "direction", direction)
        if mtype:
            self.w.iri(f, I + "mobilityType", mtype)
        self.w.lit(f, I + "participants", people)
        self.w.lit(f, I + "year", year, datatype="gYear")

    def _indicators(self) -> None:
        measures = {"enrolled": "enrolled", "graduates": "graduates",
                    "employedAt12Months": "employed_12m",
                    "employedCoherently": "employed_coherently", "dropouts": "dropouts"}
        self.paths(refITS="academy", year="year", employmentRate12m="employment_rate_12m",
                   **measures)
        self.out.path_columns.setdefault(REF_AREA, "region")
        academy = self.resolve("academy", self.lk.academy)
        region = self.resolve("region", self.lk.region)
        year = self.year("year")
        values = {prop: self.integer(col) for prop, col in measures.items()}
        rate = self._rate("employment_rate_12m")
        if all(v is None for v in values.values()) and rate is None:
            self._problem("enrolled", "no measure given (enrolled, graduates, employed_12m, "
                          "employed_coherently, dropouts or employment_rate_12m)")
            return
        subject = academy or region
        if not (subject and year):
            return
        key = Lookups.academy_key(academy) if academy else region.rsplit("/", 1)[-1]
        o = data_iri("indicator", f"{key}/{year}")
        if not self.begin(o, "IndicatorObservation"):
            return
        self.dataset_node()
        self.w.iri(o, QB + "dataSet", self.dataset)
        if academy:
            self.w.iri(o, I + "refITS", academy)
        if region:
            self.w.iri(o, REF_AREA, region)
        self.w.lit(o, I + "year", year, datatype="gYear")
        for prop, v in values.items():
            if v is not None:
                self.w.lit(o, I + prop, v)
        if rate is not None:
            self.w.lit(o, I + "employmentRate12m", str(rate), datatype="decimal")

    def _rate(self, col: str) -> Any:
        v = self.text(col)
        pct = v.endswith("%")
        try:
            r: float | Decimal | int | None = (
                parse_number(v.rstrip("% "), integer=False) if v else None)
        except ValueError as err:
            self._problem(col, f"{err}; expected a rate between 0 and 1 (0,85) or 85%")
            return None
        if r is not None and pct:
            r = r / 100
        if r is not None and not 0 <= r <= 1:
            self._problem(col, f"rate {v!r} is not between 0 and 1 (write 0,85 or 85%)")
            return None
        return r
