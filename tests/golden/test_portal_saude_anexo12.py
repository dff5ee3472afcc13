"""The health indicators of `portal_gestor` read the RREO Anexo 12 stored in Sapo (seed 000,
"Para que o indicador de Gastos com Saúde seja alimentado ... Anexo 12 ... Armazenar dados para
envio do siconfi"): the ledger `siconfi`, anexo RREO12, cumulative to the month. The fixture
(fixtures/portal_gestor/4205407/siconfi.csv) stores April, May and June 2019 (plus a 2018 and a
July row the filters leave out); the expectations below are worked out by hand from its lines.
Education keeps computing its base from `execucao` (receita_base): the two bases agree on the
fixture. Every figure is checked on python and duckdb."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import runtime
from runtime.errors import RunFailed
from runtime.indicator_csv import portal
from tests.conftest import ROOT

FIX = ROOT / "fixtures" / "portal_gestor" / "4205407"
ENTITY = "4205407"
PARAMS = {"exercicio": 2019, "mes": 6}
HEALTH = "saude/gastossaude*"
BACKENDS = ["python", "duckdb"]


@pytest.fixture(scope="module")
def program() -> runtime.Program:
    return runtime.load(ROOT / "generated" / "portal_gestor")


def _inputs(siconfi: Path | None = None) -> dict[str, Path]:
    got = {p.stem: p for p in sorted(FIX.glob("*.csv"))}
    if siconfi is not None:
        got["siconfi"] = siconfi
    return got


def _siconfi(tmp_path: Path, drop: str = "", old: str = "", new: str = "") -> Path:
    """A copy of the fixture's siconfi.csv without the lines starting with `drop`, with `old`
    (one line's text) replaced by `new`."""
    text = (FIX / "siconfi.csv").read_text(encoding="utf-8")
    assert not old or text.count(old) == 1
    lines = text.replace(old, new).splitlines(keepends=True) if old else \
        text.splitlines(keepends=True)
    kept = [line for line in lines if not (drop and line.startswith(drop))]
    assert len(kept) < len(lines) or not drop
    path = tmp_path / "siconfi.csv"
    path.write_text("".join(kept), encoding="utf-8")
    return path


def _records(res: Any) -> dict[str, dict[str, object]]:
    _, records = portal(res, ENTITY)
    return {r.indicator: dict(r.content) for r in records}


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_health_figures_from_the_stored_anexo_12(program: runtime.Program,
                                                      backend: str) -> None:
    got = _records(program.run(_inputs(), PARAMS, backend=backend))
    # June's RREO12: RECEITA_BASE 168.500, DESPESA_LIQUIDADA 24.000 → 14,2433… < 15
    r = got["gastossaudeponteiro"]
    assert (r["aplicado"], r["base"], r["percentual"], r["limiteMinimo"], r["cumpre"]) == (
        Decimal("24000.00"), Decimal("168500.00"), Decimal("14.24"), Decimal("15.00"), False)
    # the 3rd bimester: June minus April (the 2nd bimester's end): liquidada 24.000 − 15.000,
    # base 168.500 − 90.000 = 78.500 → 9.000 / 78.500 = 11,4649…; April's Anexo 12 was read
    r = got["gastossaudeperiodo"]
    assert (r["aplicado"], r["base"], r["percentual"]) == (
        Decimal("9000.00"), Decimal("78500.00"), Decimal("11.46"))
    assert "anexoAnterior" not in r  # a precondition, checked and not sent
    # à vencer: June's DESPESA_EMPENHADA 30.000 − DESPESA_PAGA 21.000
    r = got["gastossaudevencer"]
    assert (r["aVencer"], r["empenhado"]) == (Decimal("9000.00"), Decimal("30000.00"))
    assert "anexoMes" not in r


@pytest.mark.parametrize("backend", BACKENDS)
def test_may_is_the_bimester_so_far(program: runtime.Program, backend: str) -> None:
    # mes=5: the bimester (May–June) so far is May minus April: liquidada 24.000 − 15.000,
    # base 100.000 − 90.000 → 90,00%; the ponteiro is May's 24.000 / 100.000 = 24,00%
    got = _records(program.run(_inputs(), {**PARAMS, "mes": 5}, select=HEALTH,
                               backend=backend))
    assert (got["gastossaudeperiodo"]["base"], got["gastossaudeperiodo"]["percentual"]) == (
        Decimal("10000.00"), Decimal("90.00"))
    assert got["gastossaudeponteiro"]["percentual"] == Decimal("24.00")


def test_the_anexo_12_base_equals_the_computed_mde_base(program: runtime.Program) -> None:
    # the ASPS base is Sapo's (the stored Anexo 12), the MDE base is computed from execucao
    # (receita_base: IPTU 30.000 + 10.000, ISS 25.000, 1112500100 3.000, transfers 60.000 +
    # 40.500): on the fixture both are 168.500,00 for January–June, and 78.500,00 for the
    # 3rd bimester
    got = _records(program.run(_inputs(), PARAMS))
    assert got["gastossaudeponteiro"]["base"] == got["gastoseducacaoponteiro"]["base"] == \
        Decimal("168500.00")
    assert got["gastossaudeperiodo"]["base"] == got["gastoseducacaoperiodo"]["base"] == \
        Decimal("78500.00")


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_figures_move_with_the_anexo_12_not_with_execucao(program: runtime.Program,
                                                              tmp_path: Path,
                                                              backend: str) -> None:
    # June's liquidada stored as 30.000 (execucao unchanged): 30.000 / 168.500 = 17,8041… ≥ 15;
    # the bimester (30.000 − 15.000) / 78.500 = 19,1082…; education does not move (24,93%)
    changed = _siconfi(tmp_path, old="2019;6;RREO12;DESPESA_LIQUIDADA;;24000,00",
                       new="2019;6;RREO12;DESPESA_LIQUIDADA;;30000,00")
    got = _records(program.run(_inputs(changed), PARAMS, backend=backend))
    assert (got["gastossaudeponteiro"]["percentual"], got["gastossaudeponteiro"]["cumpre"]) == (
        Decimal("17.80"), True)
    assert got["gastossaudeperiodo"]["percentual"] == Decimal("19.11")
    assert got["gastoseducacaoponteiro"]["percentual"] == Decimal("24.93")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_month_without_the_anexo_12_is_the_precondition_error(program: runtime.Program,
                                                                backend: str) -> None:
    # March: nothing stored for 2019/3 (nor for February, the 1st bimester's end)
    with pytest.raises(RunFailed) as got:
        program.run(_inputs(), {**PARAMS, "mes": 3}, select=HEALTH, backend=backend)
    errors = got.value.errors
    assert {e.code for e in errors} == {"D1501"}
    # each once (the records are built once per partition, for the file and the painel)
    assert len(errors) == len({(e.message, e.file, e.line) for e in errors})
    assert {e.message.split("'")[1] for e in errors} == {
        "gastossaudeponteiro", "gastossaudeperiodo", "gastossaudevencer"}
    for e in errors:
        assert "RREO Anexo 12" in (e.help or "")
        assert "Armazenar dados para envio do siconfi" in (e.help or "")
    ponteiro = next(e for e in errors if "gastossaudeponteiro" in e.message)
    assert "'base'" in ponteiro.message
    assert ponteiro.file.endswith("gastossaudeponteiro.yaml") and ponteiro.line == 24  # ratio:
    vencer = next(e for e in errors if "gastossaudevencer" in e.message)
    assert "'anexoMes'" in vencer.message and vencer.line == 21  # the measure anexoMes


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_bimester_needs_the_previous_end_stored(program: runtime.Program,
                                                    tmp_path: Path, backend: str) -> None:
    # June without April's Anexo 12: the bimester would silently be January–June (24.000 /
    # 168.500); it is D1501 on the measure anexoAnterior, the ponteiro and à vencer still compute
    without_april = _siconfi(tmp_path, drop="4205407;2019;4;RREO12;")
    with pytest.raises(RunFailed) as got:
        program.run(_inputs(without_april), PARAMS, select=HEALTH, backend=backend)
    errors = got.value.errors
    assert {(e.code, e.message.split("'")[1], e.message.split("'")[3]) for e in errors} == {
        ("D1501", "gastossaudeperiodo", "anexoAnterior")}
    assert len(errors) == 1  # reported once, not once for the file and again for the painel
    e = errors[0]
    assert "RREO Anexo 12" in (e.help or "") and "fim do bimestre anterior" in (e.help or "")
    assert e.file.endswith("gastossaudeperiodo.yaml") and e.line == 26
