"""The interactive `okx config init`: the real CLI's API-key wizard.

It asks in the real wizard's order (site, demo or live, AK, SK, passphrase,
profile name). The secret key and passphrase are read with `getpass` so they
never echo to the terminal.
"""

from __future__ import annotations

import getpass
from collections.abc import Container

from okx_sim.config import ProfileUpdate
from okx_sim.context import CommandError, Console

SITE_MENU = (
    "Select site:\n"
    "  1) Global (www.okx.com)\n"
    "  2) EEA (my.okx.com) — European Economic Area\n"
    "  3) US (app.okx.com) — United States\n"
    "  4) TR (tr.okx.com) — Türkiye"
)
_SITE_ANSWERS = {
    "1": "global",
    "2": "eea",
    "3": "us",
    "4": "tr",
    "global": "global",
    "eea": "eea",
    "us": "us",
    "tr": "tr",
}
_YES = ("y", "yes")
_NO = ("n", "no")


def run_wizard(console: Console) -> ProfileUpdate:
    """Ask for every profile value; end of input cancels the wizard."""
    console.out(SITE_MENU)
    site = _SITE_ANSWERS[_ask_until(console, "Site [1/2/3/4]: ", _SITE_ANSWERS)]
    demo_answer = _ask_until(console, "Use demo trading (simulated)? [y/n]: ", _YES + _NO)
    api_key = _required(console.ask("API key: "))
    secret_key = _secret("Secret key: ")
    passphrase = _secret("Passphrase: ")
    name = _required(console.ask("Profile name [default]: ")).strip() or "default"
    return ProfileUpdate(
        name=name,
        api_key=api_key.strip(),
        secret_key=secret_key,
        passphrase=passphrase,
        site=site,
        demo=demo_answer in _YES,
    )


def _ask_until(console: Console, prompt: str, accepted: Container[str]) -> str:
    """Repeat a question until the (lower-cased, trimmed) answer is accepted."""
    while True:
        answer = _required(console.ask(prompt)).strip().lower()
        if answer in accepted:
            return answer


def _secret(prompt: str) -> str:
    """Read a secret without echo; end of input cancels like anywhere else."""
    try:
        return getpass.getpass(prompt)
    except EOFError:
        raise _cancelled() from None


def _required(answer: str | None) -> str:
    """An answer, or cancel when input ended before the wizard finished."""
    if answer is None:
        raise _cancelled()
    return answer


def _cancelled() -> CommandError:
    """The error for a wizard whose input ended early."""
    return CommandError("config init cancelled: input ended before all answers were given")
