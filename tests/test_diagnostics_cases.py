"""Every compile-time diagnostic, one tiny spec package per case (tests/cases/diagnostics/).

A case folder is named `<CODE>_<slug>` and holds:
  specs/…yaml   a package (package.yaml plus what the case needs) with ONE mistake;
  expect.txt    every diagnostic `check` must report, in order, one per line:
                `CODE file:line:col` (the primary span; files relative to the case folder).
The rendered text (what the analyst reads) is snapshotted under the folder's name (the
parametrize id), e.g. __snapshots__/test_diagnostics_cases/test_diagnostic_case[T0203_…].txt.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler import check
from compiler.diagnostics import render

CASES_DIR = Path(__file__).parent / "cases" / "diagnostics"
CASES = sorted(p for p in CASES_DIR.iterdir() if p.is_dir())


def case_code(case: Path) -> str:
    return case.name.split("_", 1)[0]


def expected(case: Path) -> list[tuple[str, str]]:
    out = []
    for line in (case / "expect.txt").read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            code, at = line.split()
            out.append((code, at))
    return out


def test_the_cases_are_well_formed() -> None:
    assert len(CASES) >= 50
    for case in CASES:
        assert "/" not in case.name and case.name == case.name.strip()
        assert (case / "specs").is_dir(), case
        exp = expected(case)
        assert exp, f"{case.name}: expect.txt is empty"
        assert case_code(case) in {c for c, _ in exp}, f"{case.name}: its code is not expected"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_diagnostic_case(case: Path, diag_snapshot) -> None:  # type: ignore[no-untyped-def]
    result = check(case / "specs", base=case)
    got = [(d.code, f"{d.span.file}:{d.span.line}:{d.span.col}") for d in result.diagnostics]
    assert got == expected(case)
    code = case_code(case)
    primary = next(d for d in result.diagnostics if d.code == code)
    # the primary span lies inside its file, on a non-space character
    src = result.sources.get(primary.span.file)
    if src is not None:
        line = src.line_text(primary.span.line)
        assert 1 <= primary.span.col <= len(line) + 1
        if primary.span.col <= len(line):
            assert not line[primary.span.col - 1].isspace() or code == "Y0102"
    text = render(result.diagnostics, result.sources.get)
    assert f"{primary.span.file}:{primary.span.line}:{primary.span.col}: " in text
    assert f"[{code}]: " in text
    # __snapshots__/test_diagnostics_cases/test_diagnostic_case[<case folder>].txt
    assert diag_snapshot == text
