"""The allocation's reading, matching and eligibility go through the scan plan
(compiler/kinds/allocation/plan.py): each ledger's plan carries its records to the node, the
class is a lookup of the plan (a missing one: D1401 under the node's own scope, or the map's
D0201 when its on_missing is error), and the targets' cap, open condition and order keys are
evaluated by the scans — so python and duckdb must give the same files and the same state on
spec variants the Debita package does not exercise. Expected values are worked out by hand in
each test's docstring."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

import runtime
from compiler import check
from compiler import compile_package
from compiler import scanplan
from compiler.writer import write_tree
from tests.conftest import ROOT

SPEC = ROOT / "specs" / "debita"
BACKENDS = ("python", "duckdb")


def _variant(tmp: Path, edits: dict[str, list[tuple[str, str]]]) -> runtime.Program:
    """The debita package with `edits` (file → [(old, new)]) made in a copy of its specs."""
    specs = tmp / "specs" / "debita"
    shutil.copytree(SPEC, specs)
    for name, pairs in edits.items():
        path = specs / name
        text = path.read_text("utf-8")
        for old, new in pairs:
            assert old in text, (name, old)
            text = text.replace(old, new, 1)
        path.write_text(text, "utf-8")
    res = compile_package(specs, base=tmp)
    assert [d.code for d in res.errors] == []
    write_tree(tmp / "gen" / "debita", res.files)
    got = runtime.load(tmp / "gen" / "debita")
    assert isinstance(got, runtime.Program)
    return got


def _imputacao(key: str, natureza: str, date: str, valor: str, processo: str = "p",
               situacao: str = "ABERTA") -> dict[str, str]:
    return {"imputacao": key, "processo": processo, "natureza": natureza, "solidaria": "N",
            "data_imputacao": date, "valor_atualizado": valor, "situacao": situacao}


def _desconto(rubrica: str, valor: str, cpf: str = "X") -> dict[str, str]:
    return {"base": "SIGRH", "cpf": cpf, "rubrica": rubrica, "competencia": "02/2021",
            "data_folha": "05/02/2021", "valor": valor}


def _pagamentos(out: dict[str, bytes]) -> dict[tuple[str, str], list[str]]:
    lines = out["pagamentos.csv"].decode().splitlines()[1:]
    return {(r[3], r[6]): [r[8], r[9], r[10], r[11]] for r in (x.split(";") for x in lines)}


def test_each_ledger_of_the_allocations_has_its_part_in_the_plan() -> None:
    """Both rules read desconto, imputacao and responsavel: each ledger's plan has their two
    parts; the rubric map is one lookup of desconto's scan, bound in each part's own scope
    (the run computes that rule), where its D1401 check is."""
    pkg = check(SPEC, base=ROOT).ir
    assert pkg is not None
    plans = scanplan.build(pkg)
    for ledger in ("desconto", "imputacao", "responsavel"):
        assert [p.node.id for p in plans[ledger].parts] == ["regra_anterior", "regras_vigentes"]
    plan = plans["desconto"]
    assert [lk.map.id for lk in plan.lookups] == ["rubrica"]
    assert [(b.lookup, [(g.part, g.what) for g in b.scope]) for b in plan.bindings] == \
        [(0, [(0, "on")]), (0, [(1, "on")])]
    assert [(type(c).__name__, getattr(c, "node", None)) for c in plan.checks] == \
        [("Refused", "regra_anterior"), ("Refused", "regras_vigentes")]
    assert plans["imputacao"].lookups == () and plans["imputacao"].checks == ()
    # the SQL rows: the ledger's name, the values by type (key, class, date, cap, open; the
    # earlier rule's two order keys), the line
    sql = json.loads((ROOT / "generated" / "debita" / "sql" / "plan.json").read_text())
    accs = sql["ledgers"]["imputacao"]["accumulators"]
    assert accs["regras_vigentes"] == ["record", "str", "str", "date", "decimal", "bool", "int"]
    assert accs["regra_anterior"] == ["record", "str", "str", "date", "decimal", "bool", "int",
                                      "date", "int"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_unknown_rubric_is_refused_by_the_plan(backend: str) -> None:
    """Line 2 (the second discount) has rubric 99999, not in the map: D1401 at that line,
    whatever the back end; with rejects allowed it is marked REJEITADO with its id and the
    first is imported."""
    program = runtime.load(ROOT / "generated" / "debita")
    ins = {"desconto": [_desconto("40453", "10,00"), _desconto("99999", "20,00")],
           "imputacao": [], "responsavel": []}
    with pytest.raises(runtime.RunFailed) as exc:
        program.run(ins, {}, backend=backend)
    assert [(e.code, e.line) for e in exc.value.errors] == [("D1401", 2)]
    assert 'base="SIGRH", rubrica="99999" não está no mapa' in exc.value.errors[0].message
    out = program.run(ins, {}, backend=backend, allow_rejects=True).outputs
    marks = [r.split(";")[1:] for r in out["importacao.csv"].decode().splitlines()[1:]]
    assert [(m[0], m[2]) for m in marks] == [("1", "NOVO"), ("2", "REJEITADO")]
    assert all(len(m[1]) == 16 for m in marks)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_class_map_whose_missing_keys_are_errors_reports_d0201(tmp_path: Path,
                                                                  backend: str) -> None:
    """With `on_missing: error` the class lookup's own check applies, as for every kind: the
    unknown rubric is a D0201 (the record skipped, the run failed), not the node's D1401."""
    program = _variant(tmp_path, {"rubrica.yaml": [("on_missing: null", "on_missing: error")]})
    ins = {"desconto": [_desconto("40453", "10,00"), _desconto("99999", "20,00")],
           "imputacao": [], "responsavel": []}
    with pytest.raises(runtime.RunFailed) as exc:
        program.run(ins, {}, backend=backend)
    assert [(e.code, e.line) for e in exc.value.errors] == [("D0201", 2)]


def test_the_parties_in_the_targets_ledger(tmp_path: Path) -> None:
    """The targets' ledger gives their parties too (processo holds the cpf): imputacao plays
    two roles and each record carries both. X is the party of D1 (débito, 300,00) and M1
    (multa, 100,00) only — D2 is Y's — so each natureza has one open target: the débito of
    500,00 pays D1's 300,00 (200,00 left), the multa of 150,00 pays M1's 100,00 (50,00 left).
    Python and DuckDB write the same files."""
    program = _variant(tmp_path, {"regras_vigentes.yaml": [
        ("parties: {ledger: responsavel, target: imputacao, party: cpf}",
         "parties: {ledger: imputacao, target: imputacao, party: processo}")]})
    ins = {"desconto": [_desconto("40453", "500,00"), _desconto("40667", "150,00")],
           "imputacao": [_imputacao("M1", "MULTA", "01/01/2021", "100,00", "X"),
                         _imputacao("D1", "DEBITO", "01/06/2020", "300,00", "X"),
                         _imputacao("D2", "DEBITO", "01/01/2020", "1000,00", "Y")]}
    outs = [program.run(ins, {}, backend=b).outputs for b in BACKENDS]
    assert outs[0] == outs[1]
    assert _pagamentos(outs[0]) == {
        ("40453", "500,00"): ["regra_01", "D1", "300,00", "200,00"],
        ("40667", "150,00"): ["regra_01", "M1", "100,00", "50,00"]}


def _state(path: Path) -> list[tuple[object, ...]]:
    db = sqlite3.connect(path)
    try:
        return [*db.execute("SELECT * FROM alloc_payments ORDER BY seq"),
                *db.execute("SELECT * FROM alloc_events ORDER BY seq")]
    finally:
        db.close()


def test_expressions_evaluated_by_the_scans_give_one_state(tmp_path: Path) -> None:
    """A cap that is an expression, an open condition with `and`, a descending order key, and
    amounts written without cents. Caps valor_atualizado − 50: D1 250,00, D2 950,50, M1 50,00;
    newest first: D1 (01/06/2020) before D2 (01/01/2020). The débito of 500 pays D1 250,00
    then D2 250,00 (`D1|D2`, nothing left); the multa of 150 pays M1 50,00 (100,00 left); D3
    is closed by its value 0. Both back ends write the same files and the same state rows —
    amounts at their field's two places, whatever the cell said ("500" is 500.00)."""
    program = _variant(tmp_path, {"regras_vigentes.yaml": [
        ("policy: single", "policy: priority\norder:\n  - {key: data_imputacao, desc: true}"),
        ('open: situacao == "ABERTA"', 'open: situacao == "ABERTA" and valor_atualizado > 0'),
        ("cap: valor_atualizado", "cap: valor_atualizado - 50")]})
    imps = [_imputacao("M1", "MULTA", "01/01/2021", "100"),
            _imputacao("D1", "DEBITO", "01/06/2020", "300"),
            _imputacao("D2", "DEBITO", "01/01/2020", "1000,5"),
            _imputacao("D3", "DEBITO", "01/01/2019", "0")]
    ins = {"desconto": [_desconto("40453", "500"), _desconto("40667", "150")],
           "imputacao": imps,
           "responsavel": [{"imputacao": i["imputacao"], "cpf": "X"} for i in imps]}
    files, states = [], []
    for backend in BACKENDS:
        out = tmp_path / f"out_{backend}"
        state = tmp_path / f"state_{backend}.sqlite"
        program.run_to(out, ins, {}, state=state, backend=backend)
        files.append({p.name: p.read_bytes() for p in sorted(out.iterdir())
                      if p.suffix in (".csv", ".md")})
        states.append(_state(state))
    assert files[0] == files[1] and states[0] == states[1]
    assert _pagamentos(files[0]) == {
        ("40453", "500,00"): ["regra_01", "D1|D2", "500,00", "0,00"],
        ("40667", "150,00"): ["regra_01", "M1", "50,00", "100,00"]}
    amounts = sorted(str(r[6]) for r in states[0] if len(r) == 15)  # alloc_payments.amount
    assert amounts == ["150.00", "500.00"]
