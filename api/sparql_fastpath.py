"""The fast path of the SPARQL endpoint: ``GET /sparql?query=...`` without the router.

The commonest request of the endpoint (look-ups from YASGUI, SPARQLWrapper, scripts) is
answered by ``SparqlFastPath``, an ASGI middleware, with the very same work as the route
(``itskg.api.routes.sparql_protocol.answer_query``: limits, scan, negotiation, lane, the
worker), skipping FastAPI's routing, dependency solving and Request/Response objects. Measured
in process on a loaded 2-core machine (server CPU per look-up, the worker excluded): 607-829
us through the fast path against 679-874 us through the route, of which 260-420 us are the
executor's hand-off to the worker (issue 10, item 4; see "Read path benchmark").

Only a GET whose query string is exactly ``query=...`` takes it; anything else (POST,
updates, a dataset, ``format=``, the service description) goes to the route. Errors are
rendered in the one error shape (``itskg.api.http_errors``). It sits inside the request guard,
CORS and the per-client budget, so every limit, header and charge applies as before.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from itskg.api.http_errors import ProtocolError, error_headers, error_response, status_for
from itskg.api.routes.sparql_protocol import answer_query
from itskg.graph.config import Settings
from itskg.graph.errors import ItskgError
from itskg.graph.sparql.limits import QueryLimits

__all__ = ["SparqlFastPath"]


class SparqlFastPath:
    """ASGI middleware: see the module docstring."""

    def __init__(self, app: Any, settings: Settings) -> None:
        self.app = app
        self.limits = QueryLimits.from_settings(settings)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if (scope["type"] != "http" or scope["path"] != "/sparql" or scope["method"] != "GET"
                or not scope.get("query_string", b"").startswith(b"query=")):
            await self.app(scope, receive, send)
            return
        params = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        kg = getattr(scope["app"].state, "kg", None) if "app" in scope else None
        if len(params) != 1 or kg is None:
            await self.app(scope, receive, send)
            return
        accept = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"accept"),
                      None)
        try:
            res, extra = await answer_query(kg, params[0][1], self.limits, accept)
        except (ItskgError, ProtocolError) as err:
            await error_response(str(err), type(err).__name__, status_for(err),
                                 error_headers(err))(scope, receive, send)
            return
        headers = [(b"content-type", res.media_type.encode()),
                   (b"content-length", str(len(res.body)).encode())]
        headers += [(k.lower().encode(), v.encode()) for k, v in extra.items()]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": res.body})
