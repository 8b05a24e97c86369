"""Live reload in a real browser: ``digest serve``'s Preview (first build, server,
watcher, incremental rebuilds) on a temp site, and headless Chromium (Playwright
driving Debian's chromium) showing its pages while the files on disk change.

Each test starts its own Preview on a free loopback port and opens a fresh page
in a module-wide browser. Every wait has a timeout; there are no fixed sleeps.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import pytest

from generator.preview import Preview, PreviewOptions, Rebuild
from tests.conftest import CHROME_ARGS, CHROMIUM, SiteDir, article, require

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Locator, Page

WAIT_MS = 10_000  # the longest any single wait in the browser may take
WAIT_S = WAIT_MS / 1000

# Newest first: HARBOUR, COUNCIL, MUSEUM. HARBOUR and MUSEUM share no tag and are
# not neighbours in date order, so nothing of MUSEUM is shown on HARBOUR's page.
HARBOUR = "content/2026-11-24-harbour.md"
COUNCIL = "content/2026-11-22-council.md"
MUSEUM = "content/2026-11-20-museum.md"
HARBOUR_URL = "2026/11/24/harbour-reopens-after-the-storm/"
COUNCIL_URL = "2026/11/22/council-debates-the-budget/"
MUSEUM_URL = "2026/11/20/museum-opens-a-new-wing/"
STYLE = "layouts/static/style.css"

FILLER = (
    "The quay was busy from early morning, and the ferries kept to their timetable "
    "while the crews checked every mooring line twice before the afternoon tide."
)


def body(first: str, *, later: str = "Paragraph forty holds the detail.") -> str:
    """A first paragraph, 60 paragraphs in all (long enough to scroll), and a
    replaceable paragraph 40."""
    paragraphs = [first]
    for number in range(2, 61):
        paragraphs.append(later if number == 40 else f"{number}. {FILLER}")
    return "\n\n".join(paragraphs)


def harbour(first: str = "Status: open.", headline: str = "Harbour reopens after the storm") -> str:
    return article(
        headline,
        "2026-11-24 09:00",
        body(first),
        slug="harbour-reopens-after-the-storm",  # the URL stays when the headline changes
        tags="[Harbour, Shipping]",
        standfirst="Ships are back in port.",
    )


def council() -> str:
    return article(
        "Council debates the budget",
        "2026-11-22 09:00",
        body("The debate lasted all day."),
        tags="[Politics]",
        standfirst="A long session.",
    )


def museum(later: str = "Paragraph forty holds the detail.") -> str:
    return article(
        "Museum opens a new wing",
        "2026-11-20 09:00",
        body("The doors opened at ten.", later=later),
        tags="[Culture]",
        standfirst="Twelve new rooms.",
    )


SITE: Mapping[str, str] = {HARBOUR: harbour(), COUNCIL: council(), MUSEUM: museum()}

# Counts the page's navigations as they start (the Navigation API fires
# ``navigate`` synchronously inside ``location.reload()``), and keeps every
# EventSource the page opens, so a test can listen to the live-reload stream
# after the client script's own listeners.
INIT_SCRIPT = """
window.__navigations = [];
if (window.navigation) {
  navigation.addEventListener("navigate", e => window.__navigations.push(e.navigationType));
}
window.__sources = [];
const NativeEventSource = window.EventSource;
window.EventSource = class extends NativeEventSource {
  constructor(...args) { super(...args); window.__sources.push(this); }
};
"""

# After the client's own "reload" listener has run (listeners run in the order
# they were added), record the generation the page has seen.
TRACK_GENERATION = """() => {
  window.__seen = -1;
  for (const s of window.__sources) {
    s.addEventListener("reload", ev => { window.__seen = JSON.parse(ev.data).generation; });
  }
  return window.__sources.length;
}"""

NAVIGATION_TYPE = "() => performance.getEntriesByType('navigation')[0].type"


class Live:
    """A running Preview of a temp site, and what its rebuilds did."""

    def __init__(self, site: SiteDir) -> None:
        self.site = site
        self.rebuilds: list[Rebuild] = []
        self.preview = Preview(
            PreviewOptions(site_dir=site.root, output_dir=site.output, port=0, debounce=0.05),
            report=self.rebuilds.append,
        )

    @property
    def url(self) -> str:
        assert self.preview.server is not None
        return self.preview.server.url

    @property
    def generation(self) -> int:
        assert self.preview.server is not None
        return self.preview.server.generation

    def write(self, rel: str, text: str) -> None:
        """Save in place, as most editors do."""
        (self.site.root / rel).write_text(text, encoding="utf-8")

    def overwrite(self, rel: str, text: str) -> None:
        """Save in place without truncating first, so that a text of the same
        length is one write: the watcher can never see a half-written file."""
        data = text.encode()
        with (self.site.root / rel).open("r+b") as file:
            file.write(data)
            file.truncate(len(data))

    def write_atomically(self, rel: str, text: str) -> None:
        """Save to a temp file, then rename it over the file."""
        target = self.site.root / rel
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)

    def wait_for_rebuild(self, after: int, *, ok: bool) -> Rebuild:
        """The first watcher-driven rebuild with this outcome among the reports
        after the first ``after`` (an in-place save caught half-written makes an
        extra rebuild before it)."""
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            for rebuild in self.rebuilds[after:]:
                if rebuild.batch is not None and rebuild.result.ok == ok:
                    return rebuild
            time.sleep(0.02)
        seen = [[str(d) for d in r.result.diagnostics] for r in self.rebuilds[after:]]
        raise AssertionError(f"no rebuild with ok={ok} within {WAIT_S} s; got {seen}")

    def wait_for_generation(self, above: int) -> int:
        deadline = time.monotonic() + WAIT_S
        while self.generation <= above:
            assert time.monotonic() < deadline, f"generation stayed at {self.generation}"
            time.sleep(0.02)
        return self.generation


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require(CHROMIUM, "Debian's chromium is needed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[[], Page]]:
    """Fresh pages, each in its own context (own sessionStorage), closed after the test."""
    contexts: list[BrowserContext] = []

    def make() -> Page:
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        page = context.new_page()
        page.add_init_script(INIT_SCRIPT)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[[], Page]) -> Page:
    return new_page()


def started(site: SiteDir) -> Iterator[Live]:
    live = Live(site)
    first = live.preview.start()
    try:
        assert first.result.ok, [str(d) for d in first.result.diagnostics]
        yield live
    finally:
        live.preview.stop()


@pytest.fixture
def live(make_site: Callable[[Mapping[str, str | bytes]], SiteDir]) -> Iterator[Live]:
    yield from started(make_site(SITE))


@pytest.fixture
def styled(make_site: Callable[[Mapping[str, str | bytes]], SiteDir]) -> Iterator[Live]:
    """The site with its own stylesheet, which replaces the theme's."""
    yield from started(make_site({**SITE, STYLE: "body { background: rgb(255, 255, 255); }\n"}))


def open_page(page: Page, url: str) -> None:
    """Open ``url`` and wait until the live-reload stream is connected."""
    page.goto(url, wait_until="load")
    assert page.locator("script[data-digest-live-reload]").count() == 1
    page.wait_for_function(
        "() => window.__sources.length > 0 && window.__sources[0].readyState === 1"
    )
    page.evaluate("window.__marker = 1")


def marker(page: Page) -> Any:
    return page.evaluate("window.__marker")


def overlay(page: Page) -> Locator:
    """The client's error overlay (``div#digest-errors``, role="alert")."""
    return page.get_by_role("alert")


# -- the tests -------------------------------------------------------------------


def test_editing_the_article_reloads_its_page(live: Live, page: Page) -> None:
    from playwright.sync_api import expect

    open_page(page, live.url + HARBOUR_URL)
    first = page.locator(".article-body p").first
    expect(first).to_have_text("Status: open.")

    live.write(HARBOUR, harbour("Status: closed again."))

    expect(first).to_have_text("Status: closed again.", timeout=WAIT_MS)
    assert marker(page) is None  # a new document
    assert page.evaluate(NAVIGATION_TYPE) == "reload"  # by location.reload(), not by us
    assert page.locator("script[data-digest-live-reload]").count() == 1


@pytest.mark.parametrize("restoration", ["auto", "manual"])
def test_scroll_position_is_kept(live: Live, page: Page, restoration: str) -> None:
    """With ``manual``, the browser restores nothing itself: the client does."""
    from playwright.sync_api import expect

    open_page(page, live.url + HARBOUR_URL)
    page.evaluate(f"history.scrollRestoration = {restoration!r}")
    page.evaluate("window.scrollTo(0, 1500)")
    page.wait_for_function("() => Math.abs(window.scrollY - 1500) <= 1")

    live.write(HARBOUR, harbour("Status: scrolled."))

    expect(page.locator(".article-body p").first).to_have_text("Status: scrolled.")
    page.wait_for_function("() => document.readyState === 'complete'")
    assert marker(page) is None
    assert page.evaluate("history.scrollRestoration") == restoration
    page.wait_for_function("() => Math.abs(window.scrollY - 1500) <= 50")
    # and it stays there
    assert abs(page.evaluate("window.scrollY") - 1500) <= 50


def test_atomic_save_reloads_the_page(live: Live, page: Page) -> None:
    from playwright.sync_api import expect

    open_page(page, live.url + HARBOUR_URL)

    live.write_atomically(HARBOUR, harbour("Status: saved atomically."))

    expect(page.locator(".article-body p").first).to_have_text("Status: saved atomically.")
    assert marker(page) is None
    assert not (live.site.root / "content" / ".2026-11-24-harbour.md.tmp").exists()


def test_yaml_error_shows_an_overlay_and_the_fix_reloads(live: Live, page: Page) -> None:
    from playwright.sync_api import expect

    open_page(page, live.url + HARBOUR_URL)
    headline = page.locator("h1.headline")
    expect(headline).to_have_text("Harbour reopens after the storm")
    expect(overlay(page)).to_have_count(0)

    count = len(live.rebuilds)
    live.write(HARBOUR, harbour(headline="[broken"))
    live.wait_for_rebuild(count, ok=False)

    alert = overlay(page)
    expect(alert).to_be_visible()
    expect(alert).to_have_attribute("id", "digest-errors")
    expect(alert).to_contain_text("Build failed (1)")
    expect(alert).to_contain_text(f"{HARBOUR}:2: invalid YAML")
    # The last good page is still shown; nothing reloaded it.
    expect(headline).to_have_text("Harbour reopens after the storm")
    assert marker(page) == 1
    assert page.evaluate("window.__navigations") == []

    live.write(HARBOUR, harbour("Status: fixed.", headline="Harbour reopens, fixed"))

    expect(headline).to_have_text("Harbour reopens, fixed")
    expect(page.locator(".article-body p").first).to_have_text("Status: fixed.")
    expect(overlay(page)).to_have_count(0)
    assert marker(page) is None


def test_fixing_back_to_the_last_good_text_clears_the_overlay(live: Live, page: Page) -> None:
    """The fixed build changes no output (the file is as it was), so no reload
    event comes: the errors event alone must clear the overlay."""
    from playwright.sync_api import expect

    open_page(page, live.url + HARBOUR_URL)

    count = len(live.rebuilds)
    live.write(HARBOUR, harbour(headline="[broken"))
    live.wait_for_rebuild(count, ok=False)
    expect(overlay(page)).to_be_visible()

    count = len(live.rebuilds)
    live.write(HARBOUR, harbour())
    fixed = live.wait_for_rebuild(count, ok=True)
    assert fixed.result.changed == []

    expect(overlay(page)).to_have_count(0)
    page.wait_for_function("() => window.__marker === undefined")
    expect(page.locator("h1.headline")).to_have_text("Harbour reopens after the storm")


def test_a_page_the_edit_does_not_affect_does_not_reload(
    live: Live, new_page: Callable[[], Page]
) -> None:
    from playwright.sync_api import expect

    harbour_page = new_page()
    museum_page = new_page()
    open_page(harbour_page, live.url + HARBOUR_URL)
    open_page(museum_page, live.url + MUSEUM_URL)
    assert harbour_page.evaluate(TRACK_GENERATION) == 1
    # Nothing of the museum article is on the harbour page to begin with.
    assert "Museum" not in harbour_page.content()

    before = live.generation
    count = len(live.rebuilds)
    # Paragraph 40 only: same word count, so not even its reading time changes.
    new = museum(later="Paragraph forty holds the update.")
    assert len(new) == len(museum())
    live.overwrite(MUSEUM, new)
    rebuild = live.wait_for_rebuild(count, ok=True)
    after = live.wait_for_generation(before)
    assert rebuild.result.changed == [MUSEUM_URL + "index.html"]

    # The museum page reloads...
    expect(museum_page.locator(".article-body")).to_contain_text(
        "Paragraph forty holds the update."
    )
    assert marker(museum_page) is None
    # ...and the harbour page got the same event, handled it, and stayed.
    harbour_page.wait_for_function(f"() => window.__seen >= {after}")
    assert harbour_page.evaluate("window.__navigations") == []
    assert marker(harbour_page) == 1


def test_a_css_change_is_swapped_in_without_a_reload(styled: Live, page: Page) -> None:
    open_page(page, styled.url + HARBOUR_URL)
    background = "() => getComputedStyle(document.body).backgroundColor"
    assert page.evaluate(background) == "rgb(255, 255, 255)"
    assert page.evaluate(TRACK_GENERATION) == 1

    before = styled.generation
    styled.write(STYLE, "body { background: rgb(0, 128, 0); }\n")
    after = styled.wait_for_generation(before)

    page.wait_for_function(f"() => ({background})() === 'rgb(0, 128, 0)'", timeout=WAIT_MS)
    page.wait_for_function(f"() => window.__seen >= {after}")
    assert marker(page) == 1
    assert page.evaluate("window.__navigations") == []
    hrefs = page.eval_on_selector_all(
        'link[rel~="stylesheet"]',
        "links => links.map(l => new URL(l.href).pathname + new URL(l.href).search)",
    )
    assert f"/static/style.css?v={after}" in hrefs


def test_a_freshly_loaded_page_shows_the_current_errors(live: Live, page: Page) -> None:
    from playwright.sync_api import expect

    open_page(page, live.url + HARBOUR_URL)
    count = len(live.rebuilds)
    live.write(COUNCIL, council().replace("headline: Council", "headline: [Council", 1))
    live.wait_for_rebuild(count, ok=False)
    expect(overlay(page)).to_contain_text(f"{COUNCIL}:2: invalid YAML")

    page.goto(live.url + MUSEUM_URL, wait_until="load")

    alert = overlay(page)
    expect(alert).to_be_visible(timeout=5_000)
    expect(alert).to_contain_text("Build failed (1)")
    expect(alert).to_contain_text(f"{COUNCIL}:2: invalid YAML")
    expect(page.locator("h1.headline")).to_have_text("Museum opens a new wing")
    # The hello event showed the errors; it did not make the page reload.
    assert page.evaluate(NAVIGATION_TYPE) == "navigate"
    assert page.evaluate("window.__navigations") == []


def test_fixing_an_error_present_at_start_clears_the_overlay(
    make_site: Callable[[Mapping[str, str | bytes]], SiteDir], page: Page
) -> None:
    from playwright.sync_api import expect

    site = make_site(SITE)
    site.build()  # the last good site, still served while the first preview build fails
    site.write({HARBOUR: harbour(headline="[broken")})
    live = Live(site)
    first = live.preview.start()
    try:
        assert not first.result.ok
        open_page(page, live.url + HARBOUR_URL)
        expect(overlay(page)).to_contain_text(f"{HARBOUR}:2: invalid YAML")

        count = len(live.rebuilds)
        live.write(HARBOUR, harbour("Status: fixed at last."))
        live.wait_for_rebuild(count, ok=True)

        expect(overlay(page)).to_have_count(0, timeout=3_000)
        expect(page.locator(".article-body p").first).to_have_text("Status: fixed at last.")
    finally:
        live.preview.stop()
