"""The site's icon: every page names one that exists, so no browser asks for
a /favicon.ico that is not there. The built-in icon is a letter on a square
of colour, set in site.yaml; a site may name its own instead."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tests.conftest import article

SVG = "{http://www.w3.org/2000/svg}"


def _icon_links(site, rel):
    return [link.attrs for link in site.page(rel).select("link[rel=icon]")]


def test_every_page_links_the_built_in_icon_which_is_written(make_site):
    site = make_site({"content/a.md": article("Harbour reopens", tags="[Ports]")})
    site.build()
    icon = ET.fromstring((site.output / "favicon.svg").read_bytes())
    assert icon.tag == f"{SVG}svg"
    assert icon.find(f"{SVG}rect").get("fill") == "#a3201d"  # type: ignore[union-attr]
    assert icon.find(f"{SVG}text").text == "D"  # type: ignore[union-attr]  # "Digest"
    for rel in ("", "2026/11/24/harbour-reopens/", "tags/ports/", "tags/", "404.html"):
        assert _icon_links(site, rel) == [
            {"rel": "icon", "href": "/favicon.svg", "type": "image/svg+xml"}
        ], rel


def test_letter_and_colours_from_site_yaml_under_a_sub_path(make_site):
    site = make_site(
        {
            "site.yaml": 'title: "The Harbour Times"\nbase_url: https://news.example/harbour/\n'
            'favicon:\n  letter: "<"\n  background: "#0b3d91"\n  color: white\n',
            "content/a.md": article(),
        }
    )
    site.build()
    data = (site.output / "favicon.svg").read_bytes()
    assert b"&lt;</text>" in data  # the letter is escaped: the SVG stays well-formed
    icon = ET.fromstring(data)
    assert icon.find(f"{SVG}rect").get("fill") == "#0b3d91"  # type: ignore[union-attr]
    assert icon.find(f"{SVG}text").get("fill") == "white"  # type: ignore[union-attr]
    assert _icon_links(site, "")[0]["href"] == "/harbour/favicon.svg"


def test_the_sites_own_icon_replaces_the_built_in_one(make_site):
    site = make_site(
        {
            "site.yaml": "base_url: /news/\nfavicon: /static/icon.png\n",
            "layouts/static/icon.png": b"\x89PNG\r\n\x1a\n",
            "content/a.md": article(),
        }
    )
    site.build()
    assert not (site.output / "favicon.svg").exists()
    assert (site.output / "static/icon.png").is_file()
    assert _icon_links(site, "") == [{"rel": "icon", "href": "/news/static/icon.png"}]


def test_a_colour_that_is_not_one_is_an_error_at_its_line(make_site):
    site = make_site(
        {
            "site.yaml": "title: News\nfavicon:\n  background: 'red; x'\n  shape: round\n",
            "content/a.md": article(),
        }
    )
    run = site.digest("build")
    assert run.code == 1
    assert (
        "site.yaml:2: error: favicon.background: 'red; x' is not a colour "
        '(write it as "#a3201d" (in quotes) or a CSS colour name)'
    ) in run.err
    assert "site.yaml:2: warning: unknown setting 'favicon.shape' (it is ignored)" in run.err
    assert not site.output.exists()


def test_feeds_and_publisher_settings_are_known(make_site):
    site = make_site(
        {
            "site.yaml": "base_url: https://news.example/\nfeeds:\n  entries: 1\n"
            "publisher:\n  name: Harbour Media\n",
            "content/a.md": article("First"),
            "content/b.md": article("Second", date="2026-11-25"),
        }
    )
    run = site.build()
    assert "unknown setting" not in run.err
    feed = (site.output / "feed.xml").read_text(encoding="utf-8")
    assert feed.count("<entry>") == 1 and "Harbour Media" in feed
