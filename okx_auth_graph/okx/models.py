"""Typed, redacted views of every JSON shape the okx CLI prints.

Parsing happens at the edge, right after the process exits: the raw text of
`config show --json` carries clear-text secrets, so the views here never have
a field that could hold one. What is kept is what the auth procedure needs.

Every view is plain data: a `TypedDict` of strings, numbers, booleans, lists
and other such dicts, and a site is its id string. The graph keeps these
views in its state, and a checkpointer stores plain data as it is, with no
class name to look up when it loads a checkpoint again: no allow-list to
keep, no warning about an unregistered type, whatever
`LANGGRAPH_STRICT_MSGPACK` says. Pydantic validates the CLI's answers into
them (unknown keys such as `expiresAt` and `ttl` are dropped there), and what
the procedure asks of a view (a profile's key, the site a status names) is a
small function beside it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeVar, final, get_args

from pydantic import BeforeValidator, Field, TypeAdapter, ValidationError
from typing_extensions import TypedDict

from okx_auth_graph.okx.framing import MalformedOutput, decode_object
from okx_auth_graph.okx.links import foreign_link, is_okx_link
from okx_auth_graph.okx.redact import mask_key

ENV_KEY_PROFILE = "OKX_API_KEY (environment)"
"""How an API key taken from the `OKX_API_KEY` environment variable is named."""

Site = Literal["global", "eea", "us", "tr"]
"""The OKX sites the CLI knows; a site is only ever one of these ids. Which of them a
conversation offers is the skill version's (`okx_auth_graph.skill`)."""

SITES: tuple[Site, ...] = get_args(Site)
"""Every site id the CLI may name."""

_WEB_HOSTS: dict[Site, str] = {
    "global": "www.okx.com", "eea": "my.okx.com", "us": "app.okx.com", "tr": "tr.okx.com",
}


def web_host(site: Site) -> str:
    """The site's web host, as the skill's table lists it."""
    return _WEB_HOSTS[site]


def parse_site(value: object) -> Site | None:
    """The site for a known id (case and outer spaces ignored), else None; nothing is guessed."""
    if not isinstance(value, str):
        return None
    wanted = value.strip().lower()
    return next((site for site in SITES if site == wanted), None)


def checked_site(value: object) -> Site:
    """`value` itself when it is a site id, else `ValueError`.

    For values that become a command-line argument: a caller that got past
    the type checker with any other string is refused, not passed on.
    """
    site = next((site for site in SITES if site == value), None)
    if site is None:
        raise ValueError(f"{value!r} is not a valid Site")
    return site


class ProfileView(TypedDict):
    """One profile of `~/.okx/config.toml`, with the key masked and no secret at all."""

    name: str
    """The profile's table name."""
    site: Site | None
    """The profile's site; None when absent or not a known id."""
    demo: bool
    """Whether the profile targets simulated trading."""
    base_url: str | None
    """A custom REST base URL, when configured."""
    api_key_masked: str | None
    """`***` plus the key's last four characters; None when no key is set."""


def has_api_key(profile: ProfileView) -> bool:
    """Whether the profile carries an API key (which the CLI always prefers)."""
    return profile["api_key_masked"] is not None


class ConfigView(TypedDict):
    """`okx config show --json`, redacted, plus an `OKX_API_KEY` the CLI will see."""

    default_profile: str | None
    """The profile the CLI uses when none is named."""
    profiles: list[ProfileView]
    """Every profile, in file order."""
    env_api_key_masked: str | None
    """Masked `OKX_API_KEY` from the CLI's environment; it wins over any profile."""


def selected_sites(config: ConfigView) -> list[Site]:
    """Sites that profiles already carry (Step 0.1's first condition)."""
    return [site for profile in config["profiles"] if (site := profile["site"]) is not None]


def api_key_profile(config: ConfigView) -> str | None:
    """Name of the credentials the CLI would use instead of OAuth (Step 0.2).

    The environment key comes first because the CLI prefers it; then the
    default profile, then the first keyed profile in file order.
    """
    if config["env_api_key_masked"] is not None:
        return ENV_KEY_PROFILE
    keyed = [profile["name"] for profile in config["profiles"] if has_api_key(profile)]
    if config["default_profile"] in keyed:
        return config["default_profile"]
    return keyed[0] if keyed else None


def find_profile(config: ConfigView, name: str) -> ProfileView | None:
    """Look a profile up by name."""
    return next((profile for profile in config["profiles"] if profile["name"] == name), None)


AuthState = Literal["logged_in", "pending", "not_logged_in"]


class AuthStatus(TypedDict):
    """`okx auth status --json`, keeping only status, site and scopes.

    `expiresAt` and `ttl` describe the short-lived access token and `profile` is
    internal routing; the skill forbids showing them, so they are never kept.
    """

    status: AuthState
    """The OAuth session state."""
    site: Annotated[Site | None, BeforeValidator(parse_site), Field(default=None)]
    """The reported site (an unknown id is None); a placeholder while `not_logged_in`."""
    scopes: Annotated[list[str], Field(default_factory=list)]
    """Granted scopes when logged in."""


def chosen_site(status: AuthStatus) -> Site | None:
    """The site a user really chose: only meaningful when logged in or pending."""
    return status["site"] if status["status"] in ("logged_in", "pending") else None


@final  # no other keys: a login answer without `status` is a device code
class DeviceCode(TypedDict):
    """The device-flow answer of `okx auth login --manual`."""

    verification_uri: Annotated[str, Field(alias="verificationUri", min_length=1)]
    """Where the user authorizes."""
    user_code: Annotated[str, Field(alias="userCode", min_length=1)]
    """The code the user types in the browser."""
    expires_in: Annotated[int, Field(alias="expiresIn", gt=0)]
    """Lifetime of the code in seconds."""


class LoginSkipped(TypedDict):
    """`{"status":"skipped","reason":"api_key_configured","profile":...}`: an API key won."""

    status: Literal["skipped"]
    """Always `skipped`."""
    reason: str
    """Why the CLI refused to start OAuth (`api_key_configured`)."""
    profile: Annotated[str | None, Field(default=None)]
    """The keyed profile the CLI found."""


class InstallResult(TypedDict):
    """`okx auth install --json`: shape undocumented, so every field may be None."""

    status: Annotated[str | None, Field(default=None)]
    """e.g. `installed` or `up_to_date`."""
    version: Annotated[str | None, Field(default=None)]
    """The okx-auth version now installed."""
    message: Annotated[str | None, Field(default=None)]
    """Free text, when the CLI gives one."""


class InstallStatus(TypedDict):
    """`okx auth install-status --json`: lenient, keeps what is known."""

    installed: Annotated[bool | None, Field(default=None)]
    """Whether the okx-auth binary is present."""
    version: Annotated[str | None, Field(default=None)]
    """Installed version."""
    latest: Annotated[str | None, Field(default=None)]
    """Newest version the CLI knows of."""
    up_to_date: Annotated[bool | None, Field(default=None, alias="upToDate")]
    """Whether the installed binary is current."""


def parse_config_show(text: str, env_api_key: str | None = None) -> ConfigView:
    """Parse `config show --json`; secrets are read here and dropped here."""
    raw = decode_object(text, "config show --json")
    profiles_raw = raw.get("profiles", {})
    if not isinstance(profiles_raw, dict):
        raise MalformedOutput("config show --json", len(text.encode()))
    profiles: list[ProfileView] = []
    for name, body in profiles_raw.items():
        if not isinstance(body, dict):
            raise MalformedOutput("config show --json", len(text.encode()))
        api_key = body.get("api_key")
        base_url = body.get("base_url")
        profiles.append({
            "name": str(name),
            "site": parse_site(body.get("site")),
            "demo": body.get("demo") is True,
            "base_url": base_url if isinstance(base_url, str) and base_url else None,
            "api_key_masked": mask_key(api_key) if isinstance(api_key, str) and api_key else None,
        })
    default = raw.get("default_profile")
    return {
        "default_profile": default if isinstance(default, str) and default else None,
        "profiles": profiles,
        "env_api_key_masked": mask_key(env_api_key) if env_api_key else None,
    }


_V = TypeVar("_V")

_AUTH_STATUS = TypeAdapter(AuthStatus)
_DEVICE_CODE = TypeAdapter(DeviceCode)
_LOGIN_SKIPPED = TypeAdapter(LoginSkipped)
_INSTALL_RESULT = TypeAdapter(InstallResult)
_INSTALL_STATUS = TypeAdapter(InstallStatus)


def _validated(adapter: TypeAdapter[_V], raw: dict[str, Any], text: str, what: str) -> _V:
    """The decoded answer as its view; a shape that does not fit is malformed output."""
    try:
        return adapter.validate_python(raw)
    except ValidationError:
        raise MalformedOutput(what, len(text.encode())) from None


def parse_auth_status(text: str) -> AuthStatus:
    """Parse `auth status --json`."""
    what = "auth status --json"
    return _validated(_AUTH_STATUS, decode_object(text, what), text, what)


def parse_login_manual(text: str) -> DeviceCode | LoginSkipped:
    """Parse `auth login --manual`: a device code, or the api-key skip answer."""
    what = "auth login --manual"
    raw = decode_object(text, what)
    if raw.get("status") == "skipped":
        return _validated(_LOGIN_SKIPPED, raw, text, what)
    device = _validated(_DEVICE_CODE, raw, text, what)
    if not is_okx_link(device["verification_uri"]):
        raise foreign_link()
    return device


def parse_install(text: str) -> InstallResult:
    """Parse `auth install --json`."""
    what = "auth install --json"
    return _validated(_INSTALL_RESULT, decode_object(text, what), text, what)


def parse_install_status(text: str) -> InstallStatus:
    """Parse `auth install-status --json`."""
    what = "auth install-status --json"
    return _validated(_INSTALL_STATUS, decode_object(text, what), text, what)
