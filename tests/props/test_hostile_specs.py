"""Hostile spec text: refused with a position, or compiled into code that runs nothing else.

Every string-valued field of every spec kind gets hostile text (quotes, triple quotes,
backslashes, CR, LF, U+2028, NUL, ';', '*/', '--', '{{ }}', '{ref}', non-ASCII, ...). Each
example either is refused by `compiler.check` with diagnostics positioned inside their files, or
compiles to a package that a fresh interpreter imports and runs under an audit hook that fails
on os.system, subprocess, os.exec*, os.posix_spawn and on exec/compile of anything but a source
file (the generated module, the runtime, the standard library) or the runtime's own CSV row
converters (runtime/convert.py: format strings quoted with repr); its outputs are well formed.

Cost: check + compile in-process (~0.1 s), one subprocess per compiled example (~0.5 s);
max_examples is 30.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlglot
from hypothesis import event
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

import compiler
from compiler.codegen import names as names_
from compiler.codegen import pymodule
from compiler.codegen.quoting import py_comment
from compiler.codegen.quoting import py_docstring
from compiler.codegen.quoting import sql_comment
from compiler.codegen.sqlexpr import DIALECTS
from compiler.diagnostics import render
from runtime.backends.plan import split_statements
from tests.buildkit import write_files
from tests.conftest import ROOT

# Every string the specs below hold; {X} slots are filled with yaml_str(value).
BENIGN = {
    "PKG_ID": "teste", "PKG_DESC": "pacote de teste", "PARAM_DESC": "exercício",
    "LEDGER_ID": "despesa", "LEDGER_DESC": "despesa", "FIELD": "recurso",
    "DELIM": ";", "TRUE": "S", "FALSE": "N",
    "MAP_ID": "grupos", "MAP_DESC": "grupo do recurso", "MAP_VALUE": "grupo",
    "LAYOUT_ID": "quadro/1", "LAYOUT_DESC": "quadro", "PROVISIONAL": "provisório",
    "FILE": "quadro_1.IMPT", "LABEL": "Valor", "ROW_LABEL": "Saúde",
    "REF1": "9999999001", "REF2": "9999999002", "RID1": "101", "RID2": "102",
    "LIT": "A", "GLOB": "B*", "DERIVED": "e_a", "GROUP": "quadro_1",
    "HIT_POLICY": "unique", "ON_MISSING": "null", "ENCODING": "utf-8",
}

PACKAGE = """kind: package
id: {PKG_ID}
description: {PKG_DESC}
partition: municipio
params:
  exercicio: {{type: int, description: {PARAM_DESC}}}
"""
LEDGER = """kind: ledger
id: {LEDGER_ID}
description: {LEDGER_DESC}
format: {{type: csv, delimiter: {DELIM}, true: {TRUE}, false: {FALSE}, encoding: {ENCODING}}}
fields:
  municipio: {{type: str}}
  {FIELD}: {{type: str}}
  valor: {{type: decimal}}
derived:
  {DERIVED}: {EXPR_DERIVED}
"""
EQUIV = """kind: ledger
id: equiv
format: {type: csv}
fields:
  recurso: {type: str}
  grupo: {type: str}
"""
MAP = """kind: map
id: {MAP_ID}
description: {MAP_DESC}
source: equiv
key: [recurso]
values: [{MAP_VALUE}]
on_missing: {ON_MISSING}
"""
LAYOUT = """kind: layout
id: {LAYOUT_ID}
description: {LAYOUT_DESC}
provisional: {PROVISIONAL}
planilha: 7
source: {LEDGER_ID}
filter: {EXPR_FILTER}
alternative_of: {GROUP}
hit_policy: {HIT_POLICY}
output: {{format: impt, file: {FILE}}}
columns:
  - {{id: V0, code: 260, label: {LABEL}, value: {EXPR_VALUE}}}
rows:
  - {{ref: {REF1}, record_id: {RID1}, label: {ROW_LABEL}, rule: {EXPR_RULE}}}
  - {{ref: {REF2}, record_id: {RID2}, otherwise: true}}
  - {{ref: "T", record_id: "103", label: Total, total_of: [{REF1}, {REF2}]}}
"""
EXPRS = {
    "EXPR_DERIVED": '{FIELD} == "{LIT}"',
    "EXPR_FILTER": '$exercicio == 2020 and municipio != "{LIT}{LIT}"',
    "EXPR_VALUE": "sum(valor)",
    "EXPR_RULE": '{DERIVED} or lookup({MAP_ID}, {FIELD}).{MAP_VALUE} == "{LIT}" '
                 'or {FIELD} matches "{GLOB}"',
}


def yaml_str(value: str) -> str:
    """A YAML double-quoted scalar holding exactly `value` (printable ASCII as is, the rest as
    \\u/\\U escapes; a lone surrogate stays one)."""
    out = []
    for ch in value:
        if " " <= ch <= "~" and ch not in '"\\':
            out.append(ch)
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'


def write_specs(folder: Path, values: dict[str, str]) -> None:
    raw = {**BENIGN, **values}
    quoted = {k: yaml_str(v) for k, v in raw.items()}
    for k, template in EXPRS.items():
        quoted[k] = yaml_str(template.format(**raw))
    folder.mkdir(parents=True)
    for name, text in (("package.yaml", PACKAGE), ("despesa.yaml", LEDGER),
                       ("equiv.yaml", EQUIV), ("grupos.yaml", MAP), ("quadro.yaml", LAYOUT)):
        (folder / name).write_text(text.format(**quoted) if "{" in text and name != "equiv.yaml"
                                   else text, "utf-8")


def ledger_rows(values: dict[str, str]) -> dict[str, list[dict[str, object]]]:
    raw = {**BENIGN, **values}
    field = raw["FIELD"]
    return {
        raw["LEDGER_ID"]: [
            {"municipio": "3170206", field: raw["LIT"], "valor": "1,50"},
            {"municipio": "3170206", field: "Z", "valor": "2,25"},
        ],
        "equiv": [{"recurso": raw["LIT"], "grupo": "G"}],
    }


# Run in a fresh interpreter: import the package under the audit hook, run it, check outputs.
RUNNER = r'''
import json, os, pkgutil, sys, importlib
from pathlib import Path
root, pkg_dir, out_dir, rows_json = sys.argv[1:5]
sys.path.insert(0, root)
import runtime, runtime.program
for m in pkgutil.walk_packages(runtime.__path__, "runtime."):
    if "spark" not in m.name:
        importlib.import_module(m.name)
allowed_roots = [str(Path(root, "runtime")), sys.base_prefix, sys.prefix]
generated = str(Path(pkg_dir, "__init__.py"))
def source_file(name):
    name = str(name)
    # runtime/convert.py compiles the row converters (it quotes format strings with repr)
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
result = program.run(ledgers=json.loads(rows_json), params={"exercicio": 2020})
written = result.write(out_dir)
print(json.dumps({"outputs": {k: v.decode("utf-8") for k, v in result.outputs.items()},
                  "written": [list(map(str, w)) for w in written]}))
'''


def run_package(pkg_dir: Path, out_dir: Path, rows: dict[str, list[dict[str, object]]]
                ) -> dict[str, object]:
    proc = subprocess.run([sys.executable, "-c", RUNNER, str(ROOT), str(pkg_dir), str(out_dir),
                           json.dumps(rows)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def assert_positioned(result: compiler.CompileResult) -> None:
    assert result.errors
    for d in result.errors:
        assert d.code != "I0001", d
        src = result.sources.get(d.span.file)
        assert src is not None, d
        assert 1 <= d.span.line <= max(1, len(src.text.splitlines()) + 1), d
        assert d.span.start <= len(src.text), d
    # printable (the CLI writes to stderr, whose encoding errors are backslash-replaced)
    render(result.diagnostics, result.sources.get).encode("utf-8", "backslashreplace")


def compile_to(tmp: Path, values: dict[str, str]) -> tuple[compiler.CompileResult, Path]:
    write_specs(tmp / "specs", values)
    return compile_to_folder(tmp)


def compile_to_folder(tmp: Path) -> tuple[compiler.CompileResult, Path]:
    """Compile the package in tmp/specs into tmp/generated/pkg (when it has no errors)."""
    result = compiler.compile_package(tmp / "specs", base=tmp)
    pkg_dir = tmp / "generated" / "pkg"
    if not result.errors:
        write_files(result, pkg_dir)
    return result, pkg_dir


def assert_sql_intact(result: compiler.CompileResult) -> None:
    """Every SQL file splits into exactly the statements plan.json names, each one parseable."""
    plan = json.loads(result.files["sql/plan.json"])
    for ledger, entry in plan["ledgers"].items():
        for dialect in DIALECTS:
            text = result.files[f"sql/{dialect}/{ledger}.sql"]
            assert "\x00" not in text
            statements = split_statements(text)
            assert list(statements) == entry["statements"]
            for stmt in statements.values():
                sqlglot.parse_one(stmt, read=dialect)


def assert_well_formed(values: dict[str, str], got: dict[str, object], out_dir: Path) -> None:
    raw = {**BENIGN, **values}
    outputs = got["outputs"]
    assert isinstance(outputs, dict)
    assert list(outputs) == [f"3170206/{raw['FILE']}"]
    text = next(iter(outputs.values()))
    assert text.endswith("\r\n")
    lines = text[:-2].split("\r\n")
    assert len(lines) == 2  # the two leaf rows; the totalizer is not written
    for line, ref, rid in zip(lines, (raw["REF1"], raw["REF2"]), (raw["RID1"], raw["RID2"]),
                              strict=True):
        assert len(line.splitlines()) == 1, line
        fields = line.split(";")
        assert len(fields) == 7 and fields[-1] == "", line  # 7;ref;rid;V0;#L;#C1;
        assert fields[:3] == ["7", ref, rid]
        assert fields[3].endswith(f"({raw['LABEL']})")
    # besides the output, only apura's own lock file (runtime.lock), never a stray or hostile name
    on_disk = sorted(p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*")
                     if p.is_file())
    assert on_disk == [".apura.lock", f"3170206/{raw['FILE']}"]


# ---------------------------------------------------------------- hostile text
PIECES = ['"', "'", '"""', "'''", "\\", "\\n", "\r", "\n", "\r\n", "\u2028", "\u2029", "\x85",
          "\x0b", "\x0c", "\x00", "\t", ";", "*/", "/*", "--", "-- apura:statement x", "#",
          "{{", "}}", "{ref}", "{0}", "{", "}", "%s", "é", "ç", "—", "😀", "\ud800", "a", "b_1",
          "/", "..",
          " ", "$x", "`", "coding: latin-1", "); import os; os.system('x'); (", "__import__"]
# Printable text most fields accept (so that a fair share of the examples compile and run).
MILD = ["'", "'''", "*/", "/*", "--", "{{", "}}", "{ref}", "{0}", "%s", "é", "ç", "—", "😀",
        "a", "b_1", " ", "#", "$x", "`", "coding: latin-1", "); import os; os.system('x'); (",
        "__import__", "x"]
hostile = st.one_of(st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map("".join),
                    st.lists(st.sampled_from(MILD), min_size=1, max_size=4).map("".join))
SLOTS = sorted(BENIGN)


@settings(max_examples=30)
@given(st.dictionaries(st.sampled_from(SLOTS), hostile, min_size=1, max_size=2))
def test_hostile_text_is_refused_with_a_position_or_compiles_to_safe_code(
        tmp_path_factory: pytest.TempPathFactory, values: dict[str, str]) -> None:
    tmp = tmp_path_factory.mktemp("hostile")
    result, pkg_dir = compile_to(tmp, values)
    event("refused" if result.errors else "compiled")
    if result.errors:
        assert_positioned(result)
        return
    assert_sql_intact(result)
    out_dir = tmp / "out"
    assert_well_formed(values, run_package(pkg_dir, out_dir, ledger_rows(values)), out_dir)


# Each slot alone, with the nastiest value: refused with a position or compiled and run safely.
NASTY = '"""\r\n\u2028\x00;*/--{{}}{ref}\\é\ud800'


@pytest.mark.parametrize("slot", SLOTS)
def test_every_slot_with_the_nastiest_text(tmp_path: Path, slot: str) -> None:
    values = {slot: NASTY}
    result, pkg_dir = compile_to(tmp_path, values)
    if result.errors:
        assert_positioned(result)
        return
    assert_sql_intact(result)
    out_dir = tmp_path / "out"
    assert_well_formed(values, run_package(pkg_dir, out_dir, ledger_rows(values)), out_dir)


def test_the_benign_package_runs(tmp_path: Path) -> None:
    result, pkg_dir = compile_to(tmp_path, {})
    assert not result.errors, result.errors
    out_dir = tmp_path / "out"
    assert_well_formed({}, run_package(pkg_dir, out_dir, ledger_rows({})), out_dir)


# ---------------------------------------------------------------- the examples
def codes(result: compiler.CompileResult) -> list[tuple[str, str, int]]:
    return [(d.code, d.span.file, d.span.line) for d in result.errors]


def test_a_ref_with_a_newline_is_refused_at_its_position(tmp_path: Path) -> None:
    result, _ = compile_to(tmp_path, {"REF2": "1\nimport os; os.system('touch /tmp/x')  #"})
    assert codes(result) == [("S0501", "specs/quadro.yaml", 15)]


def test_a_description_with_triple_quotes_stays_in_the_docstring(tmp_path: Path) -> None:
    desc = 'x"""\nimport os; os.system("echo pwned")\n"""\\'
    result, _ = compile_to(tmp_path, {"PKG_DESC": desc})
    assert not result.errors
    tree = ast.parse(result.files["__init__.py"])
    assert ast.get_docstring(tree, clean=False) == f"Pacote teste: {desc}"
    assert not any(isinstance(n, ast.Attribute) and n.attr == "system" for n in ast.walk(tree))


def test_an_id_with_a_trailing_newline_is_refused(tmp_path: Path) -> None:
    result, _ = compile_to(tmp_path, {"LAYOUT_ID": "covid/71\n"})
    assert codes(result) == [("S0105", "specs/quadro.yaml", 2)]


def test_codegen_quotes_even_what_the_checks_would_refuse(tmp_path: Path) -> None:
    """Defence in depth: hostile text forced into the IR past the checks is still only data."""
    result, _ = compile_to(tmp_path, {})
    assert result.ir is not None and not result.errors
    evil = "1\n\x00\u2028import os; os.system('x') # */ DROP TABLE x; --\r\n\"\"\""
    lay = result.ir.layouts[0]
    rows = tuple(dataclasses.replace(r, ref=evil, record_id=evil, cond_text=evil)
                 for r in lay.rows)
    pkg = dataclasses.replace(result.ir, description=evil, spec_files=(evil,),
                              nodes=(*result.ir.ledgers, *result.ir.maps,
                                     dataclasses.replace(lay, rows=rows, filter_text=evil)))
    good = ast.parse(result.files["__init__.py"])
    text = pymodule.generate(pkg, evil)["__init__.py"]
    bad = ast.parse(text)

    # Row names (module-level `<layout>__<ref>` constants of finish) are the only identifiers
    # made from spec text: only [A-Za-z0-9_] of the ref survives, and each is assigned once.
    prefix = names_.ident(lay.id) + "__"

    def names(tree: ast.AST) -> list[str]:
        return sorted(n.id if not n.id.startswith(prefix) else "<row>"
                      for n in ast.walk(tree) if isinstance(n, ast.Name))
    assert names(bad) == names(good)
    rows_bad = [t.id for n in bad.body if isinstance(n, ast.Assign) for t in n.targets
                if isinstance(t, ast.Name) and t.id.startswith(prefix)]
    assert rows_bad and len(set(rows_bad)) == len(rows_bad)
    assert all(re.fullmatch(r"[A-Za-z0-9_]+", n) for n in rows_bad)
    assert "\x00" not in text and "\u2028" not in text and "\r" not in text
    from compiler.codegen import sql
    for rel, body in sql.generate(pkg, evil).items():
        assert not any(line.startswith("-- apura:statement") and "DROP" in line
                       for line in body.splitlines()), rel
        assert "\x00" not in body and "\u2028" not in body, rel


@pytest.mark.parametrize("text", ["a\nb", "a\rb", "a\u2028b", "a\x00b", "a\x85b", "a\x0bb",
                                  "a */ b /* c", "coding: latin-1"])
def test_comment_and_docstring_quoting(text: str) -> None:
    for body in (py_comment(text), sql_comment(text)):
        assert len(("# " + body).splitlines()) == 1 and "\x00" not in body
    assert "*/" not in sql_comment(text) and "/*" not in sql_comment(text)
    assert "coding:" not in py_comment(text)
    doc = f'"""{py_docstring(text)}"""'
    assert ast.literal_eval(doc) == text


# ---------------------------------------------------------------- alternatives (alternative_of)
def alternatives(tmp: Path, group_b: str | None) -> tuple[compiler.CompileResult, Path]:
    """The benign package plus 'quadro/2', a second version of 'quadro/1' writing its file."""
    result, pkg_dir = compile_to(tmp / "one", {})
    specs = tmp / "one" / "specs"
    text = (specs / "quadro.yaml").read_text("utf-8").replace('id: "quadro/1"', 'id: "quadro/2"')
    if group_b is None:
        text = text.replace("alternative_of:", "# alternative_of:")
    else:
        text = text.replace('alternative_of: "quadro_1"', f'alternative_of: "{group_b}"')
    (specs / "quadro_2.yaml").write_text(text, "utf-8")
    result = compiler.compile_package(specs, base=tmp / "one")
    write_files(result, pkg_dir)
    return result, pkg_dir


@pytest.mark.parametrize("group_b", [None, "outro_grupo"])
def test_two_layouts_that_can_run_together_cannot_share_a_file(tmp_path: Path,
                                                               group_b: str | None) -> None:
    result, _ = alternatives(tmp_path, group_b)
    assert codes(result) == [("S0503", "specs/quadro_2.yaml", 10)]
    assert result.errors[0].labels[0].span.file == "specs/quadro.yaml"


def test_alternatives_share_a_file_and_only_one_of_them_runs(tmp_path: Path) -> None:
    import runtime
    from compiler.cli import cli
    from runtime.program import SelectionConflict

    result, pkg_dir = alternatives(tmp_path, "quadro_1")
    assert not result.errors, result.errors
    program = runtime.load(pkg_dir)
    assert [lay.alternative_of for lay in program.layouts] == ["quadro_1", "quadro_1"]
    rows = ledger_rows({})
    with pytest.raises(SelectionConflict, match="alternativos do grupo 'quadro_1'"):
        program.run(ledgers=rows, params={"exercicio": 2020})
    with pytest.raises(SelectionConflict):
        program.run(ledgers=rows, params={"exercicio": 2020}, select="quadro/*")
    got = program.run(ledgers=rows, params={"exercicio": 2020}, select="quadro/2")
    assert list(got.outputs) == ["3170206/quadro_1.IMPT"]
    from click.testing import CliRunner

    csv = tmp_path / "despesa.csv"
    csv.write_text("municipio;recurso;valor\n3170206;A;1,50\n", "utf-8")
    eq = tmp_path / "equiv.csv"
    eq.write_text("recurso;grupo\nA;G\n", "utf-8")
    args = ["run", str(pkg_dir), "--input", f"despesa={csv}", "--input", f"equiv={eq}",
            "--param", "exercicio=2020", "--out", str(tmp_path / "out"),
            "--state", str(tmp_path / "state.sqlite")]
    both = CliRunner().invoke(cli, [*args, "--select", "quadro/*"])
    assert both.exit_code == 2, both.output
    assert "'quadro/1', 'quadro/2', alternativos do grupo 'quadro_1'" in both.output
    assert not (tmp_path / "out").exists()
    one = CliRunner().invoke(cli, [*args, "--select", "quadro/1"])
    assert one.exit_code == 0, one.output
    assert (tmp_path / "out" / "3170206" / "quadro_1.IMPT").is_file()
