#!/usr/bin/env python3
"""Debita "Desconto em Folha" (seed 002_e2b61c13970ff9c0, issue 10) written by hand: the
independent oracle of the `debita` package's tests and the baseline of its 1M benchmark.

It shares nothing with apura: stdlib only (csv, decimal, hashlib; sqlite3 in
debita_state.py), plain dicts and a loop. It follows /work/wt/_notes/DEBITA.md (the decisions
both sides implement) word for word; what that note leaves open is decided in
fixtures/debita/casos/README.md ("Decisões do oráculo") and marked "OPEN:" here.

Two rules, each on its own state (an allocation's state belongs to the rule that made it):

* `em_vigor` — Regra 01 / Regra 02 read per natureza: for a discount of cpf C and natureza N,
  the open imputations of N where C is a responsible (ABERTA in this run's input, remaining >
  0 *at that moment* of the loop); exactly one → regra_01 (applied up to the remaining if
  data_folha > data_imputacao; the rest stays unlinked), none or several → regra_02.
* `anterior` — the rule first implemented: targets are the cpf's open imputations of the
  discount's natureza dated before the discount, in the order multa, non-solidary débito,
  solidary débito, then oldest data_imputacao, then imputacao; each takes up to its
  remaining, one event per imputation. The discount's rubric natureza restricts its targets
  (a débito discount pays only débitos; SIAPE, with no multa rubric, never pays multas), as
  the `allocation` kind's specs/debita/regra_anterior.yaml decides (README, "The earlier
  rule"); so "multas first" orders nothing between the classes.

Rows the reader cannot take (a cell that is not a date or money, an empty cell, the wrong
number of cells) are rejected rows, as apura's reader with --rejects makes them: marked
REJEITADO in importacao.csv with an empty id_pagamento (no id is computed from cells that
were not read) and not counted among the identical rows. A row rejected only for its rubric
keeps the id it would have had.

Manual "Desconto em Folha" events and their reversals (estorno) run between runs, against
the imputations of the latest run.

Usage:
    python benchmarks/debita_baseline.py [--rule em_vigor|anterior] [--state FILE.sqlite] \\
        --run desconto=F imputacao=F responsavel=F \\
        [--evento cpf=C imputacao=I data=DD/MM/YYYY pagamentos=ID[,ID...]] \\
        [--estorno evento=ID data=DD/MM/YYYY] [--run ...] --out DIR
    (steps run in the order given; desconto= may repeat within one --run)
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import functools
import gc
import hashlib
import re
import sys
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from debita_resumo import Row  # noqa: E402
from debita_resumo import money  # noqa: E402
from debita_resumo import resumo_csv  # noqa: E402
from debita_resumo import resumo_md  # noqa: E402
from debita_resumo import resumo_rows  # noqa: E402

RUBRICAS = {("SIGRH", "40453"): "DEBITO", ("SIGRH", "40667"): "MULTA",
            ("SIAPE", "00840"): "DEBITO"}
RULES = ("em_vigor", "anterior")
AUTO_ORIGIN = {"em_vigor": "regra_01", "anterior": "regra_anterior"}
# the seed's two-row view (applied / linked to the responsible only): the earlier rule has no
# Regra 01 / Regra 02, so it names its rows after itself (as the kind's regra_anterior spec)
VIEW = {"em_vigor": ("regra_01", "regra_02"), "anterior": ("regra_anterior", "nao_vinculado")}
MANUAL, ESTORNO = "desconto_em_folha", "estorno"
# why a discount's unlinked value is unlinked (the resumo row it lands in)
MAIS_DE_UMA, EXCEDENTE, SEM = ("nao_vinculado_mais_de_uma",
                               "nao_vinculado_excedente_ou_anterior",
                               "nao_vinculado_sem_imputacao")
ZERO = Decimal(0)
_MONEY = re.compile(r"-?\d{1,16}(,\d{1,2})?")
_DATE = re.compile(r"(\d{2})/(\d{2})/(\d{4})")
_COMP = re.compile(r"(0[1-9]|1[0-2])/\d{4}")
_CANONICAL = re.compile(r"(0|[1-9]\d*),\d\d")   # already money()'s text


class OracleError(ValueError):
    """Bad input (what apura reports as a data error with file:line)."""


class Refused(ValueError):
    """A manual event or reversal the rules refuse; the state is left as it was. `code` is
    the kind of refusal, numbered as apura's diagnostics (README, "Desconto em Folha"):
    D1403 a discount, D1404 the imputation, D1405 the total, D1406 a reversal."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


# ---------------------------------------------------------------- parsing
def parse_money(text: str, where: str) -> Decimal:
    if not _MONEY.fullmatch(text):
        raise OracleError(f"{where}: valor {text!r} não é dinheiro (1234,56)")
    return Decimal(text.replace(",", "."))


def parse_date(text: str, where: str) -> datetime.date:
    m = _DATE.fullmatch(text)
    try:
        if not m:
            raise ValueError
        return datetime.date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        raise OracleError(f"{where}: data {text!r} não é DD/MM/AAAA") from None


@functools.lru_cache(maxsize=65536)
def date_text(d: datetime.date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def sha16(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def read_rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, list[str]]]:
    """(line, cells in `columns` order) of a `;` CSV matched by header name; BOM accepted."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter=";")
        header = next(reader, None)
        if header is None:
            raise OracleError(f"{path.as_posix()}: arquivo vazio")
        try:
            idx = [header.index(c) for c in columns]
        except ValueError:
            raise OracleError(f"{path.as_posix()}:1: faltam colunas de {columns}") from None
        for row in reader:
            if len(row) != len(header):
                raise OracleError(f"{path.as_posix()}:{reader.line_num}: "
                                  f"{len(row)} células, o cabeçalho tem {len(header)}")
            yield reader.line_num, [row[i] for i in idx]


def read_cells(path: Path, columns: tuple[str, ...]
               ) -> Iterator[tuple[int, list[str] | None]]:
    """As read_rows, but a row with the wrong number of cells is (line, None): a rejected
    row, not the end of the file."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter=";")
        header = next(reader, None)
        if header is None:
            raise OracleError(f"{path.as_posix()}: arquivo vazio")
        try:
            idx = [header.index(c) for c in columns]
        except ValueError:
            raise OracleError(f"{path.as_posix()}:1: faltam colunas de {columns}") from None
        for row in reader:
            yield reader.line_num, ([row[i] for i in idx] if len(row) == len(header) else None)


# ---------------------------------------------------------------- the state
@dataclass(slots=True)
class Discount:
    id: str
    base: str
    cpf: str
    rubrica: str
    competencia: str
    data_folha: datetime.date
    valor: Decimal
    natureza: str
    regra: str
    motivo: str                 # the resumo row of its unlinked value
    imputacoes: list[str] = field(default_factory=list)   # automatic targets, event order
    aplicado: Decimal = ZERO    # all its events (manual and reversals included)


@dataclass(slots=True)
class Event:
    id: str
    id_pagamento: str
    imputacao: str
    cpf: str
    data: datetime.date
    valor: Decimal
    origem: str
    estorna: str = ""           # the event a reversal reverses


@dataclass(frozen=True)
class Imputation:
    imputacao: str
    processo: str
    natureza: str
    solidaria: bool
    data_imputacao: datetime.date
    valor_atualizado: Decimal
    situacao: str
    responsaveis: frozenset[str]


@dataclass
class State:
    rule: str = "em_vigor"
    discounts: dict[str, Discount] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    event_ids: set[str] = field(default_factory=set)
    applied: dict[str, Decimal] = field(default_factory=dict)        # per imputation
    imputations: dict[str, Imputation] = field(default_factory=dict)  # the latest run's
    importacao: list[tuple[str, int, str, str]] = field(default_factory=list)  # latest run's
    rejected: list[str] = field(default_factory=list)   # reasons, latest run
    warnings: list[str] = field(default_factory=list)   # latest step

    def remaining(self, imp: Imputation) -> Decimal:
        return imp.valor_atualizado - self.applied.get(imp.imputacao, ZERO)

    def add_event(self, ev: Event) -> None:
        self.events.append(ev)
        self.event_ids.add(ev.id)
        self.applied[ev.imputacao] = self.applied.get(ev.imputacao, ZERO) + ev.valor
        self.discounts[ev.id_pagamento].aplicado += ev.valor


def event_id(origem: str, id_pagamento: str, imputacao: str, data: datetime.date,
             valor: Decimal, estorna: str = "") -> str:
    text = f"{origem}|{id_pagamento}|{imputacao}|{date_text(data)}|{money(valor)}"
    return sha16(text + (f"|{estorna}" if estorna else ""))


# ---------------------------------------------------------------- reading a run's inputs
def read_imputations(imputacao: Path, responsavel: Path) -> dict[str, Imputation]:
    resp: dict[str, set[str]] = {}
    rows = list(read_rows(imputacao, ("imputacao", "processo", "natureza", "solidaria",
                                      "data_imputacao", "valor_atualizado", "situacao")))
    known = {r[0] for _, r in rows}
    for line, (imp, cpf) in read_rows(responsavel, ("imputacao", "cpf")):
        if imp not in known:
            raise OracleError(f"{responsavel.as_posix()}:{line}: imputação {imp!r} desconhecida")
        resp.setdefault(imp, set()).add(cpf)
    out: dict[str, Imputation] = {}
    for line, (imp, proc, nat, sol, data, valor, sit) in rows:
        where = f"{imputacao.as_posix()}:{line}"
        if imp in out:
            raise OracleError(f"{where}: imputação {imp!r} repetida")
        if nat not in ("DEBITO", "MULTA") or sol not in ("S", "N") or \
                sit not in ("ABERTA", "QUITADA"):
            raise OracleError(f"{where}: natureza/solidaria/situacao inválida")
        out[imp] = Imputation(imp, proc, nat, sol == "S", parse_date(data, where),
                              parse_money(valor, where), sit, frozenset(resp.get(imp, ())))
    return out


def read_discounts(path: Path, state: State, seen: set[str]) -> list[Discount]:
    """The new discounts of one payroll file; marks every row in state.importacao."""
    shown = path.as_posix()
    counts: dict[tuple[str, ...], int] = {}
    new: list[Discount] = []
    cols = ("base", "cpf", "rubrica", "competencia", "data_folha", "valor")
    for line, cells in read_cells(path, cols):
        where = f"{shown}:{line}"
        try:
            if cells is None:
                raise OracleError(f"{where}: número de células diferente do cabeçalho")
            base, cpf, rubrica, comp, data, valor = cells
            if "" in cells:
                raise OracleError(f"{where}: célula vazia")
            d = parse_date(data, where)
            v = parse_money(valor, where)
        except OracleError as exc:   # a row the reader rejects: no id (see the docstring)
            state.importacao.append((shown, line, "", "REJEITADO"))
            state.rejected.append(str(exc))
            continue
        if not _COMP.fullmatch(comp):   # OPEN: apura reads competencia as plain text
            raise OracleError(f"{where}: competência {comp!r} não é MM/AAAA")
        if v <= 0:   # OPEN: DEBITA.md does not say; a payroll discount is positive
            raise OracleError(f"{where}: valor do desconto {valor!r} não é positivo")
        text = valor if _CANONICAL.fullmatch(valor) else money(v)
        key = (base, cpf, rubrica, comp, data, text)
        n = counts[key] = counts.get(key, 0) + 1
        pid = sha16("|".join(key) + f"|{n}")
        natureza = RUBRICAS.get((base, rubrica))
        if natureza is None:
            state.importacao.append((shown, line, pid, "REJEITADO"))
            state.rejected.append(f"{where}: rubrica {rubrica!r} da base {base!r} não está "
                                  f"no mapa de rubricas")
        elif pid in state.discounts or pid in seen:
            state.importacao.append((shown, line, pid, "JA_IMPORTADO"))
        else:
            seen.add(pid)
            state.importacao.append((shown, line, pid, "NOVO"))
            new.append(Discount(pid, base, cpf, rubrica, comp, d, v, natureza, "", ""))
    return new


# ---------------------------------------------------------------- the automatic rules
def _open(state: State, imps: Iterable[Imputation]) -> list[Imputation]:
    return [i for i in imps if i.situacao == "ABERTA" and state.remaining(i) > 0]


def _apply(state: State, d: Discount, imp: Imputation, amount: Decimal, origem: str) -> None:
    d.imputacoes.append(imp.imputacao)
    state.add_event(Event(event_id(origem, d.id, imp.imputacao, d.data_folha, amount),
                          d.id, imp.imputacao, d.cpf, d.data_folha, amount, origem))


def allocate_em_vigor(state: State, d: Discount, by_cpf: dict[str, list[Imputation]]) -> None:
    # OPEN: "open" (remaining > 0) is read at this discount, not once per run: an imputation
    # exhausted earlier in the loop no longer counts (so one bulk run = the same months run
    # one by one, and the discount after the cap is "sem imputação", not "excedente")
    candidates = _open(state, (i for i in by_cpf.get(d.cpf, ()) if i.natureza == d.natureza))
    if len(candidates) != 1:
        d.regra, d.motivo = "regra_02", (SEM if not candidates else MAIS_DE_UMA)
        return
    imp = candidates[0]
    d.regra, d.motivo = "regra_01", EXCEDENTE
    if d.data_folha > imp.data_imputacao:
        amount = min(d.valor, state.remaining(imp))
        _apply(state, d, imp, amount, "regra_01")


def _priority(imp: Imputation) -> tuple[int, datetime.date, str]:
    group = 0 if imp.natureza == "MULTA" else (2 if imp.solidaria else 1)
    return group, imp.data_imputacao, imp.imputacao


def allocate_anterior(state: State, d: Discount, by_cpf: dict[str, list[Imputation]]) -> None:
    # the discount's natureza restricts its targets (README, "The earlier rule"); "sem
    # imputação" = nothing of its natureza open for the cpf, otherwise "excedente ou anterior"
    candidates = sorted(_open(state, (i for i in by_cpf.get(d.cpf, ())
                                      if i.natureza == d.natureza)), key=_priority)
    d.regra, d.motivo = "regra_anterior", (EXCEDENTE if candidates else SEM)
    left = d.valor
    for imp in candidates:
        if left == 0:
            break
        if d.data_folha > imp.data_imputacao:
            amount = min(left, state.remaining(imp))
            _apply(state, d, imp, amount, "regra_anterior")
            left -= amount


def run(state: State, desconto: list[Path], imputacao: Path, responsavel: Path) -> None:
    """One monthly run: import the payroll files, allocate what is new, keep the imputations."""
    state.importacao, state.rejected, state.warnings = [], [], []
    imps = read_imputations(imputacao, responsavel)
    for imp in imps.values():
        done = state.applied.get(imp.imputacao, ZERO)
        if imp.valor_atualizado < done:
            state.warnings.append(
                f"imputação {imp.imputacao}: valor_atualizado {money(imp.valor_atualizado)} "
                f"abaixo do já aplicado {money(done)} (nada é desfeito)")
    seen: set[str] = set()
    new = [d for path in desconto for d in read_discounts(path, state, seen)]
    new.sort(key=lambda d: (d.data_folha, d.id))
    by_cpf: dict[str, list[Imputation]] = {}
    for imp in sorted(imps.values(), key=lambda i: i.imputacao):
        for cpf in imp.responsaveis:
            by_cpf.setdefault(cpf, []).append(imp)
    allocate = allocate_em_vigor if state.rule == "em_vigor" else allocate_anterior
    for d in new:
        state.discounts[d.id] = d
        allocate(state, d, by_cpf)
    state.imputations = imps


# ---------------------------------------------------------------- manual events
def unlinked(d: Discount) -> Decimal:
    return d.valor - d.aplicado


def listar(state: State, cpf: str) -> list[Discount]:
    """The cpf's discounts with an unlinked value (the event's listing), by date then id."""
    return sorted((d for d in state.discounts.values() if d.cpf == cpf and unlinked(d) > 0),
                  key=lambda d: (d.data_folha, d.id))


def desconto_em_folha(state: State, cpf: str, imputacao: str, data: datetime.date,
                      pagamentos: list[str]) -> list[Event]:
    """Apply each selected discount's unlinked value to `imputacao` (all or nothing). A
    selection (discount, imputation, date) already recorded, the discount then fully linked,
    is a no-op. Returns the new events; raises Refused."""
    state.warnings = []
    # OPEN: the imputations are the latest run's; no natureza restriction (the seed: "em
    # qualquer imputação do responsável")
    imp = state.imputations.get(imputacao)
    if imp is None:
        raise Refused("D1404", f"imputação {imputacao!r} não está na última execução")
    if cpf not in imp.responsaveis:
        raise Refused("D1404", f"o cpf {cpf} não é responsável pela imputação {imputacao}")
    done = {(e.id_pagamento, e.imputacao, e.data) for e in state.events if e.origem == MANUAL}
    new: list[Event] = []
    for pid in dict.fromkeys(pagamentos):
        d = state.discounts.get(pid)
        if d is None or d.cpf != cpf:
            raise Refused("D1403", f"o desconto {pid} não é do cpf {cpf}")
        value = unlinked(d)
        if (pid, imputacao, data) in done and value == 0:
            continue
        if value <= 0:
            raise Refused("D1403", f"o desconto {pid} não tem saldo não vinculado")
        eid = event_id(MANUAL, pid, imputacao, data, value)
        if eid in state.event_ids:
            # the same event after its reversal would have the reversed event's id (the
            # kind's choice, followed here): refused rather than silently doing nothing
            raise Refused("D1403", f"o desconto {pid} já teve este evento, estornado: "
                          f"registre-o com outra data")
        new.append(Event(eid, pid, imputacao, cpf, data, value, MANUAL))
    total = sum((e.valor for e in new), ZERO)
    if total > state.remaining(imp):
        raise Refused("D1405", f"o total {money(total)} excede o que resta da imputação "
                      f"{imputacao} ({money(state.remaining(imp))})")
    for ev in new:
        state.add_event(ev)
    return new


def estorno(state: State, id_evento: str, data: datetime.date) -> Event | None:
    """Reverse a manual event by a new event of the opposite value (nothing is deleted).
    Repeating the same reversal is a no-op (None). Raises Refused."""
    state.warnings = []
    target = next((e for e in state.events if e.id == id_evento), None)
    if target is None:
        raise Refused("D1406", f"evento {id_evento!r} desconhecido")
    if target.origem != MANUAL:   # OPEN: only a Desconto em Folha is reversible
        raise Refused("D1406", f"o evento {id_evento} não é um Desconto em Folha "
                      f"({target.origem})")
    value = -target.valor
    eid = event_id(ESTORNO, target.id_pagamento, target.imputacao, data, value, target.id)
    if eid in state.event_ids:
        return None
    if any(e.estorna == target.id for e in state.events):
        raise Refused("D1406", f"o evento {id_evento} já foi estornado")
    ev = Event(eid, target.id_pagamento, target.imputacao, target.cpf, data, value, ESTORNO,
               target.id)
    state.add_event(ev)
    return ev


# ---------------------------------------------------------------- outputs
def _csv(header: str, rows: Iterable[Iterable[str]]) -> Iterator[str]:
    yield header + "\n"
    for r in rows:   # no cell holds ';', '"' or a newline
        yield ";".join(r) + "\n"


def output_lines(state: State) -> dict[str, Iterator[str]]:
    """The six files as line iterators, describing the whole state (importacao.csv: the
    latest run). Lazy, so the 1M benchmark writes them without holding them."""
    ds = sorted(state.discounts.values(), key=lambda d: (d.cpf, d.data_folha, d.id))
    pag = _csv("id_pagamento;base;cpf;rubrica;competencia;data_folha;valor;natureza;regra;"
               "imputacao;valor_aplicado;valor_saldo",
               ((d.id, d.base, d.cpf, d.rubrica, d.competencia, date_text(d.data_folha),
                 money(d.valor), d.natureza, d.regra, "|".join(d.imputacoes), money(d.aplicado),
                 money(unlinked(d))) for d in ds))
    evs = sorted(state.events, key=lambda e: (e.data, e.id))
    eve = _csv("id_evento;id_pagamento;imputacao;cpf;data;valor;origem",
               ((e.id, e.id_pagamento, e.imputacao, e.cpf, date_text(e.data), money(e.valor),
                 e.origem) for e in evs))
    saldo: dict[tuple[str, str], Decimal] = {}
    for d in ds:
        for nat in (d.natureza, "TOTAL"):
            saldo[(d.cpf, nat)] = saldo.get((d.cpf, nat), ZERO) + unlinked(d)
    rank = {"DEBITO": 0, "MULTA": 1, "TOTAL": 2}
    sal = _csv("cpf;natureza;saldo_nao_vinculado",
               ((c, n, money(v)) for (c, n), v in sorted(saldo.items(),
                                                         key=lambda kv: (kv[0][0],
                                                                         rank[kv[0][1]]))))
    imp = _csv("arquivo;linha;id_pagamento;situacao",
               ((a, str(n), p, s) for a, n, p, s in state.importacao))
    rows = resumo(state)
    return {"pagamentos.csv": pag, "eventos.csv": eve, "saldos.csv": sal,
            "importacao.csv": imp, "resumo.csv": iter([resumo_csv(rows)]),
            "resumo.md": iter([resumo_md(rows)])}


def outputs(state: State) -> dict[str, str]:
    """The six files' text."""
    return {name: "".join(lines) for name, lines in output_lines(state).items()}


def resumo(state: State) -> list[Row]:
    """The partition of the imported money by outcome, per natureza of the discount."""
    auto = AUTO_ORIGIN[state.rule]
    applied_label = f"aplicado_{auto}"   # OPEN: aplicado_regra_anterior for the earlier rule
    col = {"DEBITO": 0, "MULTA": 1}
    cells: dict[str, list[Decimal]] = {}
    manual: dict[str, Decimal] = {}
    nevents = [0, 0]
    for e in state.events:
        d = state.discounts[e.id_pagamento]
        nevents[col[d.natureza]] += 1
        if e.origem != auto:
            manual[d.id] = manual.get(d.id, ZERO) + e.valor
    records = [0, 0]

    def add(label: str, k: int, v: Decimal) -> None:
        cells.setdefault(label, [ZERO, ZERO])[k] += v

    for d in state.discounts.values():
        k = col[d.natureza]
        records[k] += 1
        m = manual.get(d.id, ZERO)
        add(applied_label, k, d.aplicado - m)
        add("aplicado_desconto_em_folha", k, m)
        add(d.motivo, k, unlinked(d))
    view = VIEW[state.rule]
    return resumo_rows(applied_label, {lbl: (v[0], v[1]) for lbl, v in cells.items()},
                       (records[0], records[1]), (nevents[0], nevents[1]), view)


def write_outputs(state: State, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, lines in output_lines(state).items():
        with open(out / name, "w", encoding="utf-8", newline="\n") as fh:
            fh.writelines(lines)


# ---------------------------------------------------------------- CLI
def parse_steps(argv: list[str]) -> tuple[dict[str, str], list[tuple[str, dict[str, list[str]]]]]:
    """Options and the ordered steps (--run / --evento / --estorno with key=value words)."""
    opts: dict[str, str] = {}
    steps: list[tuple[str, dict[str, list[str]]]] = []
    i = 0
    while i < len(argv):
        word = argv[i]
        if word in ("--run", "--evento", "--estorno"):
            args: dict[str, list[str]] = {}
            i += 1
            while i < len(argv) and not argv[i].startswith("--"):
                key, sep, value = argv[i].partition("=")
                if not sep:
                    raise OracleError(f"{word}: esperado NOME=VALOR, veio {argv[i]!r}")
                args.setdefault(key, []).append(value)
                i += 1
            steps.append((word[2:], args))
        elif word in ("--out", "--state", "--rule") and i + 1 < len(argv):
            opts[word[2:]] = argv[i + 1]
            i += 2
        else:
            raise OracleError(f"argumento desconhecido {word!r}")
    return opts, steps


def _one(args: dict[str, list[str]], key: str, step: str) -> str:
    values = args.get(key, [])
    if len(values) != 1:
        raise OracleError(f"--{step}: dê {key}= uma vez")
    return values[0]


def apply_step(state: State, step: str, args: dict[str, list[str]]) -> None:
    if step == "run":
        if not args.get("desconto"):
            raise OracleError("--run: falta desconto=")
        run(state, [Path(p) for p in args["desconto"]], Path(_one(args, "imputacao", step)),
            Path(_one(args, "responsavel", step)))
    elif step == "evento":
        ids = [p for v in args.get("pagamentos", []) for p in v.split(",") if p]
        desconto_em_folha(state, _one(args, "cpf", step), _one(args, "imputacao", step),
                          parse_date(_one(args, "data", step), "--evento"), ids)
    else:
        estorno(state, _one(args, "evento", step),
                parse_date(_one(args, "data", step), "--estorno"))


def passo(text: str) -> tuple[str, str, dict[str, list[str]]] | None:
    """One line of passos.txt: (the refusal code it must give, "" if it must not be
    refused; the step; its arguments), None for a blank or `#` line. `recusa CODE STEP ...`
    is a step that must be refused with CODE."""
    words = text.split()
    if not words or words[0].startswith("#"):
        return None
    code = ""
    if words[0] == "recusa":
        code, words = words[1], words[2:]
    _, steps = parse_steps(["--" + words[0], *words[1:]])
    step, args = steps[0]
    return code, step, args


def run_passos(folder: Path, rule: str = "em_vigor") -> tuple[State, list[str]]:
    """Run a hand fixture's passos.txt (one step a line, `#` comments; `recusa CODE STEP
    ...` must be refused with CODE and leave the outputs as they were), in `folder`
    (importacao.csv names the files as passos.txt does). Returns the state and the refusal
    messages."""
    state, refusals = State(rule=rule), []
    with contextlib.chdir(folder):
        for text in Path("passos.txt").read_text(encoding="utf-8").splitlines():
            got = passo(text)
            if got is None:
                continue
            code, step, args = got
            refuse = bool(code)
            before = outputs(state)
            try:
                apply_step(state, step, args)
            except Refused as exc:
                if not refuse:
                    raise
                if exc.code != code:
                    raise AssertionError(f"recusado com {exc.code}, não {code}: {text}") from None
                refusals.append(str(exc))
                if outputs(state) != before:
                    raise AssertionError(f"a recusa mudou o estado: {text}") from None
                continue
            if refuse:
                raise AssertionError(f"não foi recusado: {text}")
    return state, refusals


def main(argv: list[str]) -> int:
    gc.disable()   # a batch over millions of small objects: the cyclic collector only costs
    try:
        opts, steps = parse_steps(argv)
        rule = opts.get("rule", "em_vigor")
        if rule not in RULES or "out" not in opts or not steps:
            raise OracleError("uso: --rule em_vigor|anterior --out DIR [--state F] --run ...")
        # the SQLite module imports this one's model, so it is imported here, not on top
        from debita_state import load_state
        from debita_state import save_state
        state_path = Path(opts["state"]) if "state" in opts else None
        state = load_state(state_path, rule) if state_path else State(rule=rule)
        for step, args in steps:
            apply_step(state, step, args)
            for msg in state.rejected if step == "run" else ():
                print(f"rejeitado: {msg}", file=sys.stderr)
            for msg in state.warnings:
                print(f"aviso: {msg}", file=sys.stderr)
    except (OracleError, Refused, OSError) as exc:
        print(f"erro: {exc}", file=sys.stderr)
        return 1
    write_outputs(state, Path(opts["out"]))
    if state_path:
        save_state(state, state_path)
    return 0


if __name__ == "__main__":
    # run as the module `debita_baseline`, the one debita_state imports: one set of classes
    import debita_baseline
    sys.exit(debita_baseline.main(sys.argv[1:]))
