"""What the build knows of the layouts before it renders (made by
``layouts.analyse_layouts``; plain data, so the state can keep it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from generator.diagnostics import Diagnostic
from generator.fingerprint import fingerprint

MISSING = "missing"  # the fingerprint of a layout name that does not exist (yet)


@dataclass(frozen=True, slots=True, kw_only=True)
class LayoutInfo:
    """Every layout's name, fingerprint and reach, and the layouts' problems."""

    names: tuple[str, ...]  # every layout, site and theme
    prints: Mapping[str, str]  # name -> fingerprint of its source and origin (or MISSING)
    closures: Mapping[str, tuple[str, ...] | None]  # name -> every name it reaches
    diagnostics: tuple[Diagnostic, ...]

    def reach(self, name: str) -> tuple[str, ...]:
        """Every layout ``name`` uses through extends/include/import, itself
        included; every layout there is, when a name is only known at render
        time (a dynamic include)."""
        closure = self.closures.get(name)
        return closure if closure is not None else self.names

    def closure_prints(self) -> dict[str, str]:
        """Each layout's name -> a fingerprint of every layout it reaches
        (their names, texts and origins): what a macro defined in it can
        show besides its arguments. None for one that names a layout only
        known at render time."""
        return {
            name: fingerprint(*(f"{n}={self.prints.get(n, MISSING)}" for n in closure))
            for name, closure in self.closures.items()
            if closure is not None
        }
