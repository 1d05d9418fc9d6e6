"""Resolve what users type (ITH5, an academy key, a qualification key) to IRIs; shared by the
command line and the HTTP routes so both accept the same spellings."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from itskg.graph.elm.derive import Qualification, derive_qualifications
from itskg.graph.errors import ElmError, UnknownQualificationError
from itskg.graph.namespaces import DATA, NUTS_CODE
from itskg.graph.store import KnowledgeStore

__all__ = ["academy_iri", "find_qualification", "nqf_option", "region_iri"]

_KEY = re.compile(r"^[A-Za-z0-9._-]{1,80}$")
QDR = "http://data.europa.eu/snb/qdr/"


def region_iri(value: str | None) -> str | None:
    """ITH5 or a NUTS IRI -> the NUTS IRI (ElmError otherwise)."""
    if not value:
        return None
    if value.startswith(NUTS_CODE):
        return value
    if re.match(r"^[A-Z]{2}[A-Z0-9]{1,3}$", value):
        return NUTS_CODE + value
    raise ElmError(f"region {value!r}: give a NUTS code such as ITH5")


def academy_iri(value: str | None) -> str | None:
    """An academy key (the IPA code in id/its/KEY) or IRI -> the IRI (ElmError otherwise)."""
    if not value:
        return None
    if value.startswith(DATA + "its/"):
        return value
    if _KEY.match(value):
        return DATA + "its/" + value
    raise ElmError(f"academy {value!r}: give its key (e.g. O4881HUH) or its IRI")


def nqf_option(items: Iterable[str] | Mapping[str, str] | None) -> dict[str, str]:
    """``["5=IRI", ...]`` (or a mapping) -> {"5": IRI}; only QDR IRIs are accepted."""
    pairs = items.items() if isinstance(items, Mapping) else (
        tuple(i.split("=", 1)) if "=" in i else (i, "") for i in (items or []))
    out: dict[str, str] = {}
    for level, value in pairs:
        level, value = str(level).strip(), str(value).strip()
        if level not in {"5", "6"} or not value.startswith(QDR):
            raise ElmError(f"--nqf takes 5=IRI or 6=IRI with an IRI of the EU Qualification "
                           f"Dataset Register ({QDR}...), not {level}={value}")
        out[level] = value
    return out


def find_qualification(store: KnowledgeStore, key: str,
                       nqf_levels: Mapping[str, str] | None = None) -> Qualification:
    """The qualification whose key (``<academy key>-<hash>``) or IRI is ``key``."""
    last = key.rstrip("/").rsplit("/", 1)[-1]
    if not _KEY.match(last) or "-" not in last:
        raise UnknownQualificationError(
            f"{key!r} is not a qualification key (ACADEMY-hash, as listed by 'itskg elm "
            "report')")
    academy = academy_iri(last.split("-", 1)[0])
    try:
        quals = derive_qualifications(store, academy=academy, nqf_levels=nqf_levels)
    except UnknownQualificationError:
        raise
    except ElmError as err:  # the academy has no course: so no such qualification
        raise UnknownQualificationError(f"No qualification {key!r}: {err}") from None
    for q in quals:
        if q.key == last:
            return q
    raise UnknownQualificationError(f"No qualification {key!r}; 'itskg elm report --academy "
                   f"{last.split('-', 1)[0]}' lists that academy's qualifications.")
