"""The URL record: every URL the site has published, and whose it is.

``published-urls.txt`` beside ``site.yaml``: a comment, then one line per
URL, sorted, ``/2026/11/24/budget/ content/2026/budget.md`` (the article's
file) or ``/2026/11/24/budget/ id:k3x9q2mz`` (its ``id:``, which survives a
rename). It lives with the content, not in ``.digest/`` (a cache anyone may
delete): the editor commits it, so a fresh clone in CI knows every URL ever
published and keeps each leading to its article (``model/redirects.py``).

Only ``digest build`` writes it, after a build that wrote its output: a
check or a preview publishes nothing. Lines are only added or re-owned,
never dropped: deleting a line is how an editor lets a URL go.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from generator.diagnostics import Diagnostic, error

RECORD_FILE = "published-urls.txt"
ID_PREFIX = "id:"
# (site path, owner): the owner is "id:<id>" or the article's file ("content/...").
Record = tuple[tuple[str, str], ...]

HEADER = (
    "# Every URL this site has published, and its article (its id: or its file).\n"
    "# digest build adds the new ones; commit this file with the content, so that\n"
    "# an article's old URLs keep leading to it. Delete a line to let a URL go.\n"
)
_LINE_HINT = "each line is a URL path and its article: /2026/11/24/budget/ content/budget.md"
_CONFLICT = ("<<<<<<<", "=======", ">>>>>>>", "|||||||")


def parse_record(text: str) -> tuple[Record, list[Diagnostic]]:
    """The record written in ``text``, sorted by path, and its bad lines."""
    found: dict[str, str] = {}
    diags: list[Diagnostic] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(_CONFLICT):
            diags.append(
                error(
                    RECORD_FILE,
                    "a merge conflict's marker",
                    line=number,
                    hint="keep the lines of both sides and delete the markers",
                )
            )
            continue
        path, _, owner = line.partition(" ")
        owner = owner.strip()
        if not path.startswith("/") or not owner or not _owner_ok(owner):
            diags.append(error(RECORD_FILE, f"cannot read {line!r}", line=number, hint=_LINE_HINT))
            continue
        found[path] = owner  # a path given twice: the later line (as a merge may leave)
    return tuple(sorted(found.items())), diags


def _owner_ok(owner: str) -> bool:
    return owner.startswith(ID_PREFIX) or owner.startswith("content/")


def format_record(record: Record) -> str:
    return HEADER + "".join(f"{path} {owner}\n" for path, owner in record)


def read_record(
    site_dir: Path, parse: Callable[[str], tuple[Record, list[Diagnostic]]] = parse_record
) -> tuple[Record, list[Diagnostic]]:
    """The site's record (empty when it has none), and its bad lines. The
    preview's ``parse`` gives back the last record when the text is the same."""
    try:
        data = (site_dir / RECORD_FILE).read_bytes()
    except FileNotFoundError:
        return (), []
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return (), [error(RECORD_FILE, f"cannot read the file: {reason}")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return (), [error(RECORD_FILE, "the file is not UTF-8 text", hint="save it as UTF-8")]
    return parse(text)


def write_record(site_dir: Path, record: Record) -> bool:
    """Write the record if its text changed (whole, never half); whether it did."""
    path = site_dir / RECORD_FILE
    text = format_record(record).encode("utf-8")
    try:
        if path.read_bytes() == text:
            return False
    except FileNotFoundError:
        if not record:
            return False  # a site that never published keeps no empty file
    fd, temporary = tempfile.mkstemp(prefix=".published-urls.", dir=site_dir)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text)
        os.chmod(temporary, 0o644)  # a file to commit, not a secret (mkstemp makes 0600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True
