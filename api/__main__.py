"""python -m itskg.api: the itskg command line."""

from itskg.api.cli.main import main

main()
