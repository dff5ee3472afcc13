"""`within(x, start, end)` on a value that cannot be null: the Python back end writes it as plain
comparisons. A literal bound used to be written `(0 is None or x <= 0)` — `<literal> is None`
is a SyntaxWarning when Python compiles the module (an error under -W error). `1 is null` had
the same wart."""

from __future__ import annotations

import datetime
import re
import warnings
from pathlib import Path

import pytest

import runtime
from compiler import compile_package
from compiler import ir
from compiler import types as T
from compiler.codegen.pyexpr import PyExpr
from compiler.source import Span
from compiler.writer import write_tree

SPAN = Span(file="x.yaml", line=1, col=1, end_line=1, end_col=2, start=0, end=1)
N = ir.FieldRef(ledger="t", name="n", type=T.INT, span=SPAN)  # required: never null


def _const(v: object, t: T.Type) -> ir.Const:
    return ir.Const(value=v, type=t, span=SPAN)  # type: ignore[arg-type]


NULL = _const(None, T.NULL)
P = ir.ParamRef(name="p", type=T.INT, span=SPAN)
Q = ir.ParamRef(name="q", type=T.INT.null(), span=SPAN)  # a nullable bound: an open side


@pytest.mark.parametrize(("lo", "hi"), [
    (NULL, _const(0, T.INT)), (_const(-5, T.INT), NULL), (_const(1, T.INT), _const(9, T.INT)),
    (_const(0, T.INT), P), (Q, _const(3, T.INT)), (NULL, NULL), (Q, Q)])
def test_no_literal_is_none_in_the_code(lo: ir.Expr, hi: ir.Expr) -> None:
    px = PyExpr({}, hoist=False)
    code = px(ir.Call(func="within", args=(N, lo, hi), type=T.BOOL, span=SPAN))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compiled = compile(code, "<within>", "eval")  # a SyntaxWarning would raise here
    for n in (-6, -5, 0, 1, 3, 9, 10):
        for q in (None, 2):
            got = eval(compiled, {"f_n": n, "p_p": 4, "p_q": q, "o": None})
            lo_v = {id(NULL): None, id(P): 4, id(Q): q}.get(id(lo), getattr(lo, "value", None))
            hi_v = {id(NULL): None, id(P): 4, id(Q): q}.get(id(hi), getattr(hi, "value", None))
            want = (lo_v is None or lo_v <= n) and (hi_v is None or n <= hi_v)
            assert got == want, (code, n, q)


PACKAGE = "kind: package\nid: w\npartition: k\nparams:\n  p: {type: int}\n"
LEDGER = """kind: ledger
id: t
format: {type: csv}
fields:
  k: {type: str}
  n: {type: int}
  d: {type: date}
"""
LAYOUT = """kind: layout
id: c
planilha: 1
source: t
filter: '(within(n, null, 0) or within(n, 10, null) or within(d, null, date(2020, 1, 31)))
  and 1 is not null and "a" is not null and not (2.5 is null) and null is null'
output: {format: impt, file: c.IMPT}
columns:
  - {id: V0, code: 1, label: n, value: count()}
rows:
  - {ref: "1", record_id: "1", otherwise: true}
"""


def test_a_generated_module_compiles_without_warnings(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    for name, text in {"package.yaml": PACKAGE, "t.yaml": LEDGER, "c.yaml": LAYOUT}.items():
        (specs / name).write_text(text, encoding="utf-8")
    res = compile_package(specs, base=tmp_path)
    assert res.errors == []
    literal_is = re.compile(r"(?<![\w.])(?:\d+|'[^']*'|\"[^\"]*\") is (?:not )?None")
    assert literal_is.search(res.files["__init__.py"]) is None
    write_tree(tmp_path / "gen" / "w", res.files)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        program = runtime.load(tmp_path / "gen" / "w")
    late = datetime.date(2020, 6, 1)
    january = datetime.date(2020, 1, 31)
    rows = [{"k": "x", "n": n, "d": d} for n, d in
            ((-1, late), (0, late), (1, late), (9, late), (10, late), (5, january))]
    for backend in ("python", "duckdb"):
        kwargs = {} if backend == "python" else {"backend": backend}
        r = program.run(ledgers={"t": rows}, params={"p": 1}, **kwargs)
        assert r.cell("c", "x", "1", "V0") == 4  # -1, 0, 10 and the January date


DATES = """kind: layout
id: c
planilha: 1
source: t
output: {format: impt, file: c.IMPT}
columns:
  # date(2020, 2, 30) does not exist: it is null although no argument is; a null bound of
  # within() leaves that side open, and `d == null` is null (its `not` too)
  - {id: V0, code: 1, label: a,
     value: 'count(n where within(d, date(2020, 2, 30), date(2020, 12, 31)))'}
  - {id: V1, code: 2, label: b, value: 'count(n where not (d == date(2020, 2, 30)))'}
  - {id: V2, code: 3, label: c, value: 'count(n where within(d, fim_bimestre(2020, 7), null))'}
  - {id: V3, code: 4, label: d, value: 'count(n where date(n, 1, 1) is null)'}
rows:
  - {ref: "1", record_id: "1", otherwise: true}
"""


def test_a_date_that_does_not_exist_is_null_on_every_back_end(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    for name, text in {"package.yaml": PACKAGE, "t.yaml": LEDGER, "c.yaml": DATES}.items():
        (specs / name).write_text(text, encoding="utf-8")
    res = compile_package(specs, base=tmp_path)
    assert res.errors == []
    write_tree(tmp_path / "gen" / "w", res.files)
    program = runtime.load(tmp_path / "gen" / "w")
    rows = [{"k": "x", "n": n, "d": datetime.date(2020, 3, 1)} for n in (0, 2020)]
    for backend in ("python", "duckdb"):
        kwargs = {} if backend == "python" else {"backend": backend}
        r = program.run(ledgers={"t": rows}, params={"p": 1}, **kwargs)
        got = [r.cell("c", "x", "1", col) for col in ("V0", "V1", "V2", "V3")]
        assert got == [2, 0, 2, 1], backend  # year 0 has no 1 January
