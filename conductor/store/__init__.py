"""The store: rollouts and tasks as Parquet (the system of record), queried through DuckDB views."""
