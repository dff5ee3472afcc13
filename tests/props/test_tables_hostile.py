"""Random table contents (hypothesis) with hostile text — delimiters, quotes, `\"\"\"`, line
breaks, backslashes, unicode — in keys and values: the package compiles, no cell of the table
reaches generated code (the module and the SQL hold none of them, quoted or not: only the
normalized copy does), the copy reads back to the same values, and a map over the table looks
up the same on the python and duckdb back ends."""

from __future__ import annotations

import csv
import io
import itertools
import shutil
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

import runtime
from compiler import compile_package
from compiler.writer import write_tree
from runtime.ledgers import Reader
from runtime.ledgers import ReadStats
from tests.backends.conftest import outcome

MARK = "☃"  # every generated cell carries it: it must appear in no generated code
HOSTILE = [";", ",", '"', '"""', "\n", "\r\n", "\\", "\\n", "'", "''' ", "#", "--", "/*",
           "é", "ç", "\u2028", "\t", "{{", "}}", " ", "ção", "🙂", "$x", "%s"]
text = st.lists(st.sampled_from(HOSTILE) | st.text("abc\\\"';", max_size=3),
                min_size=0, max_size=5).map(lambda parts: MARK + "".join(parts))

PACKAGE = "kind: package\nid: hostil\npartition: municipio\nparams: {}\n"
LEDGER = ("kind: ledger\nid: gasto\nformat: {type: csv, delimiter: \";\"}\nfields:\n"
          "  municipio: {type: str}\n  chave: {type: str}\n  valor: {type: decimal}\n")
MAP = ("kind: map\nid: m\nsource: t\nkey: [chave]\nvalues: [grupo, texto]\n"
       "on_missing: \"null\"\n")
LAYOUT = """kind: layout
id: q/1
planilha: 1
source: gasto
hit_policy: first
output: {format: impt, file: q.IMPT}
columns:
  - {id: V0, code: 1, label: Valor, value: sum(valor)}
  - {id: V1, code: 2, label: Registros, value: count()}
rows:
  - {ref: "1", record_id: "1", rule: "lookup(m, chave).grupo == 1"}
  - {ref: "2", record_id: "2", rule: "lookup(m, chave).texto is null"}
  - {ref: "3", record_id: "3", rule: "lookup(m, chave).grupo is null"}
  - {ref: "o", record_id: "4", otherwise: true}
"""
_dirs = itertools.count()


def _csv(rows: list[list[str]], delimiter: str) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    w.writerows(rows)
    return buf.getvalue()


@settings(max_examples=12, deadline=None)
@given(entries=st.dictionaries(text, st.tuples(st.integers(1, 3), st.one_of(st.none(), text)),
                               min_size=1, max_size=6),
       records=st.lists(st.tuples(st.integers(0, 7), st.integers(-10**6, 10**6)),
                        max_size=12),
       delimiter=st.sampled_from([",", ";", "\t", "|"]))
def test_hostile_tables_compile_stay_out_of_code_and_look_up_alike(
        entries: dict[str, tuple[int, str | None]], records: list[tuple[int, int]],
        delimiter: str) -> None:
    root = Path(tempfile.mkdtemp(prefix=f"apura-tabela-{next(_dirs)}-"))
    try:
        specs = root / "specs" / "hostil"
        specs.mkdir(parents=True)
        for name, body in (("package", PACKAGE), ("gasto", LEDGER), ("m", MAP),
                           ("q", LAYOUT)):
            (specs / f"{name}.yaml").write_text(body, "utf-8")
        shown = {"\t": '"\\t"'}.get(delimiter, f'"{delimiter}"')
        (specs / "t.yaml").write_text(
            "kind: table\nid: t\nsource: gerado pelo hypothesis\nfile: t.csv\n"
            f"format: {{delimiter: {shown}}}\ncolumns:\n  chave: {{type: str}}\n"
            "  grupo: {type: int}\n  texto: {type: str, required: false}\nkey: [chave]\n",
            "utf-8")
        (specs / "t.csv").write_text(_csv([["chave", "grupo", "texto"]] + [
            [k, str(g), t or ""] for k, (g, t) in entries.items()], delimiter), "utf-8",
            newline="")
        result = compile_package(specs, root)
        assert result.errors == [], [d.message for d in result.errors]
        code = [v for k, v in result.files.items() if not k.startswith("tables/")]
        assert code and all(MARK not in v for v in code)
        write_tree(root / "generated" / "hostil", result.files)
        program = runtime.load(root / "generated" / "hostil")
        # the copy, read back by the ledger reader, holds exactly the table's rows
        led = program.package.ledger("t")
        assert led.table is not None
        st_ = ReadStats(name="t", path="t")
        back = [r[:-1] for r in Reader(led, "t", None).read_csv(
            root / "generated" / "hostil" / led.table.path, "t", st_)]
        assert back == [(k, g, t) for k, (g, t) in entries.items()] and not st_.rejected
        keys = [*entries, MARK + "fora da tabela"]
        gasto = root / "gasto.csv"
        gasto.write_text(_csv([["municipio", "chave", "valor"]] + [
            ["1", keys[i % len(keys)], f"{v // 100},{abs(v) % 100:02d}" if v >= 0
             else f"-{-v // 100},{-v % 100:02d}"] for i, v in records], ";"), "utf-8",
            newline="")
        ledgers = {"gasto": str(gasto)}
        assert outcome(program, ledgers, {}, "duckdb") == outcome(program, ledgers, {}, "python")
    finally:
        shutil.rmtree(root)
