"""The policy engine: policy files as data, explained for one subject, evaluated for a population.

Pure Python (no Django): `load_policies()` → `Policies`; `explain()` one subject; `evaluate()` a
population column-wise (Polars); `simulate()` a what-if against a baseline.
"""
