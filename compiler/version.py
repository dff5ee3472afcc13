"""COMPILER_VERSION and the RUNTIME_ABI this compiler emits."""

COMPILER_VERSION = "0.1.0"
RUNTIME_ABI = 1
