"""Speed and learning benchmarks, each runnable as `python -m benchmarks.<name>` (not timed tests)."""
