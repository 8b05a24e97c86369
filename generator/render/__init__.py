"""Stage 5, render: one job -> the bytes of its output, or the layout's error.

``renderer.Renderer`` holds a Jinja environment (``layouts.py``: the site's
layouts over the built-in theme, in ``environment.py``'s lighter Jinja
environment) and makes a job's context real (``materialize.py``: references
become teasers, articles with their bodies, feed entries) before it runs the
job's layout or built-in writer.
``info.LayoutInfo`` is what the build learns of the layouts beforehand.
Jinja is imported only by the modules that run it.
"""
