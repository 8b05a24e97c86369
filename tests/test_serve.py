"""The preview server over real HTTP on a free loopback port: what it serves and
how, what it refuses, the live-reload event stream, and how it starts and stops."""

from __future__ import annotations

import contextlib
import errno
import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.preview.files import host_allowed
from generator.preview.guard import MAX_CONNECTIONS, allowed_hosts
from generator.preview.server import PreviewServer

TIMEOUT = 5.0
SECRET = "SECRET-site-yaml-content"

PAGE = '<!doctype html>\n<html><head><link rel="stylesheet" href="/static/style.css">'
PAGE += "</head>\n<body><p>{text}</p></body>\n</html>\n"

SITE: Mapping[str, str | bytes] = {
    "index.html": PAGE.format(text="Front page"),
    "2026/11/24/harbour/index.html": PAGE.format(text="Harbour reopens"),
    "404.html": PAGE.format(text="Nothing here"),
    "static/style.css": "body { color: #111 }\n",
    "feed.xml": '<?xml version="1.0"?><rss version="2.0"></rss>\n',
    "feed.atom": '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"></feed>\n',
    "feed.json": '{"version": "https://jsonfeed.org/version/1.1"}\n',
    "img/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg"></svg>\n',
    "img/map.png": b"\x89PNG\r\n\x1a\nnot really a png",
    "fonts/serif.woff2": b"wOF2 not really a font",
    "notes.txt": "plain text\n",
    "data.unknownext": b"\x00\x01\x02",
    "no-index/file.css": "p {}\n",
    "bare.html": "<p>no body element</p>",
}


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> None:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """``tmp/site/output`` with the files above; ``tmp/site/site.yaml`` and
    ``tmp/outside/`` are the secrets next to it."""
    out = tmp_path / "site" / "output"
    write_tree(out, SITE)
    (tmp_path / "site" / "site.yaml").write_text(SECRET, encoding="utf-8")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_text(SECRET, encoding="utf-8")
    (tmp_path / "outside" / "index.html").write_text(SECRET, encoding="utf-8")
    return out


@pytest.fixture
def serve(root: Path) -> Iterator[PreviewServer]:
    server = PreviewServer(root, port=0)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def news(root: Path) -> Iterator[PreviewServer]:
    server = PreviewServer(root, port=0, base_path="/news/")
    server.start()
    yield server
    server.stop()


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def fetch(
    server: PreviewServer,
    path: str,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
) -> Response:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
    try:
        conn.request(method, path, headers=dict(headers or {}))
        resp = conn.getresponse()
        body = resp.read()
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, body)
    finally:
        conn.close()


class EventStream:
    """A browser's side of ``__digest/events``, read line by line."""

    def __init__(self, server: PreviewServer, path: str | None = None) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
        self.conn.request("GET", path or server.base_path + "__digest/events")
        self.resp = self.conn.getresponse()

    def next(self) -> tuple[str, dict[str, object]]:
        """The next event: (name, data); comments and retry lines are skipped."""
        name, data = "message", ""
        while True:
            line = self.resp.fp.readline().decode()
            if not line:
                raise EOFError("the event stream ended")
            line = line.rstrip("\n")
            if not line:
                if data:
                    return name, json.loads(data)
                continue
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                data += line.removeprefix("data: ")

    def raw_line(self) -> str:
        return self.resp.fp.readline().decode()

    def close(self) -> None:
        self.conn.close()


@pytest.fixture
def events() -> Iterator[list[EventStream]]:
    """Streams opened by a test, closed after it."""
    opened: list[EventStream] = []
    yield opened
    for stream in opened:
        stream.close()


def open_stream(opened: list[EventStream], server: PreviewServer) -> EventStream:
    stream = EventStream(server)
    opened.append(stream)
    return stream


# -- what is served ------------------------------------------------------------


def test_index_and_directory_urls(serve):
    assert "Front page" in fetch(serve, "/").text
    page = fetch(serve, "/2026/11/24/harbour/")
    assert page.status == 200
    assert "Harbour reopens" in page.text
    assert "Harbour reopens" in fetch(serve, "/2026/11/24/harbour/index.html").text

    bare = fetch(serve, "/2026/11/24/harbour?x=1")
    assert bare.status in (301, 302)
    assert bare.headers["location"] == "/2026/11/24/harbour/?x=1"
    assert serve.url == f"http://127.0.0.1:{serve.port}/"


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/", "text/html; charset=utf-8"),
        ("/static/style.css", "text/css; charset=utf-8"),
        ("/feed.xml", "application/xml"),
        ("/feed.atom", "application/atom+xml"),
        ("/feed.json", "application/json"),
        ("/img/logo.svg", "image/svg+xml"),
        ("/img/map.png", "image/png"),
        ("/fonts/serif.woff2", "font/woff2"),
        ("/notes.txt", "text/plain; charset=utf-8"),
        ("/data.unknownext", "application/octet-stream"),
    ],
)
def test_content_types(serve, path, content_type):
    resp = fetch(serve, path)
    assert resp.status == 200
    assert resp.headers["content-type"] == content_type
    assert resp.headers["cache-control"] == "no-store"


def test_head_has_the_headers_of_get_and_no_body(serve):
    for path in ("/", "/img/map.png", "/missing/"):
        get = fetch(serve, path)
        head = fetch(serve, path, "HEAD")
        assert head.status == get.status
        assert head.body == b""
        assert head.headers["content-length"] == get.headers["content-length"]
        assert int(get.headers["content-length"]) == len(get.body)
        assert head.headers["content-type"] == get.headers["content-type"]


def test_other_methods_are_not_allowed(serve):
    resp = fetch(serve, "/", "POST")
    assert resp.status == 405
    assert "GET" in resp.headers["allow"]


def test_missing_file_gets_the_sites_404_page(serve, root):
    resp = fetch(serve, "/2026/no-such-article/")
    assert resp.status == 404
    assert "Nothing here" in resp.text
    assert "data-digest-live-reload" in resp.text
    assert resp.headers["cache-control"] == "no-store"

    (root / "404.html").unlink()
    plain = fetch(serve, "/2026/no-such-article/")
    assert plain.status == 404
    assert "404" in plain.text


def test_no_directory_listing(serve):
    for path in ("/no-index/", "/no-index", "/static/", "/fonts"):
        resp = fetch(serve, path)
        assert resp.status == 404, path
        assert "Nothing here" in resp.text  # the site's 404 page, not a listing
        assert "file.css" not in resp.text
        assert "serif.woff2" not in resp.text
    assert fetch(serve, "/static/style.css/").status == 404  # a file is not a folder


@pytest.mark.parametrize(
    "path",
    [
        "/../site.yaml",
        "/%2e%2e/site.yaml",
        "/%2E%2E%2Fsite.yaml",
        "/..%2fsite.yaml",
        "/..%2Fsite.yaml",
        "/static/../../site.yaml",
        "/static/%2e%2e/%2e%2e/site.yaml",
        "//etc/passwd",
        "/%2Fetc/passwd",
        "/..\\site.yaml",
        "/%5c..%5csite.yaml",
        "/..%5csite.yaml",
        "/../outside/secret.txt",
        "/../../outside/secret.txt",
        "/index.html%00.txt",
        "/%ff%fe",
    ],
)
def test_traversal_never_leaves_the_root(serve, path):
    resp = fetch(serve, path)
    assert resp.status in (400, 403, 404)
    assert SECRET not in resp.text
    assert "root:" not in resp.text


def test_symlinks_out_of_the_root_are_not_followed(serve, root):
    outside = root.parent.parent / "outside"
    try:
        (root / "leak.txt").symlink_to(outside / "secret.txt")
        (root / "leakdir").symlink_to(outside, target_is_directory=True)
        (root / "inside.css").symlink_to(root / "static" / "style.css")
    except OSError:
        pytest.skip("this file system has no symlinks")
    for path in ("/leak.txt", "/leakdir/secret.txt", "/leakdir/", "/leakdir"):
        resp = fetch(serve, path)
        assert resp.status in (403, 404), path
        assert SECRET not in resp.text
    assert fetch(serve, "/inside.css").status == 200  # a link within the root is fine


def test_hidden_files_are_not_served(serve, root):
    write_tree(root, {".git/config": SECRET, ".well-known/security.txt": "Contact: x\n"})
    assert SECRET not in fetch(serve, "/.git/config").text
    assert fetch(serve, "/.git/config").status == 404
    assert fetch(serve, "/.well-known/security.txt").status == 200


def test_host_header_is_checked_on_loopback(serve):
    evil = fetch(serve, "/", headers={"Host": "evil.example"})
    assert evil.status == 403
    assert "Front page" not in evil.text
    assert fetch(serve, "/", headers={"Host": f"evil.example:{serve.port}"}).status == 403
    assert fetch(serve, "/", headers={"Host": "localhost.evil.example"}).status == 403
    for host in ("localhost", f"localhost:{serve.port}", f"127.0.0.1:{serve.port}", "[::1]:80"):
        assert fetch(serve, "/", headers={"Host": host}).status == 200, host


def test_a_server_on_another_address_answers_only_for_its_names():
    # Worked out from the address alone: no test listens beyond loopback.
    names = allowed_hosts("192.0.2.10")
    assert {"192.0.2.10", "localhost", "127.0.0.1", socket.gethostname().lower()} <= names
    assert host_allowed("192.0.2.10:8000", names)
    assert host_allowed(f"{socket.gethostname()}:8000", names)
    assert not host_allowed("evil.example", names)
    assert not host_allowed("192.0.2.10.evil.example", names)
    everywhere = allowed_hosts("0.0.0.0")
    assert socket.gethostname().lower() in everywhere and "0.0.0.0" not in everywhere
    assert "[2001:db8::5]" in allowed_hosts("2001:db8::5")
    assert allowed_hosts("127.0.0.1") == frozenset({"localhost", "127.0.0.1", "[::1]"})


def test_connections_past_the_cap_are_refused_at_once(serve):
    idle = []
    try:
        for _ in range(MAX_CONNECTIONS):
            idle.append(socket.create_connection(("127.0.0.1", serve.port), timeout=TIMEOUT))
        deadline = time.monotonic() + TIMEOUT  # the server has taken them all in
        while len(serve._httpd._workers) < MAX_CONNECTIONS and time.monotonic() < deadline:  # type: ignore[union-attr]
            time.sleep(0.01)
        extra = socket.create_connection(("127.0.0.1", serve.port), timeout=TIMEOUT)
        with extra:
            assert extra.recv(100).startswith(b"HTTP/1.1 503 ")
    finally:
        for sock in idle:
            sock.close()
    assert fetch(serve, "/").status == 200  # and served again once they are gone


def test_a_client_dribbling_its_headers_is_dropped(root):
    server = PreviewServer(root, port=0, head_seconds=1.0)
    server.start()
    try:
        slow = socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT)
        with slow:
            slow.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
            started = time.monotonic()
            dropped = False
            while time.monotonic() - started < TIMEOUT:
                try:
                    slow.sendall(b"X-Slow: 1\r\n")  # a header every 0.2 s, never the end
                except OSError:
                    dropped = True
                    break
                slow.settimeout(0.2)
                try:
                    if slow.recv(100) == b"":
                        dropped = True
                        break
                except TimeoutError:
                    pass
            assert dropped, "a client that never finished its headers kept its connection"
            assert time.monotonic() - started < 4  # about head_seconds
        assert fetch(server, "/").status == 200  # a normal request is not held to it
    finally:
        server.stop()


def test_every_response_is_not_cached(serve):
    for path in ("/", "/img/map.png", "/missing", "/2026/11/24/harbour", "/../site.yaml"):
        assert fetch(serve, path).headers["cache-control"] == "no-store", path
    assert fetch(serve, "/", headers={"Host": "evil.example"}).headers["cache-control"] == (
        "no-store"
    )


# -- live-reload script ----------------------------------------------------------


def test_script_is_injected_before_the_last_body_but_not_on_disk(serve, root):
    on_disk = (root / "index.html").read_bytes()
    resp = fetch(serve, "/")
    assert int(resp.headers["content-length"]) == len(resp.body)
    text = resp.text
    assert text.count("data-digest-live-reload") == 1
    assert text.index("data-digest-live-reload") < text.rindex("</body>")
    assert text.endswith("</body>\n</html>\n")
    assert 'new EventSource(B+"__digest/events")' in text
    assert (root / "index.html").read_bytes() == on_disk

    script = text[text.index("<script data-digest-live-reload>") : text.index("</script>") + 9]
    assert len(script.encode()) < 2500
    assert "innerHTML" not in script

    bare = fetch(serve, "/bare.html").text
    assert bare.startswith("<p>no body element</p><script data-digest-live-reload>")
    assert "data-digest-live-reload" not in fetch(serve, "/static/style.css").text


def test_no_script_and_no_event_stream_without_live_reload(root):
    server = PreviewServer(root, port=0, live_reload=False)
    server.start()
    try:
        resp = fetch(server, "/")
        assert resp.body == (root / "index.html").read_bytes()
        assert fetch(server, "/__digest/events").status == 404
    finally:
        server.stop()


# -- base path -------------------------------------------------------------------


def test_site_is_mounted_at_the_base_path(news):
    assert news.url == f"http://127.0.0.1:{news.port}/news/"
    assert "Front page" in fetch(news, "/news/").text
    assert "Harbour reopens" in fetch(news, "/news/2026/11/24/harbour/").text
    assert fetch(news, "/news/static/style.css").status == 200

    top = fetch(news, "/")
    assert top.status == 302
    assert top.headers["location"] == "/news/"
    assert fetch(news, "/news").headers["location"] == "/news/"
    assert fetch(news, "/index.html").status == 404
    assert fetch(news, "/static/style.css").status == 404
    assert fetch(news, "/newsroom/").status == 404
    for path in ("/news/../site.yaml", "/news/%2e%2e/site.yaml", "/news/..%2f..%2fsite.yaml"):
        assert SECRET not in fetch(news, path).text
    assert 'const B="/news/"' in fetch(news, "/news/").text


# -- the event stream --------------------------------------------------------------


def test_event_stream_says_hello_then_reloads(serve, events):
    stream = open_stream(events, serve)
    assert stream.resp.status == 200
    assert stream.resp.headers["content-type"].startswith("text/event-stream")
    name, hello = stream.next()
    assert name == "hello"
    assert hello["generation"] == 0
    assert hello["errors"] == []
    assert isinstance(hello["server"], str) and hello["server"]

    serve.notify(["2026/11/24/harbour/index.html", "static/style.css", "index.html"])
    name, reload = stream.next()
    assert name == "reload"
    assert reload == {
        "generation": 1,
        "paths": ["/2026/11/24/harbour/", "/static/style.css", "/"],
    }


def test_reload_paths_are_under_the_base_path(news, events):
    stream = open_stream(events, news)
    assert stream.next()[0] == "hello"
    news.notify(["2026/11/24/harbour/index.html", "404.html", "img/map.png"])
    name, reload = stream.next()
    assert name == "reload"
    assert reload["paths"] == ["/news/2026/11/24/harbour/", "/news/404.html", "/news/img/map.png"]


def test_no_change_is_lost_when_notifications_come_quickly(serve, events):
    stream = open_stream(events, serve)
    stream.next()
    for n in range(5):
        serve.notify([f"img/{n}.png"])
    seen: list[object] = []
    generation = 0
    while generation < 5:
        name, data = stream.next()
        assert name == "reload"
        generation = int(str(data["generation"]))
        assert isinstance(data["paths"], list)
        seen += data["paths"]
    assert seen == [f"/img/{n}.png" for n in range(5)]


def test_errors_are_pushed_and_sent_to_new_pages(serve, events):
    stream = open_stream(events, serve)
    first_hello = stream.next()[1]
    errors = [
        {"path": "content/a.md", "line": 3, "message": "date: cannot read '24/11'"},
        {"path": "site.yaml", "line": None, "message": "<b>not html</b>"},
    ]
    serve.set_errors(errors)
    assert stream.next() == ("errors", {"errors": errors})

    late = open_stream(events, serve)  # a page loaded while the build is broken
    name, hello = late.next()
    assert name == "hello"
    assert hello["errors"] == errors
    assert hello["server"] == first_hello["server"]

    serve.set_errors([])
    assert stream.next() == ("errors", {"errors": []})
    assert late.next() == ("errors", {"errors": []})


def test_keepalive_comments(root, events):
    server = PreviewServer(root, port=0, keepalive=0.05)
    server.start()
    try:
        stream = open_stream(events, server)
        assert stream.next()[0] == "hello"
        assert stream.raw_line() == ": keepalive\n"
    finally:
        server.stop()


def test_an_open_event_stream_does_not_block_other_requests(serve, events):
    streams = [open_stream(events, serve) for _ in range(3)]
    for stream in streams:
        assert stream.next()[0] == "hello"
    started = time.monotonic()
    assert fetch(serve, "/").status == 200
    assert fetch(serve, "/static/style.css").status == 200
    assert time.monotonic() - started < 1.0


# -- building ----------------------------------------------------------------------


def test_requests_wait_while_building(serve, root):
    done = threading.Event()
    result: list[Response] = []

    def request() -> None:
        result.append(fetch(serve, "/"))
        done.set()

    with serve.building():
        (root / "index.html").write_text(PAGE.format(text="Half"), encoding="utf-8")
        worker = threading.Thread(target=request, daemon=True)
        worker.start()
        assert not done.wait(0.3), "a request was answered during a build"
        (root / "index.html").write_text(PAGE.format(text="Rebuilt"), encoding="utf-8")
    assert done.wait(TIMEOUT)
    worker.join(TIMEOUT)
    assert result[0].status == 200
    assert "Rebuilt" in result[0].text


def test_event_streams_do_not_wait_for_a_build(serve, events):
    with serve.building():
        stream = open_stream(events, serve)
        assert stream.next()[0] == "hello"


# -- start and stop ------------------------------------------------------------------


def test_stop_is_prompt_with_open_event_streams(root, events):
    server = PreviewServer(root, port=0)
    server.start()
    stream = open_stream(events, server)
    assert stream.next()[0] == "hello"
    idle = socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT)
    try:
        started = time.monotonic()
        server.stop()
        assert time.monotonic() - started < 1.0
        with pytest.raises(EOFError):
            stream.next()
        with contextlib.suppress(ConnectionResetError):  # reset, if it was never accepted
            assert idle.recv(1) == b""  # idle connections are closed too
    finally:
        idle.close()
    server.stop()  # twice is fine


def test_a_taken_port_raises_oserror(serve, root):
    second = PreviewServer(root, port=serve.port)
    with pytest.raises(OSError) as info:
        second.start()
    assert info.value.errno == errno.EADDRINUSE
    assert fetch(serve, "/").status == 200  # the first one is unharmed


def test_restart_gives_a_new_server_id(root, events):
    ids = []
    for _ in range(2):
        server = PreviewServer(root, port=0)
        server.start()
        try:
            stream = open_stream(events, server)
            ids.append(stream.next()[1]["server"])
        finally:
            server.stop()
    assert ids[0] != ids[1]
