"""The `assinatura` package across runs (issue 13): the "fora do prazo" freeze kept in the
state file (`incremental.frozen:`, runtime/derivation_freeze.py) and the `$CODUSUARIO`
visibility, on python and duckdb byte for byte (fixtures/assinatura/execucoes/; the
relatorio, etapa and periodo_letivo files of fixtures/assinatura/).

Four runs into one state file, worked out by hand:

1. extract A on 20/06/2024 — F1 (Boletim, deadline 19/06, em_assinatura): 19/06 < 20/06,
   fora do prazo, frozen at load 1; F2 (deadline 25/06): em assinatura; F3 (diário "Diário
   final", deadline 10/06): fora do prazo, load 1 — its report filters by $CODUSUARIO
   (relatorio.csv: filtra_codusuario S), so professor_portal is its usuario prof.bia; not on
   the portal (the last etapa of 100 ends 30/06 > 20/06); F4 (the same report, no usuario, no
   deadline): pendente, professor_portal empty, no_portal N and the warning
   codusuario_sem_usuario (D1803) at its line 5.
2. extract A again on 26/06 — no record changed, but F2's deadline 25/06 < 26/06: it freezes
   now, so the run is load 2 (an empty load: 0 versions, 4 records); F1 and F3 still 1.
3. extract B on 01/07 (lines F5, F4, F2, F1; F3 absent) — F1 signed and its deadline moved
   to 30/06: its rule says assinado, the freeze keeps fora do prazo (1); F2's deadline moved
   to 31/07: em assinatura by the rule, fora do prazo (2) kept; F3 not in the extract keeps
   its load-1 record (one scope per document: an extract brings the documents it has): fora
   do prazo (1), and on 01/07 within 30/06..31/12 it is on the portal, prof.bia's; F4 started
   on 28/06 by prof.caio: em assinatura, on the portal (started), prof.caio's, no warning; F5
   new, assinado (deadline 10/06 passed, but signed — never frozen). Rows in key order
   F1..F5. Load 3: F1, F2, F4 changed, F5 added = 4 versions, 5 records.
4. extract B again on 01/07 — nothing changed, nothing froze: no load, the same bytes.

`--as-of 1` dated 01/07: load 1's picture (extract A) and its freezes — F1 and F3 since 1;
F2's deadline 25/06 is past on 01/07, so the rule says fora do prazo, but an --as-of run
freezes nothing: no since (it was not frozen at load 1).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import runtime
from tests.conftest import ROOT

FIXTURES = ROOT / "fixtures" / "assinatura"
RUNS = (("a", "2024-06-20"), ("a", "2024-06-26"), ("b", "2024-07-01"), ("b", "2024-07-01"))
BACKENDS = ("python", "duckdb")
HEADER = ("documento;valido;motivos;arquivo;arquivo_pendente;situacao_plano;congelado_desde;"
          "etapa_portal;inicio_portal;limite_portal;no_portal;professor_portal")


@pytest.fixture(scope="module")
def program() -> runtime.Program:
    return runtime.load(ROOT / "generated" / "assinatura")


def _ledgers(extract: str) -> dict[str, str]:
    own = FIXTURES / "execucoes"
    return {"documento": str(own / f"documento_{extract}.csv"),
            "documento_parametro": str(own / "documento_parametro.csv"),
            **{n: str(FIXTURES / f"{n}.csv") for n in ("relatorio", "etapa", "periodo_letivo")}}


@pytest.fixture(scope="module")
def runs(program, tmp_path_factory) -> dict[str, tuple[Path, list[runtime.Result]]]:  # type: ignore[no-untyped-def]
    got = {}
    for backend in BACKENDS:
        tmp = tmp_path_factory.mktemp(backend)
        state = tmp / "state.sqlite"
        got[backend] = (state, [program.run_to(tmp / f"out{n}", _ledgers(ext),
                                               {"data_base": day}, state=state,
                                               backend=backend).result
                                for n, (ext, day) in enumerate(RUNS, start=1)])
    return got


def _table(result: runtime.Result) -> dict[str, tuple[str, ...]]:
    """documento → (situacao_plano, congelado_desde, no_portal, professor_portal)."""
    lines = result.outputs["documentos.csv"].decode("utf-8").splitlines()
    assert lines[0] == HEADER
    at = [HEADER.split(";").index(c) for c in ("situacao_plano", "congelado_desde",
                                               "no_portal", "professor_portal")]
    return {cells[0]: tuple(cells[i] for i in at) for cells in
            (line.split(";") for line in lines[1:])}


def test_back_ends_agree_byte_for_byte(runs, snapshot) -> None:  # type: ignore[no-untyped-def]
    py, duck = ([r.outputs for r in runs[b][1]] for b in BACKENDS)
    assert py == duck
    assert py == snapshot


def test_run_1_freezes_what_is_past_its_deadline(runs) -> None:  # type: ignore[no-untyped-def]
    result = runs["duckdb"][1][0]
    assert _table(result) == {"F1": ("fora do prazo", "1", "N", ""),
                              "F2": ("em assinatura", "", "N", ""),
                              "F3": ("fora do prazo", "1", "N", "prof.bia"),
                              "F4": ("pendente", "", "N", "")}
    # the recipients' inputs are not given here (D0801 for each: destinatarios.csv is empty)
    warnings = [w for w in result.warnings if w.code != "D0801"]
    assert [(w.code, w.line) for w in warnings] == [("D1803", 5)]
    assert "codusuario_sem_usuario" in warnings[0].message


def test_a_later_date_freezes_without_a_changed_record(runs) -> None:  # type: ignore[no-untyped-def]
    got = _table(runs["python"][1][1])
    assert (got["F1"][:2], got["F2"][:2], got["F3"][:2]) == (
        ("fora do prazo", "1"), ("fora do prazo", "2"), ("fora do prazo", "1"))


def test_signed_or_moved_deadline_stays_frozen(runs) -> None:  # type: ignore[no-untyped-def]
    for backend in BACKENDS:
        results = runs[backend][1]
        assert _table(results[2]) == {"F1": ("fora do prazo", "1", "N", ""),
                                      "F2": ("fora do prazo", "2", "N", ""),
                                      "F3": ("fora do prazo", "1", "S", "prof.bia"),
                                      "F4": ("em assinatura", "", "S", "prof.caio"),
                                      "F5": ("assinado", "", "N", "")}
        assert [w for w in results[2].warnings if w.code != "D0801"] == []
        assert results[3].outputs == results[2].outputs  # the same extract: the same file


def test_the_loads_stored(runs) -> None:  # type: ignore[no-untyped-def]
    for backend in BACKENDS:
        db = sqlite3.connect(runs[backend][0])
        loads = list(db.execute("SELECT load, records, changed FROM derivation_loads "
                                "WHERE package = 'assinatura' ORDER BY load"))
        assert loads == [(1, 4, 4), (2, 4, 0), (3, 5, 4)]
        frozen = list(db.execute(
            "SELECT load, key FROM derivation_values WHERE derivation = 'documentos' AND "
            "json_extract(fields, '$.situacao_plano') = 'fora do prazo' ORDER BY load, key"))
        assert frozen == [(1, '["F1"]'), (1, '["F3"]'), (2, '["F1"]'), (2, '["F2"]'),
                          (2, '["F3"]'), (3, '["F1"]'), (3, '["F2"]'), (3, '["F3"]')]
        db.close()


def test_as_of_freezes_nothing_new(program, runs, tmp_path) -> None:  # type: ignore[no-untyped-def]
    for backend in BACKENDS:
        ledgers = {k: v for k, v in _ledgers("a").items() if k != "documento"}
        result = program.run_to(tmp_path / backend, ledgers, {"data_base": "2024-07-01"},
                                state=runs[backend][0], backend=backend, as_of="1").result
        got = {d: v[:2] for d, v in _table(result).items()}
        assert got == {"F1": ("fora do prazo", "1"), "F2": ("fora do prazo", ""),
                       "F3": ("fora do prazo", "1"), "F4": ("pendente", "")}


def test_without_state_a_run_is_load_1(program) -> None:  # type: ignore[no-untyped-def]
    result = program.run(ledgers=_ledgers("b"), params={"data_base": "2024-07-01"},
                         backend="python")
    got = _table(result)
    # no memory: F1 is assinado by its rule, F2's deadline moved: em assinatura
    assert (got["F1"], got["F2"]) == (("assinado", "", "N", ""), ("em assinatura", "", "N", ""))


def test_explain_a_frozen_status_from_the_state(program, runs) -> None:  # type: ignore[no-untyped-def]
    """`apura explain ... --state` after run 4 (last load 3, extract B dated 01/07): the value
    is the file's, not the rule's on load 3, and the freeze's load is explained with the
    parameters of the run that made it.

    * F1 (row 1): signed in B, so the rule on load 3 says assinado; the file says fora do
      prazo since load 1 — explained at load 1 (run 1, data_base 20/06): the third test,
      `data_limite < $data_base`, on documento_a.csv line 2 (deadline 19/06).
    * F2 (row 2): frozen at load 2, the empty load of run 2 — data_base 26/06, its deadline
      25/06 — on A's line 3, kept since (B moved its deadline to 31/07: em assinatura now).
    * F5 (row 5): assinado, never frozen: the rule's value, a note says so.
    """
    from runtime import explain_derivation

    state = runs["python"][0]
    ledgers = {k: v for k, v in _ledgers("b").items() if k != "documento"}

    def ex(row: str) -> dict:  # type: ignore[type-arg]
        return explain_derivation.explain(program, ledgers, {"data_base": "2024-07-01"},
                                          node="documentos", part=None,
                                          locator=(row, "situacao_plano"), state=state)

    f1 = ex("1")
    assert (f1["value"], f1["frozen"]["since"], f1["frozen"]["rule_value"]) == (
        "fora do prazo", 1, "assinado")
    assert f1["decision"].startswith("congelado desde a carga 1")
    then = f1["frozen"]["at_load"]
    assert then["params"]["data_base"] == "2024-06-20"
    assert (Path(then["record"]["file"]).name, then["record"]["line"]) == ("documento_a.csv", 2)
    assert "data_limite < $data_base" in then["decision"] and "3º" in then["decision"]
    f2 = ex("2")
    assert (f2["value"], f2["frozen"]["since"], f2["frozen"]["rule_value"]) == (
        "fora do prazo", 2, "em assinatura")
    assert f2["frozen"]["at_load"]["params"]["data_base"] == "2024-06-26"
    assert f2["frozen"]["at_load"]["record"]["line"] == 3
    f5 = ex("5")
    assert f5["value"] == "assinado" and "frozen" not in f5
    assert any("não cumpriu a condição" in n for n in f5["notes"])
