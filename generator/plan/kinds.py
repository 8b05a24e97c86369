"""The page kinds: every kind of output the site has, declared in one table.

Each row says where its pages go, which layout (or built-in writer) makes
them, what they show, and how they are cut into pages; each page (or list)
has a key, so one page can be planned alone. The plan reads the table top
to bottom (the feeds are made for the lists of the rows above them, the
sitemap lists every page above it); the build, the dependency map and the
preview know kinds only through it. Adding a kind is a row here, its
functions (``plan/pages.py`` for the site's pages, ``plan/machine_pages.py``
for what other programs read; ``plan/rows.py`` says what they take), a
layout, and tests.
"""

from __future__ import annotations

from collections.abc import Mapping

from generator.plan import machine_pages as machine
from generator.plan import pages
from generator.plan.desks import author_listing, section_listing
from generator.plan.newsroom import CORRECTIONS_FEED_LAYOUT
from generator.plan.rows import Kind, one
from generator.publish.feeds import ATOM_LAYOUT

# -- the table -----------------------------------------------------------------------

KINDS: tuple[Kind, ...] = (
    Kind(
        name="article",
        url="permalinks.article: /{year}/{month}/{day}/{slug}/",
        layout="article.html",
        keys=pages.article_keys,
        page=pages.article,
        shows="the article; the teasers of its related, older and newer articles",
    ),
    Kind(
        name="withdrawn",
        url="the article's URL, once its expires: has come",
        layout="withdrawn.html",
        keys=lambda p: (placed.source for placed in p.structure.withdrawn),
        page=pages.withdrawn,
        shows="the article's teaser (its headline) and when it was withdrawn; no body",
    ),
    Kind(
        name="index",
        url="/, /page/2/, ...",
        layout="index.html",
        keys=one("/"),
        list=pages.index,
        feeds=("atom", "json"),
        shows="the teasers of every article, newest first",
    ),
    Kind(
        name="tag",
        url="permalinks.tag: /tags/{slug}/",
        layout="tag.html",
        keys=lambda p: (t.slug for t in p.structure.tags),
        list=pages.tag,
        feeds=("atom",),
        shows="the tag; the teasers of its articles, newest first",
    ),
    Kind(
        name="tags",
        url="permalinks.tags: /tags/",
        layout="tags.html",
        keys=one("tags"),
        page=pages.tag_index,
        shows="every tag with its article count",
    ),
    Kind(
        name="section",
        url="permalinks.section: /{key}/",
        layout="section.html",
        keys=lambda p: (s.key for s in p.structure.desks.sections),
        list=lambda p, key: section_listing(p.config, p.structure, key),
        feeds=("atom", "json"),
        shows="the section; the teasers of its articles, newest first",
    ),
    Kind(
        name="author",
        url="permalinks.author: /authors/{slug}/",
        layout="author.html",
        keys=lambda p: (a.slug for a in p.structure.desks.authors),
        list=lambda p, slug: author_listing(p.config, p.structure, slug),
        feeds=("atom",),
        shows="the author and their profile; the teasers of their articles, newest first",
    ),
    Kind(
        name="authors",
        url="permalinks.authors: /authors/",
        layout="authors.html",
        keys=lambda p: ("authors",) if p.structure.desks.authors else (),
        page=pages.authors_index,
        shows="every author with their article count",
    ),
    Kind(
        name="archive",
        url="/{year}/, /{year}/{month}/, /{year}/{month}/{day}/",
        layout="archive.html",
        keys=lambda p: p.archives(),
        list=lambda p, k: p.archives()[k],
        shows="the period, its sub-periods; the teasers of its articles",
    ),
    Kind(
        name="corrections",
        url="/corrections/ (when an article has corrections:)",
        layout="corrections.html",
        keys=pages.corrections_keys,
        page=pages.corrections,
        shows="every correction, newest first, with the teaser of its article",
    ),
    Kind(
        name="corrections_feed",
        url="/corrections/feed.xml",
        layout=CORRECTIONS_FEED_LAYOUT,
        keys=pages.corrections_keys,
        page=machine.corrections_atom,
        needs_host=True,
        shows="the newest feeds.entries corrections, with the teaser of their article",
    ),
    Kind(
        name="404",
        url="/404.html",
        layout="404.html",
        keys=one("404"),
        page=pages.not_found,
        shows="nothing more",
    ),
    Kind(
        name="search",
        url="/search/ (unless search: false)",
        layout="search.html",
        keys=pages.search_keys,
        page=pages.search,
        shows="a search form; the results of ?q= from the search index, with filters",
    ),
    Kind(
        name="favicon",
        url="/favicon.svg (unless favicon: names the site's own)",
        layout="favicon.svg",
        keys=pages.favicon_keys,
        page=pages.favicon,
        shows="the favicon settings and the title's first letter",
    ),
    Kind(
        name="feed",
        url="feed.xml beside each list that has one",
        layout=ATOM_LAYOUT,
        keys=machine.feed_keys("atom"),
        page=machine.feed("feed.xml", "Atom"),
        needs_host=True,
        shows="the newest feeds.entries articles of a list, bodies included",
    ),
    Kind(
        name="json_feed",
        url="feed.json beside each list that has one",
        producer="json_feed",
        keys=machine.feed_keys("json"),
        page=machine.feed("feed.json", "JSON"),
        needs_host=True,
        shows="the newest feeds.entries articles of a list, bodies included",
    ),
    Kind(
        name="sitemap",
        url="/sitemap.xml",
        producer="sitemap",
        keys=machine.sitemap_keys,
        page=machine.sitemap,
        needs_host=True,
        needs_all=True,
        shows="every page with a date, and the date",
    ),
    Kind(
        name="news_sitemap",
        url="/news-sitemap.xml",
        producer="news_sitemap",
        keys=one("news-sitemap"),
        page=machine.news_sitemap,
        needs_host=True,
        changes_at=machine.news_changes_at,
        shows="the headlines of the articles of the last two days (the build time decides)",
    ),
    Kind(
        name="robots",
        url="/robots.txt",
        producer="robots",
        keys=one("robots"),
        page=machine.robots,
        needs_host=True,
        shows="where the sitemaps are",
    ),
    Kind(
        name="redirect",
        url="each old URL: aliases:, and published-urls.txt",
        producer="redirect",
        keys=machine.redirect_keys,
        page=machine.redirect,
        shows="the teaser of the article the old URL leads to (last: other pages win)",
    ),
    Kind(
        name="redirects",
        url="/_redirects (when there are redirects)",
        producer="redirects_file",
        keys=lambda p: ("_redirects",) if p.structure.redirects else (),
        page=machine.redirects_file,
        needs_all=True,
        shows="every old URL and where it leads",
    ),
)

KIND: Mapping[str, Kind] = {kind.name: kind for kind in KINDS}
