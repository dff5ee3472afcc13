"""Editing a layout YAML and recompiling changes exactly the affected output lines."""

from __future__ import annotations

import shutil
from pathlib import Path

import runtime
from compiler import compile_package
from compiler.writer import write_tree
from tests.conftest import ROOT
from tests.conftest import SMALL_INPUTS

PARAMS = {"exercicio": 2020, "bimestre": 2}
FILE78 = "3170206/covid_78_despesas_estado.IMPT"


def _outputs(tmp: Path, edit) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    specs = tmp / "specs" / "siops"
    shutil.copytree(ROOT / "specs" / "siops", specs)
    edit(specs)
    res = compile_package(specs, base=tmp)
    assert not res.errors
    write_tree(tmp / "gen" / "siops", res.files)
    program = runtime.load(tmp / "gen" / "siops")
    out = program.run(ledgers=SMALL_INPUTS, params=PARAMS).outputs
    # the quadros (the bundle holds the spec sha256, which every edit changes)
    return {k: v for k, v in out.items() if k.endswith(".IMPT")}


def _lines(data: bytes) -> list[str]:
    return data.decode("utf-8").split("\r\n")


def test_editing_a_rule_changes_only_its_lines(tmp_path: Path) -> None:
    base = _outputs(tmp_path / "a", lambda specs: None)

    def edit(specs: Path) -> None:
        p = specs / "covid_78.yaml"
        text = p.read_text("utf-8")
        assert "rule: subfuncao == 122" in text
        new = text.replace("rule: subfuncao == 122", "rule: subfuncao in [122, 331]")
        p.write_text(new, "utf-8")

    new = _outputs(tmp_path / "b", edit)
    changed = [k for k in base if base[k] != new[k]]
    assert changed == [FILE78]
    old_lines, new_lines = _lines(base[FILE78]), _lines(new[FILE78])
    diff = [(a, b) for a, b in zip(old_lines, new_lines, strict=True) if a != b]
    # the fixture's subfunção-331 record in quadro 78 (empenho 1026) moves from 028 to 013
    assert [a.split(";")[1] for a, _ in diff] == ["9999999013", "9999999028"]


def test_adding_a_row_adds_one_line_and_shifts_markers(tmp_path: Path) -> None:
    base = _outputs(tmp_path / "a", lambda specs: None)

    def edit(specs: Path) -> None:
        p = specs / "covid_78.yaml"
        text = p.read_text("utf-8")
        anchor = '  - ref: "9999999028"'
        new_row = ('  - ref: "9999999031"\n    record_id: "7810"\n    label: Subfunção 331\n'
                   "    rule: subfuncao == 331\n")
        p.write_text(text.replace(anchor, new_row + anchor), "utf-8")

    new = _outputs(tmp_path / "b", edit)
    assert [k for k in base if base[k] != new[k]] == [FILE78]
    old_lines, new_lines = _lines(base[FILE78]), _lines(new[FILE78])
    assert len(new_lines) == len(old_lines) + 1
    added = [line for line in new_lines if line.startswith("78;9999999031;")]
    assert len(added) == 1 and added[0].endswith(";#L7;#C3;")
    # the row after it moved from #L7 to #L8
    assert any(line.startswith("78;9999999028;") and line.endswith("#L8;#C3;")
               for line in new_lines)
