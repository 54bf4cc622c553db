"""The OKX sites the CLI knows and the web host each one sends the user to."""

from __future__ import annotations

from okx_sim.context import CommandError

SITE_WEB_HOSTS = {
    "global": "www.okx.com", "eea": "my.okx.com", "us": "app.okx.com", "tr": "tr.okx.com",
}


def checked_site(value: str) -> str:
    """Return `value` if it is a site id, else fail with the real CLI's message."""
    if value not in SITE_WEB_HOSTS:
        raise CommandError(f'Invalid site "{value}". Use one of: {", ".join(SITE_WEB_HOSTS)}')
    return value
