"""Hostile text in every string slot of a `sheets` package (compiler/kinds/sheets), and in the
cells of the tables it writes from: refused with a positioned diagnostic, or compiled into code
that holds no table cell, runs on python and duckdb under an audit hook with byte-identical
outputs, writes only inside the out folder, and writes well-formed IMPT lines whose values are
the sums a hand oracle computes from the records.

The slots: the sheets id, the column labels, the map names it references, the fields it reads
(record_id, marker, stem), the mask, the string literals of the part's filter, planilha code,
row and value expressions (tests/props/test_hostile_specs.py's hostile text); and the tables'
cells — row keys, record ids, markers, the group values that make the planilha codes, file
stems — with quotes, ';', CR/LF, NUL, '{'/'}' (the line is built with str.format), '..', '/',
U+2028, very long text, NFD accents; the int parts of the codes come from a table of ints
(negative, 0, the int64 bounds) and are joined as str(int) in Python, CAST(.. AS VARCHAR) in
SQL.

Cost: check + compile in-process (~0.2 s), one subprocess per compiled example running both
back ends (~1.5 s); max_examples is 20.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

import compiler
from tests.conftest import ROOT
from tests.props.test_hostile_specs import MILD
from tests.props.test_hostile_specs import PIECES
from tests.props.test_hostile_specs import assert_positioned
from tests.props.test_hostile_specs import assert_sql_intact
from tests.props.test_hostile_specs import yaml_str

MARK = "☃"  # every benign table cell carries it: no generated code may hold it

# The spec slots ({X} in the templates, written with yaml_str) and their benign values.
SPEC = {
    "SHEETS_ID": "despesa/execucao", "FILES_MAP": "arquivo", "ROWS_MAP": "linha",
    "STEM_FIELD": "nome", "RECORD_ID_FIELD": "campo", "MARKER_FIELD": "linha",
    "LABEL0": "Despesas Empenhadas", "LABEL1": "Registros",
    "FLIT": "nenhuma", "GDEF": "10", "RLIT": "nenhum", "VLIT": "nenhuma",
}
MASK_SLOT = "MASK"  # absent unless hostile: `mask:` in rows
# The table cells (written into the CSVs) and their benign values.
CELLS = {
    "KEY0": MARK + "3390300000", "KEY1": MARK + "3390390000",
    "RID0": MARK + "519", "RID1": MARK + "549", "MARK0": "#L0", "MARK1": "#L1",
    "FONTE0": MARK + "100", "FONTE1": MARK + "200", "GRP0": MARK + "3", "GRP1": MARK + "4",
    "STEM0": MARK + " Desp Administração", "STEMN": MARK + " Outra",
}

PACKAGE = "kind: package\nid: teste\npartition: municipio\nparams: {}\n"
LEDGER = """kind: ledger
id: gasto
format: {type: csv, delimiter: ";", decimal: ","}
fields:
  municipio: {type: str}
  fonte: {type: str}
  subfuncao: {type: int}
  elemento: {type: str}
  valor: {type: decimal}
"""
TABLES = {  # id → (columns, key, map values, on_missing, map id)
    "grupos": ("  fonte: {type: str}\n  grupo: {type: str}\n", "fonte", "grupo", '"null"',
               "grupo"),
    "subgrupos": ("  subfuncao: {type: int}\n  grupo: {type: int}\n", "subfuncao", "grupo",
                  '"null"', "subgrupo"),
    "linhas": ("  codigo: {type: str}\n  campo: {type: str}\n  linha: {type: str}\n", "codigo",
               "campo, linha", "error", "linha"),
    "arquivos": ("  codigo: {type: str}\n  nome: {type: str}\n", "codigo", "nome", "error",
                 "arquivo"),
}
SHEETS = """kind: sheets
id: {SHEETS_ID}
output: {{format: impt, files: {FILES_MAP}, stem: {STEM_FIELD}}}
rows: {{map: {ROWS_MAP}, record_id: {RECORD_ID_FIELD}, marker: {MARKER_FIELD}{MASK}}}
columns:
  - {{id: V0, code: 9, label: {LABEL0}}}
  - {{id: V1, code: 3, label: {LABEL1}}}
parts:
  - source: gasto
    filter: {FILTER}
    sheet:
      - {SHEET0}
      - {SHEET1}
    row: {ROW}
    values:
      V0: {VALUE0}
{V1}"""
V1_HERE = "      V1: {VALUE1}\n"
# or V1 from a second part on the same ledger, without a filter (it counts every record)
V1_PART = """  - source: gasto
    sheet:
      - {SHEET0}
      - {SHEET1}
    row: {ROW}
    values:
      V1: {VALUE1}
"""
EXPRS = {  # the expressions, with the literal slots in them (a literal holds no '"')
    "FILTER": 'fonte != "{FLIT}" and valor != 0',
    "SHEET0": 'coalesce(lookup(grupo, fonte).grupo, "{GDEF}")',
    "SHEET1": "coalesce(lookup(subgrupo, subfuncao).grupo, {IDEF})",
    "ROW": 'if elemento == "{RLIT}" then "{RLIT}" else elemento',
    "VALUE0": 'sum(valor where fonte != "{VLIT}")',
    "VALUE1": "count()",
}


def _csv(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=",", lineterminator="\n").writerows(rows)
    return buf.getvalue()


class Example:
    """One package: the slots' values, the ints of the codes, the records."""

    def __init__(self, values: dict[str, str], ints: dict[str, int],
                 records: list[tuple[int, int, int, int]], stray: bool,
                 two_parts: bool = False) -> None:
        self.two_parts = two_parts
        self.spec = {**SPEC, **{k: v for k, v in values.items() if k in SPEC}}
        self.mask = values.get(MASK_SLOT)
        self.cell = {**CELLS, **{k: v for k, v in values.items() if k in CELLS}}
        self.ints = ints
        self.records = records
        self.stray = stray

    # --- the tables
    def grupos(self) -> dict[str, str]:
        c = self.cell
        return {c["FONTE0"]: c["GRP0"], c["FONTE1"]: c["GRP1"]}

    def subgrupos(self) -> dict[int, int]:
        return {self.ints["SUB0"]: self.ints["I0"], self.ints["SUB1"]: self.ints["I1"]}

    def codes(self) -> list[str]:
        """Every planilha code the part can make (hand-joined: group '_' subgroup)."""
        groups = [*self.grupos().values(), self.spec["GDEF"]]
        subs = [*self.subgrupos().values(), self.ints["IDEF"]]
        return list(dict.fromkeys(f"{g}_{s}" for g in groups for s in subs))

    def keys(self) -> list[str]:
        return [self.cell["KEY0"], self.cell["KEY1"]]

    def write(self, folder: Path) -> None:
        folder.mkdir(parents=True)
        c = self.cell
        csvs = {
            "grupos": [["fonte", "grupo"], *map(list, self.grupos().items())],
            "subgrupos": [["subfuncao", "grupo"],
                          *([str(k), str(v)] for k, v in self.subgrupos().items())],
            "linhas": [["codigo", "campo", "linha"], [c["KEY0"], c["RID0"], c["MARK0"]],
                       [c["KEY1"], c["RID1"], c["MARK1"]]],
            "arquivos": [["codigo", "nome"], *([code, c["STEM0"] if n == 0 else
                                                f"{c['STEMN']} {n}"]
                                               for n, code in enumerate(self.codes()))],
        }
        (folder / "package.yaml").write_text(PACKAGE, "utf-8")
        (folder / "gasto.yaml").write_text(LEDGER, "utf-8")
        for tid, (columns, key, values, missing, mid) in TABLES.items():
            (folder / f"{tid}.yaml").write_text(
                f"kind: table\nid: {tid}\nsource: gerado pelo hypothesis\nfile: {tid}.csv\n"
                f"format: {{delimiter: \",\"}}\ncolumns:\n{columns}key: [{key}]\n", "utf-8")
            # a lone surrogate (from a literal the codes are made of) as its bad UTF-8 bytes
            (folder / f"{tid}.csv").write_bytes(_csv(csvs[tid]).encode("utf-8", "surrogatepass"))
            (folder / f"{mid}.yaml").write_text(
                f"kind: map\nid: {mid}\nsource: {tid}\nkey: [{key}]\nvalues: [{values}]\n"
                f"on_missing: {missing}\n", "utf-8")
        raw = {**self.spec, "IDEF": str(self.ints["IDEF"])}
        quoted = {k: yaml_str(v) for k, v in self.spec.items()}
        quoted.update({k: yaml_str(t.format(**raw)) for k, t in EXPRS.items()})
        quoted["MASK"] = "" if self.mask is None else f", mask: {yaml_str(self.mask)}"
        quoted["V1"] = (V1_PART if self.two_parts else V1_HERE).format(**quoted)
        (folder / "despesa.yaml").write_text(SHEETS.format(**quoted), "utf-8")

    # --- the records and what they must write
    def ledger(self) -> list[dict[str, str]]:
        fontes = [*self.grupos(), "fora" + MARK]
        subs = [*self.subgrupos(), 999_999]
        out = [{"municipio": "1", "fonte": fontes[f], "subfuncao": str(subs[s]),
                "elemento": self.keys()[e], "valor": _money(v)}
               for f, s, e, v in self.records]
        if self.stray:
            out.append({"municipio": "1", "fonte": fontes[0], "subfuncao": "1",
                        "elemento": MARK + "fora da tabela", "valor": "1,00"})
        return out

    def expected(self) -> dict[str, list[tuple[str, int, int]]]:
        """Planilha code → its lines (row key, V0 in cents, V1), in table order: the filter
        drops fonte == FLIT and valor 0, V0 sums the cents of the records whose fonte is not
        VLIT, V1 counts the records (every one, when a second part without filter gives it); a line
        is written when V0 or V1 is not zero."""
        grupos, subgrupos = self.grupos(), self.subgrupos()
        fontes = [*grupos, "fora" + MARK]
        subs = [*subgrupos, 999_999]
        acc: dict[tuple[str, str], list[int]] = {}
        for f, s, e, v in self.records:
            fonte = fontes[f]
            taken = fonte != self.spec["FLIT"] and v != 0
            if not taken and not self.two_parts:
                continue
            group = grupos.get(fonte, self.spec["GDEF"])
            code = f"{group}_{subgrupos.get(subs[s], self.ints['IDEF'])}"
            got = acc.setdefault((code, self.keys()[e]), [0, 0])
            got[0] += v if taken and fonte != self.spec["VLIT"] else 0
            got[1] += 1
        out: dict[str, list[tuple[str, int, int]]] = {}
        for key in self.keys():  # table order
            for (code, k), (v0, v1) in sorted(acc.items()):
                if k == key and (v0 or v1):
                    out.setdefault(code, []).append((key, v0, v1))
        return out


def _money(cents: int) -> str:
    """Cents as the ledger (decimal ',') and the IMPT write them: -1234 → '-12,34'."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100},{abs(cents) % 100:02d}"


# Runs both back ends in a fresh interpreter under the audit hook of test_hostile_specs.
RUNNER = r'''
import json, os, pkgutil, sys, importlib
from pathlib import Path
root, pkg_dir, out_dir, rows_json = sys.argv[1:5]
sys.path.insert(0, root)
import duckdb, pyarrow  # imported before the hook: their own namedtuples eval
import runtime, runtime.program
from runtime.errors import RunFailed
for m in pkgutil.walk_packages(runtime.__path__, "runtime."):
    if "spark" not in m.name:
        importlib.import_module(m.name)
allowed_roots = [str(Path(root, "runtime")), sys.base_prefix, sys.prefix]
generated = str(Path(pkg_dir, "__init__.py"))
def source_file(name):
    name = str(name)
    return name == generated or name.startswith("<apura: conversor de linha") or (
        os.path.isfile(name) and any(name.startswith(r) for r in allowed_roots))
def hook(event, args):
    if event in ("os.system", "subprocess.Popen", "os.posix_spawn", "os.exec", "os.spawn",
                 "os.fork", "os.forkpty", "pty.spawn", "ctypes.dlopen"):
        raise SystemExit(f"AUDIT {event} {args!r}")
    if event == "exec" and not source_file(getattr(args[0], "co_filename", "")):
        raise SystemExit(f"AUDIT exec {args!r}")
    if event == "compile" and not source_file(args[1]):
        raise SystemExit(f"AUDIT compile {args[1]!r}")
sys.addaudithook(hook)
program = runtime.load(pkg_dir)
got = {}
for backend in ("python", "duckdb"):
    try:
        result = program.run(ledgers={"gasto": json.loads(rows_json)}, params={},
                             backend=backend)
    except RunFailed as exc:
        got[backend] = {"failed": [e.render() for e in exc.errors]}
        continue
    out = Path(out_dir, backend)
    written = result.write(out)
    got[backend] = {"outputs": {k: v.decode("utf-8") for k, v in result.outputs.items()},
                    "warnings": [w.render() for w in result.warnings],
                    "reached": [(st.name, st.reached) for st in result.inputs],
                    "written": [str(Path(w[0]).resolve()) for w in written]}
print(json.dumps(got))
'''


def run_both(pkg_dir: Path, out_dir: Path, rows: list[dict[str, str]]) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, "-c", RUNNER, str(ROOT), str(pkg_dir), str(out_dir),
                           json.dumps(rows)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def compile_example(tmp: Path, ex: Example) -> tuple[compiler.CompileResult, Path]:
    specs = tmp / "specs"
    ex.write(specs)
    result = compiler.compile_package(specs, base=tmp)
    pkg_dir = tmp / "generated" / "teste"
    if not result.errors:
        from compiler.writer import write_tree

        write_tree(pkg_dir, result.files)
    return result, pkg_dir


def assert_no_cell_in_code(result: compiler.CompileResult) -> None:
    """The tables' cells are data: only the tables' copies hold them, never the module nor
    the SQL (the spec's literals and labels are quoted there; they carry no MARK)."""
    code = [v for k, v in result.files.items() if not k.startswith("tables/")]
    assert code and all(MARK not in v for v in code)


def assert_lines(ex: Example, got: dict[str, Any], out_dir: Path) -> None:
    """The python outputs: one file per planilha with lines, each line the oracle's; written
    only under out_dir/python, nothing else there but the lock."""
    outputs: dict[str, str] = got["outputs"]
    want = ex.expected()
    by_code: dict[str, str] = {}
    for name, text in outputs.items():
        part, _, file = name.partition("/")
        assert part == "1" and "/" not in file and "\\" not in file, name
        assert file.endswith(".IMPT") and not file.startswith("."), name
        assert all(unicodedata.category(ch) not in ("Cc", "Zl", "Zp") for ch in file), name
        code = text.split(";", 1)[0]  # the planilha of its lines (checked below, line by line)
        assert file.startswith(f"{code}_") and code not in by_code, (name, by_code)
        by_code[code] = text
    assert sorted(by_code) == sorted(want)
    labels = [ex.spec["LABEL0"], ex.spec["LABEL1"]]
    rids = dict(zip(ex.keys(), [ex.cell["RID0"], ex.cell["RID1"]], strict=True))
    marks = dict(zip(ex.keys(), [ex.cell["MARK0"], ex.cell["MARK1"]], strict=True))
    for code, text in by_code.items():
        assert text.endswith("\r\n")
        lines = text[:-2].split("\r\n")
        assert len(lines) == len(want[code])
        for line, (key, v0, v1) in zip(lines, want[code], strict=True):
            assert len(line.splitlines()) == 1 and "\r" not in line and "\n" not in line, line
            fields = line.split(";")
            assert fields == [code, key, rids[key],
                              f"V0:[>R${_money(v0)}<]:-[9]({labels[0]})",
                              f"V1:[>R${_money(v1 * 100)}<]:-[3]({labels[1]})",
                              marks[key], "#C2", ""], line
    on_disk = sorted(p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*")
                     if p.is_file())
    # the outputs and apura's lock (none when there is nothing to write), nothing else
    assert on_disk == sorted([".apura.lock", *outputs] if outputs else []), on_disk
    assert all(Path(w).is_relative_to(out_dir.resolve()) for w in got["written"])


def check_example(tmp: Path, ex: Example) -> str:
    result, pkg_dir = compile_example(tmp, ex)
    if result.errors:
        assert_positioned(result)
        return "refused " + ",".join(sorted({d.code for d in result.errors}))
    assert_sql_intact(result)
    assert_no_cell_in_code(result)
    out_dir = tmp / "out"
    got = run_both(pkg_dir, out_dir, ex.ledger())
    for what in ("outputs", "warnings", "reached", "failed"):  # byte for byte, and the rest
        assert got["python"].get(what) == got["duckdb"].get(what), (what, got)
    if ex.stray:  # a row key that is no line of the table: D0201, on both, alike
        assert got["python"] == got["duckdb"], got
        assert [e.split("erro[", 1)[1][:5] for e in got["python"]["failed"]] == ["D0201"], got
        return "D0201"
    assert "outputs" in got["python"], got
    assert_lines(ex, got["python"], out_dir / "python")
    assert_lines(ex, got["duckdb"], out_dir / "duckdb")
    return "ran"


# ---------------------------------------------------------------- hostile text
NFD = unicodedata.normalize("NFD", "ação é")
CELL_PIECES = [p for p in PIECES if p != "\ud800"] + [
    NFD, "\u2028", "{V0}", "{sheet}", "{key}", "{0!r}", "{:>99999}", "}{", "../", "/..",
    "x" * 300, MARK]
# Printable text a cell may hold, but tricky where it is written (so that a fair share of the
# examples reach the writer with it): ';' splits fields, '{' '}' str.format, '_' the code.
MILD_CELL = [";", "{", "}", "{V0}", "{key}", "}{", "..", ".", "a", "A", " ", "_", "-1", "é",
             NFD, "x" * 300, MARK]
cell_text = st.one_of(st.lists(st.sampled_from(CELL_PIECES), min_size=1, max_size=5).map("".join),
                      st.lists(st.sampled_from(MILD_CELL), min_size=1, max_size=4).map("".join))
spec_text = st.one_of(st.lists(st.sampled_from(PIECES + ["{V0}", "{key}", NFD]), min_size=1,
                               max_size=6).map("".join),
                      st.lists(st.sampled_from(MILD), min_size=1, max_size=4).map("".join))
# a spec slot gets spec text (a literal slot: no '"', which ends a literal), a cell cell text
SLOTS = sorted([*SPEC, MASK_SLOT, *CELLS])
# a table's int cells are int64 (beyond: S1008); a literal may be larger (10**40 runs alike)
INT64 = st.one_of(st.integers(-(2**63), 2**63 - 1), st.sampled_from([0, -1, -(2**63),
                                                                       2**63 - 1, 10**18, 2**63]))


@st.composite
def examples(draw: st.DrawFn) -> Example:
    # half the slots are cells: the tables hold the most text that reaches the files
    slot = st.one_of(st.sampled_from(sorted(CELLS)), st.sampled_from([*SPEC, MASK_SLOT]))
    slots = draw(st.lists(slot, min_size=0, max_size=2, unique=True))
    values = {}
    for s in slots:
        values[s] = draw(cell_text if s in CELLS else spec_text)
    subs = draw(st.lists(st.integers(0, 9999), min_size=2, max_size=2, unique=True))
    ints = {"SUB0": subs[0], "SUB1": subs[1], "I0": draw(INT64), "I1": draw(INT64),
            "IDEF": draw(st.one_of(st.integers(0, 2**63 - 1), st.just(10**40)))}
    records = draw(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(0, 1),
                                      st.integers(-10**9, 10**9)), min_size=1, max_size=8))
    stray = not slots and draw(st.sampled_from([False, False, False, True]))  # a key no row has
    return Example(values, ints, records, stray, draw(st.booleans()))


@settings(max_examples=20, deadline=None)
@given(examples())
def test_hostile_sheets_are_refused_with_a_position_or_run_alike_and_write_good_lines(
        tmp_path_factory: pytest.TempPathFactory, ex: Example) -> None:
    event(check_example(tmp_path_factory.mktemp("sheets"), ex))


def test_the_benign_sheets_package_runs(tmp_path: Path) -> None:
    ex = Example({}, {"SUB0": 122, "SUB1": 301, "I0": 11, "I1": -7, "IDEF": 18},
                 [(0, 0, 0, 150), (0, 0, 0, 225), (1, 1, 1, -50), (2, 2, 0, 1)], False)
    # by hand: fonte 0 → group ☃3, subfunção 122 → 11: '☃3_11', key 0, 1,50 + 2,25, 2 records;
    # fonte 1 → ☃4, 301 → -7: '☃4_-7', key 1, -0,50; fonte outside → 10, subfunção 999999
    # outside → 18: '10_18', key 0, 0,01
    assert ex.expected() == {f"{MARK}3_11": [(CELLS["KEY0"], 375, 2)],
                             "10_18": [(CELLS["KEY0"], 1, 1)],
                             f"{MARK}4_-7": [(CELLS["KEY1"], -50, 1)]}
    assert check_example(tmp_path, ex) == "ran"


def test_the_benign_package_with_two_parts_runs(tmp_path: Path) -> None:
    """V1 from a second part on gasto, without the first part's filter: it counts the records
    of valor 0 too."""
    ex = Example({}, {"SUB0": 122, "SUB1": 301, "I0": 11, "I1": -7, "IDEF": 18},
                 [(0, 0, 0, 150), (0, 0, 0, 0), (1, 1, 1, 0)], False, two_parts=True)
    # by hand: '☃3_11' key 0: 1,50 (the record of 0 is not summed) and 2 records; '☃4_-7'
    # key 1: only a record of 0 — V0 0, V1 1: written (V1 is not zero)
    assert ex.expected() == {f"{MARK}3_11": [(CELLS["KEY0"], 150, 2)],
                             f"{MARK}4_-7": [(CELLS["KEY1"], 0, 1)]}
    assert check_example(tmp_path, ex) == "ran"


def test_a_row_key_that_is_no_row_is_d0201_alike(tmp_path: Path) -> None:
    """A record whose row key the rows table lacks: D0201 on both back ends, the same text."""
    ex = Example({}, {"SUB0": 122, "SUB1": 301, "I0": 11, "I1": -7, "IDEF": 18},
                 [(0, 0, 0, 150)], True)
    assert check_example(tmp_path, ex) == "D0201"


# Each slot alone, with the nastiest text a slot of its kind can hold.
NASTY_CELL = '"\r\n\u2028\x00;{V0}{}{{../é' + NFD
NASTY_SPEC = '"""\r\n\u2028\x00;*/--{{}}{V0}{key}\\é\ud800'


@pytest.mark.parametrize("slot", SLOTS)
def test_every_sheets_slot_with_the_nastiest_text(tmp_path: Path, slot: str) -> None:
    value = NASTY_CELL if slot in CELLS else NASTY_SPEC
    ex = Example({slot: value}, {"SUB0": 1, "SUB1": 2, "I0": -1, "I1": 2**63 - 1, "IDEF": 0},
                 [(0, 0, 0, 100), (1, 1, 1, 200), (2, 2, 1, 300)], False)
    outcome = check_example(tmp_path, ex)
    if slot in ("FONTE0", "FONTE1"):  # a lookup key only, written nowhere: any text works
        assert outcome == "ran", outcome
    else:  # it reaches a line, a file name or code: nothing that nasty gets through
        assert outcome.startswith("refused"), outcome


# Each slot alone with mild text that is tricky where it is written: refused with a position,
# or run alike and written well formed.
@pytest.mark.parametrize("value", ["x;{V0}}{", NFD + " ../A"])
@pytest.mark.parametrize("slot", SLOTS)
def test_every_sheets_slot_with_tricky_printable_text(tmp_path: Path, slot: str,
                                                      value: str) -> None:
    ex = Example({slot: value}, {"SUB0": 1, "SUB1": 2, "I0": -1, "I1": 2**63 - 1, "IDEF": 0},
                 [(0, 0, 0, 100), (1, 1, 1, 200), (2, 2, 1, 300)], False)
    assert check_example(tmp_path, ex)  # its checks are made inside


# Text a slot must accept, with '{' '}' in it: it goes through str.format as data only.
@pytest.mark.parametrize(("slot", "value"), [
    ("LABEL0", "{V1} {0} {sheet!r}}{"), ("LABEL1", "{:>99999}"),
    ("RID0", "{key}{V0}"), ("KEY1", "{0}"), ("GRP0", "{sheet}"), ("STEM0", "{V0} {{x}}"),
    ("FLIT", "{sheet}"), ("GDEF", "{0}"), ("RLIT", "}"), ("VLIT", "{{"),
    ("KEY0", NFD), ("GRP1", NFD + " ç"), ("STEMN", NFD), ("RID1", "x" * 2000),
    ("LABEL0", "x" * 2000 + "é"), ("GRP0", "a..b"), ("STEM0", ".. x .."),
])
def test_braces_and_accents_are_written_as_data(tmp_path: Path, slot: str, value: str) -> None:
    ex = Example({slot: value}, {"SUB0": 1, "SUB1": 2, "I0": -1, "I1": 2**63 - 1, "IDEF": 0},
                 [(0, 0, 0, 100), (1, 1, 1, 200), (2, 2, 1, 300), (0, 2, 1, -7)], False)
    assert check_example(tmp_path, ex) == "ran"
