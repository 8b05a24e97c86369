"""Digest: a static-site generator for news digests.

The build is a pipeline of small modules, each with one job, passing plain data:

    config (site.yaml) -> load (content/) -> parse (front matter + Markdown)
    -> model (articles, tags, URLs) -> plan (one Job per output, with its inputs)
    -> render (Jinja) -> write (staging folder, swapped in whole)

``pipeline.run`` strings them together; the CLI, ``digest check`` and the preview
server all call it.
"""

from __future__ import annotations

__version__ = "0.1.0"
