"""The preview's HTTP server itself: a ``ThreadingHTTPServer`` that accepts
until woken, keeps each connection's thread (to close them all on stop),
refuses connections past ``MAX_CONNECTIONS`` and drops requests whose head
is late (``guard.py``). ``server.py`` handles the requests."""

from __future__ import annotations

import contextlib
import logging
import mimetypes
import selectors
import socket
import socketserver
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from generator.preview.guard import MAX_CONNECTIONS, Deadlines
from generator.preview.reload import LiveState

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    root: Path
    base: str  # decoded, starts and ends with "/"
    live_reload: bool
    keepalive: float
    head_seconds: float  # to read a request's line and headers (see guard.py)
    server_id: str
    hosts: frozenset[str]  # the Host names it answers for (see guard.py)
    mime: mimetypes.MimeTypes = field(default_factory=lambda: mimetypes.MimeTypes())


class Server(ThreadingHTTPServer):
    request_queue_size = 64  # a page load opens several connections at once
    daemon_threads = True
    block_on_close = False  # stop() joins the threads itself, with a deadline

    def __init__(
        self,
        family: socket.AddressFamily,
        address: tuple[str, int],
        config: Config,
        state: LiveState,
        handler: type[BaseHTTPRequestHandler],
    ) -> None:
        self.address_family = family
        self.config = config
        self.state = state
        self._lock = threading.Lock()
        self._workers: dict[threading.Thread, socket.socket] = {}
        self.deadlines = Deadlines(config.head_seconds)
        self._wake_r, self._wake_w = socket.socketpair()
        try:
            super().__init__(address, handler)
        except BaseException:
            self._wake_r.close()
            self._wake_w.close()
            raise

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's FQDN, which can be slow.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def serve_until_woken(self) -> None:
        """Accept connections until ``wake``: like ``serve_forever``, but a stop
        needs no polling interval to be noticed."""
        self.deadlines.start()
        with selectors.DefaultSelector() as selector:
            selector.register(self, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while True:
                ready = selector.select()
                if any(key.fileobj is self._wake_r for key, _events in ready):
                    return
                self._accept()

    def wake(self) -> None:
        with contextlib.suppress(OSError):
            self._wake_w.send(b"x")

    def _accept(self) -> None:
        try:
            request, client_address = self.get_request()
        except OSError:
            return
        try:
            self.process_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
            self.shutdown_request(request)

    def server_close(self) -> None:
        self.deadlines.stop()
        super().server_close()
        self._wake_r.close()
        self._wake_w.close()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._lock:
            full = len(self._workers) >= MAX_CONNECTIONS
        if full:  # answered at once, not queued: the connections open are enough
            with contextlib.suppress(OSError):
                request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n")
            self.shutdown_request(request)
            return
        thread = threading.Thread(
            target=self.process_request_thread, args=(request, client_address), daemon=True
        )
        with self._lock:
            self._workers[thread] = request
        thread.start()

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._lock:
                self._workers.pop(threading.current_thread(), None)

    def handle_error(self, request: Any, client_address: Any) -> None:
        logger.debug("error while serving %s", client_address, exc_info=True)

    def close_connections(self, deadline: float) -> None:
        """Wake every request thread by shutting its socket down, then join them."""
        with self._lock:
            workers = list(self._workers.items())
        for _thread, sock in workers:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread, _sock in workers:
            thread.join(max(0.0, deadline - time.monotonic()))
