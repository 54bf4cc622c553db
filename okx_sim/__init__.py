"""okx-sim: an offline stand-in for the `okx` CLI's auth surface.

The graph, its tests, the notebooks and the demo all need an `okx` executable
that behaves like the real one (same files, same output formats, same failure
texts) without a network, an exchange account or a browser. Every invocation
is a fresh Python process, so this package imports only the standard library,
never `okx_auth_graph`: it is the product's test double, installed beside it
by the same distribution, not part of it. The one exception is
`okx_sim.inprocess`, which the console script never loads: it plays the
graph's process boundary (`CliRunner`, `StreamingRunner`) with the same
command code in the caller's process, for the fast unit tests.
"""
