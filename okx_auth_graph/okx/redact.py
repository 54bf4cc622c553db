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

#: Command-line flags whose value is a credential (`--secret-key SK`, `--token=T`).
SECRET_FLAGS = frozenset({
    "--api-key", "--secret-key", "--passphrase", "--token", "--access-token", "--refresh-token",
})

_KEY_NAMES = r"api[_-]?key|OK-ACCESS-KEY"
"""Names whose value is an API key: it keeps its masked form (`***` and the last four)."""
_OTHER_CREDENTIAL_NAMES = (
    r"(?:api[_-]?|client[_-]?)?secret(?:[_-]?key)?|pass[_-]?phrase|password"
    r"|OK-ACCESS-SIGN|OK-ACCESS-PASSPHRASE|(?:access|refresh|id)[_-]?token|token"
)
"""Names whose value is any other credential: nothing of it is kept."""
_KEY_NAME = re.compile(_KEY_NAMES, re.IGNORECASE)
_CREDENTIAL_NAME = re.compile(f"{_KEY_NAMES}|{_OTHER_CREDENTIAL_NAMES}", re.IGNORECASE)

_SECRET_FIELD = re.compile(
    rf"""(?P<name>["']?(?:{_KEY_NAMES}|{_OTHER_CREDENTIAL_NAMES})["']?\s*[:=]\s*)"""
    r"""(?:"(?P<double>[^"]*)"|'(?P<single>[^']*)'|(?P<bare>[^"'\s,;}]+))""",
    re.IGNORECASE,
)
"""A credential written as `name: value` or `name=value`, in text, JSON or TOML."""
_SECRET_FLAG_VALUE = re.compile(
    rf"(?P<flag>{'|'.join(sorted(SECRET_FLAGS, key=len, reverse=True))})(?P<gap>\s+)"
    r"(?P<value>(?!-)[^\s\"']+)",
    re.IGNORECASE,
)
"""A credential flag and its value written apart, as a command line shows them."""
_BEARER = re.compile(r"\b(?P<scheme>Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+", re.IGNORECASE)
"""An HTTP `Authorization` value: the scheme stays, the credential goes."""
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
"""A JSON Web Token wherever it stands (an access or refresh token, an ID token)."""


def is_key_name(name: str) -> bool:
    """Whether a field (a JSON key, a header) named so holds an API key."""
    return _KEY_NAME.fullmatch(name) is not None


def is_credential_name(name: str) -> bool:
    """Whether a field named so holds a credential: an API key, a secret, a token."""
    return _CREDENTIAL_NAME.fullmatch(name) is not None


def _masked(name: str, value: str) -> str:
    """An API key keeps its last four characters (the agreed masked form); other secrets nothing."""
    return mask_key(value) if _KEY_NAME.search(name) else MASK_PREFIX


def _mask_field(match: re.Match[str]) -> str:
    """Keys keep their last four characters (the agreed masked form); others nothing.

    The value keeps its quotes, so masked JSON or TOML is still JSON or TOML.
    """
    value = match.group("double") or match.group("single") or match.group("bare") or ""
    name = match.group("name")
    quote = '"' if match.group("double") is not None else (
        "'" if match.group("single") is not None else ""
    )
    return f"{name}{quote}{_masked(name, value)}{quote}"


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
    for the text they may be echoed in, used for it and dropped; an
    unreadable or malformed file holds none.
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
        if is_credential_name(field) and isinstance(value, str) and value
    ]


def _mask_flag_value(match: re.Match[str]) -> str:
    """A credential flag's value written apart from it, masked as a field's value is."""
    flag = match.group("flag")
    return f"{flag}{match.group('gap')}{_masked(flag, match.group('value'))}"


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Mask credentials, in every form a text may hold them.

    `name: value` pairs, credential flags with their values, bearer
    credentials, JSON Web Tokens, and every known secret value wherever it
    appears. Only a value named as an API key keeps its last four characters;
    a known value met alone may be a secret key or a short passphrase, so it
    becomes `***` whole.
    """
    scrubbed = _SECRET_FIELD.sub(_mask_field, text)
    scrubbed = _SECRET_FLAG_VALUE.sub(_mask_flag_value, scrubbed)
    scrubbed = _BEARER.sub(lambda match: f"{match.group('scheme')} {MASK_PREFIX}", scrubbed)
    scrubbed = _JWT.sub(MASK_PREFIX, scrubbed)
    for secret in sorted({*secrets, *env_secrets()}, key=len, reverse=True):
        if len(secret) >= 4:  # a value alone, nothing names it: nothing of it is kept
            scrubbed = scrubbed.replace(secret, MASK_PREFIX)
    return scrubbed
