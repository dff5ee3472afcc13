"""The SIOPS reference tables in specs/siops/<ano>/tabelas/ (kind: table) and the known defects
of e-cidade's data, each a test: the duplicate keys of naturdessiops_2019.csv (reported by the
loader, resolved by the specs), the 2021 revenue de-para that points nowhere against the 2022
one, the group rows derived from the element hierarchy, the ASPS base against the revenue
rows of its year, the IMPT column labels. Values are byte for byte e-cidade's (checked against
the reference folder when it is there)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Any

import pytest

from compiler import check
from compiler import ir
from compiler.diagnostics import render
from compiler.kinds.table.hierarchy import group_codes
from compiler.kinds.table.hierarchy import nonzero_prefix
from tests.conftest import ROOT

SPECS = ROOT / "specs" / "siops"
TABELAS19 = SPECS / "2019" / "tabelas"
REFERENCE = Path("/work/shared/reference-data/ecidade-contass-siops")
DUPLICATED = ("3190920000", "3190920100", "3190920200", "3190920300")


@pytest.fixture(scope="module")
def tables() -> dict[str, ir.Table]:
    """Each layout year's tables, as `<id>_<year>` (the id a table has in that year's view)."""
    result = check(SPECS, base=ROOT)
    assert result.errors == [] and sorted(result.views) == [2019, 2021]
    return {f"{t.id}_{year}": t for year, view in result.views.items() for t in view.tables}


def column(t: ir.Table, name: str) -> list[Any]:
    i = [f.name for f in t.fields].index(name)
    return [r[i] for r in t.rows]


def mapping(t: ir.Table, key: str, value: str) -> dict[Any, Any]:
    return dict(zip(column(t, key), column(t, value), strict=True))


# ---------------------------------------------------------------- naturdessiops_2019: keys twice
def test_the_loader_reports_the_duplicate_keys_of_naturdessiops_2019(tmp_path: Path) -> None:
    """The 2019 spec without its resolve: entries: four S1009, each at the second line (in the
    3191 block) naming the first (in the 3190 block), with the caret on the key cell."""
    pkg = tmp_path / "specs" / "p"
    pkg.mkdir(parents=True)
    (pkg / "package.yaml").write_text("kind: package\nid: p\nparams: {}\n", "utf-8")
    shutil.copy(TABELAS19 / "naturdessiops_2019.csv", pkg / "naturdessiops_2019.csv")
    spec = (TABELAS19 / "naturezas_despesa.yaml").read_text("utf-8").split("resolve:")[0]
    (pkg / "naturezas_despesa.yaml").write_text(spec, "utf-8")
    result = check(pkg, base=tmp_path)
    got = [(d.code, d.span.line, d.span.col, d.labels[0].span.line) for d in result.diagnostics]
    assert got == [("S1009", 78 + n, 1, 51 + n) for n in range(4)]
    text = render(result.diagnostics, result.sources.get)
    assert ("specs/p/naturdessiops_2019.csv:78:1: erro[S1009]: a chave "
            "natureza_ecidade=3190920000 se repete: já está em specs/p/naturdessiops_2019.csv:51"
            ) in text
    assert "78 | 3190920000,3191990000\n   | ^^^^^^^^^^" in text


def test_the_specs_resolve_them_keeping_the_3190_block(tables: dict[str, ir.Table]) -> None:
    for year in ("2019", "2021"):
        t = tables[f"naturezas_despesa_{year}"]
        de_para = mapping(t, "natureza_ecidade", "natureza_siops")
        assert [de_para[k] for k in DUPLICATED] == ["3190929900"] * 4
        lines = {line for f, line in t.lines if f.endswith("naturdessiops_2019.csv")}
        assert lines.isdisjoint(range(78, 82)) and set(range(51, 55)) <= lines
    assert len(tables["naturezas_despesa_2019"].rows) == 1507 - 4
    # 2021 = 2019 + the three additions, which repeat no key of 2019
    assert len(tables["naturezas_despesa_2021"].rows) == 1507 - 4 + 3


# ---------------------------------------------------------------- revenue de-para for 8 digits
def test_the_2021_additions_point_at_no_2021_revenue_row(tables: dict[str, ir.Table]) -> None:
    rows = set(column(tables["elementos_receita_2021"], "natureza_receita_siops"))
    targets = column(tables["naturezas_receita_adicoes_2021"], "natureza_siops")
    assert len(targets) == 38
    assert [t for t in targets if t in rows] == []
    assert [t for t in targets if t[:8] in rows] == []  # not even cut to 8 digits
    assert {len(t) for t in targets} == {14}


def test_1185_of_the_1186_entries_of_2022_point_at_2021_rows(
        tables: dict[str, ir.Table]) -> None:
    rows = set(column(tables["elementos_receita_2021"], "natureza_receita_siops"))
    de_para = mapping(tables["naturezas_receita_2021"], "natureza_ecidade", "natureza_siops")
    assert len(de_para) == 1186
    missing = {k: v for k, v in de_para.items() if v not in rows}
    assert len(de_para) - len(missing) == 1185
    assert missing == {"99900000": None}  # the last line of the file: no target at all


def test_the_2019_revenue_de_para_points_at_2019_rows(tables: dict[str, ir.Table]) -> None:
    rows = set(column(tables["elementos_receita_2019"], "natureza_receita_siops"))
    targets = column(tables["naturezas_receita_2019"], "natureza_siops")
    # 14 digits there, 10 in the rows: the row is the target's first 10 digits
    assert len(targets) == 355 + 179 and all(t[:10] in rows for t in targets)


def test_the_stn_de_para_is_derived_from_the_ecidade_one() -> None:
    """naturezas_receita_stn_2019.csv (the 2019 de-para's second file): an 8-digit STN natureza
    → the target of the 14-digit e-cidade keys that begin with it, when they all have one; the
    seven with several targets are left out (an extract needs the 14-digit key for them)."""
    with (TABELAS19 / "naturrecsiops_2019.csv").open(encoding="utf-8", newline="") as fh:
        targets: dict[str, set[str]] = {}
        for row in csv.DictReader(fh):
            targets.setdefault(row["natureza_ecidade"][:8], set()).add(row["natureza_siops"])
    derived = [[k, *v] for k, v in sorted(targets.items()) if len(v) == 1]
    with (TABELAS19 / "naturezas_receita_stn_2019.csv").open(encoding="utf-8", newline="") as fh:
        assert list(csv.reader(fh)) == [["natureza_ecidade", "natureza_siops"], *derived]
    assert len(derived) == 179 and sorted(k for k, v in targets.items() if len(v) > 1) == [
        "12100421", "13210011", "13210041", "91111801", "93111801", "95171801", "95172801"]


# ---------------------------------------------------------------- group rows of the elements
def test_group_rows_are_derived_from_the_element_hierarchy(tables: dict[str, ir.Table]) -> None:
    codes = column(tables["elementos_despesa_2019"], "elemento_siops")
    groups = group_codes(codes)
    # the definition, by brute force
    assert groups == {c for c in codes
                      if any(d != c and d.startswith(nonzero_prefix(c)) for d in codes)}
    assert len(codes) == 340 and len(groups) == 66
    assert {"3000000000", "3190000000", "3390300000", "3390301000"} <= groups
    # SIOPS groups inside a level: Transferências a Estados (30) over the modalidades 35, 36
    assert "3130000000" in groups
    assert {"3135000000", "3136000000", "3390301100", "3191990000"}.isdisjoint(groups)


def test_some_de_para_targets_are_group_codes(tables: dict[str, ir.Table]) -> None:
    codes = column(tables["elementos_despesa_2019"], "elemento_siops")
    groups = group_codes(codes)
    targets = column(tables["naturezas_despesa_2019"], "natureza_siops")
    assert set(targets) <= set(codes)  # every target is an element of the table
    to_groups = sorted({t for t in targets if t in groups})
    assert to_groups == ["3290000000", "3370000000", "3390301000", "3390302000", "3393300000",
                         "3394300000", "4430000000", "4440000000", "4470000000", "4540000000",
                         "4690000000"]
    assert sum(t in groups for t in targets) == 155  # de-para entries landing on a group row


# ---------------------------------------------------------------- the ASPS base
def test_the_asps_base_of_2019_is_among_the_2019_revenue_rows(
        tables: dict[str, ir.Table]) -> None:
    rows = set(column(tables["elementos_receita_2019"], "natureza_receita_siops"))
    asps = column(tables["base_asps_2019"], "natureza_receita_siops")
    assert len(asps) == 32 and [a for a in asps if a not in rows] == []


def test_the_asps_base_of_2021_is_mostly_not_among_the_2021_rows(
        tables: dict[str, ir.Table]) -> None:
    """e-cidade's 8-digit list is the 10-digit one cut to 8 digits: only ITR (11120100, the
    same code by chance) and its intra-orçamentária 71120100 are rows of 2021."""
    rows = set(column(tables["elementos_receita_2021"], "natureza_receita_siops"))
    asps = column(tables["base_asps_2021"], "natureza_receita_siops")
    old = column(tables["base_asps_2019"], "natureza_receita_siops")
    assert len(asps) == 32 and asps == [a[:8] for a in old]
    assert [a for a in asps if a in rows] == ["11120100", "71120100"]
    assert len([a for a in asps if a not in rows]) == 30


# ---------------------------------------------------------------- fonte and subfunção groups
def test_the_planilha_groups_have_file_names(tables: dict[str, ir.Table]) -> None:
    """Every planilha code the group tables can produce (with the 'else' groups 10 and 18)
    has a file name in that year's table."""
    for year in ("2019", "2021"):
        fontes = set(column(tables[f"grupos_fonte_{year}"], "grupo")) | {10}
        subs = set(column(tables[f"grupos_subfuncao_{year}"], "grupo")) | {18}
        names = set(column(tables[f"arquivos_despesa_{year}"], "codplanilha"))
        assert {f"{f}_{s}" for f in fontes for s in subs} <= names, year
    sub = mapping(tables["grupos_subfuncao_2019"], "subfuncao", "grupo")
    assert {sub[s] for s in range(121, 132)} == {11}
    assert [sub[s] for s in range(301, 307)] == [12, 13, 14, 15, 16, 17]


def test_the_fonte_groups_of_each_year(tables: dict[str, ir.Table]) -> None:
    def groups(year: str) -> dict[tuple[int, bool], int]:
        t = tables[f"grupos_fonte_{year}"]
        return {(int(f), c): g for f, c, g in zip(column(t, "fonte"), column(t, "covid"),
                                             column(t, "grupo"), strict=True)}
    g19, g21 = groups("2019"), groups("2021")
    assert {g19[(f, c)] for f in (148, 149, 150, 151, 152, 153, 154, 159, 248, 254, 259)
            for c in (False, True)} == {5}
    assert all(g19[(f, False)] == g19[(f, True)] for f, _ in g19)  # no COVID split in 2019
    assert (g21[(154, False)], g21[(154, True)], g21[(253, False)], g21[(253, True)],
            g21[(161, False)]) == (86, 87, 88, 89, 90)
    assert (148, False) not in g21  # out of group 5: the 'else' (10)
    assert tables["grupos_fonte_2021"].files != tables["grupos_fonte_2019"].files


# ---------------------------------------------------------------- IMPT labels
def test_the_impt_column_labels(tables: dict[str, ir.Table]) -> None:
    desp, rec = tables["colunas_despesa_2019"], tables["colunas_receita_2019"]
    assert column(desp, "coluna") == [f"V{i}" for i in range(7)]  # #C7
    assert column(rec, "coluna") == [f"V{i}" for i in range(8)]  # #C8
    assert column(desp, "codigo") == [13, 12, 9, 10, 11, 14, 8]
    assert column(rec, "codigo") == [17, 15, 18, 6, 20, 5, 24, 22]
    labels = mapping(rec, "codigo", "rotulo")
    # [24]'s parenthesis does not close: the format's ')' closes the label's '(g) = (c-d-f'
    assert labels[24].count("(") == labels[24].count(")") + 1
    assert f"[24]({labels[24]})".endswith("(g) = (c-d-f)")
    assert all(v.count("(") == v.count(")") for k, v in labels.items() if k != 24)
    assert "Dotação Atualizada" in column(desp, "rotulo")


# ---------------------------------------------------------------- byte for byte
_SOURCES = {  # spec file → (reference file, anousu kept or None)
    "2019/tabelas/eledessiops_2019.csv": ("eledessiops_2019.csv", None),
    "2019/tabelas/naturdessiops_2019.csv": ("naturdessiops_2019.csv", None),
    "2019/tabelas/elerecsiops_2019.csv": ("elerecsiops_2019.csv", None),
    "2019/tabelas/naturrecsiops_2019.csv": ("naturrecsiops_2019.csv", None),
    "2019/tabelas/nomearqdessiops_2019.csv": ("nomearqdessiops.csv", "2019"),
    "2021/tabelas/naturdessiops_2021_additions.csv": ("naturdessiops_2021_additions.csv", None),
    "2021/tabelas/elerecsiops_2021.csv": ("elerecsiops_2021.csv", None),
    "2021/tabelas/naturrecsiops_2021_additions.csv": ("naturrecsiops_2021_additions.csv", None),
    "2021/tabelas/naturrecsiops_2022.csv": ("naturrecsiops_2022.csv", None),
    "2021/tabelas/nomearqdessiops_2021.csv": ("nomearqdessiops.csv", "2021"),
}


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="a pasta de referência não está aqui")
@pytest.mark.parametrize("ours", sorted(_SOURCES))
def test_the_values_are_the_references_byte_for_byte(ours: str) -> None:
    """Each line is the reference's line without its last two cells (anousu, source_file),
    which never need quotes; only the rows of one year where the reference mixes years."""
    ref, year = _SOURCES[ours]
    theirs = (REFERENCE / ref).read_bytes().decode("utf-8").split("\n")
    cut = [line.rsplit(",", 2) for line in theirs[1:] if line]
    expected = [theirs[0].rsplit(",", 2)[0]] + [c[0] for c in cut if year in (None, c[1])]
    assert (SPECS / ours).read_bytes().decode("utf-8").split("\n") == [*expected, ""]
    # and the csv module reads the same cells from both
    with (SPECS / ours).open(encoding="utf-8", newline="") as fh:
        mine = list(csv.reader(fh))
    with (REFERENCE / ref).open(encoding="utf-8", newline="") as fh:
        assert [r[:-2] for r in csv.reader(fh) if year is None or r[-2] in (year, "anousu")] \
            == mine
