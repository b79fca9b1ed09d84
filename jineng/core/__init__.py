"""Cross-cutting pieces every app may use: the one error type, the one spreadsheet writer.

`core` depends on nothing in the project (only Django and libraries), so any layer may import it.
"""
