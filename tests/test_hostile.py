"""Hostile and unlucky input (issue 12): each case is the exact input that
once broke a promise, and what Digest now says about it."""

from __future__ import annotations

import os

import pytest

from tests.conftest import article


def _symlink(link, target, *, folder=False):
    try:
        link.symlink_to(target, target_is_directory=folder)
    except OSError:
        pytest.skip("this file system has no symlinks")


def test_a_symlink_loop_is_one_error_naming_the_links(make_site):
    site = make_site({"content/real.md": article("Real")})
    _symlink(site.root / "content/a.md", "b.md")
    _symlink(site.root / "content/b.md", "a.md")
    run = site.digest("build")
    assert run.code == 1
    assert "content/a.md: error: symlink loop: a.md -> b.md -> a.md (point the link" in run.err
    assert "content/b.md: error: symlink loop: b.md -> a.md -> b.md (point the link" in run.err
    assert "Traceback" not in run.err
    assert not site.output.exists()


def test_a_link_to_a_folder_above_is_not_walked_again(make_site):
    site = make_site({"content/2026/one.md": article("One"), "content/two.md": article("Two")})
    _symlink(site.root / "content/2026/loop", "..", folder=True)
    _symlink(site.root / "content/again", "2026", folder=True)
    run = site.build()
    assert "Built 2 articles" in run.out
    assert (
        "content/2026/loop: warning: a link to content/, which is read by its own name: "
        "not read twice (remove the link)"
    ) in run.err
    assert "content/again: warning: a link to content/2026/, which is read" in run.err
    assert "duplicate" not in run.err
    assert os.path.isdir(site.output / "2026/11/24/one")
