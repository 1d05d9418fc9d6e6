"""Region (NUTS 2) and academy profiles: figures against the national ones, with charts.

Every figure is computed by SPARQL over the store in three scopes that share one pattern
binding ``?its`` (the academies): the region's (or the one academy), and all of Italy. Charts
are Vega-Lite specifications with their data inline (``Chart.rows`` is the same data for the
CSV download) and the layers they draw on, read from the named graphs that hold the classes
they count and the kind (real/synthetic) the metadata graph gives each layer.

An unknown region or academy raises :class:`~itskg.graph.errors.UnknownProfileError` (a
DataError) naming it (HTTP 404, CLI exit 6). The national figures are cached per store
generation (the first profile of a generation pays for them: about 20-40 s on the national
ecosystem on a busy 2-core machine, then about 1 s a region; :func:`warm` computes them
ahead).
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import Any

from itskg.graph.errors import Problem, UnknownProfileError
from itskg.graph.namespaces import DATA, META_GRAPH, NUTS_CODE, ONTOLOGY, VOCAB
from itskg.graph.store import KnowledgeStore

__all__ = ["S3_QUERIES", "Chart", "Profile", "Section", "academy_profile", "region_profile",
           "warm"]

VEGA_LITE = "https://vega.github.io/schema/vega-lite/v6.json"
AREA23 = VOCAB + "area-2023/"
S3_QUERIES = ("s3_priorities_without_academy", "academies_outside_s3_priorities")
PREFIXES = """PREFIX itskg: <https://w3id.org/itskg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX elm: <http://data.europa.eu/snb/model/elm/>
PREFIX dct: <http://purl.org/dc/terms/>
"""
SKILL_CLASSES = ("DigitalSkill", "GreenSkill", "TransversalSkill")

TEXT: dict[str, dict[str, str]] = {
    "it": {
        "italy": "Italia", "overview": "Fondazioni e aree tecnologiche",
        "members": "Soci per tipo e settore", "skills": "Competenze insegnate e richieste",
        "s3": "Allineamento con la specializzazione intelligente (S3)",
        "mobility": "Mobilità in uscita e in entrata", "outcomes": "Esiti occupazionali",
        "network": "Posizione nella rete", "academies": "Fondazioni ITS", "courses": "Percorsi",
        "members_n": "Soci", "companies": "Imprese socie", "skills_n": "Competenze insegnate",
        "share": "Quota", "area": "Area tecnologica", "kind": "Tipo di socio",
        "section": "Sezione ATECO", "class": "Classe di competenze", "measure": "Misura",
        "taught": "Insegnate", "demanded": "Richieste dalle imprese",
        "gap": "Richieste e non insegnate", "country": "Paese", "participants": "Partecipanti",
        "outgoing": "In uscita", "incoming": "In entrata", "year": "Anno",
        "rate": "Occupati a 12 mesi / diplomati", "degree": "Fondazioni collegate (grado)",
        "strength": "Soci condivisi (forza)",
        "communities_of": "comunità (su quelle nazionali)",
        "betweenness": "Intermediazione (betweenness)", "community": "Comunità",
        "academy": "Fondazione", "national_mean": "Media nazionale",
        "DigitalSkill": "Digitali", "GreenSkill": "Verdi", "TransversalSkill": "Trasversali",
        "no_data": "Nessun dato per questa sezione nel grafo.",
        "s3_missing": "Il catalogo di questo grafo non ha ancora le query sulla S3 "
                      "(s3_priorities_without_academy, academies_outside_s3_priorities): "
                      "la sezione compare quando i dati S3 sono caricati.",
        "per_academy": "per fondazione", "distinct": "distinte, in totale", "scope": "Ambito",
        "areas_chart": "Fondazioni per area tecnologica (quota)",
        "kinds_chart": "Soci per tipo (quota)", "sectors_chart": "Imprese socie per sezione "
        "ATECO (quota)", "skills_chart": "Competenze insegnate e richieste per classe",
        "out_chart": "Partecipanti in uscita per paese di destinazione",
        "in_chart": "Partecipanti in entrata per paese di origine",
        "outcomes_chart": "Tasso di occupazione a 12 mesi per anno",
        "network_chart": "Soci condivisi con le altre fondazioni",
    },
    "en": {
        "italy": "Italy", "overview": "Academies and technological areas",
        "members": "Members by kind and sector", "skills": "Skills taught and demanded",
        "s3": "Smart-specialisation (S3) alignment",
        "mobility": "Mobility out and in", "outcomes": "Employment outcomes",
        "network": "Network position", "academies": "ITS Academies", "courses": "Courses",
        "members_n": "Members", "companies": "Member companies", "skills_n": "Skills taught",
        "share": "Share", "area": "Technological area", "kind": "Member kind",
        "section": "ATECO section", "class": "Skill class", "measure": "Measure",
        "taught": "Taught", "demanded": "Demanded by companies",
        "gap": "Demanded, not taught", "country": "Country", "participants": "Participants",
        "outgoing": "Outgoing", "incoming": "Incoming", "year": "Year",
        "rate": "Employed at 12 months / graduates", "degree": "Linked academies (degree)",
        "strength": "Shared members (strength)",
        "communities_of": "community (of the national ones)",
        "betweenness": "Brokerage (betweenness)", "community": "Community",
        "academy": "Academy", "national_mean": "National mean",
        "DigitalSkill": "Digital", "GreenSkill": "Green", "TransversalSkill": "Transversal",
        "no_data": "No data for this section in the graph.",
        "s3_missing": "This graph's catalogue has no S3 queries yet "
                      "(s3_priorities_without_academy, academies_outside_s3_priorities): "
                      "the section appears once S3 data are loaded.",
        "per_academy": "per academy", "distinct": "distinct, in all", "scope": "Scope",
        "areas_chart": "Academies by technological area (share)",
        "kinds_chart": "Members by kind (share)",
        "sectors_chart": "Member companies by ATECO section (share)",
        "skills_chart": "Skills taught and demanded by class",
        "out_chart": "Outgoing participants by destination country",
        "in_chart": "Incoming participants by country of origin",
        "outcomes_chart": "Employment rate at 12 months by year",
        "network_chart": "Members shared with the other academies",
    },
}


# ------------------------------------------------------------------ data classes
@dataclass
class Chart:
    """One chart: a Vega-Lite spec (data inline), its rows (CSV) and the layers it uses."""

    id: str
    title: str
    spec: dict[str, Any]
    rows: list[dict[str, Any]]
    layers: list[dict[str, str]]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "spec": self.spec, "rows": self.rows,
                "layers": self.layers}


@dataclass
class Section:
    """A titled part of a profile: key figures against the national ones, charts, a table."""

    id: str
    title: str
    figures: list[dict[str, Any]] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    table: dict[str, Any] | None = None
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "figures": self.figures,
                "charts": [c.to_json() for c in self.charts], "table": self.table,
                "note": self.note}


@dataclass
class Profile:
    """A region or academy profile in one language."""

    kind: str  # region | academy
    code: str
    iri: str
    name: str
    lang: str
    sections: list[Section]
    generated: str
    region: str | None = None  # for an academy: its region's code

    @property
    def layers(self) -> list[dict[str, str]]:
        seen: dict[str, dict[str, str]] = {}
        for s in self.sections:
            for c in s.charts:
                for lay in c.layers:
                    seen.setdefault(lay["id"], lay)
        return sorted(seen.values(), key=lambda lay: lay["id"])

    @property
    def synthetic(self) -> bool:
        return any(lay["kind"] == "synthetic" for lay in self.layers)

    def chart(self, chart_id: str) -> Chart | None:
        return next((c for s in self.sections for c in s.charts if c.id == chart_id), None)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "code": self.code, "iri": self.iri, "name": self.name,
                "lang": self.lang, "generated": self.generated, "region": self.region,
                "layers": self.layers, "synthetic": self.synthetic,
                "sections": [s.to_json() for s in self.sections]}


# ------------------------------------------------------------------ helpers
def _rows(st: KnowledgeStore, sparql: str) -> list[dict[str, Any]]:
    return [{k: (v.to_python() if v is not None else None) for k, v in r.items()}
            for r in st.select(PREFIXES + sparql)]


def _one(st: KnowledgeStore, sparql: str) -> float:
    rows = _rows(st, sparql)
    v = rows[0].get("n") if rows else None
    return float(v or 0)


def _labels(st: KnowledgeStore, iris: list[str], lang: str,
            prop: str = "skos:prefLabel") -> dict[str, str]:
    if not iris:
        return {}
    values = " ".join(f"<{i}>" for i in iris)
    rows = st.select(PREFIXES + f"SELECT ?s ?l WHERE {{ VALUES ?s {{ {values} }} ?s {prop} ?l }}")
    best: dict[str, tuple[int, str]] = {}
    for r in rows:
        s, lab = r["s"].value, r["l"]  # type: ignore[union-attr]
        rank = 0 if lab.lang == lang else 1 if lab.lang in (None, "") else 2  # type: ignore
        if s not in best or rank < best[s][0]:
            best[s] = (rank, lab.value)  # type: ignore[union-attr]
    return {s: v for s, (_, v) in best.items()}


_meta_lock = threading.Lock()
_cache: dict[tuple[Any, ...], Any] = {}


def _cached(st: KnowledgeStore, key: tuple[Any, ...], make: Any) -> Any:
    full = (str(st.root), st.generation, *key)
    with _meta_lock:
        if full in _cache:
            return _cache[full]
    value = make()
    with _meta_lock:
        if len(_cache) > 64:
            _cache.clear()
        _cache[full] = value
    return value


def _layers_of(st: KnowledgeStore, classes: tuple[str, ...]) -> list[dict[str, str]]:
    """The layers (id, kind real/synthetic, title) whose named graphs hold these classes."""
    def make() -> list[dict[str, str]]:
        values = " ".join(f"itskg:{c}" for c in classes)
        rows = _rows(st, f"""SELECT DISTINCT ?g ?id ?kind ?title WHERE {{
            {{ SELECT DISTINCT ?g WHERE {{ VALUES ?cls {{ {values} }} GRAPH ?g {{ ?x a ?cls }} }} }}
            OPTIONAL {{ GRAPH <{META_GRAPH}> {{ ?g dct:identifier ?id
                OPTIONAL {{ ?g dct:type ?kind }} OPTIONAL {{ ?g dct:title ?title }} }} }} }}""")
        out = {}
        for r in rows:
            lid = r.get("id") or str(r["g"]).rsplit("/", 1)[-1]
            kind = str(r.get("kind") or "").rsplit("/", 1)[-1] or "real"
            if lid == "inferred":
                continue
            out[lid] = {"id": lid, "kind": kind, "title": str(r.get("title") or lid)}
        return sorted(out.values(), key=lambda x: x["id"])
    return _cached(st, ("layers", classes), make)


def _pct(x: float, total: float) -> float:
    return round(x / total, 4) if total else 0.0


def _bar_compare(rows: list[dict[str, Any]], category: str, cat_title: str, value_title: str,
                 *, percent: bool = True) -> dict[str, Any]:
    """Grouped horizontal bars: one bar per scope (the place vs Italy) for each category."""
    return {
        "$schema": VEGA_LITE, "data": {"values": rows}, "width": 460,
        "height": {"step": 14}, "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {"field": category, "type": "nominal", "title": cat_title,
                  "sort": {"field": "value", "op": "max", "order": "descending"},
                  "axis": {"labelLimit": 220}},
            "x": {"field": "value", "type": "quantitative", "title": value_title,
                  **({"axis": {"format": ".0%"}} if percent else {})},
            "yOffset": {"field": "scope"},
            "color": {"field": "scope", "type": "nominal", "title": None,
                      "scale": {"range": ["#0b4f8a", "#b0b7bf"]},
                      "legend": {"orient": "bottom"}},
        },
    }


def _figure(label: str, value: float, national: float, *, unit: str = "",
            note: str = "") -> dict[str, Any]:
    return {"label": label, "value": value, "national": national, "unit": unit, "note": note}


# ------------------------------------------------------------------ facts per scope
class _Scope:
    """A graph pattern binding ?its to the academies of a scope."""

    def __init__(self, name: str, pattern: str, region: str | None = None,
                 academy: str | None = None):
        self.name, self.pattern, self.region, self.academy = name, pattern, region, academy


def _counts(st: KnowledgeStore, sc: _Scope) -> dict[str, float]:
    p = sc.pattern
    return {
        "academies": _one(st, f"SELECT (COUNT(DISTINCT ?its) AS ?n) WHERE {{ {p} }}"),
        "courses": _one(st, f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ {p} "
                            "?c elm:providedBy ?its }"),
        "members": _one(st, f"SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {{ {p} "
                            "?m itskg:memberOfFoundation ?its }"),
        "companies": _one(st, f"SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {{ {p} "
                              "?m itskg:memberOfFoundation ?its . ?m a itskg:Company }"),
        "skills": _one(st, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {p} "
                           "?c elm:providedBy ?its ; itskg:teachesSkill ?s }"),
    }


def _group(st: KnowledgeStore, sc: _Scope, body: str, key: str = "k",
           agg: str = "(COUNT(DISTINCT ?x) AS ?n)") -> dict[str, float]:
    rows = _rows(st, f"SELECT ?{key} {agg} WHERE {{ {sc.pattern} {body} }} GROUP BY ?{key}")
    return {str(r[key]): float(r["n"] or 0) for r in rows if r.get(key) is not None}


def _member_kinds(st: KnowledgeStore, sc: _Scope) -> dict[str, float]:
    raw = _group(st, sc, f"?x itskg:memberOfFoundation ?its ; a ?k "
                         f'FILTER(STRSTARTS(STR(?k), "{ONTOLOGY}"))')
    classes = list(raw)
    if not classes:
        return {}
    values = " ".join(f"<{c}>" for c in classes)
    supers = {str(r["sup"]) for r in _rows(st, f"""SELECT DISTINCT ?sup WHERE {{
        VALUES ?sub {{ {values} }} VALUES ?sup {{ {values} }}
        ?sub rdfs:subClassOf+ ?sup FILTER(?sub != ?sup) }}""")}
    return {k: v for k, v in raw.items() if k not in supers}


def _sectors(st: KnowledgeStore, sc: _Scope) -> dict[str, float]:
    """Member companies per ATECO 2025 section (the activity's top ancestor, a letter)."""
    def sections() -> dict[str, str]:
        rows = _rows(st, f"""SELECT ?act ?sec WHERE {{
            ?act skos:inScheme <{VOCAB}ateco2025> ; skos:broader+ ?sec .
            FILTER(REGEX(STRAFTER(STR(?sec), "/vocab/ateco2025/"), "^[A-Z]$")) }}""")
        out = {str(r["act"]): str(r["sec"]) for r in rows}
        out.update({sec: sec for sec in set(out.values())})
        return out
    top = _cached(st, ("ateco-sections",), sections)
    counts: dict[str, float] = {}
    for r in _rows(st, f"""SELECT DISTINCT ?x ?act WHERE {{ {sc.pattern}
            ?x itskg:memberOfFoundation ?its ; a itskg:Company ; itskg:primaryActivity ?act }}"""):
        sec = top.get(str(r["act"]))
        if sec:
            counts[sec] = counts.get(sec, 0) + 1
    return counts


def _skill_classes(st: KnowledgeStore) -> dict[str, set[str]]:
    """Skill IRIs per class (DigitalSkill, GreenSkill, TransversalSkill), once per generation."""
    def make() -> dict[str, set[str]]:
        out: dict[str, set[str]] = {k: set() for k in SKILL_CLASSES}
        kinds = " ".join(f"itskg:{k}" for k in SKILL_CLASSES)
        for r in _rows(st, f"SELECT ?k ?s WHERE {{ VALUES ?k {{ {kinds} }} ?s a ?k }}"):
            out[str(r["k"]).rsplit("#", 1)[-1]].add(str(r["s"]))
        return out
    return _cached(st, ("skill-classes",), make)


def _skill_sets(st: KnowledgeStore, sc: _Scope) -> tuple[dict[str, set[str]],
                                                          dict[str, set[str]]]:
    """(taught, demanded): per skill class, the skills the scope's courses teach and those
    its companies require (companies seated in the region; for an academy, its member
    companies; nationally, all companies)."""
    classes = _skill_classes(st)
    taught_all = {str(r["s"]) for r in _rows(st, f"""SELECT DISTINCT ?s WHERE {{ {sc.pattern}
            ?c elm:providedBy ?its ; itskg:teachesSkill ?s }}""")}
    if sc.region:  # companies seated in the region or one of its provinces (NUTS 3)
        where = (f"{{ BIND(<{sc.region}> AS ?p) }} UNION {{ ?p skos:broader <{sc.region}> }} "
                 "?co itskg:locatedInRegion ?p ; itskg:requiresSkill ?s .")
    elif sc.academy:
        where = f"?co itskg:memberOfFoundation <{sc.academy}> ; itskg:requiresSkill ?s ."
    else:
        where = "?co itskg:requiresSkill ?s ."
    demanded_all = {str(r["s"]) for r in _rows(st, f"SELECT DISTINCT ?s WHERE {{ {where} }}")}
    return ({k: taught_all & v for k, v in classes.items()},
            {k: demanded_all & v for k, v in classes.items()})


def _mobility(st: KnowledgeStore, sc: _Scope, direction: str) -> dict[str, float]:
    if direction == "out":
        body = ("?f itskg:sendingOrganisation ?its ; itskg:destinationCountry ?k ; "
                "itskg:participants ?v .")
    else:
        body = ("?f itskg:receivingOrganisation ?its ; itskg:originCountry ?k ; "
                "itskg:participants ?v .")
    return _group(st, sc, body, agg="(SUM(?v) AS ?n)")


def _outcomes(st: KnowledgeStore, sc: _Scope) -> dict[int, tuple[float, float]]:
    rows = _rows(st, f"""SELECT ?year (SUM(?g) AS ?grad) (SUM(?e) AS ?emp) WHERE {{ {sc.pattern}
        ?o itskg:refITS ?its ; itskg:year ?year ; itskg:graduates ?g ;
           itskg:employedAt12Months ?e }} GROUP BY ?year ORDER BY ?year""")
    return {int(str(r["year"])[:4]): (float(r["grad"] or 0), float(r["emp"] or 0)) for r in rows
            if r.get("year") is not None}


def _network(st: KnowledgeStore) -> dict[str, dict[str, Any]]:
    """Each academy's position in the academy-academy network, once per store generation.

    The network is the one declared in queries/projections/academy-academy.yaml (two
    academies are linked when an organisation sits on both foundations; weight = shared
    members), computed from the memberships by ``itskg.graph.analysis.positions``.
    """
    def make() -> dict[str, dict[str, Any]]:
        from itskg.graph.analysis.positions import academy_positions

        by_member: dict[str, list[str]] = {}
        for r in _rows(st, "SELECT DISTINCT ?m ?its WHERE { ?m itskg:memberOfFoundation ?its . "
                           "?its a itskg:ITSAcademy }"):
            by_member.setdefault(str(r["m"]), []).append(str(r["its"]))
        return academy_positions(by_member)
    return _cached(st, ("network",), make)


# ------------------------------------------------------------------ sections
def _share_rows(local: dict[str, float], national: dict[str, float], labels: dict[str, str],
                place: str, italy: str, cat: str, top: int | None = None) -> list[dict[str, Any]]:
    lt, nt = sum(local.values()), sum(national.values())
    keys = sorted(set(local) | set(national), key=lambda k: -(local.get(k, 0) / (lt or 1)))
    keys = [k for k in keys if local.get(k) or national.get(k)]
    if top:
        keys = keys[:top]
    rows = []
    for k in keys:
        rows.append({cat: labels.get(k, k.rsplit("/", 1)[-1].rsplit("#", 1)[-1]),
                     "code": k, "scope": place, "value": _pct(local.get(k, 0), lt),
                     "count": local.get(k, 0)})
        rows.append({cat: labels.get(k, k.rsplit("/", 1)[-1].rsplit("#", 1)[-1]),
                     "code": k, "scope": italy, "value": _pct(national.get(k, 0), nt),
                     "count": national.get(k, 0)})
    return rows


def _build(st: KnowledgeStore, kind: str, code: str, iri: str, name: str, sc: _Scope,
           lang: str, region_code: str | None) -> Profile:
    T = TEXT[lang]
    nat = _Scope("national", "?its a itskg:ITSAcademy .")
    italy = T["italy"]
    place = name if len(name) <= 40 else name[:38] + "…"
    sections: list[Section] = []
    n_local = _cached(st, ("counts", sc.pattern), lambda: _counts(st, sc))
    n_nat = _cached(st, ("counts", nat.pattern), lambda: _counts(st, nat))
    per = n_nat["academies"] or 1

    # 1. academies and areas
    s = Section("overview", T["overview"])
    local_n = n_local["academies"] or 1
    if kind == "region":
        s.figures.append(_figure(T["academies"], n_local["academies"], n_nat["academies"]))
    for key, label in (("courses", T["courses"]), ("members", T["members_n"]),
                       ("companies", T["companies"])):
        s.figures.append(_figure(label, round(n_local[key] / local_n, 1),
                                 round(n_nat[key] / per, 1), note=T["per_academy"]))
    s.figures.append(_figure(T["skills_n"], n_local["skills"], n_nat["skills"],
                             note=T["distinct"]))
    areas_local = _group(st, sc, f'?its itskg:technologicalArea ?k '
                                 f'FILTER(STRSTARTS(STR(?k), "{AREA23}"))', agg=
                         "(COUNT(DISTINCT ?its) AS ?n)")
    areas_nat = _cached(st, ("areas",), lambda: _group(
        st, nat, f'?its itskg:technologicalArea ?k FILTER(STRSTARTS(STR(?k), "{AREA23}"))',
        agg="(COUNT(DISTINCT ?its) AS ?n)"))
    labels = _labels(st, list(set(areas_local) | set(areas_nat)), lang)
    rows = _share_rows(areas_local, areas_nat, labels, place, italy, "area")
    if rows:
        s.charts.append(Chart("areas", T["areas_chart"],
                              _bar_compare(rows, "area", T["area"], T["share"]), rows,
                              _layers_of(st, ("ITSAcademy",))))
    sections.append(s)

    # 2. members by kind and sector
    s = Section("members", T["members"])
    kinds_local = _member_kinds(st, sc)
    kinds_nat = _cached(st, ("kinds",), lambda: _member_kinds(st, nat))
    labels = _labels(st, list(set(kinds_local) | set(kinds_nat)), lang, "rdfs:label")
    rows = _share_rows(kinds_local, kinds_nat, labels, place, italy, "kind")
    member_layers = _layers_of(st, ("FoundationMembership",))
    if rows:
        s.charts.append(Chart("member-kinds", T["kinds_chart"],
                              _bar_compare(rows, "kind", T["kind"], T["share"]), rows,
                              member_layers))
    sec_local = _sectors(st, sc)
    sec_nat = _cached(st, ("sectors",), lambda: _sectors(st, nat))
    labels = _labels(st, list(set(sec_local) | set(sec_nat)), lang)
    rows = _share_rows(sec_local, sec_nat, labels, place, italy, "section", top=12)
    if rows:
        s.charts.append(Chart("member-sectors", T["sectors_chart"],
                              _bar_compare(rows, "section", T["section"], T["share"]), rows,
                              _layers_of(st, ("FoundationMembership", "Company"))))
    if not s.charts:
        s.note = T["no_data"]
    sections.append(s)

    # 3. skills taught vs demanded
    s = Section("skills", T["skills"])
    taught, demanded = _skill_sets(st, sc)
    t_nat, d_nat = _cached(st, ("skills-nat",), lambda: _skill_sets(st, nat))
    rows = []
    all_taught = set().union(*taught.values()) or set()
    for k in SKILL_CLASSES:
        gap = demanded[k] - taught[k]
        for measure, value in ((T["taught"], len(taught[k])), (T["demanded"], len(demanded[k])),
                               (T["gap"], len(gap))):
            rows.append({"class": T[k], "measure": measure, "value": value})
        nat_all = set().union(*t_nat.values()) or {""}
        s.figures.append(_figure(f"{T[k]}: {T['share']} ({T['taught'].lower()})",
                                 _pct(len(taught[k]), len(all_taught) or 1),
                                 _pct(len(t_nat[k]), len(nat_all)), unit="%"))
    if any(r["value"] for r in rows):
        spec = {"$schema": VEGA_LITE, "data": {"values": rows}, "width": 460,
                "height": {"step": 16}, "mark": {"type": "bar", "tooltip": True},
                "encoding": {
                    "y": {"field": "class", "type": "nominal", "title": T["class"]},
                    "yOffset": {"field": "measure"},
                    "x": {"field": "value", "type": "quantitative", "title": T["skills_n"]},
                    "color": {"field": "measure", "type": "nominal", "title": None,
                              "scale": {"range": ["#0b4f8a", "#e08a00", "#a40e26"]},
                              "legend": {"orient": "bottom"}}}}
        s.charts.append(Chart("skills", T["skills_chart"], spec, rows,
                              _layers_of(st, ("Course", "Company"))))
    else:
        s.note = T["no_data"]
    sections.append(s)

    # 4. S3 alignment (only when the catalogue has the queries)
    sections.append(_s3_section(st, T, lang, region_code, iri if kind == "academy" else None))

    # 5. mobility
    s = Section("mobility", T["mobility"])
    out_l, in_l = _mobility(st, sc, "out"), _mobility(st, sc, "in")
    out_n = _cached(st, ("mob-out",), lambda: _mobility(st, nat, "out"))
    in_n = _cached(st, ("mob-in",), lambda: _mobility(st, nat, "in"))
    n_acad = n_local["academies"] or 1
    s.figures.append(_figure(f"{T['outgoing']} ({T['per_academy']})",
                             round(sum(out_l.values()) / n_acad, 1),
                             round(sum(out_n.values()) / per, 1)))
    s.figures.append(_figure(f"{T['incoming']} ({T['per_academy']})",
                             round(sum(in_l.values()) / n_acad, 1),
                             round(sum(in_n.values()) / per, 1)))
    mob_layers = _layers_of(st, ("MobilityFlow",))
    for cid, title, local, national in (("mobility-out", T["out_chart"], out_l, out_n),
                                        ("mobility-in", T["in_chart"], in_l, in_n)):
        if not local:
            continue
        labels = _labels(st, list(set(local) | set(national)), lang)
        rows = _share_rows(local, national, labels, place, italy, "country", top=10)
        s.charts.append(Chart(cid, title, _bar_compare(rows, "country", T["country"],
                                                       T["share"]), rows, mob_layers))
    if not s.charts:
        s.note = T["no_data"]
    sections.append(s)

    # 6. outcomes
    s = Section("outcomes", T["outcomes"])
    o_l = _outcomes(st, sc)
    o_n = _cached(st, ("outcomes",), lambda: _outcomes(st, nat))
    rows = []
    for year in sorted(set(o_l) | set(o_n)):
        for scope, data in ((place, o_l), (italy, o_n)):
            if year in data and data[year][0]:
                rows.append({"year": year, "scope": scope,
                             "value": _pct(data[year][1], data[year][0]),
                             "graduates": data[year][0], "employed": data[year][1]})
    if o_l:
        last = max(o_l)
        s.figures.append(_figure(f"{T['rate']} ({last})", _pct(o_l[last][1], o_l[last][0] or 1),
                                 _pct(o_n.get(last, (1, 0))[1], o_n.get(last, (1, 0))[0] or 1),
                                 unit="%"))
        spec = {"$schema": VEGA_LITE, "data": {"values": rows}, "width": 460, "height": 200,
                "mark": {"type": "line", "point": True, "tooltip": True},
                "encoding": {
                    "x": {"field": "year", "type": "ordinal", "title": T["year"]},
                    "y": {"field": "value", "type": "quantitative", "title": T["rate"],
                          "axis": {"format": ".0%"}, "scale": {"zero": False}},
                    "color": {"field": "scope", "type": "nominal", "title": None,
                              "scale": {"range": ["#0b4f8a", "#b0b7bf"]},
                              "legend": {"orient": "bottom"}}}}
        s.charts.append(Chart("outcomes", T["outcomes_chart"], spec, rows,
                              _layers_of(st, ("IndicatorObservation",))))
    else:
        s.note = T["no_data"]
    sections.append(s)

    # 7. network position
    sections.append(_network_section(st, T, sc, place, n_local))
    return Profile(kind=kind, code=code, iri=iri, name=name, lang=lang, sections=sections,
                   generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                   region=region_code)


def _s3_section(st: KnowledgeStore, T: dict[str, str], lang: str, region_code: str | None,
                academy: str | None) -> Section:
    from itskg.graph.sparql.catalogue import load_catalog, run_query

    s = Section("s3", T["s3"])
    cat = load_catalog()
    names = [n for n in S3_QUERIES if n in cat]
    if not names or region_code is None:
        s.note = T["s3_missing"]
        return s
    tables = []
    for name in names:
        q = cat[name]
        params = {"region": region_code} if q.param("region") else {}
        res = run_query(st, name, params, lang=lang, limit=200)
        vars_ = [v for v in res.variables if v != "lang" and not v.endswith("Label")
                 or v.endswith("Label")]
        rows = []
        for r in res.rows():
            row = {}
            for v in vars_:
                if v == "lang" or q.param(v) is not None:
                    continue
                t = r.get(v)
                row[v] = None if t is None else t.to_python()
            if academy and "academy" in row and row["academy"] != academy:
                continue
            rows.append(row)
        cols = [v for v in vars_ if v != "lang" and q.param(v) is None]
        tables.append({"query": name, "title": q.title[lang],
                       "columns": [{"name": c, "label": q.heading(c, lang)} for c in cols],
                       "rows": rows})
    s.table = {"tables": tables}
    return s


def _network_section(st: KnowledgeStore, T: dict[str, str], sc: _Scope, place: str,
                     n_local: dict[str, float]) -> Section:
    s = Section("network", T["network"])
    net = _network(st)
    mine = [str(r["its"]) for r in _rows(st, f"SELECT DISTINCT ?its WHERE {{ {sc.pattern} }}")]
    mine = [a for a in mine if a in net]
    if not net or not mine:
        s.note = T["no_data"]
        return s

    def mean(key: str, nodes: Any) -> float:
        vals = [float(v.get(key, 0)) for v in nodes]
        return sum(vals) / len(vals) if vals else 0.0

    local = [net[a] for a in mine]
    for key, digits in (("degree", 1), ("strength", 1), ("betweenness", 4)):
        s.figures.append(_figure(T[key], round(mean(key, local), digits),
                                 round(mean(key, net.values()), digits),
                                 note="" if len(local) == 1 else T["per_academy"]))
    comms = sorted({int(x["community"]) for x in local})
    s.figures.append({"label": T["community"], "value": ", ".join(map(str, comms)),
                      "national": len({v["community"] for v in net.values()}), "unit": "",
                      "note": T["communities_of"]})
    labels = _labels(st, mine, "it")
    short = {r["a"]: r["n"] for r in (
        {"a": str(x["a"]), "n": str(x["n"])} for x in _rows(st, "SELECT ?a ?n WHERE { VALUES ?a { "
        + " ".join(f"<{a}>" for a in mine) + " } ?a itskg:shortName ?n }"))}
    nat_strength = mean("strength", net.values())
    rows = [{"academy": short.get(a) or labels.get(a, a.rsplit("/", 1)[-1]),
             "strength": net[a]["strength"], "degree": net[a]["degree"],
             "betweenness": net[a]["betweenness"], "community": net[a]["community"],
             "national_mean": round(nat_strength, 1)} for a in mine]
    rows.sort(key=lambda r: -r["strength"])
    rows = rows[:30]
    spec = {"$schema": VEGA_LITE, "data": {"values": rows}, "width": 460,
            "height": {"step": 16},
            "layer": [
                {"mark": {"type": "bar", "tooltip": True},
                 "encoding": {
                     "y": {"field": "academy", "type": "nominal", "sort": "-x",
                           "title": T["academy"], "axis": {"labelLimit": 220}},
                     "x": {"field": "strength", "type": "quantitative", "title": T["strength"]},
                     "color": {"field": "community", "type": "nominal",
                               "title": T["community"], "legend": {"orient": "bottom"}}}},
                {"mark": {"type": "rule", "color": "#a40e26", "strokeDash": [4, 3],
                          "size": 2},
                 "encoding": {"x": {"aggregate": "max", "field": "national_mean",
                                    "type": "quantitative"}}}]}
    s.charts.append(Chart("network", f"{T['network_chart']} ({T['national_mean']}: "
                          f"{nat_strength:,.0f})", spec, rows,
                          _layers_of(st, ("FoundationMembership",))))
    return s


# ------------------------------------------------------------------ entry points
def warm(st: KnowledgeStore) -> None:
    """Compute the national figures (cached per generation) so that the first profile is fast."""
    region_profile(st, next(iter(_rows(st, "SELECT ?r WHERE { ?a itskg:seatRegion ?r } "
                                           "LIMIT 1")))["r"].rsplit("/", 1)[-1], "it")


def region_profile(st: KnowledgeStore, code: str, lang: str = "it") -> Profile:
    """The profile of the Italian NUTS 2 region ``code`` (e.g. ITH5) in ``lang`` (it/en).

    Raises UnknownProfileError naming the code when no ITS Academy has its seat there.
    """
    lang = lang if lang in TEXT else "it"
    code = code.strip().upper()
    iri = NUTS_CODE + code
    if not code.isalnum() or not st.ask(PREFIXES + f"ASK {{ ?a itskg:seatRegion <{iri}> }}"):
        raise UnknownProfileError(
            f"No ITS Academy has its seat in region {code!r}; give an Italian NUTS 2 code such "
            "as ITH5 (Emilia-Romagna).", [Problem(f"unknown region {code}")])
    name = _labels(st, [iri], lang).get(iri, code)
    sc = _Scope("region", f"?its a itskg:ITSAcademy ; itskg:seatRegion <{iri}> .", region=iri)
    return _build(st, "region", code, iri, name, sc, lang, code)


def academy_profile(st: KnowledgeStore, key: str, lang: str = "it") -> Profile:
    """The profile of the ITS Academy ``key`` (its IPA code, the last part of id/its/KEY).

    Raises UnknownProfileError naming the key when there is no such academy.
    """
    lang = lang if lang in TEXT else "it"
    key = key.strip()
    iri = key if key.startswith(DATA) else DATA + "its/" + key
    if not key.replace("-", "").replace("_", "").replace(".", "").isalnum() and \
            not key.startswith(DATA) or not st.ask(
            PREFIXES + f"ASK {{ <{iri}> a itskg:ITSAcademy }}"):
        raise UnknownProfileError(
            f"No ITS Academy {key!r}; use the key of /profiles or of id/its/KEY.",
            [Problem(f"unknown academy {key}")])
    names = _rows(st, f"""SELECT ?n ?r WHERE {{ OPTIONAL {{ <{iri}> itskg:shortName ?n }}
        OPTIONAL {{ <{iri}> itskg:seatRegion ?r }} }}""")
    name = str(names[0].get("n") or "") if names else ""
    name = name or _labels(st, [iri], lang).get(iri, key)
    region = str(names[0].get("r") or "") if names else ""
    region_code = region[len(NUTS_CODE):] if region.startswith(NUTS_CODE) else None
    sc = _Scope("academy", f"VALUES ?its {{ <{iri}> }} ?its a itskg:ITSAcademy .", academy=iri)
    return _build(st, "academy", iri.rsplit("/", 1)[-1], iri, name, sc, lang, region_code)
