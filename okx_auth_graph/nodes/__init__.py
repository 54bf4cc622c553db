"""The steps of the procedure.

One module per step of the skill, each holding its node and its rule (the
router on the node's out-edge) and the fixed text it leads to: `intake` (a
reply, or a new request), `preflight` (Step 0), `site` (0.1, the menu and
its question), `api_key` (0.2), `oauth` (0.3, the success template, the
pending notice), `pre_login_gate`, `authorization` (waiting for "done", the
retry question) and `recover` (a caller's error). The tool nodes that run
the CLI are grouped by concern (`login`, `session`, `binary`, `profiles`) on
one process boundary (`cli`), which also turns a CLI failure into state and
holds the one repair of the okx-auth binary. Every question is made by one
factory (`questions`); the questions of the entries other than login live in
`requests`. The pure rules they call (the gate, reply parsing, keyword
tables) live outside this package, in `okx_auth_graph.gate`, `replies` and
`keywords`.
"""
