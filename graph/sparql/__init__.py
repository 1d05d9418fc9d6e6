"""SPARQL plumbing: the killable executor, text scanning, result bytes, the named queries."""
