"""The preview's alarm: a rebuild at the next moment the site changes by
itself (an article scheduled for that minute goes live, one expires, one
leaves the news sitemap's window), with no file saved.

The build says when that is (``State.valid_until``, the plan's); the alarm
waits for the wall clock to reach it, in a thread of its own, and is set
again after every build.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

LONGEST_WAIT = 3600.0  # seconds: the clock is looked at again at least this often


class Alarm:
    """Calls ``ring`` (in its own thread) once the wall clock reaches the
    time last ``set``; each time set rings at most once."""

    def __init__(self, ring: Callable[[], None]) -> None:
        self._ring = ring
        self._at = math.inf
        self._stopped = False
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="digest-alarm", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def set(self, at: float) -> None:
        """Ring at ``at`` (a timestamp; inf: never), instead of when set before."""
        with self._changed:
            self._at = at
            self._changed.notify()

    def stop(self) -> None:
        with self._changed:
            self._stopped = True
            self._changed.notify()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._stopped and (wait := self._at - time.time()) > 0:
                    self._changed.wait(timeout=min(wait, LONGEST_WAIT))
                if self._stopped:
                    return
                self._at = math.inf
            self._ring()
