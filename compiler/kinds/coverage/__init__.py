"""The `coverage` kind: every key the records of some ledgers carry (a natureza, a rubrica, a
recurso, a conta) must have a confirmed entry of a map — the seed's guias of "Informações de
Equivalência" —, the entries no record used are listed, and, without a map, the records a
filter finds are listed (the guia ASPS, a COVID flag set twice). See compiler/kinds/base.py
for what each stage module provides, runtime/coverage.py for the run."""
