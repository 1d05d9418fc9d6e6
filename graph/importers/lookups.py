"""Resolvers from what users write in tables to the IRIs of the graph, with "did you mean".

A :class:`Lookups` is built once per import over a store. Each index (ATECO codes, NUTS
regions and provinces, countries, ITS Academies, ESCO skills and occupations, technological
areas, code lists, organisations, courses) is filled by one or two SPARQL queries the first
time it is needed; then every row costs dict lookups. A value that cannot be resolved raises
:class:`Unresolved` with the closest known keys (difflib). A missing reference layer raises a
DataError that says which command to run first.

Countries resolve from a built-in ISO 3166 table (EU, EFTA, candidates and main partners)
extended with the country concepts found in the store.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

import ateco

from itskg.graph.backends.interface import Store
from itskg.graph.errors import DataError, Problem
from itskg.graph.importers.tabular import norm_text
from itskg.graph.namespaces import COUNTRY, DATA, ESCO, NUTS_CODE, VOCAB, sparql_prefixes

__all__ = ["Lookups", "Unresolved", "split_list"]

_COUNTRIES = """\
AT AUT Austria|Austria;BE BEL Belgium|Belgio;BG BGR Bulgaria|Bulgaria;HR HRV Croatia|Croazia
CY CYP Cyprus|Cipro;CZ CZE Czechia,Czech Republic|Cechia,Repubblica Ceca;DK DNK Denmark|Danimarca
EE EST Estonia|Estonia;FI FIN Finland|Finlandia;FR FRA France|Francia;DE DEU Germany|Germania
GR GRC Greece|Grecia;HU HUN Hungary|Ungheria;IE IRL Ireland|Irlanda;IT ITA Italy|Italia
LV LVA Latvia|Lettonia;LT LTU Lithuania|Lituania;LU LUX Luxembourg|Lussemburgo;MT MLT Malta|Malta
NL NLD Netherlands|Paesi Bassi,Olanda;PL POL Poland|Polonia;PT PRT Portugal|Portogallo
RO ROU Romania|Romania;SK SVK Slovakia|Slovacchia;SI SVN Slovenia|Slovenia;ES ESP Spain|Spagna
SE SWE Sweden|Svezia;GB GBR United Kingdom,UK,Great Britain|Regno Unito,Gran Bretagna
NO NOR Norway|Norvegia;CH CHE Switzerland|Svizzera;IS ISL Iceland|Islanda
LI LIE Liechtenstein|Liechtenstein;TR TUR Turkey,Türkiye|Turchia;RS SRB Serbia|Serbia
MK MKD North Macedonia|Macedonia del Nord;AL ALB Albania|Albania;ME MNE Montenegro|Montenegro
BA BIH Bosnia and Herzegovina|Bosnia ed Erzegovina;UA UKR Ukraine|Ucraina;MD MDA Moldova|Moldavia
US USA United States,USA|Stati Uniti;CA CAN Canada|Canada;CN CHN China|Cina;JP JPN Japan|Giappone
IN IND India|India;BR BRA Brazil|Brasile;AR ARG Argentina|Argentina;MX MEX Mexico|Messico
AU AUS Australia|Australia;TN TUN Tunisia|Tunisia;MA MAR Morocco|Marocco;EG EGY Egypt|Egitto
IL ISR Israel|Israele;KR KOR South Korea|Corea del Sud;SM SMR San Marino|San Marino
VA VAT Holy See,Vatican|Città del Vaticano,Vaticano;MC MCO Monaco|Monaco;AD AND Andorra|Andorra"""

# Words users write for the agreed code-list codes (keys are normalised with norm_text).
_SYNONYMS = {
    "member-role": {"fondatore": "founder", "socio fondatore": "founder",
                    "partecipante": "participant", "socio partecipante": "participant",
                    "sostenitore": "supporter", "socio sostenitore": "supporter"},
    "partner-type": {"impresa": "company", "azienda": "company", "scuola": "school",
                     "ente di formazione": "training-body", "training body": "training-body",
                     "universita": "university", "ricerca": "research",
                     "ente locale": "local-authority", "local authority": "local-authority",
                     "ente regionale": "local-authority", "regione": "local-authority",
                     "associazione di categoria": "trade-association",
                     "associazione datoriale": "trade-association",
                     "camera di commercio": "chamber-of-commerce", "cciaa": "chamber-of-commerce",
                     "banca": "bank", "fondazione bancaria": "bank-foundation",
                     "fondazione di origine bancaria": "bank-foundation",
                     "sindacato": "trade-union", "organizzazione sindacale": "trade-union",
                     "terzo settore": "third-sector", "ente del terzo settore": "third-sector",
                     "ordine professionale": "professional-body",
                     "collegio professionale": "professional-body",
                     "ordine/collegio professionale": "professional-body",
                     "altro": "other"},
    "mobility-direction": {"out": "outgoing", "in": "incoming", "uscita": "outgoing",
                           "entrata": "incoming", "outbound": "outgoing", "inbound": "incoming"},
}
# Used only when the code list is not in the store (the shipped codelists.ttl defines them).
_FALLBACK_CODES = {
    "member-role": ("founder", "participant", "supporter"),
    "partner-type": ("company", "school", "training-body", "university", "research",
                     "local-authority", "trade-association", "chamber-of-commerce", "bank",
                     "bank-foundation", "trade-union", "third-sector", "professional-body",
                     "other"),
    "mobility-direction": ("outgoing", "incoming"),
}

CODE_LISTS = ("member-role", "partner-type", "collaboration-type", "mobility-direction",
              "mobility-type")
RUN_BUILD = "run 'itskg build' first (it loads the reference layer)"


class Unresolved(Exception):
    """A value matched nothing (or several things); carries the closest known keys."""

    def __init__(self, message: str, suggestions: list[str] | None = None):
        self.message = message
        self.suggestions = suggestions or []
        hint = ""
        if self.suggestions:
            hint = "; did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?"
        super().__init__(message + hint)


def split_list(value: str) -> list[str]:
    """``"a; b | c"`` -> ``["a", "b", "c"]``."""
    return [v.strip() for v in re.split(r"[;|\n]", value) if v.strip()]


class _Index:
    """norm_text(key) -> IRIs, remembering a display form of each key for suggestions."""

    def __init__(self) -> None:
        self.keys: dict[str, set[str]] = defaultdict(set)
        self.display: dict[str, str] = {}

    def add(self, key: str, iri: str, *, exact: bool = False) -> None:
        k = key.strip() if exact else norm_text(key)
        if k:
            self.keys[k].add(iri)
            self.display.setdefault(k, key.strip())

    def get(self, value: str, *, exact: bool = False) -> set[str]:
        return self.keys.get(value.strip() if exact else norm_text(value), set())

    def __bool__(self) -> bool:
        return bool(self.keys)

    def suggest(self, value: str, *, exact: bool = False) -> list[str]:
        k = value.strip() if exact else norm_text(value)
        return [self.display[m] for m in difflib.get_close_matches(k, list(self.keys), 3, 0.6)]

    def one(self, value: str, what: str, *, exact: bool = False) -> str:
        found = self.get(value, exact=exact)
        if len(found) == 1:
            return next(iter(found))
        if found:
            raise Unresolved(f"{what} {value!r} is ambiguous: it matches "
                             + ", ".join(sorted(found)))
        raise Unresolved(f"unknown {what} {value!r}", self.suggest(value, exact=exact))


@dataclass
class _Academies:
    iris: _Index = field(default_factory=_Index)
    names: _Index = field(default_factory=_Index)
    ipa: _Index = field(default_factory=_Index)
    seat: dict[str, str] = field(default_factory=dict)
    ipa_graphs: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    short: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


def _local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


class Lookups:
    """Resolvers over one store. ``replacing`` is the graph an import will replace: resources
    defined only there are ignored (so re-importing a file does not collide with itself)."""

    def __init__(self, store: Store, *, replacing: str | None = None):
        self.store = store
        self.replacing = replacing

    def _rows(self, where: str, names: str) -> list[tuple]:
        q = sparql_prefixes() + f"SELECT {names} WHERE {{ {where} }}"
        return list(self.store.query(q).tuples())

    # ------------------------------------------------------------------ ATECO
    @cached_property
    def _ateco(self) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {"2025": {}, "2007": {}}
        for c, s in self._rows("VALUES ?s { voc:ateco2025 voc:ateco2007 } ?c skos:inScheme ?s",
                               "?c ?s"):
            out["2025" if s.endswith("2025") else "2007"][_local(c)] = c
        if not out["2025"]:
            raise DataError("The ATECO classification is not in the store.",
                            [Problem(f"no voc:ateco2025 concepts found; {RUN_BUILD}")])
        return out

    def ateco(self, value: str, edition: str | None = None) -> tuple[str, str | None]:
        """IRI of an ATECO code and a warning when it was read as ATECO 2007."""
        v = re.sub(r"\s+", "", value).upper().rstrip(".")
        if v.startswith(("HTTP://", "HTTPS://")):
            v = _local(value.strip())
        if re.fullmatch(r"\d(\.\d+)*", v):
            v = "0" + v  # a leading zero eaten by a spreadsheet: 1.11 -> 01.11
        code = ateco.canonicalize(v) if re.fullmatch(r"[\d.]+|[A-Z]", v) else v
        if edition not in (None, "", "2025", "2007"):
            raise Unresolved(f"unknown ATECO edition {edition!r} (use 2025 or 2007)")
        idx = self._ateco
        if edition == "2007":
            if code in idx["2007"]:
                return idx["2007"][code], None
        elif code in idx["2025"]:
            return idx["2025"][code], None
        elif not edition and code in idx["2007"]:
            return idx["2007"][code], (f"{value!r} is not an ATECO 2025 code; read as ATECO 2007 "
                                       "(set ateco_edition to 2007 to confirm)")
        keys = list(idx[edition or "2025"])
        near = difflib.get_close_matches(code, keys, 3, 0.6)
        raise Unresolved(f"unknown ATECO {edition or '2025'} code {value!r}", near)

    # ------------------------------------------------------------------ NUTS
    @cached_property
    def _nuts(self) -> dict[str, _Index]:
        codes, regions, provinces = _Index(), _Index(), _Index()
        rows = self._rows(
            f'?c skos:prefLabel|skos:altLabel|itskg:provinceAbbreviation ?l '
            f'FILTER(STRSTARTS(STR(?c), "{NUTS_CODE}"))', "?c ?l")
        for c, label in rows:
            code = c[len(NUTS_CODE):]
            codes.add(code, c, exact=True)
            if code.startswith("IT") and len(code) == 4:
                regions.add(label, c)
                for part in str(label).split("/"):
                    regions.add(part, c)
            elif code.startswith("IT") and len(code) == 5:
                provinces.add(label, c)
                for part in str(label).split("/"):
                    provinces.add(part, c)
        if not codes:
            raise DataError("The NUTS regions are not in the store.",
                            [Problem(f"no NUTS concepts found; {RUN_BUILD}")])
        return {"codes": codes, "regions": regions, "provinces": provinces}

    def nuts(self, value: str) -> str:
        v = value.strip()
        code = (v[len(NUTS_CODE):] if v.startswith(NUTS_CODE) else v).upper().replace(" ", "")
        return self._nuts["codes"].one(code, "NUTS code", exact=True)

    def region(self, value: str) -> str:
        """An Italian region by name, or any NUTS code."""
        if self._nuts["codes"].get(value.strip().upper(), exact=True):
            return self.nuts(value)
        return self._nuts["regions"].one(value, "region")

    def province(self, value: str) -> str:
        """An Italian province by name, car-plate abbreviation or NUTS-3 code."""
        v = value.strip()
        if len(v) > 2 and self._nuts["codes"].get(v.upper(), exact=True):
            return self.nuts(v)
        return self._nuts["provinces"].one(v, "province")

    def place(self, value: str) -> str:
        """Province, region or NUTS code (the most specific match)."""
        for f in (self.province, self.region):
            try:
                return f(value)
            except Unresolved:
                pass
        idx = self._nuts
        near = idx["provinces"].suggest(value) + idx["regions"].suggest(value)
        raise Unresolved(f"unknown province, region or NUTS code {value!r}", near[:3])

    @staticmethod
    def nuts_parent(iri: str) -> str | None:
        code = iri[len(NUTS_CODE):]
        return NUTS_CODE + code[:-1] if iri.startswith(NUTS_CODE) and len(code) > 2 else None

    # ------------------------------------------------------------------ countries
    @cached_property
    def _countries(self) -> _Index:
        idx = _Index()
        for line in _COUNTRIES.splitlines():
            for entry in line.split(";"):
                iso2, iso3, names = entry.split(" ", 2)
                for name in names.replace("|", ",").split(","):
                    idx.add(name, COUNTRY + iso3)
                idx.add(iso2, COUNTRY + iso3)
                idx.add(iso3, COUNTRY + iso3)
        idx.add("EL", COUNTRY + "GRC")
        for c, label in self._rows(
                f'?c skos:prefLabel ?l FILTER(STRSTARTS(STR(?c), "{COUNTRY}"))', "?c ?l"):
            idx.add(label, c)
            idx.add(_local(c), c)
        return idx

    def country(self, value: str) -> str:
        v = value.strip()
        if v.startswith(COUNTRY):
            v = _local(v)
        return self._countries.one(v, "country")

    # ------------------------------------------------------------------ academies
    @cached_property
    def _academies(self) -> _Academies:
        props = ("skos:prefLabel", "schema:name", "itskg:shortName", "itskg:ipaCode",
                 "itskg:seatRegion")  # a UNION runs 5x faster than VALUES ?p here (measured)
        rows = self._rows("GRAPH ?g { ?a a itskg:ITSAcademy } " + " UNION ".join(
            f"{{ ?a {p} ?v BIND({p} AS ?p) }}" for p in props), "?a ?p ?v ?g")
        graphs: dict[str, set[str]] = defaultdict(set)
        for a, _p, _v, g in rows:
            graphs[a].add(g)
        keep = {a for a, gs in graphs.items() if gs - {self.replacing}}
        out = _Academies()
        for a, p, v, g in rows:
            if a not in keep:
                continue
            out.iris.add(a, a, exact=True)
            local = p.rsplit("#", 1)[-1]
            if local == "ipaCode":
                out.ipa.add(str(v).upper(), a, exact=True)
                out.ipa_graphs[str(v).upper()].add(g)
            elif local == "seatRegion":
                out.seat[a] = v
            else:
                out.names.add(str(v), a)
                if local == "shortName":
                    out.short[str(v)].add(a)
        if not out.iris:
            raise DataError("No ITS Academies in the store.",
                            [Problem(f"the academies reference layer is missing; {RUN_BUILD}")])
        return out

    def academy(self, value: str) -> str:
        """An ITS Academy by IRI, IPA code, official name or short name."""
        v = value.strip()
        idx = self._academies
        for key, index in ((v, idx.iris), (v.upper(), idx.ipa)):
            found = index.get(key, exact=True)
            if len(found) == 1:
                return next(iter(found))
        found = idx.names.get(v)
        if len(found) == 1:
            return next(iter(found))
        if found:
            raise Unresolved(f"academy {v!r} is ambiguous: give its IPA code or IRI ("
                             + ", ".join(sorted(found)) + ")")
        near = idx.names.suggest(v) + idx.ipa.suggest(v.upper(), exact=True)
        raise Unresolved(f"unknown ITS Academy {v!r}", near[:3])

    def academies_named(self, name: str) -> set[str]:
        """Academies whose name or short name is ``name`` (case/accent-insensitive)."""
        return set(self._academies.names.get(name))

    def academy_by_short_name_in(self, text: str) -> tuple[str, str] | None:
        """The one academy whose short name (of 3+ characters) occurs as a whole word in
        ``text`` (case-insensitive), with that short name; None if none or several match.
        Used for probable matches of foundations named loosely in press sources."""
        words = f" {norm_text(text)} "
        hits = {(a, name) for name, iris in self._academies.short.items() if len(name) >= 3
                for a in iris if f" {norm_text(name)} " in words}
        return next(iter(hits)) if len({a for a, _ in hits}) == 1 else None

    def academy_by_ipa(self, code: str) -> str | None:
        """The academy with this IndicePA code, or None."""
        found = self._academies.ipa.get(code.strip().upper(), exact=True)
        return next(iter(found)) if len(found) == 1 else None

    def academy_seat(self, iri: str) -> str | None:
        return self._academies.seat.get(iri)

    def graphs_with_ipa(self, ipa: str) -> set[str]:
        """Graphs (other than the one being replaced) that already hold this IPA code."""
        return set(self._academies.ipa_graphs.get(ipa.upper(), set()))

    @staticmethod
    def academy_key(iri: str) -> str:
        return _local(iri)

    # ------------------------------------------------------------------ ESCO
    def _esco(self, cls: str) -> _Index:
        idx = _Index()
        for s, label in self._rows(f"?s a esco:{cls} ; skos:prefLabel|skos:altLabel ?l",
                                   "?s ?l"):
            idx.add(s, s, exact=True)
            idx.add(str(label).lower(), s, exact=True)
        return idx

    @cached_property
    def _skills(self) -> _Index:
        return self._esco("Skill")

    @cached_property
    def _occupations(self) -> _Index:
        return self._esco("Occupation")

    def esco(self, value: str, kind: str) -> tuple[str, str | None]:
        """An ESCO skill/occupation by IRI or exact label; a warning if ESCO is not loaded."""
        idx = self._skills if kind == "skill" else self._occupations
        v = value.strip()
        prefix = f"{ESCO}{kind}/"
        if not idx:
            if v.startswith(prefix):
                return v, f"ESCO is not in the store, so {v} was not checked"
            raise Unresolved(f"cannot look up the ESCO {kind} {v!r}: ESCO is not in the store; "
                             "run 'itskg import esco DIR' first, or give ESCO IRIs")
        if v.startswith("http"):
            return idx.one(v, f"ESCO {kind} IRI", exact=True), None
        return idx.one(v.lower(), f"ESCO {kind} label", exact=True), None

    # ------------------------------------------------------------------ areas, code lists
    @cached_property
    def _areas(self) -> _Index:
        idx = _Index()
        for c, label in self._rows(
                "VALUES ?s { voc:area-2008 voc:area-2023 } ?c skos:inScheme ?s ; "
                "skos:prefLabel|skos:altLabel|skos:notation ?l", "?c ?l"):
            idx.add(label, c)
            idx.add(_local(c), c)
        if not idx:
            raise DataError("The technological areas are not in the store.",
                            [Problem(f"no voc:area-2008/area-2023 concepts found; {RUN_BUILD}")])
        return idx

    def area(self, value: str) -> str:
        v = value.strip()
        if v.startswith(VOCAB):
            v = _local(v)
        return self._areas.one(v, "technological area")

    @cached_property
    def _codes(self) -> dict[str, _Index]:
        out: dict[str, _Index] = defaultdict(_Index)
        schemes = " ".join(f"voc:{s}" for s in CODE_LISTS)
        for c, s, label in self._rows(
                f"VALUES ?s {{ {schemes} }} ?c skos:inScheme ?s ; "
                "skos:prefLabel|skos:altLabel|skos:notation ?l", "?c ?s ?l"):
            scheme = _local(s)
            out[scheme].add(_local(c), c)  # first: the code is what suggestions show
            out[scheme].add(label, c)
        return out

    def code(self, value: str, scheme: str) -> str:
        """A concept of one of our small code lists (voc:member-role, ...)."""
        idx = self._codes.get(scheme) or _Index()
        if not idx:
            for code in _FALLBACK_CODES.get(scheme, ()):
                idx.add(code, f"{VOCAB}{scheme}/{code}")
        if not idx:
            raise DataError(f"The code list voc:{scheme} is not in the store.",
                            [Problem(f"no concepts in voc:{scheme}; {RUN_BUILD}")])
        v = _SYNONYMS.get(scheme, {}).get(norm_text(value), value)
        return idx.one(v, f"{scheme} code")

    # ------------------------------------------------------------------ organisations, courses
    @cached_property
    def _orgs(self) -> dict[str, _Index]:
        ids, names = _Index(), _Index()
        for o, v, g in self._rows(
                "GRAPH ?g { ?o itskg:vatNumber|itskg:taxCode ?v }", "?o ?v ?g"):
            if g != self.replacing:
                ids.add(str(v).upper(), o, exact=True)
        for o, v, g in self._rows(
                "VALUES ?t { itskg:Company itskg:University itskg:SecondarySchool "
                "itskg:TrainingProvider itskg:ResearchOrganisation itskg:PublicAuthority "
                "itskg:TradeAssociation itskg:ChamberOfCommerce itskg:Bank itskg:BankFoundation "
                "itskg:TradeUnion itskg:ThirdSectorBody itskg:ProfessionalBody "
                "itskg:Organisation } GRAPH ?g { ?o a ?t } ?o skos:prefLabel|schema:name ?v",
                "?o ?v ?g"):
            if g != self.replacing and o.startswith(DATA):
                names.add(str(v), o)
        return {"ids": ids, "names": names}

    def organisation_by_id(self, key: str) -> str | None:
        found = self._orgs["ids"].get(key.upper(), exact=True)
        return next(iter(found)) if len(found) == 1 else None

    def organisation_by_name(self, name: str) -> str:
        return self._orgs["names"].one(name, "organisation")

    def organisation_names(self) -> _Index:
        return self._orgs["names"]

    @cached_property
    def _courses(self) -> dict[str, _Index]:
        out: dict[str, _Index] = defaultdict(_Index)
        for c, a, t in self._rows("?c elm:providedBy ?a ; dct:title|skos:prefLabel ?t",
                                  "?c ?a ?t"):
            out[a].add(str(t), c)
            out[a].add(c, c, exact=True)
        return out

    def course(self, academy: str, value: str) -> str:
        idx = self._courses.get(academy) or _Index()
        if value.strip().startswith("http"):
            return idx.one(value, "course IRI of this academy", exact=True)
        return idx.one(value, "course of this academy (import courses first)")

