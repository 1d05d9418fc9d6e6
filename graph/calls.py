"""Library work a query worker runs on its store: profiles, qualifications, their checks.

``KnowledgeGraph`` sends ``{"op": "call", "fn": NAME, "args": [...], "kw": {...}}`` to the
worker pool for work that reads the store with many small queries (a region profile, the
ELM qualifications); the worker runs ``CALLS[NAME](store, *args, **kw)`` and answers the
result pickled. So this work gets what SPARQL and network tasks get: a killable process, the
deadline (``Settings.query_timeout`` times the request's ``timeout_factor``) and the worker
memory bound (``Settings.worker_memory_mb``). Only the functions named here can be called:
the request names one, it never carries code. Without a pool (``workers=0``) the same
function runs in the calling process.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Sequence
from typing import Any

from itskg.graph.backends.interface import Store
from itskg.graph.errors import QueryError

__all__ = ["CALLS", "PICKLE_MEDIA", "call_request", "run_call"]

PICKLE_MEDIA = "application/x-itskg-pickle"  # never leaves the server: parent <-> worker only


def _region_profile(store: Store, code: str, lang: str) -> Any:
    from itskg.graph.reports.profile import region_profile

    return region_profile(store, code, lang)  # type: ignore[arg-type]


def _academy_profile(store: Store, key: str, lang: str) -> Any:
    from itskg.graph.reports.profile import academy_profile

    return academy_profile(store, key, lang)  # type: ignore[arg-type]


def _warm_profiles(store: Store) -> None:
    from itskg.graph.reports.profile import warm

    warm(store)  # type: ignore[arg-type]


def _qualifications(store: Store, **kw: Any) -> Any:
    from itskg.graph.elm import derive_qualifications

    return derive_qualifications(store, **kw)  # type: ignore[arg-type]


def _qualification(store: Store, key: str, nqf_levels: Any) -> Any:
    from itskg.graph.elm.lookup import find_qualification

    return find_qualification(store, key, nqf_levels)  # type: ignore[arg-type]


def _check_qualifications(store: Store, quals: Sequence[Any]) -> Any:
    from itskg.graph.elm import check_qualifications

    return check_qualifications(quals)


#: the functions a worker runs by name: ``fn(store, *args, **kw)``
CALLS: dict[str, Callable[..., Any]] = {
    "region_profile": _region_profile,
    "academy_profile": _academy_profile,
    "warm_profiles": _warm_profiles,
    "qualifications": _qualifications,
    "qualification": _qualification,
    "check_qualifications": _check_qualifications,
}


def call_request(fn: str, *args: Any, timeout_factor: float = 1.0, **kw: Any
                 ) -> dict[str, Any]:
    """The worker request calling ``CALLS[fn]``. Raises QueryError for an unknown name.

    >>> call_request("region_profile", "ITH5", "it")["fn"]
    'region_profile'
    """
    if fn not in CALLS:
        raise QueryError(f"No library call {fn!r}; known: {', '.join(sorted(CALLS))}.")
    return {"op": "call", "fn": fn, "args": list(args), "kw": kw,
            "timeout_factor": float(timeout_factor)}


def run_call(store: Store, req: dict[str, Any]) -> bytes:
    """Run the call of ``req`` on ``store``; the result pickled (parent and worker share the
    code, and the pipe between them is theirs alone)."""
    fn = CALLS.get(req.get("fn", ""))
    if fn is None:
        raise QueryError(f"No library call {req.get('fn')!r}.")
    return pickle.dumps(fn(store, *req.get("args", ()), **req.get("kw", {})))
