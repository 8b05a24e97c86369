"""Shared test helpers: write a small site into a temp folder, build it with the
real CLI entry point, and read the pages back as parsed HTML."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.cli import main
from generator.execute import tasks
from tests.htmlq import Page

REPO = Path(__file__).resolve().parent.parent
SCRATCH_ROOM = 2 * 2**30  # the scratch folders of the whole suite, at the same time, with room


def _scratch_in_memory() -> None:
    """The tests' temporary folders (``tmp_path``, ``tempfile``, and the
    programs they start) on the machine's shared memory when it has room:
    the tests make and delete hundreds of thousands of files and folders,
    and on a disk like this machine's each new one can cost half a
    millisecond (docs/SPEED.md: ext4 without a journal scans recently
    deleted inodes). The incremental equivalence test took 54 s on the disk,
    34 s in memory. Not when TMPDIR is set already."""
    shm = Path("/dev/shm")
    if os.environ.get("TMPDIR") or not (shm.is_dir() and os.access(shm, os.W_OK | os.X_OK)):
        return
    if shutil.disk_usage(shm).free >= SCRATCH_ROOM:
        os.environ["TMPDIR"] = str(shm)
        tempfile.tempdir = None  # gettempdir() looks again


_scratch_in_memory()
CORPUS = REPO.parent / "shared" / "corpus"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROME_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require(available: object, reason: str) -> None:
    """Skip when a real part is missing on a developer's machine; in CI (which
    installs every part) a missing part is a failure, never a silent skip."""
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must provide this: {reason}")
    pytest.skip(reason)


def article(
    headline: str = "A headline",
    date: str = "2026-11-24",
    body: str = "Some text.",
    **fields: str,
) -> str:
    """Markdown source of one article; extra fields are written as given (YAML)."""
    lines = ["---", f"headline: {headline}", f"date: {date}"]
    lines += [f"{key}: {value}" for key, value in fields.items()]
    lines += ["---", "", textwrap.dedent(body).strip("\n"), ""]
    return "\n".join(lines)


@dataclass
class Run:
    code: int
    out: str
    err: str


@dataclass
class SiteDir:
    root: Path
    capsys: pytest.CaptureFixture[str]

    @property
    def output(self) -> Path:
        return self.root / "output"

    def write(self, files: Mapping[str, str | bytes]) -> SiteDir:
        for rel, data in files.items():
            path = self.root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, bytes):
                path.write_bytes(data)
            else:
                path.write_text(data, encoding="utf-8", newline="")
        return self

    def digest(self, *args: str) -> Run:
        self.capsys.readouterr()
        command, *rest = args
        code = main([command, "--site", str(self.root), *rest])
        captured = self.capsys.readouterr()
        return Run(code, captured.out, captured.err)

    def build(self, *args: str) -> Run:
        run = self.digest("build", *args)
        assert run.code == 0, run.err
        return run

    def page(self, rel: str) -> Page:
        path = self.output / rel
        if path.is_dir() or rel.endswith("/") or rel == "":
            path = path / "index.html"
        return Page(path.read_text(encoding="utf-8"))

    def files(self) -> dict[str, bytes]:
        """Every output file, relative path -> bytes."""
        return {
            p.relative_to(self.output).as_posix(): p.read_bytes()
            for p in sorted(self.output.rglob("*"))
            if p.is_file()
        }


@pytest.fixture
def make_site(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> Callable[[Mapping[str, str | bytes]], SiteDir]:
    def make(files: Mapping[str, str | bytes]) -> SiteDir:
        root = tmp_path / "site"
        root.mkdir(exist_ok=True)
        (root / "content").mkdir(exist_ok=True)
        return SiteDir(root, capsys).write(files)

    return make


def interrupt(
    proc: subprocess.Popen[str], timeout: float, *, stdout_read_elsewhere: bool = False
) -> tuple[str, str]:
    """Ctrl-C a ``digest serve`` process and wait for it to end: what it
    printed (its stdout only if no one else reads it). If it does not end,
    fail with where each of its threads was (it runs with
    ``PYTHONFAULTHANDLER``, so SIGABRT dumps them)."""
    proc.send_signal(signal.SIGINT)
    try:
        if stdout_read_elsewhere:  # a thread of the test reads it: only wait
            proc.wait(timeout=timeout)
            assert proc.stderr is not None
            return "", proc.stderr.read()
        return proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGABRT)
        proc.wait(timeout=30)
        assert proc.stderr is not None
        pytest.fail(f"did not stop within {timeout} s of Ctrl-C:\n{proc.stderr.read()}")


def serve(site: Path) -> subprocess.Popen[str]:
    """``digest serve`` of ``site`` in a process of its own, on a free port,
    as started from a terminal: SIGINT at its default (a test run started in
    the background, ``&`` in a script, ignores it, and a child would inherit
    that), and ``PYTHONFAULTHANDLER`` for ``interrupt``."""
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "PYTHONFAULTHANDLER": "1",
        "PYTHONPATH": str(REPO),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--site", str(site), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def png(width: int = 4, height: int = 3) -> bytes:
    """A real PNG (images under content/ are decoded and published as
    variants: ``img/map.png`` 4 pixels wide becomes ``img/map-4w.png``,
    ``.webp`` and, where Pillow writes it, ``.avif``)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 90, 160)).save(out, "PNG")
    return out.getvalue()


def article_bodies(folder: Path) -> list[tuple[str, str]]:
    """(name, body) of every article under ``folder``: the text after its
    front matter, as the parser hands it to the renderer."""
    out = []
    for path in sorted(folder.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        if text.startswith("---"):
            end = text.find("\n---", 3)
            text = text[text.find("\n", end + 1) + 1 :]
        out.append((path.name, text))
    return out


@contextlib.contextmanager
def own_renderer() -> Iterator[None]:
    """A clean build renders with a renderer of its own, as in a new
    process: not with the one a preview or ``digest build`` made in this
    one (its macro cache outlives their layout edits)."""
    kept = tasks._workshop
    tasks._workshop = tasks._Workshop()
    try:
        yield
    finally:
        tasks._workshop = kept
