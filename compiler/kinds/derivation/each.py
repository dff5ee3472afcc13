"""`each: <collection>` — a per-record derivation that writes one output record per member of
one of its collections (the recipients of a document, seed 001), in the records' order and
then the collection's (`order:`, nulls last, ties in the related file's order); a record whose
collection is empty writes none. In fields and warnings the member's fields are read as
`<collection>.field`; this record's fields stay bare. Here those names become fields `_each__f`
before the checker types them; the python back end (runtime/derivation_each.py) gives each
member's copy of the record those fields, the SQL one (sqltext.py) joins the collection's
ledger (alias `_e`) and orders by the record's line, the collection's order, the member's
line."""

from __future__ import annotations

import difflib
from typing import Any

from compiler import catalog
from compiler import types as T
from compiler.expr import ast
from compiler.kinds.derivation.related import _map

EACH = "_each__"  # the member's field `f` is read as the field EACH + f (runtime too)


def member_names(lw: Any, tree: ast.Expr, each: str, fields: dict[str, T.Type],
                 ledger: str) -> ast.Expr:
    """`tree` with each `<each>.f` replaced by the name EACH + f (an unknown f: S2001)."""
    def one(node: Any) -> Any:
        if isinstance(node, ast.Attr) and isinstance(node.obj, ast.Name) \
                and node.obj.name == each:
            if node.name not in fields:
                lw.diags.append(catalog.derivation_field(
                    node.name_span, what="o campo", name=node.name, ledger=ledger,
                    candidates=difflib.get_close_matches(node.name, list(fields), n=1)))
                return ast.Null(id=node.id, span=node.span)
            return ast.Name(id=node.id, name=f"{EACH}{node.name}", span=node.span)
        return None
    return _map(tree, one)  # type: ignore[no-any-return]


def member_types(fields: dict[str, T.Type]) -> dict[str, T.Type]:
    """The member's fields as the names fields read them."""
    return {f"{EACH}{k}": v for k, v in fields.items()}
