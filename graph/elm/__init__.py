"""Europass-ready ITS qualifications: the European Learning Model (ELM 3.1) export and its check.

- :mod:`itskg.graph.elm.derive`: the qualifications of the graph. A course (one cohort) leads
  to a qualification; courses of one academy with the same title (cohort years stripped) and EQF
  level are one qualification. Explicit ``itskg:leadsToQualification`` statements and the facts
  stated on a qualification (``dct:title``, ``elm:NQFLevel``, ``elm:ISCEDFCode``) are honoured.
  Qualifications derived from synthetic courses are minted under ``id/synthetic/`` and marked
  synthetic (also inside the ELM export, as an ``elm:additionalNote``).
- :mod:`itskg.graph.elm.elm_rdf`: one qualification as an RDF graph in ELM terms only (title,
  EQF level, ISCED-F field, NQF level, learning outcomes as ESCO skills, awarding body), and
  as ELM JSON-LD.
- :mod:`itskg.graph.elm.loq`: completeness judged by the official SHACL shapes of the Europass
  Learning Opportunity and Qualification (LOQ) application profile, per qualification, naming
  what the shapes find missing.

The ELM ontology and the LOQ shapes (EUPL 1.2) are read unchanged from ``../shared/data/elm``
of a checkout, or from ``itskg/graph/elm/loq/`` of an installed wheel (copied there with their
licence by ``setup.py``); see :func:`itskg.graph.elm.loq.elm_files`.
"""

from __future__ import annotations

from itskg.graph.elm.derive import Qualification, derive_qualifications
from itskg.graph.elm.elm_rdf import qualification_graph, qualification_jsonld
from itskg.graph.elm.loq import CompletenessReport, Finding, check_qualifications, elm_files

__all__ = [
    "CompletenessReport",
    "Finding",
    "Qualification",
    "check_qualifications",
    "derive_qualifications",
    "elm_files",
    "qualification_graph",
    "qualification_jsonld",
]
