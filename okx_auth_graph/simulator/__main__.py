"""Let `python -m okx_auth_graph.simulator` work where the console script is not on PATH."""

from okx_auth_graph.simulator.cli import main

raise SystemExit(main())
