"""`apura diff` properties on edits of the compiled SIOPS package (IR edits, as a year's changes
would produce): the diff is empty exactly when the IR is the same up to what is no difference
(spans, derived ids, the order of a sum's rows or of the dependency-ordered derived fields, the
scale of a field that is not decimal);
diff(A, B) mirrors diff(B, A); a report round-trips through JSON."""

from __future__ import annotations

import dataclasses
import enum
import json
from collections.abc import Callable
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

import compiler
from compiler import ir
from compiler.diff import Report
from compiler.diff import Status
from compiler.diff import as_json
from compiler.diff import diff_packages
from tests.conftest import ROOT

BASE = compiler.check(ROOT / "specs" / "siops", ROOT).ir
assert BASE is not None

# ---------------------------------------------------------------- what "the IR is the same" is
SKIP = {"span", "spec_hash", "spec_files", "finish_order"}  # rows and derived: below
EXPRS = {"cond", "expr", "value", "filter"}  # compared by their canonical text (*_text, text)


def norm(x: Any, lay: ir.Layout | None = None) -> Any:
    if isinstance(x, ir.Layout):
        lay = x
    if isinstance(x, ir.Row):
        assert lay is not None
        refs = {r.index: r.ref for r in lay.rows}
        cols = {c.index: c.id for c in lay.columns}
        return (x.ref, x.index, x.record_id, x.label, x.kind.value, x.cond_text,
                tuple((cols[i], t) for i, _, t in x.values),
                tuple(sorted(refs[j] for j in x.total_of)))
    if isinstance(x, ir.Package):
        return (x.id, x.description, x.partition, tuple(sorted(norm(p) for p in x.params)),
                tuple(sorted(norm(n) for n in x.ledgers)), tuple(sorted(norm(n) for n in x.maps)),
                tuple(sorted(norm(n) for n in x.layouts)))
    if isinstance(x, ir.Field):  # scale is read only for decimal cells
        return (x.name, norm(x.type), x.required, x.scale if x.type.base == "decimal" else None)
    if isinstance(x, ir.Ledger):
        return (x.id, norm(x.fields), norm(x.format),
                tuple(sorted((d.name, d.text) for d in x.derived)))
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        keep = [f.name for f in dataclasses.fields(x) if f.name not in SKIP | EXPRS]
        return tuple((k, norm(getattr(x, k), lay)) for k in keep)
    if isinstance(x, tuple):
        return tuple(norm(v, lay) for v in x)
    if isinstance(x, enum.Enum):
        return x.value
    return x


# ---------------------------------------------------------------- edits
Edit = Callable[[ir.Package], ir.Package]


def _with(pkg: ir.Package, **groups: Any) -> ir.Package:
    """The package with some of its ledgers, maps or layouts replaced (whether ir.Package holds
    them as fields or derives them from one tuple of plan nodes)."""
    names = {f.name for f in dataclasses.fields(pkg)}
    if "nodes" not in names:
        return dataclasses.replace(pkg, **groups)
    kinds = {"ledgers": "ledger", "maps": "map", "layouts": "layout"}
    replaced = {kinds[k]: v for k, v in groups.items()}
    kept = [n for n in pkg.nodes if ir.kind_of(n) not in replaced]  # checks and the rest
    return dataclasses.replace(pkg, nodes=(*kept, *(n for v in replaced.values() for n in v)))


def _layout(pkg: ir.Package, i: int, f: Callable[[ir.Layout], ir.Layout]) -> ir.Package:
    lays = list(pkg.layouts)
    k = i % len(lays)
    lays[k] = f(lays[k])
    return _with(pkg, layouts=tuple(lays))


def _reindex(lay: ir.Layout, rows: list[ir.Row]) -> ir.Layout:
    """Rows in a new order (some gone): #L by position, total_of by the rows' refs."""
    old_ref = {r.index: r.ref for r in lay.rows}
    new_index = {r.ref: i for i, r in enumerate(rows)}
    out = [dataclasses.replace(r, index=i, total_of=tuple(
        new_index[old_ref[j]] for j in r.total_of if old_ref[j] in new_index))
        for i, r in enumerate(rows)]
    return dataclasses.replace(lay, rows=tuple(out))


def _plain(lay: ir.Layout) -> list[int]:
    """Rows nothing points at by index (rule rows: totals and cells read only totals here)."""
    return [i for i, r in enumerate(lay.rows) if r.kind is ir.RowKind.RULE]


@st.composite
def edits(draw: st.DrawFn) -> Edit:
    li = draw(st.integers(0, 5))
    text = draw(st.sampled_from(["", "x", "Despesas Empenhadas", "subfuncao == 122"]))
    n = draw(st.integers(0, 40))
    m = draw(st.integers(0, 40))
    which = draw(st.sampled_from([
        "label", "record_id", "rule", "remove", "move", "insert", "file", "planilha", "policy",
        "column", "code", "on_missing", "map_values", "derived", "scale", "param", "description",
        "nothing"]))

    def row(f: Callable[[ir.Row], ir.Row]) -> Edit:
        def on(lay: ir.Layout) -> ir.Layout:
            rows = list(lay.rows)
            rows[n % len(rows)] = f(rows[n % len(rows)])
            return dataclasses.replace(lay, rows=tuple(rows))
        return lambda pkg: _layout(pkg, li, on)

    def rows(f: Callable[[ir.Layout, list[ir.Row]], list[ir.Row]]) -> Edit:
        return lambda pkg: _layout(pkg, li, lambda lay: _reindex(lay, f(lay, list(lay.rows))))

    def remove(lay: ir.Layout, rs: list[ir.Row]) -> list[ir.Row]:
        plain = _plain(lay)
        if plain:
            del rs[plain[n % len(plain)]]
        return rs

    def move(lay: ir.Layout, rs: list[ir.Row]) -> list[ir.Row]:
        r = rs.pop(n % len(rs))
        rs.insert(m % (len(rs) + 1), r)
        return rs

    def insert(lay: ir.Layout, rs: list[ir.Row]) -> list[ir.Row]:
        plain = _plain(lay)
        if plain:
            rs.insert(n % len(rs), dataclasses.replace(rs[plain[m % len(plain)]],
                                                           ref=f"8888{len(rs)}"))
        return rs

    def ledger(f: Callable[[ir.Ledger], ir.Ledger]) -> Edit:
        return lambda pkg: _with(pkg, ledgers=(f(pkg.ledgers[0]), *pkg.ledgers[1:]))

    def first_map(f: Callable[[ir.Map], ir.Map]) -> Edit:
        return lambda pkg: _with(pkg, maps=(f(pkg.maps[0]), *pkg.maps[1:]))

    def column(f: Callable[[ir.Column], ir.Column]) -> Edit:
        def on(lay: ir.Layout) -> ir.Layout:
            cols = list(lay.columns)
            cols[n % len(cols)] = f(cols[n % len(cols)])
            return dataclasses.replace(lay, columns=tuple(cols))
        return lambda pkg: _layout(pkg, li, on)

    def derived(led: ir.Ledger) -> ir.Ledger:
        d = led.derived[n % len(led.derived)]
        return dataclasses.replace(led, derived=(*led.derived, dataclasses.replace(
            d, name=text or d.name)) if text else led.derived[1:])

    out: dict[str, Edit] = {
        "label": row(lambda r: dataclasses.replace(r, label=text or r.label)),
        "record_id": row(lambda r: dataclasses.replace(r, record_id=text)),
        "rule": row(lambda r: dataclasses.replace(r, cond_text=text) if r.cond_text else r),
        "remove": rows(remove), "move": rows(move), "insert": rows(insert),
        "file": lambda pkg: _layout(pkg, li, lambda lay: dataclasses.replace(
            lay, output_file=text or lay.output_file)),
        "planilha": lambda pkg: _layout(pkg, li, lambda lay: dataclasses.replace(
            lay, planilha=70 + n % 10)),
        "policy": lambda pkg: _layout(pkg, li, lambda lay: dataclasses.replace(
            lay, hit_policy=ir.HitPolicy.FIRST if n % 2 else ir.HitPolicy.UNIQUE)),
        "column": column(lambda c: dataclasses.replace(c, label=text or c.label)),
        "code": column(lambda c: dataclasses.replace(c, code=n % 12)),
        "on_missing": first_map(lambda m: dataclasses.replace(
            m, on_missing="null" if n % 2 else "error")),
        "map_values": first_map(lambda m: dataclasses.replace(
            m, values=m.values[::-1] if n % 2 else m.values)),
        "derived": ledger(derived),
        "scale": ledger(lambda led: dataclasses.replace(led, fields=tuple(
            dataclasses.replace(f, scale=n % 3) if i == n % len(led.fields) else f
            for i, f in enumerate(led.fields)))),
        "param": lambda pkg: dataclasses.replace(pkg, params=tuple(
            dataclasses.replace(p, max=n % 7 or p.max) for p in pkg.params)),
        "description": lambda pkg: dataclasses.replace(pkg, description=text or pkg.description),
        "nothing": lambda pkg: pkg,
    }
    return out[which]


def _apply(fs: list[Edit]) -> ir.Package:
    pkg = BASE
    for f in fs:
        pkg = f(pkg)
    return pkg


def _diff(a: ir.Package, b: ir.Package) -> Report:
    return diff_packages([a], [b], "antigo", "novo")


# ---------------------------------------------------------------- properties
@given(st.lists(edits(), max_size=4))
def test_the_diff_is_empty_exactly_when_the_ir_is_the_same(fs: list[Edit]) -> None:
    new = _apply(fs)
    assert _diff(new, new).empty
    assert _diff(BASE, new).empty == (norm(BASE) == norm(new))


def _counts(report: Report, status: Status) -> list[tuple[str, str]]:
    return sorted((s.id, i.key) for s in report.specs for i in s.items if i.status is status)


@given(st.lists(edits(), min_size=1, max_size=4))
def test_diff_a_b_mirrors_diff_b_a(fs: list[Edit]) -> None:
    new = _apply(fs)
    there, back = _diff(BASE, new), _diff(new, BASE)
    assert _counts(there, Status.ADDED) == _counts(back, Status.REMOVED)
    assert _counts(there, Status.REMOVED) == _counts(back, Status.ADDED)
    assert _counts(there, Status.RENUMBERED) == _counts(back, Status.RENUMBERED)
    assert len(there.specs) == len(back.specs)


@given(st.lists(edits(), min_size=1, max_size=4))
def test_a_report_round_trips_through_json(fs: list[Edit]) -> None:
    report = _diff(BASE, _apply(fs))
    assert Report.from_dict(json.loads(as_json(report))) == report
