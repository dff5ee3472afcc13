"""Validate a spec's YNode tree against its kind's JSON Schema; errors point at the YAML node.

Scalars are typed by the schema: where the schema wants a string, a plain scalar's raw text is
used verbatim (`ref: 0301` is "0301", `ref: 1.10` is "1.10").

A schema `pattern` must match the whole string (Python `re.fullmatch`): with `re.search`, as
JSON Schema specifies, `^[a-z]+$` would accept "abc\n" (`$` matches before a final newline).
The .json files keep their `^...$` anchors, so editors read the same rules.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from typing import cast

import jsonschema

from compiler import catalog
from compiler import kinds
from compiler.diagnostics import Diagnostic
from compiler.yamlnodes import YMap
from compiler.yamlnodes import YNode
from compiler.yamlnodes import YScalar
from compiler.yamlnodes import YSeq
from compiler.yamlnodes import to_plain

SCHEMA_DIR = Path(__file__).parent / "schemas"
KINDS = kinds.KINDS  # the registry (compiler/kinds/__init__.py)

_WHERE = {"rows": "uma linha (rows)", "columns": "uma coluna (columns)",
          "format": "'format'", "output": "'output'", "fields": "um campo (fields)",
          "params": "um parâmetro (params)", "values": "'values'"}


@functools.cache
def schema_for(kind: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text("utf-8"))
    return data


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _full_pattern(validator: Any, pattern: str, instance: object,
                  schema: object) -> Iterator[jsonschema.ValidationError]:
    """The `pattern` keyword with full-match semantics (see the module docstring)."""
    if isinstance(instance, str) and _compiled(pattern).fullmatch(instance) is None:
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


FullMatchValidator = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
    jsonschema.Draft202012Validator, {"pattern": _full_pattern})


@functools.cache
def _validator(kind: str) -> jsonschema.protocols.Validator:
    return cast(jsonschema.protocols.Validator, FullMatchValidator(schema_for(kind)))


def node_at(root: YNode, path: tuple[object, ...]) -> YNode:
    node = root
    for part in path:
        if isinstance(node, YMap) and isinstance(part, str):
            nxt = node.get(part)
        elif isinstance(node, YSeq) and isinstance(part, int) and part < len(node.items):
            nxt = node.items[part]
        else:
            nxt = None
        if nxt is None:
            break
        node = nxt
    return node


def _plain(node: YNode, strings: set[tuple[object, ...]], path: tuple[object, ...] = ()) -> object:
    if isinstance(node, YScalar):
        return node.value if path in strings else to_plain(node)
    if isinstance(node, YSeq):
        return [_plain(n, strings, (*path, i)) for i, n in enumerate(node.items)]
    return {k.value: _plain(v, strings, (*path, k.value)) for k, v in node.items}


def validate(root: YNode, kind: str) -> tuple[object, list[Diagnostic]]:
    """Validate; return the plain data (schema-typed) and diagnostics."""
    validator = _validator(kind)
    strings: set[tuple[object, ...]] = set()
    for _ in range(64):
        data = _plain(root, strings)
        errors = list(validator.iter_errors(cast(Any, data)))
        retype = {tuple(e.absolute_path) for e in errors if _wants_string(e, root)}
        if not retype - strings:
            break
        strings |= retype
    diags = [_diagnostic(root, e, kind) for e in errors]
    return data, _dedupe(diags)


def _wants_string(err: jsonschema.ValidationError, root: YNode) -> bool:
    node = node_at(root, tuple(err.absolute_path))
    if not (isinstance(node, YScalar) and node.style is None):
        return False
    for e in [err, *(err.context or [])]:
        if e.validator == "type" and "string" in _as_list(e.validator_value):
            return True
        if e.validator in ("const", "enum") and all(
                isinstance(v, str) for v in _as_list(e.validator_value)):
            return True
    return False


def _as_list(v: object) -> list[object]:
    return list(v) if isinstance(v, list | tuple) else [v]


def _where(path: tuple[object, ...], kind: str) -> str:
    for part in reversed(path):
        if isinstance(part, str) and part in _WHERE:
            return _WHERE[part]
    return f"uma spec '{kind}'"


def _diagnostic(root: YNode, err: Any, kind: str) -> Diagnostic:
    """`err` is a jsonschema ValidationError (typed Any: its fields are loosely typed)."""
    if err.validator == "oneOf" and err.context:
        err = jsonschema.exceptions.best_match(err.context)
    path = tuple(err.absolute_path)
    node = node_at(root, path)
    field_name = str(path[-1]) if path and isinstance(path[-1], str) else None
    label = f"'{field_name}'" if field_name else _where(path, kind)
    if err.validator == "additionalProperties" and isinstance(node, YMap):
        allowed = list((err.schema.get("properties") or {}).keys())
        for k, _ in node.items:
            if k.value not in allowed:
                return catalog.unknown_key(k.span, key=k.value, where=_where((*path, "_"), kind)
                                           if not path else _where(path, kind), allowed=allowed,
                                           candidates=difflib.get_close_matches(k.value, allowed,
                                                                                n=1))
    if err.validator == "required" and isinstance(node, YMap):
        present = {k.value for k, _ in node.items}
        missing = [r for r in err.validator_value if r not in present]
        anchor = node.items[0][0].span if node.items else node.span
        return catalog.missing_key(anchor, key=missing[0] if missing else "?",
                                   where=_where(path, kind) if path else f"uma spec '{kind}'")
    if err.validator == "type":
        return catalog.wrong_type(node.span, where=label,
                                  expected=_type_name(err.validator_value))
    if err.validator in ("minProperties", "minItems"):
        return catalog.bad_value(node.span, where=label, detail="não pode ficar vazio")
    if err.validator == "enum":
        names = [str(v) for v in err.validator_value]
        opts = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " ou " + names[-1]
        got = node.value if isinstance(node, YScalar) else "?"
        got = "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in got)
        dym = difflib.get_close_matches(got, [str(v) for v in err.validator_value], n=1)
        detail = f"'{got}' não é aceito; use {opts}"
        if dym:
            detail += f" (você quis dizer '{dym[0]}'?)"
        return catalog.bad_value(node.span, where=label, detail=detail)
    if err.validator == "const":
        return catalog.bad_value(node.span, where=label,
                                 detail=f"o único valor aceito é {_show(err.validator_value)}")
    if err.validator == "pattern":
        return catalog.bad_value(node.span, where=label, detail=_pattern_hint(path))
    if err.validator in ("minimum", "maximum"):
        return catalog.bad_value(node.span, where=label, detail=f"limite {err.validator_value}")
    if err.validator in ("minLength", "maxLength"):
        return catalog.bad_value(node.span, where=label, detail="tamanho inválido")
    return catalog.bad_value(node.span, where=label, detail=str(err.message))


def _show(v: object) -> str:
    if v is True:
        return "true"
    return repr(v)


def _pattern_hint(path: tuple[object, ...]) -> str:
    last = path[-1] if path else ""
    if last in ("id", "alternative_of"):
        return "use letras minúsculas, dígitos, '_' e '/' (ex.: covid/77)"
    if last in ("source", "reason"):
        return "não pode ficar em branco"
    if last == "file":
        return ("um caminho relativo de um arquivo .csv (letras, dígitos, '_', '-', '.' e '/'; "
                "'..' para subir)")
    if last in ("true", "false", "delimiter"):
        return "sem quebras de linha nem outros caracteres de controle (nem aspas no delimitador)"
    return "use letras minúsculas, dígitos e '_' (ex.: anulado_empenho)"


def _type_name(t: object) -> str:
    names = {"string": "um texto", "integer": "um número inteiro", "object": "um mapeamento "
             "(chave: valor)", "array": "uma lista", "boolean": "true ou false",
             "number": "um número"}
    types = _as_list(t)
    return " ou ".join(names.get(str(x), str(x)) for x in types)


def _dedupe(diags: list[Diagnostic]) -> list[Diagnostic]:
    seen = set()
    out = []
    for d in diags:
        key = (d.code, d.span.start, d.message)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out
