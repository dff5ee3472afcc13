"""click's own messages (usage, help, errors) in Portuguese, like apura's diagnostics.

click marks its messages for translation with the standard library's gettext (`_()` and
`ngettext()` bound in each click module). gettext itself only reads compiled .mo catalogues
from the process-wide text domain; instead of shipping a binary catalogue and changing that
domain (which a program embedding apura may use), `install()` binds a gettext translations
object backed by the table below into click's modules. `tests/cli/test_clitext.py` checks that
every key is still a message of the installed click, so an upgrade that rewords one fails
there instead of leaving English in the output.
"""

from __future__ import annotations

import gettext
from types import ModuleType

# click message id → Portuguese (the {placeholders} and %(names)s are kept as they are).
MESSAGES: dict[str, str] = {
    "Usage:": "Uso:",
    "Options": "Opções",
    "Commands": "Comandos",
    "Positional arguments": "Argumentos",
    "Aborted!": "Interrompido!",
    "Missing command.": "Falta o comando.",
    "Show this message and exit.": "Mostra esta ajuda e sai.",
    "Show the version and exit.": "Mostra a versão e sai.",
    "%(prog)s, version %(version)s": "%(prog)s, versão %(version)s",
    "required": "obrigatória",
    "default: {default}": "padrão: {default}",
    "env var: {var}": "variável de ambiente: {var}",
    "(dynamic)": "(dinâmico)",
    "deprecated": "obsoleto",
    "Error: {message}": "Erro: {message}",
    "Try '{command} {option}' for help.": "Tente '{command} {option}' para ver a ajuda.",
    "Missing argument": "Falta o argumento",
    "Missing option": "Falta a opção",
    "Missing parameter": "Falta o parâmetro",
    "Missing parameter: {param_name}": "Falta o parâmetro: {param_name}",
    "Missing {param_type}": "Falta {param_type}",
    "Invalid value for {param_hint}: {message}": "Valor inválido para {param_hint}: {message}",
    "Invalid value: {message}": "Valor inválido: {message}",
    "No such option {name!r}.": "Não existe a opção {name!r}.",
    "No such command {name!r}.": "Não existe o comando {name!r}.",
    "unknown error": "erro desconhecido",
    "Could not open file {filename!r}: {message}":
        "Não foi possível abrir o arquivo {filename!r}: {message}",
    "Option {name!r} does not take a value.": "A opção {name!r} não recebe valor.",
    "Argument {name!r} takes {nargs} values.": "O argumento {name!r} recebe {nargs} valores.",
    "Invalid start character for option ({option})":
        "Caractere inicial inválido para opção ({option})",
    "Value must be an iterable.": "O valor deve ser uma sequência.",
    "file": "arquivo",
    "directory": "pasta",
    "path": "caminho",
    "Choose from:\n\t{choices}": "Escolha entre:\n\t{choices}",
    "{value} is not in the range {range}.": "{value} não está no intervalo {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} não é um booleano válido. Valores reconhecidos: {states}",
    "{value!r} is not a valid {number_type}.": "{value!r} não é um {number_type} válido.",
    "{value!r} is not a valid UUID.": "{value!r} não é um UUID válido.",
    "{name} {filename!r} is a file.": "{name} {filename!r} é um arquivo.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} é uma pasta.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} não pode ser lido.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} não pode ser escrito.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} não é executável.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} não existe.",
}

# (singular, plural) → (singular, plural)
PLURALS: dict[tuple[str, str], tuple[str, str]] = {
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"):
        ("Argumento a mais inesperado ({args})", "Argumentos a mais inesperados ({args})"),
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"):
        ("Você quis dizer {possibility}?", "(Você quis dizer uma destas: {possibilities}?)"),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."):
        ("A opção {name!r} requer um valor.", "A opção {name!r} requer {nargs} valores."),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."):
        ("{value!r} não é {choice}.", "{value!r} não é uma destas opções: {choices}."),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."):
        ("Recebe {nargs} valores, mas foi dado 1.", "Recebe {nargs} valores, mas foram dados "
         "{len}."),
}

# the click modules whose messages the apura CLI can show
MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types")


class Portuguese(gettext.NullTranslations):
    """A gettext translations object backed by MESSAGES and PLURALS (English when missing)."""

    def gettext(self, message: str) -> str:
        return MESSAGES.get(message, message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        pair = PLURALS.get((msgid1, msgid2))
        if pair is None:
            return msgid1 if n == 1 else msgid2
        return pair[0] if n == 1 else pair[1]


def click_modules() -> list[ModuleType]:
    import importlib

    return [importlib.import_module(f"click.{name}") for name in MODULES]


def install() -> None:
    """Bind the Portuguese messages into click (before the CLI's commands are declared: some
    texts, e.g. the --version help and the Path type names, are read at declaration)."""
    tr = Portuguese()
    for module in click_modules():
        if hasattr(module, "_"):
            setattr(module, "_", tr.gettext)  # noqa: B010 - a module attribute click reads
        if hasattr(module, "ngettext"):
            setattr(module, "ngettext", tr.ngettext)  # noqa: B010
