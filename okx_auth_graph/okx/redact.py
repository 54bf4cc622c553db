"""Keep secrets out of everything the okx layer hands back.

The real CLI prints `secret_key` and `passphrase` in clear text from
`okx config show --json` and may echo keys in error text, so every string that
leaves this package for a message, a log record or an exception passes through
here first. Only a masked key (`***` + last four characters) survives.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping

MASK_PREFIX = "***"

#: Environment variables whose values the CLI treats as credentials.
SECRET_ENV_VARS = ("OKX_API_KEY", "OKX_SECRET_KEY", "OKX_PASSPHRASE")

_SECRET_FIELD = re.compile(
    r"""(?P<name>["']?(?:api[_-]?key|secret[_-]?key|pass[_-]?phrase|apiKey|secretKey|
    OK-ACCESS-KEY|OK-ACCESS-SIGN|OK-ACCESS-PASSPHRASE|access[_-]?token|refresh[_-]?token)["']?
    \s*[:=]\s*)(?:"(?P<double>[^"]*)"|'(?P<single>[^']*)'|(?P<bare>[^"'\s,;}]+))""",
    re.IGNORECASE | re.VERBOSE,
)


def _mask_field(match: re.Match[str]) -> str:
    """Keys keep their last four characters (the agreed masked form); others nothing.

    The value keeps its quotes, so masked JSON or TOML is still JSON or TOML.
    """
    value = match.group("double") or match.group("single") or match.group("bare") or ""
    name = match.group("name")
    is_key = re.search(r"api[_-]?key|OK-ACCESS-KEY", name, re.IGNORECASE) is not None
    quote = '"' if match.group("double") is not None else (
        "'" if match.group("single") is not None else ""
    )
    return f"{name}{quote}{mask_key(value) if is_key else MASK_PREFIX}{quote}"


def mask_key(value: str) -> str:
    """Return `***` plus the last four characters, the only form of a key we show."""
    return MASK_PREFIX + value[-4:] if len(value) > 4 else MASK_PREFIX


def env_secrets(env: Mapping[str, str] | None = None) -> list[str]:
    """Secret values the CLI would read from its environment, for scrubbing text."""
    source = os.environ if env is None else env
    return [source[name] for name in SECRET_ENV_VARS if source.get(name)]


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Mask credential-looking `name: value` pairs and every known secret value."""
    scrubbed = _SECRET_FIELD.sub(_mask_field, text)
    for secret in sorted({*secrets, *env_secrets()}, key=len, reverse=True):
        if len(secret) >= 4:
            scrubbed = scrubbed.replace(secret, mask_key(secret))
    return scrubbed
