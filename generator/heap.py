"""The cyclic garbage collector during a build.

A build makes millions of long-lived objects in bulk (the saved state, the
parsed articles, the site model, the plan) and none of them is cyclic garbage;
only rendering (Jinja) leaves cycles behind. Left on, the collector scans the
bulk again and again for nothing: a quarter of a one-edit build on 10,000
articles. So it is paused while the bulk is made, and back on to render.
"""

from __future__ import annotations

import gc


class BulkPhase:
    """Pauses the collector from creation to ``end()``. With ``freeze``,
    ``end()`` also moves every object alive into the permanent generation,
    so later collections (and forked workers, whose pages would otherwise be
    copied when the collector touches them) leave the bulk alone. Frozen
    objects are still freed by reference counting; only a cycle frozen while
    garbage would stay, so a long-running process passes ``freeze=False``."""

    def __init__(self, *, freeze: bool) -> None:
        self._enabled = gc.isenabled()
        self._freeze = freeze
        self._active = True
        gc.disable()

    def end(self) -> None:
        if not self._active:
            return
        self._active = False
        if self._freeze:
            gc.freeze()
        if self._enabled:
            gc.enable()
