"""The `derivation` kind: computed fields per record of a ledger, or per key over the key's
records (per convênio over its payment orders), with fields classified by a map (an unmapped
text reported, not guessed), a key no two records may share and per-record warnings —
Transparência MG's valor repassado (seed 003). Spec → plan node here; the node is evaluated at
finish, by generated Python on the python back end and by its compiled SQL on the SQL back ends
(runtime/derivation.py). See compiler/kinds/base.py for what each stage module provides."""
