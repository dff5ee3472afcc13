"""Names Windows cannot hold are refused as partition folders (D0501) and as output file
names (S0502): the quadros are copied to Windows machines."""

from __future__ import annotations

import pytest

from compiler.outputs_check import file_name_problem
from runtime.partitions import partition_problem

BAD = ["CON", "con", "Nul", "AUX.txt", "com1", "LPT9.x.y", "PRN ", "a:b", "a*b", "q?",
       'x"y', "a<b", "a>b", "a|b"]
GOOD = ["3170206", "CONSORCIO", "COM10", "com", "LPT", "nulo", "a-b_c", "São João"]


@pytest.mark.parametrize("name", BAD)
def test_windows_names_are_refused(name: str) -> None:
    reason = partition_problem(name)
    assert reason is not None and "Windows" in reason
    assert file_name_problem(name + ".IMPT") is not None


@pytest.mark.parametrize("name", GOOD)
def test_ordinary_names_pass(name: str) -> None:
    assert partition_problem(name) is None
    assert file_name_problem(name + ".IMPT") is None
