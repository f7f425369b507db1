"""Benchmarks: the data generator (`python -m bench.generate`) and the runner (`bench.run`)."""
