"""Italian and English strings of the web explorer, the page language, and label choice.

The language of a page comes from ``?lang=it|en`` (remembered in the ``itskg_lang`` cookie),
else the cookie, else the browser's Accept-Language, else Italian. Every visible string of
the templates goes through ``t(key)``; a key missing in one language falls back to the other,
and a key missing in both shows itself (so a gap is visible, never an empty label).

``pick_label`` applies the same rule to RDF labels: the page language, else the other
language, else a label without a language tag, else any label.
"""

from __future__ import annotations

from starlette.requests import Request

from itskg.graph.reports.readings import pick_label  # the library picks labels too

__all__ = ["COOKIE", "LANGS", "STRINGS", "page_lang", "pick_label", "t"]

LANGS = ("it", "en")
COOKIE = "itskg_lang"

STRINGS: dict[str, dict[str, str]] = {
    "site.title": {"it": "itskg: grafo dell'ecosistema ITS Academy",
                   "en": "itskg: ITS Academy ecosystem graph"},
    "site.skip": {"it": "Vai al contenuto", "en": "Skip to content"},
    "site.lang": {"it": "Lingua", "en": "Language"},
    "site.footer": {
        "it": "Dati: strati reali (fonti aperte) e sintetici (marcati come tali). "
              "Licenze e provenienza per strato nella pagina iniziale.",
        "en": "Data: real layers (open sources) and synthetic ones (marked as such). "
              "Licences and provenance per layer on the home page."},
    "nav.home": {"it": "Inizio", "en": "Home"},
    "nav.questions": {"it": "Domande", "en": "Questions"},
    "nav.editor": {"it": "SPARQL", "en": "SPARQL"},
    "nav.network": {"it": "Reti", "en": "Networks"},
    "nav.map": {"it": "Mappa", "en": "Map"},
    "nav.ontology": {"it": "Ontologia", "en": "Ontology"},
    "nav.api": {"it": "API", "en": "API"},
    "nav.main": {"it": "Navigazione principale", "en": "Main navigation"},
    # home
    "home.intro": {
        "it": "Un grafo della conoscenza aperto sulle fondazioni ITS Academy italiane: soci, "
              "percorsi, competenze ESCO, collaborazioni con le imprese, mobilità e esiti.",
        "en": "An open knowledge graph of the Italian ITS Academy foundations: members, "
              "courses, ESCO skills, company collaborations, mobility and outcomes."},
    "home.ask": {"it": "Domande frequenti", "en": "Questions people ask"},
    "home.holds": {"it": "Cosa contiene il grafo", "en": "What the graph holds"},
    "home.by_class": {"it": "Risorse per classe", "en": "Resources by class"},
    "home.by_layer": {"it": "Strati di dati", "en": "Data layers"},
    "home.class": {"it": "Classe", "en": "Class"},
    "home.real": {"it": "Reali", "en": "Real"},
    "home.synthetic": {"it": "Sintetici", "en": "Synthetic"},
    "home.layer": {"it": "Strato", "en": "Layer"},
    "home.kind": {"it": "Tipo", "en": "Kind"},
    "home.triples": {"it": "Triple", "en": "Triples"},
    "home.licence": {"it": "Licenza", "en": "Licence"},
    "home.synthetic_note": {
        "it": "Attenzione: i dati marcati «sintetici» sono generati per provare gli strumenti "
              "e non descrivono fondazioni o imprese reali.",
        "en": "Note: data marked “synthetic” is generated to exercise the tools and does not "
              "describe real foundations or companies."},
    "q.bridges": {"it": "Quali imprese collegano fondazioni ITS di regioni diverse?",
                  "en": "Which companies bridge ITS foundations across regions?"},
    "q.brokers": {"it": "Chi fa da ponte nella rete fondazioni-soci?",
                  "en": "Who brokers the academy-member network?"},
    "q.gaps": {"it": "Quali regioni mancano di competenze digitali?",
               "en": "Which regions lack digital skills?"},
    "q.profile": {"it": "Quota di competenze digitali, green e trasversali per fondazione",
                  "en": "Share of digital, green and transversal skills per academy"},
    "q.regions": {"it": "Profilo regionale dell'ecosistema ITS",
                  "en": "Regional profile of the ITS ecosystem"},
    "q.map_digital": {"it": "Mappa: quota di competenze digitali per regione",
                      "en": "Map: digital share of skills taught per region"},
    "q.outcomes": {"it": "Occupazione a 12 mesi per area e regione",
                   "en": "Employment at 12 months by area and region"},
    "q.mobility": {"it": "Dove vanno gli studenti in mobilità all'estero?",
                   "en": "Where do learners go abroad?"},
    # questions
    "questions.title": {"it": "Domande al grafo", "en": "Questions to the graph"},
    "questions.intro": {
        "it": "Ogni domanda è una query SPARQL con parametri. Compila il modulo, guarda i "
              "risultati, scaricali in CSV o JSON.",
        "en": "Each question is a SPARQL query with parameters. Fill in the form, look at the "
              "results, download them as CSV or JSON."},
    "questions.run": {"it": "Esegui", "en": "Run"},
    "questions.any": {"it": "(tutti)", "en": "(any)"},
    "questions.required": {"it": "obbligatorio", "en": "required"},
    "questions.results": {"it": "Risultati", "en": "Results"},
    "questions.rows": {"it": "righe", "en": "rows"},
    "questions.running": {"it": "Esecuzione in corso…", "en": "Running…"},
    "questions.none": {"it": "Nessun risultato.", "en": "No results."},
    "questions.download": {"it": "Scarica", "en": "Download"},
    "questions.sparql": {"it": "La query SPARQL", "en": "The SPARQL query"},
    "questions.in_editor": {"it": "Apri nell'editor SPARQL", "en": "Open in the SPARQL editor"},
    "questions.params": {"it": "Parametri", "en": "Parameters"},
    "questions.noparams": {"it": "Questa domanda non ha parametri.",
                           "en": "This question has no parameters."},
    "questions.all": {"it": "Tutte le domande", "en": "All questions"},
    "questions.error": {"it": "Errore", "en": "Error"},
    "questions.noscript": {"it": "I risultati richiedono JavaScript; usa i link di download.",
                           "en": "Results need JavaScript; use the download links."},
    # editor
    "editor.title": {"it": "Editor SPARQL", "en": "SPARQL editor"},
    "editor.intro": {
        "it": "Interroga l'endpoint /sparql. Le query del catalogo sono pronte come schede; i "
              "prefissi del progetto sono già dichiarati. Il pulsante di condivisione crea un "
              "link alla query.",
        "en": "Query the /sparql endpoint. The catalogue's queries are ready as tabs; the "
              "project's prefixes are declared. The share button makes a link to the query."},
    "editor.open": {"it": "Apri una query del catalogo in una nuova scheda",
                    "en": "Open a catalogue query in a new tab"},
    "editor.missing": {
        "it": "L'editor YASGUI non è installato su questo server: esegui "
              "'bash tools/install_browser.sh' (o 'npm ci --prefix web').",
        "en": "The YASGUI editor is not installed on this server: run "
              "'bash tools/install_browser.sh' (or 'npm ci --prefix web')."},
    # network
    "network.title": {"it": "Esplora le reti", "en": "Network explorer"},
    "network.projection": {"it": "Rete", "en": "Network"},
    "network.region": {"it": "Regione", "en": "Region"},
    "network.area": {"it": "Area tecnologica", "en": "Technological area"},
    "network.sector": {"it": "Settore ATECO", "en": "ATECO sector"},
    "network.year": {"it": "Anno", "en": "Year"},
    "network.real": {"it": "Solo dati reali", "en": "Real data only"},
    "network.metric": {"it": "Dimensione dei nodi", "en": "Node size"},
    "network.search": {"it": "Cerca un nodo", "en": "Find a node"},
    "network.draw": {"it": "Disegna", "en": "Draw"},
    "network.export": {"it": "Esporta", "en": "Export"},
    "network.node": {"it": "Nodo selezionato", "en": "Selected node"},
    "network.open": {"it": "Apri la scheda", "en": "Open its page"},
    "network.click": {"it": "Clicca un nodo per vederne le metriche.",
                      "en": "Click a node to see its metrics."},
    "network.unavailable": {
        "it": "L'analisi di rete non è disponibile su questo server (manca /api/network).",
        "en": "Network analysis is not available on this server (/api/network is missing)."},
    "network.summarised": {
        "it": "Rete grande: sono disegnati solo i nodi più importanti.",
        "en": "Large network: only the most important nodes are drawn."},
    "network.loading": {"it": "Calcolo della rete…", "en": "Computing the network…"},
    "network.nodes": {"it": "nodi", "en": "nodes"},
    "network.edges": {"it": "archi", "en": "edges"},
    "network.communities": {"it": "comunità", "en": "communities"},
    "network.community": {"it": "Comunità", "en": "Community"},
    # map
    "map.title": {"it": "Mappa", "en": "Map"},
    "map.indicator": {"it": "Indicatore", "en": "Indicator"},
    "map.level": {"it": "Livello", "en": "Level"},
    "level.region": {"it": "Regioni (NUTS 2)", "en": "Regions (NUTS 2)"},
    "level.province": {"it": "Province (NUTS 3)", "en": "Provinces (NUTS 3)"},
    "level.country": {"it": "Paesi (mondo)", "en": "Countries (world)"},
    "map.region": {"it": "Area", "en": "Area"},
    "map.value": {"it": "Valore", "en": "Value"},
    "map.nodata": {"it": "nessun dato", "en": "no data"},
    "map.alt": {"it": "Mappa colorata per indicatore", "en": "Map coloured by indicator"},
    "map.trentino": {
        "it": "Trentino-Alto Adige è mostrato come le sue due unità NUTS 2: ITH1 (Bolzano) e "
              "ITH2 (Trento), ottenute unendo le province ISTAT.",
        "en": "Trentino-Alto Adige is shown as its two NUTS 2 units, ITH1 (Bolzano) and ITH2 "
              "(Trento), dissolved from ISTAT's provinces."},
    "map.attribution": {
        "it": "Confini: ISTAT (confini amministrativi, giugno 2023), TopoJSON di openpolis, "
              "licenza CC BY 4.0. Mondo: Natural Earth (pubblico dominio) via world-atlas.",
        "en": "Boundaries: ISTAT (administrative boundaries, June 2023), TopoJSON by "
              "openpolis, licensed CC BY 4.0. World: Natural Earth (public domain) via "
              "world-atlas."},
    "map.missing": {
        "it": "Le librerie della mappa non sono installate: esegui 'npm ci --prefix web'.",
        "en": "The map libraries are not installed: run 'npm ci --prefix web'."},
    "map.nogeometry": {
        "it": "I confini ISTAT non sono stati trovati: imposta ITSKG_GEO_DIR sulla cartella "
              "di limits_IT_provinces.topo.json (shared/data/geo del progetto).",
        "en": "The ISTAT boundaries were not found: set ITSKG_GEO_DIR to the folder of "
              "limits_IT_provinces.topo.json (the project's shared/data/geo)."},
    "ind.academies": {"it": "Fondazioni ITS", "en": "ITS Academies"},
    "ind.courses": {"it": "Percorsi", "en": "Courses"},
    "ind.members": {"it": "Soci delle fondazioni", "en": "Foundation members"},
    "ind.companies": {"it": "Imprese socie", "en": "Member companies"},
    "ind.skills": {"it": "Competenze distinte insegnate", "en": "Distinct skills taught"},
    "ind.digital_share": {"it": "Quota di competenze digitali insegnate (%)",
                          "en": "Digital share of skills taught (%)"},
    "ind.green_share": {"it": "Quota di competenze green insegnate (%)",
                        "en": "Green share of skills taught (%)"},
    "ind.digital_gaps": {"it": "Competenze digitali richieste e non insegnate",
                         "en": "Digital skills required but not taught"},
    "ind.mobility_out": {"it": "Partecipanti in mobilità in uscita",
                         "en": "Outgoing mobility participants"},
    "ind.employment": {"it": "Occupati a 12 mesi sui diplomati (%)",
                       "en": "Employed at 12 months per graduate (%)"},
    "ind.s3_priorities": {"it": "Ambiti prioritari S3 (nessun dato: S3 non caricata)",
                          "en": "S3 priority domains (no data: S3 not loaded)"},
    "ind.s3_uncovered": {"it": "Ambiti S3 senza ITS in un'area corrispondente",
                         "en": "S3 domains with no ITS in a matching area"},
    "ind.territorial_gaps": {"it": "Imprese di settori ITS in province senza sede ITS",
                             "en": "Companies in ITS sectors in provinces with no ITS seat"},
    "ind.mobility_destinations": {"it": "Partecipanti in mobilità per paese di destinazione",
                                  "en": "Mobility participants by destination country"},
    "ind.project_partners": {"it": "Partner esteri in progetti UE con partecipanti italiani",
                             "en": "Foreign partners in EU projects with Italian participants"},
    # resources
    "res.types": {"it": "Tipi", "en": "Types"},
    "res.properties": {"it": "Proprietà", "en": "Properties"},
    "res.inverse": {"it": "Riferita da", "en": "Referenced by"},
    "res.more": {"it": "altri", "en": "more"},
    "res.all": {"it": "mostra tutti", "en": "show all"},
    "res.layers": {"it": "Strati", "en": "Layers"},
    "res.synthetic": {"it": "dato sintetico", "en": "synthetic data"},
    "res.inferred": {"it": "dedotto", "en": "inferred"},
    "res.formats": {"it": "Altri formati", "en": "Other formats"},
    "res.notfound": {"it": "Risorsa sconosciuta", "en": "Unknown resource"},
    "res.notfound_text": {
        "it": "Il grafo non contiene triple su questa IRI.",
        "en": "The graph holds no triple about this IRI."},
    "res.external": {"it": "IRI originale", "en": "Original IRI"},
    "res.truncated": {"it": "Elenco troncato", "en": "List truncated"},
    "res.property": {"it": "Proprietà", "en": "Property"},
    "res.value": {"it": "Valore", "en": "Value"},
    "res.page": {"it": "Pagina", "en": "Page"},
    "res.next": {"it": "Successivi", "en": "Next"},
    "res.back": {"it": "Torna alla scheda", "en": "Back to the resource"},
    "onto.title": {"it": "Ontologia itskg", "en": "The itskg ontology"},
    "onto.classes": {"it": "Classi", "en": "Classes"},
    "onto.objprops": {"it": "Proprietà di oggetto", "en": "Object properties"},
    "onto.dataprops": {"it": "Proprietà di dato", "en": "Datatype properties"},
    "onto.superclass": {"it": "Sottoclasse di", "en": "Subclass of"},
    "onto.subproperty": {"it": "Sottoproprietà di", "en": "Subproperty of"},
    "onto.domain": {"it": "Dominio", "en": "Domain"},
    "onto.range": {"it": "Codominio", "en": "Range"},
    "onto.usage": {"it": "Uso nel grafo", "en": "Usage in the graph"},
    "err.title": {"it": "Errore", "en": "Error"},
    # ---- profiles and reports (issue 14)
    "nav.profiles": {"it": "Profili", "en": "Profiles"},
    "network.colour": {"it": "Colore per", "en": "Colour by"},
    "network.threshold": {"it": "Legami con peso almeno", "en": "Ties with weight at least"},
    "network.shown": {"it": "legami mostrati su", "en": "ties shown of"},
    "network.legend": {"it": "Legenda", "en": "Legend"},
    "network.ties": {"it": "Legami più forti", "en": "Strongest ties"},
    "questions.chart_top": {"it": "Il grafico mostra le prime N righe.",
                            "en": "The chart shows the first N rows."},
    "prof.title": {"it": "Profili di regioni e fondazioni", "en": "Region and academy profiles"},
    "prof.lead": {"it": "Per ogni regione (NUTS 2) e fondazione ITS: aree, soci, competenze, "
                        "S3, mobilità, esiti e posizione nella rete, a confronto con l'Italia.",
                  "en": "For each region (NUTS 2) and ITS Academy: areas, members, skills, S3, "
                        "mobility, outcomes and network position, against the national figures."},
    "prof.regions": {"it": "Regioni", "en": "Regions"},
    "prof.academies": {"it": "Fondazioni", "en": "Academies"},
    "prof.region": {"it": "Profilo regionale", "en": "Regional profile"},
    "prof.academy": {"it": "Profilo della fondazione", "en": "Academy profile"},
    "prof.figure": {"it": "Indicatore", "en": "Figure"},
    "prof.here": {"it": "Qui", "en": "Here"},
    "prof.national": {"it": "Italia", "en": "Italy"},
    "prof.layers": {"it": "Dati da", "en": "Data from"},
    "prof.synthetic_warning": {
        "it": "Questo profilo usa anche dati sintetici (generati per dimostrazione): non "
              "descrivono la realtà.",
        "en": "This profile also draws on synthetic data (generated for demonstration): they "
              "do not describe reality."},
    "prof.download": {"it": "Scarica", "en": "Download"},
    "prof.data_csv": {"it": "dati (CSV)", "en": "data (CSV)"},
    "prof.report_html": {"it": "Rapporto HTML", "en": "HTML report"},
    "prof.report_pdf": {"it": "Rapporto PDF", "en": "PDF report"},
    "prof.json": {"it": "JSON", "en": "JSON"},
    "prof.generated": {"it": "Generato il", "en": "Generated"},
    "prof.noscript": {"it": "I grafici richiedono JavaScript; i dati sono scaricabili in CSV.",
                      "en": "The charts need JavaScript; their data download as CSV."},
    "prof.contents": {"it": "Sommario", "en": "Contents"},
    "prof.in_region": {"it": "Regione", "en": "Region"},
    "prof.chart_failed": {"it": "Il grafico non è stato disegnato",
                          "en": "The chart was not drawn"},
}


def t(key: str, lang: str) -> str:
    """The string ``key`` in ``lang`` (falls back to the other language, then to the key)."""
    entry = STRINGS.get(key)
    if not entry:
        return key
    return entry.get(lang) or next(iter(entry.values()))


def page_lang(request: Request) -> str:
    """The page language: ?lang=, else the cookie, else Accept-Language, else Italian."""
    for value in (request.query_params.get("lang"), request.cookies.get(COOKIE)):
        if value in LANGS:
            return value
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGS:
            return code
    return "it"
