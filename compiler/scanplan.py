"""The scan plan of each ledger: what happens to one record, read by every back end.

A ledger is read once; every node that reads it (compiler/kinds/<kind>/plan.py) contributes a
*part*. The plan fixes, for all back ends alike:

* `parts`: which nodes read the ledger, in registry then file order;
* `lookups`: the distinct map lookups the scan makes (one `_l<n>` local in the Python scan, one
  `lookup_<n>` join in SQL), numbered in the order they are first needed;
* `bindings`: every point where a record evaluates a lookup, with its *scope* — the guards
  (a node's filter holds, the record got a row of the node, a part's own test) that must all
  hold for the record to get there. A lookup already bound in a scope still open is not
  evaluated again; leaving a scope forgets what was bound in it;
* `checks`: the per-record checks in evaluation order: a missing key of a map whose
  `on_missing` is `error` (D0201; the record is skipped, so later checks of it are not made),
  an entry found whose status is not confirmed, in a map with a `status` field (D0802: the
  record used it; it is not skipped), two rules of a `unique` layout holding at once
  (D0301), a record of a coverage node's item (D1301) and an allocation's source record
  whose class its map does not give (D1401: a rejected row, not skipped).

The Python back end writes its scan along the plan and verifies, as it renders, that its
lookups are exactly the plan's bindings (compiler/codegen/pyscan.py); the SQL back end makes
its joins from `lookups` and its `errors` statement from `checks` (compiler/codegen/sql.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import TypeAlias

from compiler import ir
from compiler import kinds
from compiler import types as T


@dataclass(frozen=True, slots=True)
class Guard:
    """A condition that opens a scope of the per-record program, set by part `part`:
    "on" (the run computes the part's node: a report a --select leaves out is skipped),
    "filter" (its node's filter holds), "row" (the record got a row of its node), "when"
    (the part's own test `expr`, e.g. what every sum of a check requires). Inside an
    expression (LAZY, `Builder.eval`): "null" (`expr` is null: a later argument of
    `coalesce`), "then" / "else" (the condition `expr` of an `if` holds / does not)."""

    part: int
    what: str
    expr: ir.Expr | None = None


Scope: TypeAlias = tuple[Guard, ...]  # outermost first; () is every record
# The guards an expression opens inside itself: a lookup is evaluated only where its value
# is needed — a later argument of `coalesce` when the earlier ones are null, a branch of `if`
# when the condition picks it — so a missing key there is no error when it is not.
LAZY = ("null", "then", "else")


@dataclass(frozen=True, slots=True)
class Lookup:
    """One distinct map lookup of the scan (same map, same key expressions)."""

    index: int
    map: ir.Map
    keys: tuple[ir.Expr, ...]


@dataclass(frozen=True, slots=True)
class Binding:
    """A record evaluates lookup `lookup` here, under `scope`, in the steps of part `part`
    (-1: the ledger's derived fields)."""

    lookup: int
    scope: Scope
    part: int = -1


@dataclass(frozen=True, slots=True)
class MissingKey:
    """D0201: binding `binding` finds no entry (its map's on_missing is error)."""

    binding: int


@dataclass(frozen=True, slots=True)
class Unconfirmed:
    """D0802: binding `binding` finds an entry whose status is not confirmed (its map has a
    `status` field): the record uses an equivalência nobody confirmed."""

    binding: int


@dataclass(frozen=True, slots=True)
class Unique:
    """D0301: a record holds two rules of `unique` layout `layout` (its rule rows `rows`)."""

    part: int
    layout: str
    rows: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Covered:
    """D1301: a record of source `source` of coverage node `node` whose keys find no
    confirmed entry of its map (probe `lookup`, never an error of its own), or, without a
    map (`lookup` None), any record that got here: an item the node lists."""

    part: int
    node: str
    source: int
    lookup: int | None


@dataclass(frozen=True, slots=True)
class Refused:
    """D1401: a source record of allocation `node` whose class (`value`, the class map's
    value found by the record's lookup) is null — its key is not in the map (whose
    on_missing is null; with `error` the lookup is a D0201). A rejected row: the record is
    still carried to the node (its import is marked REJEITADO), under `scope`."""

    part: int
    node: str
    value: ir.Expr
    keys: tuple[ir.Expr, ...]
    scope: Scope


Check: TypeAlias = MissingKey | Unconfirmed | Unique | Covered | Refused


@dataclass(frozen=True, slots=True)
class Part:
    """A node's part in the scan: `reaches` when the records it takes count as having
    reached a report (D0601)."""

    index: int
    node: ir.PlanNode
    reaches: bool
    ledger: str = ""  # the ledger scanned (a node may read several: each has its part)


@dataclass(frozen=True, slots=True)
class ScanPlan:
    """Everything a back end needs to know about scanning one ledger."""

    ledger: ir.Ledger
    parts: tuple[Part, ...]
    lookups: tuple[Lookup, ...]
    bindings: tuple[Binding, ...]
    checks: tuple[Check, ...]
    index: dict[object, Lookup] = field(default_factory=dict, compare=False)  # by lookup_key

    def lookup_of(self, e: ir.MapLookup) -> Lookup:
        lk = self.index.get(lookup_key(e))
        if lk is None:
            raise AssertionError(f"lookup of {e.map} is not in the scan plan of "
                                 f"{self.ledger.id}")
        return lk


def lookup_key(e: ir.MapLookup) -> object:
    """What makes two lookups the same one: the map and the key expressions (not spans)."""
    return (e.map, shape(e.keys))


def shape(e: object) -> object:
    """An expression without its spans: two expressions written alike have the same shape."""
    if isinstance(e, tuple):
        return tuple(shape(x) for x in e)
    slots = getattr(e, "__slots__", None)
    if slots is None or isinstance(e, T.Type):
        return e
    return (type(e).__name__, *(shape(getattr(e, a)) for a in slots if a != "span"))


def lookups_in(e: ir.Expr | None) -> list[ir.MapLookup]:
    """The map lookups of an expression, inner ones (in keys) first."""
    out: list[ir.MapLookup] = []

    def walk(n: object) -> None:
        if isinstance(n, ir.MapLookup):
            for k in n.keys:
                walk(k)
            out.append(n)
            return
        for attr in getattr(n, "__slots__", ()):
            v = getattr(n, attr)
            if isinstance(v, tuple):
                for x in v:
                    walk(x)
            elif isinstance(v, ir.Expr.__args__):
                walk(v)
    if e is not None:
        walk(e)
    return out


@dataclass(slots=True)
class Builder:
    """What a kind's planner (kinds.base.Planner.steps) describes its per-record program
    with: `eval(e)` (the record evaluates `e` here: its lookups are bound), `enter(guard)` /
    `exit()` (a nested scope), `unique(...)` (a D0301 check here)."""

    pkg: ir.Package
    part: int = -1
    ledger: str | None = None  # the ledger whose plan is built (a node may read several)
    lookups: list[Lookup] = field(default_factory=list)
    index: dict[object, Lookup] = field(default_factory=dict)
    bindings: list[Binding] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    _scopes: list[tuple[Guard | None, set[int]]] = field(default_factory=list)
    # the lookups bound under each chain of LAZY guards, kept while the scope around the chain
    # is open: an expression rendered twice (a sheets row and its lookup's key) binds once
    _memo: dict[Scope, set[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._scopes.append((None, set()))

    @property
    def scope(self) -> Scope:
        return tuple(g for g, _ in self._scopes if g is not None)

    def _lookup(self, e: ir.MapLookup) -> Lookup:
        key = lookup_key(e)
        if key not in self.index:
            m = next(m for m in self.pkg.maps if m.id == e.map)
            self.index[key] = Lookup(index=len(self.lookups), map=m, keys=e.keys)
            self.lookups.append(self.index[key])
        return self.index[key]

    def eval(self, e: ir.Expr | None) -> None:
        """The record evaluates `e` here: its lookups are bound, inner ones (in keys) first,
        in the order the back ends render them; those of a later `coalesce` argument or of
        an `if` branch under the guards of LAZY (compiler/codegen/pyexpr.py renders the same
        scopes; the Python scan asserts it)."""
        if e is not None:
            self._walk(e)

    def _walk(self, n: object) -> None:
        match n:
            case ir.MapLookup(keys=keys):
                for k in keys:
                    self._walk(k)
                self._bind(n)
            case ir.Call(func="coalesce", args=args):
                self._walk(args[0])
                for prev, a in zip(args, args[1:], strict=False):
                    self.enter("null", prev)  # nested: every earlier argument is null
                    self._walk(a)
                for _ in args[1:]:
                    self.exit()
            case ir.If(cond=c, then=a, other=b):
                self._walk(c)
                for what, branch in (("then", a), ("else", b)):
                    self.enter(what, c)
                    self._walk(branch)
                    self.exit()
            case _:
                for attr in getattr(n, "__slots__", ()):
                    v = getattr(n, attr)
                    for x in (v if isinstance(v, tuple) else (v,)):
                        if isinstance(x, ir.Expr.__args__):
                            self._walk(x)

    def _bind(self, m: ir.MapLookup) -> None:
        lk = self._lookup(m)
        if any(lk.index in bound for _, bound in self._scopes):
            return
        self._scopes[-1][1].add(lk.index)
        self.bindings.append(Binding(lookup=lk.index, scope=self.scope, part=self.part))
        if lk.map.on_missing == "error":
            self.checks.append(MissingKey(binding=len(self.bindings) - 1))
        if lk.map.status is not None:
            self.checks.append(Unconfirmed(binding=len(self.bindings) - 1))

    def enter(self, what: str, expr: ir.Expr | None = None) -> None:
        g = Guard(part=self.part, what=what, expr=expr)
        bound = self._memo.setdefault((*self.scope, g), set()) if what in LAZY else set()
        self._scopes.append((g, bound))

    def exit(self) -> None:
        assert len(self._scopes) > 1, "exit() without enter()"
        g, _ = self._scopes.pop()
        if g is not None and g.what not in LAZY:
            self._memo = forget(self._memo, (*self.scope, g))

    def unique(self, layout: str, rows: Sequence[int]) -> None:
        self.checks.append(Unique(part=self.part, layout=layout, rows=tuple(rows)))

    def covered(self, node: str, source: int, probe: ir.MapLookup | None) -> None:
        """A coverage check here (D1301). The probe is joined (SQL) but bound nowhere: a key
        it does not find is the gap itself, not a D0201, and it evaluates no value."""
        lk = self._lookup(probe).index if probe is not None else None
        self.checks.append(Covered(part=self.part, node=node, source=source, lookup=lk))


    def refuse(self, node: str, value: ir.Expr, keys: Sequence[ir.Expr]) -> None:
        """An allocation's class check here (D1401) on `value`, evaluated before (`eval`)."""
        self.checks.append(Refused(part=self.part, node=node, value=value, keys=tuple(keys),
                                   scope=self.scope))


def forget(memo: dict[Scope, Any], closed: Scope) -> dict[Scope, Any]:
    """`memo` without the chains of LAZY guards inside the scope `closed` (just left)."""
    return {k: v for k, v in memo.items() if k[:len(closed)] != closed}


def is_report(node: ir.PlanNode) -> bool:
    """A node that writes files and has scan parts (layout, sheets, indicator, allocation): its
    part in a scan runs only when the run computes it — the scope "on" of the part (the Python
    scan's `if _on<i>:`, the SQL flag column `$_on_<k>` from the run's parameters,
    runtime.model.report_flag)."""
    return isinstance(node, ir.Layout | ir.Sheets | ir.Indicator | ir.Allocation)


def reports(pkg: ir.Package) -> list[str]:
    """The report ids in the runtime's order (runtime Package.reports): flag k is the k-th.
    A derivation is a report with no scan part (it reads its inputs at finish): listed, so
    the indexes of the reports after it are the runtime's."""
    return [n.id for n in pkg.nodes if is_report(n) or isinstance(n, ir.Derivation)]


def build(pkg: ir.Package) -> dict[str, ScanPlan]:
    """ledger id → its scan plan, for every ledger some node reads."""
    readers: dict[str, list[ir.PlanNode]] = {}
    for node in pkg.nodes:
        planner = kinds.planner(ir.kind_of(node))
        for ledger in (planner.reads(node) if planner is not None else ()):
            readers.setdefault(ledger, []).append(node)
    out: dict[str, ScanPlan] = {}
    for led in pkg.ledgers:
        nodes = readers.get(led.id)
        if not nodes:
            continue
        b = Builder(pkg, ledger=led.id)
        for d in led.derived:  # every record computes its derived fields, in order
            b.eval(d.expr)
        parts = []
        for i, node in enumerate(nodes):
            planner = kinds.planner(ir.kind_of(node))
            assert planner is not None
            b.part = i
            depth = len(b._scopes)
            gated = is_report(node)
            if gated:  # the run computes this report (a --select or `when:` can leave it out)
                b.enter("on")
            planner.steps(b, node)
            if gated:
                b.exit()
            assert len(b._scopes) == depth, f"{node.id}: enter() without exit()"
            parts.append(Part(index=i, node=node, reaches=planner.reaches, ledger=led.id))
        out[led.id] = ScanPlan(ledger=led, parts=tuple(parts), lookups=tuple(b.lookups),
                               bindings=tuple(b.bindings), checks=tuple(b.checks),
                               index=b.index)
    return out
