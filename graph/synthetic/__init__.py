"""The synthetic ITS ecosystem (``itskg synth``), always labelled synthetic in the graph."""
