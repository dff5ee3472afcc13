"""The plain-line fast path of reading a CSV file (str.split, one compiled loop per batch) gives
exactly what the csv module's path gives: the same accepted rows, rejects (code, line, column,
text), counts, partitions and fatal errors, on any file — quotes, CR / CRLF line ends, empty
lines, wrong widths, bad cells, reordered headers, batches cut anywhere."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from runtime import ledgers
from runtime.ledgers import Reader
from runtime.ledgers import ReadStats
from runtime.model import CsvFormat
from runtime.model import Field
from runtime.model import Ledger

FIELDS = (Field("mun", "str"), Field("ano", "int"), Field("data", "date"),
          Field("a", "decimal"), Field("b", "decimal"), Field("c", "decimal", scale=0),
          Field("ok", "bool"), Field("obs", "str", required=False),
          Field("d", "decimal", required=False))
NAMES = [f.name for f in FIELDS]

cell = st.one_of(
    st.sampled_from(["1", "2020", "0,00", "1,50", "1,50", "-0,00", "12,345", "01/02/2020",
                     "31/02/2020", "S", "N", "", "abc", "7", "0", "0,0", '"q"', 'a"b',
                     '"x;y"', '"multi\nline"', '""', "ção"]),
    st.text(alphabet='0123456789,-/SN ;"\r\nx', max_size=6))
good = st.tuples(st.sampled_from(["1", "2", "ção"]), st.sampled_from(["2020", "-1", "x"]),
                 st.sampled_from(["01/02/2020", "29/02/2020", "31/04/2020"]),
                 *[st.sampled_from(["0,00", "1,50", "-2,5", "1,50", "9,999", "-0,00"])] * 2,
                 st.sampled_from(["3", "0", "1,0"]), st.sampled_from(["S", "N", "s"]),
                 st.sampled_from(["", "obs"]), st.sampled_from(["", "1,50", "0,00", "x"]),
                 ).map(list)
record = st.one_of(st.lists(cell, min_size=0, max_size=11), good, good)
ending = st.sampled_from(["\n", "\n", "\n", "\r\n", "\r"])


def _read(path: Path, fmt: CsvFormat, fast: bool, chunk: int) -> tuple[Any, ...]:
    reader = Reader(Ledger(id="t", fields=FIELDS, format=fmt), "t", "mun")
    reader.plain_fast_path = fast
    old = ledgers._CHUNK
    ledgers._CHUNK = chunk
    try:
        stats = ReadStats("t", "t")
        rows = list(reader.read_csv(path, "t.csv", stats))
    finally:
        ledgers._CHUNK = old
    return rows, stats.read, stats.accepted, stats.rejected, stats.partitions, stats.fatal


@settings(max_examples=300, deadline=None)
@given(records=st.lists(st.tuples(record, ending), max_size=30),
       header=st.sampled_from([NAMES, NAMES[::-1], NAMES + ["extra"], NAMES[:3], ["x"]]),
       header_ending=ending, last_ending=st.booleans(),
       chunk=st.sampled_from([1, 3, 17, 64, 1 << 16]))
def test_plain_path_reads_like_the_csv_module(tmp_path_factory: pytest.TempPathFactory,
                                              records: list[tuple[list[str], str]],
                                              header: list[str], header_ending: str,
                                              last_ending: bool, chunk: int) -> None:
    text = ";".join(header) + header_ending
    text += "".join(";".join(r) + end for r, end in records)
    if records and not last_ending:
        text = text.rstrip("\r\n")
    path = tmp_path_factory.mktemp("r") / "t.csv"
    path.write_text(text, encoding="utf-8", newline="")
    fmt = CsvFormat()
    assert _read(path, fmt, True, chunk) == _read(path, fmt, False, chunk)


@pytest.mark.parametrize("text", [
    "", "\n", "mun;ano;data;a;b;c;ok;obs;d", "\ufeffmun\n", '"mun";ano\n1;2\n',
    "mun;ano;data;a;b;c;ok;obs;d\r\n1;2020;01/02/2020;1,5;1,5;3;S;;\r\n\r\n",
    "mun;ano;data;a;b;c;ok;obs;d\n1;2020;01/02/2020;1,5;1,5;3;S;;\n2;x\r3;2020\n",
])
def test_plain_path_edge_files(tmp_path: Path, text: str) -> None:
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8", newline="")
    for chunk in (1, 2, 5, 1 << 16):
        assert _read(path, CsvFormat(), True, chunk) == _read(path, CsvFormat(), False, chunk)


def test_plain_path_bad_encoding(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"mun;ano\n" + b"1;2020\n" * 3 + "São;2020\n".encode("latin-1"))
    fast = _read(path, CsvFormat(), True, 1 << 16)
    assert [e.code for e in fast[5]] == ["D0108"]
    assert fast[5] == _read(path, CsvFormat(), False, 1 << 16)[5]


@settings(max_examples=200, deadline=None)
@given(records=st.lists(st.tuples(record, ending), max_size=20))
def test_text_amounts_are_the_checked_cells(tmp_path_factory: pytest.TempPathFactory,
                                            records: list[tuple[list[str], str]]) -> None:
    """With text_amounts, the same records are accepted and rejected, and every decimal value,
    converted by reader.amount, is the Decimal the typed path gives."""
    text = ";".join(NAMES) + "\n" + "".join(";".join(r) + end for r, end in records)
    path = tmp_path_factory.mktemp("t") / "t.csv"
    path.write_text(text, encoding="utf-8", newline="")
    fmt = CsvFormat()
    typed = Reader(Ledger(id="t", fields=FIELDS, format=fmt), "t", "mun")
    lazy = Reader(Ledger(id="t", fields=FIELDS, format=fmt), "t", "mun")
    st_t, st_l = ReadStats("t", "t"), ReadStats("t", "t")
    rows_t = list(typed.read_csv(path, "t.csv", st_t))
    rows_l = list(lazy.read_csv(path, "t.csv", st_l, text_amounts=True))
    dec = [i for i, f in enumerate(FIELDS) if f.type == "decimal"]
    converted = [tuple(lazy.amount(v) if i in dec else v for i, v in enumerate(r)) for r in rows_l]
    assert converted == rows_t
    assert [[str(r[i]) for i in dec] for r in converted] == [[str(r[i]) for i in dec]
                                                             for r in rows_t]  # same exponent
    assert (st_l.read, st_l.accepted, st_l.rejected, st_l.partitions) == \
        (st_t.read, st_t.accepted, st_t.rejected, st_t.partitions)


@pytest.mark.parametrize("cond", ["b > 1", "b is null", "b + 1 == 3.5", "coalesce(b, 0) == 0",
                                  "a > 1"])
def test_scan_converts_text_amounts_where_used(tmp_path: Path, cond: str) -> None:
    """A CSV input (amounts as text, converted by the scan) gives what in-memory rows give."""
    from tests.exprkit import build

    layout = f"""kind: layout
id: c
planilha: 1
source: t
filter: '{cond}'
output: {{format: impt, file: c.IMPT}}
columns:
  - {{id: V0, code: 1, label: n, value: count()}}
  - {{id: V1, code: 2, label: s, value: sum(b)}}
rows:
  - {{ref: "1", record_id: "1", otherwise: true}}
"""
    program = build(tmp_path, {"c.yaml": layout})
    cells = [("2,50", "3"), ("", "1"), ("0,00", "2"), ("1,5", ""), ("-7", "4"), ("2,50", "")]
    path = tmp_path / "t.csv"
    path.write_text("k;a;b;s;d;f\n" + "".join(f"x;{a};{b};;;\n" for b, a in cells),
                    encoding="utf-8")
    mem = [{"k": "x", "a": int(a) if a else None,
            "b": Decimal(b.replace(",", ".")) if b else None, "s": None, "d": None, "f": None}
           for b, a in cells]
    from_csv = program.run(ledgers={"t": path}, params={"p": 7})
    in_memory = program.run(ledgers={"t": mem}, params={"p": 7})
    assert from_csv.outputs == in_memory.outputs
    assert from_csv.values == in_memory.values
