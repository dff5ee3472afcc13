#!/usr/bin/env python3
"""The SIOPS compensação files (Compensação de RP cancelados, limite não cumprido) and the
consórcio file, written by hand in DuckDB: the independent oracle of the `sheets` kind's
`compensacao/*` and `consorcio/rateio` nodes (specs/siops/compensacao_*.yaml, consorcio.yaml).

It shares nothing with apura but the inputs and the tables' CSV files: it reads
`despesa_movimento` and `equivalencia_recursos` with `read_csv` (every column as text, cast
here), reads the reference CSVs itself, gives each movement one signed measure and one column
by arithmetic (measure × 3 + slot, not one condition per column), sums in one SQL statement,
adds the total columns and formats the lines from Decimal in Python. Its helpers are its own.

The contract (README "The SIOPS files", Compensação and Consórcio; E = the exercício, B = the
bimester; the period is 1 January of E to the last day of bimester B):

* CRP / LNC: movements dated in the period of empenhos of any exercício up to E, função 10,
  Saúde S, Não Aplic. em ASPS S, `opcao_compensacao` RP_CANCELADOS (CRP) or
  LIMITE_NAO_CUMPRIDO (LNC); the measure of a movement: empenhado (EMPENHO − ANULACAO_EMPENHO)
  m = 0, liquidado (LIQUIDACAO − ESTORNO_LIQUIDACAO) m = 1, pago (PAGAMENTO −
  ESTORNO_PAGAMENTO) m = 2; its column 3m when the empenho is of E, 3m + 1 when earlier; column
  3m + 2 the sum of the two;
* RP3, only when gerar_consorcio: movements of empenhos of E dated in the period, função 10,
  Saúde S, Não Aplic. N, `tipo_movimento_contrato` 90; column m;
* the line: the fonte group, grupos_fonte[(recurso as text, covid of the município's
  equivalência)].grupo or 10; its campo and #L from linhas_restos, in that table's order;
  a line per (município, file, group) with a value not zero; a file
  `<municipio>/<code>_<stem>.IMPT` per file code with a line (arquivos_compensacao for CRP and
  LNC, arquivos_restos for RP3).

Like apura's maps: an in-scope record without an equivalência, a group missing from the lines
table and a repeated key are errors (`OracleError`); using an equivalência whose status is set
and not CONFIRMADA is `Unconfirmed` unless `allow_unconfirmed`.

Usage:
    .venv/bin/python benchmarks/siops_compensacao_baseline.py --data DIR --exercicio 2021 \\
        --bimestre 6 --out OUT [--gerar-consorcio] [--allow-unconfirmed]
"""

from __future__ import annotations

import argparse
import calendar
import datetime
import sys
import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT / "specs" / "siops"
INPUTS = ("despesa_movimento", "equivalencia_recursos")
CONFIRMED = "CONFIRMADA"
FONTE_OTHERWISE = 10
MEASURES = ("Empenhadas", "Liquidadas", "Pagas")
# file code → (opcao_compensacao, the hundreds of its column codes); RP3 is the consórcio
COMPENSACAO = {"CRP": ("RP_CANCELADOS", 100), "LNC": ("LIMITE_NAO_CUMPRIDO", 200)}
CONSORCIO = "RP3"


class OracleError(ValueError):
    """The inputs or the tables break the contract (what apura reports as a data error)."""


class Unconfirmed(OracleError):
    """An in-scope record used an equivalência whose status is not CONFIRMADA."""


# ---------------------------------------------------------------- small pure helpers
def view_of(exercicio: int) -> int:
    """The layout year: 2019 for 2019–2020, 2021 from 2021 on."""
    if exercicio < 2019:
        raise OracleError(f"exercício {exercicio} antes do primeiro ano de layout (2019)")
    return 2021 if exercicio >= 2021 else 2019


def bimester_end(exercicio: int, bimestre: int) -> datetime.date:
    if not 1 <= bimestre <= 6:
        raise OracleError(f"bimestre {bimestre} fora de 1..6")
    month = 2 * bimestre
    return datetime.date(exercicio, month, calendar.monthrange(exercicio, month)[1])


def header(code: str) -> list[tuple[int, str]]:
    """(column code, label) of a file's columns, V0 first."""
    if code == CONSORCIO:
        return [(301 + m, f"Despesas {name}") for m, name in enumerate(MEASURES)]
    base = COMPENSACAO[code][1]
    labels = [f"Despesas {name} {when}" for name in MEASURES
              for when in ("do Exercício", "de Exercícios Anteriores", "Total")]
    return [(base + i + 1, label) for i, label in enumerate(labels)]


def money(value: Decimal) -> str:
    """2.5 → 2,50; zero → 0,00 (never -0,00); negatives with '-'."""
    q = value.quantize(Decimal("0.01"))
    return "0,00" if q == 0 else format(q, "f").replace(".", ",")


def ascii_stem(stem: str) -> str:
    decomposed = unicodedata.normalize("NFKD", stem)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace(" ", "_")


def with_totals(code: str, sums: list[Decimal]) -> list[Decimal]:
    """A compensação line's column 3m + 2: the sum of E's (3m) and the earlier years' (3m + 1)."""
    if code == CONSORCIO:
        return sums
    out = list(sums)
    for m in range(len(MEASURES)):
        out[3 * m + 2] = sums[3 * m] + sums[3 * m + 1]
    return out


def render(code: str, grupo: int, campo: int, marker: str, values: list[Decimal]) -> str:
    cols = header(code)
    cells = ";".join(f"V{i}:[>R${money(v)}<]:-[{num}]({label})"
                     for i, ((num, label), v) in enumerate(zip(cols, values, strict=True)))
    return f"{code};{grupo};{campo};{cells};{marker};#C{len(cols)};\r\n"


# ---------------------------------------------------------------- SQL
def _read(path: Path, delim: str) -> str:
    text = str(path).replace("'", "''")
    return f"read_csv('{text}', delim='{delim}', quote='\"', header=true, all_varchar=true)"


def _tables(con: Any, view: int) -> None:
    """g_fonte (fonte, covid, grupo), g_linha (grupo, campo, linha, ordem), g_arquivo."""
    tab = SPECS / str(view) / "tabelas"
    fontes = _read(tab / f"grupos_fonte_{view}.csv", ",")
    con.execute(f"CREATE TEMP TABLE g_fonte AS SELECT fonte, covid = 'S' AS covid, "
                f"CAST(grupo AS INTEGER) AS grupo FROM {fontes}")
    parts = [SPECS / "2019" / "tabelas" / "linhas_restos_2019.csv"]
    if view == 2021:
        parts.append(tab / "linhas_restos_2021.csv")
    union = " UNION ALL ".join(f"SELECT grupo, campo, linha FROM {_read(p, ',')}" for p in parts)
    con.execute(f"CREATE TEMP TABLE g_linha AS SELECT CAST(grupo AS INTEGER) AS grupo, "
                f"CAST(campo AS INTEGER) AS campo, linha, "
                f"CAST(substr(linha, 3) AS INTEGER) AS ordem FROM ({union})")
    files = " UNION ALL ".join(f"SELECT codplanilha, nomearquivo FROM {_read(p, ',')}" for p in
                               (SPECS / "tabelas" / "arquivos_compensacao.csv",
                                SPECS / "tabelas" / "arquivos_restos.csv"))
    con.execute(f"CREATE TEMP TABLE g_arquivo AS {files}")
    for name, key in (("g_fonte", "fonte, covid"), ("g_linha", "grupo"),
                      ("g_arquivo", "codplanilha")):
        if con.execute(f"SELECT 1 FROM {name} GROUP BY {key} HAVING count(*) > 1").fetchall():
            raise OracleError(f"tabela {name}: chave repetida")


def _equivalencias(con: Any, path: Path) -> None:
    src = _read(path, ";")
    cols = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()}
    status = "coalesce(status, '')" if "status" in cols else "''"
    con.execute(f"CREATE TEMP TABLE g_equiv AS SELECT municipio, recurso, covid = 'S' AS covid, "
                f"{status} AS status FROM {src}")
    if con.execute("SELECT 1 FROM g_equiv GROUP BY municipio, recurso "
                   "HAVING count(*) > 1").fetchall():
        raise OracleError("equivalência repetida")


def _scope(path: Path, exercicio: int, bimestre: int, consorcio: bool) -> str:
    """(municipio, recurso, arquivo, coluna, valor) of every in-scope movement: the measure m
    from its tipo, the sign from its tipo, the column by arithmetic."""
    ini, fim = datetime.date(exercicio, 1, 1), bimester_end(exercicio, bimestre)
    measure = ("CASE tipo WHEN 'EMPENHO' THEN 0 WHEN 'ANULACAO_EMPENHO' THEN 0 "
               "WHEN 'LIQUIDACAO' THEN 1 WHEN 'ESTORNO_LIQUIDACAO' THEN 1 "
               "WHEN 'PAGAMENTO' THEN 2 WHEN 'ESTORNO_PAGAMENTO' THEN 2 END")
    sign = ("CASE WHEN tipo IN ('ANULACAO_EMPENHO', 'ESTORNO_LIQUIDACAO', 'ESTORNO_PAGAMENTO') "
            "THEN -1 ELSE 1 END")
    opcoes = " ".join(f"WHEN opcao_compensacao = '{opt}' THEN '{code}'"
                      for code, (opt, _) in COMPENSACAO.items())
    # a movement is in one file at most: the compensação ones need Não Aplic. S, RP3 N
    arquivo = (f"CASE WHEN nao_aplicado_asps = 'S' THEN CASE {opcoes} END "
               f"WHEN {str(consorcio).lower()} AND ex = {exercicio} "
               f"AND tipo_movimento_contrato = '90' THEN '{CONSORCIO}' END")
    coluna = (f"CASE WHEN arquivo = '{CONSORCIO}' THEN m "
              f"ELSE 3 * m + CASE WHEN ex = {exercicio} THEN 0 ELSE 1 END END")
    return f"""
        SELECT municipio, recurso, arquivo, {coluna} AS coluna, valor
        FROM (SELECT municipio, recurso, {arquivo} AS arquivo, {measure} AS m, ex,
                     CAST({sign} * v AS DECIMAL(18, 2)) AS valor
              FROM (SELECT *, CAST(exercicio AS INTEGER) AS ex,
                           CAST(replace(valor, ',', '.') AS DECIMAL(18, 2)) AS v
                    FROM {_read(path, ';')})
              WHERE CAST(funcao AS INTEGER) = 10 AND saude = 'S' AND ex <= {exercicio}
                AND CAST(strptime(data, '%d/%m/%Y') AS DATE)
                    BETWEEN DATE '{ini}' AND DATE '{fim}')
        WHERE arquivo IS NOT NULL AND m IS NOT NULL"""


def _totals(con: Any, allow_unconfirmed: bool) -> list[tuple[Any, ...]]:
    con.execute(f"""
        CREATE TEMP TABLE classified AS
        SELECT s.*, e.municipio IS NOT NULL AS known, e.status,
               coalesce(g.grupo, {FONTE_OTHERWISE}) AS grupo
        FROM scope s
        LEFT JOIN g_equiv e ON e.municipio = s.municipio AND e.recurso = s.recurso
        LEFT JOIN g_fonte g ON g.fonte = s.recurso AND g.covid = e.covid""")
    bad = con.execute("SELECT municipio, recurso FROM classified WHERE NOT known "
                      "ORDER BY ALL LIMIT 1").fetchall()
    if bad:
        raise OracleError(f"sem equivalência: município {bad[0][0]}, recurso {bad[0][1]}")
    if not allow_unconfirmed:
        bad = con.execute(f"SELECT municipio, recurso, status FROM classified WHERE status "
                          f"NOT IN ('', '{CONFIRMED}') ORDER BY ALL LIMIT 1").fetchall()
        if bad:
            raise Unconfirmed(f"equivalência {bad[0][1]} do município {bad[0][0]}: "
                              f"{bad[0][2]}")
    bad = con.execute("SELECT grupo FROM classified WHERE grupo NOT IN "
                      "(SELECT grupo FROM g_linha) LIMIT 1").fetchall()
    if bad:
        raise OracleError(f"grupo de fonte {bad[0][0]} sem linha")
    rows: list[tuple[Any, ...]] = con.execute("""
        SELECT c.municipio, c.arquivo, c.grupo, l.campo, l.linha, a.nomearquivo, c.coluna,
               CAST(sum(c.valor) AS DECIMAL(38, 2)), l.ordem
        FROM classified c JOIN g_linha l USING (grupo)
             LEFT JOIN g_arquivo a ON a.codplanilha = c.arquivo
        GROUP BY ALL
        ORDER BY c.municipio, c.arquivo, l.ordem, c.coluna""").fetchall()
    if any(r[5] is None for r in rows):
        raise OracleError("arquivo sem nome")
    return rows


# ---------------------------------------------------------------- entry point
def compensacao_files(inputs: Mapping[str, Path], exercicio: int, bimestre: int, *,
                      gerar_consorcio: bool = False,
                      allow_unconfirmed: bool = False) -> dict[str, bytes]:
    """Relative path `<municipio>/<code>_<stem>.IMPT` → bytes of CRP, LNC and (with
    gerar_consorcio) RP3, for the run (exercicio, bimestre)."""
    import duckdb

    if set(inputs) != set(INPUTS):
        raise OracleError(f"as entradas são {list(INPUTS)}")
    con = duckdb.connect()
    try:
        _tables(con, view_of(exercicio))
        _equivalencias(con, Path(inputs["equivalencia_recursos"]))
        con.execute("CREATE TEMP TABLE scope AS " + _scope(
            Path(inputs["despesa_movimento"]), exercicio, bimestre, gerar_consorcio))
        rows = _totals(con, allow_unconfirmed)
    finally:
        con.close()
    lines: dict[tuple[str, str, int], tuple[int, str, str, list[Decimal]]] = {}
    for mun, code, grupo, campo, marker, stem, coluna, total, _ in rows:
        width = len(header(code))
        entry = lines.setdefault((mun, code, grupo), (campo, marker, stem, [Decimal(0)] * width))
        entry[3][coluna] += total
    out: dict[str, str] = {}
    for (mun, code, grupo), (campo, marker, stem, sums) in lines.items():  # in line order
        values = with_totals(code, sums)
        if any(values):
            path = f"{mun}/{code}_{ascii_stem(stem)}.IMPT"
            out[path] = out.get(path, "") + render(code, grupo, campo, marker, values)
    return {p: text.encode("utf-8") for p, text in out.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--data", type=Path, required=True,
                    help="pasta com despesa_movimento.csv e equivalencia_recursos.csv")
    ap.add_argument("--exercicio", type=int, required=True)
    ap.add_argument("--bimestre", type=int, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--gerar-consorcio", action="store_true")
    ap.add_argument("--allow-unconfirmed", action="store_true")
    args = ap.parse_args(argv)
    try:
        files = compensacao_files({n: args.data / f"{n}.csv" for n in INPUTS}, args.exercicio,
                                  args.bimestre, gerar_consorcio=args.gerar_consorcio,
                                  allow_unconfirmed=args.allow_unconfirmed)
    except OracleError as exc:
        print(f"erro: {exc}", file=sys.stderr)
        return 1
    for rel, data in sorted(files.items()):
        p = args.out / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    print(f"{len(files)} arquivo(s) em {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
