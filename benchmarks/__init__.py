"""Benchmarks for strangler: a synthetic monolith generator and a timing harness (see README.md)."""
