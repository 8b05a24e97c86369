"""Lint and type checks are part of the suite, so the README's one test
command is the whole of CI."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def _tool(name: str) -> list[str]:
    # Both come with the test extras: pip install -e '.[test]'
    return [sys.executable, "-m", name]


def test_ruff_clean():
    result = subprocess.run(
        [*_tool("ruff"), "check", "generator", "tests"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    result = subprocess.run(
        [*_tool("ruff"), "format", "--check", "generator", "tests"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_clean():
    result = subprocess.run(
        [*_tool("mypy"), "--strict", "generator"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
