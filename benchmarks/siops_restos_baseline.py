#!/usr/bin/env python3
"""The SIOPS Restos a Pagar files (the seed's Tabelas 4–8, one .IMPT each) written by hand in
DuckDB: the independent oracle of the `sheets` kind's `restos/*` nodes
(specs/siops/restos_*.yaml).

It shares nothing with apura but the inputs and the tables' CSV files: it reads the ledgers
with `read_csv` (every column as text, cast here: money as DECIMAL(18,2), dates with
strptime), reads the reference CSVs itself (the fonte groups of the layout year, the lines
table — 2021's is 2019's followed by its additions —, the file names), places each movement
in its origin column by arithmetic on the exercício (not by one condition per column), sums
in one SQL statement and formats the lines from Decimal in Python. Its helpers are its own,
not benchmarks/siops_despesa_baseline.py's.

The contract (README "The SIOPS files", Restos a Pagar; E = the exercício, B = the bimester):

* scope: `restos_a_pagar` records of função 10 with Saúde S, `exercicio_origem < E`, dated up
  to the last day of bimester B of E;
* the line: the fonte group, grupos_fonte[(recurso as text, covid of the município's
  equivalência)].grupo or 10; its campo and #L from the lines table, in that table's order;
* the column of a movement: k = E − exercicio_origem; k = 1..4 → V(2(k−1)), k ≥ 5
  ("anteriores") → V8; +1 when não processado (processado N);
* what each file sums: RP4 INSCRICAO (any date in scope); RP5 PAGAMENTO dated in E;
  RP6 PAGAMENTO dated before 1 January of E; RP7 CANCELAMENTO + PRESCRICAO dated in E; RP8
  the same dated before E;
* RP4 V10 / V11, B == 6 only: the `despesa_movimento` of E (função 10, Saúde S, dated in E),
  liquidado − pago and empenhado − liquidado (the signed movements), by the same fonte group;
* a line per (município, file, group) with a value not zero; a file
  `<municipio>/<code>_<stem>.IMPT` per file code with a line.

Like apura's maps: an in-scope record without an equivalência, a group missing from the lines
table and a repeated key are errors (`OracleError`); using an equivalência whose status is set
and not CONFIRMADA is `Unconfirmed` unless `allow_unconfirmed`.

Usage:
    .venv/bin/python benchmarks/siops_restos_baseline.py --data DIR --exercicio 2021 \\
        --bimestre 6 --out OUT [--allow-unconfirmed]
    (or --input NAME=FILE for each of restos_a_pagar, despesa_movimento, equivalencia_recursos)
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
INPUTS = ("restos_a_pagar", "despesa_movimento", "equivalencia_recursos")
CONFIRMED = "CONFIRMADA"
FONTE_OTHERWISE = 10
ORIGINS = ("E-1", "E-2", "E-3", "E-4", "anteriores a E-4")
# file code → (what it sums, label prefix); the column codes are <table>01, <table>02, ...
FILES = {"RP4": ("inscrito", "Inscritos"), "RP5": ("pago_no_exercicio", "Pagos"),
         "RP6": ("pago_antes", "Pagos Acumulados"),
         "RP7": ("cancelado_no_exercicio", "Cancelados"),
         "RP8": ("cancelado_antes", "Cancelados Acumulados")}
CURRENT_YEAR = ("Inscritos Processados do Exercício", "Inscritos Não Processados do Exercício")


class OracleError(ValueError):
    """The inputs or the tables break the contract (what apura reports as a data error)."""


class Unconfirmed(OracleError):
    """An in-scope record used an equivalência whose status is not CONFIRMADA."""


# ---------------------------------------------------------------- small pure helpers
def layout_year(exercicio: int) -> int:
    """2019 serves 2019–2020; 2021 serves 2021 on."""
    if exercicio < 2019:
        raise OracleError(f"exercício {exercicio} antes do primeiro ano de layout (2019)")
    return 2019 if exercicio < 2021 else 2021


def last_day(exercicio: int, bimestre: int) -> datetime.date:
    if not 1 <= bimestre <= 6:
        raise OracleError(f"bimestre {bimestre} fora de 1..6")
    return datetime.date(exercicio, 2 * bimestre, calendar.monthrange(exercicio, 2 * bimestre)[1])


def columns(code: str) -> list[tuple[int, str]]:
    """(column code, label) of a file's columns, V0 first."""
    prefix = FILES[code][1]
    labels = [f"{prefix} {kind} {origin}" for origin in ORIGINS
              for kind in ("Processados", "Não Processados")]
    if code == "RP4":
        labels += CURRENT_YEAR
    table = int(code[2:])
    return [(table * 100 + i + 1, label) for i, label in enumerate(labels)]


def reais(value: Decimal) -> str:
    """1234.5 → 1234,50; 0 → 0,00 (never -0,00); a '-' before a negative."""
    cents = value.quantize(Decimal("0.01"))
    if cents == 0:
        return "0,00"
    return f"{cents:f}".replace(".", ",")


def plain(stem: str) -> str:
    """A file stem without accents, spaces as '_'."""
    return "".join(c for c in unicodedata.normalize("NFKD", stem)
                   if not unicodedata.combining(c)).replace(" ", "_")


def impt_line(code: str, grupo: int, campo: int, marker: str, values: list[Decimal]) -> str:
    cells = ";".join(f"V{i}:[>R${reais(v)}<]:-[{num}]({label})"
                     for i, ((num, label), v) in enumerate(zip(columns(code), values,
                                                                 strict=True)))
    return f"{code};{grupo};{campo};{cells};{marker};#C{len(values)};\r\n"


# ---------------------------------------------------------------- SQL
def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _csv(path: Path, delim: str) -> str:
    return (f"read_csv({_quoted(path)}, delim='{delim}', quote='\"', header=true, "
            f"all_varchar=true)")


def _valor() -> str:
    return "CAST(replace(valor, ',', '.') AS DECIMAL(18, 2))"


def _dia(col: str) -> str:
    return f"CAST(strptime({col}, '%d/%m/%Y') AS DATE)"


def _load_tables(con: Any, view: int) -> None:
    """t_grupo (fonte text, covid, grupo), t_linha (grupo, campo, linha, ordem), t_arquivo."""
    fontes = SPECS / str(view) / "tabelas" / f"grupos_fonte_{view}.csv"
    linhas = [SPECS / "2019" / "tabelas" / "linhas_restos_2019.csv"]
    if view == 2021:
        linhas.append(SPECS / "2021" / "tabelas" / "linhas_restos_2021.csv")
    con.execute(f"CREATE TEMP TABLE t_grupo AS SELECT fonte, covid = 'S' AS covid, "
                f"CAST(grupo AS INTEGER) AS grupo FROM {_csv(fontes, ',')}")
    union = " UNION ALL ".join(f"SELECT * FROM {_csv(p, ',')}" for p in linhas)
    con.execute(f"CREATE TEMP TABLE t_linha AS SELECT CAST(grupo AS INTEGER) AS grupo, "
                f"CAST(campo AS INTEGER) AS campo, linha, "
                f"CAST(substr(linha, 3) AS INTEGER) AS ordem FROM ({union})")
    con.execute(f"CREATE TEMP TABLE t_arquivo AS SELECT codplanilha, nomearquivo "
                f"FROM {_csv(SPECS / 'tabelas' / 'arquivos_restos.csv', ',')}")
    for name, key in (("t_grupo", "fonte, covid"), ("t_linha", "grupo"),
                      ("t_arquivo", "codplanilha")):
        dup = con.execute(f"SELECT {key} FROM {name} GROUP BY ALL HAVING count(*) > 1 "
                          f"LIMIT 1").fetchall()
        if dup:
            raise OracleError(f"tabela {name[2:]}: chave repetida {dup[0]}")


def _load_equivalencias(con: Any, path: Path) -> None:
    src = _csv(path, ";")
    names = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()]
    status = "coalesce(status, '')" if "status" in names else "''"
    con.execute(f"CREATE TEMP TABLE t_equiv AS SELECT municipio, recurso, covid = 'S' AS covid, "
                f"{status} AS status FROM {src}")
    dup = con.execute("SELECT municipio, recurso FROM t_equiv GROUP BY ALL "
                      "HAVING count(*) > 1 LIMIT 1").fetchall()
    if dup:
        raise OracleError(f"equivalência repetida: {dup[0]}")


def _movements(inputs: Mapping[str, Path], exercicio: int, bimestre: int) -> str:
    """Every in-scope movement as (municipio, recurso, arquivo, coluna, valor): the restos of
    earlier years by origin column, and (6th bimester) the year's despesa as V10/V11."""
    ini, fim = datetime.date(exercicio, 1, 1), last_day(exercicio, bimestre)
    selects = []
    if "restos_a_pagar" in inputs:
        col = (f"(CASE WHEN {exercicio} - origem >= 5 THEN 8 "
               f"ELSE 2 * ({exercicio} - origem - 1) END) + CASE WHEN proc THEN 0 ELSE 1 END")
        # each movement type goes to one file (or none: a LIQUIDACAO is in scope, in no file)
        arquivo = (f"CASE WHEN tipo = 'INSCRICAO' THEN 'RP4' "
                   f"WHEN tipo = 'PAGAMENTO' AND dia >= DATE '{ini}' THEN 'RP5' "
                   f"WHEN tipo = 'PAGAMENTO' THEN 'RP6' "
                   f"WHEN tipo IN ('CANCELAMENTO', 'PRESCRICAO') AND dia >= DATE '{ini}' "
                   f"THEN 'RP7' WHEN tipo IN ('CANCELAMENTO', 'PRESCRICAO') THEN 'RP8' END")
        selects.append(f"""
            SELECT municipio, recurso, {arquivo} AS arquivo, {col} AS coluna, valor
            FROM (SELECT municipio, recurso, CAST(exercicio_origem AS INTEGER) AS origem,
                         processado = 'S' AS proc, {_dia('data')} AS dia, tipo,
                         {_valor()} AS valor
                  FROM {_csv(inputs['restos_a_pagar'], ';')}
                  WHERE CAST(funcao AS INTEGER) = 10 AND saude = 'S')
            WHERE origem < {exercicio} AND dia <= DATE '{fim}'""")
    if "despesa_movimento" in inputs and bimestre == 6:
        v, zero = _valor(), "CAST(0 AS DECIMAL(18, 2))"
        emp = (f"CASE tipo WHEN 'EMPENHO' THEN {v} WHEN 'ANULACAO_EMPENHO' THEN -{v} "
               f"ELSE {zero} END")
        liq = (f"CASE tipo WHEN 'LIQUIDACAO' THEN {v} WHEN 'ESTORNO_LIQUIDACAO' THEN -{v} "
               f"ELSE {zero} END")
        pag = (f"CASE tipo WHEN 'PAGAMENTO' THEN {v} WHEN 'ESTORNO_PAGAMENTO' THEN -{v} "
               f"ELSE {zero} END")
        selects.append(f"""
            SELECT municipio, recurso, 'RP4' AS arquivo, unnest([10, 11]) AS coluna,
                   unnest([({liq}) - ({pag}), ({emp}) - ({liq})]) AS valor
            FROM {_csv(inputs['despesa_movimento'], ';')}
            WHERE CAST(exercicio AS INTEGER) = {exercicio} AND CAST(funcao AS INTEGER) = 10
              AND saude = 'S' AND {_dia('data')} BETWEEN DATE '{ini}' AND DATE '{fim}'""")
    if not selects:
        return ("SELECT NULL::VARCHAR AS municipio, NULL::VARCHAR AS recurso, "
                "NULL::VARCHAR AS arquivo, NULL::INTEGER AS coluna, "
                "NULL::DECIMAL(18, 2) AS valor WHERE false")
    return " UNION ALL ".join(f"SELECT municipio, recurso, arquivo, coluna, "
                              f"CAST(valor AS DECIMAL(18, 2)) AS valor FROM ({s})"
                              for s in selects)


def _sums(con: Any, allow_unconfirmed: bool) -> list[tuple[Any, ...]]:
    """(municipio, arquivo, grupo, campo, linha, nomearquivo, coluna, total), after the
    contract's errors (checked on every in-scope movement, also those no file sums),
    ordered for writing."""
    con.execute(f"""
        CREATE TEMP TABLE m AS
        SELECT s.*, e.municipio IS NOT NULL AS has_equiv, e.status,
               coalesce(g.grupo, {FONTE_OTHERWISE}) AS grupo
        FROM moves s
        LEFT JOIN t_equiv e ON e.municipio = s.municipio AND e.recurso = s.recurso
        LEFT JOIN t_grupo g ON g.fonte = s.recurso AND g.covid = e.covid""")
    bad = con.execute("SELECT municipio, recurso FROM m WHERE NOT has_equiv ORDER BY ALL "
                      "LIMIT 1").fetchall()
    if bad:
        raise OracleError(f"sem equivalência: município {bad[0][0]}, recurso {bad[0][1]}")
    if not allow_unconfirmed:
        bad = con.execute(f"SELECT municipio, recurso, status FROM m WHERE status NOT IN "
                          f"('', '{CONFIRMED}') ORDER BY ALL LIMIT 1").fetchall()
        if bad:
            raise Unconfirmed(f"equivalência {bad[0][1]} do município {bad[0][0]} com "
                              f"status {bad[0][2]}")
    bad = con.execute("SELECT DISTINCT grupo FROM m WHERE grupo NOT IN (SELECT grupo FROM "
                      "t_linha) ORDER BY 1 LIMIT 1").fetchall()
    if bad:
        raise OracleError(f"grupo de fonte {bad[0][0]} sem linha na tabela de restos")
    rows: list[tuple[Any, ...]] = con.execute("""
        SELECT m.municipio, m.arquivo, m.grupo, l.campo, l.linha, a.nomearquivo, m.coluna,
               CAST(sum(m.valor) AS DECIMAL(38, 2)) AS total, l.ordem
        FROM m JOIN t_linha l USING (grupo)
               LEFT JOIN t_arquivo a ON a.codplanilha = m.arquivo
        WHERE m.arquivo IS NOT NULL
        GROUP BY ALL
        ORDER BY m.municipio, m.arquivo, l.ordem, m.coluna""").fetchall()
    missing = [r for r in rows if r[5] is None]
    if missing:
        raise OracleError(f"arquivo {missing[0][1]} sem nome")
    return rows


# ---------------------------------------------------------------- entry point
def restos_files(inputs: Mapping[str, Path], exercicio: int, bimestre: int, *,
                 allow_unconfirmed: bool = False) -> dict[str, bytes]:
    """Relative path `<municipio>/<code>_<stem>.IMPT` → bytes, for the run (exercicio,
    bimestre). `inputs` maps ledger names to CSV paths (equivalencia_recursos required; the
    other two may be absent: no records)."""
    import duckdb

    unknown = set(inputs) - set(INPUTS)
    if unknown:
        raise OracleError(f"entradas desconhecidas: {sorted(unknown)}")
    if "equivalencia_recursos" not in inputs:
        raise OracleError("falta a entrada equivalencia_recursos")
    paths = {k: Path(v) for k, v in inputs.items()}
    con = duckdb.connect()
    try:
        _load_tables(con, layout_year(exercicio))
        _load_equivalencias(con, paths["equivalencia_recursos"])
        con.execute(f"CREATE TEMP TABLE moves AS {_movements(paths, exercicio, bimestre)}")
        rows = _sums(con, allow_unconfirmed)
    finally:
        con.close()
    lines: dict[tuple[str, str, int], tuple[int, str, str, list[Decimal]]] = {}
    for mun, code, grupo, campo, marker, nome, coluna, total, _ in rows:
        key = (mun, code, grupo)
        if key not in lines:
            lines[key] = (campo, marker, nome, [Decimal(0)] * len(columns(code)))
        lines[key][3][coluna] += total
    files: dict[str, str] = {}
    for (mun, code, grupo), (campo, marker, nome, values) in lines.items():  # in row order
        if any(values):
            path = f"{mun}/{code}_{plain(nome)}.IMPT"
            files[path] = files.get(path, "") + impt_line(code, grupo, campo, marker, values)
    return {p: text.encode("utf-8") for p, text in files.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--data", type=Path, help="pasta com <entrada>.csv (as que existirem)")
    ap.add_argument("--input", action="append", default=[], metavar="NOME=ARQUIVO")
    ap.add_argument("--exercicio", type=int, required=True)
    ap.add_argument("--bimestre", type=int, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--allow-unconfirmed", action="store_true")
    args = ap.parse_args(argv)
    inputs: dict[str, Path] = {}
    if args.data:
        inputs.update({n: args.data / f"{n}.csv" for n in INPUTS
                       if (args.data / f"{n}.csv").is_file()})
    for item in args.input:
        name, sep, path = item.partition("=")
        if not sep:
            ap.error(f"--input {item}: use NOME=ARQUIVO")
        inputs[name] = Path(path)
    try:
        files = restos_files(inputs, args.exercicio, args.bimestre,
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
