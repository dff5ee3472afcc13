"""Hostile text in the string slots of a `derivation` spec (the output file name, a warning's
message, the description, string literals of a field and a warning condition) and in the
ledger's text cells: refused with a positioned diagnostic, or compiled into a module that loads,
runs on python and duckdb with byte-identical outputs, writes exactly the declared file, and
whose CSV reads back to the values (a cell with ';', '"' or a line break quoted, '"' doubled).

Cost: check + compile in-process (~0.2 s), both back ends in-process; max_examples 30."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import event
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

import compiler
import runtime
from tests.buildkit import write_files
from tests.props.test_hostile_specs import assert_positioned
from tests.props.test_hostile_specs import hostile
from tests.props.test_hostile_specs import yaml_str

PACKAGE = "kind: package\nid: hostil\nparams: {}\n"
LEDGER = """kind: ledger
id: registro
format: {type: csv, delimiter: ";", decimal: ",", date: DD/MM/YYYY}
fields:
  nome: {type: str}
  valor: {type: decimal}
"""
SPEC = """kind: derivation
id: saida
description: {DESC}
ledger: registro
fields:
  nome: nome
  rotulo: if nome == {LIT} then {LIT} else "outro"
warnings:
  - id: aviso
    when: nome == {LIT}
    message: {MSG}
output: {{file: {FILE}}}
"""
BENIGN = {"DESC": "d", "LIT": "x", "MSG": "m", "FILE": "saida.csv"}
cells = st.lists(st.sampled_from(["a", ";", '"', "é", "😀", " ", "--", "'", "{0}", "x"]),
                 min_size=1, max_size=5).map("".join)


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(sorted(BENIGN)), hostile, st.lists(cells, min_size=1, max_size=4))
def test_hostile_text_is_refused_or_runs_safely(slot: str, text: str, names: list[str]) -> None:
    values = {**BENIGN, slot: text}
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        specs = t / "specs"
        specs.mkdir()
        (specs / "package.yaml").write_text(PACKAGE, "utf-8")
        (specs / "registro.yaml").write_text(LEDGER, "utf-8")
        (specs / "saida.yaml").write_text(
            SPEC.format(**{k: yaml_str(v) for k, v in values.items()}), "utf-8")
        result = compiler.compile_package(specs, base=t)
        if result.errors:
            event("refused")
            assert_positioned(result)
            return
        event("compiled")
        program = runtime.load(write_files(result, t / "gen" / "hostil"))
        rows = [*names, values["LIT"]] if "\n" not in values["LIT"] else names
        src = t / "registro.csv"
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=";", lineterminator="\n")
        w.writerow(["nome", "valor"])
        w.writerows([[n, "1,00"] for n in rows])
        src.write_text(buf.getvalue(), "utf-8")
        got = [program.run(ledgers={"registro": str(src)}, params={}, backend=b)
               for b in ("python", "duckdb")]
    assert got[0].outputs == got[1].outputs
    assert list(got[0].outputs) == [values["FILE"]]
    data = got[0].outputs[values["FILE"]].decode("utf-8")
    back = list(csv.reader(io.StringIO(data, newline=""), delimiter=";"))
    expect = [[n, values["LIT"] if n == values["LIT"] else "outro"] for n in rows]
    assert back == [["nome", "rotulo"], *expect]
    assert [w.code for w in got[0].warnings if w.code == "D1803"] == \
        ["D1803"] * sum(n == values["LIT"] for n in rows)
