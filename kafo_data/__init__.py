"""KAFO dashboard data package: contract, reference facts, records, queries, exports.

Nothing in this package imports Streamlit except the `ui*` modules, so every number the
pages show can be computed, tested and exported from plain Python.
"""
