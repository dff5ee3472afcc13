"""The `portal_gestor` package on the fixture of município 4205407, exercício 2019, mês 6
(fixtures/portal_gestor/4205407/): every indicator computes on python and duckdb with
byte-identical `indicadores.csv` (snapshot), a few values are checked against figures worked
out by hand from the fixture's lines (below), the seam lists come back from the file, and a
missing RCL is the precondition error D1501 (the stored Anexo 12 of health:
test_portal_saude_anexo12.py)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

import runtime
from runtime.errors import RunFailed
from runtime.indicator import id_integracao
from runtime.indicator_csv import portal
from tests.conftest import ROOT

FIX = ROOT / "fixtures" / "portal_gestor" / "4205407"
ENTITY = "4205407"
PARAMS = {"exercicio": 2019, "mes": 6}


def _inputs() -> dict[str, Path]:
    return {p.stem: p for p in sorted(FIX.glob("*.csv"))}


@pytest.fixture(scope="module")
def program() -> runtime.Program:
    return runtime.load(ROOT / "generated" / "portal_gestor")


@pytest.fixture(scope="module", params=["python", "duckdb"])
def result(request: pytest.FixtureRequest, program: runtime.Program):  # type: ignore[no-untyped-def]
    return program.run(_inputs(), PARAMS, backend=request.param)


def _record(res, indicator: str, **keys: object) -> dict[str, object]:  # type: ignore[no-untyped-def]
    _, records = portal(res, ENTITY)
    got = [dict(r.content) for r in records if r.indicator == indicator
           and all(dict(r.content).get(k) == v for k, v in keys.items())]
    assert len(got) == 1, (indicator, keys, got)
    return got[0]


def test_the_backends_write_the_same_file(program: runtime.Program, impt_snapshot) -> None:  # type: ignore[no-untyped-def]
    files = {b: program.run(_inputs(), PARAMS, backend=b).outputs for b in ("python", "duckdb")}
    assert files["python"] == files["duckdb"]
    # besides the lotes (every one snapshotted by tests/golden/test_portal_lotes_run.py)
    assert sorted(k for k in files["python"] if not k.startswith(f"{ENTITY}/lotes/")) == [
        f"{ENTITY}/indicadores.csv", "painel.html"]
    assert files["python"][f"{ENTITY}/indicadores.csv"] == impt_snapshot(name="indicadores")
    # the preview of the run at the root of OUT: every indicator's section, for the entity
    page = files["python"]["painel.html"].decode("utf-8")
    assert f"Indicadores de <bdi>{ENTITY}</bdi> — exercício 2019" in page
    infos, _ = portal(program.run(_inputs(), PARAMS), ENTITY)
    assert len(infos) == 79
    for info in infos:
        assert f'data-indicator="{info.id}"' in page, info.id


def test_every_indicator_has_a_record(result) -> None:  # type: ignore[no-untyped-def]
    infos, records = portal(result, ENTITY)
    assert len(infos) == 79
    assert {i.id for i in infos} == {r.indicator for r in records}
    assert records == sorted(records)
    assert all(re.fullmatch(r"[0-9a-f]{32}", r.id_integracao) for r in records)
    ids = [(r.indicator, r.id_integracao) for r in records]
    assert len(ids) == len(set(ids))
    assert all(r.exercicio == 2019 and r.content[0] == ("exercicio", 2019) for r in records)


def test_education_and_health_against_the_legal_minimum(result) -> None:  # type: ignore[no-untyped-def]
    # base (receita_base, jan–jun): IPTU 30.000 + 10.000, ISS 25.000, 1112500100 3.000, the
    # 1718012100 transfer 60.000, the 1728011100 transfer 40.500 = 168.500 (the July IPTU, the
    # 1121 taxa and the 1321 receita are out). MDE liquidado: 30.000 (Mar) + 12.000 (Jun).
    r = _record(result, "gastoseducacaoponteiro")
    assert (r["aplicado"], r["base"]) == (Decimal("42000.00"), Decimal("168500.00"))
    assert (r["percentual"], r["limiteMinimo"], r["cumpre"]) == (
        Decimal("24.93"), Decimal("25.00"), False)  # 24,9258…
    # the 3rd bimester (May–Jun): base 10.000 + 25.000 + 3.000 + 40.500, MDE 12.000 → 15,2866…
    r = _record(result, "gastoseducacaoperiodo")
    assert (r["base"], r["percentual"]) == (Decimal("78500.00"), Decimal("15.29"))
    # ASPS from June's stored RREO Anexo 12 (siconfi.csv): liquidada 24.000 (the execucao's
    # ASPS rows: 15.000 in Feb + 9.000 in May) / base 168.500 = 14,2433… (more in
    # tests/golden/test_portal_saude_anexo12.py)
    r = _record(result, "gastossaudeponteiro")
    assert (r["aplicado"], r["percentual"], r["limiteMinimo"]) == (
        Decimal("24000.00"), Decimal("14.24"), Decimal("15.00"))
    # MDE empenhado − pago jan–jun: (30.000 − 30.000) + (15.000 − 6.000) = 9.000
    assert _record(result, "gastoseducacaovencer")["aVencer"] == Decimal("9000.00")


def test_personnel_against_the_lrf_limit_of_the_poder(program: runtime.Program) -> None:
    res = program.run(_inputs(), PARAMS)
    r = _record(res, "gastosprevistorealizadolrf")  # Executivo, June: 660.000 / 1.200.000
    assert (r["percentual"], r["limiteMaximo"], r["cumpre"]) == (
        Decimal("55.00"), Decimal("54.00"), False)
    leg = program.run(_inputs(), {**PARAMS, "poder": "L"})
    r = _record(leg, "gastosprevistorealizadolrf")  # Legislativo: 36.000 / 1.200.000
    assert (r["pessoal"], r["percentual"], r["limiteMaximo"], r["cumpre"]) == (
        Decimal("36000.00"), Decimal("3.00"), Decimal("6.00"), True)
    may = _record(res, "gastosprevistorealizadomensal", mes=5)  # 480.000 / 1.000.000
    assert (may["percentual"], may["cumpre"]) == (Decimal("48.00"), True)


def test_a_month_without_rcl_is_the_precondition_error(program: runtime.Program) -> None:
    with pytest.raises(RunFailed) as got:
        program.run(_inputs(), {**PARAMS, "mes": 4})  # siconfi: RCL of months 5 and 6 only
    codes = {e.code for e in got.value.errors}
    assert codes == {"D1501"}
    # April's Anexo 12 is stored, but not February's, the 2nd bimester's previous end
    assert {e.message.split("'")[1] for e in got.value.errors} == {
        "gastosprevistorealizadolrf", "gastossaudeperiodo"}
    msg = next(e for e in got.value.errors if "gastosprevistorealizadolrf" in e.message)
    assert "'rcl'" in msg.message and "RREO Anexo 03" in (msg.help or "")
    assert msg.file.endswith("gastosprevistorealizadolrf.yaml") and msg.line == 22  # under ratio:


def test_ranking_ties_and_ids(result) -> None:  # type: ignore[no-untyped-def]
    # 1º–5º ano, 2019: Ana Neri (7 + 6 + 8,5 + 5,5)/4 = 6,75; Bom Pastor 23/3 = 7,67;
    # Castelo Branco (5 + 7)/2 = 6,00; Dom Bosco 6,00; Estrela 6,00; Figueira 10,00. The three
    # 6,00 tie: by escola.
    _, records = portal(result, ENTITY)
    got = [dict(r.content) for r in records if r.indicator == "mediaescola1a5menores"]
    got.sort(key=lambda c: c["posicao"])  # type: ignore[arg-type, return-value]
    assert [(c["posicao"], c["escola"], c["media"]) for c in got] == [
        (1, "EM Castelo Branco", Decimal("6.00")), (2, "EM Dom Bosco", Decimal("6.00")),
        (3, "EM Estrela", Decimal("6.00")), (4, "EM Ana Neri", Decimal("6.75")),
        (5, "EM Bom Pastor", Decimal("7.67"))]
    first = next(r for r in records if r.indicator == "mediaescola1a5menores"
                 and dict(r.content)["posicao"] == 1)
    assert first.id_integracao == id_integracao("mediaescola1a5menores", ENTITY, 2019, "#1")
    # a ranked record's id is its position: the contribuinte with a quote and a ';' is fine
    d = _record(result, "maioresvaloresdivida", posicao=4)
    assert d["contribuinte"] == 'Davi "Dedé" Reis; ME'


def test_arrecadacao_by_the_entitys_classification(result) -> None:  # type: ignore[no-untyped-def]
    # vencidos até junho e não pagos: IPTU (1) 2.300 + (200 − 50); ISS (2) 1.200 − 300;
    # alvará (3) 350; the receita 501 (4) vence em setembro.
    got = {c["classificacao"]: (c["pendente"], c["lancamentos"])
           for r in portal(result, ENTITY)[1] if r.indicator == "tributospendentespagamento"
           for c in [dict(r.content)]}
    assert got == {1: (Decimal("2450.00"), 2), 2: (Decimal("900.00"), 1),
                   3: (Decimal("350.00"), 1)}


@pytest.mark.parametrize("backend", ["python", "duckdb"])
def test_a_selection_reads_and_writes_only_its_indicators(program: runtime.Program,
                                                         backend: str) -> None:
    # the Saúde TMA come from one system (Saúde Fly) and one ledger: a run of them alone
    assert program.required_inputs("saude/t*") == ["atendimento"]
    inputs = {"atendimento": FIX / "atendimento.csv"}
    part = program.run(inputs, PARAMS, select="saude/t*", backend=backend)
    full = program.run(_inputs(), PARAMS, backend=backend)
    got = part.outputs[f"{ENTITY}/indicadores.csv"].decode("utf-8").splitlines()
    want = [line for line in full.outputs[f"{ENTITY}/indicadores.csv"].decode("utf-8")
            .splitlines() if line.startswith(("indicador;", "tempo", "tma"))]
    assert got == want and len(got) > 1
    # TMA agendado jan–jun: (20 + 30 + 45 + 10 + 5) / 5 = 22,0 (the August one is out)
    r = _record(part, "tempomedioatendimentoagendado")
    assert (r["minutos"], r["atendimentos"]) == (Decimal("22.0"), 5)


def test_a_partition_named_as_the_root_page_is_refused(program: runtime.Program,
                                                       tmp_path: Path) -> None:
    """D1502: an entity folder `painel.html` beside the root page would be hidden by it."""
    inputs = {}
    for name, path in _inputs().items():
        text = path.read_text(encoding="utf-8").replace(ENTITY, "painel.html")
        (tmp_path / path.name).write_text(text, encoding="utf-8")
        inputs[name] = tmp_path / path.name
    with pytest.raises(RunFailed) as err:
        program.run(inputs, PARAMS)
    assert [e.code for e in err.value.errors] == ["D1502"]
