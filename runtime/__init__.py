"""apura runtime: load a compiled package and run it. Imports nothing from the compiler.

Example:
    >>> import runtime
    >>> program = runtime.load("generated/siops")
    >>> result = program.run(
    ...     ledgers={"despesa": "despesa.csv", "receita": "receita.csv",
    ...              "equivalencia_recursos": "equivalencia_recursos.csv"},
    ...     params={"exercicio": 2020, "bimestre": 2})
    >>> result.cell("covid/77", "3170206", "9999999029", "V0")   # doctest: +SKIP
    Decimal('1234.56')
"""

from runtime.errors import DataError
from runtime.errors import RunFailed
from runtime.program import LoadError
from runtime.program import Program
from runtime.program import Result
from runtime.program import load
from runtime.views import Views

__all__ = ["DataError", "LoadError", "Program", "Result", "RunFailed", "Views", "load"]
