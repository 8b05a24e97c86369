"""``python -m generator`` and the ``digest`` command."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from typing import NoReturn

from generator.execute import BUILD_GC_THRESHOLD  # imports the standard library only

# Importing the package makes many objects, all kept: the cycle collector
# need not walk them again and again meanwhile (10-30 ms of every command).
_threshold = gc.get_threshold()
gc.set_threshold(*BUILD_GC_THRESHOLD)
from generator.cli import main  # noqa: E402

gc.set_threshold(*_threshold)


def run() -> NoReturn:
    """Run the command, then end the process without tearing the
    interpreter down: a build leaves millions of objects that Python would
    free one by one on the way out (10,000 articles: 0.4 s of a cold
    build's wall time), and the system takes the memory back at once.
    Everything the command does is done when ``main`` returns (the
    workers have stopped, files are closed, the state is saved); only
    the output streams are still to flush."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (digest build | head)
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
