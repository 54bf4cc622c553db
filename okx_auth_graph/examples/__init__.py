"""Example apps built on okx-auth-graph, installed with it so notebooks and servers can import them.

`trading_agent` puts the auth graph in front of an app's okx tools as a subgraph.
"""
