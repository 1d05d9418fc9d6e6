"""Precompute what the explorer's pages open with, once per store generation (issue 10).

The plan is the list of requests a first visitor's browser makes: the home page (its
counts), the map page and every map indicator at every level, the network page and the
default view of every projection with the metric it is drawn by, every question page with
its catalogue query run with its default and its example parameters (and the home page's
entry points), in Italian and in English where the answer depends on the language. ``warm``
makes those requests to the app itself, in this process (no socket), inside
``KnowledgeGraph.precomputing()``: each answer is computed the way a visitor's request
computes it (the worker pool, its query deadline and memory limit) and is kept on disk with
its generation under the same key (``itskg.graph.answers``). A restarted server, and the
first visitor, then get it at once.

- ``itskg serve`` runs ``keep_warm`` in the background (``ITSKG_PRECOMPUTE``, on by
  default): it fills what is missing for the current generation without delaying start-up,
  and again whenever an import commits a new generation (and once more, later, for what
  workers still on the previous generation answered); one request at a time, so it never
  holds more than one worker;
- ``itskg build`` and ``itskg import`` run ``precompute_store`` after their commit (skip with
  ``--no-precompute``), ``itskg precompute`` on demand.

Progress goes to the log (``itskg.precompute``), one line per request; a request that fails
(past the deadline, over the memory limit, no data) is logged and skipped, never fatal.
Internal requests are marked in the ASGI scope (``itskg.internal``, which no network client
can set), so they are not charged to anyone's query-time budget.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from itskg.graph.config import Settings

if TYPE_CHECKING:  # pragma: no cover
    from fastapi import FastAPI

__all__ = ["PAGE_LANGS", "Visit", "WarmReport", "form_params", "keep_warm", "plan",
           "precompute_store", "warm"]

log = logging.getLogger("itskg.precompute")

#: The languages of the pages.
PAGE_LANGS = ("it", "en")
#: A scope key only an in-process caller can set: the request is the server's own.
INTERNAL = "itskg.internal"
_POLL = 5.0  # seconds between looks at the store's generation while serving


@dataclass
class Visit:
    """One request of the plan; ``follow`` gives the requests its answer leads to."""

    url: str
    follow: Callable[[bytes], list[Visit]] | None = None


@dataclass
class WarmReport:
    """What one ``warm`` did for ``generation``."""

    generation: str | None
    requests: int = 0
    computed: int = 0  # answers computed and kept on disk
    from_disk: int = 0  # already precomputed
    stale: int = 0  # answered by a worker still on the previous generation (not kept)
    failed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    stopped: str | None = None  # why it stopped early (a new generation, shutdown)


def _q(params: dict[str, str]) -> str:
    return urlencode([(k, v) for k, v in params.items() if v not in (None, "")])


def _network_visits(projection: str, filters: dict[str, str], metric: str) -> Visit:
    """The network page's first two requests: the view, then the metric it is sized by
    when the view does not carry it (as api/pages/static/network.js does)."""
    from itskg.api.routes.network import EXPLORER_MAX_NODES

    base = f"/api/network/{projection}"

    def then(body: bytes) -> list[Visit]:
        nodes = json.loads(body).get("nodes") or []
        if not nodes or any(isinstance(n.get(metric), (int, float)) for n in nodes):
            return []
        return [Visit(f"{base}/{metric}?{_q({**filters, 'top': str(len(nodes))})}")]

    return Visit(f"{base}?{_q({**filters, 'max_nodes': str(EXPLORER_MAX_NODES)})}", then)


def _default_metric(projection: str) -> str:
    # network.js: academy-academy is sized by weighted degree, every other view by degree
    return "weighted-degree" if projection == "academy-academy" else "degree"


def form_params(q: Any) -> dict[str, str]:
    """The parameters a question page's form sends as it opens (api/pages/explorer.py
    ``_fields``): each default, the example value of a required parameter without one."""
    out = {}
    for p in q.params:
        if p.name == "lang":
            continue
        value = p.default if p.default not in (None, "") else (
            q.example.get(p.name, "") if p.required else "")
        if value not in (None, ""):
            out[p.name] = str(value)
    return out


def plan(langs: tuple[str, ...] = PAGE_LANGS) -> list[Visit]:
    """The requests a first visitor's browser makes, most visited first (see module doc)."""
    from itskg.api.pages.explorer import ENTRY_POINTS
    from itskg.api.pages.webdata import LEVELS
    from itskg.graph.analysis.projections import load_projections
    from itskg.graph.sparql.catalogue import load_catalog

    catalogue = load_catalog()
    first: list[Visit] = []
    later: list[Visit] = []
    for lang in langs:
        first += [Visit(f"/?lang={lang}"), Visit(f"/map?lang={lang}"),
                  Visit(f"/network?lang={lang}"), Visit(f"/questions?lang={lang}")]
        first.append(Visit(f"/api/map/academies?level=region&lang={lang}"))
    first.append(_network_visits("academy-academy", {}, "weighted-degree"))
    # the home page's entry points, as their links open them
    for _key, link in ENTRY_POINTS:
        parts = urlsplit(link)
        params = dict(parse_qsl(parts.query))
        if parts.path == "/network":
            proj = params.pop("projection", "academy-academy")
            metric = params.pop("metric", _default_metric(proj))
            first.append(_network_visits(proj, params, metric))
        elif parts.path.startswith("/questions/"):
            name = parts.path.rsplit("/", 1)[-1]
            params.pop("run", None)
            q = catalogue.get(name)
            for lang in (langs if q is not None and q.uses_lang else langs[:1]):
                extra = {"lang": lang} if q is not None and q.uses_lang else {}
                first.append(Visit(f"/api/queries/{name}?{_q({**params, **extra})}"
                                   "&format=json"))
    # every question: its page (pick-lists), its answer with its default parameters, as its
    # form opens (defaults, examples for the required ones) and with its example
    for q in catalogue.values():
        variants = [form_params(q), dict(q.example)]
        if not any(p.required for p in q.params):
            variants.insert(0, {})
        for lang in langs:
            later.append(Visit(f"/questions/{q.name}?lang={lang}"))
            if not q.uses_lang and lang != langs[0]:
                continue
            extra = {"lang": lang} if q.uses_lang else {}
            seen = set()
            for params in variants:
                qs = _q({**params, **extra})
                if qs not in seen:
                    seen.add(qs)
                    later.append(Visit(f"/api/queries/{q.name}?{qs + '&' if qs else ''}"
                                       "format=json"))
    # every map indicator at every level
    for lang in langs:
        for level, names in LEVELS.items():
            for name in names:
                later.append(Visit(f"/api/map/{name}?level={level}&lang={lang}"))
    # every projection's default view
    for name in load_projections():
        later.append(_network_visits(name, {}, _default_metric(name)))
    seen_urls: set[str] = set()
    out = []
    for v in [*first, *later]:
        if v.url not in seen_urls:
            seen_urls.add(v.url)
            out.append(v)
    return out


def _internal(app: Any) -> Any:
    """The app as an in-process ASGI callable whose requests are marked internal."""
    async def call(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await app({**scope, INTERNAL: True}, receive, send)
    return call


async def warm(app: FastAPI, *, langs: tuple[str, ...] = PAGE_LANGS,
               progress: Callable[[str], None] | None = None) -> WarmReport:
    """Make the plan's requests to ``app`` (whose ``state.kg`` is started), keeping each
    answer on disk with the current generation. Stops early when a new generation is
    committed (the caller starts again for it). Failures are logged and skipped."""
    import httpx

    kg = app.state.kg
    say = progress or log.info
    gen = kg.generation()
    report = WarmReport(gen)
    if gen is None or kg.remote:
        report.stopped = "no local generation to precompute for"
        return report
    removed = kg.forget_old_answers()
    if removed:
        log.info("precompute: removed the answers of %d deleted generation(s)", len(removed))
    todo = deque(plan(langs))
    total = len(todo)
    t0 = time.perf_counter()
    before = dict(kg.answer_counts)
    transport = httpx.ASGITransport(app=_internal(app), client=("itskg-precompute", 0))
    async with httpx.AsyncClient(transport=transport, base_url="http://itskg.internal",
                                 timeout=None) as client:
        with kg.precomputing():
            while todo:
                if kg.generation() != gen:
                    report.stopped = f"generation {kg.generation()} was committed"
                    break
                visit = todo.popleft()
                report.requests += 1
                t = time.perf_counter()
                try:
                    r = await client.get(visit.url)
                    status = r.status_code
                    if status < 400 and visit.follow is not None:
                        more = visit.follow(r.content)
                        todo.extendleft(reversed(more))
                        total += len(more)
                except asyncio.CancelledError:
                    raise
                except Exception as err:  # a bug or an engine error: log, go on
                    status, r = 0, None
                    message = f"{type(err).__name__}: {err}"
                else:
                    message = "" if status < 400 else _error_text(r)
                took = time.perf_counter() - t
                if message:
                    report.failed.append(f"{visit.url}: {message}")
                    log.warning("precompute %d/%d skipped %s (%s; %.1f s)", report.requests,
                                total, visit.url, message, took)
                else:
                    say(f"precompute {report.requests}/{total} {visit.url} ({took:.2f} s)")
    report.seconds = round(time.perf_counter() - t0, 1)
    after = kg.answer_counts
    report.computed = after.get("kept", 0) - before.get("kept", 0)
    report.from_disk = after.get("from_disk", 0) - before.get("from_disk", 0)
    report.stale = after.get("stale", 0) - before.get("stale", 0)
    log.info("precompute of generation %s: %d requests in %.1f s, %d answers kept on disk "
             "(%d on disk now), %d already there, %d failed%s", gen, report.requests,
             report.seconds, report.computed, kg.precomputed(gen), report.from_disk,
             len(report.failed), f"; stopped: {report.stopped}" if report.stopped else "")
    return report


def _error_text(r: Any) -> str:
    try:
        return f"{r.status_code} {r.json().get('error', '')}".strip()
    except ValueError:
        return f"HTTP {r.status_code}"


async def keep_warm(app: FastAPI, *, poll: float = _POLL) -> None:
    """Precompute for the current generation, then for each new one (until cancelled)."""
    done: str | None = None
    while True:
        kg = app.state.kg
        if kg is None:
            return
        try:
            gen = kg.generation()
            if gen is not None and gen != done:
                report = await warm(app)
                app.state.precompute_report = report  # the last one, for operators and tests
                if report.stale:  # workers had not switched yet: the rest again, later
                    await asyncio.sleep(poll * 6)
                elif report.stopped is None or not report.stopped.startswith("generation"):
                    done = gen
                continue
        except asyncio.CancelledError:
            raise
        except Exception as err:  # never take the server down; try again later
            log.warning("precompute paused: %s: %s", type(err).__name__, err)
        await asyncio.sleep(poll)


def precompute_store(settings: Settings, progress: Callable[[str], None] | None = None,
                     langs: tuple[str, ...] = PAGE_LANGS) -> WarmReport:
    """Precompute the current generation of ``settings.store`` (the CLI, after a commit):
    the app's requests in this process, answered by a worker pool under the deadline."""
    from itskg.api.app import create_app
    from itskg.graph.knowledge import KnowledgeGraph

    app = create_app(settings)
    kg = KnowledgeGraph(settings).start()
    app.state.kg = kg
    try:
        return asyncio.run(warm(app, progress=progress, langs=langs))
    finally:
        app.state.kg = None
        with contextlib.suppress(Exception):
            kg.close()
