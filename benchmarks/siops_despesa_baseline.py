#!/usr/bin/env python3
"""The SIOPS despesa file set ("Previsão e Execução das Despesas Orçamentárias", one .IMPT per
planilha) written by hand in DuckDB: the independent oracle of the `sheets` kind's
`despesa/*` nodes and the baseline of benchmarks/siops_despesa.py.

It shares nothing with apura but the inputs and the tables' CSV files: it reads the ledgers
with `read_csv` (every column as text, cast here: money as DECIMAL(18,2), dates with
strptime), reads the reference CSVs of specs/siops/<year>/tabelas itself (its own copy of the
de-para's `resolve:` rule, its own "senão" groups 10 and 18), aggregates in one SQL statement
per ledger, and formats the lines from Decimal in Python. So a test that compares apura's
files with these checks apura against something not derived from it.

The contract (the lead's brief, issue 9; README "The SIOPS inputs"):

* period: records of `exercicio == E` dated 01/01/E .. the last day of bimester B; função 10,
  Saúde S. Dotação: the same, plus the rows of `exercicio == E + 1` (any date) when B == 6;
* planilha `f"{fg}_{sg}"`: fg = grupos_fonte[(recurso, covid of the equivalência)].grupo or
  10, sg = grupos_subfuncao[subfuncao].grupo or 18;
* element: excecoes_natureza[(municipio, natureza)].elemento_siops, else
  naturezas_despesa[natureza].natureza_siops;
* V0 inicial, V1 inicial + créditos − anulações (dotação of E), V2 empenhado, V3 liquidado,
  V4 pago, V5 empenhado − liquidado (B == 6 only), V6 inicial of E + 1 (B == 6 only);
* a line per (município, planilha, element) with a value not zero, in the elements table's
  order; a file `<municipio>/<code>_<stem>.IMPT` per planilha with a line.

Beyond the brief, as apura's maps do: a record in the scope without an equivalência, a
natureza without a de-para, an element or planilha missing from its table, and a repeated key
are errors (`OracleError`); using an equivalência or an exceção whose status is set and not
CONFIRMADA is `Unconfirmed` unless `allow_unconfirmed` (D0802 / D0803 in apura).

Usage:
    .venv/bin/python benchmarks/siops_despesa_baseline.py --data DIR --exercicio 2019 \\
        --bimestre 6 --out OUT [--tables specs/siops/2019/tabelas] [--allow-unconfirmed]
    (or --input NAME=FILE for each of despesa_movimento, dotacao, equivalencia_recursos,
    excecoes_natureza instead of --data)
"""

from __future__ import annotations

import argparse
import calendar
import datetime
import sys
import unicodedata
from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TABLES_2019 = ROOT / "specs" / "siops" / "2019" / "tabelas"
INPUTS = ("despesa_movimento", "dotacao", "equivalencia_recursos", "excecoes_natureza")
REQUIRED = ("equivalencia_recursos",)
CONFIRMED = "CONFIRMADA"
# The de-para of 2019 gives two targets to these keys (lines 51–54 and 78–81 of
# naturdessiops_2019.csv); the one kept is the 3190 block's (specs/siops/tabelas/README.md).
RESOLVE = {k: "3190929900" for k in ("3190920000", "3190920100", "3190920200", "3190920300")}
FONTE_OTHERWISE, SUBFUNCAO_OTHERWISE = 10, 18
# Vn → (column code, label), as the contract's line spells them.
COLUMNS = (("V0", 13, "Dotação Inicial"), ("V1", 12, "Dotação Atualizada"),
           ("V2", 9, "Despesas Empenhadas"), ("V3", 10, "Despesas Liquidadas"),
           ("V4", 11, "Despesas Pagas"), ("V5", 14, "Inscritas em Restos a Pagar Não Processados"),
           ("V6", 8, "Despesas Orçadas"))
CENT = Decimal("0.01")


class OracleError(ValueError):
    """The inputs or the tables break the contract (what apura reports as a data error)."""


class Unconfirmed(OracleError):
    """An in-scope record used an equivalência or exceção whose status is not CONFIRMADA."""


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


def element_text(code: str) -> str:
    """3390300000 → 3.3.90.30.00.00."""
    if len(code) != 10 or not code.isdigit():
        raise OracleError(f"elemento {code!r} não tem 10 dígitos")
    return f"{code[0]}.{code[1]}.{code[2:4]}.{code[4:6]}.{code[6:8]}.{code[8:10]}"


def file_stem(nomearquivo: str) -> str:
    """Accents stripped (NFKD, combining marks dropped), spaces → '_'."""
    decomposed = unicodedata.normalize("NFKD", nomearquivo)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace(" ", "_")


def line(code: str, element: str, campo: int, linha: str, values: list[Decimal]) -> str:
    cols = ";".join(f"{v}:[>R${money(x)}<]:-[{num}]({label})"
                    for (v, num, label), x in zip(COLUMNS, values, strict=True))
    return f"{code};{element_text(element)};{campo};{cols};{linha};#C7;\r\n"


# ---------------------------------------------------------------- SQL
def _q(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _ledger(path: Path) -> str:
    """A ledger CSV as text columns, matched by name (any order; a missing optional column is
    added by the caller's SQL)."""
    return (f"read_csv({_q(path)}, delim=';', quote='\"', header=true, all_varchar=true, "
            f"auto_detect=true)")


def _table(path: Path) -> str:
    return f"read_csv({_q(path)}, delim=',', quote='\"', header=true, all_varchar=true)"


def _money(col: str) -> str:
    return f"CAST(replace({col}, ',', '.') AS DECIMAL(18, 2))"


ZERO = "CAST(0 AS DECIMAL(18, 2))"


def _sum(expr: str) -> str:
    """A sum kept exact: DECIMAL(38, 2) on every branch of the UNION (an INTEGER 0 beside a
    DECIMAL(38, 2) would widen past 38 digits and make DuckDB fall back to DOUBLE)."""
    return f"CAST(sum({expr}) AS DECIMAL(38, 2))"


D0 = "CAST(0 AS DECIMAL(38, 2))"


def _date(col: str) -> str:
    return f"CAST(strptime({col}, '%d/%m/%Y') AS DATE)"


def _columns(con: Any, source: str) -> list[str]:
    return [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]


def _tables(con: Any, tables_2019: Path, tables_2021: Path, view: int) -> None:
    """The reference tables of the year view, as views t_*; checks their keys."""
    t19, t21 = tables_2019, tables_2021
    fontes = t19 / "grupos_fonte_2019.csv" if view == 2019 else t21 / "grupos_fonte_2021.csv"
    naturezas = [t19 / "naturdessiops_2019.csv"]
    arquivos = [t19 / "nomearqdessiops_2019.csv"]
    if view == 2021:
        naturezas.append(t21 / "naturdessiops_2021_additions.csv")
        arquivos.append(t21 / "nomearqdessiops_2021.csv")
    con.execute(f"CREATE TEMP TABLE t_fonte AS SELECT CAST(fonte AS INTEGER) AS fonte, "
                f"covid = 'S' AS covid, CAST(grupo AS INTEGER) AS grupo FROM {_table(fontes)}")
    con.execute(f"CREATE TEMP TABLE t_subfuncao AS SELECT CAST(subfuncao AS INTEGER) AS "
                f"subfuncao, CAST(grupo AS INTEGER) AS grupo "
                f"FROM {_table(t19 / 'grupos_subfuncao.csv')}")
    con.execute(f"CREATE TEMP TABLE t_elemento AS SELECT elemento_siops AS elemento, "
                f"CAST(campo AS INTEGER) AS campo, linha, "
                f"CAST(substr(linha, 3) AS INTEGER) AS ordem "
                f"FROM {_table(t19 / 'eledessiops_2019.csv')}")
    nat = " UNION ALL ".join(f"SELECT natureza_ecidade AS k, natureza_siops AS v "
                             f"FROM {_table(p)}" for p in naturezas)
    con.execute(f"CREATE TEMP TABLE t_natureza_raw AS {nat}")
    dup = dict(con.execute("SELECT k, list(v ORDER BY v) FROM t_natureza_raw GROUP BY k "
                           "HAVING count(*) > 1").fetchall())
    if set(dup) != set(RESOLVE) or any(RESOLVE[k] not in v for k, v in dup.items()):
        raise OracleError(f"de-para com chaves repetidas não resolvidas: {sorted(dup)} "
                          f"(resolvidas: {sorted(RESOLVE)})")
    resolved = ", ".join(f"('{k}', '{v}')" for k, v in sorted(RESOLVE.items()))
    con.execute(f"CREATE TEMP TABLE t_natureza AS SELECT k AS natureza, v AS elemento "
                f"FROM t_natureza_raw WHERE k NOT IN (SELECT k FROM (VALUES {resolved}) "
                f"r(k, v)) UNION ALL SELECT k, v FROM (VALUES {resolved}) r(k, v)")
    arq = " UNION ALL ".join(f"SELECT codplanilha, nomearquivo FROM {_table(p)}"
                             for p in arquivos)
    con.execute(f"CREATE TEMP TABLE t_arquivo AS {arq}")
    for name, key in (("t_fonte", "fonte, covid"), ("t_subfuncao", "subfuncao"),
                      ("t_elemento", "elemento"), ("t_arquivo", "codplanilha")):
        rep = con.execute(f"SELECT {key} FROM {name} GROUP BY ALL HAVING count(*) > 1 "
                          f"LIMIT 1").fetchall()
        if rep:
            raise OracleError(f"tabela {name[2:]}: chave repetida {rep[0]}")


def _maps(con: Any, inputs: Mapping[str, Path]) -> None:
    """The município's equivalências and exceções (t_equiv, t_excecao), keys checked."""
    eq = _ledger(inputs["equivalencia_recursos"])
    status = "status" if "status" in _columns(con, eq) else "NULL"
    con.execute(f"CREATE TEMP TABLE t_equiv AS SELECT municipio, recurso, covid = 'S' AS covid, "
                f"coalesce({status}, '') AS status FROM {eq}")
    if "excecoes_natureza" in inputs:
        ex = _ledger(inputs["excecoes_natureza"])
        status = "status" if "status" in _columns(con, ex) else "NULL"
        con.execute(f"CREATE TEMP TABLE t_excecao AS SELECT municipio, natureza, elemento_siops "
                    f"AS elemento, coalesce({status}, '') AS status FROM {ex}")
    else:
        con.execute("CREATE TEMP TABLE t_excecao (municipio VARCHAR, natureza VARCHAR, "
                    "elemento VARCHAR, status VARCHAR)")
    for name, key in (("t_equiv", "municipio, recurso"), ("t_excecao", "municipio, natureza")):
        rep = con.execute(f"SELECT {key} FROM {name} GROUP BY ALL HAVING count(*) > 1 "
                          f"LIMIT 1").fetchall()
        if rep:
            raise OracleError(f"{name[2:]}: chave repetida {rep[0]}")


def _scoped(inputs: Mapping[str, Path], exercicio: int, bimestre: int) -> str:
    """One SELECT of every in-scope record, both ledgers, already summed per classification:
    municipio, recurso, subfuncao, natureza, V0..V6."""
    ini, fim = datetime.date(exercicio, 1, 1), period_end(exercicio, bimestre)
    b6 = bimestre == 6
    parts = []
    if "despesa_movimento" in inputs:
        v = _money("valor")
        emp = (f"CASE tipo WHEN 'EMPENHO' THEN {v} WHEN 'ANULACAO_EMPENHO' THEN -{v} "
               f"ELSE {ZERO} END")
        liq = (f"CASE tipo WHEN 'LIQUIDACAO' THEN {v} WHEN 'ESTORNO_LIQUIDACAO' THEN -{v} "
               f"ELSE {ZERO} END")
        pag = (f"CASE tipo WHEN 'PAGAMENTO' THEN {v} WHEN 'ESTORNO_PAGAMENTO' THEN -{v} "
               f"ELSE {ZERO} END")
        v5 = _sum(f"({emp}) - ({liq})") if b6 else D0
        parts.append(
            f"SELECT municipio, recurso, CAST(subfuncao AS INTEGER) AS subfuncao, natureza, "
            f"{D0} AS v0, {D0} AS v1, {_sum(emp)} AS v2, {_sum(liq)} AS v3, {_sum(pag)} AS v4, "
            f"{v5} AS v5, {D0} AS v6 "
            f"FROM {_ledger(inputs['despesa_movimento'])} "
            f"WHERE CAST(exercicio AS INTEGER) = {exercicio} AND CAST(funcao AS INTEGER) = 10 "
            f"AND saude = 'S' AND {_date('data')} BETWEEN DATE '{ini}' AND DATE '{fim}' "
            f"GROUP BY ALL")
    if "dotacao" in inputs:
        this = (f"CAST(exercicio AS INTEGER) = {exercicio} AND "
                f"{_date('data')} BETWEEN DATE '{ini}' AND DATE '{fim}'")
        nxt = f"CAST(exercicio AS INTEGER) = {exercicio + 1}"
        ini_v, cred, anul = (_money(c) for c in ("dotacao_inicial", "creditos_adicionais",
                                                  "anulacoes"))
        scope = f"(({this}) OR ({nxt}))" if b6 else f"({this})"
        parts.append(
            f"SELECT municipio, recurso, CAST(subfuncao AS INTEGER) AS subfuncao, natureza, "
            f"{_sum(f'CASE WHEN {this} THEN {ini_v} ELSE {ZERO} END')} AS v0, "
            f"{_sum(f'CASE WHEN {this} THEN {ini_v} + {cred} - {anul} ELSE {ZERO} END')} "
            f"AS v1, {D0} AS v2, {D0} AS v3, {D0} AS v4, {D0} AS v5, "
            f"{_sum(f'CASE WHEN {nxt} THEN {ini_v} ELSE {ZERO} END')} AS v6 "
            f"FROM {_ledger(inputs['dotacao'])} "
            f"WHERE CAST(funcao AS INTEGER) = 10 AND saude = 'S' AND {scope} GROUP BY ALL")
    if not parts:
        return ("SELECT NULL::VARCHAR AS municipio, NULL::VARCHAR AS recurso, "
                "NULL::INTEGER AS subfuncao, NULL::VARCHAR AS natureza, "
                + ", ".join(f"{D0} AS v{i}" for i in range(7)) + " WHERE false")
    return " UNION ALL ".join(parts)


def _classified(con: Any, allow_unconfirmed: bool) -> list[tuple[Any, ...]]:
    """Joins the scoped sums to the maps and tables; the errors of the contract; the lines'
    rows (municipio, code, element, campo, linha, V0..V6), ordered for writing."""
    con.execute(f"""
        CREATE TEMP TABLE c AS
        SELECT s.*, e.covid, e.status AS eq_status, x.elemento AS x_elemento,
               x.status AS x_status, n.elemento AS n_elemento,
               concat(coalesce(f.grupo, {FONTE_OTHERWISE}), '_',
                      coalesce(g.grupo, {SUBFUNCAO_OTHERWISE})) AS code,
               e.municipio IS NOT NULL AS has_equiv
        FROM scoped s
        LEFT JOIN t_equiv e ON e.municipio = s.municipio AND e.recurso = s.recurso
        LEFT JOIN t_fonte f ON f.fonte = TRY_CAST(s.recurso AS INTEGER) AND f.covid = e.covid
        LEFT JOIN t_subfuncao g ON g.subfuncao = s.subfuncao
        LEFT JOIN t_excecao x ON x.municipio = s.municipio AND x.natureza = s.natureza
        LEFT JOIN t_natureza n ON n.natureza = s.natureza
    """)
    miss = con.execute("SELECT municipio, recurso FROM c WHERE NOT has_equiv "
                       "ORDER BY ALL LIMIT 1").fetchall()
    if miss:
        raise OracleError(f"sem equivalência de recurso: município {miss[0][0]}, recurso "
                          f"{miss[0][1]}")
    miss = con.execute("SELECT municipio, natureza FROM c WHERE x_elemento IS NULL AND "
                       "n_elemento IS NULL ORDER BY ALL LIMIT 1").fetchall()
    if miss:
        raise OracleError(f"natureza sem de-para: município {miss[0][0]}, natureza {miss[0][1]}")
    if not allow_unconfirmed:
        bad = con.execute(f"""
            SELECT 'equivalência', municipio, recurso, eq_status FROM c
             WHERE eq_status NOT IN ('', '{CONFIRMED}')
            UNION ALL
            SELECT 'exceção', municipio, natureza, x_status FROM c
             WHERE x_elemento IS NOT NULL AND x_status NOT IN ('', '{CONFIRMED}')
            ORDER BY ALL LIMIT 1""").fetchall()
        if bad:
            kind, mun, key, status = bad[0]
            raise Unconfirmed(f"{kind} {key} do município {mun} com status {status}")
    rows: list[tuple[Any, ...]] = con.execute("""
        WITH k AS (
            SELECT municipio, code, coalesce(x_elemento, n_elemento) AS elemento,
                   sum(v0) v0, sum(v1) v1, sum(v2) v2, sum(v3) v3, sum(v4) v4, sum(v5) v5,
                   sum(v6) v6
            FROM c GROUP BY ALL)
        SELECT k.municipio, k.code, k.elemento, t.campo, t.linha, a.nomearquivo,
               k.v0, k.v1, k.v2, k.v3, k.v4, k.v5, k.v6
        FROM k LEFT JOIN t_elemento t USING (elemento)
               LEFT JOIN t_arquivo a ON a.codplanilha = k.code
        WHERE k.v0 <> 0 OR k.v1 <> 0 OR k.v2 <> 0 OR k.v3 <> 0 OR k.v4 <> 0 OR k.v5 <> 0
              OR k.v6 <> 0
        ORDER BY k.municipio, k.code, t.ordem""").fetchall()
    for r in rows:
        if r[3] is None:
            raise OracleError(f"elemento {r[2]} fora da tabela de elementos (município {r[0]})")
        if r[5] is None:
            raise OracleError(f"planilha {r[1]} sem nome de arquivo (município {r[0]})")
    return rows


# ---------------------------------------------------------------- entry point
def despesa_files(inputs: Mapping[str, Path], tables_dir_2019: Path, year_view: int,
                  exercicio: int, bimestre: int, *, tables_dir_2021: Path | None = None,
                  allow_unconfirmed: bool = False, threads: int | None = None
                  ) -> dict[str, bytes]:
    """Relative path `<municipio>/<code>_<stem>.IMPT` → bytes, for the run (exercicio,
    bimestre) under layout year `year_view` (2019 or 2021). `inputs` maps ledger names to CSV
    paths (equivalencia_recursos required; the others may be absent: no records). The 2021
    tables are the sibling folder of the 2019 ones unless `tables_dir_2021` says otherwise."""
    import duckdb

    if year_view not in (2019, 2021):
        raise OracleError(f"ano de layout {year_view}: só 2019 e 2021")
    unknown = set(inputs) - set(INPUTS)
    if unknown:
        raise OracleError(f"entradas desconhecidas: {sorted(unknown)}")
    for name in REQUIRED:
        if name not in inputs:
            raise OracleError(f"falta a entrada {name}")
    inputs = {k: Path(v) for k, v in inputs.items()}
    t19 = Path(tables_dir_2019)
    t21 = Path(tables_dir_2021) if tables_dir_2021 else t19.parent.parent / "2021" / "tabelas"
    con = duckdb.connect(config={"threads": threads} if threads else {})
    try:
        _tables(con, t19, t21, year_view)
        _maps(con, inputs)
        con.execute(f"CREATE TEMP TABLE scoped AS {_scoped(inputs, exercicio, bimestre)}")
        rows = _classified(con, allow_unconfirmed)
    finally:
        con.close()
    files: dict[str, list[str]] = {}
    for mun, code, elemento, campo, linha, nome, *values in rows:
        path = f"{mun}/{code}_{file_stem(nome)}.IMPT"
        files.setdefault(path, []).append(line(code, elemento, campo, linha, values))
    return {p: "".join(lines).encode("utf-8") for p, lines in files.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, help="pasta com <entrada>.csv (as que existirem)")
    ap.add_argument("--input", action="append", default=[], metavar="NOME=ARQUIVO")
    ap.add_argument("--exercicio", type=int, required=True)
    ap.add_argument("--bimestre", type=int, required=True)
    ap.add_argument("--tables", type=Path, default=TABLES_2019,
                    help="a pasta de tabelas de 2019 (a de 2021 é a irmã)")
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
        files = despesa_files(inputs, args.tables, year_view(args.exercicio), args.exercicio,
                              args.bimestre, allow_unconfirmed=args.allow_unconfirmed)
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
