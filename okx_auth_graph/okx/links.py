"""The verification link is OKX's, or it is never shown.

The device-code template tells the user to open a link and type a code. A
link that is not on okx.com (a tampered or spoofed `okx-auth`, a wrong
binary on the CLI's path) would turn that template into device-code
phishing, so a link is shown only when it is `https`, has no user-info, no
port but the default, and a host that is `okx.com` or one of its
subdomains, compared after lower-casing and IDNA encoding (look-alike
letters become `xn--` labels and no longer match). Anything else is a
`foreign_link` failure whose text never repeats the link.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from okx_auth_graph.okx.errors import OkxError, OkxFailure

OKX_DOMAIN = "okx.com"
"""The only registrable domain a verification link may be on."""

_LINK = re.compile(r"\b[a-z][a-z0-9+.\-]*://\S+", re.IGNORECASE)
"""Anything that looks like a link with a scheme, in a line the CLI printed."""


def _ascii_host(host: str) -> str | None:
    """The host in IDNA form, lower-cased; None when it cannot be one."""
    try:
        return host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None


def is_okx_link(url: str) -> bool:
    """Whether `url` may be shown as OKX's verification link."""
    if any(ch.isspace() or ch == "\\" for ch in url):
        return False
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a port that is not a number, a malformed IPv6 host
        return False
    if parts.scheme.lower() != "https" or "@" in parts.netloc or port not in (None, 443):
        return False
    host = _ascii_host(parts.hostname or "")
    return host is not None and (host == OKX_DOMAIN or host.endswith("." + OKX_DOMAIN))


def holds_foreign_link(line: str) -> bool:
    """Whether a line the CLI printed carries a link that is not OKX's."""
    return any(not is_okx_link(found.rstrip(".,;:!?)]}>'\"")) for found in _LINK.findall(line))


def foreign_link(command: Sequence[str] = ()) -> OkxError:
    """The failure of a login whose link is not on okx.com (the link itself is left out)."""
    return OkxError(OkxFailure(
        kind="foreign_link",
        detail="the okx CLI returned a verification link that is not on okx.com",
        command=list(command),
    ))
