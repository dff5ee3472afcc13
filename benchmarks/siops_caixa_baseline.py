#!/usr/bin/env python3
"""The SIOPS Disponibilidade de Caixa file (the first table of the seed's "Restos a pagar"
folder, one .IMPT) written by hand in DuckDB: the independent oracle of the `sheets` kind's
`caixa/disponibilidade` node (specs/siops/caixa_disponibilidade.yaml).

It shares nothing with apura but the inputs and the tables' CSV files: it reads the ledgers
with `read_csv` (every column as text, cast here: money as DECIMAL(18,2), dates with
strptime), reads the reference CSVs itself (the fonte groups of the layout year, the lines
table — 2021's is 2019's followed by its additions —, the file name), sums in one SQL
statement and formats the lines from Decimal in Python. Its helpers are its own, not those of
the other baselines.

The contract (README "The SIOPS files", Disponibilidade de caixa; E = the exercício, B = the
bimester, D = the last day of B):

* scope: `contas` records of exercício E dated up to D whose (município, conta) is in
  `equivalencia_contas` (an account outside it is left out, silently);
* every record in scope needs its (município, recurso) in `equivalencia_recursos`, and both
  entries it uses must be confirmed (status empty or CONFIRMADA) — also a record dated before
  D, which adds nothing to the file;
* the value: the saldo of the records dated exactly D, summed with its sign;
* the line: the fonte group, grupos_fonte[(recurso as text, covid of the equivalência)].grupo
  or 10; its campo and #L from the lines table, in that table's order; a line per
  (município, group) whose sum is not zero, in the file `<municipio>/RP1_<stem>.IMPT`.

Like apura's maps: a missing recursos equivalência, a group missing from the lines table and a
repeated key are errors (`OracleError`); an unconfirmed entry used is `Unconfirmed` unless
`allow_unconfirmed`.

Usage:
    .venv/bin/python benchmarks/siops_caixa_baseline.py --data DIR --exercicio 2021 \\
        --bimestre 6 --out OUT [--allow-unconfirmed]
    (or --input NAME=FILE for each of contas, equivalencia_contas, equivalencia_recursos)
"""

from __future__ import annotations

import argparse
import calendar
import datetime
import sys
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT / "specs" / "siops"
INPUTS = ("contas", "equivalencia_contas", "equivalencia_recursos")
CONFIRMED = ("", "CONFIRMADA")
OTHER_GROUP = 10
CODE = "RP1"
COLUMN = (101, "Disponibilidade de Caixa Bruta")


class OracleError(ValueError):
    """The inputs or the tables break the contract (what apura reports as a data error)."""


class Unconfirmed(OracleError):
    """An in-scope record used an equivalência whose status is not confirmed."""


def view_of(exercicio: int) -> int:
    """The layout year serving the exercício: 2019 for 2019–2020, 2021 from 2021 on."""
    if exercicio < 2019:
        raise OracleError(f"exercício {exercicio} antes do primeiro ano de layout (2019)")
    return 2019 if exercicio < 2021 else 2021


def end_of(exercicio: int, bimestre: int) -> datetime.date:
    if not 1 <= bimestre <= 6:
        raise OracleError(f"bimestre {bimestre} fora de 1..6")
    month = 2 * bimestre
    return datetime.date(exercicio, month, calendar.monthrange(exercicio, month)[1])


def brl(value: Decimal) -> str:
    """-1234.5 → -1234,50; zero → 0,00."""
    q = value.quantize(Decimal("0.01"))
    return "0,00" if q == 0 else format(q, "f").replace(".", ",")


def _text(path: Path, delim: str) -> str:
    quoted = "'" + str(path).replace("'", "''") + "'"
    return f"read_csv({quoted}, delim='{delim}', header=true, all_varchar=true, quote='\"')"


def _status(con: Any, src: str) -> str:
    cols = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()}
    return "coalesce(status, '')" if "status" in cols else "''"


def _unique(con: Any, table: str, key: str) -> None:
    dup = con.execute(f"SELECT {key}, count(*) FROM {table} GROUP BY {key} "
                      f"HAVING count(*) > 1 ORDER BY ALL LIMIT 1").fetchall()
    if dup:
        raise OracleError(f"{table}: chave repetida {dup[0][:-1]}")


def _load(con: Any, inputs: Mapping[str, Path], view: int) -> None:
    tabelas = SPECS / str(view) / "tabelas"
    con.execute(f"CREATE TEMP TABLE grupos AS SELECT fonte, covid, CAST(grupo AS INTEGER) g "
                f"FROM {_text(tabelas / f'grupos_fonte_{view}.csv', ',')}")
    parts = [SPECS / "2019" / "tabelas" / "linhas_caixa_2019.csv"]
    if view == 2021:
        parts.append(tabelas / "linhas_caixa_2021.csv")
    union = " UNION ALL ".join(f"SELECT grupo, campo, linha FROM {_text(p, ',')}" for p in parts)
    con.execute(f"CREATE TEMP TABLE linhas AS SELECT CAST(grupo AS INTEGER) g, campo, linha, "
                f"CAST(substr(linha, 3) AS INTEGER) ordem FROM ({union})")
    con.execute(f"CREATE TEMP TABLE arquivo AS SELECT codplanilha, nomearquivo "
                f"FROM {_text(SPECS / 'tabelas' / 'arquivos_caixa.csv', ',')}")
    src = _text(inputs["equivalencia_contas"], ";")
    con.execute(f"CREATE TEMP TABLE de_contas AS SELECT municipio, conta, {_status(con, src)} "
                f"AS status FROM {src}")
    src = _text(inputs["equivalencia_recursos"], ";")
    con.execute(f"CREATE TEMP TABLE de_recursos AS SELECT municipio, recurso, covid, "
                f"{_status(con, src)} AS status FROM {src}")
    for table, key in (("grupos", "fonte, covid"), ("linhas", "g"),
                       ("arquivo", "codplanilha"), ("de_contas", "municipio, conta"),
                       ("de_recursos", "municipio, recurso")):
        _unique(con, table, key)


def _scope(con: Any, contas: Path, exercicio: int, fim: datetime.date) -> None:
    """Every record in scope, with its equivalências (NULL when missing) and its value."""
    con.execute(f"""
        CREATE TEMP TABLE scope AS
        SELECT c.municipio, c.recurso, c.linha_arquivo,
               CASE WHEN c.dia = DATE '{fim}' THEN c.saldo ELSE 0 END AS valor,
               k.status AS st_conta, r.covid, r.status AS st_recurso,
               r.municipio IS NOT NULL AS tem_recurso
        FROM (SELECT municipio, conta, recurso,
                     row_number() OVER () + 1 AS linha_arquivo,
                     CAST(exercicio AS INTEGER) AS ano,
                     CAST(strptime(data, '%d/%m/%Y') AS DATE) AS dia,
                     CAST(replace(saldo, ',', '.') AS DECIMAL(18, 2)) AS saldo
              FROM {_text(contas, ';')}) c
        JOIN de_contas k ON k.municipio = c.municipio AND k.conta = c.conta
        LEFT JOIN de_recursos r ON r.municipio = c.municipio AND r.recurso = c.recurso
        WHERE c.ano = {exercicio} AND c.dia <= DATE '{fim}'""")


def _errors(con: Any, allow_unconfirmed: bool) -> None:
    bad = con.execute("SELECT municipio, recurso, min(linha_arquivo) FROM scope "
                      "WHERE NOT tem_recurso GROUP BY ALL ORDER BY 3 LIMIT 1").fetchall()
    if bad:
        raise OracleError(f"sem equivalência de recurso: município {bad[0][0]}, recurso "
                          f"{bad[0][1]} (linha {bad[0][2]})")
    if allow_unconfirmed:
        return
    ok = ", ".join(f"'{s}'" for s in CONFIRMED)
    bad = con.execute(f"SELECT municipio, recurso, st_conta, st_recurso FROM scope "
                      f"WHERE st_conta NOT IN ({ok}) OR st_recurso NOT IN ({ok}) "
                      f"ORDER BY ALL LIMIT 1").fetchall()
    if bad:
        raise Unconfirmed(f"equivalência não confirmada usada: {bad[0]}")


def _sums(con: Any) -> list[tuple[Any, ...]]:
    con.execute(f"""
        CREATE TEMP TABLE classified AS
        SELECT s.municipio, coalesce(g.g, {OTHER_GROUP}) AS g, s.valor
        FROM scope s LEFT JOIN grupos g ON g.fonte = s.recurso AND g.covid = s.covid""")
    bad = con.execute("SELECT DISTINCT g FROM classified WHERE g NOT IN "
                      "(SELECT g FROM linhas) ORDER BY 1 LIMIT 1").fetchall()
    if bad:
        raise OracleError(f"grupo de fonte {bad[0][0]} sem linha na tabela de caixa")
    rows: list[tuple[Any, ...]] = con.execute("""
        SELECT c.municipio, c.g, l.campo, l.linha, CAST(sum(c.valor) AS DECIMAL(38, 2))
        FROM classified c JOIN linhas l USING (g)
        GROUP BY c.municipio, c.g, l.campo, l.linha, l.ordem
        HAVING sum(c.valor) <> 0
        ORDER BY c.municipio, l.ordem""").fetchall()
    return rows


def caixa_files(inputs: Mapping[str, Path], exercicio: int, bimestre: int, *,
                allow_unconfirmed: bool = False) -> dict[str, bytes]:
    """Relative path `<municipio>/RP1_<stem>.IMPT` → bytes, for the run (exercicio,
    bimestre). The three inputs are required here (apura reads an omitted optional one as no
    records; the oracle has no use for that case)."""
    import duckdb

    if set(inputs) != set(INPUTS):
        raise OracleError(f"entradas: {sorted(INPUTS)}, recebidas {sorted(inputs)}")
    paths = {k: Path(v) for k, v in inputs.items()}
    con = duckdb.connect()
    try:
        _load(con, paths, view_of(exercicio))
        _scope(con, paths["contas"], exercicio, end_of(exercicio, bimestre))
        _errors(con, allow_unconfirmed)
        rows = _sums(con)
        names = con.execute("SELECT nomearquivo FROM arquivo WHERE codplanilha = ?",
                            [CODE]).fetchall()
    finally:
        con.close()
    if not names:
        raise OracleError(f"planilha {CODE} sem nome de arquivo")
    stem = names[0][0]
    num, label = COLUMN
    files: dict[str, str] = {}
    for mun, grupo, campo, marker, total in rows:
        path = f"{mun}/{CODE}_{stem}.IMPT"
        line = f"{CODE};{grupo};{campo};V0:[>R${brl(total)}<]:-[{num}]({label});{marker};#C1;\r\n"
        files[path] = files.get(path, "") + line
    return {p: text.encode("utf-8") for p, text in files.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--data", type=Path, help="pasta com contas.csv, equivalencia_contas.csv, "
                                              "equivalencia_recursos.csv")
    ap.add_argument("--input", action="append", default=[], metavar="NOME=ARQUIVO")
    ap.add_argument("--exercicio", type=int, required=True)
    ap.add_argument("--bimestre", type=int, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--allow-unconfirmed", action="store_true")
    args = ap.parse_args(argv)
    inputs: dict[str, Path] = {}
    if args.data:
        inputs.update({n: args.data / f"{n}.csv" for n in INPUTS})
    for item in args.input:
        name, sep, path = item.partition("=")
        if not sep:
            ap.error(f"--input {item}: use NOME=ARQUIVO")
        inputs[name] = Path(path)
    try:
        files = caixa_files(inputs, args.exercicio, args.bimestre,
                            allow_unconfirmed=args.allow_unconfirmed)
    except OracleError as exc:
        print(f"erro: {exc}", file=sys.stderr)
        return 1
    for rel, data in sorted(files.items()):
        target = args.out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    print(f"{len(files)} arquivo(s) em {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
