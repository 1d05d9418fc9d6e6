"""Data package: read through itskg.graph.resources."""
