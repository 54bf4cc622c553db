"""`okx config show | init | use`: the API-key side of the real CLI.

`config show --json` prints secrets in clear text because the real CLI does
(the graph must redact them itself); the human form never shows more than
the last four characters of the API key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from okx_sim.config import (
    ProfileUpdate,
    profiles_of,
    read_config,
    save_profile,
    use_profile,
)
from okx_sim.context import CommandContext, CommandError
from okx_sim.sites import checked_site
from okx_sim.wizard import run_wizard

_CREDENTIAL_FLAGS = ("--site", "--api-key", "--secret-key", "--passphrase")
_MASK_MIN_LENGTH = 8
"""Shorter keys are masked entirely: their last four would be most of the key."""


def config_show(ctx: CommandContext) -> None:
    """Print the config: the file's keys as JSON, or a masked summary for people."""
    config = read_config(ctx.paths)
    if ctx.wants_json:
        payload: dict[str, Any] = {}
        if config is not None and "default_profile" in config:
            payload["default_profile"] = config["default_profile"]
        payload["profiles"] = profiles_of(config)
        ctx.console.json(payload)
        return
    ctx.console.out(f"Config: {ctx.paths.config}")
    if config is None:
        ctx.console.out("No config found. Run okx config init first.")
        return
    ctx.console.out(f"default_profile: {config.get('default_profile', '(not set)')}")
    for name, profile in profiles_of(config).items():
        ctx.console.out(f"[{name}]")
        for line in _profile_summary(profile):
            ctx.console.out(f"  {line}")


def config_init(ctx: CommandContext) -> None:
    """Write one profile from flags, or from the wizard when a person is typing."""
    if ctx.options or ctx.switches - {"--json"}:
        update = _update_from_flags(ctx)
    elif ctx.console.stdin.isatty():
        update = run_wizard(ctx.console)
    else:
        raise CommandError(
            "config init needs a terminal or flags (--site, --api-key, --secret-key, --passphrase)"
        )
    save_profile(ctx.paths, update)
    ctx.console.out(f"Config saved to {ctx.paths.config}")


def config_use(ctx: CommandContext) -> None:
    """Make an existing profile the default."""
    name = ctx.positionals[0]
    use_profile(ctx.paths, name)
    ctx.console.out(f'Default profile set to: "{name}"')


def mask_api_key(api_key: str) -> str:
    """`***` plus the last four characters, enough to recognise a key."""
    if len(api_key) < _MASK_MIN_LENGTH:
        return "***"
    return "***" + api_key[-4:]


def _profile_summary(profile: Mapping[str, Any]) -> list[str]:
    """The non-secret lines of one profile; secret_key and passphrase never appear."""
    api_key = profile.get("api_key")
    demo = profile.get("demo")
    return [
        "api_key: "
        + (mask_api_key(api_key) if isinstance(api_key, str) and api_key else "(not set)"),
        f"site: {profile.get('site', '(not set)')}",
        "demo: " + ("(not set)" if demo is None else str(demo).lower()),
        f"base_url: {profile.get('base_url', '(default)')}",
    ]


def _update_from_flags(ctx: CommandContext) -> ProfileUpdate:
    """The profile described by the flags; all four credential flags are required."""
    missing = [flag for flag in _CREDENTIAL_FLAGS if flag not in ctx.options]
    if missing:
        raise CommandError(
            "config init needs --site, --api-key, --secret-key and --passphrase "
            f"(missing: {', '.join(missing)})"
        )
    if {"--demo", "--live"} <= ctx.switches:
        raise CommandError("Use either --demo or --live, not both")
    return ProfileUpdate(
        name=ctx.options.get("--profile", "default"),
        api_key=ctx.options["--api-key"],
        secret_key=ctx.options["--secret-key"],
        passphrase=ctx.options["--passphrase"],
        site=checked_site(ctx.options["--site"]),
        demo="--demo" in ctx.switches,
    )
