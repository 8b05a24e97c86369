"""The benchmark's documented command works from a clone: here on a tiny
site, Digest only (no peers to install), with every measurement it reports.
It times nothing: speed goals are the benchmark's business, not pytest's."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO


def test_the_benchmark_runs_and_writes_its_report(tmp_path):
    out = tmp_path / "results.json"
    command = [sys.executable, "bench/run.py", "--sizes", "30", "--runs", "1", "--peers", "none"]
    command += ["--work", str(tmp_path / "work"), "--out", str(out)]
    proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    (size,) = report["sizes"]
    assert size["articles"] == 30
    digest = size["tools"]["digest"]
    assert digest["error"] is None and digest["latency_error"] is None
    assert digest["html_pages"] > 30 and digest["files"] > digest["html_pages"]
    assert all(digest[kind] > 0 for kind in ("cold_s", "warm_s", "edit_s", "peak_mib"))
    assert set(digest["latency_ms"]) == {"edit", "new", "delete", "layout"}
    assert all(v["written"] > 0 and v["told"] > 0 for v in digest["latency_ms"].values())
    assert "Medians of 1 run:" in proc.stdout and "Wrote" in proc.stdout
