"""What keeps the preview server answering: a cap on connections, a
deadline for each request's head (a client that stays idle, or sends its
headers a byte at a time, is dropped), and the names it answers to.

A loopback server answers only for ``localhost`` names, which blocks DNS
rebinding (another web site's page reaching it through a name of its own).
Bound to another address (``--host``), it also answers for that address,
this machine's name and the addresses that name has: the ways another
machine on the network reaches it.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time

from generator.preview.files import ALLOWED_HOSTS, is_loopback

MAX_CONNECTIONS = 128  # open at once: each browser tab keeps one for live reload
HEAD_SECONDS = 30.0  # from the end of one request to the end of the next one's headers
_WILDCARDS = ("0.0.0.0", "::", "")


def allowed_hosts(bound: str) -> frozenset[str]:
    """The names a server bound to ``bound`` answers for (``Host`` without
    the port; IPv6 addresses in brackets)."""
    if is_loopback(bound):
        return ALLOWED_HOSTS
    names = set(ALLOWED_HOSTS)
    if bound not in _WILDCARDS:
        names.add(_bracketed(bound))
    for name in {socket.gethostname(), socket.getfqdn()}:
        if not name:
            continue
        names.add(name.lower())
        with contextlib.suppress(OSError):
            for *_, address in socket.getaddrinfo(name, None):
                names.add(_bracketed(str(address[0])))
    return frozenset(names)


def _bracketed(address: str) -> str:
    address = address.split("%", 1)[0].lower()
    return f"[{address}]" if ":" in address else address


class Deadlines:
    """Sockets reading a request head, each with the time it must be read
    by; a reaper thread shuts down the ones that are late."""

    def __init__(self, seconds: float = HEAD_SECONDS) -> None:
        self.seconds = seconds
        self._lock = threading.Lock()
        self._due: dict[socket.socket, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._reap, name="digest-reaper", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.ident is not None:
            self._thread.join(timeout=2)

    def reading(self, sock: socket.socket) -> None:
        with self._lock:
            self._due[sock] = time.monotonic() + self.seconds

    def done(self, sock: socket.socket) -> None:
        with self._lock:
            self._due.pop(sock, None)

    def _reap(self) -> None:
        while not self._stop.wait(min(1.0, self.seconds / 4)):
            now = time.monotonic()
            with self._lock:
                late = [sock for sock, due in self._due.items() if due < now]
                for sock in late:
                    del self._due[sock]
            for sock in late:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
