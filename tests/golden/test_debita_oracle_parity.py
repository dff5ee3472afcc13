"""`apura run debita` (the `allocation` kind, specs/debita) against the independent oracle
(benchmarks/debita_baseline.py, checked against hand figures in tests/unit/test_debita_oracle.py)
on every hand-made case of fixtures/debita/casos, step by step as its passos.txt says, under
both rules (the rules in force, and the earlier rule selected with --select regra_anterior on
its own state), on the python and duckdb back ends.

A step runner on each side follows passos.txt: `run` is `apura run` on the case's inputs with
one --state (and --rejects, so a rejected row does not fail the run: case 07); `evento` is the
runtime API `runtime.allocation_events.desconto_em_folha` (python) or the CLI `apura
desconto-em-folha` (duckdb), with the latest run's imputacao/responsavel, as the oracle uses
the latest run's imputations; `estorno` likewise. Both sides refuse the same steps with
the same code; `recusa CODE STEP` (written for the rules in force) must be refused with
exactly that code under them. After every step the six output files are compared byte for
byte: after a run, the files it wrote; after an event, a reversal or a refusal (which write no
files), the files of the latest run's inputs run again on a copy of each side's state — so a
refusal that recorded anything, or an event recorded differently, shows in the bytes. The
D1402 warnings (valor_atualizado below what was applied) and the rejected rows are counted
against the oracle's too. Last, the generated fixture (fixtures/debita/generate.py, 4,000
discounts) in two overlapping monthly runs, both rules, both back ends."""

from __future__ import annotations

import copy
import datetime
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import runtime
from benchmarks import debita_baseline as oracle
from compiler.cli import cli
from runtime.allocation_events import desconto_em_folha
from runtime.allocation_events import estorno
from tests.conftest import ROOT

CASOS = ROOT / "fixtures" / "debita" / "casos"
CASES = sorted(p.name for p in CASOS.iterdir() if p.is_dir())
FILES = ("pagamentos.csv", "eventos.csv", "saldos.csv", "importacao.csv", "resumo.csv",
         "resumo.md")
RULES = {"em_vigor": "regras_vigentes", "anterior": "regra_anterior"}  # oracle → apura
PKG = ROOT / "generated" / "debita"


@pytest.fixture(scope="module")
def program() -> runtime.Program:
    got = runtime.load(PKG)
    assert isinstance(got, runtime.Program)
    return got


def _date(text: str) -> datetime.date:
    return datetime.datetime.strptime(text, "%d/%m/%Y").date()


def _one(args: dict[str, list[str]], key: str) -> str:
    (value,) = args[key]
    return value


class Apura:
    """apura's side of the step runner: one state file, the latest run's inputs."""

    def __init__(self, program: runtime.Program, tmp: Path, backend: str, rule: str) -> None:
        self.program, self.tmp, self.backend, self.rule = program, tmp, backend, rule
        self.state = tmp / "state.sqlite"
        self.last: dict[str, str] = {}
        self.n = 0
        self.warnings: list[str] = []
        self.rejected = 0

    def _run(self, state: Path, ledgers: dict[str, str]) -> dict[str, str]:
        self.n += 1
        out, rej = self.tmp / f"out{self.n}", self.tmp / f"rej{self.n}.csv"
        rec = self.program.run_to(out, ledgers, {}, state=state, rejects=rej,
                                  backend=self.backend, select=self.rule)
        self.warnings = [w.code for w in rec.result.warnings if w.code.startswith("D14")]
        self.rejected = len(rej.read_text("utf-8").splitlines()) - 1 if rej.exists() else 0
        return {f: (out / f).read_text("utf-8") for f in FILES}

    def run(self, args: dict[str, list[str]]) -> dict[str, str]:
        self.last = {k: _one(args, k) for k in ("desconto", "imputacao", "responsavel")}
        return self._run(self.state, self.last)

    def observe(self) -> dict[str, str]:
        """The files of the latest run's inputs again, on a copy of the state."""
        copy_ = self.tmp / f"observe{self.n}.sqlite"
        shutil.copyfile(self.state, copy_)
        return self._run(copy_, self.last)

    def step(self, step: str, args: dict[str, list[str]]) -> list[str]:
        """An event or a reversal: the codes of its refusal ([] if accepted)."""
        if self.backend == "python":  # the runtime API
            try:
                if step == "evento":
                    desconto_em_folha(
                        self.program, self.state, cpf=_one(args, "cpf"),
                        payments=[p for v in args["pagamentos"] for p in v.split(",")],
                        target=_one(args, "imputacao"), date=_date(_one(args, "data")),
                        ledgers={k: self.last[k] for k in ("imputacao", "responsavel")},
                        rule=self.rule)
                else:
                    estorno(self.program, self.state, event=_one(args, "evento"),
                            date=_date(_one(args, "data")), rule=self.rule)
            except runtime.RunFailed as exc:
                return [e.code for e in exc.errors]
            return []
        # duckdb: the CLI (the back end plays no part in an event)
        base = [str(PKG), "--state", str(self.state), "--regra", self.rule,
                "--data", _one(args, "data")]
        if step == "evento":
            argv = ["desconto-em-folha", *base, "--cpf", _one(args, "cpf"),
                    "--imputacao", _one(args, "imputacao"),
                    "--input", f"imputacao={self.last['imputacao']}",
                    "--input", f"responsavel={self.last['responsavel']}"]
            for v in args["pagamentos"]:
                for p in v.split(","):
                    argv += ["--pagamento", p]
        else:
            argv = ["estorno", *base, "--evento", _one(args, "evento")]
        got = CliRunner().invoke(cli, argv)
        if got.exception is not None and not isinstance(got.exception, SystemExit):
            raise got.exception
        if got.exit_code == 0:
            return []
        assert got.exit_code == 1, got.stderr
        return re.findall(r"erro\[(D\d{4})\]", got.stderr)


def _oracle_observe(state: oracle.State, last: dict[str, list[str]]) -> dict[str, str]:
    again = copy.deepcopy(state)
    oracle.apply_step(again, "run", last)
    return oracle.outputs(again)


@pytest.mark.parametrize("backend", ["python", "duckdb"])
@pytest.mark.parametrize("rule", sorted(RULES))
@pytest.mark.parametrize("name", CASES)
def test_every_step_equals_the_oracle(program: runtime.Program, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch, name: str, rule: str,
                                      backend: str) -> None:
    case = CASOS / name
    monkeypatch.chdir(case)  # importacao.csv names each input as passos.txt gives it
    apura = Apura(program, tmp_path, backend, RULES[rule])
    state = oracle.State(rule=rule)
    last: dict[str, list[str]] = {}
    steps = [parsed for text in (case / "passos.txt").read_text("utf-8").splitlines()
             if (parsed := oracle.passo(text)) is not None]
    assert steps and steps[0][1] == "run"
    for k, (code, step, args) in enumerate(steps, start=1):
        where = f"{name} passo {k}: {step} {args}"
        if step == "run":
            last = args
            oracle.apply_step(state, step, args)
            got = apura.run(args)
            want = oracle.outputs(state)
            assert apura.warnings == ["D1402"] * len(state.warnings), where
            assert apura.rejected == len(state.rejected), where
        else:
            refused = ""
            try:
                oracle.apply_step(state, step, args)
            except oracle.Refused as exc:
                refused = exc.code
            if rule == "em_vigor":   # passos.txt's refusals are the rules in force's
                assert refused == code, where
            codes = apura.step(step, args)
            # the kind lists every reason, in the oracle's order (imputation, discounts,
            # total); the oracle stops at the first
            assert codes[:1] == ([refused] if refused else []), where
            if code and rule == "em_vigor":
                assert len(codes) == 1, where
            got, want = apura.observe(), _oracle_observe(state, last)
        for f in FILES:
            assert got[f] == want[f], f"{where}: {f}"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """fixtures/debita/generate.py's inputs (4,000 discounts, seed 1), the payroll split in
    two overlapping monthly files: lines 1-60 % and 40-100 % of the rows (the overlap is
    JA_IMPORTADO in the second run, but for identical rows the split renumbers)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("debita_generate",
                                                  ROOT / "fixtures" / "debita" / "generate.py")
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    folder = tmp_path_factory.mktemp("debita_gen")
    gen.generate(folder, 4000, 1)
    head, *rows = (folder / "desconto.csv").read_text("utf-8").splitlines()
    cut1, cut2 = len(rows) * 6 // 10, len(rows) * 4 // 10
    for name, part in (("desconto_1.csv", rows[:cut1]), ("desconto_2.csv", rows[cut2:])):
        (folder / name).write_text("\n".join([head, *part]) + "\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("backend", ["python", "duckdb"])
@pytest.mark.parametrize("rule", sorted(RULES))
def test_generated_fixture_equals_the_oracle(program: runtime.Program, generated: Path,
                                             tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             rule: str, backend: str) -> None:
    """The generated inputs (solidary debts, quitadas, two open of a natureza, discounts
    before the imputation and past the cap, repeated rows, rubrics outside the map) in two
    overlapping runs: the six files equal after each."""
    monkeypatch.chdir(generated)
    apura = Apura(program, tmp_path, backend, RULES[rule])
    state = oracle.State(rule=rule)
    for n in (1, 2):
        args = {"desconto": [f"desconto_{n}.csv"], "imputacao": ["imputacao.csv"],
                "responsavel": ["responsavel.csv"]}
        oracle.apply_step(state, "run", args)
        got, want = apura.run(args), oracle.outputs(state)
        assert apura.rejected == len(state.rejected) > 0
        marks = {line.rsplit(";", 1)[1] for line in want["importacao.csv"].splitlines()[1:]}
        assert marks == ({"NOVO", "REJEITADO"} if n == 1 else
                         {"NOVO", "JA_IMPORTADO", "REJEITADO"})
        for f in FILES:
            assert got[f] == want[f], f"run {n}: {f}"
