"""What a page shows of an image: a ``Picture`` (its URLs, srcsets and
size, plain data on the teaser and the article) and its HTML: a
``<picture>`` with a ``<source>`` per modern format and an ``<img>`` with
the fallback's ``srcset``, ``width`` and ``height`` (so the page keeps its
place while the image loads); one image per page loaded first
(``fetchpriority="high"``), every other one when it comes into view.

Layouts get the same HTML with the ``picture`` filter
(``{{ article.picture|picture(alt=article.image_alt, sizes="100vw") }}``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from urllib.parse import quote

from markupsafe import Markup

from generator.fingerprint import plain_repr
from generator.images import ImageInfo, Variant


@plain_repr
@dataclass(frozen=True, slots=True, kw_only=True)
class Picture:
    """An image as a layout offers it."""

    src: str  # URL of the fallback at its widest (or of the image as it is: SVG, GIF)
    width: int  # the image's size as shown: ``src``'s
    height: int
    srcset: str  # the fallback's widths: "a-480w.jpg 480w, a-960w.jpg 960w"
    type: str  # the fallback's media type ("" for an image published as it is)
    sources: tuple[tuple[str, str], ...]  # (media type, srcset) per modern format, best first


def make_picture(info: ImageInfo, url: Callable[[str], str]) -> Picture:
    """``url`` turns an output path into its URL."""
    fallback = info.fallback
    if not fallback:  # published as it is
        return Picture(
            src=url(quote(info.path)),
            width=info.width,
            height=info.height,
            srcset="",
            type="",
            sources=(),
        )
    widest = fallback[-1]
    return Picture(
        src=url(quote(widest.dest)),
        width=widest.width,
        height=widest.height,
        srcset=_srcset(fallback, url),
        type=widest.mime,
        sources=tuple(
            (variants[0].mime, _srcset(variants, url))
            for variants in (info.of_format(fmt) for fmt in info.modern)
        ),
    )


def _srcset(variants: tuple[Variant, ...], url: Callable[[str], str]) -> str:
    return ", ".join(f"{url(quote(v.dest))} {v.width}w" for v in variants)


def picture_html(
    picture: Picture,
    *,
    alt: str,
    sizes: str,
    eager: bool = False,
    title: str | None = None,
    css_class: str | None = None,
) -> Markup:
    """The HTML of one image: ``eager`` for the one image a page shows
    first (the lead photo: loaded at once, before the others), every other
    one lazily. ``alt`` and ``title`` are text (escaped here)."""
    loading = ' fetchpriority="high"' if eager else ' loading="lazy" decoding="async"'
    img = (
        f'<img src="{escape(picture.src)}"'
        + (f' srcset="{escape(picture.srcset)}" sizes="{escape(sizes)}"' if picture.srcset else "")
        + (f' width="{picture.width}" height="{picture.height}"' if picture.width else "")
        + f' alt="{escape(alt)}"'
        + (f' title="{escape(title)}"' if title else "")
        + (f' class="{escape(css_class)}"' if css_class else "")
        + f"{loading}>"
    )
    if not picture.sources:
        return Markup(img)
    sources = "".join(
        f'<source type="{mime}" srcset="{escape(srcset)}" sizes="{escape(sizes)}">'
        for mime, srcset in picture.sources
    )
    return Markup(f"<picture>{sources}{img}</picture>")


def figure_html(body: Markup, caption: str) -> Markup:
    """An image with its caption (a Markdown image's title)."""
    return Markup(f"<figure>{body}<figcaption>{escape(caption)}</figcaption></figure>")
