"""Group rows of a code table whose hierarchy is in the codes themselves (the SIOPS expense
elements: 3390300000 "Material de Consumo" groups 3390301000 "Material Odontológico", which
groups 3390301100): no column flags them, so they are derived.

A code is a group when another code of the table extends its non-zero prefix (the code without
its trailing zeros): 3390301000 → `3390301`, extended by 3390301100. The prefix is taken
digit by digit, not by the levels of the STN mask (c.g.mm.ee.dd.xx), because SIOPS groups
inside a level: 3130000000 "Transferências a Estados e ao Distrito Federal" groups the
modalidades 3135000000 and 3136000000. tests/unit/test_siops_tables.py counts them."""

from __future__ import annotations

from collections.abc import Iterable


def nonzero_prefix(code: str) -> str:
    """The code without its trailing zeros (`3190000000` → `319`; all zeros → `''`)."""
    return code.rstrip("0")


def group_codes(codes: Iterable[str]) -> frozenset[str]:
    """The codes that another code of `codes` extends (by its non-zero prefix). Codes of one
    length: a code is its prefix followed by zeros, so the codes extending it sort right
    after it, and one comparison with the next code decides."""
    ordered = sorted(set(codes))
    return frozenset(code for code, after in zip(ordered, ordered[1:], strict=False)
                     if after.startswith(nonzero_prefix(code)))
