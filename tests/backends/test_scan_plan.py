"""The scan plan (compiler/scanplan.py) is what every back end follows: where a lookup is
evaluated decides whether a missing key is an error (D0201) for a record. Here a check sums
under `funcao == 10 and lookup(...)` next to another sum sharing `funcao == 10`: the shared
test is made once, the lookup only under it — so a record of another função with a recurso
the equivalência lacks is not an error, on any back end; one of função 10 is, once."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import event
from hypothesis import given
from hypothesis import reject
from hypothesis import settings
from hypothesis import strategies as st

import runtime
from compiler import check
from compiler import compile_package
from compiler import scanplan
from compiler.writer import write_tree
from tests.backends.conftest import outcome
from tests.conftest import write_package

SPECS = {
    "package.yaml": "kind: package\nid: plano\npartition: municipio\n"
                    "params:\n  exercicio: {type: int}\n",
    "despesa.yaml": """\
kind: ledger
id: despesa
format: {type: csv, delimiter: ";", decimal: ","}
fields:
  municipio: {type: str}
  funcao: {type: int}
  recurso: {type: str}
  valor: {type: decimal}
""",
    "equivalencias.yaml": """\
kind: ledger
id: equivalencias
format: {type: csv, delimiter: ";"}
fields:
  recurso: {type: str}
  recurso_siops: {type: str}
""",
    "equivalencia.yaml": """\
kind: map
id: equivalencia
source: equivalencias
key: [recurso]
values: [recurso_siops]
""",
    "quadro.yaml": """\
kind: layout
id: quadro
planilha: 1
source: despesa
filter: funcao == 10
hit_policy: first
output: {format: impt, file: quadro.IMPT}
columns:
  - {id: V0, code: 1, label: Valor, value: sum(valor)}
rows:
  - ref: "1"
    record_id: "101"
    rule: lookup(equivalencia, recurso).recurso_siops == "212"
  - ref: "2"
    record_id: "102"
    otherwise: true
  - ref: "9"
    record_id: "109"
    total_of: leaves
""",
    "conferencias.yaml": """\
kind: check
id: conferencias
ledger: despesa
assertions:
  - id: uniao
    label: linha 1 = despesa 212
    left: cell("quadro", "1", "V0")
    right: sum(valor where funcao == 10 and lookup(equivalencia, recurso).recurso_siops == "212")
  - id: total
    label: total = despesa da função 10
    left: cell("quadro", "9", "V0")
    right: sum(valor where funcao == 10 and valor != 0)
""",
}
EQUIV = "recurso;recurso_siops\n001;212\n002;100\n"
HEADER = "municipio;funcao;recurso;valor"
PARAMS = {"exercicio": 2020}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_package(tmp_path_factory.mktemp("plano"), SPECS)


@pytest.fixture(scope="module")
def program(folder: Path) -> runtime.Program:
    res = compile_package(folder, base=folder.parent)
    assert res.errors == [], res.errors
    write_tree(folder.parent / "gen" / "plano", res.files)
    return runtime.load(folder.parent / "gen" / "plano")


def _inputs(tmp_path: Path, *rows: str) -> dict[str, Path]:
    desp = tmp_path / "despesa.csv"
    desp.write_text("".join(f"{r}\n" for r in (HEADER, *rows)), encoding="utf-8")
    eq = tmp_path / "equivalencias.csv"
    eq.write_text(EQUIV, encoding="utf-8")
    return {"despesa": desp, "equivalencias": eq}


def test_the_plan_states_each_lookup_scope(folder: Path) -> None:
    pkg = check(folder, base=folder.parent).ir
    assert pkg is not None
    plan = scanplan.build(pkg)["despesa"]
    assert [p.node.id for p in plan.parts] == ["quadro", "conferencias"]
    assert len(plan.lookups) == 1  # one join, one `_l0` local
    # the layout's rule (the run computes the layout, its filter holds); the check's own
    # test, under the shared one
    assert [(b.lookup, [(g.part, g.what) for g in b.scope]) for b in plan.bindings] == \
        [(0, [(0, "on"), (0, "filter")]), (0, [(1, "when")])]
    assert plan.checks == (scanplan.MissingKey(binding=0), scanplan.MissingKey(binding=1))


@pytest.mark.parametrize("backend", ["python", "duckdb"])
def test_a_lookup_under_a_test_that_fails_is_not_made(program: runtime.Program, tmp_path: Path,
                                                      backend: str) -> None:
    # line 3: função 20 with recurso 999 (not in the equivalência): never looked up
    r = program.run(_inputs(tmp_path, "3106200;10;001;100,00", "3106200;20;999;5,00",
                            "3106200;10;002;7,00"), PARAMS, backend=backend)
    assert r.cell("quadro", "3106200", "1") == 100 and r.cell("quadro", "3106200", "9") == 107
    assert [o.journal_row()[3] for o in r.outcomes] == ["ok", "ok"]  # status


def test_a_missing_key_under_its_scope_is_one_error_on_every_back_end(
        program: runtime.Program, tmp_path: Path) -> None:
    ledgers = _inputs(tmp_path, "3106200;10;001;100,00", "3106200;20;999;5,00",
                      "3106200;10;999;7,00")
    expected = outcome(program, ledgers, PARAMS, "python")
    assert expected[0] == "failed" and len(expected[1]) == 1
    assert "D0201" in expected[1][0] and "despesa.csv:4" in expected[1][0]
    assert outcome(program, ledgers, PARAMS, "duckdb") == expected


# ---------------------------------------------------------------- random packages
# Conditions over a record; two of them look the equivalência up (recurso 999 is not in it).
ATOMS = ("funcao == 10", "funcao != 20", "valor > 0", "recurso == \"002\"",
         "lookup(equivalencia, recurso).recurso_siops == \"212\"",
         "lookup(equivalencia, recurso).recurso_siops != \"100\"")


def _cond(draw: st.DrawFn) -> str:
    atoms = draw(st.lists(st.sampled_from(ATOMS), min_size=1, max_size=3))
    return draw(st.sampled_from([" and ", " or "])).join(atoms)


@st.composite
def packages(draw: st.DrawFn) -> dict[str, str]:
    specs = {k: v for k, v in SPECS.items() if k in ("package.yaml", "despesa.yaml",
                                                       "equivalencias.yaml", "equivalencia.yaml")}
    rules = [_cond(draw) for _ in range(draw(st.integers(1, 3)))]
    rows = "".join(f'  - {{ref: "{k + 1}", record_id: "{k + 101}", rule: \'{r}\'}}\n'
                   for k, r in enumerate(rules))
    other = '  - {ref: "8", record_id: "108", otherwise: true}\n' if draw(st.booleans()) else ""
    filt = f"filter: '{_cond(draw)}'\n" if draw(st.booleans()) else ""
    where = f" where {_cond(draw)}" if draw(st.booleans()) else ""
    specs["quadro.yaml"] = (
        "kind: layout\nid: quadro\nplanilha: 1\nsource: despesa\n" + filt +
        f"hit_policy: {draw(st.sampled_from(['first', 'unique']))}\n"
        "output: {format: impt, file: quadro.IMPT}\ncolumns:\n"
        f"  - {{id: V0, code: 1, label: Valor, value: 'sum(valor{where})'}}\n"
        "rows:\n" + rows + other + '  - {ref: "9", record_id: "109", total_of: leaves}\n')
    sums = [f"sum(valor where {_cond(draw)})" for _ in range(draw(st.integers(1, 3)))]
    specs["conferencias.yaml"] = (
        "kind: check\nid: conferencias\nledger: despesa\nassertions:\n" + "".join(
            f"  - {{id: s{k}, label: soma {k}, severity: warning, left: 'cell(\"quadro\", "
            f"\"9\", \"V0\")', right: '{s}'}}\n" for k, s in enumerate(sums)))
    return specs


RECORDS = st.lists(st.tuples(st.sampled_from(["10", "20", "30"]),
                             st.sampled_from(["001", "002", "999"]),
                             st.sampled_from(["-1,00", "0,00", "5,50", "100,00"])),
                   min_size=1, max_size=8)


@settings(max_examples=25)
@given(specs=packages(), records=RECORDS)
def test_random_packages_report_the_same_on_python_and_duckdb(
        specs: dict[str, str], records: list[tuple[str, str, str]]) -> None:
    """Whatever the filters, rules, columns and check sums look up, and whichever records miss
    the equivalência, both back ends follow the same plan: the same outputs, values, check
    outcomes and D0201/D0301 errors, byte for byte."""
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        folder = write_package(base, specs)
        res = compile_package(folder, base=base)
        if res.errors and all(d.code[:3] == "S11" for d in res.errors):
            event("S11xx")  # a row no record can reach is refused (compiler/shadow.py)
            reject()
        assert res.errors == [], [d.message for d in res.errors]
        write_tree(base / "gen" / "plano", res.files)
        program = runtime.load(base / "gen" / "plano")
        ledgers = _inputs(base, *(f"3106200;{f};{r};{v}" for f, r, v in records))
        expected = outcome(program, ledgers, PARAMS, "python")
        event("D0201" if "D0201" in str(expected) else "D0301" if "D0301" in str(expected)
              else expected[0])
        assert outcome(program, ledgers, PARAMS, "duckdb") == expected
