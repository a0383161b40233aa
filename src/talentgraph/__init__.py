"""talentgraph: the public ML research record as a talent graph, and the recruiting work on top of it."""

__version__ = "0.1.0"
