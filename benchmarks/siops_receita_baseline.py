#!/usr/bin/env python3
"""The SIOPS Receitas file ("Previsão e Execução das Receitas Orçamentárias", one .IMPT per
município) written by hand in DuckDB: the independent oracle of a `receita/*` node.

It shares nothing with apura but the input and the tables' CSV files: it reads the `receita`
ledger with `read_csv` (every column as text, cast here: money as DECIMAL(18,2), dates with
strptime), reads the reference CSVs of specs/siops/<year>/tabelas itself, aggregates in one
SQL statement and formats the lines from Decimal in Python. So a test that compares apura's
file with this one checks apura against something not derived from it.

The contract (issue 9; the decisions and their sources are in specs/siops/tabelas/README.md,
"Receitas: o que o e-cidade grava"):

* scope: the whole município (every entidade, no função filter); records of `exercicio == E`
  dated 01/01/E .. the last day of bimester B; when B == 6, also every record of
  `exercicio == E + 1` (any date), for V7 only;
* a **redutora** (a dedução da receita) is a record with `rubrica_principal`; it is written on
  the line of its principal rubric; the FUNDEB ones have `tipo_deducao == '05'`, any other
  type (or none) is an "outra dedução". Redutoras are negative in the ledger (an estorno of a
  dedução is positive), so a dedução is `-arrecadado`;
* line: the SIOPS natureza of `coalesce(rubrica_principal, rubrica)` in the de-para — 2019:
  `naturrecsiops_2019.csv`, its 14-digit target cut to 10 digits (e-cidade's join), found by the
  14-digit e-cidade key or by its first 8 digits (the STN natureza) when all the keys under them
  agree; 2021: `naturrecsiops_2022.csv` (8 digits) — which must be a line of the year's
  `elerecsiops`; the município's `equivalencia_rubricas` (optional input) wins over it (the
  national de-para need not have the rubric then);
* V0 previsão inicial and V1 previsão atualizada of the ordinary records (sem deduções); V2
  arrecadado of the ordinary records (c); V3 outras deduções (d); V4 = c − d when the line is in
  the year's `base_asps`, else 0; V5 the FUNDEB dedução, **realized** (f); V6 = c − d − f; V7
  the previsão inicial of the ordinary records of E + 1 (B == 6 only);
* one line per SIOPS natureza with a value not zero, in the order of the lines table (`#L`);
  one file `<municipio>/Receita_Siops.IMPT` (e-cidade's name) per município with a line.

Beyond the contract, as apura's maps do: a rubric without a de-para (or whose target is empty
or no line), an unknown year view and a repeated table key are errors (`OracleError`).

Usage:
    .venv/bin/python benchmarks/siops_receita_baseline.py --input receita=FILE \\
        --exercicio 2019 --bimestre 6 --out OUT [--tables specs/siops/2019/tabelas]
"""

from __future__ import annotations

import argparse
import calendar
import datetime
import sys
from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TABLES_2019 = ROOT / "specs" / "siops" / "2019" / "tabelas"
INPUTS = ("receita", "equivalencia_rubricas")
FILE_NAME = "Receita_Siops.IMPT"
FUNDEB = "05"
# Vn → (column code, label), byte for byte as e-cidade writes them (SiopsIMPT.model.php,
# tipo 2). The label of [24] does not close the parenthesis of "(c-d-f": that is e-cidade's.
COLUMNS = (("V0", 17, "Previsão Inicial das Receitas Brutas (a)"),
           ("V1", 15, "Previsão Atualizada das Receitas Brutas (b)"),
           ("V2", 18, "Receitas Realizadas Brutas (c)"),
           ("V3", 6, "Deduções das Receitas (d)"),
           ("V4", 20, "Receitas Realizadas da base para cálculo do percentual de aplicacao em "
                      "ASPS (e) = (c-d)"),
           ("V5", 5, "Dedução Para Formação do FUNDEB (f)"),
           ("V6", 24, "Total Geral das Receitas Liquidas Realizadas (g) = (c-d-f"),
           ("V7", 22, "Receitas Orçadas"))
# The natureza's digits per group as written in column 2, per layout year (10 and 8 digits).
GROUPS = {2019: (1, 1, 2, 2, 2, 2), 2021: (1, 1, 2, 2, 2)}
CENT = Decimal("0.01")


class OracleError(ValueError):
    """The input or the tables break the contract (what apura reports as a data error)."""


# ---------------------------------------------------------------- small pure helpers
def year_view(exercicio: int) -> int:
    """The layout year of an exercício: 2019 serves 2019–2020, 2021 serves 2021 on."""
    if exercicio < 2019:
        raise OracleError(f"exercício {exercicio} antes do primeiro ano de layout (2019)")
    return 2019 if exercicio < 2021 else 2021


def period_end(exercicio: int, bimestre: int) -> datetime.date:
    if not 1 <= bimestre <= 6:
        raise OracleError(f"bimestre {bimestre} fora de 1..6")
    month = 2 * bimestre
    return datetime.date(exercicio, month, calendar.monthrange(exercicio, month)[1])


def money(value: Decimal) -> str:
    """Two decimals, decimal comma, no thousands separator, '-' for negatives, 0,00 for zero
    (never -0,00), half-even to cents."""
    q = value.quantize(CENT, rounding=ROUND_HALF_EVEN)
    if q == 0:
        return "0,00"
    return ("-" if q < 0 else "") + f"{abs(q):f}".replace(".", ",")


def natureza_text(code: str, view: int) -> str:
    """1112020000 → 1.1.12.02.00.00 (2019); 11180111 → 1.1.18.01.11 (2021)."""
    groups = GROUPS[view]
    if len(code) != sum(groups) or not code.isdigit():
        raise OracleError(f"natureza {code!r} não tem {sum(groups)} dígitos ({view})")
    out, i = [], 0
    for n in groups:
        out.append(code[i:i + n])
        i += n
    return ".".join(out)


def line(natureza: str, view: int, campo: int, linha: str, values: list[Decimal]) -> str:
    cols = ";".join(f"{v}:[>R${money(x)}<]:-[{num}]({label})"
                    for (v, num, label), x in zip(COLUMNS, values, strict=True))
    return f"1;{natureza_text(natureza, view)};{campo};{cols};{linha};#C8;\r\n"


# ---------------------------------------------------------------- SQL
def _q(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _ledger(path: Path) -> str:
    return (f"read_csv({_q(path)}, delim=';', quote='\"', header=true, all_varchar=true, "
            f"auto_detect=true)")


def _table(path: Path) -> str:
    return f"read_csv({_q(path)}, delim=',', quote='\"', header=true, all_varchar=true)"


def _money(col: str) -> str:
    return f"CAST(replace({col}, ',', '.') AS DECIMAL(18, 2))"


def _date(col: str) -> str:
    return f"CAST(strptime({col}, '%d/%m/%Y') AS DATE)"


def _sum(expr: str, cond: str) -> str:
    """A conditional sum kept exact (DECIMAL(38, 2)); 0 when nothing matches."""
    return (f"coalesce(CAST(sum(CASE WHEN {cond} THEN {expr} END) AS DECIMAL(38, 2)), "
            f"CAST(0 AS DECIMAL(38, 2)))")


def _tables(con: Any, t19: Path, t21: Path, view: int) -> None:
    """The year view's lines (t_linha), de-para cut to the line length (t_natureza) and ASPS
    base (t_base); checks their keys."""
    if view == 2019:
        lines, depara, base, width = (t19 / "elerecsiops_2019.csv", t19 / "naturrecsiops_2019.csv",
                                      t19 / "base_asps_2019.csv", 10)
    else:
        lines, depara, base, width = (t21 / "elerecsiops_2021.csv", t21 / "naturrecsiops_2022.csv",
                                      t21 / "base_asps_2021.csv", 8)
    con.execute(f"CREATE TEMP TABLE t_linha AS SELECT natureza_receita_siops AS natureza, "
                f"CAST(campo AS INTEGER) AS campo, linha, "
                f"CAST(substr(linha, 3) AS INTEGER) AS ordem FROM {_table(lines)}")
    con.execute(f"CREATE TEMP TABLE t_natureza AS SELECT natureza_ecidade AS rubrica, "
                f"nullif(substr(coalesce(natureza_siops, ''), 1, {width}), '') AS natureza "
                f"FROM {_table(depara)}")
    if view == 2019:
        # an 8-digit STN natureza (2018 on) finds its SIOPS natureza when every 14-digit
        # e-cidade key under it (the natureza and 6 digits of detail) has one target
        con.execute(f"""INSERT INTO t_natureza
            SELECT substr(natureza_ecidade, 1, 8),
                   nullif(substr(coalesce(min(natureza_siops), ''), 1, {width}), '')
            FROM {_table(depara)} GROUP BY 1
            HAVING count(DISTINCT coalesce(natureza_siops, '')) = 1""")
    con.execute(f"CREATE TEMP TABLE t_base AS SELECT natureza_receita_siops AS natureza "
                f"FROM {_table(base)}")
    for name, key in (("t_linha", "natureza"), ("t_natureza", "rubrica"), ("t_base", "natureza")):
        rep = con.execute(f"SELECT {key} FROM {name} GROUP BY ALL HAVING count(*) > 1 "
                          f"LIMIT 1").fetchall()
        if rep:
            raise OracleError(f"tabela {name[2:]}: chave repetida {rep[0]}")


def _scoped(con: Any, receita: Path, exercicio: int, bimestre: int) -> None:
    """`scoped`: every in-scope record, typed, with its rubric of line (the principal's for a
    redutora) and its role flags."""
    src = _ledger(receita)
    cols = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()}
    principal = "nullif(rubrica_principal, '')" if "rubrica_principal" in cols else "NULL"
    tipo = "nullif(tipo_deducao, '')" if "tipo_deducao" in cols else "NULL"
    ini, fim = datetime.date(exercicio, 1, 1), period_end(exercicio, bimestre)
    this = (f"CAST(exercicio AS INTEGER) = {exercicio} AND "
            f"{_date('data')} BETWEEN DATE '{ini}' AND DATE '{fim}'")
    nxt = f"CAST(exercicio AS INTEGER) = {exercicio + 1} AND {bimestre} = 6"
    con.execute(f"""
        CREATE TEMP TABLE scoped AS
        SELECT municipio, coalesce({principal}, rubrica) AS rubrica_linha,
               {principal} IS NOT NULL AS redutora,
               {principal} IS NOT NULL AND coalesce({tipo}, '') = '{FUNDEB}' AS fundeb,
               ({this}) AS periodo, ({nxt}) AS orcada,
               {_money('previsto_inicial')} AS inicial,
               {_money('previsto_atualizado')} AS atualizada,
               {_money('arrecadado')} AS arrecadado
        FROM {src}
        WHERE ({this}) OR ({nxt})""")


def _exceptions(con: Any, path: Path | None, view: int) -> None:
    """The município's rubric equivalências (municipio, rubrica → natureza do SIOPS, cut to the
    line's width), which win over the national de-para (a rubric it maps need not be there)."""
    width = 10 if view == 2019 else 8
    con.execute("CREATE TEMP TABLE t_excecao (municipio VARCHAR, rubrica VARCHAR, "
                "natureza VARCHAR)")
    if path is not None:
        con.execute(f"INSERT INTO t_excecao SELECT municipio, rubrica, "
                    f"substr(rubrica_siops, 1, {width}) FROM {_ledger(path)}")
    con.execute("""CREATE TEMP TABLE t_linha_de AS
        SELECT s.municipio, s.rubrica_linha, coalesce(e.natureza, n.natureza) AS natureza,
               n.rubrica IS NULL AND e.rubrica IS NULL AS no_entry
        FROM (SELECT DISTINCT municipio, rubrica_linha FROM scoped) s
        LEFT JOIN t_natureza n ON n.rubrica = s.rubrica_linha
        LEFT JOIN t_excecao e ON e.municipio = s.municipio AND e.rubrica = s.rubrica_linha""")


def _rows(con: Any) -> list[tuple[Any, ...]]:
    """The lines' rows (municipio, natureza, campo, linha, V0..V7), ordered for writing."""
    miss = con.execute("""
        SELECT d.municipio, d.rubrica_linha, d.no_entry FROM t_linha_de d
        LEFT JOIN t_linha l ON l.natureza = d.natureza
        WHERE d.no_entry OR l.natureza IS NULL ORDER BY ALL LIMIT 1""").fetchall()
    if miss:
        mun, rubrica, no_entry = miss[0]
        what = "sem de-para" if no_entry else "de-para sem linha de receita"
        raise OracleError(f"rubrica {what}: município {mun}, rubrica {rubrica}")
    ordinary, period = "NOT s.redutora", "s.periodo"
    rows: list[tuple[Any, ...]] = con.execute(f"""
        WITH k AS (
            SELECT s.municipio, d.natureza,
                   {_sum('s.inicial', f'{period} AND {ordinary}')} AS v0,
                   {_sum('s.atualizada', f'{period} AND {ordinary}')} AS v1,
                   {_sum('s.arrecadado', f'{period} AND {ordinary}')} AS c,
                   {_sum('-s.arrecadado', f'{period} AND s.redutora AND NOT s.fundeb')} AS d,
                   {_sum('-s.arrecadado', f'{period} AND s.fundeb')} AS f,
                   {_sum('s.inicial', f's.orcada AND {ordinary}')} AS v7
            FROM scoped s JOIN t_linha_de d USING (municipio, rubrica_linha)
            GROUP BY ALL)
        SELECT k.municipio, k.natureza, l.campo, l.linha,
               k.v0, k.v1, k.c, k.d,
               CASE WHEN b.natureza IS NULL THEN CAST(0 AS DECIMAL(38, 2)) ELSE k.c - k.d END,
               k.f, k.c - k.d - k.f, k.v7
        FROM k JOIN t_linha l USING (natureza) LEFT JOIN t_base b USING (natureza)
        WHERE k.v0 <> 0 OR k.v1 <> 0 OR k.c <> 0 OR k.d <> 0 OR k.f <> 0 OR k.v7 <> 0
        ORDER BY k.municipio, l.ordem""").fetchall()
    return rows


# ---------------------------------------------------------------- entry point
def receita_files(inputs: Mapping[str, Path], tables_dir_2019: Path, year_view: int,
                  exercicio: int, bimestre: int, *, tables_dir_2021: Path | None = None,
                  threads: int | None = None) -> dict[str, bytes]:
    """Relative path `<municipio>/Receita_Siops.IMPT` → bytes, for the run (exercicio,
    bimestre) under layout year `year_view` (2019 or 2021). `inputs` maps `receita` to its CSV
    (absent: no records, no file). The 2021 tables are the sibling folder of the 2019 ones
    unless `tables_dir_2021` says otherwise."""
    import duckdb

    if year_view not in (2019, 2021):
        raise OracleError(f"ano de layout {year_view}: só 2019 e 2021")
    unknown = set(inputs) - set(INPUTS)
    if unknown:
        raise OracleError(f"entradas desconhecidas: {sorted(unknown)}")
    if "receita" not in inputs:
        return {}
    t19 = Path(tables_dir_2019)
    t21 = Path(tables_dir_2021) if tables_dir_2021 else t19.parent.parent / "2021" / "tabelas"
    con = duckdb.connect(config={"threads": threads} if threads else {})
    try:
        _tables(con, t19, t21, year_view)
        _scoped(con, Path(inputs["receita"]), exercicio, bimestre)
        _exceptions(con, inputs.get("equivalencia_rubricas"), year_view)
        rows = _rows(con)
    finally:
        con.close()
    files: dict[str, list[str]] = {}
    for mun, natureza, campo, linha, *values in rows:
        files.setdefault(f"{mun}/{FILE_NAME}", []).append(
            line(natureza, year_view, campo, linha, values))
    return {p: "".join(lines).encode("utf-8") for p, lines in files.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--input", action="append", default=[], metavar="receita=ARQUIVO")
    ap.add_argument("--exercicio", type=int, required=True)
    ap.add_argument("--bimestre", type=int, required=True)
    ap.add_argument("--tables", type=Path, default=TABLES_2019,
                    help="a pasta de tabelas de 2019 (a de 2021 é a irmã)")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    inputs: dict[str, Path] = {}
    for item in args.input:
        name, sep, path = item.partition("=")
        if not sep:
            ap.error(f"--input {item}: use NOME=ARQUIVO")
        inputs[name] = Path(path)
    try:
        files = receita_files(inputs, args.tables, year_view(args.exercicio), args.exercicio,
                              args.bimestre)
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
