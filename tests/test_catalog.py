"""Every catalogue function (compiler/catalog.py) has at least one case under cases/diagnostics/."""

from __future__ import annotations

import ast

from tests.conftest import ROOT
from tests.test_diagnostics_cases import CASES
from tests.test_diagnostics_cases import case_code

# compiler/catalog.py and the modules it re-exports (one job each)
CATALOGS = [ROOT / "compiler" / f for f in ("catalog.py", "catalog_data.py",
                                            "catalog_package.py", "catalog_indicator.py",
                                            "catalog_dictionary.py", "catalog_derivation_state.py")]

# Codes with no case folder, and why.
ALLOWED_WITHOUT_CASE = {
    # I0001 (catalog.internal) is a defect of apura itself: no spec mistake can honestly produce
    # it (nothing in the compiler calls catalog.internal today; the CLI prints I0001 only for an
    # unexpected exception; tests/cli/test_cli.py checks that last line of defence by forcing one).
    "I0001",
    # S0601 (a spec file over 8 MB): a case folder would put 8 MB in git; tests/unit/
    # test_limits.py writes such a file in a temporary folder and checks the code and position.
    "S0601",
}


def catalog_codes() -> dict[str, str]:
    """Public function name → the code of the Diagnostic it builds (read from the source)."""
    out: dict[str, str] = {}
    for node in (n for f in CATALOGS for n in ast.parse(f.read_text("utf-8")).body):
        if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
            continue
        codes = {kw.value.value for call in ast.walk(node) if isinstance(call, ast.Call)
                 for kw in call.keywords
                 if kw.arg == "code" and isinstance(kw.value, ast.Constant)}
        assert len(codes) == 1, f"catalog.{node.name} must build exactly one code, got {codes}"
        out[node.name] = codes.pop()
    return out


def test_the_catalog_is_read() -> None:
    codes = catalog_codes()
    assert len(codes) >= 50
    assert codes["unknown_field"] == "R0101"
    assert codes["internal"] == "I0001"


def test_codes_are_unique_and_well_formed() -> None:
    codes = catalog_codes()
    by_code: dict[str, list[str]] = {}
    for func, code in codes.items():
        by_code.setdefault(code, []).append(func)
        assert len(code) == 5 and code[0] in "YSERTGPI" and code[1:].isdigit(), (func, code)
    assert {c: f for c, f in by_code.items() if len(f) > 1} == {}


def test_every_catalog_function_has_a_case() -> None:
    covered = {case_code(c) for c in CASES}
    missing = {f"{func} ({code})" for func, code in catalog_codes().items()
               if code not in covered and code not in ALLOWED_WITHOUT_CASE}
    assert missing == set(), "catalogue functions without a case in tests/cases/diagnostics/"


def test_every_case_is_a_catalog_code() -> None:
    codes = set(catalog_codes().values())
    stray = {c.name for c in CASES if case_code(c) not in codes}
    assert stray == set()


def test_allow_list_is_not_stale() -> None:
    covered = {case_code(c) for c in CASES}
    assert ALLOWED_WITHOUT_CASE <= set(catalog_codes().values())
    assert not (ALLOWED_WITHOUT_CASE & covered), "a case exists now: drop it from the allow-list"
