"""Problems found in a site, as values.

Stages never raise for bad content or layouts: they return ``Diagnostic``
records, so one run reports every problem at once. The CLI prints them sorted
and decides the exit code.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from generator.frozen import quick_pickle


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@quick_pickle
@dataclass(frozen=True, slots=True, kw_only=True)
class Diagnostic:
    """One problem: where it is, what is wrong, and how to fix it.

    A layout that fails while a page is rendered names that page in
    ``rendering`` (its article file, or "the index"); the same failure on
    many pages is reported once, with how many ``more`` pages it hit.
    """

    path: str  # site-relative, POSIX separators ("content/2026/budget.md")
    message: str
    line: int | None = None  # 1-based
    severity: Severity = Severity.ERROR
    hint: str | None = None
    rendering: str | None = None  # the page being rendered when a layout failed
    more: int = 0  # how many more pages failed the same way

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def text(self) -> str:
        """The message, with the pages it happened on."""
        if self.rendering is None:
            return self.message
        more = ""
        if self.more:
            more = f" and {self.more} more page{'s' if self.more != 1 else ''}"
        return f"{self.message} (while rendering {self.rendering}{more})"

    def format(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        text = f"{where}: {self.severity.value}: {self.text}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.path, self.line or 0, self.message, self.rendering or "")


def error(
    path: str, message: str, *, line: int | None = None, hint: str | None = None
) -> Diagnostic:
    return Diagnostic(path=path, message=message, line=line, hint=hint)


def warning(
    path: str, message: str, *, line: int | None = None, hint: str | None = None
) -> Diagnostic:
    return Diagnostic(path=path, message=message, line=line, hint=hint, severity=Severity.WARNING)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


def sorted_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sorted by file and line, duplicates removed, and a layout failure
    that hit many pages said once: with the first page and how many more."""
    unique = sorted(set(diagnostics), key=Diagnostic.sort_key)
    result: list[Diagnostic] = []
    firsts: dict[tuple[object, ...], int] = {}
    for d in unique:
        if d.rendering is None:
            result.append(d)
            continue
        same = (d.path, d.line, d.message, d.hint, d.severity)
        at = firsts.get(same)
        if at is None:
            firsts[same] = len(result)
            result.append(d)
        else:
            first = result[at]
            result[at] = dataclasses.replace(first, more=first.more + 1 + d.more)
    return result


def did_you_mean(word: str, known: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The hint "did you mean 'x'?" for the closest of ``known``, if one is
    close enough (a typo of a command, an option, a setting, a field, a name)."""
    close = difflib.get_close_matches(word, sorted(set(known)), n=1, cutoff=cutoff)
    return f"did you mean {close[0]!r}?" if close else None
