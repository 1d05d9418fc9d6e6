"""HTTP errors: one JSON shape for every error, and the one table from itskg errors to statuses.

Every error response of the API has the body::

    {"ok": false, "error": "<message a user can act on>", "type": "<ClassName>", "status": N}

``ItskgError`` subclasses get their status from ``STATUS`` (most specific class wins);
protocol problems that only exist over HTTP (406, 415, 405, ...) are ``ProtocolError``
subclasses defined here; Starlette's own HTTP errors (404 route not found, ...) and request
validation errors are rendered in the same shape.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from itskg.graph.errors import (
    AnalysisError,
    ConfigError,
    DataError,
    ElmError,
    ItskgError,
    OntologyError,
    QueryError,
    QueryParameterError,
    QueryRefusedError,
    QuerySyntaxError,
    QueryTimeoutError,
    StoreError,
    StoreLockedError,
    UnknownProfileError,
    UnknownQualificationError,
    UnknownQueryError,
)

__all__ = [
    "STATUS",
    "MalformedRequestError",
    "MethodNotAllowedError",
    "NotAcceptableError",
    "NotFoundError",
    "ProtocolError",
    "UnsupportedMediaTypeError",
    "UpdateNotSupportedError",
    "error_response",
    "install_error_handlers",
    "status_for",
]

log = logging.getLogger(__name__)

#: itskg error class -> HTTP status. A query timeout is 503 (as Fuseki answers), not 504:
#: no gateway is involved, the service itself gave up on the request.
STATUS: dict[type[ItskgError], int] = {
    ItskgError: 500,
    ConfigError: 500,
    OntologyError: 500,
    StoreError: 503,
    StoreLockedError: 503,
    DataError: 422,
    QueryError: 500,
    QuerySyntaxError: 400,
    QueryParameterError: 400,
    QueryRefusedError: 403,
    QueryTimeoutError: 503,
    UnknownQueryError: 404,
    AnalysisError: 422,
    ElmError: 422,
    UnknownQualificationError: 404,
    UnknownProfileError: 404,
}


class ProtocolError(Exception):
    """A request that breaks the HTTP or SPARQL protocol; ``status`` is its HTTP status."""

    status = 400

    def __init__(self, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.headers = headers or {}


class MalformedRequestError(ProtocolError):
    """The request has no query, two queries, both a query and an update, ..."""


class NotAcceptableError(ProtocolError):
    """No result format the client accepts fits the query (406)."""

    status = 406


class UnsupportedMediaTypeError(ProtocolError):
    """The POST body has a content type the SPARQL protocol does not define (415)."""

    status = 415


class MethodNotAllowedError(ProtocolError):
    """The HTTP method is not GET or POST (405)."""

    status = 405


class NotFoundError(ProtocolError):
    """A page-data resource that does not exist (404): an unknown pick-list or map indicator."""

    status = 404


class UpdateNotSupportedError(ProtocolError):
    """An authorised SPARQL Update uses an operation the immutable store cannot apply (501)."""

    status = 501


def status_for(exc: BaseException) -> int:
    """The HTTP status of an exception (500 for anything unexpected)."""
    if isinstance(exc, ProtocolError):
        return exc.status
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]  # type: ignore[index]
    return 500


def error_response(message: str, type_name: str, status: int,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"ok": False, "error": message, "type": type_name, "status": status}
    return JSONResponse(body, status_code=status, headers=headers)


async def _itskg_handler(_request: Request, exc: Exception) -> JSONResponse:
    headers = getattr(exc, "headers", None)
    if isinstance(exc, QueryTimeoutError | StoreLockedError):
        headers = {"Retry-After": "5"}
    return error_response(str(exc), type(exc).__name__, status_for(exc), headers)


async def _http_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return error_response(str(exc.detail), "HTTPError", exc.status_code,
                          dict(exc.headers or {}))


async def _validation_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    parts: list[Any] = [
        f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()
    ]
    return error_response("; ".join(parts) or "Invalid request", "RequestValidationError", 422)


async def _unexpected_handler(_request: Request, exc: Exception) -> JSONResponse:
    log.error("unexpected error", exc_info=exc)
    return error_response(f"Internal error ({type(exc).__name__}); see the server log.",
                          type(exc).__name__, 500)


def install_error_handlers(app: FastAPI) -> None:
    """Render every error in the one JSON shape."""
    app.add_exception_handler(Exception, _unexpected_handler)
    app.add_exception_handler(ItskgError, _itskg_handler)
    app.add_exception_handler(ProtocolError, _itskg_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
