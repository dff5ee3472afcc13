"""Hostile text in the string slots of an `indicator` spec (name, description, legal basis,
what to provide, string literals of the filter and of a key) and in the ledger values that
become record fields (a school's name): refused with a positioned diagnostic, or compiled into
code that runs on python and duckdb with byte-identical `indicadores.csv`, every line of which
has its five fields, no raw control character or line break, and parses back (runtime/
indicator_csv.parse) to exactly the values of the records — the hostile names included.

Cost: compile in-process (~0.2 s) and two in-process runs per example; max_examples is 25."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import event
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

import runtime
from runtime.indicator_csv import parse
from runtime.indicator_csv import unsafe_char
from tests.props.test_hostile_specs import MILD
from tests.props.test_hostile_specs import PIECES
from tests.props.test_hostile_specs import assert_positioned
from tests.props.test_hostile_specs import assert_sql_intact
from tests.props.test_hostile_specs import compile_to_folder
from tests.props.test_hostile_specs import yaml_str

BENIGN = {"NAME": "Média por escola", "DESC": "a média", "BASIS": "CF art. 212",
          "REQUIRES": "a receita", "FLIT": "nenhuma", "KLIT": "outra"}
PACKAGE = ('kind: package\nid: pkg\npartition: entidade\nparams:\n  exercicio: {type: int}\n')
LEDGER = """kind: ledger
id: nota
format: {type: csv, delimiter: ";", decimal: ","}
fields:
  entidade: {type: str}
  escola: {type: str}
  nota: {type: decimal}
"""
INDICATOR = """kind: indicator
id: educacao/media
indicator: mediaescola
area: Educação
vertical: Educação
name: {NAME}
system: Educação
table: EDUCACAO_MEDIA
payload_key: mediaEscola
description: {DESC}
source: nota
filter: {FILTER}
keys: {{escola: {KEY}}}
measures:
  media: avg(nota)
  total: sum(nota)
rank: {{by: media, order: desc, n: 3, ties: [escola]}}
"""
RATIO = """kind: indicator
id: educacao/razao
indicator: razao
area: Educação
vertical: Contábil
name: {NAME}
system: Sapo
table: EDUCACAO_RAZAO
payload_key: razao
description: {DESC}
source: nota
measures:
  parte: sum(nota where escola == {FLIT})
  base: sum(nota)
ratio:
  numerator: parte
  denominator: base
  minimum: "25"
  basis: {BASIS}
  requires: {REQUIRES}
"""


def write(folder: Path, values: dict[str, str]) -> None:
    v = {k: yaml_str(values.get(k, b)) for k, b in BENIGN.items()}
    v["FILTER"] = yaml_str(f"escola != {yaml_str(values.get('FLIT', BENIGN['FLIT']))}")
    v["KEY"] = yaml_str(f"if nota > 9 then {yaml_str(values.get('KLIT', BENIGN['KLIT']))} "
                        "else escola")
    folder.mkdir(parents=True)
    (folder / "package.yaml").write_text(PACKAGE, "utf-8")
    (folder / "nota.yaml").write_text(LEDGER, "utf-8")
    (folder / "media.yaml").write_text(INDICATOR.format(**v), "utf-8")
    (folder / "razao.yaml").write_text(RATIO.format(**v), "utf-8")


def rows(names: list[str]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for i, name in enumerate(names):
        out.append({"entidade": "4205407", "escola": name, "nota": Decimal(f"{i % 10}.50")})
        out.append({"entidade": "4205407", "escola": name, "nota": Decimal("10.00")})
    return out


def check_outputs(pkg_dir: Path, names: list[str], klit: str) -> None:
    program = runtime.load(pkg_dir)
    got = {b: program.run({"nota": rows(names)}, {"exercicio": 2019}, backend=b).outputs
           for b in ("python", "duckdb")}
    assert got["python"] == got["duckdb"]
    data = got["python"]["4205407/indicadores.csv"]
    text = data.decode("utf-8")
    for line in text.split("\n")[:-1]:
        assert not any(unsafe_char(ch) for ch in line), line
    assert all(len(r) == 5 for r in csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    records = parse(data, "4205407")
    assert [r.indicator for r in records][-1] == "razao"
    escolas = {dict(r.content).get("escola") for r in records if r.indicator == "mediaescola"}
    assert escolas <= set(names) | {klit}
    assert len(escolas) == min(3, len(set(names)) + 1)


hostile = st.one_of(st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map("".join),
                    st.lists(st.sampled_from(MILD), min_size=1, max_size=4).map("".join))
# ledger values: any text a UTF-8 file can hold (no lone surrogate), control characters included
# (and what LENGTH and len() must count alike: a decomposed accent, a ZWJ emoji sequence)
cell = st.lists(st.sampled_from([p for p in PIECES if p != "\ud800"]
                                + ["e\u0301", "\U0001F468\u200d\U0001F469", "9:", "~"]),
                min_size=1, max_size=5).map("".join)


@settings(max_examples=25, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(BENIGN)), hostile, max_size=2),
       st.lists(cell, min_size=1, max_size=5))
def test_hostile_specs_and_values(tmp_path_factory: pytest.TempPathFactory,
                                  values: dict[str, str], names: list[str]) -> None:
    tmp = tmp_path_factory.mktemp("indicator")
    write(tmp / "specs", values)
    result, pkg_dir = compile_to_folder(tmp)
    event("refused" if result.errors else "compiled")
    if result.errors:
        assert_positioned(result)
        return
    assert_sql_intact(result)
    check_outputs(pkg_dir, names, values.get("KLIT", BENIGN["KLIT"]))
