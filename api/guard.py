"""HTTP hygiene in front of every route: request limits, HEAD, security headers, scoped CORS.

``RequestGuard`` is one pure ASGI middleware (no per-request Starlette objects, so it costs a
few microseconds). In order, for every HTTP request it:

1. refuses a request target longer than ``max_url_bytes`` (414), request headers larger than
   ``max_header_bytes`` in total (431) and a declared ``Content-Length`` above
   ``max_body_bytes`` (413) before the application sees anything;
2. wraps ``receive`` so that a body that grows past ``max_body_bytes`` while it streams
   (chunked uploads) is refused with 413, and a body not complete within ``body_timeout``
   seconds (slow-body "slowloris" uploads) with 408;
3. answers ``HEAD`` wherever ``GET`` works: the request runs as GET and the body is dropped,
   headers (Content-Length included) are kept, as RFC 9110 section 9.3.2 asks;
4. adds ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy`` to every response and, to
   HTML responses, a Content-Security-Policy (no inline or eval'd script: every page script
   is a file under /static or /vendor), ``X-Frame-Options: DENY`` and
   ``Cross-Origin-Opener-Policy``. Swagger UI at /docs has one inline script; its sha256 is
   allowed on that page only (``csp_for``).

CORS is applied only to the machine surfaces (``/sparql``, ``/api/``, ``/.well-known/``,
``/openapi.json``) by ``ScopedCORS``; HTML pages never carry ``Access-Control-Allow-Origin``.

Every refusal names the limit and the setting that raises it, in the API's one JSON error
shape (``itskg.api.http_errors``).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.middleware.cors import CORSMiddleware

from itskg.api.http_errors import ProtocolError
from itskg.graph.config import Settings

__all__ = [
    "CORS_PREFIXES",
    "CSP",
    "BodyTooLargeError",
    "RequestGuard",
    "ScopedCORS",
    "SlowBodyError",
    "client_key",
    "csp_for",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Content-Security-Policy of every HTML page. Measured in Chromium on every explorer page
#: (tests/web/test_csp.py): scripts only from this origin (YASGUI, Cytoscape, the map and the
#: page scripts are files); style attributes are set by YASGUI and CodeMirror at run time,
#: so styles need 'unsafe-inline' (styles cannot run code); images may be data: URIs
#: (YASGUI icons); fetches only to this origin.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
       "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
REFERRER_POLICY = "strict-origin-when-cross-origin"
#: Paths where browsers of other origins may read responses (the machine API).
CORS_PREFIXES = ("/sparql", "/api/", "/.well-known/", "/openapi.json")
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.S)


def csp_for(body: bytes | None = None) -> str:
    """The CSP of an HTML page; inline ``<script>`` blocks of ``body`` are allowed by hash.

    Only /docs (Swagger UI's generated page) has one; explorer pages have none.
    """
    if not body:
        return CSP
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(m.group(1)).digest()).decode() + "'"
        for m in _INLINE_SCRIPT.finditer(body)
    ]
    if not hashes:
        return CSP
    return CSP.replace("script-src 'self'", "script-src 'self' " + " ".join(hashes))


class BodyTooLargeError(ProtocolError):
    """The request body is larger than ITSKG_MAX_BODY_BYTES (413)."""

    status = 413


class SlowBodyError(ProtocolError):
    """The request body did not arrive within ITSKG_BODY_TIMEOUT seconds (408)."""

    status = 408


def client_key(scope: Scope, settings: Settings | None = None) -> str:
    """Who is asking: the peer address of the connection.

    Behind a reverse proxy on this host, uvicorn's proxy-headers support (on in
    ``itskg serve``; trusted addresses: ``FORWARDED_ALLOW_IPS``, default 127.0.0.1) has
    already put the X-Forwarded-For address here. Clients cannot choose their identity by
    sending headers of their own from other hosts.
    """
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


async def _refuse(send: Send, status: int, message: str, type_name: str,
                  headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"ok": False, "error": message, "type": type_name,
                       "status": status}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
           (b"x-content-type-options", b"nosniff"),
           (b"referrer-policy", REFERRER_POLICY.encode()), (b"connection", b"close")]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class RequestGuard:
    """The ASGI middleware described in the module docstring."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        s = self.settings
        target = len(scope.get("raw_path") or scope["path"].encode()) + len(
            scope.get("query_string", b""))
        if target > s.max_url_bytes:
            await _refuse(send, 414, (
                f"The request URL is {target:,} bytes, over the server's limit of "
                f"{s.max_url_bytes:,} (setting ITSKG_MAX_URL_BYTES). Send a long SPARQL query "
                "with POST instead of GET."), "URITooLongError")
            return
        headers = scope.get("headers", ())
        size = sum(len(k) + len(v) + 4 for k, v in headers)
        if size > s.max_header_bytes:
            await _refuse(send, 431, (
                f"The request headers total {size:,} bytes, over the server's limit of "
                f"{s.max_header_bytes:,} (setting ITSKG_MAX_HEADER_BYTES)."),
                "HeadersTooLargeError")
            return
        declared = next((v for k, v in headers if k == b"content-length"), None)
        if declared is not None:
            try:
                length = int(declared)
            except ValueError:
                await _refuse(send, 400, "The Content-Length header is not a number.",
                              "MalformedRequestError")
                return
            if length > s.max_body_bytes:
                await _refuse(send, 413, self._too_large(length), "BodyTooLargeError")
                return
        head = scope["method"] == "HEAD"
        if head:
            scope = dict(scope, method="GET")
        await self.app(scope, self._receive(receive), self._send(send, scope, head))

    def _too_large(self, size: int, more: bool = False) -> str:
        return (f"The request body is {'over ' if more else ''}{size:,} bytes, over the "
                f"server's limit of {self.settings.max_body_bytes:,} bytes (setting "
                "ITSKG_MAX_BODY_BYTES).")

    def _receive(self, receive: Receive) -> Receive:
        limit, timeout = self.settings.max_body_bytes, self.settings.body_timeout
        state = {"seen": 0, "deadline": 0.0}

        async def guarded() -> Message:
            now = time.monotonic()
            if not state["deadline"]:
                state["deadline"] = now + timeout
            try:
                msg = await asyncio.wait_for(receive(), max(0.0, state["deadline"] - now))
            except TimeoutError:
                raise SlowBodyError(
                    f"The request body did not arrive within {timeout:g} s (setting "
                    "ITSKG_BODY_TIMEOUT).", headers={"Connection": "close"}) from None
            if msg["type"] == "http.request":
                state["seen"] += len(msg.get("body", b""))
                if state["seen"] > limit:
                    raise BodyTooLargeError(self._too_large(state["seen"], more=True),
                                            headers={"Connection": "close"})
                if not msg.get("more_body", False):
                    state["deadline"] = float("inf")  # complete: later calls wait freely
            return msg

        return guarded

    @staticmethod
    def _send(send: Send, scope: Scope, head: bool) -> Send:
        async def guarded(msg: Message) -> None:
            if msg["type"] == "http.response.start":
                raw = list(msg.get("headers", ()))
                names = {k.lower() for k, _ in raw}
                raw.append((b"x-content-type-options", b"nosniff"))
                if b"referrer-policy" not in names:
                    raw.append((b"referrer-policy", REFERRER_POLICY.encode()))
                ctype = next((v for k, v in raw if k.lower() == b"content-type"), b"")
                if ctype.startswith(b"text/html"):
                    extra = [(b"content-security-policy", CSP.encode()),
                             (b"x-frame-options", b"DENY"),
                             (b"cross-origin-opener-policy", b"same-origin")]
                    raw += [(k, v) for k, v in extra if k not in names]
                msg = dict(msg, headers=raw)
            elif head and msg["type"] == "http.response.body":
                if msg.get("more_body", False):
                    return  # keep the headers, drop the body
                msg = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(msg)

        return guarded


class ScopedCORS:
    """CORS (Starlette's middleware) on the machine API only: ``CORS_PREFIXES``."""

    def __init__(self, app: ASGIApp, **cors: Any) -> None:
        self.app = app
        self.cors = CORSMiddleware(app, **cors)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(CORS_PREFIXES):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
