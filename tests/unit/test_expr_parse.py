"""The expression parser: strict grammar, printer round trip, fuzzing never crashes."""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

from compiler.expr import ast
from compiler.expr import parse_expression
from compiler.expr.grammar import parser
from compiler.expr.printer import show
from compiler.source import SourceFile
from compiler.yamlnodes import YScalar


def parse(text: str):  # type: ignore[no-untyped-def]
    src = SourceFile.from_text("x.yaml", f"rule: {text}\n")
    scalar = YScalar(value=text, style=None, span=src.span(6, 6 + len(text)))
    return parse_expression(src, scalar)


def strip(e: object) -> object:
    """The tree without ids and spans, for structural comparison."""
    if isinstance(e, tuple):
        return tuple(strip(x) for x in e)
    if dataclasses.is_dataclass(e) and not isinstance(e, type):
        return (type(e).__name__,) + tuple(
            (f.name, strip(getattr(e, f.name))) for f in dataclasses.fields(e)
            if f.name not in ("id", "span", "name_span", "op_span", "pattern_span"))
    return e


def test_grammar_builds_in_strict_mode() -> None:
    assert parser().options.strict is True


def test_precedence_and_positions() -> None:
    tree, diags = parse("funcao == 10 and subfuncao in [301, 302] or not f")
    assert not diags
    assert isinstance(tree, ast.Or)
    left = tree.operands[0]
    assert isinstance(left, ast.And)
    assert isinstance(left.operands[1], ast.InList)
    # positions are file positions: "rule: " is 6 characters
    assert (left.operands[0].span.line, left.operands[0].span.col) == (1, 7)
    assert left.operands[1].span.col == 24


def test_where_inside_aggregate() -> None:
    tree, diags = parse("sum(arrecadado where recurso == 212)")
    assert not diags
    assert isinstance(tree, ast.Call) and isinstance(tree.args[0], ast.Where)


names = st.sampled_from(["a", "b", "funcao", "subfuncao", "valor_pago"])
leaves = st.one_of(
    names.map(lambda n: ("name", n)),
    st.integers(min_value=0, max_value=10**6).map(lambda i: ("num", str(i))),
    st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False,
                allow_infinity=False).map(lambda d: ("num", str(d))),
    st.text(alphabet="ABC_09 .*", max_size=6).map(lambda s: ("str", s)),
    st.sampled_from(["true", "false", "null"]).map(lambda s: ("kw", s)),
    names.map(lambda n: ("param", n)),
)


def render(t: tuple) -> str:  # type: ignore[type-arg]
    kind = t[0]
    if kind == "name":
        return t[1]
    if kind == "num":
        return t[1]
    if kind == "str":
        return f'"{t[1]}"'
    if kind == "kw":
        return t[1]
    if kind == "param":
        return f"${t[1]}"
    if kind == "bin":
        return f"({render(t[2])} {t[1]} {render(t[3])})"
    if kind == "not":
        return f"(not {render(t[1])})"
    if kind == "neg":
        return f"(-{render(t[1])})"
    if kind == "call":
        return f"{t[1]}({', '.join(render(a) for a in t[2])})"
    if kind == "if":
        return f"(if {render(t[1])} then {render(t[2])} else {render(t[3])})"
    raise AssertionError(t)


exprs = st.recursive(
    leaves,
    lambda sub: st.one_of(
        st.tuples(st.just("bin"), st.sampled_from(["+", "-", "*", "/", "==", "!=", "<", ">=",
                                                   "and", "or"]), sub, sub),
        st.tuples(st.just("not"), sub),
        st.tuples(st.just("neg"), sub),
        st.tuples(st.just("call"), st.sampled_from(["coalesce", "round", "f"]),
                  st.lists(sub, min_size=1, max_size=3)),
        st.tuples(st.just("if"), sub, sub, sub),
    ),
    max_leaves=12,
)


@given(exprs)
def test_print_parse_round_trip(t: tuple) -> None:  # type: ignore[type-arg]
    text = render(t)
    tree, diags = parse(text)
    assert not diags, (text, diags)
    printed = show(tree)
    again, diags2 = parse(printed)
    assert not diags2, printed
    assert strip(again) == strip(tree)
    assert show(again) == printed


@settings(suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(from_lark(parser(), start="start"))
def test_parser_fuzz_never_crashes(text: str) -> None:
    """Grammar-generated text may not re-lex (keywords glued to names): only 'no crash'."""
    tree, diags = parse(text.replace("\n", " "))
    assert (tree is None) == bool(diags)


@given(st.text(max_size=40))
def test_any_text_gives_a_tree_or_diagnostics(text: str) -> None:
    if "\n" in text or "\r" in text:
        return
    tree, diags = parse(text)
    assert (tree is None) == bool(diags)
    for d in diags:
        assert d.span.line == 1 and 1 <= d.span.col <= len("rule: ") + len(text) + 1
