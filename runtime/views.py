"""A compiled package with layout years: one view per year (generated/<pkg>/y<year>/, each a
whole compiled package) and the rule that picks one for a run — the latest layout year not
after the value of the year parameter (compiler/years.py says what a view holds).

`runtime.load` returns a `Views` for such a package; it runs like a `Program` (run, run_to,
explain, check_params) once it knows the parameters, through the view they choose.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

from runtime import catalog
from runtime.errors import RunFailed

if TYPE_CHECKING:
    from runtime.program import Program

# generated/<pkg>/<VIEW_PREFIX><year>/ holds the view of that year (a Python package name
# cannot start with a digit)
VIEW_PREFIX = "y"


@dataclass(frozen=True, slots=True)
class LayoutYears:
    """What a years package's generated `__init__.py` declares (`PACKAGE`)."""

    id: str
    param: str
    views: tuple[tuple[int, str], ...]  # (year, folder), by year


def serving(years: tuple[int, ...], value: int) -> int | None:
    """The layout year serving `value`: the latest one not after it (None: before the first)."""
    got = [y for y in years if y <= value]
    return got[-1] if got else None


class Views:
    """A loaded package with layout years."""

    def __init__(self, decl: LayoutYears, load: Callable[[str], Program]) -> None:
        self.id = decl.id
        self.param = decl.param
        self.years = tuple(y for y, _ in decl.views)
        self.programs: dict[int, Program] = {y: load(folder) for y, folder in decl.views}

    def view(self, year: int) -> Program:
        """The view of layout year `year` (one of `years`)."""
        return self.programs[year]

    def view_for(self, params: Mapping[str, Any]) -> Program:
        """The view the parameters choose. Raises RunFailed (D1101, a request error) when the
        year is before the first layout year. A missing or malformed year parameter chooses
        the latest view, whose parameter check then reports it (D0401/D0402) as any package
        would."""
        raw = params.get(self.param)
        try:
            value = int(raw) if raw is not None and not isinstance(raw, bool) else None
        except (TypeError, ValueError):
            value = None
        if value is None:
            return self.programs[self.years[-1]]
        year = serving(self.years, value)
        if year is None:
            raise RunFailed([catalog.no_layout_year(self.param, value, self.years[0])])
        return self.programs[year]

    @property
    def latest(self) -> Program:
        """The view of the latest layout year."""
        return self.programs[self.years[-1]]

    def required_inputs(self, select: str | None = None,
                        params: Mapping[str, Any] | None = None) -> list[str]:
        """Program.required_inputs of the view `params` choose (none given: the latest)."""
        view = self.latest if params is None else self.view_for(params)
        return view.required_inputs(select, params)

    def inputs(self, select: str | None = None,
               params: Mapping[str, Any] | None = None) -> dict[str, str]:
        """Program.inputs of the view `params` choose (none given: the latest)."""
        view = self.latest if params is None else self.view_for(params)
        return view.inputs(select, params)

    @property
    def package(self) -> Any:
        """The latest view's runtime package (id, partition and params are every view's)."""
        return self.programs[self.years[-1]].package

    def run(self, ledgers: Mapping[str, Any], params: Mapping[str, Any], **options: Any) -> Any:
        """Program.run on the view `params` choose."""
        return self.view_for(params).run(ledgers, params, **options)

    def run_to(self, out: Any, ledgers: Mapping[str, Any], params: Mapping[str, Any],
               **options: Any) -> Any:
        """Program.run_to on the view `params` choose."""
        return self.view_for(params).run_to(out, ledgers, params, **options)

    def explain(self, ledgers: Mapping[str, Any], params: Mapping[str, Any], *args: Any,
                **options: Any) -> Any:
        """Program.explain on the view `params` choose."""
        return self.view_for(params).explain(ledgers, params, *args, **options)

    def check_params(self, raw: Mapping[str, Any]) -> Any:
        """Program.check_params of the view `raw` chooses."""
        return self.view_for(raw).check_params(raw)
