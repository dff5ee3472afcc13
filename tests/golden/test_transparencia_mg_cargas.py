"""Incremental loads of `transparencia_mg` (issue 12 part 2): three successive extracts
(fixtures/transparencia_mg/cargas/1.csv, 2.csv, 3.csv) loaded into one state file, under both
rule versions, on python and duckdb byte for byte; the change reports; `--as-of` by number and
by date; a re-run that changes nothing; bad `--as-of`.

Hand computation (valor repassado = Σ financeiro − Σ pendente; the correction leaves out the
pendente of OPs with financeiro 0):

Load 1 (the single-extract fixture): 1295001 = 35.000 + 20.000 + 15.000 − 35.000 (OP 1547
awaiting signature) = 35.000,00; 1301777 = 170.000 − (−170.000) = 340.000,00 (corrected:
170.000 − 0 = 170.000,00); 1402500 (`0` row) = 0,00; 1500001 = 5.000,00.

Load 2 (1295001, 1301777, 1402500; 1500001 keeps load 1's figures): OP 1547 changes situação
only (values equal: 1295001 stays 35.000,00); the cancelled OP 2202 goes from pendente
−170.000 to 0: 1301777 = 170.000 − 0 = 170.000,00 under both versions (seed 340.000 →
170.000, a change; corrected 170.000 → 170.000, none); 1402500 gets OP 4100 paid 12.000 and
loses its `0` row: 0,00 → 12.000,00.

Load 3 (1295001, 1500001): OP 1547 paid (pendente 35.000 → 0), OP 1320/2019 gone (removed):
1295001 = 35.000 + 20.000 − 0 = 55.000,00 (35.000 → 55.000); 1500001: OP 3001 situação →
paga, new OP 3002 8.000 awaiting signature with pendente 8.000: 5.000 + 8.000 − 8.000 =
5.000,00 (no change); 1301777 170.000,00 and 1402500 12.000,00 kept.

Versions stored: load 1 the 7 records; load 2: 1547, 2202 changed, the `0` row removed, 4100
added = 4; load 3: 1320/2019 removed, 1547, 3001 changed, 3002 added = 4 — 15 rows, each
picture 7 records.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import runtime
from compiler.cli import cli
from runtime import RunFailed
from tests.conftest import ROOT

CARGAS = ROOT / "fixtures" / "transparencia_mg" / "cargas"
GENERATED = ROOT / "generated" / "transparencia_mg"
BACKENDS = ("python", "duckdb")
SELECTS = (None, "convenios_corrigido")
HEADER = ("carga;origem;contrato_convenio_saida;ano;numero_docto_pagamento;mudanca;campo;"
          "anterior;atual")


@pytest.fixture(scope="module")
def program() -> runtime.Program:
    return runtime.load(GENERATED)


def _run(program: runtime.Program, state: Path, out: Path, select: str | None, backend: str,
         load: int | None = None, as_of: str | None = None,
         src: Path | None = None) -> runtime.Result:
    ledgers = {} if load is None and src is None else \
        {"convenio_pagamento": str(src or CARGAS / f"{load}.csv")}
    return program.run_to(out, ledgers, {}, state=state, select=select, backend=backend,
                          as_of=as_of).result


@pytest.fixture(scope="module")
def loads(program, tmp_path_factory) -> dict[Any, tuple[Path, list[runtime.Result]]]:  # type: ignore[no-untyped-def]
    """(select, backend) → its state file and the results of loads 1, 2 and 3."""
    got = {}
    for select in SELECTS:
        for backend in BACKENDS:
            tmp = tmp_path_factory.mktemp("cargas")
            state = tmp / "state.sqlite"
            got[(select, backend)] = (state, [_run(program, state, tmp / f"out{n}", select,
                                                   backend, n) for n in (1, 2, 3)])
    return got


def _rows(data: bytes) -> list[str]:
    return data.decode("utf-8").splitlines()


def _repassado(data: bytes) -> dict[str, str]:
    return {c[0]: c[3] for c in (line.split(";") for line in _rows(data)[1:])}


@pytest.mark.parametrize("select", SELECTS)
def test_back_ends_agree_at_every_load(loads, select, snapshot) -> None:  # type: ignore[no-untyped-def]
    python, duckdb = ([r.outputs for r in loads[(select, b)][1]] for b in BACKENDS)
    assert python == duckdb
    assert python == snapshot


@pytest.mark.parametrize("select", SELECTS)
def test_the_figures_of_each_load(loads, select) -> None:  # type: ignore[no-untyped-def]
    got = [_repassado(r.outputs["convenios.csv"]) for r in loads[(select, "python")][1]]
    first = "340000,00" if select is None else "170000,00"
    assert got == [
        {"1295001": "35000,00", "1301777": first, "1402500": "0,00", "1500001": "5000,00"},
        {"1295001": "35000,00", "1301777": "170000,00", "1402500": "12000,00",
         "1500001": "5000,00"},
        {"1295001": "55000,00", "1301777": "170000,00", "1402500": "12000,00",
         "1500001": "5000,00"}]


LOAD_2 = [
    "2;convenio_pagamento;1295001;2020;1547;alterado;situacao_op;pendente para o banco- "
    "aguardando assinatura digital;transmitida ao banco – pendente de Confirmação",
    "2;convenios;1301777;;;alterado;valor_repassado;340000,00;170000,00",
    "2;convenio_pagamento;1301777;2020;2202;alterado;valor_pago_pendente;-170000,00;0,00",
    "2;convenios;1402500;;;alterado;valor_repassado;0,00;12000,00",
    "2;convenio_pagamento;1402500;;0;removido;situacao_op;;",
    "2;convenio_pagamento;1402500;;0;removido;valor_pago_financeiro;0,00;",
    "2;convenio_pagamento;1402500;;0;removido;valor_pago_pendente;0,00;",
    "2;convenio_pagamento;1402500;2020;4100;incluído;situacao_op;;paga",
    "2;convenio_pagamento;1402500;2020;4100;incluído;valor_pago_financeiro;;12000,00",
    "2;convenio_pagamento;1402500;2020;4100;incluído;valor_pago_pendente;;0,00"]
LOAD_3 = [
    "3;convenios;1295001;;;alterado;valor_repassado;35000,00;55000,00",
    "3;convenio_pagamento;1295001;2019;1320;removido;situacao_op;paga;",
    "3;convenio_pagamento;1295001;2019;1320;removido;valor_pago_financeiro;15000,00;",
    "3;convenio_pagamento;1295001;2019;1320;removido;valor_pago_pendente;0,00;",
    "3;convenio_pagamento;1295001;2020;1547;alterado;situacao_op;transmitida ao banco – "
    "pendente de Confirmação;paga",
    "3;convenio_pagamento;1295001;2020;1547;alterado;valor_pago_pendente;35000,00;0,00",
    "3;convenio_pagamento;1500001;2020;3001;alterado;situacao_op;pendente de transmissão aos "
    "bancos;paga",
    "3;convenio_pagamento;1500001;2020;3002;incluído;situacao_op;;pendente para o banco- "
    "aguardando assinatura digital",
    "3;convenio_pagamento;1500001;2020;3002;incluído;valor_pago_financeiro;;8000,00",
    "3;convenio_pagamento;1500001;2020;3002;incluído;valor_pago_pendente;;8000,00"]


def test_the_change_reports_of_the_seed_formula(loads) -> None:  # type: ignore[no-untyped-def]
    """Worked out in the module docstring: OP rows carry every tracked field when added or
    removed, only the changed ones otherwise; a convênio row only when its valor repassado
    changed; sorted by convênio, ano, número (empty first, so the convênio row leads)."""
    results = loads[(None, "python")][1]
    first = _rows(results[0].outputs["mudancas.csv"])
    assert first[0] == HEADER
    assert len(first) == 1 + 4 + 7 * 3  # load 1: everything added — 4 convênios, 7 OPs
    assert _rows(results[1].outputs["mudancas.csv"]) == [HEADER, *LOAD_2]
    assert _rows(results[2].outputs["mudancas.csv"]) == [HEADER, *LOAD_3]


def test_the_correction_does_not_move_on_the_cancelled_op(loads) -> None:  # type: ignore[no-untyped-def]
    """Under convenios_corrigido 1301777 is 170.000,00 at loads 1 and 2: the cancelled OP's
    pendente going to 0 changes the record, not the valor repassado."""
    results = loads[("convenios_corrigido", "python")][1]
    want = [row.replace(";convenios;", ";convenios_corrigido;") for row in LOAD_2
            if ";convenios;1301777;" not in row]
    assert _rows(results[1].outputs["mudancas.csv"]) == [HEADER, *want]


def test_an_absent_convenio_keeps_its_records(loads) -> None:  # type: ignore[no-untyped-def]
    """Load 2 has no line of 1500001: its OP 3001 stays, and the warning on it (pending with
    pendente 0) still names the line of load 1 it came from."""
    second = loads[(None, "duckdb")][1][1]
    assert "1500001;2020;3001;01/06/2020;5000,00;0,00;pendente de transmissão aos bancos;" \
           "Pendente de transmissão aos bancos" in _rows(second.outputs["ordens_pagamento.csv"])
    warns = [(Path(w.file).name, w.line) for w in second.warnings if w.code == "D1803"]
    assert warns == [("1.csv", 8)]


def test_the_state_keeps_only_what_changed(loads) -> None:  # type: ignore[no-untyped-def]
    state, _ = loads[(None, "python")]
    db = sqlite3.connect(state)
    try:
        assert db.execute("SELECT load, run_id, records, changed FROM derivation_loads "
                          "ORDER BY load").fetchall() == [(1, 1, 7, 7), (2, 2, 7, 4),
                                                          (3, 3, 7, 4)]
        assert db.execute("SELECT count(*), count(fields) FROM derivation_records"
                          ).fetchone() == (15, 13)  # the 0 row and 1320/2019 removed
        assert db.execute("SELECT derivation, load, count(*) FROM derivation_values GROUP BY "
                          "derivation, load ORDER BY 1, 2").fetchall() == [
            ("convenios", 1, 4), ("convenios", 2, 4), ("convenios", 3, 4),
            ("ordens", 1, 7), ("ordens", 2, 7), ("ordens", 3, 7)]
    finally:
        db.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_rerun_of_one_extract_changes_nothing(program, loads, backend, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Load 3 again, and load 3 with its lines reversed: no change, so no load 4; the figures
    are load 3's, mudancas.csv only its header."""
    state = tmp_path / "state.sqlite"
    shutil.copy(loads[(None, backend)][0], state)
    lines = (CARGAS / "3.csv").read_text("utf-8").splitlines(keepends=True)
    reversed_ = tmp_path / "3_invertido.csv"
    reversed_.write_text(lines[0] + "".join(reversed(lines[1:])), "utf-8")
    third = loads[(None, backend)][1][2].outputs
    for i, src in enumerate((CARGAS / "3.csv", reversed_)):
        got = _run(program, state, tmp_path / f"out{i}", None, backend, src=src).outputs
        assert _rows(got["mudancas.csv"]) == [HEADER]
        assert {k: v for k, v in got.items() if k != "mudancas.csv"} == \
            {k: v for k, v in third.items() if k != "mudancas.csv"}
    db = sqlite3.connect(state)
    try:
        assert db.execute("SELECT max(load), count(*) FROM derivation_loads").fetchone() == (3, 3)
    finally:
        db.close()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("select", SELECTS)
def test_as_of_answers_every_load_under_either_rule(program, loads, select, backend,  # type: ignore[no-untyped-def]
                                                    tmp_path) -> None:
    """The state the seed formula's loads made answers `--as-of N` under either version with
    exactly what that version's own loads wrote (the records are the ledger's, not the
    rule's); nothing is stored."""
    state = tmp_path / "state.sqlite"
    shutil.copy(loads[(None, "python")][0], state)
    want = [r.outputs for r in loads[(select, backend)][1]]
    got = [_run(program, state, tmp_path / f"out{n}", select, backend, as_of=str(n)).outputs
           for n in (1, 2, 3)]
    assert got == want
    removed = "1295001;2019;1320;12/03/2019;15000,00;0,00;paga;paga"
    if select is None:  # its history stays answerable
        assert removed in _rows(got[1]["ordens_pagamento.csv"])
        assert removed not in _rows(got[2]["ordens_pagamento.csv"])
    db = sqlite3.connect(state)
    try:
        assert db.execute("SELECT count(*) FROM derivation_loads").fetchone() == (3,)
        assert db.execute("SELECT as_of FROM runs WHERE as_of IS NOT NULL ORDER BY id"
                          ).fetchall() == [("1",), ("2",), ("3",)]  # the journal says so
    finally:
        db.close()


def test_as_of_a_date_is_the_last_load_of_that_day(program, loads, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Loads dated (UTC) 10/01/2026, 20/01/2026 09:00 and 20/01/2026 15:00: a day between
    answers load 1; 20/01/2026 (either spelling) the later load of that day, 3."""
    state = tmp_path / "state.sqlite"
    shutil.copy(loads[(None, "python")][0], state)
    db = sqlite3.connect(state)
    with db:
        for n, at in ((1, "2026-01-10T12:00:00+00:00"), (2, "2026-01-20T09:00:00+00:00"),
                      (3, "2026-01-20T15:00:00+00:00")):
            db.execute("UPDATE derivation_loads SET loaded_at = ? WHERE load = ?", (at, n))
    db.close()
    outs = [r.outputs for r in loads[(None, "python")][1]]
    for i, (date, n) in enumerate((("15/01/2026", 1), ("19/01/2026", 1), ("20/01/2026", 3),
                                   ("2026-01-20", 3), ("10/01/2026", 1))):
        assert _run(program, state, tmp_path / f"o{i}", None, "python",
                    as_of=date).outputs == outs[n - 1], date
    with pytest.raises(RunFailed) as info:
        _run(program, state, tmp_path / "x", None, "python", as_of="09/01/2026")
    assert [e.code for e in info.value.errors] == ["D1902"]
    assert "a primeira em 10/01/2026" in info.value.errors[0].message


def _cli(*args: str | Path) -> tuple[int, str]:
    got = CliRunner().invoke(cli, ["run", str(GENERATED), *map(str, args)])
    return got.exit_code, got.output


@pytest.mark.parametrize(("as_of", "code", "text"), [
    ("abc", "D1901", "--as-of 'abc' não é o número de uma carga nem uma data"),
    ("31/02/2026", "D1901", "--as-of '31/02/2026' não é"),
    ("0", "D1902", "as cargas vão de 1 a 3"),
    ("4", "D1902", "não há essa carga"),
    ("01/01/2000", "D1902", "não há essa carga (ou carga até esse dia)"),
])
def test_a_bad_as_of_is_one_clear_message(loads, tmp_path, as_of, code, text) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "state.sqlite"
    shutil.copy(loads[(None, "python")][0], state)
    status, output = _cli("--state", state, "--as-of", as_of, "--out", tmp_path / "out")
    assert (status, f"erro[{code}]" in output, text in output) == (1, True, True), output
    assert "Traceback" not in output
    assert not (tmp_path / "out" / "convenios.csv").exists()


def test_as_of_with_an_extract_or_without_a_state(program, loads, tmp_path) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "state.sqlite"
    shutil.copy(loads[(None, "python")][0], state)
    status, output = _cli("--state", state, "--as-of", "2", "--input",
                          f"convenio_pagamento={CARGAS / '3.csv'}", "--out", tmp_path / "out")
    assert (status, "erro[D1904]" in output) == (1, True), output
    with pytest.raises(RunFailed) as info:  # Program.run without state=: no loads to answer
        program.run(ledgers={}, params={}, as_of="1")
    assert [e.code for e in info.value.errors] == ["D1905"]


def test_a_failed_extract_stores_no_load(program, loads, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """An extract with one key twice (OP 1320 of 2020 on lines 5 and 8) is D1801 naming both
    lines: the run fails and the state still holds loads 1–3 only."""
    state = tmp_path / "state.sqlite"
    shutil.copy(loads[(None, "python")][0], state)
    src = tmp_path / "dup.csv"
    src.write_bytes((CARGAS / "2.csv").read_bytes()
                    + b"1295001;1;X;1320;11/11/2020;1,00;0,00;paga\n")
    with pytest.raises(RunFailed) as info:
        _run(program, state, tmp_path / "out", None, "duckdb", src=src)
    (err,) = [e for e in info.value.errors if e.code == "D1801"]
    assert (err.line, "linhas 5 e 8" in err.message) == (8, True)
    db = sqlite3.connect(state)
    try:
        assert db.execute("SELECT max(load), count(*) FROM derivation_loads").fetchone() == (3, 3)
    finally:
        db.close()
