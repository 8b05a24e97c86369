"""The preview server behind ``digest serve``: the output folder over HTTP, with
live reload (``reload.py``) at ``{base_path}__digest/events``.

Standard library only (``http.server.ThreadingHTTPServer``). The site is mounted
at the path of its ``base_url``, so every link works as it will on the real host.
Nothing outside the output folder is ever served (``files.py``: request paths are
decoded, normalised and resolved, symlinks included, before a file is opened),
and a ``Host`` check keeps other web sites from reading a loopback server
through DNS rebinding.

``building()`` holds file requests while a build replaces the output folder, so
no one is served a half-written tree.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import secrets
import shutil
import socket
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

from generator.preview.files import (
    content_type,
    host_allowed,
    normalise_base,
    quote_path,
    resolve,
    url_path,
)
from generator.preview.guard import HEAD_SECONDS, allowed_hosts
from generator.preview.httpd import Config, Server
from generator.preview.reload import (
    EVERYTHING,
    LiveState,
    clean_error,
    diagnostics_to_errors,
    inject,
    script_tag,
)

__all__ = ["EVENTS_PATH", "PreviewServer", "diagnostics_to_errors"]

logger = logging.getLogger(__name__)

EVENTS_PATH = "__digest/events"  # below the base path
KEEPALIVE_SECONDS = 15.0
BUILD_WAIT_SECONDS = 10.0  # the longest a request waits for a build to finish
STOP_SECONDS = 0.9  # stop() gives the request threads this long to end
IDLE_TIMEOUT = 30.0  # an idle keep-alive connection is closed after this long
ALLOWED_METHODS = "GET, HEAD"


class PreviewServer:
    """Serves ``root`` at ``http://host:port{base_path}`` until ``stop``."""

    def __init__(
        self,
        root: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        base_path: str = "/",
        live_reload: bool = True,
        keepalive: float = KEEPALIVE_SECONDS,
        head_seconds: float = HEAD_SECONDS,
    ) -> None:
        self._root = root
        self._host = host
        self._port = port
        self._base = normalise_base(base_path)
        self._live_reload = live_reload
        self._keepalive = keepalive
        self._head_seconds = head_seconds
        self._state = LiveState()
        self._server_id = secrets.token_hex(8)
        self._httpd: Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------

    def start(self) -> None:
        """Bind and serve in a daemon thread. Raises ``OSError`` (``EADDRINUSE``
        when the port is taken). ``port=0`` picks a free port."""
        if self._httpd is not None:
            raise RuntimeError("the preview server is already running")
        infos = socket.getaddrinfo(
            self._host or None, self._port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
        if not infos:  # pragma: no cover - getaddrinfo raises instead
            raise OSError(errno.EADDRNOTAVAIL, f"cannot resolve {self._host!r}")
        family, _type, _proto, _name, address = infos[0]
        bound = str(address[0])
        config = Config(
            root=self._root,
            base=self._base,
            live_reload=self._live_reload,
            keepalive=self._keepalive,
            head_seconds=self._head_seconds,
            server_id=self._server_id,
            hosts=allowed_hosts(bound),
        )
        httpd = Server(family, (bound, self._port), config, self._state, _Handler)
        self._state.reopen()
        thread = threading.Thread(
            target=httpd.serve_until_woken,
            name=f"digest-serve-{httpd.server_address[1]}",
            daemon=True,
        )
        self._httpd = httpd
        self._thread = thread
        self._port = int(httpd.server_address[1])  # a restart reuses the port picked
        thread.start()
        logger.debug("serving %s at %s", self._root, self.url)

    def stop(self) -> None:
        """Shut the server down: end the event streams, close every connection
        and join the threads. Returns within about a second."""
        httpd, thread = self._httpd, self._thread
        if httpd is None or thread is None:
            return
        deadline = time.monotonic() + STOP_SECONDS
        self._state.close()  # event streams and requests waiting for a build end
        httpd.wake()  # the accept loop ends
        thread.join(max(0.0, deadline - time.monotonic()))
        httpd.close_connections(deadline)
        httpd.server_close()
        self._httpd = None
        self._thread = None
        logger.debug("stopped serving %s", self._root)

    def __enter__(self) -> PreviewServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- where ----------------------------------------------------------------

    @property
    def port(self) -> int:
        """The bound port once started (the one picked for ``port=0``)."""
        return self._port

    @property
    def url(self) -> str:
        """The site's address, e.g. ``http://127.0.0.1:8000/news/``."""
        host = self._host
        if host in ("", "0.0.0.0"):
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}{quote_path(self._base)}"

    @property
    def base_path(self) -> str:
        return self._base

    # -- live reload ----------------------------------------------------------

    def notify(self, changed: Iterable[str]) -> None:
        """Output-relative POSIX paths just (re)written or deleted. Browsers
        showing one of them, or depending on something that is not a page or a
        stylesheet, reload; changed stylesheets are swapped in place."""
        paths: list[str] = []
        for rel in changed:
            url = EVERYTHING if rel == EVERYTHING else url_path(self._base, rel)
            if url not in paths:
                paths.append(url)
        self._state.notify(tuple(paths))

    def set_errors(self, errors: Sequence[Mapping[str, object]]) -> None:
        """The current build errors, each ``{"path", "line", "message"}``, shown
        in an overlay on every open page; ``[]`` clears it (the pages reload)."""
        self._state.set_errors(tuple(clean_error(e) for e in errors))

    @property
    def generation(self) -> int:
        return self._state.snapshot().generation

    @contextlib.contextmanager
    def building(self) -> Iterator[None]:
        """File requests made inside this block wait (up to ~10 s) until it ends."""
        self._state.begin_build()
        try:
            yield
        finally:
            self._state.end_build()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "DigestPreview"
    timeout = IDLE_TIMEOUT
    server: Server

    # -- entry points ---------------------------------------------------------

    def do_GET(self) -> None:
        self._handle(head=False)

    def do_HEAD(self) -> None:
        self._handle(head=True)

    def _method_not_allowed(self) -> None:
        self.close_connection = True  # the request body, if any, is not read
        if self._host_ok():
            self._send_text(
                HTTPStatus.METHOD_NOT_ALLOWED, "Method not allowed", {"Allow": ALLOWED_METHODS}
            )

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = (
        _method_not_allowed
    )

    def handle_one_request(self) -> None:
        # From here to the end of its headers, a request has HEAD_SECONDS.
        self.server.deadlines.reading(self.connection)
        try:
            super().handle_one_request()
        finally:
            self.server.deadlines.done(self.connection)

    def parse_request(self) -> bool:
        ok = super().parse_request()  # the request line and the headers, read
        self.server.deadlines.done(self.connection)
        return ok

    def version_string(self) -> str:
        return self.server_version

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.address_string(), format % args)

    # -- routing --------------------------------------------------------------

    def _handle(self, *, head: bool) -> None:
        if not self._host_ok():
            return
        config = self.server.config
        raw = self.path.split("#", 1)[0]
        raw, _, query = raw.partition("?")
        if not raw.startswith("/"):
            self._send_text(HTTPStatus.BAD_REQUEST, "Bad request")
            return
        try:
            path = unquote_to_bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            self._not_found(head)
            return
        if "\x00" in path or "\\" in path:
            self._not_found(head)
            return
        base = config.base
        if not path.startswith(base):
            if path == "/" or path == base.rstrip("/"):
                self._redirect(quote_path(base), query)
            else:
                self._not_found(head)
            return
        rel = path[len(base) :]
        if config.live_reload and rel == EVENTS_PATH:
            self._events(head)
            return
        state = self.server.state
        if not state.wait_for_build(BUILD_WAIT_SECONDS):
            logger.debug("serving %s while a build is still running", path)
        found = resolve(config.root, base, rel)
        if found.redirect is not None:
            self._redirect(found.redirect, query)
        elif found.file is None:
            self._not_found(head)
        else:
            self._send_file(HTTPStatus.OK, found.file, found.url_path, head)

    def _host_ok(self) -> bool:
        if host_allowed(self.headers.get("Host"), self.server.config.hosts):
            return True
        self._send_text(HTTPStatus.FORBIDDEN, "Forbidden: unexpected Host header")
        return False

    # -- responses ------------------------------------------------------------

    def _send_file(self, status: HTTPStatus, file: Path, url_path: str, head: bool) -> None:
        config = self.server.config
        kind = content_type(file.name, config.mime)
        try:
            handle = file.open("rb")
        except OSError:
            if status == HTTPStatus.OK:
                self._not_found(head)
            else:
                self._send_text(status, "Not found", head=head)
            return
        with handle:
            if kind.startswith("text/html") and config.live_reload:
                body = inject(handle.read(), self._script(url_path))
                self._send_bytes(status, kind, body, head)
                return
            size = os.fstat(handle.fileno()).st_size
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(size))
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            if not head:
                shutil.copyfileobj(handle, self.wfile)

    def _script(self, url_path: str) -> str:
        config = self.server.config
        return script_tag(
            base=quote_path(config.base),
            server_id=config.server_id,
            generation=self.server.state.snapshot().generation,
            page=url_path,
        )

    def _not_found(self, head: bool) -> None:
        config = self.server.config
        page = resolve(config.root, config.base, "404.html")
        if page.file is not None:
            self._send_file(HTTPStatus.NOT_FOUND, page.file, page.url_path, head)
        else:
            self._send_text(HTTPStatus.NOT_FOUND, "Not found", head=head)

    def _redirect(self, location: str, query: str) -> None:
        if query:
            location += "?" + query
        self._send_text(HTTPStatus.FOUND, "Found", {"Location": location})

    def _send_text(
        self,
        status: HTTPStatus,
        title: str,
        headers: Mapping[str, str] | None = None,
        *,
        head: bool = False,
    ) -> None:
        body = (
            f'<!doctype html>\n<html lang="en"><meta charset="utf-8"><title>{title}</title>'
            f"<h1>{int(status)} {title}</h1></html>\n"
        ).encode()
        self._send_bytes(status, "text/html; charset=utf-8", body, head, headers)

    def _send_bytes(
        self,
        status: HTTPStatus,
        content_type: str,
        body: bytes,
        head: bool,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    # -- the event stream -------------------------------------------------------

    def _events(self, head: bool) -> None:
        self.close_connection = True
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Connection", "close")
        self.send_header("X-Accel-Buffering", "no")
        self.end_headers()
        if head:
            return
        config = self.server.config
        state = self.server.state
        seen = state.snapshot()
        hello = {
            "server": config.server_id,
            "generation": seen.generation,
            "errors": list(seen.errors),
        }
        try:
            self._write_event("hello", hello, prefix="retry: 1000\n\n")
            while not seen.closed:
                now = state.wait_for_change(seen, config.keepalive)
                if now.closed:
                    break
                if now.generation != seen.generation:
                    paths = state.paths_since(seen.generation)
                    self._write_event("reload", {"generation": now.generation, "paths": paths})
                if now.errors_version != seen.errors_version:
                    self._write_event("errors", {"errors": list(now.errors)})
                if now == seen:
                    self.wfile.write(b": keepalive\n\n")
                seen = now
        except OSError:  # the browser went away
            logger.debug("event stream to %s closed", self.address_string())

    def _write_event(self, name: str, data: object, prefix: str = "") -> None:
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        self.wfile.write(f"{prefix}event: {name}\ndata: {payload}\n\n".encode())
