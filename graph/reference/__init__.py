"""Reference layers built in code from packaged classifications (ATECO from the ``ateco`` package).

The other reference data (NUTS, ITS Academies, networks) are Turtle files in ontology/vocab/ and
ontology/data/, written by tools/make_reference_data.py from shared/data/reference/*.csv.
"""

from __future__ import annotations

from itskg.graph.reference.ateco import ateco_layer

__all__ = ["ateco_layer"]
