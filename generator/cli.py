"""The command line: ``digest build | serve | check | new`` (and ``python -m generator``).

Owns the terminal: prints diagnostics and summaries, maps results to exit codes
(0 ok, 1 content or layout errors, 2 usage errors). No traceback for user errors.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from generator import __version__, pipeline
from generator.config import base_url_option_problem, load_config
from generator.diagnostics import Diagnostic, did_you_mean
from generator.execute import ExecutorUnavailable, default_jobs
from generator.incremental.shortcuts import SHORTCUTS
from generator.new import FrontMatter, NewArticleError, new_article
from generator.parse import for_check
from generator.waiting import read_now, scheduled_line
from generator.write import OutputError

if TYPE_CHECKING:
    from generator.preview import Rebuild
    from generator.preview.search import Indexed

EXIT_OK = 0
EXIT_ERRORS = 1
EXIT_USAGE = 2
MAX_SHOWN = 200


class _Parser(argparse.ArgumentParser):
    """argparse, with every usage error said as ``digest: error: ...`` after
    the usage line of the command it is about, and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"digest: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)

    def options(self) -> list[str]:
        return [option for action in self._actions for option in action.option_strings]


def _parser() -> tuple[_Parser, dict[str, _Parser]]:
    """The parser, and the parser of each command by name."""
    parser = _Parser(prog="digest", description="Build a news digest site from Markdown articles.")
    parser.add_argument("--version", action="version", version=f"digest {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    commands: dict[str, _Parser] = {}

    def command(name: str, about: str) -> _Parser:
        commands[name] = sub.add_parser(name, help=about)
        return commands[name]

    def site_arg(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--site",
            type=Path,
            default=Path("."),
            metavar="DIR",
            help="the site folder (default: the current folder)",
        )

    def time_args(p: argparse.ArgumentParser, *, future: bool = True) -> None:
        p.add_argument(
            "--now",
            metavar="ISO",
            help="build as at this time, e.g. 2026-11-25T06:00 (the site's time zone unless "
            "given); default: SOURCE_DATE_EPOCH, else the current time",
        )
        if future:
            p.add_argument(
                "--future",
                action="store_true",
                help="include articles scheduled after the build time (with a banner)",
            )

    p = command("build", "build the site into the output folder")
    site_arg(p)
    p.add_argument("--output", type=Path, metavar="DIR", help="default: <site>/output")
    p.add_argument("--drafts", action="store_true", help="include articles with draft: true")
    time_args(p)
    p.add_argument(
        "--base-url", metavar="URL", help="build for this address instead of site.yaml's base_url"
    )

    p.add_argument(
        "--jobs",
        type=int,
        default=default_jobs(),
        metavar="N",
        help=f"processes for parsing and rendering (default: {default_jobs()}, the CPU count)",
    )
    _shortcuts_arg(p)
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="parse and render on a Dask cluster (tcp://HOST:8786); needs digest[dask] and the "
        "site on a folder every worker shares",
    )

    p = command("serve", "build, serve on localhost, rebuild and reload on every save")
    site_arg(p)
    p.add_argument("--output", type=Path, metavar="DIR", help="default: <site>/output")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only)",
    )
    p.add_argument(
        "--port", type=int, default=8000, help="default 8000 (the next free one if taken)"
    )
    p.add_argument("--drafts", action="store_true", help="include articles with draft: true")
    time_args(p)
    p.add_argument(
        "--poll",
        action="store_true",
        help="poll for changes (network drives, containers) instead of OS events",
    )
    p.add_argument("--open", action="store_true", help="open the site in a browser")
    _shortcuts_arg(p)

    p = command("check", "check all content and layouts; write nothing")
    site_arg(p)
    p.add_argument("--drafts", action="store_true", help="check drafts as strictly as the rest")
    time_args(p, future=False)

    p = command("new", "create a new article with its front matter")
    site_arg(p)
    p.add_argument("headline", help="the article's headline")
    p.add_argument("--tags", default="", help="comma-separated tags, e.g. 'Politics,Denmark'")
    p.add_argument("--author", default="", help="who wrote it")
    p.add_argument("--standfirst", default="", help="the summary shown under the headline")
    p.add_argument("--section", default="", help="the section it belongs in, e.g. 'Business'")
    p.add_argument("--draft", action="store_true", help="mark it draft: true")
    p.add_argument("--edit", action="store_true", help="open it in $EDITOR")
    return parser, commands


def _parse(argv: list[str]) -> argparse.Namespace:
    """The command line read, or ``SystemExit`` (0 for --help, 2 for a usage
    error). A mistyped command or option is told with the closest right one."""
    parser, commands = _parser()
    # The command is the first word that is not an option: the top level has
    # no option that takes a value.
    command = next((word for word in argv if not word.startswith("-")), None)
    if command is not None and command not in commands:
        choose = (
            did_you_mean(command, commands, cutoff=0.75) or f"choose from {', '.join(commands)}"
        )
        parser.error(f"unknown command {command!r} ({choose})")
    args, extra = parser.parse_known_args(argv)
    if extra:
        used = commands[args.command]
        unknown = next((w for w in extra if w.startswith("-") and w != "-"), None)
        if unknown is None:
            used.error(f"unrecognized arguments: {' '.join(extra)}")
        option = unknown.split("=", 1)[0]
        fix = did_you_mean(option, [*used.options(), *parser.options()], cutoff=0.75)
        used.error(f"unknown option {option!r} ({fix or f'see digest {args.command} --help'})")
    return args


def _usage_error(message: str) -> int:
    print(f"digest: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _shortcuts_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--shortcuts",
        type=_shortcuts,
        default=SHORTCUTS,
        metavar="LIST",
        help="the speed shortcuts to take: all (the default), none (the incremental rule "
        f"alone), or some of {', '.join(sorted(SHORTCUTS))}",
    )


def _shortcuts(text: str) -> frozenset[str]:
    if text.strip() == "all":
        return SHORTCUTS
    names = frozenset(n.strip() for n in text.split(",") if n.strip() and n.strip() != "none")
    unknown = sorted(names - SHORTCUTS)
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown shortcut {unknown[0]!r} (known: {', '.join(sorted(SHORTCUTS))})"
        )
    return names


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parse(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # argparse: 0 for --help, 2 for usage errors
        return int(exc.code or 0)
    site_dir: Path = args.site
    if not site_dir.is_dir():
        return _usage_error(f"the site folder {site_dir} does not exist")
    now: dt.datetime | None = None
    if getattr(args, "now", None) is not None:
        read = read_now(args.now, load_config(site_dir)[0].tz)
        if isinstance(read, str):
            return _usage_error(read)
        now = read
    try:
        if args.command == "build":
            if args.jobs < 1:
                return _usage_error("--jobs must be at least 1")
            if args.base_url is not None:
                problem = base_url_option_problem(args.base_url)
                if problem is not None:
                    return _usage_error(problem)
            options = pipeline.BuildOptions(
                site_dir=site_dir,
                output_dir=args.output or site_dir / "output",
                drafts=args.drafts,
                future=args.future,
                now=now,
                base_url=args.base_url,
                jobs=args.jobs,
                scheduler=args.scheduler,
                shortcuts=args.shortcuts,
            )
            return _build(options)
        if args.command == "check":
            return _check(site_dir, args.drafts, now)
        if args.command == "serve":
            return _serve(args, now)
        return _new(args)
    except KeyboardInterrupt:
        print("digest: interrupted", file=sys.stderr)
        return 130


def _build(options: pipeline.BuildOptions) -> int:
    output = options.output_dir
    progress = _progress_printer(sys.stdout)
    try:
        result = pipeline.run(options, progress=progress, waiting=lambda: _waiting(output))
    except (OutputError, ExecutorUnavailable) as exc:
        _clear_progress(sys.stdout)
        return _usage_error(str(exc))
    _clear_progress(sys.stdout)
    _print_diagnostics(result.diagnostics)
    if not result.ok:
        errors = sum(d.is_error for d in result.diagnostics)
        print(
            f"Build failed: {errors} error{'s' if errors != 1 else ''}; "
            f"{output} was left as it was.",
            file=sys.stderr,
        )
        return EXIT_ERRORS
    print(
        f"Built {result.articles} article{'s' if result.articles != 1 else ''}, "
        f"{result.tags} tag{'s' if result.tags != 1 else ''}, "
        f"{result.pages} page{'s' if result.pages != 1 else ''} "
        f"({result.files} files) into {output} in {result.seconds:.2f} s"
    )
    _print_scheduled(result, options.now, options.future)
    return EXIT_OK


def _print_scheduled(result: pipeline.BuildResult, now: dt.datetime | None, future: bool) -> None:
    line = scheduled_line(
        result.scheduled, result.next_scheduled, now or pipeline.build_time(), future
    )
    if line is not None:
        print(line, flush=True)


def _check(site_dir: Path, drafts: bool, now: dt.datetime | None) -> int:
    options = pipeline.BuildOptions(
        site_dir=site_dir,
        output_dir=site_dir / "output",
        drafts=drafts,
        now=now,
        write=False,
        check_links=True,
        jobs=default_jobs(),
    )
    result = pipeline.run(options)
    # Text left from ``digest new`` only warns in a build; here it is an error.
    diagnostics = [for_check(d) for d in result.diagnostics]
    _print_diagnostics(diagnostics)
    errors = sum(d.is_error for d in diagnostics)
    warnings = len(diagnostics) - errors
    if errors:
        print(
            f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning"
            f"{'s' if warnings != 1 else ''}",
            file=sys.stderr,
        )
        return EXIT_ERRORS
    print(
        f"OK: {result.articles} articles, {result.tags} tags, {result.pages} pages; "
        f"{warnings} warning{'s' if warnings != 1 else ''}"
    )
    return EXIT_OK


def _serve(args: argparse.Namespace, now: dt.datetime | None) -> int:
    # The preview's modules (watchdog, the HTTP server) load only for it.
    import webbrowser

    from generator.preview import Preview, PreviewOptions

    if not 0 <= args.port <= 65535:
        return _usage_error(f"--port {args.port} is not a port number")
    options = PreviewOptions(
        site_dir=args.site,
        output_dir=args.output or args.site / "output",
        host=args.host,
        port=args.port,
        drafts=args.drafts,
        future=args.future,
        clock=None if now is None else lambda: now,
        poll=args.poll,
    )
    # SIGTERM (a process manager stopping us) ends the preview like Ctrl-C.
    # Both are given back as they were when it ends: main() may be called
    # again in this process (tests), and its children inherit an ignored one.
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    preview = Preview(options, _RebuildReport(now, args.future), _report_index)
    try:
        try:
            preview.start()
        except OutputError as exc:
            return _usage_error(str(exc))
        except OSError as exc:
            return _usage_error(f"cannot serve on {args.host}:{args.port}: {exc.strerror or exc}")
        server = preview.server
        assert server is not None
        if server.port != args.port and args.port:
            print(f"Port {args.port} is in use; using {server.port} instead.")
        if args.host not in ("127.0.0.1", "localhost", "::1"):
            print(f"Warning: listening on {args.host}: other machines can see this preview.")
        print(f"Serving {server.url} (Ctrl-C to stop)", flush=True)
        if args.open:
            webbrowser.open(server.url)
        # Short sleeps: the kernel may hand Ctrl-C's signal to any thread of
        # the process, and then a long sleep of this one would not end (only
        # this thread runs Python's handler, when its sleep returns). Seen
        # once in some 500 stops on a loaded machine.
        while True:  # time.sleep, unlike Event.wait, is safe to interrupt
            time.sleep(0.5)
    except KeyboardInterrupt:  # Ctrl-C at any moment, even during the first build
        pass
    finally:
        # A second Ctrl-C while shutting down must not leave threads behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        preview.stop()
        for sig, handler in handlers.items():
            if handler is not None:  # None: not set from Python; nothing to give back
                signal.signal(sig, handler)
    print("Stopped.")
    return EXIT_OK


class _RebuildReport:
    """What ``digest serve`` prints after each build. A warning is printed
    when it appears, not again after every save that leaves it as it was
    (a site without a host would hear about its base_url at every edit);
    errors are printed every time, as they keep the site from updating."""

    def __init__(self, now: dt.datetime | None, future: bool) -> None:
        self._lock = threading.Lock()  # the first build's report and the watcher's
        self._warned: frozenset[Diagnostic] = frozenset()
        self._time = now, future  # to say what is scheduled

    def __call__(self, rebuild: Rebuild) -> None:
        with self._lock:
            diagnostics = rebuild.result.diagnostics
            fresh = [d for d in diagnostics if d.is_error or d not in self._warned]
            self._warned = frozenset(d for d in diagnostics if not d.is_error)
            _report_rebuild(rebuild, fresh)
            if rebuild.batch is None and rebuild.result.ok:  # the first build, or on time
                _print_scheduled(rebuild.result, *self._time)


def _report_index(indexed: Indexed) -> None:
    """The preview's search index, made after a build (in the background)."""
    if indexed.problems:
        _print_diagnostics(indexed.problems)
        return
    print(
        f"Search index: {indexed.articles} articles in {indexed.seconds:.2f} s",
        flush=True,
    )


def _report_rebuild(rebuild: Rebuild, diagnostics: list[Diagnostic]) -> None:
    result = rebuild.result
    if rebuild.batch is None and result.ok:
        print(
            f"Built {result.articles} articles, {result.pages} pages in {result.seconds:.2f} s",
            flush=True,
        )
        _print_diagnostics(diagnostics)
        return
    if not result.ok:
        _print_diagnostics(diagnostics)
        errors = sum(d.is_error for d in diagnostics)
        print(
            f"Build failed: {errors} error{'s' if errors != 1 else ''}; still serving the last "
            "good site.",
            file=sys.stderr,
            flush=True,
        )
        return
    _print_diagnostics(diagnostics)
    changed = len(result.changed)
    print(
        f"Rebuilt: {changed} file{'s' if changed != 1 else ''} changed "
        f"({result.rendered} rendered) in {rebuild.seconds * 1000:.0f} ms",
        flush=True,
    )


def _new(args: argparse.Namespace) -> int:
    config, _diags = load_config(args.site)
    front = FrontMatter(
        headline=args.headline,
        date=dt.datetime.now(config.tz).replace(microsecond=0),
        tags=tuple(t.strip() for t in args.tags.split(",") if t.strip()),
        author=args.author,
        standfirst=args.standfirst,
        section=args.section,
        draft=args.draft,
    )
    try:
        path = new_article(args.site, front)
    except NewArticleError as exc:
        print(f"digest: error: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    except OSError as exc:
        print(f"digest: error: cannot create the article: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    print(path, flush=True)
    return _edit(path) if args.edit else EXIT_OK


def _edit(path: Path) -> int:
    """Open ``path`` in ``$EDITOR`` and wait for it to close."""
    editor = os.environ.get("EDITOR", "").strip()
    if not editor:
        print("digest: $EDITOR is not set, so the article was not opened", file=sys.stderr)
        return EXIT_OK
    # $EDITOR may carry arguments ("code --wait"); the file comes last.
    try:
        status = subprocess.call([*shlex.split(editor), str(path)])
    except (OSError, ValueError) as exc:
        print(f"digest: error: cannot start the editor {editor!r}: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    if status != 0:
        print(f"digest: error: the editor {editor!r} exited with {status}", file=sys.stderr)
        return EXIT_ERRORS
    return EXIT_OK


def _print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for diag in diagnostics[:MAX_SHOWN]:
        print(diag.format(), file=sys.stderr)
    if len(diagnostics) > MAX_SHOWN:
        print(f"... and {len(diagnostics) - MAX_SHOWN} more", file=sys.stderr)


def _waiting(output: Path) -> None:
    print(f"digest: another build is writing into {output}; waiting for it", file=sys.stderr)


def _progress_printer(stream: TextIO) -> pipeline.Progress | None:
    if not stream.isatty():
        return None

    def show(done: int, total: int) -> None:
        stream.write(f"\rRendering {done}/{total} files...")
        stream.flush()

    return show


def _clear_progress(stream: TextIO) -> None:
    if stream.isatty():
        stream.write("\r\033[K")
        stream.flush()
