"""The ``s3`` table kind: regional smart-specialisation (S3) priority domains -> SKOS.

One row per priority domain (the layout of ../shared/data/s3/s3_priority_domains_it.csv). A
region's strategy for a period is the scheme ``id/s3/{NUTS2}`` (an
``itskg:SmartSpecialisationStrategy`` with its region, period, adopting act and sources); each
domain is ``id/s3/{NUTS2}/{domain_code}`` (an ``itskg:SmartSpecialisationPriority``, in that
scheme; the NUTS region's ``itskg:hasS3Priority`` is derived by ontology/rules/13_s3_links.rq,
so the layer states nothing about the NUTS concepts). The domain type is kept in
the region's own words (``itskg:s3DomainType``); cross-cutting components (Piemonte's CTI,
Veneto's missioni strategiche, Emilia-Romagna's ambiti tematici) get ``itskg:crossCutting
true``. The curated links to technological areas and ATECO sections are not in this layer:
they live in ontology/data/s3-crosswalk.ttl.
"""

from __future__ import annotations

import re

from itskg.graph.importers.mapbase import DCT, RDF_TYPE, SKOS, I, Mapper
from itskg.graph.namespaces import DATA

__all__ = ["S3Mapper", "S3_BASE", "is_cross_cutting"]

S3_BASE = DATA + "s3/"
_CROSS = re.compile(r"trasversal|missione|ambito tematico|cross-cutting|horizontal", re.I)
_PERIOD = re.compile(r"^(20\d\d)\s*[-/–]\s*(20\d\d)$")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,40}$")


def is_cross_cutting(domain_type: str) -> bool:
    """True for the regions' terms for cross-cutting components and missions."""
    return bool(_CROSS.search(domain_type))


class S3Mapper(Mapper):
    """Mixin of :class:`~itskg.graph.importers.mapping.KindMapper` for the ``s3`` kind."""

    def _s3(self) -> None:
        self.paths(s3DomainType="domain_type", programmingPeriod="period")
        nuts2 = self.resolve("nuts2", self.lk.nuts)
        if nuts2 and self.cells.get("region"):
            by_name = self.resolve("region", self.lk.region)
            if by_name and by_name != nuts2:
                self._problem("region", f"region {self.cells['region']!r} is "
                              f"{by_name.rsplit('/', 1)[-1]}, not {self.cells['nuts2']}")
        if nuts2 and not re.search(r"/[A-Z]{2}[A-Z0-9]{2}$", nuts2):
            self._problem("nuts2", f"{self.cells['nuts2']!r} is not a NUTS-2 code (e.g. ITH5)")
            nuts2 = None
        period = self.text("period")
        m = _PERIOD.match(period)
        if period and not (m and int(m[1]) < int(m[2])):
            self._problem("period", f"{period!r} is not a programming period (e.g. 2021-2027)")
            return
        code, name = self.text("domain_code"), self.text("domain_name_it")
        dtype = self.text("domain_type")
        if code and not _CODE.match(code):
            self._problem("domain_code", f"{code!r}: use letters, digits, '-', '_' or '.'")
            return
        if not (nuts2 and code and name and dtype and period):
            return
        region = nuts2.rsplit("/", 1)[-1]
        scheme = f"{S3_BASE}{region}"
        iri = f"{scheme}/{code}"
        if not self.begin(iri, "SmartSpecialisationPriority"):
            return
        w = self.w
        src = self.cells.get("source") or self.default_note
        w.iri(iri, RDF_TYPE, SKOS + "Concept")
        w.lit(iri, SKOS + "prefLabel", name, lang="it")
        w.lit(iri, SKOS + "notation", code)
        w.iri(iri, SKOS + "inScheme", scheme)
        w.iri(iri, I + "s3Region", nuts2)  # NUTS hasS3Priority: rule 13_s3_links.rq
        w.lit(iri, I + "s3DomainType", dtype)
        w.lit(iri, I + "crossCutting", "true" if is_cross_cutting(dtype) else "false",
              datatype="boolean")
        w.lit(iri, I + "programmingPeriod", period)
        w.lit(iri, I + "adoptingAct", self.text("adopting_act"))
        w.lit(iri, I + "sourceType", self.text("source_type"))
        w.lit(iri, SKOS + "note", self.text("notes"))
        if src.startswith("http"):
            w.iri(iri, "http://www.w3.org/ns/prov#wasDerivedFrom", src)
        if scheme not in self.labelled:
            self.labelled.add(scheme)
            self.out.focus_rows.setdefault(scheme, self.row)
            label = self.cells.get("region") or region
            w.iri(scheme, RDF_TYPE, I + "SmartSpecialisationStrategy")
            w.iri(scheme, RDF_TYPE, SKOS + "ConceptScheme")
            w.lit(scheme, SKOS + "prefLabel",
                  f"Strategia di specializzazione intelligente {period} – {label}", lang="it")
            w.lit(scheme, SKOS + "prefLabel",
                  f"Smart specialisation strategy {period} – {label}", lang="en")
            w.lit(scheme, SKOS + "notation", region)
            w.iri(scheme, I + "strategyRegion", nuts2)
            w.lit(scheme, I + "programmingPeriod", period)
            w.lit(scheme, I + "adoptingAct", self.text("adopting_act"))
        w.lit(scheme, DCT + "source", src)
        w.iri(scheme, SKOS + "hasTopConcept", iri)
