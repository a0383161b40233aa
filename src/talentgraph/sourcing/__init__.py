"""Sourcing: a full-text index of the papers, ranked people for a topic, and offer dossiers."""
