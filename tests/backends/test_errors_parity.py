"""Bad data on the SQL back ends: the same rejected rows, fatal errors, missing map keys
(D0201), repeated map keys (D0202) and unique-row conflicts (D0301) as on the Python back end,
with the same file, line, column and text — whether DuckDB split the file or Python did."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import runtime
from tests.backends.conftest import outcome
from tests.test_data_errors import EQUIV
from tests.test_data_errors import GOOD
from tests.test_data_errors import HEADER
from tests.test_data_errors import PARAMS
from tests.test_data_errors import program  # noqa: F401 - the compiled 'dados' package

ROW = "3106200;20/02/2020;20;200,00;N;002;"
CASES = {
    "good": ([HEADER, *GOOD], EQUIV),
    "bad cells": ([HEADER, GOOD[0], "3106200;20/02/2020;vinte;200,00;N;002;",
                   "3106200;20/02/2020;20;200,005;N;002;", "3106200;30/02/2020;20;1,00;N;002;",
                   "3106200;20/02/2020;20;200,00;X;002;", ";20/02/2020;20;1,00;N;002;",
                   "3106200;2020-02-20;20;1,00;N;002;", GOOD[2]], EQUIV),
    "odd but valid cells": ([HEADER, "3106200;01/01/2020;010;-0;S;001;", "3106200;01/01/2020;"
                             "-7;0007,5;N;001;x", GOOD[1]], EQUIV),
    "valid edge cells": ([HEADER, "3106200;29/02/2020;10;-0,5;S;001;  çãõ  x ",
                          "3106200;01/01/0001;10;9999999999999999,99;N;001;",
                          "3106200;31/12/9999;-0;0;S;002;", GOOD[0]], EQUIV),
    "cells DuckDB reads but Python rejects": (
        [HEADER, GOOD[0], "3106200;01/02/2020;10;+1,00;S;001;",
         "3106200;01/02/2020;10; 1,00;S;001;",
         "3106200;01/02/2020;10;1,;S;001;", "3106200;01/02/2020;10;,5;S;001;",
         "3106200;01/02/2020;10;1.5;S;001;", "3106200;01/02/2020;10;1e3;S;001;",
         "3106200;01/01/0000;10;1,00;S;001;", "3106200;1/02/2020;10;1,00;S;001;",
         "3106200;01/02/2020;+10;1,00;S;001;", "3106200;01/02/2020; 10;1,00;S;001;",
         "3106200;01/02/2020;10;1,00;s;001;", "3106200;01/02/2020;10;1,00;S ;001;",
         "3106200;01/02/2020;10;1,00;S;;", "3106200;01/02/2020;10;1,00;S;001;\x1f",
         GOOD[1]], EQUIV),
    "too big for DECIMAL(18,2)": ([HEADER, "3106200;01/01/2020;10;99999999999999999,99;S;001;",
                                   GOOD[1]], EQUIV),
    "widths": ([HEADER, GOOD[0], "3106200;20/02/2020;20", ROW + ";extra", GOOD[1]], EQUIV),
    "empty lines": ([HEADER, GOOD[0], "", GOOD[1], ""], EQUIV),
    "quoted cells": ([HEADER, GOOD[0], '"3106200";"20/02/2020";20;"200,00";N;002;"a;b"',
                      '"31062"00;20/02/2020;20;1,00;N;002;'], EQUIV),
    "columns in another order": (["valor;municipio;data;funcao;covid;recurso;obs;extra",
                                  "100,50;3106200;15/01/2020;10;S;001;;z",
                                  "1,00;3106200;10/03/2020;10;N;001", "7;3106200"], EQUIV),
    "missing header column": (["municipio;data;funcao;valor;covid;recurso", GOOD[0]], EQUIV),
    "missing map key (D0201)": ([HEADER, GOOD[0], "3106200;20/02/2020;20;5,00;N;999;",
                                 "9999999;20/02/2020;20;5,00;N;001;", GOOD[2]], EQUIV),
    "repeated map key (D0202)": ([HEADER, *GOOD], EQUIV + "3106200;001;002\n3106200;001;003\n"),
    "two unique rows (D0301)": ([HEADER, "3106200;15/01/2020;10;5000,00;S;001;",
                                 "3106200;15/01/2020;20;5000,00;S;002;", GOOD[1]], EQUIV),
}


def _write(tmp_path: Path, lines: list[str], equiv: str, crlf: bool = False) -> dict[str, Path]:
    end = "\r\n" if crlf else "\n"
    desp = tmp_path / "despesa.csv"
    desp.write_bytes("".join(line + end for line in lines).encode("utf-8"))
    eq = tmp_path / "equivalencias.csv"
    eq.write_text(equiv, encoding="utf-8")
    return {"despesa": desp, "equivalencias": eq}


@pytest.mark.parametrize("allow_rejects", [False, True], ids=["strict", "rejects-allowed"])
@pytest.mark.parametrize("case", list(CASES))
def test_duckdb_reports_what_python_reports(program: runtime.Program, tmp_path: Path,  # noqa: F811
                                            case: str, allow_rejects: bool) -> None:
    ledgers = _write(tmp_path, *CASES[case])
    expected = outcome(program, ledgers, PARAMS, "python", allow_rejects=allow_rejects)
    assert outcome(program, ledgers, PARAMS, "duckdb", allow_rejects=allow_rejects) == expected


def test_crlf_and_latin1_files(program: runtime.Program, tmp_path: Path) -> None:  # noqa: F811
    ledgers = _write(tmp_path, [HEADER, GOOD[0], "3106200;20/02/2020;vinte;200,00;N;002;",
                                GOOD[1]], EQUIV, crlf=True)
    for allow in (False, True):
        expected = outcome(program, ledgers, PARAMS, "python", allow_rejects=allow)
        assert outcome(program, ledgers, PARAMS, "duckdb", allow_rejects=allow) == expected


@pytest.mark.parametrize("case", ["bad cells", "missing map key (D0201)",
                                  "two unique rows (D0301)", "quoted cells"])
def test_spark_reports_what_python_reports(program: runtime.Program, tmp_path: Path,  # noqa: F811
                                           case: str) -> None:
    ledgers = _write(tmp_path, *CASES[case])
    for allow in (False, True):
        expected = outcome(program, ledgers, PARAMS, "python", allow_rejects=allow)
        assert outcome(program, ledgers, PARAMS, "spark", allow_rejects=allow) == expected


@pytest.mark.parametrize("case, fast", [("good", True), ("valid edge cells", True),
                                        ("odd but valid cells", True),
                                        ("empty lines", False),
                                        ("columns in another order", False),
                                        ("bad cells", False),
                                        ("cells DuckDB reads but Python rejects", False),
                                        ("too big for DECIMAL(18,2)", False)])
def test_duckdb_typed_fast_path_only_for_files_python_accepts_whole(
        program: runtime.Program, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
        case: str, fast: bool) -> None:
    """DuckDB's typed CSV reader converts a file only when every line matched the Python
    reader's rules; any other file takes the exact path (and the outcome is Python's)."""
    from runtime.backends import duckdb as engine

    taken: list[tuple[str, bool]] = []
    original = engine.DuckDBEngine._load_typed

    def spy(self: engine.DuckDBEngine, led: Any, *args: Any) -> int | None:
        ok = original(self, led, *args)
        taken.append((led.id, ok is not None))
        return ok

    monkeypatch.setattr(engine.DuckDBEngine, "_load_typed", spy)
    ledgers = _write(tmp_path, *CASES[case])
    outcome(program, ledgers, PARAMS, "duckdb", allow_rejects=True)
    assert ("despesa", fast) in taken


def _parquet(tmp_path: Path, columns: dict[str, Any], **write: Any) -> dict[str, Path]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    desp = tmp_path / "despesa.parquet"
    pq.write_table(pa.table(columns), desp, **write)
    eq = tmp_path / "equivalencias.csv"
    eq.write_text(EQUIV, encoding="utf-8")
    return {"despesa": desp, "equivalencias": eq}


def _dados(**change: Any) -> dict[str, Any]:
    import datetime
    from decimal import Decimal

    import pyarrow as pa

    cols: dict[str, Any] = {
        "municipio": pa.array(["3106200", "3106200", "3106200"]),
        "data": pa.array([datetime.date(2020, 1, 15), datetime.date(2020, 2, 20),
                          datetime.date(2020, 3, 10)]),
        "funcao": pa.array([10, 20, 10], type=pa.int32()),
        "valor": pa.array([Decimal("100.50"), Decimal("200.00"), Decimal("1.00")],
                          type=pa.decimal128(12, 2)),
        "covid": pa.array([True, False, False]),
        "recurso": pa.array(["001", "002", "001"]),
        "obs": pa.array([None, "empenho 7", None], type=pa.string()),
    }
    cols.update(change)
    return cols


@pytest.mark.parametrize("allow_rejects", [False, True], ids=["strict", "rejects-allowed"])
@pytest.mark.parametrize("case", ["good", "null in a required field", "column of another type",
                                  "empty text in a required field", "no statistics",
                                  "no statistics, a null", "row groups of one record"])
def test_parquet_on_duckdb_reports_what_python_reports(program: runtime.Program,  # noqa: F811
                                                       tmp_path: Path, case: str,
                                                       allow_rejects: bool) -> None:
    import pyarrow as pa

    null = {"recurso": pa.array(["001", None, "001"])}
    change: dict[str, Any] = {
        "null in a required field": null, "no statistics, a null": null,
        "column of another type": {"funcao": pa.array(["10", "20", "10"])},
        "empty text in a required field": {"municipio": pa.array(["3106200", "", "3106200"])},
    }.get(case, {})
    write = {"no statistics": {"write_statistics": False},
             "no statistics, a null": {"write_statistics": False},
             "row groups of one record": {"row_group_size": 1}}.get(case, {})
    ledgers = _parquet(tmp_path, _dados(**change), **write)
    expected = outcome(program, ledgers, PARAMS, "python", allow_rejects=allow_rejects)
    if "null" in case or "empty" in case:
        assert expected[0] == ("ok" if allow_rejects else "failed")
    elif case != "column of another type":
        assert expected[0] == "ok"
    else:
        assert expected[0] == "failed"
    assert outcome(program, ledgers, PARAMS, "duckdb", allow_rejects=allow_rejects) == expected


@pytest.mark.parametrize("ending", ["lf", "crlf", "lf, no final line end", "crlf, no final",
                                    "empty line, no final line end", "crlf with one lf"])
def test_duckdb_line_ends_and_empty_lines(program: runtime.Program, tmp_path: Path,  # noqa: F811
                                          monkeypatch: pytest.MonkeyPatch, ending: str) -> None:
    """The fast path accounts for every byte of the file (DuckDB skips empty lines, Python
    rejects them): line ends of either kind, with or without a last one, and empty lines."""
    from runtime.backends import duckdb as engine

    lines = [HEADER, *GOOD]
    data = {"lf": "\n".join(lines) + "\n", "crlf": "\r\n".join(lines) + "\r\n",
            "lf, no final line end": "\n".join(lines), "crlf, no final": "\r\n".join(lines),
            "empty line, no final line end": "\n".join([HEADER, GOOD[0], "", *GOOD[1:]]),
            "crlf with one lf": "\r\n".join(lines[:2]) + "\n" + "\r\n".join(lines[2:])}
    (tmp_path / "despesa.csv").write_bytes(data[ending].encode("utf-8"))
    (tmp_path / "equivalencias.csv").write_text(EQUIV, encoding="utf-8")
    ledgers = {"despesa": tmp_path / "despesa.csv", "equivalencias": tmp_path / "equivalencias.csv"}
    taken: list[bool] = []
    original = engine.DuckDBEngine._load_typed

    def spy(self: engine.DuckDBEngine, led: Any, *args: Any) -> int | None:
        n = original(self, led, *args)
        if led.id == "despesa":
            taken.append(n is not None)
        return n

    monkeypatch.setattr(engine.DuckDBEngine, "_load_typed", spy)
    for allow in (False, True):
        expected = outcome(program, ledgers, PARAMS, "python", allow_rejects=allow)
        assert outcome(program, ledgers, PARAMS, "duckdb", allow_rejects=allow) == expected
    assert taken[0] is (ending in ("lf", "crlf", "lf, no final line end", "crlf, no final"))


def test_parquet_statistics_spare_the_null_scan_only_when_they_prove_it(
        program: runtime.Program, tmp_path: Path) -> None:  # noqa: F811
    import pyarrow as pa

    from runtime.parquet import rows_if_all_accepted

    led = program.package.ledger("despesa")
    cases = {"good": ({}, {}, 3), "row groups": ({}, {"row_group_size": 1}, 3),
             "a null": ({"recurso": pa.array(["001", None, "001"])}, {}, None),
             "empty text": ({"municipio": pa.array(["1", "", "1"])}, {}, None),
             "no statistics": ({}, {"write_statistics": False}, None),
             "optional nulls only": ({"obs": pa.array([None, None, None], type=pa.string())},
                                     {}, 3)}
    for name, (change, write, rows) in cases.items():
        folder = tmp_path / name.replace(" ", "_")
        folder.mkdir()
        path = _parquet(folder, _dados(**change), **write)["despesa"]
        assert rows_if_all_accepted(led, path) == rows, name
