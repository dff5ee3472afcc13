"""COMPILER_VERSION and the RUNTIME_ABI this compiler emits (the runtime's, runtime/contract.py)."""

from runtime.contract import RUNTIME_ABI

__all__ = ["COMPILER_VERSION", "RUNTIME_ABI"]

COMPILER_VERSION = "0.1.0"
