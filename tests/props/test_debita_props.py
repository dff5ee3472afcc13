"""Debita invariants on random inputs (issue 10's property tests), checked on the outputs only.

They talk to an engine through `Engine` (a run, a Desconto em Folha, a reversal, the six
files), so every property runs against both engines of ENGINES: the hand-written oracle
(benchmarks/debita_baseline.py) and apura's `debita` package (`ApuraEngine`: the compiled
program loaded once, `apura run`'s lifecycle in process, the runtime API for events). One
more property runs both on the same random steps and compares the six files byte for byte
after each.

Properties: money is conserved (applied + balance = imported per discount, per cpf and in
total; the resumo's partition adds up to what was imported); caps are never exceeded; a run
repeated with the same files changes nothing but the import marks; both rules conserve money;
the rules in force never link a discount to an imputation while the cpf has two or more open
of that natureza (replayed from the outputs, in the loop's order)."""

from __future__ import annotations

import datetime
import functools
import shutil
import sys
import tempfile
import weakref
from collections.abc import Callable
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any
from typing import Protocol

from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

import runtime
from runtime.allocation_events import desconto_em_folha
from runtime.allocation_events import estorno
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import debita_baseline as oracle  # noqa: E402
import debita_state  # noqa: E402

CPFS = ("00000000001", "00000000002", "00000000003")
RUBRICAS = (("SIGRH", "40453"), ("SIGRH", "40667"), ("SIAPE", "00840"), ("SIAPE", "40667"))
AUTO = ("regra_01", "regra_anterior")


class Engine(Protocol):
    def run(self, desconto: list[Path], imputacao: Path, responsavel: Path) -> None: ...
    def evento(self, cpf: str, imputacao: str, data: datetime.date,
               pagamentos: list[str]) -> bool: ...   # False: refused
    def estorno(self, evento: str, data: datetime.date) -> bool: ...   # False: refused
    def outputs(self) -> dict[str, str]: ...


class OracleEngine:
    def __init__(self, rule: str) -> None:
        self.state = oracle.State(rule=rule)

    def run(self, desconto: list[Path], imputacao: Path, responsavel: Path) -> None:
        oracle.run(self.state, desconto, imputacao, responsavel)

    def evento(self, cpf: str, imputacao: str, data: datetime.date,
               pagamentos: list[str]) -> bool:
        try:
            oracle.desconto_em_folha(self.state, cpf, imputacao, data, pagamentos)
        except oracle.Refused:
            return False
        return True

    def estorno(self, evento: str, data: datetime.date) -> bool:
        try:
            oracle.estorno(self.state, evento, data)
        except oracle.Refused:
            return False
        return True

    def outputs(self) -> dict[str, str]:
        return oracle.outputs(self.state)


FILES = ("pagamentos.csv", "eventos.csv", "saldos.csv", "importacao.csv", "resumo.csv",
         "resumo.md")
SELECT = {"em_vigor": "regras_vigentes", "anterior": "regra_anterior"}


@functools.cache
def _program() -> runtime.Program:
    """The compiled debita package, loaded once for every example."""
    got = runtime.load(ROOT / "generated" / "debita")
    assert isinstance(got, runtime.Program)
    return got


class ApuraEngine:
    """apura's `debita`: each run is `apura run`'s lifecycle in process (Program.run_to, one
    state file, --rejects so a rubric outside the map does not fail it); events and
    reversals by the runtime API with the latest run's imputacao/responsavel (the oracle uses
    the latest run's imputations). Events write no files: after one, `outputs` runs the
    latest inputs again on a copy of the state and keeps the latest run's importacao.csv
    (which, as the oracle's, says what that run imported)."""

    def __init__(self, rule: str) -> None:
        self.program, self.select = _program(), SELECT[rule]
        self.tmp = Path(tempfile.mkdtemp(prefix="debita_props_"))
        weakref.finalize(self, shutil.rmtree, self.tmp, True)
        self.state = self.tmp / "state.sqlite"
        self.last: dict[str, Path] = {}
        self.files: dict[str, str] = {}
        self.stale = False   # an event was tried since self.files were read
        self.n = 0

    def _run(self, state: Path) -> dict[str, str]:
        self.n += 1
        out = self.tmp / f"out{self.n}"
        self.program.run_to(out, self.last, {}, state=state, rejects=self.tmp / "rej.csv",
                            select=self.select)
        got = {f: (out / f).read_text("utf-8") for f in FILES}
        shutil.rmtree(out)
        return got

    def run(self, desconto: list[Path], imputacao: Path, responsavel: Path) -> None:
        (one,) = desconto   # the package reads one payroll file per run
        self.last = {"desconto": one, "imputacao": imputacao, "responsavel": responsavel}
        self.files, self.stale = self._run(self.state), False

    def evento(self, cpf: str, imputacao: str, data: datetime.date,
               pagamentos: list[str]) -> bool:
        self.stale = True
        try:
            desconto_em_folha(self.program, self.state, cpf=cpf, payments=pagamentos,
                              target=imputacao, date=data, rule=self.select,
                              ledgers={k: self.last[k] for k in ("imputacao", "responsavel")})
        except runtime.RunFailed:
            return False
        return True

    def estorno(self, evento: str, data: datetime.date) -> bool:
        self.stale = True
        try:
            estorno(self.program, self.state, event=evento, date=data, rule=self.select)
        except runtime.RunFailed:
            return False
        return True

    def outputs(self) -> dict[str, str]:
        if self.stale:
            copy = self.tmp / f"copy{self.n}.sqlite"
            shutil.copyfile(self.state, copy)
            got = self._run(copy)
            copy.unlink()
            self.files = {**got, "importacao.csv": self.files["importacao.csv"]}
            self.stale = False
        return dict(self.files)


ENGINES: dict[str, Callable[[str], Engine]] = {"oracle": OracleEngine, "apura": ApuraEngine}


# ---------------------------------------------------------------- random inputs
dates = st.dates(min_value=datetime.date(2019, 1, 1), max_value=datetime.date(2021, 12, 31))
cents = st.integers(min_value=1, max_value=50_000)
imputations = st.lists(st.fixed_dictionaries({
    "natureza": st.sampled_from(["DEBITO", "MULTA"]), "solidaria": st.booleans(),
    "data": dates, "valor": st.integers(min_value=0, max_value=200_000),
    "situacao": st.sampled_from(["ABERTA", "ABERTA", "ABERTA", "QUITADA"]),
    "cpfs": st.sets(st.sampled_from(CPFS), min_size=1, max_size=3)}), max_size=5)
discounts = st.lists(st.tuples(st.sampled_from(RUBRICAS), st.sampled_from(CPFS), dates,
                               st.sampled_from([1, 5000, 10000, 25000]) | cents),
                     max_size=25)


def money(c: int) -> str:
    return f"{c // 100},{c % 100:02d}"


def d(text: str) -> datetime.date:
    return datetime.datetime.strptime(text, "%d/%m/%Y").date()


def D(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def write_inputs(folder: Path, imps: list[dict[str, Any]], files: list[list[tuple[Any, ...]]],
                 bad: Sequence[tuple[int, str]] = (), name: str = "imputacao"
                 ) -> tuple[list[Path], Path, Path]:
    """The three inputs; `bad`: (position, raw line) put into the first payroll file."""
    imp = folder / f"{name}.csv"
    lines = ["imputacao;processo;natureza;solidaria;data_imputacao;valor_atualizado;situacao"]
    lines += [f"I{k};P{k};{i['natureza']};{'S' if i['solidaria'] else 'N'};"
              f"{i['data']:%d/%m/%Y};{money(i['valor'])};{i['situacao']}"
              for k, i in enumerate(imps)]
    imp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    resp = folder / "responsavel.csv"
    lines = ["imputacao;cpf"] + [f"I{k};{c}" for k, i in enumerate(imps)
                                 for c in sorted(i["cpfs"])]
    resp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    paths = []
    for n, rows in enumerate(files):
        p = folder / f"desconto_{n}.csv"
        lines = ["base;cpf;rubrica;competencia;data_folha;valor"]
        lines += [f"{b};{c};{r};{dt:%m/%Y};{dt:%d/%m/%Y};{money(v)}" for (b, r), c, dt, v in rows]
        for at, raw in bad if n == 0 else ():
            lines.insert(1 + at % len(lines), raw)
        p.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(p)
    return paths, imp, resp


def rows(text: str) -> list[dict[str, str]]:
    lines = text.splitlines()
    head = lines[0].split(";")
    return [dict(zip(head, line.split(";"), strict=True)) for line in lines[1:]]


def check_conservation(out: dict[str, str], imported: set[tuple[Any, ...]] | None = None) -> None:
    pag, evs = rows(out["pagamentos.csv"]), rows(out["eventos.csv"])
    per_discount: dict[str, Decimal] = {}
    for e in evs:
        per_discount[e["id_pagamento"]] = per_discount.get(e["id_pagamento"], Decimal(0)) + \
            D(e["valor"])
    assert set(per_discount) <= {p["id_pagamento"] for p in pag}
    per_cpf: dict[str, Decimal] = {}
    for p in pag:
        v, a, s = D(p["valor"]), D(p["valor_aplicado"]), D(p["valor_saldo"])
        assert a + s == v and a == per_discount.get(p["id_pagamento"], Decimal(0))
        assert Decimal(0) <= a <= v
        per_cpf[p["cpf"]] = per_cpf.get(p["cpf"], Decimal(0)) + s
    saldos = {(r["cpf"], r["natureza"]): D(r["saldo_nao_vinculado"])
              for r in rows(out["saldos.csv"])}
    assert {c: v for (c, n), v in saldos.items() if n == "TOTAL"} == per_cpf
    for c in per_cpf:
        assert saldos.get((c, "DEBITO"), 0) + saldos.get((c, "MULTA"), 0) == per_cpf[c]
    res = {r["linha"]: r for r in rows(out["resumo.csv"])}
    total = sum((D(p["valor"]) for p in pag), Decimal(0))
    assert D(res["total_importado"]["total"]) == total
    part = [k for k in res if k.startswith(("aplicado_", "nao_vinculado_"))]
    assert len(part) == 5
    # the seed's two-row view, the last two rows: regra_01 / regra_02 (the earlier rule:
    # regra_anterior / nao_vinculado)
    applied_row, unlinked_row = list(res)[-2:]
    for col in ("debitos", "multas", "total"):
        assert sum(D(res[k][col]) for k in part) == D(res["total_importado"][col])
        assert D(res[applied_row][col]) + D(res[unlinked_row][col]) == \
            D(res["total_importado"][col])
    applied = sum((D(e["valor"]) for e in evs), Decimal(0))
    assert D(res[applied_row]["total"]) == applied
    assert int(res["registros_importados"]["total"]) == len(pag)
    assert int(res["eventos_gerados"]["total"]) == len(evs)


def check_caps(out: dict[str, str], imps: list[dict[str, Any]]) -> None:
    on: dict[str, Decimal] = {}
    for e in rows(out["eventos.csv"]):
        on[e["imputacao"]] = on.get(e["imputacao"], Decimal(0)) + D(e["valor"])
    for k, i in enumerate(imps):
        assert on.get(f"I{k}", Decimal(0)) <= Decimal(i["valor"]) / 100


# examples are shared by the two engines (sampled): ~30 each, so the file stays well under a
# minute on 2 shared cores (an apura run is ~20 ms through the whole lifecycle)
settings_ = settings(max_examples=60, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow])


@settings_
@given(imps=imputations, rows1=discounts, rows2=discounts, overlap=st.integers(0, 25),
       rule=st.sampled_from(["em_vigor", "anterior"]), engine=st.sampled_from(sorted(ENGINES)))
def test_two_runs_conserve_money_respect_caps_and_rerun_is_a_no_op(
        imps: list[dict[str, Any]], rows1: list[tuple[Any, ...]], rows2: list[tuple[Any, ...]],
        overlap: int, rule: str, engine: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        files, imp, resp = write_inputs(Path(tmp), imps, [rows1, rows1[:overlap] + rows2])
        eng = ENGINES[engine](rule)
        eng.run(files[:1], imp, resp)
        check_conservation(eng.outputs())
        eng.run(files[1:], imp, resp)
        out = eng.outputs()
        check_conservation(out)
        check_caps(out, imps)
        for f in files:   # the same files again: only the import marks change
            eng.run([f], imp, resp)
            again = eng.outputs()
            assert {r["situacao"] for r in rows(again["importacao.csv"])} <= \
                {"JA_IMPORTADO", "REJEITADO"}
            assert {k: v for k, v in again.items() if k != "importacao.csv"} == \
                {k: v for k, v in out.items() if k != "importacao.csv"}


@settings_
@given(imps=imputations, rows1=discounts, rule=st.sampled_from(["em_vigor", "anterior"]),
       picks=st.lists(st.tuples(st.booleans(), st.sampled_from(CPFS), st.integers(0, 4),
                                st.lists(st.integers(0, 24), max_size=3), dates), max_size=4),
       engine=st.sampled_from(sorted(ENGINES)))
def test_manual_events_conserve_money_and_respect_caps(
        imps: list[dict[str, Any]], rows1: list[tuple[Any, ...]], rule: str,
        picks: list[tuple[bool, str, int, list[int], datetime.date]], engine: str) -> None:
    """Random Desconto em Folha selections: half of them well aimed (the first selected
    discount's cpf, one of its own imputations), so most are accepted; the others are mostly
    refused. A refusal changes nothing; whatever is accepted keeps money and caps."""
    with tempfile.TemporaryDirectory() as tmp:
        files, imp, resp = write_inputs(Path(tmp), imps, [rows1])
        eng = ENGINES[engine](rule)
        eng.run(files, imp, resp)
        for aimed, cpf, k, idx, when in picks:
            before = eng.outputs()
            pag = rows(before["pagamentos.csv"])
            chosen = [pag[i % len(pag)] for i in idx] if pag else []
            target = f"I{k}"
            if aimed and chosen:
                cpf = chosen[0]["cpf"]
                chosen = [p for p in chosen if p["cpf"] == cpf]
                own = [n for n, i in enumerate(imps) if cpf in i["cpfs"]]
                target = f"I{own[k % len(own)]}" if own else target
            ids = [p["id_pagamento"] for p in chosen]
            if not eng.evento(cpf, target, when, ids):
                assert eng.outputs() == before   # a refusal changes nothing
        out = eng.outputs()
        check_conservation(out)
        check_caps(out, imps)
        eng.run(files, imp, resp)   # after manual events too, the same file changes nothing
        again = eng.outputs()
        assert {k: v for k, v in again.items() if k != "importacao.csv"} == \
            {k: v for k, v in out.items() if k != "importacao.csv"}
        if isinstance(eng, OracleEngine):   # its SQLite state round-trips
            debita_state.save_state(eng.state, Path(tmp) / "estado.sqlite")
            back = oracle.outputs(debita_state.load_state(Path(tmp) / "estado.sqlite", rule))
            assert {k: v for k, v in back.items() if k != "importacao.csv"} == \
                {k: v for k, v in out.items() if k != "importacao.csv"}


@settings_
@given(imps=imputations, rows1=discounts, engine=st.sampled_from(sorted(ENGINES)))
def test_rules_in_force_never_link_when_two_are_open(
        imps: list[dict[str, Any]], rows1: list[tuple[Any, ...]], engine: str) -> None:
    """Replay one run in the loop's order (data_folha, id_pagamento): before each discount,
    what remains of each imputation is its valor minus the events of the discounts before
    it. A discount whose cpf has two or more open imputations of its natureza (ABERTA, the
    cpf responsible, something remaining) at that point gets no event; one with an event had
    exactly one, the event is on it, after its date, and no larger than what remained. (This
    holds whether "open" is read at each discount or once at the start of the run: within a
    run what remains only goes down.)"""
    with tempfile.TemporaryDirectory() as tmp:
        files, imp, resp = write_inputs(Path(tmp), imps, [rows1])
        eng = ENGINES[engine]("em_vigor")
        eng.run(files, imp, resp)
        out = eng.outputs()
    check_conservation(out)
    pag = sorted(rows(out["pagamentos.csv"]), key=lambda p: (d(p["data_folha"]),
                                                             p["id_pagamento"]))
    by_discount: dict[str, list[dict[str, str]]] = {}
    for e in rows(out["eventos.csv"]):
        by_discount.setdefault(e["id_pagamento"], []).append(e)
    left = {f"I{k}": Decimal(i["valor"]) / 100 for k, i in enumerate(imps)}
    for p in pag:
        open_ = [f"I{k}" for k, i in enumerate(imps)
                 if i["situacao"] == "ABERTA" and i["natureza"] == p["natureza"]
                 and p["cpf"] in i["cpfs"] and left[f"I{k}"] > 0]
        events = by_discount.get(p["id_pagamento"], [])
        if len(open_) >= 2:
            assert events == [] and p["regra"] == "regra_02" and p["imputacao"] == ""
        if events:
            assert len(open_) == 1 and p["regra"] == "regra_01"
        for e in events:
            k = int(open_[0][1:])
            assert e["origem"] == "regra_01" and e["imputacao"] == open_[0]
            assert d(p["data_folha"]) > imps[k]["data"]
            assert D(e["valor"]) <= left[e["imputacao"]]
            left[e["imputacao"]] -= D(e["valor"])


# rows apura's reader rejects (with --rejects: REJEITADO, no id): no such date, a decimal
# point, too few cells, an empty cell
BAD_ROWS = ("SIGRH;00000000001;40453;02/2021;31/02/2021;10,00",
            "SIGRH;00000000002;40453;02/2021;05/02/2021;12.50",
            "SIAPE;00000000003;00840;02/2021",
            ";00000000001;40453;02/2021;05/02/2021;10,00")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(imps=imputations, rows1=discounts, rows2=discounts, overlap=st.integers(0, 25),
       rule=st.sampled_from(["em_vigor", "anterior"]),
       bad=st.lists(st.tuples(st.integers(0, 30), st.sampled_from(BAD_ROWS)), max_size=2),
       picks=st.lists(st.tuples(st.booleans(), st.sampled_from(CPFS), st.integers(0, 4),
                                st.lists(st.integers(0, 24), max_size=3), dates), max_size=3),
       reversals=st.lists(st.tuples(st.integers(0, 9), dates), max_size=2),
       shrink=st.booleans())
def test_apura_equals_the_oracle_byte_for_byte(
        imps: list[dict[str, Any]], rows1: list[tuple[Any, ...]], rows2: list[tuple[Any, ...]],
        overlap: int, rule: str, bad: list[tuple[int, str]],
        picks: list[tuple[bool, str, int, list[int], datetime.date]],
        reversals: list[tuple[int, datetime.date]], shrink: bool) -> None:
    """The same random steps on both engines — a run (with rows the reader rejects), Desconto
    em Folha selections (half well aimed), reversals of any event (a Regra 01 one must be
    refused), a second run overlapping the first whose valor_atualizado may be halved (below
    what was applied: D1402) — the same refusals, and the six files equal after each step."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files, imp, resp = write_inputs(folder, imps, [rows1, rows1[:overlap] + rows2], bad)
        halved = [{**i, "valor": i["valor"] // 2} if shrink else i for i in imps]
        _, imp2, _ = write_inputs(folder, halved, [], name="imputacao_2")
        engines = [ENGINES[e](rule) for e in ("oracle", "apura")]

        def same() -> dict[str, str]:
            want, got = (e.outputs() for e in engines)
            for f in FILES:
                assert got[f] == want[f], f
            return want

        for eng in engines:
            eng.run(files[:1], imp, resp)
        out = same()
        for aimed, cpf, k, idx, when in picks:
            pag = rows(out["pagamentos.csv"])
            chosen = [pag[i % len(pag)] for i in idx] if pag else []
            target = f"I{k}"
            if aimed and chosen:
                cpf = chosen[0]["cpf"]
                chosen = [p for p in chosen if p["cpf"] == cpf]
                own = [n for n, i in enumerate(imps) if cpf in i["cpfs"]]
                target = f"I{own[k % len(own)]}" if own else target
            ids = [p["id_pagamento"] for p in chosen]
            assert len({eng.evento(cpf, target, when, ids) for eng in engines}) == 1
            out = same()
        for k, when in reversals:
            evs = rows(out["eventos.csv"])
            if evs:
                ev = evs[k % len(evs)]["id_evento"]
                assert len({eng.estorno(ev, when) for eng in engines}) == 1
                out = same()
        for eng in engines:
            eng.run(files[1:], imp2, resp)
        same()
