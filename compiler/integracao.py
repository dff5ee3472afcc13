"""The Portal do Gestor integration config (`apura send --config FILE`): YAML → Settings, or
every mistake as a positioned diagnostic (S19xx, compiler/catalog_integracao.py).

The shape comes from a JSON Schema (compiler/integracao_schema.py); the values are checked
against the seed's section 5: a token is the code only, without spaces (8-4-4-4-12 letters and
digits, as the manual's example), except Compras and Patrimônio desktop, whose screen takes
`Bearer `, a space and the code. Educação cloud takes the code only: the seed's text says so
("informe apenas o código do token sem espaços") and the word "Bearer" in its screenshot is
the screen's own label before the field, not something typed. Almoxarifado and Patrimônio
cloud call the code `chave_acesso`. Tributos' Ambiente chooses the service layer: `url` is
Produção's, `url_testes` (required with `ambiente: Testes`) the Testes one's — the seed names
the two ambientes, not how they differ on the wire, so this is provisional (README).

Tokens never reach a message, and `masked` is the text rendered under the carets: each
token's letters and digits become `*` (same columns; `Bearer `, spaces and dashes stay, so a
misplaced space is still visible)."""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema

from compiler import catalog_integracao as catalog
from compiler.catalog_data import _visible
from compiler.diagnostics import Diagnostic
from compiler.integracao_schema import SCHEMA
from compiler.integracao_schema import SYSTEMS
from compiler.source import SourceFile
from compiler.source import Span
from compiler.yamlnodes import YMap
from compiler.yamlnodes import YNode
from compiler.yamlnodes import YScalar
from compiler.yamlnodes import YSeq
from compiler.yamlnodes import load
from compiler.yamlnodes import to_plain
from runtime.portal_settings import DAILY
from runtime.portal_settings import HOURLY
from runtime.portal_settings import Delivery
from runtime.portal_settings import Folha
from runtime.portal_settings import Settings
from runtime.portal_settings import System

CATEGORIES = ("Funcionários", "Aposentados", "Beneficiários de pensão por morte",
              "Conselheiros tutelares", "Autônomos")
EVENT_GROUPS = {"cargos_comissionados": "cargos comissionados",
                "funcoes_gratificadas": "funções gratificadas", "horas_extras": "horas extras",
                "afastamentos": "afastamentos"}
BEARER_SYSTEMS = ("Compras", "Patrimônio desktop")
KEY_SYSTEMS = ("Almoxarifado", "Patrimônio cloud")  # the code is their `chave_acesso`
_CODE = re.compile(r"[0-9A-Za-z]{8}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-"
                   r"[0-9A-Za-z]{12}")
_CODE_ANYWHERE = re.compile(_CODE.pattern)
_SECRET_LINE = re.compile(r"^(\s*(?:-\s+)?[\"']?(?:token|chave_acesso)[\"']?\s*:)(.*)$", re.M)
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ENV_ONLY = re.compile(r"\s*\{\s*env\s*:\s*[A-Za-z_][A-Za-z0-9_]*\s*\}\s*(?:#.*)?")
_TYPE_NAMES = {"string": "texto", "integer": "um número inteiro", "number": "um número",
               "boolean": "true ou false", "array": "uma lista", "object": "um mapa (campo: valor)"}
_ENVIO = {"timeout": "timeout", "tentativas": "tries", "espera": "wait",
          "espera_maxima": "max_wait", "consulta": "poll", "limite_consulta": "poll_limit"}


@dataclass(frozen=True, slots=True)
class Loaded:
    """The settings (None when there are errors), every diagnostic, and the masked source."""

    settings: Settings | None
    diagnostics: list[Diagnostic]
    source: SourceFile
    # where some settings are ('Sapo.poder': the value, 'Folha.eventos': the key), for what
    # a run checks against them (compiler/integracao_run.py)
    spans: dict[str, Span] = field(default_factory=dict)


def masked(src: SourceFile, secrets: list[YScalar]) -> SourceFile:
    """The text with every token's letters and digits as `*`: the scalars found, any
    `token:` / `chave_acesso:` line and anything shaped as a token (also when the YAML did
    not parse)."""
    chars = list(src.text)

    def hide(start: int, end: int) -> None:
        skip = len("Bearer ") if src.text[start:start + 7].lower() == "bearer " else 0
        for i in range(start + skip, end):
            if chars[i].isalnum():
                chars[i] = "*"

    for s in secrets:
        hide(s.span.start, s.span.end)
    for m in _SECRET_LINE.finditer(src.text):
        value = m.group(2)
        if _ENV_ONLY.fullmatch(value):  # `token: {env: NAME}`: a name, not a secret
            continue
        lead = len(value) - len(value.lstrip(" \"'"))
        hide(m.start(2) + lead, m.end(2))
    for m in _CODE_ANYWHERE.finditer(src.text):  # a token anywhere (flow style, broken YAML)
        hide(m.start(), m.end())
    return SourceFile.from_text(src.path, "".join(chars))


def load_config(path: Path, display: str, environ: Mapping[str, str] | None = None) -> Loaded:
    """The config at `path` (shown as `display`); `{env: NAME}` tokens are read from
    `environ` (default: the process's environment)."""
    src = SourceFile.read(path, display)
    node, diags = load(src)
    if node is None:
        return Loaded(None, diags, masked(src, []))
    checker = _Checker(src, os.environ if environ is None else environ)
    settings = checker.run(node)
    diags = sorted(checker.diags, key=Diagnostic.sort_key)
    return Loaded(None if diags else settings, diags, masked(src, checker.secrets),
                  checker.spans)


def _at(node: YNode, path: list[str | int]) -> YNode:
    for step in path:
        if isinstance(node, YMap) and isinstance(step, str) and node.get(step) is not None:
            node = node.get(step)  # type: ignore[assignment]
        elif isinstance(node, YSeq) and isinstance(step, int) and step < len(node.items):
            node = node.items[step]
        else:
            break
    return node


def _where(path: list[str | int]) -> str:
    """Where in the config, with its preposition: 'no sistema Sapo', "em 'envio'"."""
    names = [p for p in path if isinstance(p, str)]
    if not names:
        return "na configuração"
    if names[0] == "sistemas" and len(names) >= 2:
        return f"em '{'.'.join(names[1:])}'" if len(names) > 2 else f"no sistema {names[1]}"
    return f"em '{'.'.join(names)}'"


def _field(path: list[str | int]) -> str:
    """A value's name in a message: "'poder'", "um item de 'categorias'", "'eventos.1'",
    'a configuração' (the whole file)."""
    if not path:
        return "a configuração"
    if isinstance(path[-1], int):
        return f"um item de '{path[-2]}'" if len(path) > 1 else "um item"
    names = [str(p) for p in path]
    inside = names[2:] if names[0] == "sistemas" and len(names) > 2 else names[-1:]
    return "'" + ".".join(inside[-2:] if inside[0] == "eventos" else inside[-1:]) + "'"


def _shown(node: YNode) -> str:
    return f"'{_visible(node.value)}'" if isinstance(node, YScalar) else "uma lista ou um mapa"


class _Checker:
    """Runs the schema, then the seed's rules, collecting diagnostics and the token scalars."""

    def __init__(self, src: SourceFile, environ: Mapping[str, str]) -> None:
        self.src = src
        self.environ = environ
        self.diags: list[Diagnostic] = []
        self.secrets: list[YScalar] = []
        self.spans: dict[str, Span] = {}

    def run(self, root: YNode) -> Settings | None:
        for d in self._schema(root):
            self.diags.append(d)
        if self.diags or not isinstance(root, YMap):
            self._collect_secrets(root)
            return None
        systems = []
        sistemas = root.get("sistemas")
        assert isinstance(sistemas, YMap)
        folha = None
        for key, value in sistemas.items:
            assert isinstance(value, YMap)
            systems.append(self._system(key, value))
            if key.value == "Folha":
                self.spans["Folha"] = key.span
                folha = self._folha(value)
        envio = root.get("envio")
        given = {k.value: v.value for k, v in (envio.items if isinstance(envio, YMap) else ())
                 if isinstance(v, YScalar)}
        numbers: dict[str, Any] = {_ENVIO[k]: int(v) if k == "tentativas" else float(v)
                                   for k, v in given.items()}
        delivery = Delivery(**numbers)
        return Settings(systems=tuple(systems), delivery=delivery, folha=folha)

    # --- the schema: unknown, missing, wrong type, not one of, out of range
    def _schema(self, root: YNode) -> Iterator[Diagnostic]:
        validator = jsonschema.Draft202012Validator(SCHEMA)
        seen: set[tuple[str, int]] = set()
        for err in validator.iter_errors(to_plain(root)):
            path = list(err.absolute_path)
            node = _at(root, path)
            for d in self._schema_error(err, root, path, node):
                key = (d.code, d.span.start)
                if key not in seen:
                    seen.add(key)
                    yield d

    def _schema_error(self, err: jsonschema.ValidationError, root: YNode,
                      path: list[str | int], node: YNode) -> Iterator[Diagnostic]:
        field = _field(path)
        schema: dict[str, Any] = err.schema if isinstance(err.schema, dict) else {}
        if err.validator == "additionalProperties" and isinstance(node, YMap):
            known = tuple(schema.get("properties", {}))
            for k, _ in node.items:
                if k.value not in known:
                    yield catalog.config_unknown_field(k.span, field=k.value, where=_where(path),
                                                       close=_close(k.value, known), known=known)
        elif err.validator == "required" and isinstance(node, YMap):
            for name in schema.get("required", ()):
                if node.get(name) is None:
                    yield catalog.config_missing_field(self._key_span(root, node, path), field=name,
                                                       where=_where(path))
        elif err.validator == "type":
            want = schema.get("type")
            wants = [want] if isinstance(want, str) else list(want or [])
            name = "texto" if "string" in wants else _TYPE_NAMES.get(wants[0], str(want))
            yield catalog.config_wrong_type(node.span, field=field, want=name)
        elif err.validator == "enum":
            yield catalog.config_not_one_of(node.span, field=field,
                                            value=node.value if isinstance(node, YScalar)
                                            else "?", options=tuple(schema["enum"]))
        elif err.validator == "exclusiveMinimum":
            yield catalog.config_out_of_range(node.span, field=field,
                                              low=str(schema["exclusiveMinimum"]))
        else:  # pragma: no cover - every keyword of SCHEMA is handled above
            raise AssertionError(f"keyword de esquema sem mensagem: {err.validator}")

    def _key_span(self, root: YNode, node: YMap, path: list[str | int]) -> Span:
        """Where a missing field is reported: the key of the map that lacks it (the first
        character of the file for the top level)."""
        parent = _at(root, path[:-1]) if path else None
        key = parent.key_node(str(path[-1])) if isinstance(parent, YMap) else None
        return key.span if key is not None else self.src.span(node.span.start,
                                                             node.span.start + 1)

    # --- the seed's rules, on a schema-valid tree
    def _system(self, key: YScalar, node: YMap) -> System:
        name = key.value
        linha = _text(node.get("linha"))
        screen = f"{name} {linha}" if name == "Patrimônio" else name
        url = self._url(name, node.get("url"), key)
        token = self._token(screen, node, key)
        exercicio = self._exercicio(name, node.get("exercicio"))
        if screen == "Patrimônio desktop" and node.get("exercicio") is None:
            self.diags.append(catalog.config_missing_field(key.span, field="exercicio",
                                                           where="no sistema Patrimônio desktop"))
        options: list[tuple[str, str]] = []
        poder = node.get("poder")
        if poder is not None:
            if _text(poder) not in ("E", "L"):
                self.diags.append(catalog.poder_unknown(poder.span, shown=_shown(poder)))
            self.spans[f"{name}.poder"] = poder.span
            options.append(("poder", _text(poder)))
        ambiente = node.get("ambiente")
        if ambiente is not None:
            value = _text(ambiente)
            if value not in ("Produção", "Testes"):
                self.diags.append(catalog.ambiente_unknown(
                    ambiente.span, shown=_shown(ambiente),
                    candidates=_close(value, ("Produção", "Testes"))))
            options.append(("ambiente", value))
            # each ambiente its own service layer (provisional): Testes sends to url_testes
            testes = node.get("url_testes")
            testes_url = self._url(name, testes, key) if testes is not None else None
            if value == "Testes" and testes_url is None:
                self.diags.append(catalog.config_missing_field(
                    ambiente.span, field="url_testes",
                    where="no sistema Tributos com o ambiente Testes"))
            elif value == "Testes" and testes_url is not None:
                url = testes_url
        for opt in ("linha", "script", "conexao_sapo"):
            if node.get(opt) is not None:
                options.append((opt, _text(node.get(opt))))
        return System(name=name, url=url, token=token, exercicio=exercicio,
                      schedule=_schedule(name, node), options=tuple(options))

    def _url(self, system: str, node: YNode | None, key: YScalar) -> str:
        text = _text(node)
        parts = urlsplit(text)
        why = None
        if not text:
            why = "está vazia"
        elif parts.scheme not in ("http", "https") or not parts.netloc:
            why = "não começa com http:// ou https:// seguido do servidor"
        elif any(ch.isspace() for ch in text) or parts.query or parts.fragment:
            why = "tem espaços, '?' ou '#'"
        if why:
            self.diags.append(catalog.url_invalid(node.span if node is not None else key.span,
                                                  system=system, why=why))
        return text.rstrip("/")

    def _token(self, screen: str, node: YMap, key: YScalar) -> str:
        want = "chave_acesso" if screen in KEY_SYSTEMS else "token"
        other = "token" if want == "chave_acesso" else "chave_acesso"
        if node.get(other) is not None:
            if isinstance(node.get(other), YScalar):
                self.secrets.append(node.get(other))  # type: ignore[arg-type]
            wrong = node.key_node(other)
            assert wrong is not None
            self.diags.append(catalog.key_field_wrong(wrong.span, system=screen, want=want,
                                                      got=other))
            return ""
        value = node.get(want)
        if value is None:
            self.diags.append(catalog.config_missing_field(key.span, field=want,
                                                           where=f"no sistema {screen}"))
            return ""
        label = "a chave de acesso" if want == "chave_acesso" else "o token"
        if isinstance(value, YMap):  # {env: NAME}: the text is that variable's, checked alike
            name = value.get("env")
            assert isinstance(name, YScalar)
            got = self.environ.get(name.value) if _ENV_NAME.fullmatch(name.value) else None
            if not got:
                self.diags.append(catalog.token_env_missing(
                    name.span, system=screen, field=label, name=_visible(name.value),
                    why="não é um nome de variável de ambiente"
                    if _ENV_NAME.fullmatch(name.value) is None else
                    "está vazia" if got == "" else "não está definida"))
                return ""
            text, value = got, name  # a mistake in it is reported at the variable's name
        else:
            assert isinstance(value, YScalar)
            self.secrets.append(value)
            text = value.value
        code = text
        if screen in BEARER_SYSTEMS:
            if not text.startswith("Bearer "):
                why = ("escreve 'Bearer' com outras letras: use 'Bearer'"
                       if text[:7].lower() == "bearer " else
                       "não tem o espaço depois de 'Bearer'" if text.startswith("Bearer")
                       else "não começa com 'Bearer ' (a palavra e um espaço)")
                self.diags.append(catalog.token_needs_bearer(value.span, system=screen, why=why))
                return text
            code = text[len("Bearer "):]
        elif text[:6].lower() == "bearer":
            self.diags.append(catalog.token_unwanted_bearer(value.span, system=screen,
                                                            field=label,
                                                            screen=screen == "Educação"))
            return text
        problem = _code_problem(code, len(text) - len(code))
        if problem:
            self.diags.append(catalog.token_format(value.span, system=screen, field=label,
                                                   why=problem))
        return text

    def _exercicio(self, system: str, node: YNode | None) -> int | None:
        if node is None:
            return None
        self.spans[f"{system}.exercicio"] = node.span  # where a run's other exercício points
        text = _text(node)
        plain = isinstance(node, YScalar) and node.style is None
        if not (plain and len(text) == 4 and text.isascii() and text.isdigit()
                and 1900 <= int(text) <= 2100):
            quoted = isinstance(node, YScalar) and node.style in ("'", '"')
            shown = f"{_shown(node)} entre aspas (um texto)" if quoted else _shown(node)
            self.diags.append(catalog.exercicio_not_a_year(node.span, system=system,
                                                           shown=shown))
            return None
        return int(text)

    def _folha(self, node: YMap) -> Folha:
        cats = node.get("categorias")
        cats_key = node.key_node("categorias")
        if cats_key is not None:
            self.spans["Folha.categorias"] = cats_key.span
        got: list[str] = []
        first: dict[str, Span] = {}
        for item in cats.items if isinstance(cats, YSeq) else ():
            text = unicodedata.normalize("NFC", _text(item))
            if text not in CATEGORIES:
                self.diags.append(catalog.folha_category_unknown(
                    item.span, shown=_shown(item), candidates=_close(text, CATEGORIES)))
            elif text in first:
                self.diags.append(catalog.folha_category_unknown(
                    item.span, shown=_shown(item), candidates=(), first=first[text]))
            else:
                first[text] = item.span
                got.append(text)
        eventos = []
        events = node.get("eventos")
        events_key = node.key_node("eventos")
        if events_key is not None:
            self.spans["Folha.eventos"] = events_key.span
        for entity, groups in events.items if isinstance(events, YMap) else ():
            assert isinstance(groups, YMap)
            seen: dict[int, tuple[str, Span]] = {}
            maps = []
            for gkey, codes in groups.items:
                if gkey.value not in EVENT_GROUPS:
                    continue
                assert isinstance(codes, YSeq)
                values = []
                for c in codes.items:
                    assert isinstance(c, YScalar)
                    n = int(c.value)
                    if n in seen:
                        where, at = seen[n]
                        self.diags.append(catalog.folha_event_twice(
                            c.span, event=c.value, entity=entity.value, where=where, first=at))
                        continue
                    seen[n] = (EVENT_GROUPS[gkey.value], c.span)
                    values.append(n)
                maps.append((gkey.value, tuple(values)))
            eventos.append((entity.value, tuple(maps)))
        return Folha(categorias=tuple(got), eventos=tuple(eventos))

    def _collect_secrets(self, node: YNode) -> None:
        """Every scalar under a `token` / `chave_acesso` key, for the masked text."""
        if isinstance(node, YMap):
            for k, v in node.items:
                if k.value in ("token", "chave_acesso") and isinstance(v, YScalar):
                    self.secrets.append(v)
                else:
                    self._collect_secrets(v)
        elif isinstance(node, YSeq):
            for item in node.items:
                self._collect_secrets(item)


def _text(node: YNode | None) -> str:
    return node.value if isinstance(node, YScalar) else ""


def _schedule(name: str, node: YMap) -> str | None:
    if name == "Saúde":
        return HOURLY
    if name == "Protocolo":
        return DAILY if _text(node.get("ativar")) in ("true", "True", "TRUE") else None
    agenda = node.get("agenda")
    return _text(agenda) if agenda is not None else None


def _code_problem(code: str, offset: int) -> str | None:
    """Why a token's code is not one (None: it is). `offset`: where the code starts in the
    value (after `Bearer `), for the column named."""
    if not code:
        return "está em branco"
    for i, ch in enumerate(code):
        if ch.isspace():
            return f"tem um espaço em branco (caractere {offset + i + 1})"
    if code == catalog.EXAMPLE:
        return "é o exemplo do manual, não um token"
    if _CODE.fullmatch(code) is None:
        return "não tem o formato de um token"
    return None


def _close(word: str, options: tuple[str, ...]) -> tuple[str, ...]:
    import difflib

    def fold(s: str) -> str:
        return "".join(c for c in unicodedata.normalize("NFD", s.lower())
                       if not unicodedata.combining(c))

    folded = {fold(o): o for o in options}
    return tuple(folded[m] for m in difflib.get_close_matches(fold(word), list(folded), n=2,
                                                              cutoff=0.6))


SYSTEM_NAMES = tuple(SYSTEMS)
