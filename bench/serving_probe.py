"""What a benchmark needs to look at a running server: a lean HTTP client, PSS, start-up.

- ``RawClient``: HTTP/1.1 over one keep-alive socket, written here on purpose (a few lines of
  ``socket``): httpx spends about 0.3-1 ms of Python per request, which would hide the
  server's own overhead that the per-request target is about (issue 10: lookups <= 0.5 ms
  above the in-process engine). It reads Content-Length and chunked bodies (Virtuoso).
- ``tree_pss``: the proportional set size of a process and all its descendants, read from
  ``/proc/PID/smaps_rollup`` (pages shared copy-on-write by the server's template and its
  forked workers are counted once in total, which summing RSS would not do).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from urllib.parse import quote, urlsplit

__all__ = ["RawClient", "cpu_seconds", "descendants", "pss_kb", "tree_pss"]


class RawClient:
    """GET requests over one persistent HTTP/1.1 connection; ``get`` returns (status, body)."""

    def __init__(self, url: str, timeout: float = 60.0) -> None:
        u = urlsplit(url)
        self.host, self.port, self.path = u.hostname or "127.0.0.1", u.port or 80, u.path
        self.timeout = timeout
        self.sock: socket.socket | None = None
        self.buf = bytearray()

    def _connect(self) -> socket.socket:
        s = socket.create_connection((self.host, self.port), timeout=self.timeout)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock, self.buf = s, bytearray()
        return s

    def _read_until(self, s: socket.socket, marker: bytes) -> bytes:
        while (at := self.buf.find(marker)) < 0:
            chunk = s.recv(65536)
            if not chunk:
                raise ConnectionError("the server closed the connection")
            self.buf += chunk
        head = bytes(self.buf[:at])
        del self.buf[:at + len(marker)]
        return head

    def _read_n(self, s: socket.socket, n: int) -> bytes:
        while len(self.buf) < n:  # a bytearray: a large body is not copied chunk by chunk
            chunk = s.recv(max(65536, n - len(self.buf)))
            if not chunk:
                raise ConnectionError("the server closed the connection")
            self.buf += chunk
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def get(self, query: str, accept: str = "application/sparql-results+json"
            ) -> tuple[int, bytes]:
        """GET the endpoint with ``query=``."""
        return self.request("GET", f"{self.path}?query={quote(query, safe='')}", accept)

    def request(self, method: str, target: str, accept: str = "application/sparql-results+json",
                body: bytes = b"", content_type: str = "application/x-www-form-urlencoded"
                ) -> tuple[int, bytes]:
        """One request (``target``: path and query string); (status, body)."""
        s = self.sock or self._connect()
        extra = (f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                 if method == "POST" else "")
        req = (f"{method} {target} HTTP/1.1\r\nHost: {self.host}\r\nAccept: {accept}\r\n"
               f"{extra}\r\n").encode() + body
        try:
            s.sendall(req)
            head = self._read_until(s, b"\r\n\r\n").decode("latin-1").split("\r\n")
        except (ConnectionError, OSError):
            self.close()  # the server dropped the idle connection: one new try
            s = self._connect()
            s.sendall(req)
            head = self._read_until(s, b"\r\n\r\n").decode("latin-1").split("\r\n")
        status = int(head[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in
                   (line.partition(":") for line in head[1:])}
        if headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int(self._read_until(s, b"\r\n").split(b";")[0], 16)
                if size == 0:
                    self._read_until(s, b"\r\n")
                    break
                parts.append(self._read_n(s, size))
                self._read_n(s, 2)
            data = b"".join(parts)
        else:
            data = self._read_n(s, int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, data

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (from /proc/*/stat)."""
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(d.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def pss_kb(pid: int) -> int:
    """Proportional set size of one process, kB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


def tree_pss(pid: int) -> dict[str, int]:
    """PSS in kB of ``pid`` and its descendants: ``total`` and per process name."""
    out: dict[str, int] = {"total": 0}
    for p in descendants(pid):
        kb = pss_kb(p)
        try:
            name = Path(f"/proc/{p}/comm").read_text().strip()
        except OSError:
            continue
        out["total"] += kb
        out[f"{name}:{p}"] = kb
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds one process has used (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kb(pid: int) -> int:
    """Resident set size of one process, kB (for the RSS-summed comparison)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


if __name__ == "__main__":  # pragma: no cover - a quick look at a running server
    import sys

    print(tree_pss(int(sys.argv[1])), os.getpid())
