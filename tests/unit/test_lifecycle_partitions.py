"""Partition values become folder names under --out (issue 7, section 2): a value that is no
folder name is D0501 at the first record that has it, two values naming one folder are D0502;
nothing is written, and every back end says the same thing at the same place."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

import runtime
from runtime.partitions import MAX_PARTITION
from runtime.partitions import partition_problem
from tests.backends.conftest import outcome
from tests.test_data_errors import GOOD
from tests.test_data_errors import HEADER
from tests.test_data_errors import PARAMS
from tests.test_data_errors import program  # noqa: F401 - the compiled 'dados' package

EQUIV = "municipio;recurso;recurso_siops\n3106200;001;001\n3106200;002;212\n"


def _row(municipio: str) -> str:
    return f"{municipio};15/01/2020;10;1,00;S;001;"


def _ledgers(tmp: Path, values: list[str]) -> dict[str, Path]:
    desp = tmp / "despesa.csv"
    desp.write_bytes(("\n".join([HEADER, GOOD[0], *(_row(v) for v in values), GOOD[1]])
                      + "\n").encode("utf-8"))
    eq = tmp / "equivalencias.csv"
    eq.write_text(EQUIV + "".join(f"{v};001;001\n" for v in dict.fromkeys(values)), "utf-8")
    return {"despesa": desp, "equivalencias": eq}


def _errors(program: runtime.Program, ledgers: dict[str, Path], backend: str,  # noqa: F811
            out: Path) -> list[Any]:
    with pytest.raises(runtime.RunFailed) as info:
        program.run_to(out, ledgers, PARAMS, state=out.parent / "s.sqlite", backend=backend)
    assert not out.exists() or [p.name for p in out.rglob("*")] == []  # nothing written
    return info.value.errors


# The examples, and one of each rule.
HOSTILE = ["../../x", "..", ".", "/tmp/abs", "a\\b", "", "x" * (MAX_PARTITION + 1), "a\x01b",
           ".apura-staging", "3170206/../3106200", "./3170206", "a\u2028b"]


@pytest.mark.parametrize("backend", ["python", "duckdb"])
@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: repr(v)[:20])
def test_a_hostile_partition_value_is_d0501_at_its_first_record(
        program: runtime.Program, tmp_path: Path, value: str, backend: str) -> None:  # noqa: F811
    ledgers = _ledgers(tmp_path, [value])
    errors = _errors(program, ledgers, backend, tmp_path / "out")
    if value == "":  # the reader rejects an empty required cell first
        assert {e.code for e in errors} == {"D0105"}
        return
    d0501 = [e for e in errors if e.code == "D0501"]
    desp = [e for e in d0501 if e.file.endswith("despesa.csv")]
    assert len(desp) == 1 and desp[0].line == 3 and desp[0].col == 1
    assert desp[0].field == "municipio"
    assert "não serve de nome de pasta" in desp[0].message
    eq = [e for e in d0501 if e.file.endswith("equivalencias.csv")]
    assert len(eq) == 1 and eq[0].line == 4
    assert not (tmp_path / "x").exists() and not Path("/tmp/abs").exists()


@pytest.mark.parametrize("backend", ["python", "duckdb"])
def test_two_values_for_one_folder_are_d0502_before_anything_is_written(
        program: runtime.Program, tmp_path: Path, backend: str) -> None:  # noqa: F811
    ledgers = _ledgers(tmp_path, ["abc", "x", "ABC", "Caf\u00e9", "Cafe\u0301"])
    errors = _errors(program, ledgers, backend, tmp_path / "out")
    got = [(Path(e.file).name, e.line, e.code) for e in errors if e.code == "D0502"]
    assert got == [("equivalencias.csv", 6, "D0502"), ("equivalencias.csv", 8, "D0502"),
                   ("despesa.csv", 5, "D0502"), ("despesa.csv", 7, "D0502")]
    first = next(e for e in errors if e.code == "D0502")
    assert "'ABC' e 'abc'" in first.message and "equivalencias.csv:4)" in first.message


def test_the_same_value_in_two_ledgers_is_one_folder(program: runtime.Program,  # noqa: F811
                                                     tmp_path: Path) -> None:
    result = program.run(ledgers=_ledgers(tmp_path, ["3170206"]), params=PARAMS)
    assert sorted(result.partitions) == ["3106200", "3170206"]


def test_the_sql_path_without_line_numbers_finds_the_first_record(
        program: runtime.Program, tmp_path: Path,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A big plain file is a DuckDB view with no line numbers: the line is found anyway."""
    from runtime.backends import duckdb as backend

    monkeypatch.setattr(backend, "_VIEW_FROM", 0)
    ledgers = _ledgers(tmp_path, ["3106200", "a..b", "../up", "../up"])
    py = outcome(program, ledgers, PARAMS, "python")
    assert py == outcome(program, ledgers, PARAMS, "duckdb")
    assert any(re.search(r"despesa.csv:5:1: erro\[D0501\]: o valor '\.\./up'", e)
               for e in py[1])


@settings(max_examples=40)
@given(st.lists(st.text(alphabet=st.sampled_from(list("a/\\.\x00\x1f\u2028 Ç0_-")),
                        min_size=1, max_size=6), min_size=1, max_size=4))
def test_generated_values_agree_on_python_and_duckdb(
        program: runtime.Program, tmp_path_factory: pytest.TempPathFactory,  # noqa: F811
        values: list[str]) -> None:
    tmp = tmp_path_factory.mktemp("p")
    ledgers = _ledgers(tmp, values)
    py = outcome(program, ledgers, PARAMS, "python")
    assert outcome(program, ledgers, PARAMS, "duckdb") == py
    bad = [v for v in values if partition_problem(v) is not None and v.strip(" ") != ""]
    if py[0] == "ok":
        assert not bad
        for part in py[4]:  # every accepted value is one plain folder name
            assert partition_problem(part) is None and Path(str(part)).name == str(part)
    elif bad:
        assert any("D0501" in e or "D0105" in e or "D0110" in e or "D0106" in e
                   for e in py[1])


def test_partition_problem_rules() -> None:
    assert partition_problem("3170206") is None
    assert partition_problem("São João del-Rei") is None
    assert partition_problem("x" * MAX_PARTITION) is None
    for v in HOSTILE + [None, "a\u2028b", "tab\there", "nul\x00"]:
        assert partition_problem(v) is not None, v


def test_spark_reports_the_same_partition_errors(program: runtime.Program,  # noqa: F811
                                                 tmp_path: Path) -> None:
    ledgers = _ledgers(tmp_path, ["../../x", "abc", "ABC", "a\x7fb"])
    expected = outcome(program, ledgers, PARAMS, "python")
    assert expected[0] == "failed" and sum("D0501" in e for e in expected[1]) == 4
    assert sum("D0502" in e for e in expected[1]) == 2
    assert outcome(program, ledgers, PARAMS, "spark") == expected
