"""Compute: evaluate the indicator catalog for a period, every value with its provenance."""
