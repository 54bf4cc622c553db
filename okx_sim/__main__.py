"""Let `python -m okx_sim` work where the console script is not on PATH."""

from okx_sim.cli import main

raise SystemExit(main())
