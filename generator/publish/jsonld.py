"""Structured data for search engines and social previews (JSON-LD)."""

from __future__ import annotations

from typing import Any

from generator.config import SiteConfig
from generator.model import Article, urls
from generator.model.desks import Author
from generator.model.items import Byline
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
    if article.bylines:
        data["author"] = [person_ld(config, byline) for byline in article.bylines]
    elif article.authors:
        data["author"] = [{"@type": "Person", "name": name} for name in article.authors]
    else:
        data["author"] = [publisher_ld(config)]
    if article.image:
        data["image"] = [absolute(config, article.image)]
    if article.section is not None:
        data["articleSection"] = article.section.name
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


def person_ld(config: SiteConfig, person: Byline | Author) -> dict[str, Any]:
    """A schema.org ``Person``: the name, the author page, their links."""
    data: dict[str, Any] = {
        "@type": "Person",
        "name": person.name,
        "url": absolute(config, person.url),
    }
    same_as = person.same_as if isinstance(person, Byline) else person.links
    if same_as:
        data["sameAs"] = list(same_as)
    return data


def breadcrumb_ld(article: Article, config: SiteConfig) -> dict[str, Any]:
    """A schema.org ``BreadcrumbList``: the front page, the article's
    section (when it has one), the article."""
    crumbs = [(config.title, urls.absolute_url(config, "/"))]
    if article.section is not None:
        crumbs.append((article.section.name, absolute(config, article.section.url) or ""))
    crumbs.append((article.headline, article.permalink))
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": url}
            for n, (name, url) in enumerate(crumbs, start=1)
        ],
    }


def profile_page_ld(author: Author, config: SiteConfig) -> dict[str, Any]:
    """A schema.org ``ProfilePage`` whose main entity is the author."""
    person = person_ld(config, author)
    if author.role:
        person["jobTitle"] = author.role
    if author.photo:
        person["image"] = absolute(config, author.photo)
    return {
        "@context": "https://schema.org",
        "@type": "ProfilePage",
        "url": absolute(config, author.url),
        "mainEntity": person,
    }
