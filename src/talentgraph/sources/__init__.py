"""Connectors: one module per source, each turning its records into papers and author mentions."""
