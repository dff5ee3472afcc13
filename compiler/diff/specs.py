"""How a package, a ledger, a map and a check differ: package params and partition, ledger
fields, reading format and derived fields, map source, key, values and on_missing, a check's
ledger and its assertions by id."""

from __future__ import annotations

from compiler import ir
from compiler.diff.items import Part
from compiler.diff.items import compare
from compiler.diff.model import Attr
from compiler.diff.model import Item
from compiler.diff.model import Value
from compiler.diff.model import attrs

Found = tuple[tuple[Attr, ...], tuple[Item, ...]]


def _param(p: ir.Param) -> list[tuple[str, Value]]:
    return [("type", p.type.base), ("min", p.min), ("max", p.max)]


PARAM: Part[ir.Param] = Part(kind="param", key=lambda p: p.name, content=_param,
                             span=lambda p: p.span)


def diff_package(old: ir.Package, new: ir.Package) -> Found:
    """Package-level attributes only (its specs are compared one by one)."""
    return (attrs([("id", old.id, new.id), ("description", old.description, new.description),
                   ("partition", old.partition, new.partition)]),
            tuple(compare(PARAM, old.params, new.params)))


def _field(f: ir.Field) -> list[tuple[str, Value]]:
    # scale is read only for decimal cells (runtime/ledgers.py): elsewhere it says nothing
    scale = f.scale if f.type.base == "decimal" else None
    return [("type", f.type.base), ("required", f.required), ("scale", scale)]


def _derived(d: ir.Derived) -> list[tuple[str, Value]]:
    return [("expr", d.text)]


FIELD: Part[ir.Field] = Part(kind="field", key=lambda f: f.name, content=_field,
                             span=lambda f: f.span)
# derived fields are listed in dependency order, which says nothing: compared unordered
DERIVED: Part[ir.Derived] = Part(kind="derived", key=lambda d: d.name, content=_derived,
                           span=lambda d: d.span)

FORMAT_KEYS = ("delimiter", "encoding", "decimal", "thousands", "date", "true", "false", "header")


def diff_ledger(old: ir.Ledger, new: ir.Ledger) -> Found:
    fmt = [(f"format.{k}", getattr(old.format, k), getattr(new.format, k)) for k in FORMAT_KEYS]
    common = {f.name for f in old.fields} & {f.name for f in new.fields}
    order = [("fields.order", tuple(f.name for f in old.fields if f.name in common),
              tuple(f.name for f in new.fields if f.name in common))]
    return (attrs([*fmt, *order]),
            (*compare(FIELD, old.fields, new.fields), *compare(DERIVED, old.derived, new.derived)))


def diff_map(old: ir.Map, new: ir.Map) -> Found:
    return (attrs([("source", old.source, new.source), ("key", old.key, new.key),
                   ("values", old.values, new.values),
                   ("on_missing", old.on_missing, new.on_missing)]), ())


def _assertion(a: ir.Assertion) -> list[tuple[str, Value]]:
    return [("label", a.label), ("severity", a.severity), ("tolerance", str(a.tolerance)),
            ("left", a.left_text), ("right", a.right_text)]


ASSERTION: Part[ir.Assertion] = Part(kind="assertion", key=lambda a: a.name,
                                     content=_assertion, span=lambda a: a.span)


def diff_check(old: ir.Check, new: ir.Check) -> Found:
    return (attrs([("ledger", old.ledger, new.ledger)]),
            tuple(compare(ASSERTION, old.assertions, new.assertions)))
