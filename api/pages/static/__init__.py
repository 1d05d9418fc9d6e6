"""Data package: static assets of the web explorer."""
