"""talentgraph: the public ML research record as a talent graph, and recruiting work on top."""

__version__ = "0.1.0"
