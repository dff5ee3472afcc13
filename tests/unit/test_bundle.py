"""The bundle of package.yaml `bundle:` (runtime/bundle.py; README "Bundles and the manifest"):
deterministic zips (twice, two back ends, another process, other paths), what the zip holds
and how, partial runs (no bundle, the stale one removed in the run's own commit, also when the
run is killed after its commit point), the journal's stamp, the entry-name guard."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import runtime
from runtime import bundle
from runtime.commit import Commit
from runtime.errors import RunFailed
from runtime.lifecycle import recover_out
from tests.conftest import COVID_TABLES
from tests.conftest import OMITTED
from tests.conftest import ROOT
from tests.conftest import SMALL_INPUTS

PARAMS = {"exercicio": 2020, "bimestre": 2}
PART = "3170206"
NAMES = ("Siops.zip", "manifesto.csv", "proveniencia.csv")


def _zip(result: runtime.Result, part: str = PART) -> bytes:
    return result.outputs[f"{part}/Siops.zip"]


def test_same_inputs_same_zip_twice_and_on_python_and_duckdb(siops_program) -> None:  # type: ignore[no-untyped-def]
    runs = [siops_program.run(ledgers=SMALL_INPUTS, params=PARAMS, backend=b)
            for b in ("python", "duckdb", "python", "duckdb")]
    assert [r.backend for r in runs] == ["python", "duckdb", "python", "duckdb"]
    zips = {_zip(r) for r in runs}
    assert len(zips) == 1
    for r in runs[1:]:  # every file of the bundle, not just the zip
        assert {k: v for k, v in r.outputs.items() if k.rsplit("/", 1)[1] in NAMES} == \
            {k: v for k, v in runs[0].outputs.items() if k.rsplit("/", 1)[1] in NAMES}
    assert b"python" not in runs[0].outputs[f"{PART}/proveniencia.csv"]
    assert b"duckdb" not in runs[1].outputs[f"{PART}/proveniencia.csv"]


def test_another_process_other_paths_and_hash_seed_give_the_same_zip(
        siops_program, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`apura run` in a subprocess (PYTHONHASHSEED=1, the inputs copied elsewhere, another
    working directory) writes the zip the in-process run builds, byte for byte."""
    here = _zip(siops_program.run(ledgers=SMALL_INPUTS, params=PARAMS))
    inputs = tmp_path / "elsewhere" / "entradas"
    inputs.mkdir(parents=True)
    args = [sys.executable, "-m", "compiler", "run", str(ROOT / "generated" / "siops"),
            "--out", str(tmp_path / "out"), "--state", str(tmp_path / "s.sqlite"),
            "--param", "exercicio=2020", "--param", "bimestre=2"]
    for name, path in SMALL_INPUTS.items():
        shutil.copy(path, inputs / f"{name}-copia.csv")
        args += ["--input", f"{name}={inputs / f'{name}-copia.csv'}"]
    env = dict(os.environ, PYTHONHASHSEED="1", PYTHONPATH=str(ROOT))
    done = subprocess.run(args, cwd=tmp_path / "elsewhere", env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"pacote(s) Siops.zip: {PART}/Siops.zip (7 arquivo(s) de saída)" in done.stdout
    folder = tmp_path / "out" / PART
    assert (folder / "Siops.zip").read_bytes() == here
    with zipfile.ZipFile(folder / "Siops.zip") as zf:  # beside the zip = inside it
        for name in ("manifesto.csv", "proveniencia.csv"):
            assert zf.read(name) == (folder / name).read_bytes()


def test_the_zip_is_plain_and_fixed(siops_program) -> None:  # type: ignore[no-untyped-def]
    data = _zip(siops_program.run(ledgers=SMALL_INPUTS, params=PARAMS))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
        assert zf.comment == b""
    names = [i.filename for i in infos]
    assert names == sorted(names) and len(names) == 7 + 2  # quadros, Receitas, the two CSVs
    for info in infos:
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.compress_type == zipfile.ZIP_STORED
        assert info.create_system == 3 and info.external_attr == 0o100644 << 16
        assert info.extra == b"" and info.comment == b"" and info.flag_bits == 0
        assert "/" not in info.filename and not info.is_dir()
    # the local headers carry no extra field either (zipfile reads them only to extract)
    offsets = [i.header_offset for i in infos]
    for off in offsets:
        assert data[off:off + 4] == b"PK\x03\x04"
        assert int.from_bytes(data[off + 28:off + 30], "little") == 0


def test_manifest_counts_lines_and_lists_every_entry_but_itself() -> None:
    files = {"b.IMPT": b"1;\r\n2;\r\n", "a.IMPT": b"", "c.txt": b"sem fim"}
    text = bundle.manifest_csv(files).decode("utf-8")
    assert text.splitlines() == [
        "arquivo;linhas;bytes;sha256",
        f"a.IMPT;0;0;{hashlib.sha256(b'').hexdigest()}",
        f"b.IMPT;2;8;{hashlib.sha256(files['b.IMPT']).hexdigest()}",
        f"c.txt;1;7;{hashlib.sha256(b'sem fim').hexdigest()}"]


def test_parameters_are_written_as_param_takes_them() -> None:
    import datetime
    from decimal import Decimal

    assert [bundle.param_text(v) for v in (2020, Decimal("1234.50"), True, False,
                                           datetime.date(2020, 12, 31), "a;b")] == \
        ["2020", "1234,50", "true", "false", "2020-12-31", "a;b"]


def test_in_memory_inputs_have_no_sha256(siops_program) -> None:  # type: ignore[no-untyped-def]
    import csv

    with open(SMALL_INPUTS["equivalencia_recursos"], encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    result = siops_program.run(ledgers={**SMALL_INPUTS, "equivalencia_recursos": rows},
                               params=PARAMS)
    prov = result.outputs[f"{PART}/proveniencia.csv"].decode("utf-8").splitlines()
    assert "entrada.equivalencia_recursos.sha256;" in prov
    assert "entrada.equivalencia_recursos.bytes;" in prov
    sha = hashlib.sha256(Path(SMALL_INPUTS["despesa"]).read_bytes()).hexdigest()
    assert f"entrada.despesa.sha256;{sha}" in prov


# ---------------------------------------------------------------- partial runs
def test_a_partial_run_writes_no_bundle_and_removes_the_stale_one(
        siops_program, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out, state = tmp_path / "out", tmp_path / "s.sqlite"
    siops_program.run_to(out, SMALL_INPUTS, PARAMS, state=state)
    (out / "outro").mkdir()
    for name in NAMES:  # another partition's bundle: the partial run does not write there
        (out / "outro" / name).write_bytes(b"de outra particao")
    assert all((out / PART / n).is_file() for n in NAMES)
    rec = siops_program.run_to(out, SMALL_INPUTS, {"exercicio": 2020, "bimestre": 3},
                               state=state, select="covid/7[01]")
    assert not any(k.rsplit("/", 1)[1] in NAMES for k in rec.result.outputs)
    assert [w.code for w in rec.result.warnings if w.code == "D0901"] == ["D0901"]
    assert "--select 'covid/7[01]': aviso[D0901]" in rec.result.warnings[-1].render()
    assert not any((out / PART / n).exists() for n in NAMES)  # gone with the stale zip
    assert all((out / "outro" / n).read_bytes() == b"de outra particao" for n in NAMES)
    # the quadros and the Receitas file of the first run: nothing else
    assert sorted(p.suffix for p in (out / PART).iterdir()) == [".IMPT"] * 7
    db = sqlite3.connect(state)
    assert db.execute("SELECT count(*) FROM run_bundles WHERE run_id = ?",
                      (rec.run_id,)).fetchone() == (0,)
    db.close()
    # a complete run writes it again; Result.write (no journal) removes it the same way
    siops_program.run_to(out, SMALL_INPUTS, PARAMS, state=state)
    assert all((out / PART / n).is_file() for n in NAMES)
    partial = siops_program.run(ledgers=SMALL_INPUTS, params=PARAMS, select="covid/77")
    partial.write(out)
    assert not any((out / PART / n).exists() for n in NAMES)


def test_selecting_every_layout_is_a_complete_run(siops_program) -> None:  # type: ignore[no-untyped-def]
    full = siops_program.run(ledgers=SMALL_INPUTS, params=PARAMS)
    # every node, by a glob
    every = siops_program.run(ledgers=SMALL_INPUTS, params=PARAMS, select="*")
    assert _zip(every) == _zip(full) and every.removes == []
    assert not [w for w in every.warnings if w.code == "D0901"]


def test_the_removal_is_in_the_commit_a_killed_run_is_rolled_forward(tmp_path: Path) -> None:
    """A run killed after its commit point: the next one finishes it — the stale bundle goes,
    the new files come — never the new files beside the old zip."""
    out = tmp_path / "out"
    (out / PART).mkdir(parents=True)
    for name in (*NAMES, "q.IMPT"):
        (out / PART / name).write_bytes(b"velho")
    c = Commit.new(out, "r9")
    c.commit(c.stage({f"{PART}/q.IMPT": b"novo"}),
             remove=[f"{PART}/{n}" for n in NAMES])  # then kill -9: nothing applied yet
    assert (out / PART / "Siops.zip").read_bytes() == b"velho"
    recover_out(out)
    assert sorted(p.name for p in (out / PART).iterdir()) == ["q.IMPT"]
    assert (out / PART / "q.IMPT").read_bytes() == b"novo"


def test_a_removal_outside_out_is_refused(tmp_path: Path) -> None:
    c = Commit.new(tmp_path / "out", "r1")
    (tmp_path / "out").mkdir()
    written = c.stage({"q.IMPT": b"x"})
    with pytest.raises(RunFailed) as info:
        c.commit(written, remove=["../fora.zip"])
    assert info.value.errors[0].code == "D0504"
    c.discard()


# ---------------------------------------------------------------- the journal
def test_the_journal_holds_the_stamp(siops_program, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out, state = tmp_path / "out", tmp_path / "s.sqlite"
    rec = siops_program.run_to(out, SMALL_INPUTS, PARAMS, state=state)
    db = sqlite3.connect(state)
    try:
        # the views of a package share one spec hash: the layout year tells them apart
        assert db.execute("SELECT abi, spec_hash, layout_year FROM runs").fetchone() == (
            1, siops_program.package.spec_hash, 2019)
        assert b"\nano_layout;2019\n" in (out / PART / "proveniencia.csv").read_bytes()
        inputs = dict(db.execute("SELECT name, bytes FROM run_inputs").fetchall())
        tables = ROOT / "generated" / "siops" / "y2019" / "tables"  # the Receitas file's
        assert inputs == {**{n: Path(p).stat().st_size for n, p in SMALL_INPUTS.items()},
                          **dict.fromkeys(OMITTED),  # absent: no bytes
                          **{t: (tables / f"{t}.csv").stat().st_size for t in COVID_TABLES}}
        zip_bytes = (out / PART / "Siops.zip").read_bytes()
        assert db.execute("SELECT partition, path, sha256, bytes, files FROM run_bundles"
                          ).fetchall() == [(PART, f"{PART}/Siops.zip",
                                            hashlib.sha256(zip_bytes).hexdigest(),
                                            len(zip_bytes), 7)]
        outputs = {Path(p).name for (p,) in db.execute("SELECT path FROM run_outputs")}
        assert set(NAMES) <= outputs
    finally:
        db.close()
    assert rec.result.bundles[0].sha256 == hashlib.sha256(zip_bytes).hexdigest()


# ---------------------------------------------------------------- names
@given(st.text(min_size=1, max_size=30))
def test_a_name_enters_the_zip_as_itself_or_not_at_all(name: str) -> None:
    """Any text: refused (ValueError) unless it is a plain file name (the output-file rule,
    runtime/file_names, which `entry_problem` applies), which the zip then holds exactly
    (UTF-8, no path), read back as one entry with that name."""
    if bundle.entry_problem(name) is not None:
        with pytest.raises(ValueError):
            bundle.zip_bytes({name: b"x"})
        return
    with zipfile.ZipFile(io.BytesIO(bundle.zip_bytes({name: b"x"}))) as zf:
        assert zf.namelist() == [name] and zf.read(name) == b"x"


@pytest.mark.parametrize("name", ["../x.IMPT", "/etc/passwd", "a/b.IMPT", "a\\b.IMPT", "",
                                  ".oculto", "CON.IMPT", "c:x.IMPT", "quebra\n.IMPT",
                                  "x" * 256])
def test_hostile_names_never_reach_the_zip(name: str) -> None:
    with pytest.raises(ValueError):
        bundle.zip_bytes({name: b"x"})


def test_an_output_named_like_the_bundle_fails_the_run(siops_program) -> None:  # type: ignore[no-untyped-def]
    """The compiler refuses it (S1401); a package it did not check fails with D0902."""
    view = siops_program.view_for(PARAMS)  # 2019's, which serves 2020
    pkg = view.package
    layouts = list(pkg.layouts)
    renamed = dataclasses.replace(layouts[0], output_file="MANIFESTO.csv")
    nodes = tuple(renamed if n is layouts[0] else n for n in pkg.nodes)
    program = runtime.Program(dataclasses.replace(pkg, nodes=nodes), view.module)
    with pytest.raises(RunFailed) as info:
        program.run(ledgers=SMALL_INPUTS, params=PARAMS)
    (err,) = info.value.errors
    # for the journal: map sources first (the Receitas file's tables first of them)
    assert [st.name for st in info.value.inputs] == sorted(
        [*SMALL_INPUTS, *OMITTED, *COVID_TABLES], key=[
            *COVID_TABLES, "equivalencia_contas", "equivalencia_recursos",
            "equivalencia_rubricas", "excecoes_natureza", "contas", "despesa",
            "despesa_movimento", "dotacao", "receita", "restos_a_pagar"].index)
    assert err.code == "D0902" and err.file == f"{PART}/MANIFESTO.csv"
    assert "manifesto.csv" in err.message


def test_a_nested_output_cannot_enter_the_zip() -> None:
    pkg = runtime.load(ROOT / "generated" / "siops").package
    assert pkg.bundle is not None
    with pytest.raises(RunFailed) as info:
        bundle.build(pkg, pkg.bundle, {f"{PART}/a/b.IMPT": b"x"}, [PART], PARAMS, {})
    assert info.value.errors[0].code == "D0902"


def test_a_partial_run_killed_before_its_commit_point_leaves_the_old_set(
        tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / PART).mkdir(parents=True)
    for name in (*NAMES, "q.IMPT"):
        (out / PART / name).write_bytes(b"velho")
    c = Commit.new(out, "r9")
    c.stage({f"{PART}/q.IMPT": b"novo"})  # then kill -9, before the manifest
    recover_out(out)
    assert {p.name: p.read_bytes() for p in (out / PART).iterdir()} == {
        n: b"velho" for n in (*NAMES, "q.IMPT")}


def test_without_a_partition_the_bundle_is_in_out_itself() -> None:
    pkg = dataclasses.replace(runtime.load(ROOT / "generated" / "siops").package,
                              partition=None)
    assert pkg.bundle is not None
    added, made = bundle.build(pkg, pkg.bundle, {"a.IMPT": b"1;\r\n"}, [None], PARAMS, {})
    assert sorted(added) == sorted(NAMES)
    assert [(m.partition, m.path, m.files) for m in made] == [("", "Siops.zip", 1)]
    prov = added["proveniencia.csv"].decode("utf-8")
    assert "particao" not in prov and "arquivos;1\n" in prov


def test_apura_diff_reports_a_changed_bundle(tmp_path: Path) -> None:
    from compiler import check
    from compiler.kinds.package.diff import diff_package

    specs = tmp_path / "specs" / "siops"
    shutil.copytree(ROOT / "specs" / "siops", specs)
    old = check(specs, base=tmp_path).ir
    pkg_yaml = specs / "package.yaml"
    pkg_yaml.write_text(pkg_yaml.read_text("utf-8").replace("file: Siops.zip",
                                                            "file: Siops2021.zip"), "utf-8")
    new = check(specs, base=tmp_path).ir
    assert old is not None and new is not None
    found, _ = diff_package(old, new)
    assert [(a.name, a.old, a.new) for a in found] == [
        ("bundle", ("Siops.zip", "manifesto.csv", "proveniencia.csv"),
         ("Siops2021.zip", "manifesto.csv", "proveniencia.csv"))]


def test_a_bad_bundle_name_is_s0502_at_its_position(tmp_path: Path) -> None:
    from compiler import check

    specs = tmp_path / "specs" / "siops"
    shutil.copytree(ROOT / "specs" / "siops", specs)
    pkg_yaml = specs / "package.yaml"
    pkg_yaml.write_text(pkg_yaml.read_text("utf-8").replace("manifest: manifesto.csv",
                                                            "manifest: ../manifesto.csv"),
                        "utf-8")
    errors = check(specs, base=tmp_path).errors
    assert [(d.code, d.span.file, d.span.col) for d in errors] == [
        ("S0502", "specs/siops/package.yaml", 13)]
    line = pkg_yaml.read_text("utf-8").splitlines()[errors[0].span.line - 1]
    assert line == "  manifest: ../manifesto.csv"
