"""Problems found in a site, as values.

Stages never raise for bad content or layouts: they return ``Diagnostic``
records, so one run reports every problem at once. The CLI prints them sorted
and decides the exit code.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True, kw_only=True)
class Diagnostic:
    """One problem: where it is, what is wrong, and how to fix it."""

    path: str  # site-relative, POSIX separators ("content/2026/budget.md")
    message: str
    line: int | None = None  # 1-based
    severity: Severity = Severity.ERROR
    hint: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def format(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        text = f"{where}: {self.severity.value}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def sort_key(self) -> tuple[str, int, str]:
        return (self.path, self.line or 0, self.message)


def error(
    path: str, message: str, *, line: int | None = None, hint: str | None = None
) -> Diagnostic:
    return Diagnostic(path=path, message=message, line=line, hint=hint)


def warning(
    path: str, message: str, *, line: int | None = None, hint: str | None = None
) -> Diagnostic:
    return Diagnostic(path=path, message=message, line=line, hint=hint, severity=Severity.WARNING)


def has_errors(diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]) -> bool:
    return any(d.is_error for d in diagnostics)


def sorted_diagnostics(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Sorted by file and line, duplicates removed."""
    return sorted(set(diagnostics), key=Diagnostic.sort_key)
