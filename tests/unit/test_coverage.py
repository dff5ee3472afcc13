"""The `coverage` kind (compiler/kinds/coverage, runtime/coverage.py) on a small package: gaps
(D1301, D1302 with --allow-gaps), unused entries (D1303), listings (D1304), on python and
duckdb alike; the journal records the warnings; hostile key values are quoted, the same on
both back ends (hypothesis). The compile-time codes S1601–S1604 are cases under
tests/cases/diagnostics/.

The expected messages are written by hand from the data below (line 1 of each file is its
header): gasto lines 3 (recurso 200, whose equivalência is SUGERIDA) and 5–6 (recurso 300,
none) are the gaps of município 1; line 4 is função 12 (not covered); line 2 (recurso 100,
COVID on the record and on the equivalência) is the double flag; the entries 1/999 (equiv line
4) and 2/555 (line 6) are used by no record."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

import runtime
from compiler import compile_package
from compiler.writer import write_tree
from runtime.coverage import quoted
from runtime.errors import RunFailed
from tests.conftest import ROOT

SPECS = {
    "package.yaml": """
kind: package
id: cob
partition: municipio
params:
  ano: {type: int}
""",
    "gasto.yaml": """
kind: ledger
id: gasto
format: {type: csv, delimiter: ";", encoding: utf-8, decimal: ",", true: S, false: N}
fields:
  municipio: {type: str}
  funcao: {type: int}
  recurso: {type: str}
  covid: {type: bool}
  valor: {type: decimal}
""",
    "equiv.yaml": """
kind: ledger
id: equiv
format: {type: csv, delimiter: ";", encoding: utf-8, true: S, false: N}
fields:
  municipio: {type: str}
  recurso: {type: str}
  siops: {type: str}
  covid: {type: bool}
  status: {type: str, optional: true}
""",
    "eq.yaml": """
kind: map
id: eq
source: equiv
key: [municipio, recurso]
values: [siops, covid]
on_missing: "null"
status: status
""",
    "soma.yaml": """
kind: layout
id: soma
planilha: 1
source: gasto
hit_policy: first
output: {format: impt, file: soma.IMPT}
columns:
  - {id: V0, code: 1, label: Valor, value: sum(valor)}
rows:
  - {ref: "1", record_id: "1", rule: 'coalesce(lookup(eq, municipio, recurso).siops, "") == "001"'}
  - {ref: "2", record_id: "2", otherwise: true}
""",
    "cobertura.yaml": """
kind: coverage
id: cobertura/recursos
map: eq
unused: list
sources:
  - ledger: gasto
    filter: funcao == 10
    keys: [municipio, recurso]
""",
    "covid.yaml": """
kind: coverage
id: cobertura/covid
severity: warning
label: COVID no registro e na equivalência
sources:
  - ledger: gasto
    filter: covid and coalesce(lookup(eq, municipio, recurso).covid, false)
    keys: [recurso]
""",
}

GASTO = """municipio;funcao;recurso;covid;valor
1;10;100;S;1,00
1;10;200;N;2,00
1;12;300;N;3,00
1;10;300;N;4,00
1;10;300;N;4,00
2;10;100;N;5,00
"""
EQUIV = """municipio;recurso;siops;covid;status
1;100;001;S;
1;200;002;N;SUGERIDA
1;999;009;N;
2;100;001;N;CONFIRMADA
2;555;001;N;
"""
BACKENDS = ("python", "duckdb")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cob")
    specs = root / "specs" / "cob"
    specs.mkdir(parents=True)
    for name, text in SPECS.items():
        (specs / name).write_text(text.lstrip(), "utf-8")
    result = compile_package(specs, root)
    assert result.errors == [], [d.message for d in result.errors]
    write_tree(root / "generated" / "cob", result.files)
    (root / "gasto.csv").write_text(GASTO, "utf-8")
    (root / "equiv.csv").write_text(EQUIV, "utf-8")
    return root


@pytest.fixture(scope="module")
def program(project: Path) -> runtime.Program:
    got = runtime.load(project / "generated" / "cob")
    assert isinstance(got, runtime.Program)
    return got


def _inputs(project: Path) -> dict[str, Any]:
    return {"gasto": str(project / "gasto.csv"), "equiv": str(project / "equiv.csv")}


def _shown(project: Path, errors: list[Any]) -> list[str]:
    """code, line and message of each diagnostic, with the folder of the inputs cut."""
    return [f"{e.code} {Path(e.file).name}:{e.line} "
            + e.message.replace(f"{project}/", "") for e in errors]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_gap_fails_the_run_naming_the_records(program: runtime.Program, project: Path,
                                                backend: str) -> None:
    with pytest.raises(RunFailed) as failed:
        program.run(_inputs(project), {"ano": 1}, backend=backend)
    assert _shown(project, failed.value.errors) == [
        # the layout's rule uses the SUGERIDA entry (the existing check, D0802) ...
        "D0802 equiv.csv:3 a equivalência [municipio=1, recurso=200] do mapa 'eq' tem status "
        "'SUGERIDA' (não confirmada) e foi usada (1 registro de gasto.csv: linha 3)",
        # ... and the coverage lists it with the key that has no equivalência at all
        "D1301 gasto.csv:3 lacuna da cobertura 'cobertura/recursos': municipio=\"1\", "
        "recurso=\"200\" tem no mapa 'eq' uma equivalência de status \"SUGERIDA\" (não "
        "confirmada) (1 registro de gasto.csv: linha 3)",
        "D1301 gasto.csv:5 lacuna da cobertura 'cobertura/recursos': municipio=\"1\", "
        "recurso=\"300\" não tem equivalência no mapa 'eq' (2 registros de gasto.csv: "
        "linhas 5, 6)"]
    assert "--allow-gaps" in (failed.value.errors[1].help or "")


@pytest.mark.parametrize("backend", BACKENDS)
def test_allow_gaps_makes_them_warnings_and_lists_unused_entries(
        program: runtime.Program, project: Path, backend: str) -> None:
    r = program.run(_inputs(project), {"ano": 1}, backend=backend, allow_gaps=True,
                    allow_unconfirmed=True)
    got = _shown(project, r.warnings)
    assert [g.split(" ", 2)[:2] for g in got] == [
        ["D0803", "equiv.csv:3"], ["D1304", "gasto.csv:2"], ["D1302", "gasto.csv:3"],
        ["D1302", "gasto.csv:5"], ["D1303", "equiv.csv:4"], ["D1303", "equiv.csv:6"]]
    assert got[1] == ("D1304 gasto.csv:2 cobertura 'cobertura/covid': recurso=\"100\" — COVID "
                      "no registro e na equivalência (1 registro de gasto.csv: linha 2)")
    assert got[4] == ("D1303 equiv.csv:4 a entrada [municipio=\"1\", recurso=\"999\"] do mapa "
                      "'eq' não foi usada por nenhum registro da cobertura 'cobertura/recursos'")
    assert got[5].startswith("D1303 equiv.csv:6 a entrada [municipio=\"2\", recurso=\"555\"]")
    assert sorted(r.outputs) == ["1/soma.IMPT", "2/soma.IMPT"]


def test_both_back_ends_give_the_same_messages(program: runtime.Program,
                                               project: Path) -> None:
    got = {b: [e.render() for e in program.run(_inputs(project), {"ano": 1}, backend=b,
                                               allow_gaps=True,
                                               allow_unconfirmed=True).warnings]
           for b in BACKENDS}
    assert got["python"] == got["duckdb"] and len(got["python"]) == 6


def test_a_gap_with_a_record_not_covered_is_none(program: runtime.Program,
                                                 project: Path, tmp_path: Path) -> None:
    """Only função 10 is covered: line 4 (função 12, recurso 300) is no record of the gap;
    with every key given a confirmed entry the run succeeds and lists nothing."""
    equiv = tmp_path / "equiv.csv"
    equiv.write_text(EQUIV.replace("1;200;002;N;SUGERIDA", "1;200;002;N;CONFIRMADA")
                     + "1;300;003;N;\n", "utf-8")
    for backend in BACKENDS:
        r = program.run({**_inputs(project), "equiv": str(equiv)}, {"ano": 1},
                        backend=backend)
        assert [w.code for w in r.warnings] == ["D1304", "D1303", "D1303"]


def test_the_cli_exits_1_then_0_with_allow_gaps_and_journals_the_warnings(
        project: Path, tmp_path: Path) -> None:
    def cli(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "compiler", "run", str(project / "generated" / "cob"),
             "--input", "gasto=gasto.csv", "--input", "equiv=equiv.csv", "--param", "ano=1",
             "--out", str(tmp_path / "out"), "--state", str(tmp_path / "s.sqlite"), *extra],
            cwd=project, capture_output=True, text=True, check=False)

    failed = cli()
    assert failed.returncode == 1 and "Traceback" not in failed.stderr
    assert "gasto.csv:5:1: erro[D1301]: lacuna da cobertura 'cobertura/recursos'" \
        in failed.stderr
    done = cli("--allow-gaps", "--allow-unconfirmed")
    assert done.returncode == 0, done.stderr
    assert "gasto.csv:5:1: aviso[D1302]: " in done.stderr
    db = sqlite3.connect(tmp_path / "s.sqlite")
    rows = db.execute("SELECT run_id, seq, code, file, line FROM run_warnings "
                      "ORDER BY run_id, seq").fetchall()
    db.close()
    assert rows == [(2, 0, "D0803", "equiv.csv", 3), (2, 1, "D1304", "gasto.csv", 2),
                    (2, 2, "D1302", "gasto.csv", 3), (2, 3, "D1302", "gasto.csv", 5),
                    (2, 4, "D1303", "equiv.csv", 4), (2, 5, "D1303", "equiv.csv", 6)]


def test_an_omitted_source_lists_no_unused_entry(tmp_path: Path) -> None:
    """The SIOPS small fixture (COVID, 2020) gives none of the optional ledgers the recursos
    coverage reads: no gap, no unused entry — only the COVID flag set twice (D1304)."""
    views = runtime.load(ROOT / "generated" / "siops")
    small = ROOT / "fixtures" / "siops" / "small"
    ledgers = {n: small / f"{n}.csv" for n in ("despesa", "receita", "equivalencia_recursos")}
    r = views.run(ledgers, {"exercicio": 2020, "bimestre": 2})
    assert not [w for w in r.warnings if w.code in ("D1301", "D1302", "D1303")]
    listed = [w for w in r.warnings if w.code == "D1304"]
    # by hand: the records with covid = S whose recurso's equivalência says covid = S
    eq = {line.split(";")[1] for line in (small / "equivalencia_recursos.csv")
          .read_text("utf-8").splitlines()[1:] if line.split(";")[3] == "S"}
    want = []
    for name, field in (("despesa", "recurso"), ("receita", "recurso")):
        lines = (small / f"{name}.csv").read_text("utf-8").splitlines()
        head = lines[0].split(";")
        per: dict[str, list[int]] = {}
        for n, line in enumerate(lines[1:], 2):
            cells = line.split(";")
            if cells[head.index("covid")] == "S" and cells[head.index(field)] in eq:
                per.setdefault(cells[head.index(field)], []).append(n)
        want += [(name, rec, ns[0], len(ns)) for rec, ns in per.items()]
    got = [(Path(w.file).stem, re.search(r'recurso="(\d+)"', w.message).group(1),  # type: ignore[union-attr]
            w.line, int(re.search(r"\((\d+) registros?", w.message).group(1)))  # type: ignore[union-attr]
           for w in listed]
    assert got == want and len(got) == 4


# ---------------------------------------------------------------- hostile keys (hypothesis)
HOSTILE = st.text(alphabet=st.sampled_from(list(';"\\\n\r\t\u2028\u0085é€ \x00ab1')
                                           + ["\U0001F986", "\U000E0001"]),
                  min_size=1, max_size=6)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(used=st.lists(HOSTILE, min_size=1, max_size=4, unique=True),
       unused=st.lists(HOSTILE, min_size=0, max_size=3, unique=True),
       missing=st.lists(HOSTILE, min_size=0, max_size=3, unique=True))
def test_hostile_keys_are_quoted_and_the_same_on_both_back_ends(
        program: runtime.Program, used: list[str], unused: list[str],
        missing: list[str]) -> None:
    """In-memory rows (no CSV quoting in the way): recursos with `;`, quotes, line breaks,
    U+2028, NUL, emoji. Every message is one line, each key reads back with json.loads, the
    gaps are exactly the recursos without an entry, the unused entries exactly those no
    record has, and python and duckdb give the same messages."""
    unused = [u for u in unused if u not in used and u not in missing]
    missing = [m for m in missing if m not in used]
    gasto = [{"municipio": "1", "funcao": 10, "recurso": r, "covid": False,
              "valor": Decimal("1.00")} for r in used + missing]
    equiv = [{"municipio": "1", "recurso": r, "siops": "002", "covid": False, "status": None}
             for r in used + unused]
    got = {}
    for backend in BACKENDS:
        r = program.run({"gasto": gasto, "equiv": equiv}, {"ano": 1}, backend=backend,
                        allow_gaps=True)
        got[backend] = [(w.code, w.line, w.message) for w in r.warnings]
    assert got["python"] == got["duckdb"]
    for _, _, message in got["python"]:
        assert not set(message) & {"\n", "\r", "\u2028", "\u0085", "\x00"}

    def keys(code: str) -> list[str]:
        return [json.loads(re.search(r'recurso=("(?:[^"\\]|\\.)*")', msg).group(1))  # type: ignore[union-attr]
                for c, _, msg in got["python"] if c == code]
    assert keys("D1302") == missing  # in the order first met: the records' order
    assert keys("D1303") == unused   # in the order of the entries
    gaps = [msg for c, _, msg in got["python"] if c == "D1302"]
    assert all(f"recurso={quoted(k)} " in msg for k, msg in zip(missing, gaps, strict=True))


def test_explain_stops_on_a_gap_unless_allowed(program: runtime.Program, project: Path) -> None:
    """apura explain re-runs the layout (a --select): the recursos coverage serves it (its
    rule looks eq up), so a gap stops it too; allow_gaps lets the memória de cálculo through.
    Row 1 of município 1 takes recurso 100 (siops 001): 1,00 (line 2)."""
    with pytest.raises(RunFailed) as failed:
        program.explain(_inputs(project), {"ano": 1}, "soma", "1", "1", "V0",
                        allow_unconfirmed=True)
    assert [e.code for e in failed.value.errors] == ["D1301", "D1301"]
    exp = program.explain(_inputs(project), {"ano": 1}, "soma", "1", "1", "V0",
                          allow_unconfirmed=True, allow_gaps=True)
    assert exp.value == Decimal("1.00") and [r.line for r in exp.records] == [2]
