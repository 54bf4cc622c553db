"""The steps of the procedure.

One module per step of the skill (`site`: 0.1, `api_key`: 0.2, `oauth`: 0.3,
`gate`: the pre-login gate), each holding its node, its rule (the router on
the node's out-edge) and the fixed text it leads to. The tool nodes that run
the CLI are grouped by concern (`login`, `session`, `binary`, `profiles`) on
one process boundary (`cli`), which also turns a CLI failure into state.
"""
