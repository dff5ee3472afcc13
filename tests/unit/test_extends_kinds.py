"""`extends:` on ledgers and maps (layouts: tests/golden/test_extends.py and
tests/props/test_extends_merge.py): mappings merge key by key, plain lists are replaced,
`remove:` drops fields and optional keys, and the merged package checks and compiles."""

from __future__ import annotations

from pathlib import Path

from compiler import check
from tests.conftest import write_package

PACKAGE = "kind: package\nid: pkg\npartition: municipio\nparams:\n  exercicio: {type: int}\n"
LEDGER = """kind: ledger
id: despesa
provisional: campos a confirmar
format: {type: csv, delimiter: ";", decimal: ","}
fields:
  municipio: {type: str}
  grupo: {type: str}
  valor: {type: decimal}
  antigo: {type: str}
derived:
  dobro: valor * 2
  metade: valor / 2
"""
CHILD = """kind: ledger
id: despesa_2021
extends: despesa
format: {delimiter: ","}
fields:
  valor: {scale: 4}
  novo: {type: int, required: false}
derived:
  dobro: valor * 3
remove:
  fields: [antigo]
  derived: [metade]
  provisional: true
"""
MAP = """kind: map
id: grupos
source: despesa
key: [municipio, grupo]
values: [valor]
on_missing: null
"""
MAP_CHILD = "kind: map\nid: grupos_2021\nextends: grupos\nsource: despesa_2021\nvalues: [novo]\n"


def _check(tmp_path: Path, files: dict[str, str]):  # type: ignore[no-untyped-def]
    folder = write_package(tmp_path, {"package.yaml": PACKAGE, **files})
    return check(folder, base=tmp_path)


def test_a_ledger_child_merges_fields_and_removes(tmp_path: Path) -> None:
    res = _check(tmp_path, {"despesa.yaml": LEDGER, "despesa_2021.yaml": CHILD})
    assert [d.code for d in res.diagnostics] == []
    assert res.ir is not None
    led = {led.id: led for led in res.ir.ledgers}
    child, parent = led["despesa_2021"], led["despesa"]
    assert [f.name for f in child.fields] == ["municipio", "grupo", "valor", "novo"]
    valor = next(f for f in child.fields if f.name == "valor")
    assert (str(valor.type), valor.scale) == (str(next(
        f for f in parent.fields if f.name == "valor").type), 4)
    assert [d.name for d in child.derived] == ["dobro"]
    assert child.format.delimiter == "," and child.format.decimal == ","
    assert parent.format.delimiter == ";"
    # where each value was set
    assert valor.span.file == "specs/pkg/despesa_2021.yaml"
    assert next(f for f in child.fields if f.name == "grupo").span.file == "specs/pkg/despesa.yaml"


def test_a_map_child_replaces_lists_and_inherits_the_rest(tmp_path: Path) -> None:
    res = _check(tmp_path, {"despesa.yaml": LEDGER, "despesa_2021.yaml": CHILD,
                            "grupos.yaml": MAP, "grupos_2021.yaml": MAP_CHILD})
    assert [d.code for d in res.errors] == []
    assert res.ir is not None
    maps = {m.id: m for m in res.ir.maps}
    m = maps["grupos_2021"]
    assert (m.source, list(m.key), list(m.values)) == ("despesa_2021", ["municipio", "grupo"],
                                                       ["novo"])
    assert m.on_missing == maps["grupos"].on_missing == "null"


def test_an_inherited_mistake_points_at_the_parent(tmp_path: Path) -> None:
    """Once per spec it breaks, each message naming its spec, all at the parent's position."""
    bad = LEDGER.replace("metade: valor / 2", "metade: valr / 2")
    res = _check(tmp_path, {"despesa.yaml": bad, "despesa_2021.yaml": CHILD.replace(
        "  derived: [metade]\n", "")})
    errors = [(d.code, str(d.span), d.message) for d in res.errors]
    assert errors == [("R0101", "specs/pkg/despesa.yaml:12:11", f"o ledger '{lid}' não tem o "
                       "campo 'valr'") for lid in ("despesa", "despesa_2021")]


def test_package_yaml_cannot_extend(tmp_path: Path) -> None:
    res = check(write_package(tmp_path, {"package.yaml": PACKAGE + "extends: outro\n",
                                         "despesa.yaml": LEDGER}), base=tmp_path)
    assert [(d.code, str(d.span)) for d in res.errors] == [("S0102", "specs/pkg/package.yaml:6:1")]


def test_misshapen_extension_keys_are_positioned(tmp_path: Path) -> None:
    """Wrong types and unknown `remove:` keys reuse S0104/S0102, at the child's node."""
    cases = {
        "a.yaml": "kind: ledger\nid: a\nextends: [despesa]\n",                     # S0104 3:10
        "b.yaml": "kind: ledger\nid: b\nextends: despesa\nremove: [antigo]\n",     # S0104 4:9
        "c.yaml": "kind: ledger\nid: c\nextends: despesa\nremove: {field: [x]}\n",  # S0102 4:10
        "d.yaml": "kind: ledger\nid: d\nextends: despesa\nremove: {fields: x}\n",  # S0104 4:18
        "e.yaml": "kind: ledger\nid: e\nextends: despesa\nremove: {format: true}\n",  # S0102
    }
    res = _check(tmp_path, {"despesa.yaml": LEDGER, **cases})
    got = [(d.code, f"{Path(d.span.file).name}:{d.span.line}:{d.span.col}") for d in res.errors]
    assert got == [("S0104", "a.yaml:3:10"), ("S0104", "b.yaml:4:9"), ("S0102", "c.yaml:4:10"),
                   ("S0104", "d.yaml:4:18"), ("S0102", "e.yaml:4:10")]
    assert "você quis dizer 'fields'?" in (res.errors[2].help or "")
    whole = "kind: ledger\nid: f\nextends: despesa\nremove: {derived: true}\n"
    res = _check(tmp_path / "f", {"despesa.yaml": LEDGER, "f.yaml": whole})
    assert res.ir is not None and [d.code for d in res.errors] == []
    assert {led.id: len(led.derived) for led in res.ir.ledgers} == {"despesa": 2, "f": 0}


def test_removing_an_optional_key_the_parent_lacks(tmp_path: Path) -> None:
    child = "kind: ledger\nid: b\nextends: despesa\nremove: {description: true}\n"
    res = _check(tmp_path, {"despesa.yaml": LEDGER, "b.yaml": child})
    assert [(d.code, d.span.line, d.span.col) for d in res.errors] == [("S0804", 4, 23)]


def test_positions_need_extends(tmp_path: Path) -> None:
    layout = """kind: layout
id: q
planilha: 1
source: despesa
output: {format: impt, file: q.IMPT}
columns:
  - {id: V0, code: 1, label: Valor, value: sum(valor)}
rows:
  - {ref: "1", record_id: "101", rule: grupo == "a"}
  - {ref: "2", record_id: "102", rule: grupo == "b", after: "1"}
"""
    res = _check(tmp_path, {"despesa.yaml": LEDGER, "q.yaml": layout})
    assert [(d.code, d.span.line, d.span.col) for d in res.errors] == [("S0806", 10, 54)]
