"""Dated positions as evidence (issue #13): one connector per source, one model, one writer.

Connectors: `aiwatch` (the AI Watch CSV), `orcid` (ORCID public API v3.0 employments JSON and
the public data file's XML summaries), `openreview` (the `/profiles` API's `content.history`),
`openalex_authors` (OpenAlex author `affiliations[]`), `roster` (a CSV exported from an ATS or
HR system). Each returns a `PositionUnit`; `talentgraph.store.positions.write_positions` stores
it atomically.
"""
