"""Random ledgers (hypothesis): the SQL back ends agree with the Python back end on every
output byte, value, count and error — nulls in optional fields, negatives, zeros, extreme
decimals (±9999999999999999,99), empty groups, rows that match no rule, bad cells."""

from __future__ import annotations

import datetime
import itertools
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

import runtime
from tests.backends.conftest import outcome
from tests.conftest import ROOT

PROGRAM = runtime.load(ROOT / "generated" / "siops")
PARAMS = {"exercicio": 2020, "bimestre": 2}
HEADER = ("municipio;entidade;exercicio;empenho;data;funcao;subfuncao;natureza;recurso;saude;"
          "covid;covid_siops_desp;empenhado;anulado_empenho;liquidado;anulado_liquidacao;pago;"
          "anulado_pagamento")
EQUIV = "municipio;recurso;recurso_siops;covid\n" + "".join(
    f"{m};{r};{s};{c}\n" for m in ("1", "2", "3")  # município 3 has no despesa: empty groups
    for r, s, c in (("A", "212", "N"), ("B", "213", "S"), ("C", "001", "N"), ("D", "202", "S"),
                    ("E", "212", "S"), ("F", "001", "S")))
RECEITA = ("municipio;entidade;exercicio;data;rubrica;recurso;covid;covid_siops_rec;"
           "previsto_inicial;previsto_atualizado;arrecadado\n")

EXTREME = ["9999999999999999,99", "-9999999999999999,99", "0,00", "0", "-0,01", "0,5"]
money = st.one_of(
    st.sampled_from(EXTREME),
    st.integers(min_value=-10**12, max_value=10**12).map(
        lambda c: ("-" if c < 0 else "") + f"{abs(c) // 100},{abs(c) % 100:02d}"))
bad_cell = st.sampled_from(["", "1,234", "abc", "1.000,00", " 5", "+5"])
day = st.dates(min_value=datetime.date(2019, 12, 1), max_value=datetime.date(2020, 7, 1))


@st.composite
def despesa_line(draw: st.DrawFn) -> str:
    cells = [
        draw(st.sampled_from(["1", "2"])), "E",
        draw(st.sampled_from(["2020", "2020", "2019"])), draw(st.sampled_from(["1", "2"])),
        draw(day).strftime("%d/%m/%Y"), draw(st.sampled_from(["10", "10", "4"])),
        draw(st.sampled_from(["122", "301", "302", "303", "304", "305", "306", "128", "331"])),
        "33903900", draw(st.sampled_from("ABCDEF")), "S", draw(st.sampled_from("SN")),
        draw(st.sampled_from(["", "SAMU_192", "APOIO_RECURSOS", "OUTRO"])),
        *(draw(money) for _ in range(6))]
    if draw(st.integers(0, 19)) == 0:  # now and then a bad cell: a rejected row
        cells[draw(st.sampled_from([2, 4, 6, 10, 12, 15]))] = draw(bad_cell)
    return ";".join(cells)


_dirs = itertools.count()


def _files(lines: list[str]) -> dict[str, Path]:
    folder = Path(tempfile.mkdtemp(prefix=f"apura-random-{next(_dirs)}-"))
    (folder / "despesa.csv").write_text("\n".join([HEADER, *lines]) + "\n", "utf-8")
    (folder / "receita.csv").write_text(RECEITA, "utf-8")
    (folder / "equivalencia_recursos.csv").write_text(EQUIV, "utf-8")
    return {n: folder / f"{n}.csv" for n in ("despesa", "receita", "equivalencia_recursos")}


def _agree(lines: list[str], backend: str) -> None:
    ledgers = _files(lines)
    for allow in (True, False):
        expected = outcome(PROGRAM, ledgers, PARAMS, "python", allow_rejects=allow)
        assert outcome(PROGRAM, ledgers, PARAMS, backend, allow_rejects=allow) == expected


@given(st.lists(despesa_line(), max_size=40))
def test_duckdb_agrees_with_python(lines: list[str]) -> None:
    _agree(lines, "duckdb")


@settings(max_examples=4)
@given(st.lists(despesa_line(), min_size=1, max_size=25))
def test_spark_agrees_with_python(lines: list[str]) -> None:
    _agree(lines, "spark")
