"""The runtime ABI: generated packages state the version they were compiled for."""

from runtime.contract import RUNTIME_ABI


class AbiMismatch(Exception):
    """A generated package was compiled for another runtime ABI."""


def require(version: int) -> None:
    """Called at import time by generated packages."""
    if version != RUNTIME_ABI:
        raise AbiMismatch(
            f"pacote gerado para a ABI {version}, mas este runtime é da ABI {RUNTIME_ABI}; "
            "recompile com 'apura compile'")
