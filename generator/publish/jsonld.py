"""Structured data for search engines and social previews (JSON-LD)."""

from __future__ import annotations

from typing import Any

from generator.config import SiteConfig
from generator.model import Article, urls
from generator.publish.feeds import absolute


def publisher_ld(config: SiteConfig) -> dict[str, Any]:
    publisher: dict[str, Any] = {
        "@type": "NewsMediaOrganization",
        "name": config.publisher.name or config.title,
        "url": absolute(config, config.publisher.url) or urls.absolute_url(config, "/"),
    }
    if config.publisher.logo:
        logo = config.publisher.logo
        if logo.startswith("/") and not logo.startswith("//"):
            logo = urls.absolute_url(config, logo)
        publisher["logo"] = {"@type": "ImageObject", "url": logo}
    return publisher


def news_article_ld(article: Article, config: SiteConfig) -> dict[str, Any]:
    """A schema.org ``NewsArticle``; the layout prints it with ``|tojson``,
    which escapes it for a ``<script>`` element."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.headline,
        "url": article.permalink,
        "mainEntityOfPage": article.permalink,
        "datePublished": article.date.isoformat(timespec="seconds"),
        "dateModified": (article.updated or article.date).isoformat(timespec="seconds"),
        "inLanguage": article.lang or config.language,
        "publisher": publisher_ld(config),
    }
    if article.summary:
        data["description"] = article.summary
    if article.authors:
        data["author"] = [{"@type": "Person", "name": name} for name in article.authors]
    else:
        data["author"] = [publisher_ld(config)]
    if article.image:
        data["image"] = [absolute(config, article.image)]
    if article.tags:
        data["keywords"] = [t.name for t in article.tags]
    data["wordCount"] = article.words
    if article.corrections:
        data["correction"] = [
            {
                "@type": "CorrectionComment",
                "text": c.text,
                "datePublished": c.date.isoformat(timespec="seconds"),
            }
            for c in article.corrections
        ]
    return data
