"""partition_errors asks for a record's line only when there is an error to position: on the
SQL back ends a line costs a copy of the ledger with line numbers (it doubled a 1M-row DuckDB
run and its memory when it was asked for every partition)."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from runtime.partitions import partition_errors


@dataclass
class Stats:
    name: str
    path: str
    partitions: set[Any] = field(default_factory=set)
    partition_lines: dict[Any, int] = field(default_factory=dict)


def never(st: Any, value: Any) -> int:
    raise AssertionError(f"line of {value!r} in {st.path} asked, with nothing to report")


@given(st.sets(st.from_regex(r"[0-9]{7}", fullmatch=True), min_size=1, max_size=30))
def test_good_partitions_in_several_ledgers_ask_for_no_line(values: set[str]) -> None:
    ledgers = [Stats("despesa", "d.csv", set(values)), Stats("receita", "r.csv", set(values)),
               Stats("mapa", "m.csv", set(sorted(values)[:3]))]
    assert partition_errors(ledgers, "municipio", never) == []


def test_lines_are_asked_for_the_errors_only() -> None:
    asked: list[tuple[str, Any]] = []

    def line(st: Any, value: Any) -> int:
        asked.append((st.path, value))
        return {"abc": 7, "ABC": 3, "..": 9, "ok": 1}[value]

    ledgers = [Stats("despesa", "d.csv", {"abc", "ok"}), Stats("receita", "r.csv",
                                                          {"ABC", "ok", ".."})]
    got = [(e.code, e.file, e.line) for e in partition_errors(ledgers, "municipio", line)]
    assert got == [("D0502", "r.csv", 3), ("D0501", "r.csv", 9)]
    assert sorted(asked) == [("d.csv", "abc"), ("r.csv", ".."), ("r.csv", "ABC")]
