"""The ``itskg`` command line (typer): ``main`` is the console script."""
