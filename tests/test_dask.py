"""``digest build --scheduler``: parsing and rendering as tasks on a Dask
cluster, here a real local one of two worker processes, gives the same
bytes as a build on this machine alone."""

from __future__ import annotations

import pytest

from tests.conftest import article, require


def _site_files(count: int) -> dict[str, str]:
    files = {"site.yaml": "base_url: https://example.org/news/\nper_page: 5\n"}
    for i in range(count):
        link = f"[as reported](a{(i + 3) % count:03d}.md)"
        body = f"Body {i}, {link}.\n\n| a | b |\n|---|---|\n| {i} | x |"
        code = f"Body {i}.\n\n```python\nprint({i})\n```"
        files[f"content/{2023 + i % 3}/a{i:03d}.md"] = article(
            f"Story {i}",
            f"{2023 + i % 3}-{1 + i % 12:02d}-{1 + i % 28:02d}",
            body if i % 3 == 0 else code,
            tags=f"[T{i % 7}, T{i % 3}]",
        )
    return files


def _tree(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def cluster():
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        require(False, "Dask's distributed scheduler (pip install 'digest[dask]')")
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as local,
        Client(local) as client,
    ):
        client.wait_for_workers(2, timeout=60)
        yield local.scheduler_address, client


def test_a_cluster_build_is_byte_identical_to_a_local_one(make_site, tmp_path, cluster):
    address, client = cluster
    site = make_site(_site_files(240))
    here, there = tmp_path / "here", tmp_path / "there"
    assert site.digest("build", "--output", str(here), "--jobs", "1").code == 0
    (site.root / ".digest").rename(tmp_path / "state-here")  # the cluster parses everything again
    before = client.run(_tasks_run)
    run = site.digest("build", "--output", str(there), "--scheduler", address)
    assert run.code == 0, run.err
    after = client.run(_tasks_run)
    # Both workers parsed and rendered: the work left this process.
    assert all(after[w] > before.get(w, 0) for w in after), (before, after)
    got, want = _tree(there), _tree(here)
    assert len(want) > 400
    assert sorted(got) == sorted(want)
    assert [p for p in want if got[p] != want[p]] == []
    # An edit afterwards: the cluster renders what changed, into place.
    edited = site.root / "content/2023/a000.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Body 0", "Body zero"), "utf-8")
    run = site.digest("build", "--output", str(there), "--scheduler", address)
    assert run.code == 0, run.err
    assert "Body zero" in (there / "2023/01/01/story-0/index.html").read_text(encoding="utf-8")


def test_no_scheduler_at_the_address_is_a_usage_error(make_site):
    site = make_site(_site_files(3))
    run = site.digest("build", "--scheduler", "tcp://127.0.0.1:9", "--jobs", "1")
    assert run.code == 2
    assert "no Dask scheduler answers at tcp://127.0.0.1:9" in run.err
    assert not (site.root / "output").exists()


def test_a_shared_value_is_one_piece_of_data_on_the_cluster(cluster):
    # Dask scatters a dict value by value: shared so, 10,000 teasers made
    # every render task depend on 10,000 futures (five times the build).
    from generator.execute.dask import DaskCluster

    address, client = cluster
    executor = DaskCluster(address)
    try:
        before = client.run_on_scheduler(_keys_held)
        shared = executor.share({f"content/a{i}.md": i for i in range(300)})
        assert client.run_on_scheduler(_keys_held) == before + 1
        assert list(executor.map(_size, [1, 2, 3], shared)) == [301, 302, 303]
    finally:
        executor.close()


def _keys_held(dask_scheduler) -> int:  # Dask passes its scheduler by this name
    return len(dask_scheduler.tasks)


def _size(task: int, shared: dict[str, int]) -> int:
    return task + len(shared)


def _tasks_run() -> int:
    from generator.execute.tasks import tasks_run

    return tasks_run()
