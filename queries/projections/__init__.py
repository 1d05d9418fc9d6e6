"""Data package: network projections, read through itskg.graph.resources."""
