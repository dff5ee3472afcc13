"""The `debita` package on the hand-made fixture (fixtures/debita/hand/, README there): three
monthly runs on one state file — run 1 (every branch of the rules in force, one unknown
rubric written to --rejects), run 2 (overlapping rows: already imported, plus three new
ones), run 3 (run 2's files again: a no-op). Each run's files must be byte-identical to the
expected files under fixtures/debita/hand/expected/ on the python and duckdb back ends, and
those files are checked against what the README works out by hand: the money figures of
resumo.csv and saldos.csv, and every id recomputed here from the contract (DEBITA decisions:
sha256 of the fields joined by '|', first 16 hex digits)."""

from __future__ import annotations

import csv
import hashlib
import io
from decimal import Decimal
from pathlib import Path

import pytest

import runtime
from tests.conftest import ROOT

HAND = Path("fixtures/debita/hand")
EXPECTED = ROOT / HAND / "expected"
FILES = ("pagamentos.csv", "eventos.csv", "saldos.csv", "importacao.csv", "resumo.csv",
         "resumo.md")


def _inputs(run: int) -> dict[str, str]:
    month = "run1" if run == 1 else "run2"
    return {"desconto": str(HAND / month / "desconto.csv"),
            "imputacao": str(HAND / "imputacao.csv"),
            "responsavel": str(HAND / "responsavel.csv")}


def _three_runs(tmp: Path, backend: str) -> list[dict[str, bytes]]:
    program = runtime.load(ROOT / "generated" / "debita")
    state = tmp / "state.sqlite"
    outs = []
    for run in (1, 2, 3):
        out = tmp / f"out{run}"
        rejects = tmp / f"rej{run}.csv" if run == 1 else None
        program.run_to(out, _inputs(run), {}, state=state, rejects=rejects, backend=backend)
        got = {name: (out / name).read_bytes() for name in FILES}
        if rejects is not None:
            got["rejeitados.csv"] = rejects.read_bytes()
        outs.append(got)
    return outs


@pytest.fixture(scope="module", params=["python", "duckdb"])
def runs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
         ) -> list[dict[str, bytes]]:
    mp = pytest.MonkeyPatch()
    mp.chdir(ROOT)  # the input paths (and so importacao.csv's arquivo) are relative to it
    try:
        return _three_runs(tmp_path_factory.mktemp(f"debita_{request.param}"), request.param)
    finally:
        mp.undo()


def _expected(run: int, name: str) -> bytes:
    if run == 3 and name != "importacao.csv":
        run = 2  # the same inputs again: the same state, the same files
    return (EXPECTED / f"run{run}" / name).read_bytes()


@pytest.mark.parametrize("run", [1, 2, 3])
def test_outputs_are_the_expected_files(runs: list[dict[str, bytes]], run: int) -> None:
    got = runs[run - 1]
    for name in FILES:
        assert got[name] == _expected(run, name), name
    if run == 1:
        assert got["rejeitados.csv"] == _expected(1, "rejeitados.csv")


def _table(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8")), delimiter=";"))


def _money(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def _hash(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()[:16]


# fixtures/debita/hand/README.md, "Figures": resumo.csv by hand (debitos, multas), cumulative
HAND_RESUMO = {
    1: {"aplicado_regra_01": ("1520.00", "100.00"), "aplicado_desconto_em_folha": ("0", "0"),
        "nao_vinculado_mais_de_uma": ("500.00", "0"),
        "nao_vinculado_excedente_ou_anterior": ("450.00", "0"),
        "nao_vinculado_sem_imputacao": ("80.00", "0"), "total_importado": ("2550.00", "100.00"),
        "registros_importados": ("10", "1"), "eventos_gerados": ("6", "1"),
        "regra_01": ("1520.00", "100.00"), "regra_02": ("1030.00", "0")},
    2: {"aplicado_regra_01": ("1820.00", "150.00"), "aplicado_desconto_em_folha": ("0", "0"),
        "nao_vinculado_mais_de_uma": ("500.00", "0"),
        "nao_vinculado_excedente_ou_anterior": ("450.00", "30.00"),
        "nao_vinculado_sem_imputacao": ("280.00", "0"), "total_importado": ("3050.00", "180.00"),
        "registros_importados": ("12", "2"), "eventos_gerados": ("7", "2"),
        "regra_01": ("1820.00", "150.00"), "regra_02": ("1230.00", "30.00")},
}
# saldos.csv by hand: cpf → unlinked balance (TOTAL)
HAND_SALDOS = {
    1: {"00000000191": "300", "00011122233": "100", "11111111111": "500", "22222222222": "0",
        "33333333333": "50", "44444444444": "0", "55555555555": "80"},
    2: {"00000000191": "500", "00011122233": "100", "11111111111": "500", "22222222222": "30",
        "33333333333": "50", "44444444444": "0", "55555555555": "80"},
}


@pytest.mark.parametrize("run", [1, 2])
def test_expected_files_match_the_hand_figures(run: int) -> None:
    resumo = {r["linha"]: r for r in _table(_expected(run, "resumo.csv"))}
    assert list(resumo) == list(HAND_RESUMO[run])
    for label, (deb, mul) in HAND_RESUMO[run].items():
        row = resumo[label]
        assert (_money(row["debitos"]), _money(row["multas"])) == (Decimal(deb), Decimal(mul))
        assert _money(row["total"]) == Decimal(deb) + Decimal(mul)
    saldos = {r["cpf"]: _money(r["saldo_nao_vinculado"])
              for r in _table(_expected(run, "saldos.csv")) if r["natureza"] == "TOTAL"}
    assert saldos == {k: Decimal(v) for k, v in HAND_SALDOS[run].items()}
    pays = _table(_expected(run, "pagamentos.csv"))
    events = _table(_expected(run, "eventos.csv"))
    for p in pays:  # applied + balance = imported, for every discount
        assert _money(p["valor_aplicado"]) + _money(p["valor_saldo"]) == _money(p["valor"])
        assert _money(p["valor_aplicado"]) == sum(
            (_money(e["valor"]) for e in events if e["id_pagamento"] == p["id_pagamento"]),
            Decimal(0))
    by_id = {p["id_pagamento"]: p for p in pays}
    for e in events:  # an event's id from its own fields; its date is the discount's
        assert e["id_evento"] == _hash(e["origem"], e["id_pagamento"], e["imputacao"],
                                       e["data"], e["valor"])
        assert e["data"] == by_id[e["id_pagamento"]]["data_folha"]


def test_ids_follow_the_contract() -> None:
    """id_pagamento = hash of base|cpf|rubrica|competencia|data_folha|valor|n, n counting
    identical rows of one file in file order; importacao.csv lists every input row."""
    for run in (1, 2):
        rows = (ROOT / HAND / ("run1" if run == 1 else "run2") / "desconto.csv"
                ).read_text("utf-8").splitlines()[1:]
        seen: dict[str, int] = {}
        want = []
        for line in rows:
            seen[line] = seen.get(line, 0) + 1
            want.append(_hash(*line.split(";"), str(seen[line])))
        got = [r["id_pagamento"] for r in _table(_expected(run, "importacao.csv"))]
        assert got == want
    # the two identical rows of cpf 11111111111 are two payments
    pays = _table(_expected(1, "pagamentos.csv"))
    assert sum(p["cpf"] == "11111111111" for p in pays) == 2


def test_a_run_without_rejects_fails_on_the_unknown_rubric(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    monkeypatch.chdir(ROOT)
    program = runtime.load(ROOT / "generated" / "debita")
    with pytest.raises(runtime.RunFailed) as exc:
        program.run_to(tmp_path / "out", _inputs(1), {}, state=tmp_path / "s.sqlite")
    assert [(e.code, e.line) for e in exc.value.errors] == [("D1401", 13)]
    assert not (tmp_path / "out" / "pagamentos.csv").exists()
    # nothing was stored: the next run imports everything as new
    program.run_to(tmp_path / "out", _inputs(1), {}, state=tmp_path / "s.sqlite",
                   rejects=tmp_path / "rej.csv")
    assert (tmp_path / "out" / "pagamentos.csv").read_bytes() == _expected(1, "pagamentos.csv")


def test_the_earlier_rule_runs_on_its_own_state(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """`--select regra_anterior` after the rules in force, on the same state file: its own
    state (every row NOVO again), priority order. By hand (README "The earlier rule"): as the
    rules in force, except cpf 11111111111's two débitos of 250,00, which now go to I3 (the
    older of I3/I4 by date, tied, then by key: I3, remaining 800,00): applied débitos
    1520,00 + 500,00 = 2020,00, unlinked 450,00 + 80,00 = 530,00; 9 events."""
    monkeypatch.chdir(ROOT)
    program = runtime.load(ROOT / "generated" / "debita")
    state = tmp_path / "s.sqlite"
    program.run_to(tmp_path / "a", _inputs(1), {}, state=state, rejects=tmp_path / "r.csv")
    program.run_to(tmp_path / "b", _inputs(1), {}, state=state, rejects=tmp_path / "r.csv",
                   select="regra_anterior")
    marks = [r["situacao"] for r in _table((tmp_path / "b" / "importacao.csv").read_bytes())]
    assert marks == ["NOVO"] * 11 + ["REJEITADO"]
    resumo = {r["linha"]: r for r in _table((tmp_path / "b" / "resumo.csv").read_bytes())}
    assert resumo["aplicado_regra_anterior"]["debitos"] == "2020,00"
    assert resumo["nao_vinculado"]["total"] == "530,00"
    assert resumo["eventos_gerados"]["total"] == "9"
    pays = _table((tmp_path / "b" / "pagamentos.csv").read_bytes())
    assert {p["imputacao"] for p in pays if p["cpf"] == "11111111111"} == {"I3"}
    assert {p["regra"] for p in pays} == {"regra_anterior"}
    # the rules in force are untouched by it: their outputs on run 1 are still the expected
    assert (tmp_path / "a" / "pagamentos.csv").read_bytes() == _expected(1, "pagamentos.csv")


def test_the_cli_runs_twice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`apura run debita ... --state S --out OUT` twice with run 1's files: exit 0 both times,
    the second writes the same files but importacao.csv (every row already imported)."""
    from click.testing import CliRunner

    from compiler.cli import cli

    monkeypatch.chdir(ROOT)
    args = ["run", "debita", *[f"--input={k}={v}" for k, v in _inputs(1).items()],
            "--state", str(tmp_path / "s.sqlite"), "--rejects", str(tmp_path / "r.csv")]
    for out in ("a", "b"):
        got = CliRunner().invoke(cli, [*args, "--out", str(tmp_path / out)])
        assert got.exit_code == 0, got.output
    for name in FILES:
        a, b = (tmp_path / "a" / name).read_bytes(), (tmp_path / "b" / name).read_bytes()
        assert (a == b) == (name != "importacao.csv"), name
    assert (tmp_path / "b" / "resumo.md").read_bytes() == _expected(1, "resumo.md")
    marks = {r["situacao"] for r in _table((tmp_path / "b" / "importacao.csv").read_bytes())}
    assert marks == {"JA_IMPORTADO", "REJEITADO"}
