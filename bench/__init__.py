"""Benchmarks: `python -m bench.bench_build`."""
