"""What the tests expect to see, shared: okx argv, sites, links, scopes, the seed's menu."""

from __future__ import annotations

from typing import Any

from okx_auth_graph.prompts import markdown_lines

Argv = list[str]

CONFIG_SHOW: Argv = ["config", "show", "--json"]
STATUS: Argv = ["auth", "status", "--json"]
INSTALL: Argv = ["auth", "install", "--json"]
INSTALL_STATUS: Argv = ["auth", "install-status", "--json"]
VERSION: Argv = ["--version"]
"""`okx --version`: the shared preflight's drift check, in a thread's first Step 0 only."""

STEP_0: list[Argv] = sorted([CONFIG_SHOW, STATUS])
"""Step 0's calls, sorted: they run side by side, so they finish in either order."""
FIRST_STEP_0: list[Argv] = sorted([CONFIG_SHOW, STATUS, VERSION])
"""A thread's first Step 0, sorted: `okx --version` runs beside the other two."""

SITES = ["global", "eea", "us"]
URIS = {
    "global": "https://www.okx.com/account/oauth/device",
    "eea": "https://my.okx.com/account/oauth/device",
    "us": "https://app.okx.com/account/oauth/device",
}
SCOPES = ["live:read", "live:trade"]

# The skill's menu copied from the seed, so an edit of the template file (or
# of the renderer) is caught even when both sides of a comparison agree.
SEED_MENU = (
    "您需要选择要连接的 OKX 站点:\n"
    "\n"
    "  1. Global (www.okx.com)\n"
    "  2. EEA (my.okx.com)\n"
    "  3. US (app.okx.com)"
)


NOT_A_CHOICE = {
    "zh": "请回复 1、2、3(或 global / eea / us)选择站点。",
    "en": "Please reply 1, 2 or 3 (or global / eea / us) to choose a site.",
}
"""What follows a reply to the seed's menu that names no site, as the graph has always said it."""

TR_MENU = SEED_MENU + "\n  4. TR (tr.okx.com)"
"""Skill 1.3.9's menu: the seed's, with TR as its fourth line."""

PANEL_TITLES = {
    "site_choice": "Choose your OKX site",
    "authorization_done": "Authorize in your browser",
    "retry_login": "Log in again?",
    "confirm_remove": "Confirm the removal",
    "api_key_remedy": "Your API key was rejected",
}
"""The title Agent Chat UI's inbox panel shows for each question."""


def inbox_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """An interrupt payload with the agent-inbox fields it must carry beside its own.

    The panel is for people: titled in words, its one arg the message (the
    question's own fields stay out of it, where they would show as raw JSON);
    every question may be answered and dismissed (cancel), never accepted or
    edited; the description is the message as markdown.
    """
    text = markdown_lines(payload["message"])
    return {
        **payload,
        "action_request": {"action": PANEL_TITLES[payload["kind"]], "args": {"message": text}},
        "config": {
            "allow_respond": True, "allow_accept": False, "allow_edit": False,
            "allow_ignore": True,
        },
        "description": text,
    }


def visible(text: str) -> str:
    """A posted text as a reader sees it: markdown's hard line breaks (two spaces before
    a line break, so chat views keep the lines apart) read as plain line breaks."""
    return text.replace("  \n", "\n")
