"""Print the `#+ columns:` header lines a named query still lacks.

    python tools/column_labels.py            # every query of queries/ with unlabelled columns
    python tools/column_labels.py NAME ...   # just these

Labels already used for a variable of the same name elsewhere in the catalogue are proposed;
others are left as TODO. Paste the lines into the query's header (right after `#+ name:`) and
fix the TODOs; tests/queries/test_columns.py checks every projected variable has a heading.
"""

from __future__ import annotations

import sys

from itskg.graph.sparql.catalogue import load_catalog, projected_variables


def main(names: list[str]) -> int:
    cat = load_catalog()
    known: dict[str, dict[str, str]] = {}
    for q in cat.values():
        for c in q.columns:
            known.setdefault(c.name, c.label)
    todo = 0
    for q in cat.values():
        if names and q.name not in names:
            continue
        missing = [v for v in projected_variables(q) if v != "lang" and q.column(v) is None]
        if not missing:
            continue
        print(f"# queries/{q.name}.rq" + ("" if q.columns else "\n#+ columns:"))
        for v in missing:
            label = known.get(v, {"it": "TODO", "en": "TODO"})
            todo += label["it"] == "TODO"
            print(f'#+   {v}: {{it: "{label["it"]}", en: "{label["en"]}"}}')
    return 1 if todo else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
