"""What a spec kind plugs into each stage of the pipeline (see compiler/kinds/__init__.py).

A kind is a folder `compiler/kinds/<name>/` with one module per stage it takes part in; each
module exposes `PART`, an object of that stage's protocol below:

* `spec.py`   → `PART: FrontEnd`  (rank of compiler.specs): YAML → typed spec, spec-level checks;
* `lower.py`  → `PART: Lowering`  (rank of compiler.lower): spec → plan node(s) of compiler.ir;
* `plan.py`   → `PART: Planner`   (rank of compiler.scanplan): the node's part in the scan
  plan of each ledger it reads (what a record goes through: scopes, lookups, checks);
* `python.py` → `PART: PyEmitter` (rank of compiler.codegen): contributions to the generated
  module (ledger scans, `finish`, the runtime declaration in `PACKAGE`);
* `sql.py`    → `PART: SqlEmitter` (rank of compiler.codegen): contributions to the SQL scan
  of the ledgers the node reads (CTE columns, checks, rows of the `aggregate` statement).
* `diff.py`   → `PART: Differ`    (rank of compiler.diff): what `apura diff` says changed
  between two nodes of the kind.
* `files.py`  → `PART: FileEmitter` (rank of compiler.codegen): files of generated/<pkg>/ other
  than the module and the SQL (a table's normalized CSV copy).

A stage module may be missing when the kind has nothing for that stage (`package` has no
emitters). The schema is `compiler/schemas/<name>.schema.json`.

Why names and per-stage modules rather than one Kind object holding every function: such an
object would import the back ends, and the front end (schema, specs, package: early in the
pipeline order that tests/test_architecture.py enforces) could not read the registry.

Order: stages visit kinds in registry order. A kind may read what kinds before it declared
(names, types, computed values at finish): `map` reads `ledger`, `layout` both, `check` all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any
from typing import Protocol

if TYPE_CHECKING:
    from sqlglot import exp

    from compiler import ir
    from compiler.diagnostics import Diagnostic
    from compiler.source import SourceFile
    from compiler.source import Span
    from compiler.specs import SpecBase
    from compiler.yamlnodes import YMap


# ---------------------------------------------------------------- front end
class FrontEnd(Protocol):
    """Builds the typed spec of a YAML document that passed the kind's JSON Schema."""

    # True for a kind of which a package has exactly one and whose id is not a spec name
    # (`package`); the others share one namespace of ids (S0105 on a repeated id).
    singleton: bool

    def build(self, root: YMap, src: SourceFile, base: dict[str, Any]) -> SpecBase:
        """`base` holds the SpecBase fields (kind, id, src, span, id_span, description,
        provisional): `return MySpec(**base, ...)`."""

    def check(self, specs: Sequence[SpecBase]) -> list[Diagnostic]:
        """Checks over all the specs of this kind before lowering (e.g. output file names)."""


# ---------------------------------------------------------------- lowering
class Lowering(Protocol):
    """Spec → plan nodes. `lw` is the compiler.lower.Lowerer: `lw.diags`, `lw.checker`,
    `lw.parse(scalar, path)`, `lw.scope(where, ledger, aggregate=...)`, `lw.pkg` (the loaded
    specs: `lw.pkg.specs_of("layout")`), `lw.package_id`, `lw.partition`, `lw.field_types`,
    `lw.derived_types`, `lw.map_infos`, `lw.layout_infos`, `lw.cell_deps`, `lw.incomplete`."""

    def declare(self, lw: Any, specs: Sequence[SpecBase]) -> None:
        """Phase 1, every kind in registry order: make names known to later expressions
        (a ledger's field types, a map's record type, a layout's rows and columns)."""

    def lower(self, lw: Any, spec: SpecBase) -> ir.PlanNode | None:
        """Phase 2, every spec in registry then file order: the checked plan node (None
        when it has errors, reported in lw.diags)."""

    def finish(self, lw: Any, nodes: Sequence[ir.PlanNode]) -> None:
        """Phase 3, after every node: cross-node steps of this kind (layout: the dependency
        order of value and total rows, `ir.Package.finish_order`; cycles are errors)."""


# ---------------------------------------------------------------- scan plan
class Planner(Protocol):
    """A kind's part in the scan plans (compiler/scanplan.py), which every back end reads."""

    # records this kind's parts take count as having reached a report (ctx.reached, D0601)
    reaches: bool

    def reads(self, node: ir.PlanNode) -> Sequence[str]:
        """The ledgers whose scan this node takes part in (() for none)."""

    def steps(self, b: Any, node: ir.PlanNode) -> None:
        """Describe what one record goes through in this node's part, in the order every back
        end evaluates it, with the scanplan.Builder `b`: `b.eval(expr)`, `b.enter(what,
        expr)` / `b.exit()` (what: "filter", "row", "when"), `b.unique(layout, rows)`."""


# ---------------------------------------------------------------- back ends
@dataclass(frozen=True, slots=True)
class Accumulator:
    """What a node accumulates per partition while a ledger is scanned: a table of `rows`
    × len(`columns`) cells. At run time it is `ctx.acc[node_id][part]` (a list of rows, each
    a list of values), created by the node's runtime declaration (`Node.new_acc()`); the SQL
    back ends load the `aggregate` rows of the node into the same place. `columns` gives, per
    column, how its SQL text is parsed back: "int", "decimal", "str", "bool", "date", "none"
    (not computed by the scan). A first column "key" makes it rows by key (v0 the key); a
    first column "record" makes it one row per record, appended as a tuple of the parsed
    values to the list v0 names (`ctx.acc[node][part][v0]`: an allocation's records)."""

    node_id: str
    rows: int
    columns: tuple[str, ...]


class PyScanEmitter(Protocol):
    """The PyEmitter of a kind that has a planner (plan.py): its part of a ledger's scan."""

    def scan_part(self, gen: Any, part: Any) -> PyScanPart:
        """The writer of scanplan.Part `part` (a node's part of one ledger's scan plan)."""


class PyScanPart(Protocol):
    """A node's contribution to the generated Python scan of one ledger (one per reading
    node, in registry then file order). The scan loop binds the record's fields
    (`names.field_var`) and derived fields, then runs every part's `emit`."""

    node_id: str

    def emit(self, w: Any) -> None:
        """Write the per-record code through the codegen.pymodule.ScanWriter `w`:
        `w.out` (indented Lines), `w.expr(e)` (Python text of an ir.Expr; its pending
        statements are written first), `w.where(span, plan_id)` (a location comment, also in
        LOC), `w.part` (the partition variable), `w.acc(node_id)` (local bound to
        ctx.acc[node_id]), `w.filter(e, text, plan_id)` (opens `if <filter>:`; evaluated for
        every record, so decimals it reads are converted up front), `w.begin()`/`w.end()`
        (a block whose decimal amounts are converted only when entered), `w.reach()`."""


class PyEmitter(Protocol):
    """A kind's part in the generated Python module (`gen` is codegen.pymodule.ModuleGen:
    `gen.pkg`, `gen.loc(span, note)` → LOC index, `gen.where(span, plan_id)`,
    `gen.uses_import(line)`, `gen.uses_model(name)`, `gen.absorb(pyexpr)`,
    `gen.rows_read` (node ids finish binds with ctx.rows), `gen.scan_parts`)."""

    # where the declaration goes in PACKAGE: "ledgers", "maps" or "nodes" (computed nodes)
    slot: str

    def locs(self, gen: Any, node: ir.PlanNode) -> None:
        """Register the node's LOC entries up front (gen.loc), so they come first."""

    def finish(self, gen: Any, nodes: Sequence[ir.PlanNode]) -> list[str]:
        """Lines of `finish(ctx, part)` for this kind's nodes, run per partition after every
        scan, in registry order (so after the finish of the kinds before it). Locals:
        `ctx`, `part`; values via `ctx.rows(node_id, part)` (a layout's rows, a node's
        accumulator table); outcomes via `ctx.report(DataError)` (see runtime.scan)."""

    def declare(self, gen: Any, node: ir.PlanNode) -> str | None:
        """The runtime declaration of the node inside `PACKAGE = Package(nodes=(...))`
        (e.g. `Layout(...)`), None for nodes declared elsewhere (ledgers, maps). Every runtime
        class it names must be passed to `gen.uses_model(name)` (imports are tracked)."""


class SqlScanPart(Protocol):
    """A node's contribution to the SQL scan of one ledger (compiler/codegen/sql.ScanGen),
    for its part of the ledger's scan plan (compiler/scanplan.py)."""

    node_id: str

    def filtered(self, g: Any) -> list[exp.Expr]:
        """Columns of the `filtered` CTE layer (e.g. `_f__<id>`)."""

    def classified(self, g: Any) -> list[exp.Expr]:
        """Columns of the `classified` CTE layer (e.g. `_row__<id>`: the row, null = none)."""

    def landed(self, g: Any) -> exp.Expr | None:
        """True where the record reached this node (counted when the planner `reaches`)."""

    def guard(self, g: Any, guard: Any) -> exp.Expr:
        """The SQL test (over the `classified` layer) of a scanplan.Guard this part opened."""

    def record_check(self, g: Any, check: Any, column: str
                     ) -> tuple[list[exp.Expr], exp.Expr, exp.Expr, dict[str, object]]:
        """A per-record check this part declared (scanplan.Unique): the columns it adds to
        `errors` (named from `column`), the test a record needs to be looked at, the test it
        fails, and its plan.json entry (read by runtime/backends/sqlrun.RECORD_CHECKS)."""

    def accumulator(self) -> Accumulator:
        """The shape of what `aggregate` returns for this node."""

    def aggregate(self, g: Any, width: int) -> exp.Select:
        """SELECT node id AS "layout", partition AS "part", row index AS "row",
        v0..v<width-1> (text; pad with NULL) FROM "classified" ... GROUP BY part, row."""


class SqlEmitter(Protocol):
    """A kind's part in the SQL back end (kinds with a planner)."""

    def scan_part(self, part: Any) -> SqlScanPart:
        """The SQL writer of scanplan.Part `part`."""


# ---------------------------------------------------------------- apura diff
class Differ(Protocol):
    """A kind's differ (compiler/diff/compare.py): `diff(old, new)` → (attributes changed,
    items added/removed/changed), built with compiler.diff.items.compare and model.attrs."""

    diff: Any


# ---------------------------------------------------------------- other generated files
class FileEmitter(Protocol):
    """Files a kind adds to generated/<pkg>/ (relative path → text), from all its nodes."""

    def files(self, pkg: ir.Package, nodes: Sequence[ir.PlanNode]) -> dict[str, str]: ...


def located(span: Span, plan_id: str) -> str:
    """`file:line:col  plan-id`: how generated code names where a node comes from."""
    return f"{span.file}:{span.line}:{span.col}  {plan_id}"
