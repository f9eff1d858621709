"""Benchmarks: `python -m benchmarks.<name>`; figures are printed, never asserted."""
