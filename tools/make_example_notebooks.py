# ruff: noqa: E501  (notebook text is written as long Markdown lines)
"""Writes the notebooks of examples/ (run from the repository root:
``python tools/make_example_notebooks.py``). Edit the cells here, not in the .ipynb files, so
the notebooks stay small and reviewable; tests/examples/test_notebooks.py executes them."""
import nbformat as nbf
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def nb(cells):
    n = new_notebook(cells=cells)
    n.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    n.metadata["language_info"] = {"name": "python"}
    return n

def params(src):
    c = new_code_cell(src)
    c.metadata["tags"] = ["parameters"]
    return c

M, C = new_markdown_cell, new_code_cell
books = {}
books["01_sparql_endpoint_to_pandas.ipynb"] = nb([
    M("# The itskg SPARQL endpoint from Python\n\nAny SPARQL 1.1 client works against `itskg serve`. Here: SPARQLWrapper "
      "fetches JSON results and pandas turns them into a typed table.\n\nStart the server first: `itskg serve` "
      "(or `make run`). The next cell holds the endpoint address (the test suite sets it to its own server)."),
    params('ENDPOINT = "http://127.0.0.1:8000/sparql"'),
    C('''import pandas as pd
from SPARQLWrapper import JSON, SPARQLWrapper


def select(query: str) -> pd.DataFrame:
    """Run a SELECT query at ENDPOINT; numbers become numbers, the rest text."""
    sw = SPARQLWrapper(ENDPOINT)
    sw.setQuery(query)
    sw.setReturnFormat(JSON)
    res = sw.query().convert()
    cols = res["head"]["vars"]
    rows = [{c: b.get(c, {}).get("value") for c in cols} for b in res["results"]["bindings"]]
    df = pd.DataFrame(rows, columns=cols)
    for c in cols:  # numeric literals come back as text in SPARQL JSON
        numbers = pd.to_numeric(df[c], errors="coerce")
        if numbers.notna().all():
            df[c] = numbers
    return df'''),
    M("ITS Academies per region: the `itskg:` and `skos:` prefixes are predeclared by the endpoint, "
      "but a portable query declares them."),
    C('''academies = select("""
PREFIX itskg: <https://w3id.org/itskg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?region (COUNT(?a) AS ?academies) WHERE {
  ?a a itskg:ITSAcademy ; itskg:seatRegion/skos:prefLabel ?region
  FILTER(lang(?region) = "it" || lang(?region) = "")
} GROUP BY ?region ORDER BY DESC(?academies)""")
academies.head(10)'''),
    C('''assert len(academies) >= 15 and academies["academies"].sum() >= 100
academies["academies"].describe()'''),
])
books["02_named_queries_with_the_client.ipynb"] = nb([
    M("# Named queries with the Python client\n\n`itskg.graph.client.Client` runs the catalogue's named, "
      "parameterised queries and returns typed pandas DataFrames, from a local store or any SPARQL endpoint. "
      "Column headings can come from the query's own Italian/English labels (`#+ columns:` in each `.rq`)."),
    params('STORE = "~/.local/share/itskg/store"'),
    C('''from itskg.graph.client import Client
from itskg.graph.sparql.catalogue import get_query

kg = Client(STORE)
profile = kg.run("regional_profile", lang="en")
profile.head()'''),
    M("Rename the columns with the query's English headings:"),
    C('''q = get_query("regional_profile")
readable = profile.rename(columns={c: q.heading(c, "en") for c in profile.columns})
readable.sort_values("Member companies", ascending=False).head(8)'''),
    C('''ith5 = kg.run("academies_by_region", lang="en", region="ITH5")
assert len(ith5) == 7  # the seven Emilia-Romagna foundations of the reference layer
ith5[["academyLabel", "province", "areas"]]'''),
    C("kg.close()"),
])
books["03_network_study_with_networkx.ipynb"] = nb([
    M("# A network study with networkx\n\nWhich academies share the most members, and which organisations "
      "bridge foundations? `build_graph` turns a declared projection (`queries/projections/*.yaml`) into a "
      "networkx graph; from there any networkx algorithm applies."),
    params('STORE = "~/.local/share/itskg/store"'),
    C('''import networkx as nx
from networkx.algorithms import bipartite

from itskg.graph.analysis.extract import build_graph
from itskg.graph.store import KnowledgeStore

with KnowledgeStore.open(STORE) as st:
    B = build_graph(st, "academy-company")
print(B)
academies = {n for n, d in B.nodes(data=True) if d.get("kind") == "academy"}
len(academies)'''),
    M("Project the bipartite graph onto the academies (weight = shared members) and rank them:"),
    C('''A = bipartite.weighted_projected_graph(B, academies)
strength = dict(A.degree(weight="weight"))
top = sorted(strength.items(), key=lambda kv: -kv[1])[:5]
[(B.nodes[n].get("label", n)[:60], s) for n, s in top]'''),
    M("Organisations on several foundations are the brokers between them:"),
    C('''members = [n for n in B if n not in academies]
bridges = sorted(members, key=B.degree, reverse=True)[:5]
assert bridges and B.degree(bridges[0]) >= 1
[(B.nodes[n].get("label", n)[:50], B.degree(n)) for n in bridges]'''),
    C('''communities = nx.community.louvain_communities(A, weight="weight", seed=1)
print(len(communities), "communities; modularity",
      round(nx.community.modularity(A, communities, weight="weight"), 3))'''),
])
books["04_region_chart.ipynb"] = nb([
    M("# A chart of a region against Italy\n\nThe region profile (the same object as the web page "
      "`/profiles/region/ITH5` and `itskg report region ITH5`) carries its figures and chart data; "
      "here matplotlib draws one of them."),
    params('STORE = "~/.local/share/itskg/store"\nREGION = "ITH5"'),
    C('''import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from itskg.graph.reports import region_profile
from itskg.graph.store import KnowledgeStore

with KnowledgeStore.open(STORE) as st:
    p = region_profile(st, REGION, lang="en")
[(s.title, len(s.charts)) for s in p.sections]'''),
    C('''chart = p.chart("areas")
df = pd.DataFrame(chart.rows).pivot(index="area", columns="scope", values="value")
ax = df.sort_values(df.columns[0]).plot.barh(figsize=(7, 4), title=chart.title)
ax.set_xlabel("share of academies")
plt.tight_layout()
print("layers:", [layer["id"] + " (" + layer["kind"] + ")" for layer in chart.layers])
assert len(df) >= 3'''),
])
for name, book in books.items():
    nbf.write(book, f"examples/{name}")
print("ok")
