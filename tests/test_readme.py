"""The README's quick start is what CI runs, and its claims stay true."""

from __future__ import annotations

import re

from tests.conftest import REPO


def _shell_blocks(text: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", text, flags=re.S)


def test_ci_runs_exactly_the_readme_test_command():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = _shell_blocks(readme)
    test_command = blocks[1].strip()
    assert "pytest" in test_command
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    # The last command of .ci/run is the README's; before it only system packages.
    commands = [line.strip() for line in ci.splitlines() if line.strip()]
    assert commands[-1] == test_command


def test_quick_start_builds_the_example_site():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    first = _shell_blocks(readme)[0].strip()
    assert first.endswith("digest build")
    assert (REPO / "content").is_dir() and (REPO / "site.yaml").is_file()


def test_screenshot_exists():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    images = re.findall(r"^!\[[^\]]*\]\(([^)]+)\)", readme, flags=re.M)
    assert images, "the README shows a screenshot"
    for image in images:
        assert (REPO / image).is_file(), image
