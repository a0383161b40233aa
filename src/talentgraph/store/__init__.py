"""The analytical store: one DuckDB file, rebuilt from the sources whenever needed."""
