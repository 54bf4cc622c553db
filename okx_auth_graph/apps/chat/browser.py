"""The user's browser in `--simulate` mode: `/approve`, `/deny`, `/expire`.

With the real CLI the user authorizes on the OKX website. Against `okx-sim`
there is no website, so these commands do what the browser would, through
the simulator's own controls, in the conversation's simulated HOME.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from okx_auth_graph.apps.chat.console import Console

A_DAY_SECONDS = 86_400
"""How far `/expire` moves the simulated clock: past any device code's lifetime."""

COMMANDS = {
    "/approve": "authorize the code shown, as clicking \"Authorize\" would",
    "/deny": "refuse the code shown",
    "/expire": "let a day pass, so the code shown expires",
}
"""The browser commands and what each does, for `/help`."""

_SIMULATOR_ARGS = {
    "/approve": ("browser", "approve"),
    "/deny": ("browser", "deny"),
    "/expire": ("clock", "advance", str(A_DAY_SECONDS)),
}


class SimulatedBrowser:
    """Plays the browser through `okx-sim` for one simulated HOME."""

    def __init__(self, simulator: str, home: Path, console: Console) -> None:
        """Act as the browser of the user living in `home`."""
        self._simulator = simulator
        self._home = home
        self._console = console

    @staticmethod
    def handles(line: str) -> bool:
        """Whether the line is one of the browser commands."""
        return line.strip().lower() in _SIMULATOR_ARGS

    def act(self, line: str) -> None:
        """Run the command and say what happened (a refusal is said too, not raised)."""
        command = line.strip().lower()
        done = subprocess.run(
            [self._simulator, *_SIMULATOR_ARGS[command]],
            env={**os.environ, "HOME": str(self._home)},
            capture_output=True, text=True, check=False, timeout=30,
        )
        said = (done.stdout if done.returncode == 0 else done.stderr).strip()
        if done.returncode != 0:
            self._console.say(f"(browser: {command} did nothing: {said})")
        elif command == "/expire":
            self._console.say("(browser: a day passes with no answer; any code shown has expired)")
        else:
            self._console.say(f"(browser: {said})")
