"""The back ends agree on limits and on headers (issue 7, section 4): the Python back end holds
what the SQL back ends hold — ledger decimals within DECIMAL(18, scale), ints within BIGINT,
computed values within DECIMAL(38, scale) — and every back end gives a cell beyond them the same
verdict, code, position and message; extra header columns are ignored everywhere."""

from __future__ import annotations

import decimal
import itertools
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

import runtime
from tests.backends.conftest import outcome
from tests.test_data_errors import EQUIV
from tests.test_data_errors import GOOD
from tests.test_data_errors import HEADER
from tests.test_data_errors import PARAMS
from tests.test_data_errors import program  # noqa: F401 - the compiled 'dados' package

# funcao 30 matches no rule of 'quadro' but 'valor > 1000': one row, no D0301
BIG = "3106200;15/01/2020;30;{valor};S;001;"
INT = "3106200;15/01/2020;{funcao};1,00;S;001;"


def _files(lines: list[str], equiv: str = EQUIV, folder: Path | None = None) -> dict[str, Path]:
    folder = folder or Path(tempfile.mkdtemp(prefix="apura-limits-"))
    (folder / "despesa.csv").write_text("".join(f"{x}\n" for x in lines), "utf-8")
    (folder / "equivalencias.csv").write_text(equiv, "utf-8")
    return {"despesa": folder / "despesa.csv", "equivalencias": folder / "equivalencias.csv"}


def _errors(program: runtime.Program, ledgers: dict[str, Any], backend: str,  # noqa: F811
            **kw: Any) -> list[runtime.DataError]:
    with pytest.raises(runtime.RunFailed) as info:
        program.run(ledgers=ledgers, params=PARAMS, backend=backend, **kw)
    return info.value.errors


# ---------------------------------------------------------------- cells beyond the limits
LIMIT_CELLS = {
    "40-digit money": (BIG.format(valor="9" * 38 + ",00"), "valor"),
    "17 integer digits": (BIG.format(valor="1" + "0" * 16 + ",00"), "valor"),
    "-17 integer digits": (BIG.format(valor="-" + "9" * 17), "valor"),
    "int 2**63": (INT.format(funcao=2 ** 63), "funcao"),
    "int -2**63-1": (INT.format(funcao=-2 ** 63 - 1), "funcao"),
    "int 40 digits": (INT.format(funcao="1" * 40), "funcao"),
}


@pytest.mark.parametrize("backend", ["python", "duckdb"])
@pytest.mark.parametrize("case", list(LIMIT_CELLS))
def test_D0113_a_cell_beyond_the_limits_is_a_rejected_row(program: runtime.Program,  # noqa: F811
                                                          tmp_path: Path, case: str,
                                                          backend: str) -> None:
    row, field = LIMIT_CELLS[case]
    ledgers = _files([HEADER, GOOD[0], row, GOOD[2]], folder=tmp_path)
    (e,) = _errors(program, ledgers, backend)
    cell = row.split(";")[HEADER.split(";").index(field)]
    assert (e.code, e.file, e.line, e.col) == ("D0113", ledgers["despesa"].as_posix(), 3,
                                               row.index(f";{cell};") + 2)
    assert e.field == field and e.text == row and e.text[e.col - 1:][:e.width] == cell
    assert ("dígitos na parte inteira; o limite é DECIMAL(18, 2)" if field == "valor"
            else "fora do limite dos inteiros (-9223372036854775808 a 9223372036854775807)") \
        in e.message
    # with --rejects: a rejected row like any other; the run goes on without it
    r = program.run(ledgers=ledgers, params=PARAMS, backend=backend, allow_rejects=True)
    assert [x.code for x in r.rejects] == ["D0113"]
    assert r.cell("quadro", "3106200", "1") == Decimal("101.50")


@pytest.mark.parametrize("backend", ["python", "duckdb"])
def test_the_largest_values_that_fit_are_accepted(program: runtime.Program,  # noqa: F811
                                                  tmp_path: Path, backend: str) -> None:
    rows = [BIG.format(valor="9" * 16 + ",99"), BIG.format(valor="-" + "9" * 16 + ",99"),
            BIG.format(valor="0" * 30 + "1,00"), INT.format(funcao=2 ** 63 - 1),
            INT.format(funcao=-2 ** 63)]
    r = program.run(ledgers=_files([HEADER, *rows], folder=tmp_path), params=PARAMS,
                    backend=backend)
    assert r.inputs[-1].accepted == 5
    assert r.cell("quadro", "3106200", "3") == Decimal("9" * 16 + ".99")  # valor > 1000


@pytest.mark.parametrize("backend", ["python", "duckdb"])
def test_D0113_in_memory_values_beyond_the_limits(program: runtime.Program,  # noqa: F811
                                                  tmp_path: Path, backend: str) -> None:
    names = HEADER.split(";")
    good = dict(zip(names, GOOD[0].split(";"), strict=True))
    rows = [good, {**good, "valor": Decimal("1e17")}, {**good, "funcao": 2 ** 63},
            {**good, "valor": 1.5}, {**good, "valor": Decimal("1.005")}]
    ledgers = {"despesa": rows, "equivalencias": _files([HEADER], folder=tmp_path)
               ["equivalencias"]}
    errors = _errors(program, ledgers, backend)
    assert [(e.code, e.file, e.line, e.field) for e in errors] == [
        ("D0113", "<memória:despesa>", 2, "valor"), ("D0113", "<memória:despesa>", 3, "funcao"),
        ("D0102", "<memória:despesa>", 4, "valor"), ("D0102", "<memória:despesa>", 5, "valor")]


@pytest.mark.parametrize("case", ["40-digit money", "int 2**63"])
def test_spark_rejects_cells_beyond_the_limits_like_python(program: runtime.Program,  # noqa: F811
                                                           tmp_path: Path, case: str) -> None:
    ledgers = _files([HEADER, GOOD[0], LIMIT_CELLS[case][0], GOOD[2]], folder=tmp_path)
    for allow in (False, True):
        expected = outcome(program, ledgers, PARAMS, "python", allow_rejects=allow)
        assert outcome(program, ledgers, PARAMS, "spark", allow_rejects=allow) == expected


# ---------------------------------------------------------------- extra header columns
def _extra(position: int, rows: list[str], fill: str = "x") -> list[str]:
    def put(line: str, value: str) -> str:
        cells = line.split(";")
        cells.insert(position, value)
        return ";".join(cells)
    return [put(HEADER, "extra"), *(put(r, fill) for r in rows)]


EXTRA = {
    "at the end": _extra(7, GOOD),
    "at the end, empty cells": _extra(7, GOOD, fill=""),
    "in the middle": _extra(3, GOOD),
    "first": _extra(0, GOOD),
    "two at the end": [HEADER + ";a;b", *(g + ";1;2" for g in GOOD)],
}


@pytest.mark.parametrize("backend", ["python", "duckdb"])
@pytest.mark.parametrize("case", list(EXTRA))
def test_extra_header_columns_are_ignored(program: runtime.Program, tmp_path: Path,  # noqa: F811
                                          case: str, backend: str) -> None:
    plain = outcome(program, _files([HEADER, *GOOD]), PARAMS, backend)
    got = outcome(program, _files(EXTRA[case], folder=tmp_path), PARAMS, backend)
    assert got[0] == "ok", got
    assert got[1:3] == plain[1:3]  # outputs and values: as without the extra column
    assert [(s[2], s[3], s[4], s[6]) for s in got[3]] == [(2, 2, [], None), (3, 3, [], 3)]


@pytest.mark.parametrize("backend", ["python", "duckdb"])
def test_D0106_a_record_has_the_width_of_the_header(program: runtime.Program,  # noqa: F811
                                                    tmp_path: Path, backend: str) -> None:
    """With extra header columns a record still has as many cells as the header: one cell
    fewer (the extra column's) or more is D0106, on every back end."""
    lines = [*_extra(7, GOOD[:2]), GOOD[2], GOOD[2] + ";x;y"]
    ledgers = _files(lines, folder=tmp_path)
    errors = _errors(program, ledgers, backend)
    assert [(e.code, e.line, e.col, e.message) for e in errors] == [
        ("D0106", 4, 1, "a linha tem 7 coluna(s); esperava 8"),
        ("D0106", 5, 1, "a linha tem 9 coluna(s); esperava 8")]


def test_spark_ignores_extra_header_columns(program: runtime.Program) -> None:  # noqa: F811
    for case in ("at the end", "in the middle"):
        ledgers = _files(EXTRA[case])
        assert outcome(program, ledgers, PARAMS, "spark") == \
            outcome(program, ledgers, PARAMS, "python")
    ledgers = _files([*_extra(7, GOOD[:2]), GOOD[2]])
    assert outcome(program, ledgers, PARAMS, "spark") == \
        outcome(program, ledgers, PARAMS, "python")


# ---------------------------------------------------------------- computed values: 38 digits
@pytest.fixture(scope="module")
def squares(tmp_path_factory: pytest.TempPathFactory) -> runtime.Program:
    """'dados' with a column whose sums reach 38 digits: sum(valor * valor)."""
    from compiler import compile_package
    from compiler.writer import write_tree
    from tests.conftest import write_package
    from tests.test_data_errors import SPECS

    specs = dict(SPECS)
    specs["quadro.yaml"] = SPECS["quadro.yaml"].replace("hit_policy: unique", "hit_policy: first") \
        .replace("    value: sum(valor)\n", "    value: sum(valor)\n  - id: V1\n    code: 2\n"
                 "    label: Quadrado\n    value: sum(valor * valor)\n")
    tmp = tmp_path_factory.mktemp("squares")
    res = compile_package(write_package(tmp, specs), base=tmp)
    assert res.errors == []
    write_tree(tmp / "gen" / res.package_id, res.files)
    return runtime.load(tmp / "gen" / res.package_id)


def _money(digits: int, cents: int = 99) -> str:
    return ("9" * digits or "0") + f",{cents:02d}"


@pytest.mark.parametrize("backend", ["python", "duckdb"])
def test_D0111_a_sum_beyond_38_digits_on_every_back_end(squares: runtime.Program,
                                                        tmp_path: Path, backend: str) -> None:
    """(10^16)^2 x 100 rows needs 35 integer digits + 4 decimals: beyond DECIMAL(38, 4). The
    Python back end no longer rounds it silently: D0111 at the ledger, as the SQL engine
    (which does not tell the record) reports it."""
    row = f"3106200;15/01/2020;10;{_money(16)};S;001;"
    ok = program_run(squares, _files([HEADER, *[row] * 99], folder=tmp_path), backend)
    wide, v = decimal.Context(prec=60), Decimal(_money(16).replace(",", "."))
    # 34 integer digits: fits, exactly
    assert ok.cell("quadro", "3106200", "1", "V1") == wide.multiply(wide.multiply(v, v), 99)
    ledgers = _files([HEADER, *[row] * 101], folder=tmp_path)
    (e,) = _errors(squares, ledgers, backend)
    assert (e.code, e.file, e.line, e.col) == ("D0111", ledgers["despesa"].as_posix(), 0, 0)
    assert e.message == ("um valor calculado sobre 'despesa' passa de 38 dígitos (o limite é "
                         "DECIMAL(38, escala))")


def program_run(pkg: runtime.Program, ledgers: dict[str, Any],
                backend: str) -> runtime.Result:
    return pkg.run(ledgers=ledgers, params=PARAMS, backend=backend)


def test_D0111_on_spark_too(squares: runtime.Program) -> None:
    row = f"3106200;15/01/2020;10;{_money(16)};S;001;"
    for n in (99, 101):
        ledgers = _files([HEADER, *[row] * n])
        assert outcome(squares, ledgers, PARAMS, "spark") == \
            outcome(squares, ledgers, PARAMS, "python")


# ---------------------------------------------------------------- hypothesis: near the limits
near_money = st.builds(
    lambda sign, digits, cents: sign + _money(digits, cents),
    st.sampled_from(["", "-"]), st.integers(min_value=13, max_value=17),
    st.integers(min_value=0, max_value=99))
near_int = st.sampled_from([2 ** 63 - 1, 2 ** 63, -2 ** 63, -2 ** 63 - 1, 10 ** 18, 10 ** 19,
                            10, 20])
_dirs = itertools.count()


@st.composite
def near_limits(draw: st.DrawFn) -> list[str]:
    big = draw(near_money)
    n = draw(st.integers(min_value=1, max_value=120))  # many copies: sums near 38 digits
    lines = [f"3106200;15/01/2020;10;{big};S;001;"] * n
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        lines.insert(draw(st.integers(0, len(lines))),
                     f"3106200;20/02/2020;{draw(near_int)};{draw(near_money)};N;001;")
    return lines


def _near_files(lines: list[str]) -> dict[str, Path]:
    folder = Path(tempfile.mkdtemp(prefix=f"apura-near-{next(_dirs)}-"))
    return _files([HEADER, *lines], folder=folder)


@settings(max_examples=40)
@given(near_limits())
def test_python_and_duckdb_agree_near_the_limits(squares: runtime.Program,
                                                 lines: list[str]) -> None:
    ledgers = _near_files(lines)
    for allow in (False, True):
        assert outcome(squares, ledgers, PARAMS, "duckdb", allow_rejects=allow) == \
            outcome(squares, ledgers, PARAMS, "python", allow_rejects=allow)


@settings(max_examples=3)
@given(near_limits())
def test_python_and_spark_agree_near_the_limits(squares: runtime.Program,
                                                lines: list[str]) -> None:
    ledgers = _near_files(lines)
    assert outcome(squares, ledgers, PARAMS, "spark", allow_rejects=True) == \
        outcome(squares, ledgers, PARAMS, "python", allow_rejects=True)


# ---------------------------------------------------------------- records that reach a layout
OTHER = "9999999"  # a second município, with only 2019 records: it gets a D0601 warning
REACH_EQUIV = EQUIV + f"{OTHER};001;001\n{OTHER};002;212\n"
REACH_ROWS = [
    *GOOD,                                          # 3 records in 2020, each in a row
    "3106200;15/01/2019;10;5,00;S;001;",            # another year: not in the filter
    "3106200;15/05/2020;10;5,00;S;001;",            # bimestre 3 > 2: not in the filter
    "3106200;15/01/2020;30;5,00;S;002;",            # in the filter, no rule matches: no row
    f"{OTHER};15/01/2019;10;5,00;S;001;", f"{OTHER};20/02/2019;20;1,00;N;002;",
]


def _expected_reached(lines: list[str], params: dict[str, int]) -> dict[str, int]:
    """By hand, from the rules of 'quadro': year == exercicio, bimestre <= bimestre, and one of
    funcao == 10 / funcao 20 with recurso 002 (→ 212) / valor > 1000."""
    out: dict[str, int] = {}
    for line in lines:
        mun, data, funcao, valor, _, recurso, _ = line.split(";")
        day, month, year = map(int, data.split("/"))
        in_filter = year == params["exercicio"] and (month + 1) // 2 <= params["bimestre"]
        row = funcao == "10" or (funcao == "20" and recurso == "002") or \
            Decimal(valor.replace(",", ".")) > 1000
        out.setdefault(mun, 0)
        out[mun] += in_filter and row
    return out


@pytest.mark.parametrize("backend", ["python", "duckdb"])
@pytest.mark.parametrize("exercicio", [2020, 2021])
def test_D0601_reached_counts_and_a_warning_per_partition_that_got_none(
        program: runtime.Program, tmp_path: Path, backend: str,  # noqa: F811
        exercicio: int) -> None:
    params = {**PARAMS, "exercicio": exercicio}
    ledgers = _files([HEADER, *REACH_ROWS], REACH_EQUIV, folder=tmp_path)
    r = program.run(ledgers=ledgers, params=params, backend=backend)  # exit 0: warnings only
    expected = _expected_reached(REACH_ROWS, params)
    desp = r.inputs[-1]
    assert (desp.name, desp.reached) == ("despesa", sum(expected.values()))
    assert desp.reached_partitions == {m for m, n in expected.items() if n}
    assert r.inputs[0].reached is None  # the map's source feeds no layout
    none = sorted(m for m, n in expected.items() if not n)
    assert none == ([OTHER] if exercicio == 2020 else ["3106200", OTHER])
    assert [(w.code, w.severity, w.file, w.line, w.col) for w in r.warnings] == \
        [("D0601", "aviso", ledgers["despesa"].as_posix(), 1, 1)] * len(none)
    assert [w.message for w in r.warnings] == [
        f"nenhum registro de 'despesa' do municipio {m} chegou a um layout ('quadro'): nenhum "
        "passou no filtro e casou com uma linha" for m in none]
    assert r.warnings[0].render().startswith(f"{ledgers['despesa'].as_posix()}:1:1: "
                                             "aviso[D0601]: ")


def test_reached_counts_on_spark_match(program: runtime.Program) -> None:  # noqa: F811
    for exercicio in (2020, 2021):
        params = {**PARAMS, "exercicio": exercicio}
        ledgers = _files([HEADER, *REACH_ROWS], REACH_EQUIV)
        assert outcome(program, ledgers, params, "spark") == \
            outcome(program, ledgers, params, "python")


def test_the_siops_fixture_reaches_the_same_records_on_every_back_end(
        siops_program: runtime.Program) -> None:
    from tests.conftest import SMALL_INPUTS

    for exercicio in (2020, 2021):
        params = {"exercicio": exercicio, "bimestre": 2}
        got = {b: outcome(siops_program, SMALL_INPUTS, params, b)
               for b in ("python", "duckdb", "spark")}
        assert got["duckdb"] == got["python"] and got["spark"] == got["python"]
        reached = {s[0]: s[6] for s in got["python"][3]}
        assert reached["equivalencia_recursos"] is None
        assert (reached["despesa"] > 0 and reached["receita"] > 0) is (exercicio == 2020)
        # D0601 warnings (the D0702 of the função-10 check fires on 2020: tests/unit/
        # test_checks_run.py)
        d0601 = [w for w in got["python"][5] if "[D0601]" in w]
        assert len(d0601) == (0 if exercicio == 2020 else 2)


def test_cli_summary_prints_the_counts_and_the_warnings(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.cli.test_cli import compiled
    from tests.cli.test_cli import invoke
    from tests.cli.test_cli import run_args
    from tests.conftest import write_package
    from tests.test_data_errors import SPECS

    monkeypatch.chdir(tmp_path)
    write_package(tmp_path, SPECS)
    _files([HEADER, *REACH_ROWS], REACH_EQUIV, folder=tmp_path)
    compiled(tmp_path)
    result = invoke(*run_args(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert "despesa.csv: 8 lidas, 8 aceitas, 0 rejeitadas, 3 chegaram a um layout" in result.stdout
    assert "equivalencias.csv: 4 lidas, 4 aceitas, 0 rejeitadas\n" in result.stdout
    assert (f"despesa.csv:1:1: aviso[D0601]: nenhum registro de 'despesa' do municipio {OTHER} "
            "chegou a um layout") in result.stderr
