"""Every output file of the SIOPS COVID quadros over the fixture ledgers, byte for byte."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from tests.conftest import FIXTURES
from tests.conftest import SMALL_INPUTS

PARAMS = {"exercicio": 2020, "bimestre": 2}
FILES = ["covid_70_receitas_uniao.IMPT", "covid_71_receitas_estado.IMPT",
         "covid_72_recursos_proprios.IMPT", "covid_77_despesas_uniao.IMPT",
         "covid_78_despesas_estado.IMPT", "covid_79_despesas_recursos_proprios.IMPT"]


@pytest.fixture(scope="module")
def small_result(siops_program):  # type: ignore[no-untyped-def]
    return siops_program.run(ledgers=SMALL_INPUTS, params=PARAMS)


@pytest.fixture(scope="module")
def large_result(siops_program, large_inputs):  # type: ignore[no-untyped-def]
    return siops_program.run(ledgers=large_inputs, params=PARAMS)


def test_small_fixture_outputs(small_result, impt_snapshot) -> None:  # type: ignore[no-untyped-def]
    """Municipio 3170206, hand-made: every file, byte for byte."""
    assert sorted(small_result.outputs) == sorted(f"3170206/{f}" for f in FILES)
    for name in FILES:
        assert small_result.outputs[f"3170206/{name}"] == impt_snapshot(name=name[:-5])


def test_large_fixture_outputs(large_result, impt_snapshot) -> None:  # type: ignore[no-untyped-def]
    """Municipio 3106200, ~100k generated despesa rows: every file, byte for byte."""
    assert sorted(large_result.outputs) == sorted(f"3106200/{f}" for f in FILES)
    for name in FILES:
        assert large_result.outputs[f"3106200/{name}"] == impt_snapshot(name=name[:-5])


def test_small_fixture_matches_hand_computed_values(small_result) -> None:  # type: ignore[no-untyped-def]
    """expected.csv was computed by hand (and an integer-cents script), not by apura."""
    ids = {"70": "covid/70", "71": "covid/71", "72": "covid/72", "77": "covid/77",
           "78": "covid/78", "79": "covid/79"}
    with open(FIXTURES / "small" / "expected.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    assert len(rows) == 12 + 2 + 2 + 17 + 9 + 9
    for r in rows:
        for col in ("V0", "V1", "V2"):
            if not r[col]:
                continue
            got = small_result.cell(ids[r["quadro"]], "3170206", r["ref"], col)
            assert got == Decimal(r[col].replace(",", ".")), (r["quadro"], r["ref"], col)


def test_every_line_follows_the_impt_format(small_result) -> None:  # type: ignore[no-untyped-def]
    data = small_result.outputs["3170206/covid_77_despesas_uniao.IMPT"]
    lines = data.split(b"\r\n")
    assert lines[-1] == b""  # CRLF after every line, including the last
    assert len(lines) - 1 == 14  # 17 rows, 3 totalizers not written
    first = lines[0].decode("utf-8")
    assert first.startswith("77;9999999013;")
    assert first.endswith(";#L0;#C3;")
    assert ";V1:[>R$" in first and "<]:-[10](Despesas Liquidadas);" in first
