"""Every output file of the SIOPS COVID quadros over the fixture ledgers, byte for byte, and
the bundle of each município (Siops.zip, its manifest and its provenance)."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from decimal import Decimal

import pytest

from tests.conftest import FIXTURES
from tests.conftest import SMALL_INPUTS
from tests.conftest import ImptSnapshot

PARAMS = {"exercicio": 2020, "bimestre": 2}
FILES = ["covid_70_receitas_uniao.IMPT", "covid_71_receitas_estado.IMPT",
         "covid_72_recursos_proprios.IMPT", "covid_77_despesas_uniao.IMPT",
         "covid_78_despesas_estado.IMPT", "covid_79_despesas_recursos_proprios.IMPT",
         "Receita_Siops.IMPT"]  # the Receitas file of 2020 (specs/siops/receita_execucao.yaml)
BUNDLE = ["Siops.zip", "manifesto.csv", "proveniencia.csv"]  # specs/siops/package.yaml


class CsvSnapshot(ImptSnapshot):
    """The bundle's CSVs, byte for byte, with the IMPT files' diff on a mismatch."""

    file_extension = "csv"


@pytest.fixture(scope="module")
def small_result(siops_program):  # type: ignore[no-untyped-def]
    return siops_program.run(ledgers=SMALL_INPUTS, params=PARAMS)


@pytest.fixture(scope="module")
def large_result(siops_program, large_inputs):  # type: ignore[no-untyped-def]
    return siops_program.run(ledgers=large_inputs, params=PARAMS)


def test_small_fixture_outputs(small_result, impt_snapshot) -> None:  # type: ignore[no-untyped-def]
    """Municipio 3170206, hand-made: every file, byte for byte."""
    assert sorted(small_result.outputs) == sorted(f"3170206/{f}" for f in FILES + BUNDLE)
    for name in FILES:
        assert small_result.outputs[f"3170206/{name}"] == impt_snapshot(name=name[:-5])


def test_large_fixture_outputs(large_result, impt_snapshot) -> None:  # type: ignore[no-untyped-def]
    """Municipio 3106200, ~100k generated despesa rows: every file, byte for byte."""
    assert sorted(large_result.outputs) == sorted(f"3106200/{f}" for f in FILES + BUNDLE)
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


def _masked(data: bytes, key: str, value: str) -> bytes:
    """The CSV with the `value` of its row `key` (chave;valor, or arquivo;...;sha256) replaced
    by a placeholder, after checking it is there."""
    lines = data.decode("utf-8").split("\n")
    hits = [i for i, line in enumerate(lines) if line.split(";")[0] == key]
    assert len(hits) == 1 and lines[hits[0]].endswith(";" + value), (key, lines)
    lines[hits[0]] = lines[hits[0]][:-len(value)] + "<ver o teste>"
    return "\n".join(lines).encode("utf-8")


@pytest.mark.parametrize("fixture,part", [("small_result", "3170206"),
                                          ("large_result", "3106200")])
def test_bundle_manifest_and_provenance(fixture, part, request, snapshot,  # type: ignore[no-untyped-def]
                                        siops_program) -> None:
    """The manifest pins every file of the zip by sha256 (a snapshot); the provenance names
    the package, its specs, the parameters and every input by sha256 (a snapshot). The spec
    sha256 changes with any byte of the specs — a comment, a description — while the quadros
    do not: it is checked against the generated header here and masked in both snapshots (in
    the provenance, and in the manifest's row of the provenance), so that such an edit asks for
    no `make accept`. The zip holds exactly the files beside it, manifest included."""
    out = request.getfixturevalue(fixture).outputs
    manifest, provenance = out[f"{part}/manifesto.csv"], out[f"{part}/proveniencia.csv"]
    spec_hash = siops_program.package.spec_hash
    assert f"spec_sha256;{spec_hash}\n".encode() in provenance
    rows = list(csv.reader(io.StringIO(manifest.decode("utf-8")), delimiter=";"))
    assert rows[0] == ["arquivo", "linhas", "bytes", "sha256"]
    assert [r[0] for r in rows[1:]] == sorted(FILES + ["proveniencia.csv"])
    for name, lines, size, sha in rows[1:]:
        data = out[f"{part}/{name}"]
        assert (int(lines), int(size), sha) == (data.count(b"\n"), len(data),
                                                hashlib.sha256(data).hexdigest())
    with zipfile.ZipFile(io.BytesIO(out[f"{part}/Siops.zip"])) as zf:
        assert zf.namelist() == sorted(FILES + ["manifesto.csv", "proveniencia.csv"])
        assert {n: zf.read(n) for n in zf.namelist()} == {
            n: out[f"{part}/{n}"] for n in zf.namelist()}
    csvs = snapshot.use_extension(CsvSnapshot)
    sha_prov = hashlib.sha256(provenance).hexdigest()
    assert _masked(manifest, "proveniencia.csv", sha_prov) == csvs(name="manifesto")
    assert _masked(provenance, "spec_sha256", spec_hash) == csvs(name="proveniencia")
