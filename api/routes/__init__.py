"""HTTP routers, one module per resource (sparql, meta, ...), included by ``create_app``."""
