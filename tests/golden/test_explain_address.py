"""The ADDRESS grammar (runtime/explain_address.py): every address survives its own text
(hypothesis, over any text — separators, `%`, spaces, line breaks, control and format
characters, lone surrogates), its text is one printable line, and the malformed ones are
refused with a pt-BR message. The examples are the README's."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from runtime.explain_address import Address
from runtime.explain_address import AddressError
from runtime.explain_address import format_address
from runtime.explain_address import parse_address

# text biased to what breaks a naive split: the separators, '%' with or without hex after it,
# whitespace and line breaks, plus any code point (surrogates included)
HOSTILE = st.text(st.one_of(st.sampled_from(list(":@% %2%3A%40\n\r\t\x00\x1b\u200b\u2028")),
                            st.characters()), max_size=12)
ADDRESSES = st.builds(Address, HOSTILE.filter(bool), st.none() | HOSTILE,
                      st.lists(HOSTILE, max_size=4).map(tuple))


@settings(max_examples=400, deadline=None)
@given(ADDRESSES)
def test_every_address_survives_its_text(a: Address) -> None:
    text = format_address(a)
    assert parse_address(text) == a
    assert text.isprintable() and " " not in text and "\n" not in text
    assert format_address(parse_address(text)) == text  # the canonical spelling is stable


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from(list("ab/_.:@%0123456789AFz")), min_size=1, max_size=16))
def test_any_text_is_an_address_or_a_clear_refusal(text: str) -> None:
    try:
        a = parse_address(text)
    except AddressError as exc:
        assert str(exc)  # a message, never another exception
        return
    assert parse_address(format_address(a)) == a


@pytest.mark.parametrize(("text", "expected"), [
    ("covid/77@3170206:9999999028:V1", Address("covid/77", "3170206", ("9999999028", "V1"))),
    ("despesa/execucao@3170206:4_12:3.3.90.30.99.00:V2",
     Address("despesa/execucao", "3170206", ("4_12", "3.3.90.30.99.00", "V2"))),
    ("regras_vigentes:evento:5dedbdd099768ba7",
     Address("regras_vigentes", None, ("evento", "5dedbdd099768ba7"))),
    ("convenios:1234%3A5:valor%20repassado", Address("convenios", None,
                                                     ("1234:5", "valor repassado"))),
    ("n@:x", Address("n", "", ("x",))),            # an empty partition is not a missing one
    ("n@p", Address("n", "p", ())),
    ("n:a@b", Address("n", None, ("a@b",))),      # a raw '@' after the node is text
    ("n:%c3%a9", Address("n", None, ("é",))),     # escapes are UTF-8 bytes, any case
], ids=["layout", "sheets", "allocation", "escaped", "empty-part", "no-locator", "raw-at",
        "utf8"])
def test_the_readme_examples(text: str, expected: Address) -> None:
    assert parse_address(text) == expected


@pytest.mark.parametrize(("text", "says"), [
    ("", "vazio"), ("@3170206:1", "falta o nó"), (":1", "falta o nó"),
    ("n:100%", "'%' sem dois dígitos"), ("n:%zz", "'%' sem dois dígitos"),
    ("n:%C3", "UTF-8"),
])
def test_malformed_addresses_are_refused(text: str, says: str) -> None:
    with pytest.raises(AddressError, match=says):
        parse_address(text)
