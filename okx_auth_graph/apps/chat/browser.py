"""The user's browser in `--simulate` mode: `/approve`, `/deny`, `/expire`.

With the real CLI the user authorizes on the OKX website. Against `okx-sim`
there is no website, so these commands do what the browser would, through
the simulator's own controls, in the conversation's simulated HOME.
"""

from __future__ import annotations

from pathlib import Path

from okx_auth_graph.apps.chat.console import Console
from okx_auth_graph.apps.chat.wording import frame
from okx_auth_graph.apps.demo import run_simulator
from okx_auth_graph.prompts import Language

A_DAY_SECONDS = 86_400
"""How far `/expire` moves the simulated clock: past any device code's lifetime."""

_SIMULATOR_ARGS = {
    "/approve": ("browser", "approve"),
    "/deny": ("browser", "deny"),
    "/expire": ("clock", "advance", str(A_DAY_SECONDS)),
}

COMMANDS = tuple(_SIMULATOR_ARGS)
"""The browser commands, for `/help`."""


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

    def act(self, line: str, language: Language) -> None:
        """Run the command and say what happened in `language` (a refusal too, not raised)."""
        command = line.strip().lower()
        done = run_simulator(self._simulator, self._home, *_SIMULATOR_ARGS[command])
        said = (done.stdout if done.returncode == 0 else done.stderr).strip()
        if done.returncode != 0:
            text = frame("browser_refused", language, command=command, said=said)
        elif command == "/expire":
            text = frame("browser_day_passes", language)
        else:
            text = frame("browser_said", language, said=said)
        self._console.say(text)
