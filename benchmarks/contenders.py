"""The contenders of benchmarks/siops_covid.py: each turns one data folder into the six SIOPS
COVID quadros per município (relative path → IMPT bytes), the same files apura writes.

Every contender gets the folder with despesa / receita / equivalencia_recursos (.csv, and
.parquet where it reads Parquet) and the run parameters, and returns the outputs in memory.
Heavy libraries (duckdb, zen) are imported inside the contender that uses them, so a worker
process only pays for what it runs (peak RSS is measured per process).
"""

from __future__ import annotations

import calendar
import csv
import datetime
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIR = ROOT / "generated" / "siops"
Outputs = dict[str, bytes]


class Skip(Exception):
    """The contender cannot run here yet (e.g. the apura duckdb back end is not built)."""


def period(params: dict[str, int]) -> tuple[datetime.date, datetime.date]:
    """1 January .. last day of the bimester (the specs' `no_periodo`)."""
    y, b = params["exercicio"], params["bimestre"]
    return datetime.date(y, 1, 1), datetime.date(y, 2 * b, calendar.monthrange(y, 2 * b)[1])


def layouts() -> tuple[Any, ...]:
    """The compiled package's layouts: only their line templates and row refs are used here
    (to write the same bytes); classification is each contender's own."""
    import runtime

    return runtime.load(PACKAGE_DIR).package.layouts


# ---------------------------------------------------------------- rendering (shared)
def money_cents(c: int) -> str:
    """123456 → '1234,56'; -50 → '-0,50'; 0 → '0,00'."""
    if c == 0:
        return "0,00"
    sign = "-" if c < 0 else ""
    c = -c if c < 0 else c
    return f"{sign}{c // 100},{c % 100:02d}"


def render_cents(layout: Any, rows: list[list[int]]) -> bytes:
    """Same bytes as runtime.outputs.render_impt, from integer cents."""
    out = []
    for row, values in zip(layout.rows, rows, strict=True):
        if row.totalizer:
            continue
        cells = {f"V{i}": money_cents(v) for i, v in enumerate(values)}
        out.append(layout.line.format(ref=row.ref, record_id=row.record_id, marker=row.marker,
                                      **cells) + "\r\n")
    return "".join(out).encode("utf-8")


def assemble(lays: tuple[Any, ...], acc: dict[str, dict[str, list[list[Any]]]],
             parts: set[str], render: Callable[[Any, list[list[Any]]], bytes],
             zero: Any = 0) -> Outputs:
    """Per município: the accumulated rows of 70/71/77/78/79 (zeros when none), quadro 72 =
    total empenhado of 79 (its non-totalizer rows, column V0); totalizers are not written."""
    by_id = {lay.id: lay for lay in lays}
    leaves79 = [i for i, r in enumerate(by_id["covid/79"].rows) if not r.totalizer]
    out: Outputs = {}
    for part in sorted(parts, key=str):
        rows: dict[str, list[list[Any]]] = {}
        for lay in lays:
            got = acc.get(lay.id, {}).get(part)
            rows[lay.id] = got if got is not None else [[zero] * len(lay.columns)
                                                        for _ in lay.rows]
        total79 = sum((rows["covid/79"][i][0] for i in leaves79), zero)
        rows["covid/72"] = [[total79], [total79]]
        for lay in lays:
            out[f"{part}/{lay.output_file}"] = render(lay, rows[lay.id])
    return out


# ---------------------------------------------------------------- (a, b) apura
def _ledgers(folder: Path, ext: str) -> dict[str, str]:
    return {name: str(folder / f"{name}.{ext}")
            for name in ("despesa", "receita", "equivalencia_recursos")}


def _quadros(outputs: Outputs) -> Outputs:
    """The IMPT files, which every contender writes: apura also builds (and is timed building)
    each município's bundle (Siops.zip, manifesto.csv, proveniencia.csv), whose provenance
    names the input files — other bytes for the Parquet inputs than for the CSV ones."""
    return {k: v for k, v in outputs.items() if k.endswith(".IMPT")}


def apura_python(folder: Path, params: dict[str, int]) -> Outputs:
    import runtime

    program = runtime.load(PACKAGE_DIR)
    return _quadros(program.run(ledgers=_ledgers(folder, "csv"), params=params).outputs)


def _apura_duckdb(folder: Path, params: dict[str, int], ext: str) -> Outputs:
    import runtime

    program = runtime.load(PACKAGE_DIR)
    result = program.run(ledgers=_ledgers(folder, ext), params=params, backend="duckdb")
    return _quadros(result.outputs)


def apura_duckdb(folder: Path, params: dict[str, int]) -> Outputs:
    return _apura_duckdb(folder, params, "csv")


def apura_duckdb_parquet(folder: Path, params: dict[str, int]) -> Outputs:
    return _apura_duckdb(folder, params, "parquet")


# ---------------------------------------------------------------- (c) hand-written DuckDB SQL
_DESPESA_COLS = {
    "municipio": "VARCHAR", "entidade": "VARCHAR", "exercicio": "INTEGER", "empenho": "VARCHAR",
    "data": "DATE", "funcao": "INTEGER", "subfuncao": "INTEGER", "natureza": "VARCHAR",
    "recurso": "VARCHAR", "saude": "VARCHAR", "covid": "VARCHAR", "covid_siops_desp": "VARCHAR",
    "empenhado": "DECIMAL(18,2)", "anulado_empenho": "DECIMAL(18,2)",
    "liquidado": "DECIMAL(18,2)", "anulado_liquidacao": "DECIMAL(18,2)",
    "pago": "DECIMAL(18,2)", "anulado_pagamento": "DECIMAL(18,2)",
}
_RECEITA_COLS = {
    "municipio": "VARCHAR", "entidade": "VARCHAR", "exercicio": "INTEGER", "data": "DATE",
    "rubrica": "VARCHAR", "recurso": "VARCHAR", "covid": "VARCHAR", "covid_siops_rec": "VARCHAR",
    "previsto_inicial": "DECIMAL(18,2)", "previsto_atualizado": "DECIMAL(18,2)",
    "arrecadado": "DECIMAL(18,2)",
}
_EQUIV_COLS = {"municipio": "VARCHAR", "recurso": "VARCHAR", "recurso_siops": "VARCHAR",
               "covid": "VARCHAR"}

# One statement: despesa → 77/78/79, receita → 70 (first hit) and 71. A record without an
# equivalência is kept as quadro -1 so the caller fails instead of dropping it silently.
_QUERY = """
WITH eq AS (SELECT * FROM {eq}),
d AS (
  SELECT d.municipio, d.subfuncao, d.covid_siops_desp AS cat, q.recurso_siops,
         q.recurso IS NULL AS sem_eq,
         d.empenhado - d.anulado_empenho AS v0,
         d.liquidado - d.anulado_liquidacao AS v1,
         d.pago - d.anulado_pagamento AS v2
  FROM {despesa} AS d LEFT JOIN eq AS q ON d.municipio = q.municipio AND d.recurso = q.recurso
  WHERE q.recurso IS NULL
     OR (d.exercicio = $exercicio AND d.data BETWEEN $inicio AND $fim AND (d.covid OR q.covid)
         AND d.funcao = 10 AND q.recurso_siops IN ('212', '213', '001'))
),
r AS (
  SELECT r.municipio, r.covid_siops_rec AS cat, q.recurso_siops, q.recurso IS NULL AS sem_eq,
         r.arrecadado AS v0
  FROM {receita} AS r LEFT JOIN eq AS q ON r.municipio = q.municipio AND r.recurso = q.recurso
  WHERE q.recurso IS NULL
     OR (r.exercicio = $exercicio AND r.data BETWEEN $inicio AND $fim AND (r.covid OR q.covid))
)
SELECT municipio,
       CASE WHEN sem_eq THEN -1 WHEN recurso_siops = '212' THEN 77
            WHEN recurso_siops = '213' THEN 78 ELSE 79 END AS quadro,
       CASE WHEN recurso_siops = '212' THEN
              CASE WHEN subfuncao = 122 THEN 0
                   WHEN subfuncao = 301 THEN 2
                   WHEN subfuncao = 302 THEN
                     CASE cat WHEN 'SAMU_192' THEN 4 WHEN 'PESSOA_COM_DEFICIENCIA' THEN 5
                              WHEN 'TRANSPORTE_SANITARIO_ELETIVO' THEN 6
                              WHEN 'FINANCIAMENTO_AMBULANCIA' THEN 7
                              WHEN 'ACOES_AMPLIACAO_SERVICOS' THEN 8
                              WHEN 'APOIO_RECURSOS' THEN 9 ELSE 10 END
                   WHEN subfuncao = 303 THEN 11 WHEN subfuncao = 304 THEN 12
                   WHEN subfuncao = 305 THEN 13 WHEN subfuncao = 306 THEN 14 ELSE 15 END
            ELSE CASE subfuncao WHEN 122 THEN 0 WHEN 301 THEN 1 WHEN 302 THEN 2
                   WHEN 303 THEN 3 WHEN 304 THEN 4 WHEN 305 THEN 5 WHEN 306 THEN 6 ELSE 7 END
       END AS linha,
       sum(v0), sum(v1), sum(v2)
FROM d GROUP BY ALL
UNION ALL
SELECT municipio, quadro, linha, sum(v0), NULL, NULL FROM (
  SELECT municipio, v0,
         CASE WHEN sem_eq THEN -1 ELSE 70 END AS quadro,
         CASE WHEN recurso_siops = '212' THEN
                CASE cat WHEN 'PORTARIA_MS_488' THEN 0 WHEN 'MP_938' THEN 1
                         WHEN 'LC_172_2020' THEN 2 WHEN 'PORTARIA_MS_774' THEN 3
                         WHEN 'PORTARIA_MS_395' THEN 4 WHEN 'PORTARIA_MS_430' THEN 5
                         WHEN 'PORTARIA_MS_480' THEN 6 WHEN 'PORTARIA_MS_414' THEN 7
                         WHEN 'PORTARIA_MS_568' THEN 8 WHEN 'PORTARIA_MS_827' THEN 9
                         ELSE 10 END
              WHEN cat = 'MP_938' THEN 1 END AS linha
  FROM r)
WHERE linha IS NOT NULL OR quadro = -1
GROUP BY ALL
UNION ALL
SELECT municipio, 71, 0, sum(v0), NULL, NULL FROM r WHERE recurso_siops = '213' GROUP BY ALL
"""


def _q(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _csv(path: Path, cols: dict[str, str], bools: tuple[str, ...]) -> str:
    struct = "{" + ", ".join(f"'{k}': '{v}'" for k, v in cols.items()) + "}"
    replace = ", ".join(f"{b} = 'S' AS {b}" for b in bools)
    return (f"(SELECT * REPLACE ({replace}) FROM read_csv({_q(path)}, delim=';', header=true, "
            f"quote='\"', decimal_separator=',', dateformat='%d/%m/%Y', columns={struct}))")


def _duckdb_sql(folder: Path, params: dict[str, int], parquet: bool) -> Outputs:
    import duckdb

    if parquet:
        src = {n: f"read_parquet({_q(folder / f'{n}.parquet')})"
               for n in ("despesa", "receita", "equivalencia_recursos")}
    else:
        src = {"despesa": _csv(folder / "despesa.csv", _DESPESA_COLS, ("covid",)),
               "receita": _csv(folder / "receita.csv", _RECEITA_COLS, ("covid",)),
               "equivalencia_recursos": _csv(folder / "equivalencia_recursos.csv",
                                             _EQUIV_COLS, ("covid",))}
    sql = _QUERY.format(eq=src["equivalencia_recursos"], despesa=src["despesa"],
                        receita=src["receita"])
    inicio, fim = period(params)
    con = duckdb.connect()
    try:
        got = con.execute(sql, {"exercicio": params["exercicio"], "inicio": inicio,
                                "fim": fim}).fetchall()
        parts = {m for (m,) in con.execute(
            f"SELECT DISTINCT municipio FROM {src['equivalencia_recursos']}").fetchall()}
    finally:
        con.close()
    lays = layouts()
    by_planilha = {lay.planilha: lay for lay in lays}
    zero = Decimal("0")
    acc: dict[str, dict[str, list[list[Any]]]] = {lay.id: {} for lay in lays}
    for mun, quadro, linha, v0, v1, v2 in got:
        if quadro == -1:
            raise RuntimeError(f"registro sem equivalência no município {mun}")
        lay = by_planilha[quadro]
        rows = acc[lay.id].setdefault(mun, [[zero] * len(lay.columns) for _ in lay.rows])
        rows[linha][:] = [v0, v1, v2][:len(lay.columns)]
    from runtime.outputs import render_impt

    return assemble(lays, acc, parts, render_impt, zero)


def duckdb_sql(folder: Path, params: dict[str, int]) -> Outputs:
    return _duckdb_sql(folder, params, parquet=False)


def duckdb_sql_parquet(folder: Path, params: dict[str, int]) -> Outputs:
    return _duckdb_sql(folder, params, parquet=True)


# ---------------------------------------------------------------- (d) hand-written Python loop
# Row index (position in the layout, totalizers included) by subfunção / categoria.
R77 = {"122": 0, "301": 2, "303": 11, "304": 12, "305": 13, "306": 14}          # else 15
C77_302 = {"SAMU_192": 4, "PESSOA_COM_DEFICIENCIA": 5, "TRANSPORTE_SANITARIO_ELETIVO": 6,
           "FINANCIAMENTO_AMBULANCIA": 7, "ACOES_AMPLIACAO_SERVICOS": 8,
           "APOIO_RECURSOS": 9}                                                   # else 10
R78 = {"122": 0, "301": 1, "302": 2, "303": 3, "304": 4, "305": 5, "306": 6}     # else 7
C70 = {"PORTARIA_MS_488": 0, "MP_938": 1, "LC_172_2020": 2, "PORTARIA_MS_774": 3,
       "PORTARIA_MS_395": 4, "PORTARIA_MS_430": 5, "PORTARIA_MS_480": 6, "PORTARIA_MS_414": 7,
       "PORTARIA_MS_568": 8, "PORTARIA_MS_827": 9}                                # else 10
DESPESA_HEADER = list(_DESPESA_COLS)
RECEITA_HEADER = list(_RECEITA_COLS)


def _reader(path: Path, header: list[str]) -> Any:
    fh = open(path, encoding="utf-8", newline="")  # noqa: SIM115 - closed by the caller
    rows = csv.reader(fh, delimiter=";")
    if next(rows) != header:
        raise RuntimeError(f"{path}: cabeçalho inesperado")
    return fh, rows


def _equivalencia(folder: Path) -> dict[tuple[str, str], tuple[str, bool]]:
    fh, rows = _reader(folder / "equivalencia_recursos.csv", list(_EQUIV_COLS))
    with fh:
        return {(m, r): (s, c == "S") for m, r, s, c in rows}


def python_loop(folder: Path, params: dict[str, int]) -> Outputs:
    """What one writes by hand: csv module, string compares, integer cents ('1234,56' →
    123456), dict/if-elif classification, amounts parsed only for the records that count."""
    lays = layouts()
    inicio, fim = period(params)
    ano = str(params["exercicio"])
    lo, hi = inicio.strftime("%Y%m%d"), fim.strftime("%Y%m%d")
    eq = _equivalencia(folder)
    parts = {m for m, _ in eq}
    n = {lay.id: len(lay.rows) for lay in lays}
    a70: dict[str, list[list[int]]] = {}
    a71: dict[str, list[list[int]]] = {}
    a77: dict[str, list[list[int]]] = {}
    a78: dict[str, list[list[int]]] = {}
    a79: dict[str, list[list[int]]] = {}

    fh, rows = _reader(folder / "despesa.csv", DESPESA_HEADER)
    with fh:
        for (mun, _ent, exer, _emp, data, funcao, sub, _nat, rec, _saude, covid, cat,
             emp, an_emp, liq, an_liq, pago, an_pago) in rows:
            siops, rcovid = eq[(mun, rec)]  # KeyError: no equivalência (apura: D0201)
            if funcao != "10" or exer != ano or not (covid == "S" or rcovid):
                continue
            if not lo <= data[6:] + data[3:5] + data[:2] <= hi:
                continue
            if siops == "212":
                i = C77_302.get(cat, 10) if sub == "302" else R77.get(sub, 15)
                a = a77.get(mun)
                if a is None:
                    a = a77[mun] = [[0, 0, 0] for _ in range(n["covid/77"])]
            elif siops == "213" or siops == "001":
                i = R78.get(sub, 7)
                acc = a78 if siops == "213" else a79
                a = acc.get(mun)
                if a is None:
                    a = acc[mun] = [[0, 0, 0] for _ in range(n["covid/78"])]
            else:
                continue
            row = a[i]
            row[0] += int(emp.replace(",", "")) - int(an_emp.replace(",", ""))
            row[1] += int(liq.replace(",", "")) - int(an_liq.replace(",", ""))
            row[2] += int(pago.replace(",", "")) - int(an_pago.replace(",", ""))

    fh, rows = _reader(folder / "receita.csv", RECEITA_HEADER)
    with fh:
        for (mun, _ent, exer, data, _rub, rec, covid, cat, _pi, _pa, arrec) in rows:
            siops, rcovid = eq[(mun, rec)]
            if exer != ano or not (covid == "S" or rcovid):
                continue
            if not lo <= data[6:] + data[3:5] + data[:2] <= hi:
                continue
            if siops == "212":
                i = C70.get(cat, 10)
            elif cat == "MP_938":
                i = 1
            else:
                i = -1
            if i >= 0 or siops == "213":
                v = int(arrec.replace(",", ""))
                if i >= 0:
                    a = a70.get(mun)
                    if a is None:
                        a = a70[mun] = [[0] for _ in range(n["covid/70"])]
                    a[i][0] += v
                if siops == "213":
                    a = a71.get(mun)
                    if a is None:
                        a = a71[mun] = [[0] for _ in range(n["covid/71"])]
                    a[0][0] += v

    acc = {"covid/70": a70, "covid/71": a71, "covid/77": a77, "covid/78": a78, "covid/79": a79}
    return assemble(lays, acc, parts, render_cents)


# ---------------------------------------------------------------- (e) zen-engine, row by row
def _unary(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return json.dumps(v)


def _table(node_id: str, inputs: list[str], outputs: list[str], rules: list[list[Any]],
           hit: str = "first") -> dict[str, Any]:
    """A JDM decisionTableNode; each rule is [input cells..., output values...], None = any."""
    ins = [{"id": f"{node_id}-i-{f}", "name": f, "type": "expression", "field": f}
           for f in inputs]
    outs = [{"id": f"{node_id}-o-{f}", "name": f, "type": "expression", "field": f}
            for f in outputs]
    body = []
    for k, rule in enumerate(rules):
        cells = {"_id": f"{node_id}-r{k}"}
        for col, v in zip(ins + outs, rule, strict=True):
            cells[col["id"]] = _unary(v)
        body.append(cells)
    return {"id": node_id, "type": "decisionTableNode", "name": node_id,
            "position": {"x": 300, "y": 100}, "content": {"hitPolicy": hit, "inputs": ins,
                                                          "outputs": outs, "rules": body}}


def _graph(*tables: dict[str, Any]) -> dict[str, Any]:
    nodes = [{"id": "in", "type": "inputNode", "name": "Request", "position": {"x": 0, "y": 0}},
             {"id": "out", "type": "outputNode", "name": "Response",
              "position": {"x": 600, "y": 0}}, *tables]
    edges = []
    for t in tables:
        edges.append({"id": f"in-{t['id']}", "sourceId": "in", "targetId": t["id"],
                      "type": "edge"})
        edges.append({"id": f"{t['id']}-out", "sourceId": t["id"], "targetId": "out",
                      "type": "edge"})
    return {"contentType": "application/vnd.gorules.decision", "nodes": nodes, "edges": edges}


def jdm_despesa() -> dict[str, Any]:
    """Despesa → (quadro 77/78/79, row index), first hit: the filters of the three layouts
    (no_periodo, e_covid, funcao 10, recurso SIOPS) and their rows, as an analyst would fill
    the table in the JDM editor."""
    inputs = ["no_periodo", "e_covid", "funcao", "recurso_siops", "subfuncao",
              "covid_siops_desp"]
    rules: list[list[Any]] = []
    base = [True, True, 10]
    for sub, i in (("122", 0), ("301", 2)):
        rules.append(base + ["212", int(sub), None, 77, i])
    for cat, i in C77_302.items():
        rules.append(base + ["212", 302, cat, 77, i])
    rules.append(base + ["212", 302, None, 77, 10])
    for sub, i in R77.items():
        if sub not in ("122", "301"):
            rules.append(base + ["212", int(sub), None, 77, i])
    rules.append(base + ["212", None, None, 77, 15])
    for siops, q in (("213", 78), ("001", 79)):
        for sub, i in R78.items():
            rules.append(base + [siops, int(sub), None, q, i])
        rules.append(base + [siops, None, None, q, 7])
    return _graph(_table("despesa", inputs, ["quadro", "linha"], rules))


def jdm_receita() -> dict[str, Any]:
    """Receita → row of quadro 70 (first hit) and row of quadro 71 (two tables)."""
    inputs = ["no_periodo", "e_covid", "recurso_siops", "covid_siops_rec"]
    r70: list[list[Any]] = []
    for cat, i in C70.items():
        r70.append([True, True, None if cat == "MP_938" else "212", cat, i])
    r70.sort(key=lambda r: r[-1])  # document order: 488, MP 938 (any recurso), LC 172, ...
    r70.append([True, True, "212", None, 10])
    r71 = [[True, True, "213", None, 0]]
    return _graph(_table("q70", inputs, ["linha70"], r70),
                  _table("q71", inputs, ["linha71"], r71))


def _zen(folder: Path, params: dict[str, int], per_decision: bool) -> Outputs:
    import zen

    if per_decision:  # the API the quick start shows: create_decision(...).evaluate(ctx)
        engine = zen.ZenEngine()
        dd = engine.create_decision(json.dumps(jdm_despesa()))
        dr = engine.create_decision(json.dumps(jdm_receita()))
        eval_d, eval_r = dd.evaluate, dr.evaluate
    else:  # engine.evaluate(key, ctx) with a static loader: ~30x cheaper per call
        engine = zen.ZenEngine({"loader": {"type": "static", "content": {
            "despesa": jdm_despesa(), "receita": jdm_receita()}}})
        ev = engine.evaluate

        def eval_d(ctx: dict[str, Any]) -> Any:
            return ev("despesa", ctx)

        def eval_r(ctx: dict[str, Any]) -> Any:
            return ev("receita", ctx)

    lays = layouts()
    inicio, fim = period(params)
    ano = str(params["exercicio"])
    lo, hi = inicio.strftime("%Y%m%d"), fim.strftime("%Y%m%d")
    eq = _equivalencia(folder)
    parts = {m for m, _ in eq}
    by_planilha = {lay.planilha: lay for lay in lays}
    acc: dict[str, dict[str, list[list[int]]]] = {lay.id: {} for lay in lays}

    def rows_of(lay: Any, mun: str) -> list[list[int]]:
        a = acc[lay.id].get(mun)
        if a is None:
            a = acc[lay.id][mun] = [[0] * len(lay.columns) for _ in lay.rows]
        return a

    fh, rows = _reader(folder / "despesa.csv", DESPESA_HEADER)
    with fh:
        for (mun, _ent, exer, _emp, data, funcao, sub, _nat, rec, _saude, covid, cat,
             emp, an_emp, liq, an_liq, pago, an_pago) in rows:
            siops, rcovid = eq[(mun, rec)]
            got = eval_d({
                "no_periodo": exer == ano and lo <= data[6:] + data[3:5] + data[:2] <= hi,
                "e_covid": covid == "S" or rcovid, "funcao": int(funcao),
                "recurso_siops": siops, "subfuncao": int(sub), "covid_siops_desp": cat or None,
            })["result"]
            if got:
                row = rows_of(by_planilha[got["quadro"]], mun)[got["linha"]]
                row[0] += int(emp.replace(",", "")) - int(an_emp.replace(",", ""))
                row[1] += int(liq.replace(",", "")) - int(an_liq.replace(",", ""))
                row[2] += int(pago.replace(",", "")) - int(an_pago.replace(",", ""))

    fh, rows = _reader(folder / "receita.csv", RECEITA_HEADER)
    with fh:
        for (mun, _ent, exer, data, _rub, rec, covid, cat, _pi, _pa, arrec) in rows:
            siops, rcovid = eq[(mun, rec)]
            got = eval_r({
                "no_periodo": exer == ano and lo <= data[6:] + data[3:5] + data[:2] <= hi,
                "e_covid": covid == "S" or rcovid, "recurso_siops": siops,
                "covid_siops_rec": cat or None,
            })["result"]
            if got:
                v = int(arrec.replace(",", ""))
                if "linha70" in got:
                    rows_of(by_planilha[70], mun)[got["linha70"]][0] += v
                if "linha71" in got:
                    rows_of(by_planilha[71], mun)[got["linha71"]][0] += v
    return assemble(lays, acc, parts, render_cents)


def zen_engine(folder: Path, params: dict[str, int]) -> Outputs:
    return _zen(folder, params, per_decision=False)


def zen_decision(folder: Path, params: dict[str, int]) -> Outputs:
    return _zen(folder, params, per_decision=True)


CONTENDERS: dict[str, Callable[[Path, dict[str, int]], Outputs]] = {
    "apura-python": apura_python,
    "apura-duckdb": apura_duckdb,
    "apura-duckdb-parquet": apura_duckdb_parquet,
    "duckdb-sql": duckdb_sql,
    "duckdb-sql-parquet": duckdb_sql_parquet,
    "python-loop": python_loop,
    "zen": zen_engine,
    "zen-decision": zen_decision,
}
