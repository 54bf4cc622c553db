"""What the tests expect to see, shared: okx argv, sites, links, scopes, the seed's menu."""

from __future__ import annotations

Argv = list[str]

CONFIG_SHOW: Argv = ["config", "show", "--json"]
STATUS: Argv = ["auth", "status", "--json"]
INSTALL: Argv = ["auth", "install", "--json"]
INSTALL_STATUS: Argv = ["auth", "install-status", "--json"]

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
