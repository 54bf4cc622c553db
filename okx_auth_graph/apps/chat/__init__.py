"""`okx-auth-graph chat`: the auth graph as a terminal conversation.

A REPL over the graph with a SQLite checkpointer, so a conversation survives
quitting: `--thread ID` picks it up where it stopped. By role: `options` (what
the command line chose and where things live), `launch` (checks and wiring
before the first prompt), `session` (the loop), `inbox` (the keyboard),
`console` (the screen), `progress` (the spinner while the graph works),
`browser` (the simulator's browser controls) and `stopping` (Ctrl-C).

This module imports nothing, so `okx-auth-graph demo` does not pay for the chat.
"""
