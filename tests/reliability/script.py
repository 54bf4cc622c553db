"""The plain login the reliability tests play, and what the user must read in it.

One user asks in Chinese, picks EEA at the menu, approves in the browser and
says "好了". Every test that replays it (in-process, in killed and resumed
processes) checks the same texts and the same okx calls, so a difference
between checkpointers or a crash shows up as a difference here.
"""

from __future__ import annotations

import re

from okx_auth_graph.prompts import format_minutes, format_scopes, render
from tests.expected import FIRST_STEP_0, SCOPES, SEED_MENU, STATUS, URIS, Argv

OPENING = "帮我登录"
"""What the user says first."""
CHOICE = "2"
"""The user's reply to the site menu."""
SITE = "eea"
"""The site that reply picks."""
DONE_SIGNAL = "好了"
"""What the user says after approving in the browser."""
LOGIN: Argv = ["auth", "login", "--manual", "--site", SITE]
"""The one device-flow call of the login."""
DONE_CHECK: Argv = STATUS
"""The one `auth status` after the user says "done"."""
BEFORE_THE_CHECK: list[Argv] = [*FIRST_STEP_0, LOGIN]
"""The okx calls up to the done-wait: the thread's first preflight (sorted), the device flow."""
UNBROKEN_CALLS: list[Argv] = [*BEFORE_THE_CHECK, DONE_CHECK]
"""The okx calls of a login nobody interrupted: preflight, device flow, done-check."""
OUTCOME = {"status": "logged_in", "site": SITE, "scopes": SCOPES}
"""`okx_auth` at the end."""
SUCCESS = render("success", "zh", site=SITE, scopes=format_scopes(SCOPES))
"""The success template the login ends with."""


def login_text(code: str) -> str:
    """The skill's Chinese login template for this site and a code."""
    return render("login", "zh", site=SITE, verificationUri=URIS[SITE], userCode=code,
                  **{"expiresIn/60": format_minutes(600)})


def shown_code(texts: list[str]) -> str:
    """The one verification code the conversation showed the user."""
    codes = [m.group(1) for text in texts for m in re.finditer(r"验证码:(\S+)", text)]
    assert len(codes) == 1, texts
    return codes[0]


def expected_texts(code: str) -> list[str]:
    """Everything the assistant posts in the login, in order."""
    return [SEED_MENU, login_text(code), SUCCESS]


def in_preflight_order(calls: list[Argv]) -> list[Argv]:
    """The calls with the parallel preflight's (any order) put as `UNBROKEN_CALLS` has them."""
    size = len(FIRST_STEP_0)
    assert sorted(calls[:size]) == FIRST_STEP_0, calls
    return [*FIRST_STEP_0, *calls[size:]]
