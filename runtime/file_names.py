"""What a file name may be (pt-BR reasons): the rule of the output files — S0502 at compile
time (compiler/outputs_check re-exports it), D1804 at run time for a name a derivation builds
from the records (a document's description carrying '/'). One rule, so a name the compiler
accepts in a spec and one a run builds are judged alike."""

from __future__ import annotations

import unicodedata

from runtime.partitions import windows_problem

MAX_FILE_NAME_BYTES = 255  # the limit of ext4, NTFS, APFS
# everything str.splitlines() splits on (compiler/chars.LINE_BREAKS)
_LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")


def _unsafe(ch: str) -> bool:
    """compiler/chars.unsafe_char: a control character, a line/paragraph separator or a lone
    surrogate."""
    return ch in _LINE_BREAKS or unicodedata.category(ch) in ("Cc", "Zl", "Zp", "Cs")


def file_name_problem(name: str) -> str | None:
    """Why `name` cannot be an output file name (pt-BR), or None when it can."""
    if not name.strip():
        return "está vazio"
    if name.startswith("."):
        return "não pode começar com '.' ('.' e '..' são pastas; '.nome' fica oculto)"
    for sep in ("/", "\\"):
        if sep in name:
            return f"não pode conter '{sep}' (o arquivo iria para outra pasta)"
    for ch in name:
        if _unsafe(ch):
            return f"contém o caractere de controle U+{ord(ch):04X}"
    if name != name.strip():
        return "não pode começar nem terminar com espaço"
    if len(name.encode("utf-8")) > MAX_FILE_NAME_BYTES:
        return f"tem mais de {MAX_FILE_NAME_BYTES} bytes"
    return windows_problem(name)
