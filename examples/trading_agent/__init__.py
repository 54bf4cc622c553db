"""An agent app that puts the auth graph in front of its okx tools (see `graph.py`)."""
