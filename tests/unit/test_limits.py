"""Limits (issue 7, section 4): whatever `check` accepts compiles and runs; the rest is refused
at check time with a positioned diagnostic (E0201 nesting depth, E0202 SQL size, S0601 file
size, S0602 expression length); never an exception. Also: the compiled bytes do not depend on
the working directory.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from sqlglot import exp

from compiler import check
from compiler import compile_package
from compiler import ir
from compiler.codegen.sqlexpr import SqlExpr
from compiler.codegen.sqlexpr import col
from compiler.expr import MAX_DEPTH
from compiler.expr import MAX_EXPR_CHARS
from compiler.exprsize import MAX_INLINED_DEPTH
from compiler.exprsize import sql_size
from compiler.package import MAX_SPEC_BYTES
from tests import exprkit
from tests.conftest import ROOT

ROWS = [{"a": 1, "b": exprkit.D("1.5")}, {"a": 2, "b": None}, {"a": 3, "b": exprkit.D("-2")}]
LIMIT_CODES = {"E0201", "E0202", "S0602"}


def _write(tmp: Path, cond: str) -> Path:
    specs = tmp / "specs"
    specs.mkdir(parents=True, exist_ok=True)
    (specs / "package.yaml").write_text(exprkit.PACKAGE, "utf-8")
    (specs / "t.yaml").write_text(exprkit.LEDGER, "utf-8")
    (specs / "c.yaml").write_text(exprkit.count_layout(cond), "utf-8")
    return specs


def chain(kind: str, n: int) -> str:
    """A generated long or deep condition over ledger t (a int?, b decimal?)."""
    match kind:
        case "or":
            return " or ".join(f"a == {i}" for i in range(n))
        case "and":
            return " and ".join(f"a != {i + 2}" for i in range(n))
        case "or_null":  # nullable operands: the Kleene helpers, n-ary
            return " or ".join(f"b > {i}" for i in range(n))
        case "plus":
            return " + ".join("a" for _ in range(n)) + " > 2"
        case "minus_b":
            return "b" + " - b" * (n - 1) + " < 1"
        case "parens":
            return "(" * n + "a == 1" + ")" * n
        case "not":
            return "not " * n + "a == 1"
        case "neg":
            return "-" * n + "a < 0"
        case "if":
            return "if a == 1 then true else " * n + "false"
        case "abs":
            return "abs(" * n + "b" + ")" * n + " > 1"
        case "div":
            return " / ".join(["b"] * n) + " > 0"
    raise AssertionError(kind)


def outcome(tmp: Path, cond: str) -> tuple[str, object]:
    """("refused", (code, line, col)) or ("ran", {backend: count})."""
    specs = _write(tmp, cond)
    res = compile_package(specs, base=tmp)
    if res.errors:
        d = res.errors[0]
        return "refused", (d.code, d.span.file, d.span.line, d.span.col)
    counts = {be: exprkit.count_where(tmp / be, cond, ROWS, be) for be in ("python", "duckdb")}
    return "ran", counts


def _check_outcome(kind: str, n: int, tmp: Path) -> None:
    cond = chain(kind, n)
    what, detail = outcome(tmp, cond)
    if what == "refused":
        assert isinstance(detail, tuple)
        code, file, line, column = detail
        assert code in LIMIT_CODES, detail
        assert (file, line) == ("specs/c.yaml", 5)  # the filter line of count_layout
        assert column >= len("filter: '") + 1
    else:
        assert isinstance(detail, dict)
        assert detail["python"] == detail["duckdb"], (kind, n, detail)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["or", "and", "or_null", "plus", "minus_b", "parens", "not", "neg",
                             "if", "abs", "div"]),
       n=st.sampled_from([2, 7, 60, 99, 101, 200, 800, 2000]))
def test_long_and_deep_expressions_compile_and_agree_or_are_refused(kind: str, n: int,
                                                                   tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    if kind == "div" and n > 7:
        n = 7
    _check_outcome(kind, n, tmp_path_factory.mktemp(kind))


def test_a_200_term_or_compiles_and_runs(tmp_path: Path) -> None:
    # issue 7 regression: it passed check and died in sqlglot with a RecursionError.
    assert outcome(tmp_path, chain("or", 200)) == ("ran", {"python": 3, "duckdb": 3})


def test_a_2000_term_and_or_chain_compiles_and_runs(tmp_path: Path) -> None:
    cond = chain("or", 1000) + " and " + chain("and", 1000)  # a or ... or (a and ... and)
    assert outcome(tmp_path, f"({chain('or', 1000)}) and ({chain('and', 1000)})") == \
        ("ran", {"python": 1, "duckdb": 1})
    assert outcome(tmp_path / "x", cond)[0] == "ran"


def test_3000_nested_nots_are_refused_where_the_limit_is_crossed(tmp_path: Path) -> None:
    # issue 7 regression: RecursionError in check, no position.
    what, detail = outcome(tmp_path, chain("not", 3000))
    assert what == "refused"
    # "filter: '" is 9 characters; the (MAX_DEPTH + 1)-th `not` starts the level too many
    assert detail == ("E0201", "specs/c.yaml", 5, 10 + 4 * MAX_DEPTH)


def test_the_depth_limit_is_exact(tmp_path: Path) -> None:
    # `not` × k over `a == 1`: k + 2 levels (not…, the comparison, its operands)
    assert outcome(tmp_path / "ok", chain("not", MAX_DEPTH - 2)) == \
        ("ran", {"python": 1, "duckdb": 1})
    assert outcome(tmp_path / "no", chain("not", MAX_DEPTH - 1))[1][0] == "E0201"  # type: ignore[index]


def test_an_expression_over_the_length_limit_is_refused(tmp_path: Path) -> None:
    n = MAX_EXPR_CHARS // len("a == 1 or ") + 1
    what, detail = outcome(tmp_path, chain("or", n))
    assert (what, detail) == ("refused", ("S0602", "specs/c.yaml", 5, 9))


def test_a_spec_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    specs = _write(tmp_path, "a == 1")
    big = specs / "zz_big.yaml"
    big.write_bytes(b"# " + b"x" * MAX_SPEC_BYTES + b"\n")
    res = check(specs, base=tmp_path)
    got = [(d.code, d.span.file, d.span.line, d.span.col) for d in res.errors]
    assert got == [("S0601", "specs/zz_big.yaml", 1, 1)]
    assert "8 MB" in res.errors[0].message


def _nodes(tree: exp.Expr) -> int:
    return sum(1 for _ in tree.walk())


@pytest.mark.parametrize("cond", [
    "b / 3 > 0", "b / 2 / 3 / 5 > 0", "(b + 1) / (b - 1) / b > 1",
    "within(b / 2, b / 3, b / 4)", "date(year(d) + a, month(d) - 1, day(d) * 2) is null",
    "abs(b) / 7 > 0 or within(a, 1, 2) and fim_bimestre(a, a) is null",
])
@pytest.mark.parametrize("dialect", ["duckdb", "spark"])
def test_sql_size_bounds_the_rendered_sql(cond: str, dialect: str, tmp_path: Path) -> None:
    res = check(_write(tmp_path, cond), base=tmp_path)
    assert not res.errors, [d.message for d in res.errors]
    assert res.ir is not None
    e = res.ir.layouts[0].filter
    assert e is not None

    def resolve(x: ir.Expr) -> exp.Expr | None:
        if isinstance(x, ir.FieldRef | ir.ParamRef):
            return col(x.name, "s")
        return None

    tree = SqlExpr(dialect, resolve, lambda _: (18, 2))(e)
    assert _nodes(tree) <= sql_size(e)


def _compile_from(cwd: Path, specs_arg: str, out: Path) -> dict[str, bytes]:
    subprocess.run([sys.executable, "-m", "compiler", "compile", specs_arg, "--out", str(out)],
                   cwd=cwd, check=True, capture_output=True)
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file()}


def test_the_compiled_bytes_do_not_depend_on_the_working_directory(tmp_path: Path) -> None:
    # issue 7 regression: `cd specs && apura compile siops --out ../generated` changed
    # __init__.py, the SQL files and the spec sha256.
    from_root = _compile_from(ROOT, "specs", tmp_path / "a")
    from_specs = _compile_from(ROOT / "specs", "siops", tmp_path / "b")
    from_tmp = _compile_from(tmp_path, str(ROOT / "specs"), tmp_path / "c")
    assert from_root == from_tmp  # every package of the project (siops, debita)
    # one package named from inside specs/: the same bytes as that package's in the others
    assert from_specs == {k: v for k, v in from_root.items() if k.startswith("siops/")}
    committed = {p.relative_to(ROOT / "generated").as_posix(): p.read_bytes()
                 for p in sorted((ROOT / "generated").rglob("*")) if p.is_file()
                 and "__pycache__" not in p.parts}
    assert from_root == committed


# ---------------------------------------------------------------- a big layout
BIG_ROWS = 3200  # past CPython's limit for one elif chain (~3,000 branches)
BIG_PEAK_BYTES = 220 * 1024 * 1024  # measured ~150 MB (see benchmarks/README.md)


def test_a_big_layout_compiles_within_memory_and_runs(tmp_path: Path) -> None:
    import tracemalloc
    from decimal import Decimal

    import runtime
    from compiler.writer import write_tree
    from tests.limitkit import write_big_package

    specs = write_big_package(tmp_path, BIG_ROWS)
    tracemalloc.start()
    try:
        res = compile_package(specs, base=tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert not res.errors
    assert peak < BIG_PEAK_BYTES, f"compiling {BIG_ROWS} rows peaked at {peak / 2**20:.0f} MB"
    write_tree(tmp_path / "gen" / "e", res.files)
    program = runtime.load(tmp_path / "gen" / "e")  # Python compiles the module: no elif chain
    rows = [{"k": "x", "a": a, "b": Decimal("1.25"), "s": s, "d": None, "f": None}
            for a, s in ((0, "y"), (BIG_ROWS - 1, "y"), (BIG_ROWS - 1, "y"), (7, "x7"),
                         (BIG_ROWS + 3, "y"), (None, "y"))]
    for backend in ("python", "duckdb"):
        kwargs = {} if backend == "python" else {"backend": backend}
        r = program.run(ledgers={"t": rows}, params={"p": 1}, **kwargs)
        last = f"R{BIG_ROWS - 1:06d}"
        assert r.cell("big", "x", "R000000", "V1") == 1
        assert r.cell("big", "x", last, "V0") == Decimal("2.50")
        assert r.cell("big", "x", "R000007", "V1") == 0  # s == "x7": the rule is false
        assert r.cell("big", "x", "OUTROS", "V1") == 2  # a == 7 (s "x7") and a past the rows
        assert r.cell("big", "x", "T000049", "V1") == 1  # total of R000000..R000049


def _derived_chain(tmp: Path, n: int) -> Path:
    specs = _write(tmp, f"d{n - 1} > {n}")
    chain_ = "derived:\n  d0: coalesce(a, 0)\n" + "".join(f"  d{i}: d{i - 1} + 1\n"
                                                        for i in range(1, n))
    (specs / "t.yaml").write_text(exprkit.LEDGER + chain_, "utf-8")
    return specs


def test_a_long_chain_of_derived_fields_compiles_and_runs(tmp_path: Path) -> None:
    # the dependency order was a recursive depth-first search (RecursionError past ~1,000)
    import runtime
    from compiler.writer import write_tree

    n = MAX_INLINED_DEPTH - 2  # d{k} is k + 2 levels deep, d0 = coalesce(a, 0) two
    res = compile_package(_derived_chain(tmp_path, n), base=tmp_path)
    assert not res.errors
    write_tree(tmp_path / "gen" / "e", res.files)
    program = runtime.load(tmp_path / "gen" / "e")
    for backend in ("python", "duckdb"):
        result = exprkit.run(program, ROWS, backend)
        assert int(result.cell("c", "x", "1", "V0")) == 2  # a = 2 and a = 3: a + n - 1 > n


def test_a_chain_of_derived_fields_too_deep_for_sql_is_refused_once(tmp_path: Path) -> None:
    specs = _derived_chain(tmp_path, 1500)  # DuckDB: "Max expression depth limit of 1000"
    res = check(specs, base=tmp_path)
    got = [(d.code, d.span.file, d.span.line, d.span.col) for d in res.errors]
    k = MAX_INLINED_DEPTH - 1  # the first field past the limit
    line = (specs / "t.yaml").read_text("utf-8").splitlines().index(f"  d{k}: d{k - 1} + 1") + 1
    assert got == [("E0203", "specs/t.yaml", line, len(f"  d{k}: ") + 1)]
