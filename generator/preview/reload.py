"""Live reload: what the preview's browsers are told, and how.

Every HTML page is served with a small script (``script_tag``) injected
before its last ``</body>`` (the files on disk are never changed). The script
listens to a server-sent event stream (see ``server.py``):

- ``hello`` ``{"server": id, "generation": n, "errors": [...]}``, first, on
  every connection; a new server id (the server restarted) or a generation the
  page has not seen makes the page reload;
- ``reload`` ``{"generation": n, "paths": [...]}`` after a build: the URL
  paths of the files that changed. The page reloads if it is one of them or if
  anything but HTML pages and stylesheets changed; changed stylesheets alone are
  swapped in place;
- ``errors`` ``{"errors": [...]}``: the page shows them in an overlay, and
  reloads once they are gone.

``LiveState`` is what every event stream and waiting request shares.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from generator.diagnostics import Diagnostic

HISTORY = 256  # reload events remembered for event streams that fall behind
SCRIPT_ATTR = "data-digest-live-reload"
EVERYTHING = "*"  # a reload path meaning "reload whatever you show"

# The live-reload client (ES2017, no dependencies). B: base path, S: server id,
# G: generation the page was served at, P: URL path of the file served.
_CLIENT_JS = """(()=>{
const B=%(base)s,S=%(server)s,P=%(page)s;let G=%(generation)s,bad=false;
const D=document,ss=sessionStorage,K="digest-scroll:"+location.pathname;
const n=p=>{try{p=decodeURI(p)}catch(e){}return p.replace(/\\/index\\.html?$/i,"/")};
const css=p=>/\\.css$/i.test(p),page=p=>/(\\/|\\.html?)$/i.test(p);
const go=()=>{try{ss.setItem(K,String(scrollY))}catch(e){}location.reload()};
let y=null;try{y=ss.getItem(K);ss.removeItem(K)}catch(e){}
if(y!==null)addEventListener("load",()=>scrollTo(0,+y));
const show=es=>{let d=D.getElementById("digest-errors");if(d)d.remove();if(!es.length)return;
d=D.createElement("div");d.id="digest-errors";d.setAttribute("role","alert");
d.style.cssText="position:fixed;left:0;right:0;bottom:0;z-index:2147483647;max-height:50vh;\
overflow:auto;margin:0;padding:12px 16px;background:#2b0d0d;color:#fff;text-align:left;\
border-top:4px solid #e5484d;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;\
white-space:pre-wrap;box-shadow:0 -2px 12px #0008";
const h=D.createElement("strong");h.textContent="Build failed ("+es.length+")";d.append(h);
for(const e of es){const l=D.createElement("div");
l.textContent=e.path+(e.line==null?"":":"+e.line)+": "+e.message;d.append(l)}
(D.body||D.documentElement).append(d)};
const errs=es=>{if(es.length){bad=true;show(es)}else if(bad){show(es);go()}};
const src=new EventSource(B+"__digest/events");
src.addEventListener("hello",ev=>{const d=JSON.parse(ev.data);
if(d.server!==S||d.generation!==G)go();else errs(d.errors)});
src.addEventListener("errors",ev=>errs(JSON.parse(ev.data).errors));
src.addEventListener("reload",ev=>{const d=JSON.parse(ev.data),ps=d.paths.map(n);
G=d.generation;
if(ps.includes(n(P))||ps.includes(n(location.pathname))||ps.some(p=>!css(p)&&!page(p))){
go();return}
for(const l of D.querySelectorAll('link[rel~="stylesheet"]')){const u=new URL(l.href);
if(ps.includes(n(u.pathname))){u.searchParams.set("v",G);l.href=u.href}}});
})();"""


def diagnostics_to_errors(diagnostics: Iterable[Diagnostic]) -> list[dict[str, object]]:
    """The errors among ``diagnostics`` in the shape ``set_errors`` takes."""
    return [
        {
            "path": d.path,
            "line": d.line,
            "message": d.text + (f" ({d.hint})" if d.hint else ""),
        }
        for d in diagnostics
        if d.is_error
    ]


@dataclass(frozen=True, slots=True)
class Snapshot:
    generation: int
    errors_version: int
    errors: tuple[dict[str, object], ...]
    closed: bool


class LiveState:
    """Generation, reload history, current errors and the build lock, under one
    condition variable that every event stream and waiting request sleeps on."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._generation = 0
        self._history: deque[tuple[int, tuple[str, ...]]] = deque(maxlen=HISTORY)
        self._errors: tuple[dict[str, object], ...] = ()
        self._errors_version = 0
        self._building = 0
        self._closed = False

    def snapshot(self) -> Snapshot:
        with self._cond:
            return self._snapshot()

    def _snapshot(self) -> Snapshot:
        return Snapshot(self._generation, self._errors_version, self._errors, self._closed)

    def notify(self, paths: tuple[str, ...]) -> None:
        with self._cond:
            self._generation += 1
            self._history.append((self._generation, paths))
            self._cond.notify_all()

    def set_errors(self, errors: tuple[dict[str, object], ...]) -> None:
        with self._cond:
            self._errors = errors
            self._errors_version += 1
            self._cond.notify_all()

    def begin_build(self) -> None:
        with self._cond:
            self._building += 1

    def end_build(self) -> None:
        with self._cond:
            self._building -= 1
            self._cond.notify_all()

    def wait_for_build(self, timeout: float) -> bool:
        """False if a build was still running after ``timeout`` seconds."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._building or self._closed, timeout)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def reopen(self) -> None:
        with self._cond:
            self._closed = False

    def wait_for_change(self, seen: Snapshot, timeout: float) -> Snapshot:
        with self._cond:
            self._cond.wait_for(
                lambda: (
                    self._closed
                    or self._generation != seen.generation
                    or self._errors_version != seen.errors_version
                ),
                timeout,
            )
            return self._snapshot()

    def paths_since(self, generation: int) -> list[str]:
        """Every path changed after ``generation``, or ``[EVERYTHING]`` when
        part of that history was forgotten."""
        with self._cond:
            missed = [(gen, paths) for gen, paths in self._history if gen > generation]
            if self._generation > generation and (not missed or missed[0][0] != generation + 1):
                return [EVERYTHING]
        merged: list[str] = []
        for _gen, paths in missed:
            merged += [p for p in paths if p not in merged]
        return merged


def script_tag(*, base: str, server_id: str, generation: int, page: str) -> str:
    js = _CLIENT_JS % {
        "base": _js(base),
        "server": _js(server_id),
        "generation": _js(generation),
        "page": _js(page),
    }
    return f"<script {SCRIPT_ATTR}>{js}</script>"


def _js(value: object) -> str:
    """A JSON literal that is safe inside an inline <script>."""
    text = json.dumps(value)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def inject(html: bytes, script: str) -> bytes:
    """``script`` right before the last ``</body>``, or at the end."""
    at = html.lower().rfind(b"</body>")
    tag = script.encode()
    if at < 0:
        return html + tag
    return html[:at] + tag + html[at:]


def clean_error(error: Mapping[str, object]) -> dict[str, object]:
    line = error.get("line")
    return {
        "path": str(error.get("path", "")),
        "line": line if isinstance(line, int) and not isinstance(line, bool) else None,
        "message": str(error.get("message", "")),
    }
