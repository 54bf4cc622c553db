"""Keep secrets out of everything the okx layer hands back.

The real CLI prints `secret_key` and `passphrase` in clear text from
`okx config show --json` and may echo keys in error text, so every string that
leaves this package for a message, a log record or an exception passes through
here first. Only a masked key (`***` + last four characters) survives.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path

MASK_PREFIX = "***"

#: Environment variables whose values the CLI treats as credentials.
SECRET_ENV_VARS = ("OKX_API_KEY", "OKX_SECRET_KEY", "OKX_PASSPHRASE")
#: A profile's fields in `~/.okx/config.toml` that hold credentials.
SECRET_CONFIG_FIELDS = ("api_key", "secret_key", "passphrase")

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


def config_secrets(config: Path) -> list[str]:
    """The credential values a CLI config file holds, for scrubbing what the CLI printed.

    The CLI reads keys from its config as well as from its environment, and
    an error may echo them in words no `name: value` pattern catches. Read
    when a call failed, used for that call's text and dropped; an unreadable
    or malformed file holds none.
    """
    try:
        parsed = tomllib.loads(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    profiles = parsed.get("profiles")
    return [
        value for profile in (profiles.values() if isinstance(profiles, dict) else ())
        if isinstance(profile, dict)
        for field, value in profile.items()
        if field in SECRET_CONFIG_FIELDS and isinstance(value, str) and value
    ]


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Mask credential-looking `name: value` pairs and every known secret value."""
    scrubbed = _SECRET_FIELD.sub(_mask_field, text)
    for secret in sorted({*secrets, *env_secrets()}, key=len, reverse=True):
        if len(secret) >= 4:
            scrubbed = scrubbed.replace(secret, mask_key(secret))
    return scrubbed
