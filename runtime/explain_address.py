"""The ADDRESS of a value apura writes: `NODE[@PARTITION][:LOC1[:LOC2...]]`, what
`apura explain PACOTE ADDRESS` takes and what `apura explain PACOTE --list` prints.

Why a grammar of its own: the parts come from data (a município code, a convênio key, an
integration id) and may hold any text; `%`-escaping keeps every address one line of printable
text that splits back into the same parts. Escaped, as `%XX` of each UTF-8 byte: `%`, `:`,
`@`, space, and every character that is not printable (control characters, line breaks,
format characters). Parsing is lenient where it can be unambiguous — a raw `@` after the first
`:` is text — and strict about `%`: a `%` not followed by two hex digits, or escapes that are
not UTF-8, is an error. `format_address(parse_address(s))` is the canonical spelling of `s`;
`parse_address(format_address(a)) == a` for every address (tests/props).

Examples: `covid/77@3170206:9999999028:V1` (a layout cell: row ref, column),
`despesa/execucao@3170206:4_12:3.3.90.30.99.00:V2` (a sheets cell: planilha, row, column),
`imputacoes:evento:EV-1` (an allocation event), `convenios:1234%3A5:valor_repassado`."""

from __future__ import annotations

from dataclasses import dataclass

_SPECIAL = frozenset("%:@ ")
_HEX = frozenset("0123456789abcdefABCDEF")


class AddressError(ValueError):
    """The text is not an address (pt-BR message, for a usage error)."""


@dataclass(frozen=True, slots=True)
class Address:
    """A parsed address: the node id, its partition (None: the package has none, or it was
    not written), and the locator parts the node's kind reads (row and column, ...)."""

    node: str
    part: str | None
    locator: tuple[str, ...]

    def __str__(self) -> str:
        return format_address(self)


def escape(text: str) -> str:
    """One part of an address, escaped (see the module docstring)."""
    out: list[str] = []
    for ch in text:
        if ch in _SPECIAL or not ch.isprintable():
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass"))
        else:
            out.append(ch)
    return "".join(out)


def unescape(text: str) -> str:
    """The text of one escaped part; AddressError on a bad `%` or non-UTF-8 escapes."""
    if "%" not in text:
        return text
    data = bytearray()
    i = 0
    while i < len(text):
        ch = text[i]
        if ch != "%":
            data.extend(ch.encode("utf-8", "surrogatepass"))
            i += 1
            continue
        pair = text[i + 1:i + 3]
        if len(pair) != 2 or not set(pair) <= _HEX:
            raise AddressError(f"'%' sem dois dígitos hexadecimais depois, na posição {i + 1} "
                               "(escreva %25 para um '%')")
        data.append(int(pair, 16))
        i += 3
    try:
        return data.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        raise AddressError("os escapes %XX não formam texto UTF-8") from None


def parse_address(text: str) -> Address:
    """`NODE[@PARTITION][:LOC...]` → Address; AddressError (pt-BR) when it is not one."""
    if not text:
        raise AddressError("o endereço está vazio (ex.: covid/77@3170206:9999999028:V1)")
    head, *locator = text.split(":")
    node, at, part = head.partition("@")
    if not node:
        raise AddressError("falta o nó antes de '@' ou ':' (ex.: covid/77@3170206:...)")
    return Address(unescape(node), unescape(part) if at else None,
                   tuple(unescape(p) for p in locator))


def format_address(address: Address) -> str:
    """The canonical text of an address."""
    head = escape(address.node)
    if address.part is not None:
        head += "@" + escape(address.part)
    return ":".join([head, *(escape(p) for p in address.locator)])


def address(node: str, part: object, *locator: object) -> str:
    """The address text of a value: partition and locator parts as their text (None: no
    partition)."""
    return format_address(Address(node, None if part is None else str(part),
                                   tuple("" if x is None else str(x) for x in locator)))
