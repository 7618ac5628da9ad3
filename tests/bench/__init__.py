"""Benchmarks (not collected by pytest: no test_*.py here); see run.py."""
