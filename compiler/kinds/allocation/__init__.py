"""The `allocation` kind: payments (payroll discounts) matched to targets (imputations) by
party and class, applied by a policy (single target only, priority order, pro rata with the
largest remainder) up to each target's cap, with stable content ids and a state carried
between runs — Debita's Regra 01/02 (seed 002). Spec → plan node; its part in the scan plan of
each ledger it reads (plan.py: reading, the class lookup, the targets' cap, open condition and
order keys, as every kind's, python.py and sql.py on each back end); the order-dependent loop
runs at finish in Python on every back end (runtime/allocation.py). See compiler/kinds/base.py
for what each stage module provides."""
