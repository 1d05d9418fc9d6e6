"""Fair use per client: a query-time budget and a throttle on admin-token guesses.

``ClientBudget`` is the per-client time budget of the public endpoints (Wikidata's query
service gives each client 60 s of query time per 60 s): every query's worker time is charged
to its client (``itskg.api.guard.client_key``: the peer address, or the operator's trusted
proxy header), the charge leaks away at ``budget / window`` seconds per second, and a client
whose account is over ``budget`` gets 429 with ``Retry-After`` (the seconds until it is back
under) before its query takes a worker. ``ITSKG_CLIENT_BUDGET=0`` turns it off.

``AttemptThrottle`` counts failures (bad admin tokens) per client over a minute; past the
limit the client gets 429 until the oldest failure is a minute old, so a token cannot be
guessed at network speed.

Both keep at most ``MAX_CLIENTS`` entries (the least recently seen are forgotten), so a flood
of addresses cannot grow the server's memory.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque

from itskg.graph.errors import BudgetExceededError

__all__ = ["BUDGETED", "MAX_CLIENTS", "AttemptThrottle", "BudgetGuard", "ClientBudget"]

MAX_CLIENTS = 10_000


class ClientBudget:
    """Leaky-bucket accounts of worker seconds per client.

    >>> b = ClientBudget(budget=10, window=10)
    >>> b.charge("a", 12.0); b.retry_after("a") > 0
    True
    >>> b.retry_after("b")
    0.0
    """

    def __init__(self, budget: float, window: float, clock=time.monotonic) -> None:
        self.budget = budget
        self.rate = budget / window if window > 0 else 0.0
        self._clock = clock
        self._used: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (used, at)
        self._lock = threading.Lock()

    def _level(self, key: str, now: float) -> float:
        used, at = self._used.get(key, (0.0, now))
        return max(0.0, used - (now - at) * self.rate)

    def retry_after(self, key: str) -> float:
        """Seconds until ``key`` is back within its budget (0: it may run a query now)."""
        if self.budget <= 0:
            return 0.0
        with self._lock:
            over = self._level(key, self._clock()) - self.budget
        return over / self.rate if over > 0 and self.rate else 0.0

    def check(self, key: str) -> None:
        """Raise ``BudgetExceededError`` (HTTP 429) when ``key`` is over its budget."""
        wait = self.retry_after(key)
        if wait > 0:
            raise BudgetExceededError(
                f"This client used more than its query-time budget of {self.budget:g} worker "
                f"seconds per {self.budget / self.rate:g} s (settings ITSKG_CLIENT_BUDGET, "
                f"ITSKG_CLIENT_BUDGET_WINDOW); retry in {wait:.0f} s.", wait)

    def charge(self, key: str, seconds: float) -> None:
        """Add ``seconds`` of worker time to ``key``'s account."""
        if self.budget <= 0:
            return
        with self._lock:
            now = self._clock()
            self._used[key] = (self._level(key, now) + seconds, now)
            self._used.move_to_end(key)
            while len(self._used) > MAX_CLIENTS:
                self._used.popitem(last=False)


class AttemptThrottle:
    """At most ``limit`` failures per client per ``period`` seconds."""

    def __init__(self, limit: int, period: float = 60.0, clock=time.monotonic) -> None:
        self.limit = limit
        self.period = period
        self._clock = clock
        self._fails: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> float:
        """Seconds until ``key`` may try again (0: now)."""
        with self._lock:
            now = self._clock()
            q = self._fails.get(key)
            while q and now - q[0] > self.period:
                q.popleft()
            if not q or len(q) < self.limit:
                return 0.0
            return self.period - (now - q[0])

    def fail(self, key: str) -> None:
        """Record one failure of ``key``."""
        with self._lock:
            self._fails.setdefault(key, deque(maxlen=self.limit)).append(self._clock())
            self._fails.move_to_end(key)
            while len(self._fails) > MAX_CLIENTS:
                self._fails.popitem(last=False)


#: Paths whose worker time counts against the client's budget (the expensive surfaces).
BUDGETED = ("/sparql", "/api/queries/", "/api/network/")


class BudgetGuard:
    """ASGI middleware: refuse (429) a client over budget, charge the worker time it used.

    The server's own precompute requests (``itskg.api.warmup``, marked in the ASGI scope,
    which no network client can set) are not charged.
    The worker time comes from the executor (``WORKER_TIME``): the seconds its workers
    spent on this request's queries, waiting in the queue excluded.
    """

    def __init__(self, app, settings) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.budget = ClientBudget(settings.client_budget, settings.client_budget_window)

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        if (scope["type"] != "http" or self.budget.budget <= 0
                or not scope["path"].startswith(BUDGETED) or scope.get("itskg.internal")):
            await self.app(scope, receive, send)
            return
        from itskg.api.guard import _refuse, client_key
        from itskg.graph.knowledge import WORKER_TIME

        key = client_key(scope)
        try:
            self.budget.check(key)
        except BudgetExceededError as err:
            await _refuse(send, 429, str(err), "BudgetExceededError",
                          {"Retry-After": str(max(1, round(err.retry_after + 0.5)))})
            return
        acc = [0.0]
        token = WORKER_TIME.set(acc)
        try:
            await self.app(scope, receive, send)
        finally:
            WORKER_TIME.reset(token)
            self.budget.charge(key, acc[0])
