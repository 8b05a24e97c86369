"""The local worker pool's shared mappings, as the preview keeps them from
one build to the next."""

from __future__ import annotations

import os

from generator.execute import Pool, resolve


def _look(key: str, first: object, second: object) -> tuple[int, object, object]:
    return os.getpid(), resolve(first)[key], resolve(second)[key]


def test_a_lasting_pool_keeps_each_named_mapping_and_sends_what_changed():
    """Two mappings with the same key, shared under two names, stay apart in
    the worker; a changed entry reaches it, an unchanged one is kept."""
    pool = Pool(2, lasting=True)
    rounds = [("a1", "b1"), ("a2", "b1"), ("a2", "b2"), ("a1", "b1")]
    seen_remote = 0
    try:
        for a, b in rounds:
            first = pool.share({"k": a, "other": 1}, "first")
            second = pool.share({"k": b}, "second")
            results = list(pool.map(_look, ["k"] * 8, first, second))
            seen_remote += sum(1 for pid, _, _ in results if pid != os.getpid())
            assert [(x, y) for _, x, y in results] == [(a, b)] * 8
            pool.release()
    finally:
        pool.close()
    assert seen_remote >= len(rounds)  # the worker always has the first tasks queued
